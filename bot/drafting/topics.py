"""What from a contact's memory a message may ask about, phrased to fit a sentence to them.

Facts are phrases cut from the person's own words ("el recital de piano", "Running my first
marathon", "empiezo el curso de cerámica"). To ask about one, the phrase is only turned toward
them: "my" becomes "your", a leading "a" becomes "the", a Spanish phrase that starts with their
own verb keeps just its noun phrase ("el curso de cerámica"). A phrase that cannot be turned that
way ("Me mudo a Lisboa") is not mentioned: no follow-up is better than one in broken words.
Notes never become topics: the user wrote them for themselves, not for the contact to read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from bot.domain.memory import PLAN_LOOKBACK, ContactMemory, Fact
from bot.domain.normalize import fold

# An undated plan said longer ago than this is old news; a dated one is asked about until
# `ContactMemory.lookback` after its day, however long before that it was announced.
STALE_AFTER = timedelta(days=30)
MAX_WORDS = 10
MAX_CHARS = 80
_LONGEST_TAG_WORD = 10  # a one-word hashtag longer than this is usually several words glued
_VERB_ROOM = 20  # characters a leading verb may take before `MAX_CHARS` is checked again without it

_ARTICLES = {"en": {"the", "a", "an"}, "es": {"el", "la", "los", "las", "un", "una", "unos", "unas"}}
_POSSESSIVES = {"en": {"my", "your", "our", "his", "her", "their"}, "es": {"mi", "mis", "tu", "tus", "su", "sus"}}
_TOWARD_THEM = {"en": {"my": "your", "our": "your", "mine": "yours", "myself": "yourself", "me": "you"},
                "es": {"mi": "tu", "mis": "tus"}}
_DEFINITE = {"a": "the", "an": "the", "un": "el", "una": "la", "unos": "los", "unas": "las"}
_SUBJECTS = {"en": {"i", "i'm", "im", "i've", "i'll", "we", "we're", "we've", "we'll"}, "es": {"yo", "nosotros"}}
# A Spanish phrase opening with their verb: "me mudo...", "voy a correr...", "empiezo el curso".
_SPANISH_VERB_START = {"me", "nos", "te", "se", "voy", "vamos", "estoy", "estamos", "tengo", "tenemos"}


@dataclass(frozen=True)
class Topic:
    """Something from memory worth asking about, in the fact's own words turned toward them."""

    text: str
    timing: str  # past, upcoming, ongoing (open threads) or interest


def topics_to_mention(memory: ContactMemory, language: str, now: datetime) -> list[Topic]:
    """Best first: open threads whose date went by (most recent first), those still ahead
    (soonest first), undated ones (newest first), then interests and projects (newest first)."""
    threads: dict[str, list[tuple[datetime, Topic]]] = {"past": [], "upcoming": [], "ongoing": []}
    for fact in memory.open_threads:
        timing = thread_timing(fact, now, memory.lookback)
        if timing and (words := _phrase(fact, language)):
            threads[timing].append((_aware(fact.due or fact.at), Topic(words, timing)))
    interests = [(_aware(f.at), Topic(words, "interest")) for f in memory.askable_interests if (words := _phrase(f, language))]
    ranked = (sorted(threads["past"], key=_when, reverse=True) + sorted(threads["upcoming"], key=_when)
              + sorted(threads["ongoing"], key=_when, reverse=True) + sorted(interests, key=_when, reverse=True))
    topics: list[Topic] = []
    for _, topic in ranked:
        if all(topic.text.casefold() != t.text.casefold() for t in topics):
            topics.append(topic)
    return topics


def thread_timing(fact: Fact, now: datetime, lookback: timedelta = PLAN_LOOKBACK) -> str | None:
    """past (its date went by), upcoming (still ahead), ongoing (no date); None once stale:
    its day passed more than `lookback` ago, or, undated, it was said over `STALE_AFTER` ago."""
    if fact.due is not None:
        due = _aware(fact.due)
        if now - due > lookback:
            return None
        return "past" if due <= now else "upcoming"
    return None if now - _aware(fact.at) > STALE_AFTER else "ongoing"


def is_about(text: str, topic: Topic) -> bool:
    """Their message already talks about it ("I finished the marathon!"): asking would sound absent."""
    said = set(re.findall(r"\w+", fold(text).plain))
    return any(len(word) >= 5 and word in said for word in re.findall(r"\w+", fold(topic.text).plain))


def phrase_for(text: str, language: str) -> str | None:
    """The words to put after "how did ... go?", or None when they cannot fit one."""
    text = text.replace("\u2019", "'").strip().lstrip("#").rstrip(".!,;: ").strip()
    if not text or len(text) > MAX_CHARS + _VERB_ROOM:
        return None
    if any(c in text for c in "\n?¿@\"“«") or "http" in text.lower():
        return None
    words = text.split()
    if words[0].lower() in _SUBJECTS.get(language, set()):
        return None  # "I'm moving to Lisbon" is a sentence, not a thing to ask about
    if language == "es" and _starts_with_their_verb(words):
        words = _noun_phrase(words)
    if not words or len(words) > MAX_WORDS or len(" ".join(words)) > MAX_CHARS:
        return None  # measured after the verb is dropped: "expongo | mis tomates en la feria..."
    words = [_TOWARD_THEM.get(language, {}).get(w.lower(), w) for w in words]
    words[0] = _DEFINITE.get(words[0].lower(), words[0]) if len(words) > 1 else words[0]
    return " ".join(_lower_first(words, language))


def _phrase(fact: Fact, language: str) -> str | None:
    if fact.language and fact.language.split("-")[0].lower() != language:
        return None  # a Spanish phrase inside an English reply reads as a mistake
    if fact.source == "hashtag" and " " not in fact.text and len(fact.text) > _LONGEST_TAG_WORD:
        return None  # "#huertourbano": words glued in lower case cannot be told apart
    return phrase_for(fact.text, language)


def _starts_with_their_verb(words: list[str]) -> bool:
    first = words[0].lower()
    determiners = _ARTICLES["es"] | _POSSESSIVES["es"]
    return first in _SPANISH_VERB_START or (first.endswith("o") and len(words) > 1 and words[1].lower() in determiners)


def _noun_phrase(words: list[str]) -> list[str]:
    """From the first article or possessive on: "empiezo el curso de cerámica" -> "el curso..."."""
    determiners = _ARTICLES["es"] | _POSSESSIVES["es"]
    start = next((i for i, w in enumerate(words) if w.lower() in determiners), None)
    return words[start:] if start is not None and len(words) - start >= 2 else []


def _lower_first(words: list[str], language: str) -> list[str]:
    """"El recital" and "Running..." read in lower case mid-sentence; "El Salvador" keeps its capital."""
    first = words[0]
    known = first.lower() in _ARTICLES.get(language, set()) | _POSSESSIVES.get(language, set())
    gerund = language == "en" and first.lower().endswith("ing") and len(first) > 4
    place_name = len(words) == 2 and words[1][:1].isupper()
    if (known or gerund) and first[:1].isupper() and not first.isupper() and not place_name:
        return [first[0].lower() + first[1:], *words[1:]]
    return words


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _when(item: tuple[datetime, Topic]) -> datetime:
    return item[0]
