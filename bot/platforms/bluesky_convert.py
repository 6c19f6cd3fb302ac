"""Bluesky records and views, turned into domain objects; and the pure helpers the adapter needs
to read them (cursors, record keys). The text of posts going out is `bluesky_text`'s.

Everything here is a function of its arguments: no network, no clock. `bluesky.py` does the calls.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from atproto_client import models
from atproto_client.exceptions import ModelError
from atproto_client.models.utils import get_or_create
from pydantic import ValidationError

from bot.domain.models import Interaction, InteractionKind, Person, Post
from bot.domain.validation import EARLIEST, LATEST
from bot.errors import InvalidInputError

POST_COLLECTION = "app.bsky.feed.post"

REASON_KINDS = {
    "mention": InteractionKind.MENTION,
    "reply": InteractionKind.REPLY,
    "quote": InteractionKind.QUOTE,
    "follow": InteractionKind.FOLLOW,
    "like": InteractionKind.LIKE,
    "repost": InteractionKind.REPOST,
}

Notification = models.AppBskyNotificationListNotifications.Notification


class UnreadableItemError(ValueError):
    """One item of a page could not be converted; the poll skips it and goes on."""


def parse_time(value: object) -> datetime:
    """A time in UTC. One without a zone or out of range is unreadable: compared with the
    watermark it would raise (naive against aware), or stop paging for good (year 9999)."""
    try:
        at = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        at = None
    if at is None:
        raise UnreadableItemError(f"bad timestamp {_shown(value)}")
    if at.utcoffset() is None:
        raise UnreadableItemError(f"timestamp without a time zone {_shown(value)}")
    try:
        in_range = EARLIEST <= at.astimezone(UTC) < LATEST
    except OverflowError:  # 0001-01-01T00:00+01:00: before year 1 once in UTC
        in_range = False
    if not in_range:
        raise UnreadableItemError(f"timestamp out of range {_shown(value)}")
    return at.astimezone(UTC)


def _shown(value: object) -> str:
    """A value for an error line: its repr (which escapes every control), cut short."""
    text = repr(value)
    return text if len(text) <= 80 else text[:79] + "…"


def post_url(uri: str) -> str | None:
    """The public web address; built on the DID, which survives handle changes."""
    parts = uri.removeprefix("at://").split("/")
    if len(parts) != 3 or parts[1] != POST_COLLECTION:
        return None
    return f"https://bsky.app/profile/{parts[0]}/post/{parts[2]}"


def person_from_profile(profile: Any) -> Person:
    """From any of the profile views (basic, plain, detailed): only the fields they share."""
    labels = getattr(profile, "labels", None) or []
    return Person(
        platform_id=profile.did,
        handle=profile.handle,
        name=_text_of(getattr(profile, "display_name", None)),
        # The basic view has no description: what a server puts there anyway is kept by the SDK
        # as an extra field, of whatever type it sent.
        bio=_text_of(getattr(profile, "description", None)),
        # An account that labels itself as automated says so about itself: trust it.
        bot=any(label.val == "bot" and label.src == profile.did for label in labels),
    )


def _text_of(value: object) -> str:
    return value if isinstance(value, str) else ""


def post_from_record(uri: str, record: Any) -> Post:
    if not isinstance(record, models.AppBskyFeedPost.Record):
        raise UnreadableItemError(f"{uri} is not a readable post record")
    reply = record.reply
    return Post(
        id=uri,
        text=record.text,
        language=record.langs[0] if record.langs else None,
        in_reply_to=reply.parent.uri if reply else None,
        thread=reply.root.uri if reply else None,
        url=post_url(uri),
    )


def interaction_from_notification(raw: dict[str, Any]) -> Interaction | None:
    """None for reasons rapport does not follow; UnreadableItemError for broken items."""
    notification = _parse(raw, Notification)
    kind = REASON_KINDS.get(notification.reason)
    if kind is None:
        return None
    post = post_from_record(notification.uri, notification.record) if kind.is_conversation else None
    return Interaction(
        id=notification.uri,
        kind=kind,
        at=parse_time(notification.indexed_at),
        person=person_from_profile(notification.author),
        post=post,
    )


def sent_interaction_from_feed_item(raw: dict[str, Any], own_did: str) -> Interaction | None:
    """Our own reply to somebody else, from our author feed; None for anything else."""
    item = _parse(raw, models.AppBskyFeedDefs.FeedViewPost)
    post = item.post
    if isinstance(item.reason, models.AppBskyFeedDefs.ReasonRepost) or post.author.did != own_did:
        return None  # a repost, or not ours
    parent = item.reply.parent if item.reply else None
    if not isinstance(parent, models.AppBskyFeedDefs.PostView):
        return None  # not a reply, or its parent is deleted or blocked: nobody to talk to
    if parent.author.did == own_did:
        return None  # a thread of our own
    return Interaction(
        id=post.uri,
        kind=InteractionKind.SENT,
        at=parse_time(post.indexed_at),
        person=person_from_profile(parent.author),
        post=post_from_record(post.uri, post.record),
    )


def _parse(raw: object, model: type) -> Any:
    if not isinstance(raw, dict):
        raise UnreadableItemError(f"unreadable {model.__name__}: not an object but {type(raw).__name__}")
    try:
        return get_or_create(raw, model)
    except (ModelError, ValueError, TypeError, RecursionError) as exc:
        raise UnreadableItemError(f"unreadable {model.__name__}: {_first_problem(exc)}") from None


def _first_problem(exc: Exception) -> str:
    """One log line: pydantic's first complaint (where: what), not its whole multi-line report."""
    report = exc.__cause__ if isinstance(exc.__cause__, ValidationError) else exc
    if isinstance(report, ValidationError) and report.errors():
        first, count = report.errors()[0], report.error_count()
        where = ".".join(str(part) for part in first["loc"]) or "item"
        text = f"{where}: {first['msg']}" + (f" (and {count - 1} more)" if count > 1 else "")
    else:
        text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:199] + "…"


def position(raw: object) -> tuple[datetime, str, str]:
    """Where a notification sits in the list: (indexed time, its text form, its uri)."""
    if not isinstance(raw, dict):
        raise UnreadableItemError("notification that is not an object")
    indexed_at, uri = raw.get("indexedAt"), raw.get("uri")
    if not isinstance(indexed_at, str) or not isinstance(uri, str):
        raise UnreadableItemError("notification without indexedAt or uri")
    return parse_time(indexed_at), indexed_at, uri


def read_back_page(
    items: list[Any], mark: Watermark | None, floor: datetime, window: list[Any], fresh: list[Any]
) -> bool:
    """Sort one page into the window (read back to the floor) and the fresh items; True at the floor."""
    for raw in items:
        try:
            at, at_text, uri = position(raw)
        except UnreadableItemError:
            fresh.append(raw)  # kept so that it is counted as skipped
            continue
        if at < floor:
            return True
        window.append((at, at_text, uri))
        if mark is None or not mark.has_seen(uri):
            fresh.append(raw)
    return False


def newest_time(items: list[Any], default: datetime) -> datetime:
    for raw in items:
        try:
            return position(raw)[0]
        except UnreadableItemError:
            continue
    return default


@dataclass(frozen=True)
class Watermark:
    """Where the last poll stopped: the newest notification time seen, and a short hash of every
    notification handed over within the overlap before it.

    The AppView sorts notifications by min(indexedAt, createdAt): a post indexed a few seconds
    late, or written on a phone whose clock is behind, lands below notifications already handed
    over. So each poll reads back over that overlap again and lets through only unseen hashes.
    Ties in time need nothing special either: the hashes tell equals apart.
    """

    newest: datetime
    newest_text: str
    seen: frozenset[str]

    def encode(self) -> str:
        return " ".join([self.newest_text, *sorted(self.seen)])

    @classmethod
    def decode(cls, cursor: str) -> Watermark:
        newest_text, *seen = cursor.split(" ")
        try:
            return cls(datetime.fromisoformat(newest_text), newest_text, frozenset(seen))
        except ValueError as exc:
            raise InvalidInputError(f"Not a Bluesky cursor: {cursor[:80]!r}") from exc

    def has_seen(self, uri: str) -> bool:
        return uri_hash(uri) in self.seen

    def after(self, window: list[tuple[datetime, str, str]], overlap: timedelta) -> Watermark:
        """The mark once `window` (everything read back to the old floor) is handed over."""
        newest, newest_text = self.newest, self.newest_text
        for at, at_text, _ in window:
            if at > newest:
                newest, newest_text = at, at_text
        floor = newest - overlap
        seen = frozenset(uri_hash(uri) for at, _, uri in window if at >= floor)
        return Watermark(newest, newest_text, seen)


def uri_hash(uri: str) -> str:
    """40 bits: collisions within one overlap window are out of reach, and cursors stay short."""
    return hashlib.sha256(uri.encode("utf-8")).hexdigest()[:10]


@dataclass(frozen=True)
class HistoryCursor:
    """Two page cursors walking back at once: notifications, and our own author feed."""

    notifications: str | None = None
    feed: str | None = None
    notifications_done: bool = False
    feed_done: bool = False

    def encode(self) -> str:
        return json.dumps([self.notifications, self.feed, self.notifications_done, self.feed_done])

    @classmethod
    def decode(cls, cursor: str | None) -> HistoryCursor:
        if not cursor:
            return cls()
        try:
            notifications, feed, notifications_done, feed_done = json.loads(cursor)
        except (ValueError, TypeError) as exc:
            raise InvalidInputError(f"Not a Bluesky history cursor: {cursor[:80]!r}") from exc
        return cls(notifications, feed, bool(notifications_done), bool(feed_done))


_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
_TID_EPOCH_MICROS = 946_684_800_000_000  # 2000-01-01: keeps derived keys in the past, never "from the future"


def tid_from_key(key: str) -> str:
    """A valid record key (TID syntax) that is always the same for the same idempotency key.

    The hash picks a time in 2000-2017 (49 bits) and a clock id (10 bits): 59 bits against
    collisions, and the top bit stays 0 as the TID syntax requires.
    """
    digest = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big")
    micros = _TID_EPOCH_MICROS + (digest >> 10) % (1 << 49)
    value = (micros << 10) | (digest & 0x3FF)
    chars = []
    for _ in range(13):
        chars.append(_TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def parse_profile(raw: dict[str, Any]) -> Any:
    return _parse(raw, models.AppBskyActorDefs.ProfileViewDetailed)


def parse_post_view(raw: dict[str, Any]) -> Any:
    return _parse(raw, models.AppBskyFeedDefs.PostView)


def reply_ref(parent_view: dict[str, Any]) -> models.AppBskyFeedPost.ReplyRef:
    """Strong refs (uri + cid) to the post answered and to its thread's root."""
    parent = parse_post_view(parent_view)
    parent_ref = models.ComAtprotoRepoStrongRef.Main(uri=parent.uri, cid=parent.cid)
    parent_reply = getattr(parent.record, "reply", None)
    root_ref = parent_reply.root if parent_reply else parent_ref
    return models.AppBskyFeedPost.ReplyRef(parent=parent_ref, root=root_ref)


def oldest_before(items: list[Any], since: datetime) -> bool:
    """Whether a page reached back past `since` (pages run from newest to oldest); items with
    no readable time do not count (they are skipped, and counted, where they are converted)."""
    times = []
    for item in items:
        try:
            times.append(parse_time(item.get("indexedAt") if isinstance(item, dict) else None))
        except UnreadableItemError:
            continue
    return bool(times) and min(times) < since
