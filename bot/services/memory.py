"""Remembering what people share: profile interests, open threads, the topics they bring up.

Only what the person published to the account (their profile, their messages to it) or what
the user wrote. Each fact keeps its source and date; `contacts forget` erases them all.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from bot.domain.contacts import Contact
from bot.domain.extraction import hashtag_facts, open_threads, profile_facts
from bot.domain.memory import TOPIC_SOURCE, Fact, FactKind, followed_up
from bot.domain.models import Post
from bot.store.unit_of_work import SqlUnitOfWork

PROFILE_SOURCES = frozenset({"bio", "fields", "hashtag"})
MAX_TOPICS = 10  # per contact: the most recent; older topics say little about them now


def remember_profile(
    uow: SqlUnitOfWork, contact: Contact, now: datetime, stored_facts: list[Fact] | None = None,
) -> list[Fact]:
    """Replace what the profile said with what it says now (people edit their bios).
    `stored_facts`: every fact stored about them, when the caller has them; returns every fact
    stored once done."""
    known = uow.contacts.facts(contact.id) if stored_facts is None else stored_facts
    fresh = profile_facts(contact.bio, contact.fields, now, None)
    stored = [f for f in known if f.source in PROFILE_SOURCES]
    if {_key(f) for f in fresh} == {_key(f) for f in stored}:
        return known
    for fact in stored:
        assert fact.id is not None
        uow.contacts.delete_fact(fact.id)
    added = [replace(fact, id=uow.contacts.add_fact(contact.id, fact)) for fact in fresh]
    return [f for f in known if f.source not in PROFILE_SOURCES] + added


def message_facts(post: Post, event_id: str, at: datetime) -> list[Fact]:
    """Open threads, hashtags and topics in a message: pure, so it runs before any transaction."""
    source = f"message:{event_id}"[:32]
    found = open_threads(post.text, at, post.language, source=source, is_pitch=lambda _text: False)
    found += hashtag_facts(post.text, at, post.language)
    found += _topics(post, at)
    return found


def remember_message(
    uow: SqlUnitOfWork, contact: Contact, post: Post, event_id: str, at: datetime,
    found: Sequence[Fact] | None = None, stored_facts: list[Fact] | None = None,
) -> int:
    """Remember what a message the person sent to the account says (`found`, when already
    worked out by `message_facts`); how many facts are then known about them (`known_facts`).
    `stored_facts`: every fact stored about them, when the caller has them."""
    if found is None:
        found = message_facts(post, event_id, at)
    stored = uow.contacts.facts(contact.id) if stored_facts is None else stored_facts
    known = {_key(f) for f in stored}
    knowledge = sum(1 for f in stored if f.source != TOPIC_SOURCE)
    topics = sum(1 for f in stored if f.source == TOPIC_SOURCE)
    for fact in found:
        if _key(fact) not in known:
            uow.contacts.add_fact(contact.id, fact)
            known.add(_key(fact))
            knowledge += fact.source != TOPIC_SOURCE
            topics += fact.source == TOPIC_SOURCE
    if topics > MAX_TOPICS:
        _keep_recent_topics(uow, contact)
    return knowledge


def close_followed_threads(uow: SqlUnitOfWork, contact: Contact, sent_text: str, now: datetime) -> int:
    """Mark the open threads a sent message asked about as followed up (`followed_up`)."""
    closed = followed_up(uow.contacts.facts(contact.id), sent_text, now)
    for fact in closed:
        assert fact.id is not None
        uow.contacts.set_fact_kind(fact.id, FactKind.FOLLOWED_UP)
    return len(closed)


def _topics(post: Post, at: datetime) -> list[Fact]:
    from bot.keywords import topics

    return [Fact(FactKind.INTEREST, phrase, TOPIC_SOURCE, at, post.language)
            for phrase in topics(post.text, post.language, limit=2)]


def _keep_recent_topics(uow: SqlUnitOfWork, contact: Contact) -> None:
    topics = [f for f in uow.contacts.facts(contact.id) if f.source == TOPIC_SOURCE]
    for fact in topics[:-MAX_TOPICS]:  # facts come oldest first
        assert fact.id is not None
        uow.contacts.delete_fact(fact.id)


def _key(fact: Fact) -> tuple[str, str]:
    folded = unicodedata.normalize("NFKD", fact.text.casefold())
    return fact.kind.value, "".join(c for c in folded if not unicodedata.combining(c)).strip()
