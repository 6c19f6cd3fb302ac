"""The JSON shape of `rapport report --json` (documented in the README); the HTML page shows the same."""

from __future__ import annotations

from typing import Any

from bot.cli.render import timestamp
from bot.domain.report import AnnouncementOutcome, Report
from bot.domain.stages import Stage

# How the terminal and the page name the stages and the funnel's columns.
STAGE_LABELS = {
    Stage.AUDIENCE: "audience", Stage.FIRST_CONTACT: "first contact", Stage.ACQUAINTANCE: "acquaintance",
    Stage.RELATIONSHIP: "relationship", Stage.TRUSTED: "trusted",
}


def column_label(days_ago: int) -> str:
    return "now" if days_ago == 0 else f"{days_ago} days ago"


def report_json(report: Report) -> dict[str, Any]:
    drafts = report.drafts
    return {
        "generated_at": timestamp(report.generated_at),
        "account": report.account,
        "since": timestamp(report.since),
        "stages": [stage.value for stage in Stage],
        "funnel": [
            {"days_ago": column.days_ago, "at": timestamp(column.at),
             "counts": {stage.value: column.counts[stage] for stage in Stage}}
            for column in report.funnel
        ],
        "conversations_per_week": [
            {"week": week.start.isoformat(), "conversations": week.conversations, "reciprocal": week.reciprocal}
            for week in report.weeks
        ],
        "drafts": {
            "approved": drafts.approved, "edited": drafts.edited, "rejected": drafts.rejected,
            "blocked": drafts.blocked, "blocked_by_reason": dict(drafts.blocked_by_reason),
        },
        "going_cold": {
            "quiet_days": report.quiet_days,
            "contacts": [
                {"account": c.account, "handle": c.handle, "name": c.name, "stage": c.stage.value,
                 "last_exchange_at": timestamp(c.last_exchange_at), "days_quiet": c.days_quiet,
                 "open_threads": list(c.open_threads)}
                for c in report.going_cold
            ],
        },
        "announcements": [announcement_json(outcome) for outcome in report.announcements],
    }


def announcement_json(outcome: AnnouncementOutcome) -> dict[str, Any]:
    a, r = outcome.announcement, outcome.results
    return {
        "id": a.id, "account": a.account, "created_at": timestamp(a.created_at), "status": a.status, "text": a.text,
        "results": {"drafts": r.drafts, "sent": r.sent, "pending": r.pending, "approved": r.approved,
                    "cancelled": r.cancelled, "failed": r.failed, "replies": r.replies, "opt_outs": r.opt_outs},
    }
