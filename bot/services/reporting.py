"""`rapport report`: the figures, read in one read-only unit of work."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.report import (
    COLD_STAGES, AnnouncementOutcome, ColdContact, Report, conversations_per_week, draft_outcomes, funnel, report_since,
)
from bot.domain.stages import Stage
from bot.errors import InvalidInputError
from bot.store.unit_of_work import SqlAlchemyStore


def build_report(
    store: SqlAlchemyStore, *, now: datetime, account: str | None = None, weeks: int = 12, quiet_days: int = 21,
) -> Report:
    if weeks < 1:
        raise InvalidInputError("--weeks must be at least 1")
    if quiet_days < 1:
        raise InvalidInputError("--quiet-days must be at least 1")
    since = report_since(now, weeks)
    with store.unit_of_work(read_only=True) as uow:
        if account is not None and account not in uow.state.accounts():
            raise InvalidInputError(f"no account {account!r} in the store (see: rapport contacts list)")
        timelines = uow.reports.timelines(account)
        started = uow.reports.conversations_since(account, since)
        outcomes = draft_outcomes(uow.reports.draft_actions_since(account, since),
                                  uow.reports.blocked_decisions_since(account, since))
        quiet = uow.reports.quiet_relationships(account, COLD_STAGES, now - timedelta(days=quiet_days))
        threads = uow.reports.open_threads([row.id for row in quiet])
        announced = [AnnouncementOutcome(a, uow.announcements.results(a.id))
                     for a in uow.announcements.created_since(account, since)]
    cold = [
        ColdContact(row.account, row.handle, row.name, Stage(row.stage), row.last_conversation_at,
                    (now - row.last_conversation_at).days, tuple(threads.get(row.id, ())))
        for row in quiet
    ]
    return Report(now, account, since, quiet_days, funnel(timelines, now), conversations_per_week(started, now, weeks),
                  outcomes, cold, announced)
