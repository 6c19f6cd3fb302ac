"""Where a relationship stands, computed from counters kept up to date at ingestion.

A follower is audience; one conversation is a first contact, not a relationship. A relationship
needs reciprocal conversations over time and real knowledge of the person. Only a person can
make a contact `trusted`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum


class Stage(str, Enum):
    AUDIENCE = "audience"
    FIRST_CONTACT = "first_contact"
    ACQUAINTANCE = "acquaintance"
    RELATIONSHIP = "relationship"
    TRUSTED = "trusted"

    @property
    def rank(self) -> int:
        return list(Stage).index(self)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Stage):
            raise TypeError(f"cannot order a Stage against {type(other).__name__}")
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Stage):
            raise TypeError(f"cannot order a Stage against {type(other).__name__}")
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Stage):
            raise TypeError(f"cannot order a Stage against {type(other).__name__}")
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Stage):
            raise TypeError(f"cannot order a Stage against {type(other).__name__}")
        return self.rank >= other.rank


@dataclass(frozen=True)
class StageThresholds:
    acquaintance_conversations: int = 2
    acquaintance_days: int = 2  # distinct days on which those conversations happened
    relationship_conversations: int = 5  # reciprocal: both sides wrote
    relationship_span_days: int = 30
    relationship_facts: int = 2


@dataclass(frozen=True)
class RelationshipCounters:
    """What ingestion keeps per contact; enough to place them without rescanning history."""

    conversations: int = 0  # threads with at least one message from them
    conversation_days: int = 0  # distinct days those conversations started on
    reciprocal_conversations: int = 0
    first_conversation_at: datetime | None = None
    last_conversation_at: datetime | None = None
    known_facts: int = 0
    trusted: bool = False

    @property
    def span(self) -> timedelta:
        if self.first_conversation_at is None or self.last_conversation_at is None:
            return timedelta(0)
        return self.last_conversation_at - self.first_conversation_at


@dataclass(frozen=True)
class StageAssessment:
    stage: Stage
    why: str


def assess_stage(counters: RelationshipCounters, thresholds: StageThresholds) -> StageAssessment:
    """Place a contact on the ladder and say why, in words a person can check."""
    c, t = counters, thresholds
    if c.trusted:
        return StageAssessment(Stage.TRUSTED, "marked trusted by a person")
    if (
        c.reciprocal_conversations >= t.relationship_conversations
        and c.span >= timedelta(days=t.relationship_span_days)
        and c.known_facts >= t.relationship_facts
    ):
        return StageAssessment(
            Stage.RELATIONSHIP,
            f"{c.reciprocal_conversations} reciprocal conversations over {c.span.days} days"
            f" and {c.known_facts} known facts",
        )
    if c.conversations >= t.acquaintance_conversations and c.conversation_days >= t.acquaintance_days:
        return StageAssessment(
            Stage.ACQUAINTANCE,
            f"{c.conversations} conversations on {c.conversation_days} different days;"
            f" a relationship needs {t.relationship_conversations} reciprocal ones over"
            f" {t.relationship_span_days} days and {t.relationship_facts} known facts",
        )
    if c.conversations >= 1:
        return StageAssessment(
            Stage.FIRST_CONTACT,
            f"{c.conversations} conversation(s) so far: a conversation, not yet a relationship",
        )
    return StageAssessment(Stage.AUDIENCE, "follows, likes or reposts only, or nothing yet")
