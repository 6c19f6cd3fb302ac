"""Slots: the visible gap a draft leaves where only the account holder knows the answer.

A template cannot know whether the owner grows tomatoes or keeps a reading list. Rather than
pretend ("good question, I'll get back to you"), the draft says what is missing, in the person's
language and words: "[tu respuesta: club de ciclismo por Zaragoza]". A draft that holds one needs
the owner's input: it cannot be approved or sent until an edit fills it.
"""

from __future__ import annotations

import re

LABELS = {"es": "tu respuesta", "en": "your answer"}
_FALLBACK = "en"
_SLOT = re.compile(r"\[\s*(?:" + "|".join(re.escape(label) for label in LABELS.values()) + r")\b[^\]]*\]",
                   re.IGNORECASE)


def slot(subject: str, language: str) -> str:
    """The gap to fill, naming what it is about: "[your answer: reading list]"."""
    label = LABELS.get(language, LABELS[_FALLBACK])
    subject = " ".join(subject.replace("[", "(").replace("]", ")").split())
    return f"[{label}: {subject}]" if subject else f"[{label}]"


def slots_in(text: str) -> list[str]:
    """Every slot still in `text`, as written."""
    return [match.group(0) for match in _SLOT.finditer(text)]


def needs_input(text: str) -> bool:
    """True while the text holds a slot only the account holder can fill."""
    return _SLOT.search(text) is not None
