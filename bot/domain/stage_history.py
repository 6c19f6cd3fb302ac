"""Stage history: when a contact moved along the ladder and why, and where they stood at a date.

The live path records one change whenever a recomputed stage differs from the stored one. The
replay rebuilds the same history from stored events, once, for stores older than the record.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum

from bot.domain.stages import RelationshipCounters, Stage, StageAssessment, StageThresholds, assess_stage


class Cause(str, Enum):
    MESSAGE = "message"  # a message in or out changed the counters
    FACT = "fact"  # something learnt about the person (a note, a profile)
    TRUSTED = "trusted"
    UNTRUSTED = "untrusted"


REPLAY_PREFIX = "replay:"  # causes written by the one-off replay of older stores


@dataclass(frozen=True)
class StageChange:
    at: datetime
    from_stage: Stage
    to_stage: Stage
    cause: str
    reason: str = ""


def change_between(before: Stage, after: StageAssessment, at: datetime, cause: str) -> StageChange | None:
    """The change to record when a contact at `before` is placed at `after`, or None."""
    if before is after.stage:
        return None
    return StageChange(at, before, after.stage, cause, after.why)


def stage_at(changes: Sequence[StageChange], moment: datetime) -> Stage:
    """Where a contact stood at `moment`: the last change by then (in order), else audience."""
    stage = Stage.AUDIENCE
    for change in changes:
        if change.at <= moment:
            stage = change.to_stage
    return stage


@dataclass(frozen=True)
class HistoryEvent:
    """One stored event that can move a contact: a message, a fact learnt, a trust decision."""

    at: datetime
    cause: Cause
    thread: str | None = None  # messages only
    inbound: bool = False  # messages only: written by the contact


# Within one instant, facts count before the message that taught them (ingestion stores a
# message's facts first), and a person's decision comes last.
_ORDER = {Cause.FACT: 0, Cause.MESSAGE: 1, Cause.TRUSTED: 2, Cause.UNTRUSTED: 2}


@dataclass
class _Thread:
    started_on: str
    inbound: int = 0
    outbound: int = 0


def replay_stages(events: Iterable[HistoryEvent], thresholds: StageThresholds) -> list[StageChange]:
    """Every stage change these events produce, in time order, counted as ingestion counts them."""
    counters = RelationshipCounters()
    threads: dict[str, _Thread] = {}
    stage = Stage.AUDIENCE
    changes: list[StageChange] = []
    for event in sorted(events, key=lambda e: (e.at, _ORDER[e.cause])):
        if event.cause is Cause.FACT:
            counters = replace(counters, known_facts=counters.known_facts + 1)
        elif event.cause in (Cause.TRUSTED, Cause.UNTRUSTED):
            counters = replace(counters, trusted=event.cause is Cause.TRUSTED)
        else:
            counters = _count_message(counters, threads, event)
        assessment = assess_stage(counters, thresholds)
        change = change_between(stage, assessment, event.at, REPLAY_PREFIX + event.cause.value)
        if change is not None:
            changes.append(change)
            stage = change.to_stage
    return changes


def _count_message(counters: RelationshipCounters, threads: dict[str, _Thread], event: HistoryEvent) -> RelationshipCounters:
    """What one message does to the counters (as ContactRepository.record_message counts it)."""
    key = event.thread or ""
    thread = threads.get(key)
    new_conversation = new_day = became_reciprocal = False
    if thread is None:
        thread = threads[key] = _Thread(started_on=event.at.date().isoformat())
        new_conversation = event.inbound
        new_day = event.inbound and not any(
            t.inbound and t.started_on == thread.started_on for k, t in threads.items() if k != key
        )
    else:
        was_reciprocal = thread.inbound > 0 and thread.outbound > 0
        new_conversation = event.inbound and thread.inbound == 0
        new_day = new_conversation and not any(
            t.inbound and t.started_on == thread.started_on for k, t in threads.items() if k != key
        )
        now_reciprocal = (thread.inbound + event.inbound > 0) and (thread.outbound + (not event.inbound) > 0)
        became_reciprocal = now_reciprocal and not was_reciprocal
    thread.inbound += int(event.inbound)
    thread.outbound += int(not event.inbound)
    at = event.at
    return replace(
        counters,
        conversations=counters.conversations + new_conversation,
        conversation_days=counters.conversation_days + new_day,
        reciprocal_conversations=counters.reciprocal_conversations + became_reciprocal,
        first_conversation_at=min(counters.first_conversation_at or at, at),
        last_conversation_at=max(counters.last_conversation_at or at, at),
    )
