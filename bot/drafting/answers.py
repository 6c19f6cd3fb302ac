"""Answering what a message asks: from the owner's profile when a fact clearly matches, otherwise
a slot that names what only the owner can say. A wrong answer is worse than a slot, so a fact
matches only when the subject's head word (its first content word) is among the fact's words or
keywords, or when two of the subject's words are; words match when equal or when one is the
other with a short ending ("cultivas" / "cultivar", "slide" / "slides").
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from bot.domain.about import About, AboutFact
from bot.domain.slots import slot
from bot.drafting.reading import Ask, content_words

_STEM = 4  # the shortest word that matches another with an ending
_LONG = 6  # words this long may differ in their last two letters
_ENDINGS = {"s", "es", "ing", "ed", "d", "er", "ers"}


@dataclass(frozen=True)
class Answer:
    ask: Ask
    fact: AboutFact | None  # None: a slot

    def text(self, variants: dict[str, list[str]], pick: int, language: str) -> str:
        if self.fact is None:
            return slot(self.ask.subject, language)
        key = "resource" if self.ask.kind == "request" else "yes" if self.ask.yes_no else "open"
        options = variants.get(key) or ["{answer}"]
        return options[pick % len(options)].format(answer=self.fact.says())


def answer(ask: Ask, about: About, language: str) -> Answer:
    """The fact that answers `ask`, or a slot. A request is answered by a resource only."""
    facts = [f for f in about.in_language(language) if ask.kind != "request" or f.kind == "resource"]
    return Answer(ask, best_match(ask.subject_words(), facts))


def best_match(subject: list[str], facts: Iterable[AboutFact]) -> AboutFact | None:
    best, best_score = None, 0
    for fact in facts:
        terms = _terms(fact)
        hits = [word for word in subject if any(same_word(word, term) for term in terms)]
        head = bool(subject) and subject[0] in hits
        score = len(hits) + head
        if (head or len(hits) >= 2) and score > best_score:
            best, best_score = fact, score
    return best


def same_word(a: str, b: str) -> bool:
    """Equal, one the other with an inflection ("slide" / "slides", "read" / "reading"), or long
    words apart only in their last two letters ("cultivas" / "cultivar")."""
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    shared = len(os.path.commonprefix((short, long)))
    if shared == len(short) >= _STEM:
        return long[shared:] in _ENDINGS
    return len(short) >= _LONG and shared >= len(short) - 2 and len(long) - shared <= 2


def _terms(fact: AboutFact) -> list[str]:
    return content_words(" ".join((fact.text, *fact.keywords)))
