"""The things rapport reasons about: people, their messages, and the replies it drafts.

Plain frozen dataclasses. Platform adapters build these at the boundary; nothing here knows
about an SDK, a database or a clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum


class InteractionKind(str, Enum):
    MENTION = "mention"
    REPLY = "reply"
    QUOTE = "quote"
    FOLLOW = "follow"
    LIKE = "like"
    REPOST = "repost"
    SENT = "sent"  # a message this account posted (history or a reply rapport sent)

    @property
    def is_conversation(self) -> bool:
        """Mentions, replies, quotes and our own messages are talk; the rest are signals."""
        return self in _CONVERSATION_KINDS

    @property
    def is_signal(self) -> bool:
        return not self.is_conversation


_CONVERSATION_KINDS = frozenset(
    {InteractionKind.MENTION, InteractionKind.REPLY, InteractionKind.QUOTE, InteractionKind.SENT}
)


class Direction(str, Enum):
    INBOUND = "in"
    OUTBOUND = "out"


class Visibility(str, Enum):
    """From most to least public. Bluesky only knows `public`."""

    PUBLIC = "public"
    UNLISTED = "unlisted"
    PRIVATE = "private"  # followers only
    DIRECT = "direct"

    @property
    def rank(self) -> int:
        return _VISIBILITY_ORDER.index(self)

    def at_most(self, other: Visibility) -> Visibility:
        """The narrower of the two: a reply is never more public than what it answers."""
        return self if self.rank >= other.rank else other


_VISIBILITY_ORDER = [Visibility.PUBLIC, Visibility.UNLISTED, Visibility.PRIVATE, Visibility.DIRECT]


@dataclass(frozen=True)
class Person:
    """Somebody on a platform, as that platform describes them."""

    platform_id: str | None
    handle: str
    name: str = ""
    bio: str = ""
    bot: bool = False
    fields: tuple[tuple[str, str], ...] = ()
    note: str = ""  # a private note the account's owner wrote about them on the platform


@dataclass(frozen=True)
class Post:
    id: str
    text: str
    language: str | None = None
    visibility: Visibility = Visibility.PUBLIC
    in_reply_to: str | None = None
    thread: str | None = None  # the root of the thread; a post that starts one is its own thread
    url: str | None = None
    spoiler_text: str = ""

    @property
    def thread_id(self) -> str:
        return self.thread or self.id


@dataclass(frozen=True)
class Interaction:
    """One event between the account and a person: a message either way, or a signal.

    `person` is the other side: the author of an inbound event, the addressee of a `sent` one.
    """

    id: str
    kind: InteractionKind
    at: datetime
    person: Person
    post: Post | None = None

    @property
    def direction(self) -> Direction:
        return Direction.OUTBOUND if self.kind is InteractionKind.SENT else Direction.INBOUND


@dataclass(frozen=True)
class Batch:
    """What one call to a platform returned, and where to resume after it."""

    interactions: tuple[Interaction, ...]
    cursor: str | None
    more: bool = False
    skipped: int = 0  # items the adapter could not read; logged there, counted here


@dataclass(frozen=True)
class OutgoingReply:
    """A reply a person approved, ready for a platform to post."""

    draft_id: str
    account: str
    text: str
    in_reply_to: str
    thread: str | None
    to: tuple[str, ...]  # handles to notify
    visibility: Visibility
    language: str | None
    idempotency_key: str
    spoiler_text: str = ""
    recipient_ids: tuple[str, ...] = field(default=())
    # When the draft was written: no attempt at posting it can be older, so a search for an
    # earlier attempt can stop there.
    drafted_at: datetime | None = None


@dataclass(frozen=True)
class PostedReply:
    post_id: str
    url: str | None = None
    already_posted: bool = False  # found on the platform from an earlier attempt


@dataclass(frozen=True)
class StoredInteraction:
    """An interaction as the store keeps it: with its row id, its contact and what became of it."""

    id: int
    account: str
    contact_id: int
    interaction: Interaction
    category: str | None = None
    # none (a signal or ours), pending, drafting:<minute> (claimed by a drafter), drafted, skipped
    draft_state: str = "none"

