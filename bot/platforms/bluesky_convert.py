"""Bluesky records and views, turned into domain objects; and the pure helpers the adapter needs.

Everything here is a function of its arguments: no network, no clock. `bluesky.py` does the calls.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import regex
from atproto_client import models
from atproto_client.exceptions import ModelError, RateLimitExceededError, RequestErrorBase
from atproto_client.models.common import XrpcError
from atproto_client.models.utils import get_or_create
from atproto_client.utils import facet_detection
from atproto_core.exceptions import AtProtocolError

from bot.domain.models import Interaction, InteractionKind, OutgoingReply, Person, Post, Visibility
from bot.errors import (
    AuthFailedError,
    InvalidInputError,
    PlatformError,
    RateLimitedError,
    RemoteNotFoundError,
    RemoteRejectedError,
    TransientError,
)

MAX_GRAPHEMES = 300
MAX_POST_BYTES = 3000  # the lexicon's second limit: 300 emoji sequences can exceed it
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


def check_length(text: str) -> None:
    """Refuse a text Bluesky would refuse, before anyone approves it: never truncate."""
    if not text.strip():
        raise InvalidInputError("A Bluesky post cannot be empty.")
    graphemes = len(regex.findall(r"\X", text))
    if graphemes > MAX_GRAPHEMES:
        raise InvalidInputError(
            f"Bluesky posts are limited to {MAX_GRAPHEMES} characters; this text has {graphemes}. "
            "Shorten it: rapport never truncates."
        )
    if len(text.encode("utf-8")) > MAX_POST_BYTES:
        raise InvalidInputError(
            f"Bluesky posts are limited to {MAX_POST_BYTES} bytes of UTF-8; shorten this text "
            "(emoji sequences count for many bytes)."
        )


def parse_time(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise UnreadableItemError(f"bad timestamp {value!r}") from exc


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
        name=getattr(profile, "display_name", None) or "",
        bio=getattr(profile, "description", None) or "",
        # An account that labels itself as automated says so about itself: trust it.
        bot=any(label.val == "bot" and label.src == profile.did for label in labels),
    )


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


def _parse(raw: dict[str, Any], model: type) -> Any:
    try:
        return get_or_create(raw, model)
    except (ModelError, ValueError, TypeError) as exc:
        raise UnreadableItemError(f"unreadable {model.__name__}: {str(exc)[:200]}") from exc


def position(raw: dict[str, Any]) -> tuple[datetime, str, str]:
    """Where a notification sits in the list: (indexed time, its text form, its uri)."""
    indexed_at, uri = raw.get("indexedAt"), raw.get("uri")
    if not isinstance(indexed_at, str) or not isinstance(uri, str):
        raise UnreadableItemError("notification without indexedAt or uri")
    return parse_time(indexed_at), indexed_at, uri


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


def mentioned_handles(text: str) -> list[str]:
    return [match.handle.lower() for match in facet_detection.detect_mentions(text)]


def with_mentions(text: str, handles: tuple[str, ...]) -> str:
    """The text starting with `@handle` for each person to notify it does not mention yet: the
    facet built from it is what notifies them, as on Mastodon where the adapter does the same."""
    present = set(mentioned_handles(text))
    missing = [h.lstrip("@") for h in handles if h.lstrip("@").lower() not in present]
    return " ".join(f"@{h}" for h in missing) + (" " if missing else "") + text


def build_facets(text: str, dids: dict[str, str]) -> list[models.AppBskyRichtextFacet.Main]:
    """Links, tags, and a mention facet for each `@handle` whose DID is known.

    Offsets are UTF-8 byte offsets, as the lexicon requires: an accent or an emoji before a
    mention moves it by more bytes than characters.
    """
    facets = list(facet_detection.detect_facets(text))
    for match in facet_detection.detect_mentions(text):
        did = dids.get(match.handle.lower())
        if did:
            facets.append(
                models.AppBskyRichtextFacet.Main(
                    features=[models.AppBskyRichtextFacet.Mention(did=did)],
                    index=models.AppBskyRichtextFacet.ByteSlice(
                        byte_start=match.byte_start, byte_end=match.byte_end
                    ),
                )
            )
    return sorted(facets, key=lambda facet: facet.index.byte_start)


def parse_profile(raw: dict[str, Any]) -> Any:
    return _parse(raw, models.AppBskyActorDefs.ProfileViewDetailed)


def parse_post_view(raw: dict[str, Any]) -> Any:
    return _parse(raw, models.AppBskyFeedDefs.PostView)


def check_sendable(reply: OutgoingReply) -> None:
    check_length(reply.text)
    if reply.visibility is not Visibility.PUBLIC:
        raise InvalidInputError(
            f"Bluesky posts are always public; this reply is meant to be {reply.visibility.value}."
        )
    if reply.spoiler_text:
        raise InvalidInputError("Bluesky has no content warnings; remove the spoiler text to post there.")


def oldest_before(items: list[Any], since: datetime) -> bool:
    """Whether a page reached back past `since` (pages run from newest to oldest)."""
    times = [parse_time(item["indexedAt"]) for item in items if isinstance(item.get("indexedAt"), str)]
    return bool(times) and min(times) < since


_AUTH_ERRORS = {"ExpiredToken", "InvalidToken", "AuthenticationRequired", "AuthMissing"}
_NOT_FOUND_ERRORS = {"RecordNotFound", "NotFound", "ProfileNotFound", "AccountDeactivated", "AccountTakedown"}


def _error_name(exc: AtProtocolError) -> str | None:
    response = exc.response if isinstance(exc, RequestErrorBase) else None
    content = response.content if response is not None else None
    return content.error if isinstance(content, XrpcError) else None


def status_of(exc: AtProtocolError) -> int | None:
    response = exc.response if isinstance(exc, RequestErrorBase) else None
    return response.status_code if response is not None else None


def is_auth_error(exc: AtProtocolError) -> bool:
    return status_of(exc) == 401 or _error_name(exc) in _AUTH_ERRORS


def platform_error(exc: AtProtocolError, what: str) -> PlatformError:
    """The project's error for an SDK error; the message names the call, never a token."""
    status, message = status_of(exc), f"Bluesky: {what} failed: {str(exc)[:300] or type(exc).__name__}"
    if isinstance(exc, RateLimitExceededError) or status == 429:
        reset_at = exc.reset_at if isinstance(exc, RateLimitExceededError) else None
        return RateLimitedError(message, reset_at)
    if is_auth_error(exc) or status == 403:
        return AuthFailedError(message)
    if not isinstance(exc, RequestErrorBase) or status is None or status >= 500:
        return TransientError(message)  # timeouts, refused connections, 5xx
    if status == 404 or _error_name(exc) in _NOT_FOUND_ERRORS:
        return RemoteNotFoundError(message)
    return RemoteRejectedError(message)
