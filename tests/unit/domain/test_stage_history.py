"""Stage history as pure functions: the replay counts as ingestion counts, and a date's stage."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.domain.stage_history import Cause, HistoryEvent, StageChange, replay_stages, stage_at
from bot.domain.stages import Stage, StageThresholds

T0 = datetime(2026, 5, 1, 10, tzinfo=timezone.utc)


def message(days: float, thread: str, inbound: bool = True) -> HistoryEvent:
    return HistoryEvent(T0 + timedelta(days=days), Cause.MESSAGE, thread, inbound)


def stages(events: list[HistoryEvent]) -> list[tuple[float, Stage]]:
    return [((c.at - T0).total_seconds() / 86400, c.to_stage) for c in replay_stages(events, StageThresholds())]


def test_our_own_messages_alone_leave_a_person_in_the_audience() -> None:
    assert stages([message(0, "t1", inbound=False), message(1, "t2", inbound=False)]) == []


def test_two_conversations_on_one_day_are_a_first_contact_and_on_two_days_an_acquaintance() -> None:
    assert stages([message(0, "t1"), message(0.1, "t2")]) == [(0, Stage.FIRST_CONTACT)]
    assert stages([message(0, "t1"), message(1, "t2")]) == [(0, Stage.FIRST_CONTACT), (1, Stage.ACQUAINTANCE)]


def test_a_thread_we_started_counts_from_the_day_it_began_when_they_answer() -> None:
    # Both threads began on day 0; their answer on day 1 adds no second day.
    events = [message(0, "t1"), message(0.2, "t2", inbound=False), message(1, "t2")]
    assert stages(events) == [(0, Stage.FIRST_CONTACT)]


def test_a_relationship_needs_reciprocal_talk_over_time_and_known_facts_in_any_order() -> None:
    events = [HistoryEvent(T0 - timedelta(days=1), Cause.FACT), HistoryEvent(T0 - timedelta(days=1), Cause.FACT)]
    for n, day in enumerate((0, 2, 10, 20, 31)):
        events += [message(day, f"t{n}"), message(day + 0.01, f"t{n}", inbound=False)]
    assert stages(list(reversed(events)))[-1] == (31.01, Stage.RELATIONSHIP)


def test_trust_and_its_withdrawal_are_steps_of_their_own() -> None:
    events = [message(0, "t1"), HistoryEvent(T0 + timedelta(days=2), Cause.TRUSTED),
              HistoryEvent(T0 + timedelta(days=3), Cause.UNTRUSTED)]
    changes = replay_stages(events, StageThresholds())
    assert [(c.from_stage, c.to_stage, c.cause) for c in changes] == [
        (Stage.AUDIENCE, Stage.FIRST_CONTACT, "replay:message"), (Stage.FIRST_CONTACT, Stage.TRUSTED, "replay:trusted"),
        (Stage.TRUSTED, Stage.FIRST_CONTACT, "replay:untrusted"),
    ]


def test_the_stage_at_a_date_is_the_last_change_by_then() -> None:
    changes = [StageChange(T0, Stage.AUDIENCE, Stage.FIRST_CONTACT, "message"),
               StageChange(T0 + timedelta(days=5), Stage.FIRST_CONTACT, Stage.ACQUAINTANCE, "message")]
    assert stage_at(changes, T0 - timedelta(seconds=1)) is Stage.AUDIENCE
    assert stage_at(changes, T0) is Stage.FIRST_CONTACT
    assert stage_at(changes, T0 + timedelta(days=4)) is Stage.FIRST_CONTACT
    assert stage_at(changes, T0 + timedelta(days=30)) is Stage.ACQUAINTANCE
