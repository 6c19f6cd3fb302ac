"""What from memory a new draft may follow up on: nothing under a loss, a worry or a grievance,
and never a subject another draft to the same person already asks about.

A follow-up is an open thread, an interest or a project (notes stay private). It counts as used
by a draft still on its way (pending, approved, sending) or sent within the cooldown, when the
draft's text holds its words: read from the drafts themselves, so a draft a person rewrote
counts as written, and one that left the subject out leaves it free.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from bot.domain.drafts import Draft, DraftStatus
from bot.domain.memory import TOPIC_SOURCE, ContactMemory, Fact, FactKind
from bot.domain.normalize import fold_term
from bot.domain.subjects import subject
from bot.domain.tone import Tone

FOLLOW_UP_KINDS = frozenset({FactKind.OPEN_THREAD, FactKind.INTEREST, FactKind.PROJECT})
ON_ITS_WAY = frozenset({DraftStatus.PENDING, DraftStatus.APPROVED, DraftStatus.SENDING})
_MIN_LETTERS = 4  # "yoga", "golf" name a subject; "the", "con", "tu" do not
# Four-letter words that turn a phrase toward a person without naming what it is about.
_FILLER = frozenset(
    "your yours this that with from about into just very como esta este esto para pero sobre "
    "tuyo tuya desde hace".split()
)
_WORD = re.compile(r"[^\W\d_]+")


def subject_words(text: str) -> set[str]:
    """The words of a phrase that say what it is about, folded (case and accents off)."""
    return {w for w in _WORD.findall(fold_term(text)) if len(w) >= _MIN_LETTERS and w not in _FILLER}


def mentions(fact: Fact, text_words: set[str]) -> bool:
    """Whether a text holds the fact's subject: at least half its words, one at the least.
    "¿Qué tal la maratón?" mentions "la maratón de Valencia"."""
    words = subject_words(fact.text)
    return bool(words) and len(words & text_words) >= max(1, math.ceil(len(words) / 2))


def texts_in_use(drafts: Iterable[Draft], now: datetime, cooldown: timedelta) -> list[str]:
    """The texts of the drafts that hold on to their follow-ups: on their way, or sent within
    the cooldown."""
    since = now - cooldown
    texts = []
    for draft in drafts:
        if draft.status in ON_ITS_WAY:
            texts.append(draft.text)
        elif draft.status is DraftStatus.SENT and _aware(draft.sent_at or draft.updated_at) >= since:
            texts.append(draft.text)
    return texts


def for_drafting(memory: ContactMemory, tone: Tone, texts_in_use: Iterable[str]) -> ContactMemory:
    """The memory a drafter may see for a message of this tone: no follow-up at all under a heavy
    tone (see `Tone.heavy`), none another draft already uses, and no topic stored before topics
    had to name a subject ("sábado", "reply": `subjects`)."""
    used = [subject_words(text) for text in texts_in_use]
    kept = tuple(
        fact for fact in memory.facts
        if fact.kind not in FOLLOW_UP_KINDS
        or not tone.heavy and not any(mentions(fact, words) for words in used) and not _stale_topic(fact)
    )
    return memory if len(kept) == len(memory.facts) else replace(memory, facts=kept)


def _stale_topic(fact: Fact) -> bool:
    return fact.source == TOPIC_SOURCE and subject(fact.text, "", fact.language) is None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
