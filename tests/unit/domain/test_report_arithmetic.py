"""The report's arithmetic on plain records: weeks, draft outcomes, funnel columns."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

from bot.domain.report import ContactTimeline, DraftAction, conversations_per_week, draft_outcomes, funnel, report_since
from bot.domain.stage_history import StageChange
from bot.domain.stages import Stage

NOW = datetime(2026, 11, 26, 12, tzinfo=timezone.utc)  # Thursday


def test_the_period_starts_on_a_monday_and_holds_this_week_and_those_before() -> None:
    assert report_since(NOW, 1) == datetime(2026, 11, 23, tzinfo=timezone.utc)
    assert report_since(NOW, 3) == datetime(2026, 11, 9, tzinfo=timezone.utc)


def test_weeks_run_monday_to_sunday_and_empty_weeks_show_zero() -> None:
    started = [(datetime(2026, 11, 22, 23, 59, tzinfo=timezone.utc), True),  # Sunday: the week of 11-16
               (datetime(2026, 11, 23, 0, 0, tzinfo=timezone.utc), False),
               (datetime(2026, 11, 25, 8, 0, tzinfo=timezone.utc), True)]
    weeks = conversations_per_week(started, NOW, 3)
    assert [(w.start, w.conversations, w.reciprocal) for w in weeks] == [
        (date(2026, 11, 9), 0, 0), (date(2026, 11, 16), 1, 1), (date(2026, 11, 23), 2, 1)]


def test_a_draft_counts_once_by_what_a_person_last_did_with_it() -> None:
    t = NOW - timedelta(days=2)
    actions = [
        DraftAction("d1", t, "approved"),
        DraftAction("d2", t, "edited"), DraftAction("d2", t + timedelta(hours=1), "approved"),
        DraftAction("d3", t, "approved", edited_text=True),
        DraftAction("d4", t, "approved"), DraftAction("d4", t + timedelta(hours=1), "rejected"),
        DraftAction("d5", t, "edited"),  # edited, not decided yet: not counted
    ]
    blocked = [json.dumps({"rules": [{"code": "pitch_stage", "outcome": "block"},
                                     {"code": "quiet_hours", "outcome": "defer"},
                                     {"code": "nobot", "outcome": "allow"}]})]
    outcomes = draft_outcomes(actions, blocked)
    assert (outcomes.approved, outcomes.edited, outcomes.rejected, outcomes.blocked) == (1, 2, 1, 1)
    assert outcomes.blocked_by_reason == {"pitch_stage": 1}


def test_the_funnel_counts_people_only_from_when_they_were_known() -> None:
    early = ContactTimeline(NOW - timedelta(days=100), Stage.ACQUAINTANCE, (
        StageChange(NOW - timedelta(days=100), Stage.AUDIENCE, Stage.FIRST_CONTACT, "message"),
        StageChange(NOW - timedelta(days=10), Stage.FIRST_CONTACT, Stage.ACQUAINTANCE, "message")))
    late = ContactTimeline(NOW - timedelta(days=40), Stage.AUDIENCE)
    columns = funnel([early, late], NOW)
    assert [(c.days_ago, c.counts[Stage.AUDIENCE], c.counts[Stage.FIRST_CONTACT], c.counts[Stage.ACQUAINTANCE])
            for c in columns] == [(0, 1, 0, 1), (30, 1, 1, 0), (90, 0, 1, 0)]
