"""The picture of the network: the figures of `rapport report`, computed from plain records.

Pure functions over what the store hands over, so that a hand-computed fixture can pin every one.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.domain.announcements import Announcement, AnnouncementResults
from bot.domain.stage_history import StageChange, stage_at
from bot.domain.stages import Stage

FUNNEL_DAYS_AGO = (0, 30, 90)
COLD_STAGES = (Stage.ACQUAINTANCE, Stage.RELATIONSHIP, Stage.TRUSTED)


@dataclass(frozen=True)
class ContactTimeline:
    """One contact as the funnel needs them: since when they are known, and how they moved."""

    since: datetime  # their first stored interaction (or first sighting)
    stage_now: Stage
    changes: tuple[StageChange, ...] = ()


@dataclass(frozen=True)
class FunnelColumn:
    days_ago: int
    at: datetime
    counts: dict[Stage, int]


def funnel(timelines: Sequence[ContactTimeline], now: datetime, days_ago: Iterable[int] = FUNNEL_DAYS_AGO) -> list[FunnelColumn]:
    """How many contacts stood at each stage now and some days ago; now is the stored stage,
    before it the recorded history (a contact not yet known then is not counted)."""
    columns = []
    for days in days_ago:
        moment = now - timedelta(days=days)
        counts = {stage: 0 for stage in Stage}
        for timeline in timelines:
            if days == 0:
                counts[timeline.stage_now] += 1
            elif timeline.since <= moment:
                counts[stage_at(timeline.changes, moment)] += 1
        columns.append(FunnelColumn(days, moment, counts))
    return columns


@dataclass(frozen=True)
class WeekCount:
    start: date  # the Monday (UTC) the week begins on
    conversations: int  # threads the person wrote in, by the week they began
    reciprocal: int  # of those, the ones where both sides wrote


def week_start(moment: datetime) -> date:
    day = moment.date()
    return day - timedelta(days=day.weekday())


def report_since(now: datetime, weeks: int) -> datetime:
    """The start (00:00 UTC on a Monday) of the report's period: this week and the weeks before."""
    first = week_start(now) - timedelta(weeks=weeks - 1)
    return datetime(first.year, first.month, first.day, tzinfo=now.tzinfo)


def conversations_per_week(started: Iterable[tuple[datetime, bool]], now: datetime, weeks: int) -> list[WeekCount]:
    """`started` is (when the conversation began, whether it was reciprocal); oldest week first."""
    first = week_start(now) - timedelta(weeks=weeks - 1)
    totals: Counter[date] = Counter()
    reciprocal: Counter[date] = Counter()
    for at, both_wrote in started:
        week = week_start(at)
        totals[week] += 1
        reciprocal[week] += both_wrote
    return [WeekCount(first + timedelta(weeks=n), totals[first + timedelta(weeks=n)],
                      reciprocal[first + timedelta(weeks=n)]) for n in range(weeks)]


@dataclass(frozen=True)
class DraftAction:
    """A person's action on a draft, from the audit log."""

    draft_id: str
    at: datetime
    action: str  # approved, edited, rejected
    edited_text: bool = False  # an approval that changed the text


@dataclass(frozen=True)
class DraftOutcomes:
    approved: int = 0  # approved as drafted
    edited: int = 0  # approved after a person changed the text
    rejected: int = 0
    blocked: int = 0  # blocked by policy and still so
    blocked_by_reason: dict[str, int] = field(default_factory=dict)  # a draft counts under each of its codes


def draft_outcomes(actions: Iterable[DraftAction], blocked_decisions: Iterable[str]) -> DraftOutcomes:
    """Each draft once: blocked if it is blocked now, else by the last approval or rejection.

    `blocked_decisions` are the stored decision JSON of the drafts blocked now.
    """
    by_draft: dict[str, list[DraftAction]] = {}
    for action in sorted(actions, key=lambda a: a.at):
        by_draft.setdefault(action.draft_id, []).append(action)
    reasons: Counter[str] = Counter()
    blocked = 0
    for decision in blocked_decisions:
        blocked += 1
        reasons.update(blocking_codes(decision))
    counts: Counter[str] = Counter()
    for draft_actions in by_draft.values():
        final = [a for a in draft_actions if a.action in ("approved", "rejected")]
        if not final:
            continue
        if final[-1].action == "rejected":
            counts["rejected"] += 1
        elif any(a.action == "edited" or a.edited_text for a in draft_actions):
            counts["edited"] += 1
        else:
            counts["approved"] += 1
    return DraftOutcomes(counts["approved"], counts["edited"], counts["rejected"], blocked,
                         dict(sorted(reasons.items())))


def blocking_codes(decision_json: str) -> list[str]:
    """The reason codes that block, from a stored decision (see Decision.to_dict)."""
    data = json.loads(decision_json or "{}")
    rules = data.get("rules") or data.get("reasons") or []
    return sorted({r["code"] for r in rules if r.get("outcome") == "block" and r.get("code")})


@dataclass(frozen=True)
class ColdContact:
    """A relationship with no exchange for a while, and what was left open with them."""

    account: str
    handle: str
    name: str
    stage: Stage
    last_exchange_at: datetime
    days_quiet: int
    open_threads: tuple[str, ...] = ()


@dataclass(frozen=True)
class AnnouncementOutcome:
    """An announcement made in the report's period, and what became of its drafts so far."""

    announcement: Announcement
    results: AnnouncementResults


@dataclass(frozen=True)
class Report:
    generated_at: datetime
    account: str | None  # None: every account
    since: datetime  # the start of the weekly and draft figures
    quiet_days: int
    funnel: list[FunnelColumn]
    weeks: list[WeekCount]
    drafts: DraftOutcomes
    going_cold: list[ColdContact]
    # Announcements made in the period, oldest first; the terminal and the page show their
    # section only when there is one.
    announcements: list[AnnouncementOutcome] = field(default_factory=list)
