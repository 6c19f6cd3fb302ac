"""What the account knows about a person, for replies that show real interest.

Only what the person published to the account, or what the user wrote, with its source and date.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from bot.domain.normalize import fold_term


TOPIC_SOURCE = "topic"  # keywords extracted from their messages
# How long after its day a plan is still worth asking about ("how did the new job start?"),
# however long before that day they announced it: `drafting.checkins.lookback_days`.
PLAN_LOOKBACK = timedelta(days=60)


class FactKind(str, Enum):
    NOTE = "note"  # written by the user (or imported from the platform's private note)
    INTEREST = "interest"  # something they care about: from bio, fields, hashtags, topics
    PROJECT = "project"  # something they do or make
    OPEN_THREAD = "open_thread"  # something they said they were about to do: ask how it went
    FOLLOWED_UP = "followed_up"  # an open thread the account has since asked about


@dataclass(frozen=True)
class Fact:
    kind: FactKind
    text: str
    source: str  # user, platform_note, bio, fields, hashtag, message:<interaction id>
    at: datetime
    language: str | None = None
    due: datetime | None = None  # open threads: when the thing was to happen, if said
    id: int | None = None  # set once stored


@dataclass(frozen=True)
class ContactMemory:
    facts: tuple[Fact, ...] = ()
    last_contact_at: datetime | None = None
    lookback: timedelta = PLAN_LOOKBACK  # a plan whose day passed longer ago than this is not asked about

    @property
    def open_threads(self) -> tuple[Fact, ...]:
        return tuple(f for f in self.facts if f.kind is FactKind.OPEN_THREAD)

    @property
    def interests(self) -> tuple[Fact, ...]:
        return tuple(f for f in self.facts if f.kind in (FactKind.INTEREST, FactKind.PROJECT))

    @property
    def stated_interests(self) -> tuple[Fact, ...]:
        """Interests the person stated (profile, hashtags), not keywords mined from their messages:
        those are too rough to put in a sentence to them."""
        return tuple(f for f in self.interests if f.source != TOPIC_SOURCE)

    @property
    def askable_interests(self) -> tuple[Fact, ...]:
        """What a short question can be about: interests they tagged or filled in as such.

        Free bio phrases are often who someone is ("Profesora de secundaria", "Community
        organiser"): worth knowing, and given to a language model, but a template asking
        "how is Profesora de secundaria going?" reads as a machine.
        """
        return tuple(f for f in self.stated_interests if f.source != "bio")

    @property
    def notes(self) -> tuple[Fact, ...]:
        return tuple(f for f in self.facts if f.kind is FactKind.NOTE)


EMPTY_MEMORY = ContactMemory(facts=())


def followed_up(facts: Iterable[Fact], sent_text: str, now: datetime) -> list[Fact]:
    """The open threads that a message the account sent asked about, so they are not asked
    about again. Only threads whose day has come: wishing luck before a race does not close
    "how did it go?"."""
    said = _significant_words(sent_text)
    return [
        fact for fact in facts
        if fact.kind is FactKind.OPEN_THREAD and (fact.due is None or fact.due <= now)
        and _significant_words(fact.text) & said
    ]


def _significant_words(text: str) -> set[str]:
    return set(re.findall(r"[^\W\d_]{5,}", fold_term(text)))
