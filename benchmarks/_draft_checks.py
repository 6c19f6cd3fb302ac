"""The automatic checks of the drafting evaluation (`draft_eval.py`).

Each check reads one draft against the labels a person wrote for its scenario (the words a
responsive reply would use, which `about` fact answers it, which open thread is due), never
against the drafter's own rules, so a drafter cannot pass by agreeing with itself. Matching is
accent- and case-insensitive, and a label word matches the start of a word in the draft, so
"charla" also finds "charlas" and "negociat" finds "negotiating".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import Any

MAX_LENGTH = 280  # the drafter's own limit, under Bluesky's 300 (Mastodon allows 500)

# "[tu respuesta: club de ciclismo en Zaragoza]", "[Your answer: reading list]": a visible gap
# the person fills in before approving, in either language's wording.
SLOT = re.compile(r"\[\s*(?:tu respuesta|your answer)\s*:[^\]]*\]", re.IGNORECASE)
_URL = re.compile(r"https?://\S+")

# Phrases that promise an answer later, or hand the question back, instead of answering.
DEFLECTIONS = (
    "good question", "great question", "good one", "get back to you", "let me think", "i'll think about it",
    "think it through", "what's your take", "what is your take", "what do you think?", "let me look into it",
    "i'll look into it", "i'll give you a proper answer", "answer soon", "proper thought", "some thought",
    "i'll let you know", "let me check", "i'll check and", "no idea",
    "buena pregunta", "te digo algo", "lo miro", "dejame pensarlo", "déjame pensarlo", "lo pienso",
    "pensarlo con calma", "te contesto con calma", "te contesto en cuanto", "te respondo con", "te respondo en cuanto",
    "¿tu como lo ves?", "¿tú cómo lo ves?", "¿que opinas tu?", "¿qué opinas tú?", "ya te cuento", "luego te digo",
    "lo consulto", "ni idea", "me lo apunto",
)
# Cheer that reads as tone-deaf on a loss, a worry or a complaint.
CHEER = re.compile(
    r"\b(great|awesome|congrats|congratulations|amazing|wonderful|fantastic|exciting|yay|woo+hoo|wow|glad"
    r"|happy to hear|good to hear|good news|made my day|lovely|so cool"
    r"|que bien|genial|enhorabuena|felicidades|que ilusion|me alegra|estupendo|fantastico|maravill\w*"
    r"|que guay|buenas noticias|que alegria|me has alegrado|que chulo)\b"
    r"|[🎉🥳😄😃🙌]"
)


class ScenarioError(ValueError):
    """A scenario file line that cannot be used; the message names the file and the line."""


BAD_NEWS_TONES = frozenset({"sad", "worried", "annoyed"})
_STOPWORDS = frozenset(
    "that this with from your have about what which their there when where mine ours used uses into "
    "para como pero este esta estos estas unos unas sobre desde donde cuando mis tus sus nuestro nuestra "
    "nuestros nuestras".split()
)


def fold(text: str) -> str:
    """Lower case without accents, with typographic apostrophes made plain."""
    text = unicodedata.normalize("NFKD", text.casefold().replace("\u2019", "'"))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def mentions_any(text: str, words: Iterable[str]) -> bool:
    """Whether any of `words` (a word or a phrase) starts a word in `text`."""
    folded = fold(text)
    return any(re.search(_pattern(fold(word).strip()), folded) for word in words if word.strip())


def _pattern(word: str) -> str:
    """A short word ("go", "ia", "cv") must be the whole word: as a prefix it is found everywhere."""
    return r"(?<!\w)" + re.escape(word) + (r"(?!\w)" if len(word) <= 3 else "")


def has_slot(text: str) -> bool:
    return bool(SLOT.search(text))


def deflection(text: str) -> str | None:
    """The first deflecting phrase in `text`, or None."""
    folded = fold(text)
    return next((phrase for phrase in DEFLECTIONS if fold(phrase) in folded), None)


def cheer(text: str) -> str | None:
    """The first cheerful word in `text`, or None."""
    found = CHEER.search(fold(text))
    return found.group(0) if found else None


def about_fact(about: Mapping[str, Any] | None, reference: str | None) -> dict[str, Any] | None:
    """The fact a label such as "resources.0" points at."""
    if not about or not reference:
        return None
    kind, _, index = reference.partition(".")
    return about[kind][int(index)]


def content_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[^\W\d_]{4,}", fold(text)) if w not in _STOPWORDS]


def answers_from(text: str, fact: Mapping[str, Any]) -> bool:
    """The draft gives the fact: its link, or at least half its content words (two at least)."""
    url = fact.get("url") or ""
    if url and url in text:
        return True
    words = content_words(fact["text"])
    said = sum(mentions_any(text, [w[:max(4, len(w) - 2)]]) for w in words)
    return said >= min(len(words), max(2, (len(words) + 1) // 2))


def in_language(text: str, language: str, guess: Callable[[str], str | None]) -> bool:
    """The draft, as the person approving it reads it (slots included: their label is in the
    drafter's words), is in `language`. Links carry no language and are left out."""
    return guess(_URL.sub(" ", text)) == language


def score(scenario: Mapping[str, Any], text: str | None, *, guess: Callable[[str], str | None],
          is_pitch: Callable[[str, str], bool]) -> dict[str, bool | None]:
    """Every check on one scenario's draft: True met, False missed, None when it does not apply.
    No draft at all misses every check that applies."""
    labels, language = scenario["labels"], scenario["language"]
    fact = about_fact(scenario.get("about"), labels.get("answer_from_about"))
    applies = {
        "drafted": True,
        "subject": True,
        "answered_or_slotted": bool(labels.get("needs_answer")),
        "answered_from_about": fact is not None,
        "memory_used": bool(labels.get("memory_words")),
        "due_thread_used": bool(labels.get("due_thread")),
        "no_deflection": True,
        "language": True,
        "length": True,
        "tone": scenario["tone"] in BAD_NEWS_TONES,
        "not_pitch": True,
    }
    if not text:
        return {check: (False if on else None) for check, on in applies.items()}
    results: dict[str, bool] = {
        "drafted": True,
        "subject": mentions_any(text, labels["subject_words"]),
        "answered_or_slotted": (answers_from(text, fact) if fact else False) or has_slot(text),
        "answered_from_about": fact is not None and answers_from(text, fact),
        "memory_used": mentions_any(text, labels.get("memory_words") or ()),
        "due_thread_used": mentions_any(text, labels.get("due_thread") or ()),
        "no_deflection": deflection(text) is None,
        "language": in_language(text, language, guess),
        "length": len(text) <= MAX_LENGTH,
        "tone": cheer(text) is None,
        "not_pitch": not is_pitch(text, language),
    }
    return {check: (results[check] if on else None) for check, on in applies.items()}
