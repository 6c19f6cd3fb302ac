"""Reply drafts and the only ways their status may change.

pending -> approved -> sending -> sent, with rejected, blocked, failed and expired on the side.
Nothing reaches `sending` without passing through `approved`, which only a person can give.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum

from bot.domain.decisions import Decision
from bot.domain.models import Visibility
from bot.errors import InvalidTransitionError


class DraftStatus(str, Enum):
    PENDING = "pending"
    APPROVED = "approved"
    SENDING = "sending"
    SENT = "sent"
    REJECTED = "rejected"
    BLOCKED = "blocked"
    FAILED = "failed"
    EXPIRED = "expired"


_ALLOWED: dict[DraftStatus, frozenset[DraftStatus]] = {
    DraftStatus.PENDING: frozenset(
        {DraftStatus.APPROVED, DraftStatus.REJECTED, DraftStatus.BLOCKED, DraftStatus.EXPIRED,
         DraftStatus.PENDING}
    ),
    # A blocked draft may be edited into something allowed, or rejected.
    DraftStatus.BLOCKED: frozenset(
        {DraftStatus.APPROVED, DraftStatus.REJECTED, DraftStatus.BLOCKED, DraftStatus.PENDING,
         DraftStatus.EXPIRED}
    ),
    # Approval can be withdrawn, re-checked into a block, or expire before sending starts.
    DraftStatus.APPROVED: frozenset(
        {DraftStatus.SENDING, DraftStatus.REJECTED, DraftStatus.BLOCKED, DraftStatus.EXPIRED,
         DraftStatus.APPROVED, DraftStatus.PENDING}
    ),
    # In flight: it is posted, fails, goes back to approved to be retried, or the check
    # right before posting blocks it.
    DraftStatus.SENDING: frozenset(
        {DraftStatus.SENT, DraftStatus.FAILED, DraftStatus.APPROVED, DraftStatus.EXPIRED,
         DraftStatus.BLOCKED, DraftStatus.SENDING}
    ),
    DraftStatus.FAILED: frozenset({DraftStatus.APPROVED, DraftStatus.REJECTED}),
    DraftStatus.SENT: frozenset(),
    DraftStatus.REJECTED: frozenset(),
    DraftStatus.EXPIRED: frozenset(),
}

EDITABLE = frozenset({DraftStatus.PENDING, DraftStatus.BLOCKED, DraftStatus.APPROVED, DraftStatus.FAILED})


def can_transition(current: DraftStatus, target: DraftStatus) -> bool:
    return target in _ALLOWED[current]


@dataclass(frozen=True)
class ReplyTarget:
    """The message a draft answers, as shown to the person approving it."""

    interaction_id: int
    post_id: str
    text: str
    thread: str | None
    visibility: str
    url: str | None = None
    spoiler_text: str = ""
    kind: str = "mention"
    category: str | None = None
    at: datetime | None = None  # when they wrote it

    def is_later_than(self, other: ReplyTarget) -> bool:
        """Written after `other` (the store's order breaks a tie in time)."""
        if self.at is None or other.at is None or self.at == other.at:
            return self.interaction_id > other.interaction_id
        return self.at > other.at


@dataclass(frozen=True)
class Draft:
    id: str
    account: str
    platform: str
    contact_id: int
    contact_handle: str
    target: ReplyTarget | None
    text: str
    language: str | None
    status: DraftStatus
    decision: Decision
    created_at: datetime
    updated_at: datetime
    visibility: str = "public"
    sent_post_id: str | None = None
    sent_at: datetime | None = None
    not_before: datetime | None = None
    attempts: int = 0
    last_error: str | None = None
    note: str | None = None  # why it was rejected, failed or expired
    pitch: bool = False
    contact_stage: str | None = None  # where the contact stands now (read-only, from the store)
    kind: str = "reply"  # reply, checkin (asks about them), announcement (no message answered)
    origin: str = "template"  # the drafter that wrote it
    origin_note: str | None = None  # e.g. why the LLM was not used
    # Earlier messages from the same person folded into this draft (their stored ids): it
    # answers only the latest, `target`, and shows these to the person approving it.
    folded: tuple[int, ...] = ()
    announcement: str | None = None  # the announcement it carries (kind "announcement")

    @property
    def reply_visibility(self) -> Visibility:
        """The visibility it goes out with: its own, never more public than the message answered."""
        answered = Visibility(self.target.visibility) if self.target else Visibility.PUBLIC
        return Visibility(self.visibility).at_most(answered)

    @property
    def written_by(self) -> str:
        """The drafter, and why it stood in for another: "template (model failed: timeout after 30 s)"."""
        return f"{self.origin} ({self.origin_note})" if self.origin_note else self.origin

    @property
    def spoiler_text(self) -> str:
        """The content warning it goes out under: the one of the message it answers."""
        return self.target.spoiler_text if self.target else ""

    @property
    def recipients(self) -> tuple[str, ...]:
        """The handles it names, so that they are notified: each adapter starts the text with
        `@handle` for every one the text does not name yet."""
        return (self.contact_handle,)

    @property
    def idempotency_key(self) -> str:
        """Stable for the life of the draft, so every attempt to post it is the same request."""
        return f"rapport-{self.id}"

    def moved_to(self, status: DraftStatus, now: datetime, **changes: object) -> Draft:
        if not can_transition(self.status, status):
            raise InvalidTransitionError(
                f"draft {self.id} is {self.status.value}; it cannot become {status.value}"
            )
        return replace(self, status=status, updated_at=now, **changes)


@dataclass(frozen=True)
class Suggestion:
    """A reply text a drafter proposes, and where it came from."""

    text: str
    origin: str  # the drafter: "template", "openai:<model>"
    note: str | None = None  # e.g. "openai failed (timeout); template used instead"


_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_draft_id(now_ms: int | None = None) -> str:
    """`d_` and a ULID: sortable by creation time, unique without coordination between replicas."""
    return new_ulid("d_", now_ms)


def new_ulid(prefix: str, now_ms: int | None = None) -> str:
    """`prefix` and a ULID (48 bits of milliseconds, 80 random bits) in Crockford's base 32."""
    millis = int(time.time() * 1000) if now_ms is None else now_ms
    value = (millis << 80) | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return prefix + "".join(reversed(chars))
