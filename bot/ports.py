"""The seams of the application, as Protocols: anything with these methods fits.

Use cases depend on these, never on a concrete adapter, so tests pass hand-written fakes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from bot.domain.models import Batch, OutgoingReply, Person, PostedReply

if TYPE_CHECKING:
    from bot.domain.contacts import Contact
    from bot.domain.draft_context import DraftContext
    from bot.domain.drafts import ReplyTarget, Suggestion
    from bot.domain.judging import JudgeVerdict
    from bot.domain.memory import ContactMemory


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...


class PlatformClient(Protocol):
    """One account on one platform. Implementations convert SDK objects to domain objects.

    Cursors are opaque strings owned by the adapter; the caller persists each batch's cursor
    in the same transaction as the batch's interactions, so a crash loses nothing and a
    restart duplicates nothing.
    """

    platform: str
    # False when every interaction already carries the author's full profile, so that looking
    # profiles up again would only spend requests.
    needs_profile_lookups: bool

    def fetch_new(self, cursor: str | None) -> Batch:
        """Interactions after `cursor`, oldest first; call again while `batch.more`."""
        ...

    def fetch_history(self, cursor: str | None, since: datetime) -> Batch:
        """Older interactions for backfill (ours included), paging back to `since`."""
        ...

    def lookup_profile(self, person: Person) -> Person | None:
        """A fresher view of a person (bio, fields, bot flag), or None if unknown."""
        ...

    def post_reply(self, reply: OutgoingReply) -> PostedReply:
        """Post once. Calling again with the same idempotency key must not post twice."""
        ...

    def find_posted(self, reply: OutgoingReply) -> PostedReply | None:
        """The post an earlier attempt at `reply` left on the platform, or None. A timeout or a
        crash can hide a success; this is how the sender learns of it."""
        ...

    def backoff_until(self) -> datetime | None:
        """When the next call is wise again (rate limits), or None to poll on schedule."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class EarlierAttemptBlindSpots(Protocol):
    """A platform whose `find_posted` cannot see every earlier attempt: on some Mastodon-compatible
    servers a followers-only or direct post that answers nothing can be found nowhere."""

    def earlier_attempt_blind_spot(self, reply: OutgoingReply) -> str | None:
        """Why `find_posted` cannot rule out an earlier attempt at `reply`, or None when it can."""
        ...


@runtime_checkable
class ProfileBatches(Protocol):
    """A platform that looks many people up in one go: fewer requests than one lookup each, and
    none at all for a profile a notification already carried whole."""

    profiles_per_batch: int  # how many people one `lookup_many` call is given at most

    def lookup_many(self, people: Sequence[Person]) -> list[Person | None]:
        """As `lookup_profile` for each of `people`, in their order."""
        ...


PlatformFactory = Callable[..., PlatformClient]


class Drafter(Protocol):
    """Suggests reply texts. Its output is only a suggestion: the policy decides and a person approves."""

    name: str

    def suggest(
        self, contact: Contact, target: ReplyTarget | None, language: str | None, memory: ContactMemory,
    ) -> list[Suggestion]:
        """Replies to `target`, in `language`; with no target, a check-in that asks about them."""
        ...


@runtime_checkable
class ContextualDrafter(Drafter, Protocol):
    """A drafter that also reads the conversation around the message (the thread above it, the
    platform's length limit, the account holder's own words). Drafters without this get `suggest`."""

    def suggest_in_context(
        self, contact: Contact, target: ReplyTarget | None, language: str | None, memory: ContactMemory,
        context: DraftContext,
    ) -> list[Suggestion]:
        ...


class PitchJudge(Protocol):
    """A second opinion on whether an outgoing draft is a commercial pitch, asked when the rules
    pass a draft to someone below the pitch stage. Its verdict adds to the rules, never replaces them."""

    def judge(self, text: str, language: str | None) -> JudgeVerdict:
        """The verdict on `text`, written in `language` (None when unknown). Raises
        `JudgeUnavailableError` when no usable verdict came back, so the caller keeps its own."""
        ...


class SentenceEncoder(Protocol):
    """Turns texts into vectors of meaning, for models trained on the same encoder."""

    name: str  # a model trained on one encoder's vectors means nothing on another's

    def encode(self, texts: Sequence[str]) -> list[list[float]]:
        """One vector per text, in order."""
        ...


class LabelledNeighbours(Protocol):
    """Labelled examples found by meaning: for each vector, the share of its nearest labelled
    examples that are pitches. It lets the semantic model read "this is said the way offers are
    said" where one linear boundary through the encoder's space cannot."""

    encoder: str  # the encoder the examples were embedded with
    k: int  # how many neighbours each share counts

    def pitch_share(self, vectors: Sequence[Sequence[float]]) -> list[float]:
        """For each vector, the share (0 to 1) of its `k` nearest examples labelled pitch."""
        ...
