"""What an incoming interaction must be before it is stored: one check at the ingest boundary.

Adapters turn platform data into domain objects; this decides whether such an object may be
kept, whichever adapter built it. It cleans what no backend stores alike (NUL, which PostgreSQL
refuses and SQLite keeps; lone surrogates, which neither can encode) out of free text, and
refuses what would break storage or mislead a person: ids and handles too long for their
columns, identifiers carrying control, format or bidirectional characters (a handle with U+202E
reads backwards, one with U+200B looks like another), and times outside a sane range.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import datetime, timezone

from bot.domain.handles import handle_key
from bot.domain.models import Interaction, InteractionKind, Person, Post
from bot.errors import InvalidRecordError

MAX_ID = 512  # the store's event, post, reply and thread id columns
MAX_HANDLE = 255  # the store's handle, handle key and platform id columns
MAX_LANGUAGE = 16
# No platform predates 1970, and a time before the epoch is a zeroed field, not history. The
# upper bound is far from datetime.max, so that adding any configured period, or moving to any
# time zone, can never overflow.
EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(3000, 1, 1, tzinfo=timezone.utc)

# Unicode categories never part of an identifier: controls (C0, DEL, C1), format characters
# (bidi marks, embeddings, overrides and isolates, zero-width characters), surrogates, and
# the line and paragraph separators.
_NOT_IN_IDENTIFIERS = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*")


def validate_interaction(interaction: Interaction) -> Interaction:
    """The interaction as it may be stored; InvalidRecordError says what is wrong with it."""
    if not isinstance(interaction.kind, InteractionKind):
        raise InvalidRecordError(f"unknown kind {interaction.kind!r}")
    _check_identifier(interaction.id, "id", MAX_ID)
    at = _checked_time(interaction.at)
    person = validate_person(interaction.person)
    post = None if interaction.post is None else _checked_post(interaction.post)
    return replace(interaction, at=at, person=person, post=post)


def clean_text(text: str) -> str:
    """Free text as every backend stores it alike: no NUL, no lone surrogate (shown as U+FFFD)."""
    return _LONE_SURROGATE.sub("\ufffd", text.replace("\x00", ""))


def _checked_time(at: object) -> datetime:
    if not isinstance(at, datetime):
        raise InvalidRecordError("the time is not a date and time")
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidRecordError(f"the time {at.isoformat()} has no time zone")
    try:
        utc = at.astimezone(timezone.utc)
    except OverflowError:
        raise InvalidRecordError(f"the time {at.isoformat()} is out of range") from None
    if not EARLIEST <= utc < LATEST:
        raise InvalidRecordError(
            f"the time {at.isoformat()} is out of range ({EARLIEST.year} to {LATEST.year})")
    return utc


def validate_person(person: Person) -> Person:
    """A person as they may be stored (from an interaction, or a profile looked up on its own)."""
    _check_identifier(person.handle, "handle", MAX_HANDLE)
    if len(handle_key(person.handle)) > MAX_HANDLE:
        raise InvalidRecordError(f"handle is longer than {MAX_HANDLE} characters once case-folded")
    if person.platform_id is not None:
        _check_identifier(person.platform_id, "author id", MAX_HANDLE)
    return replace(
        person, name=_free_text(person.name, "name"), bio=_free_text(person.bio, "bio"),
        note=_free_text(person.note, "note"),
        fields=tuple((_free_text(k, "field name"), _free_text(v, "field value")) for k, v in person.fields),
    )


def _checked_post(post: Post) -> Post:
    _check_identifier(post.id, "post id", MAX_ID)
    for value, what in ((post.in_reply_to, "in_reply_to"), (post.thread, "thread")):
        if value is not None:
            _check_identifier(value, what, MAX_ID)
    return replace(
        post, text=_free_text(post.text, "text"), spoiler_text=_free_text(post.spoiler_text, "spoiler text"),
        url=None if post.url is None else _free_text(post.url, "url"),
        language=_language(post.language),
    )


def _check_identifier(value: object, what: str, limit: int) -> None:
    if not isinstance(value, str):
        raise InvalidRecordError(f"{what} is not text")
    if not value.strip():
        raise InvalidRecordError(f"{what} is empty")
    if len(value) > limit:
        raise InvalidRecordError(f"{what} is {len(value)} characters long (at most {limit})")
    for char in value:
        if unicodedata.category(char) in _NOT_IN_IDENTIFIERS:
            raise InvalidRecordError(f"{what} contains a control or bidi character (U+{ord(char):04X})")


def _free_text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise InvalidRecordError(f"{what} is not text")
    return clean_text(value)


def _language(value: str | None) -> str | None:
    """A language tag is a hint: one that is not a tag, or too long to store, means unknown."""
    if isinstance(value, str) and len(value) <= MAX_LANGUAGE and _LANGUAGE.fullmatch(value):
        return value
    return None
