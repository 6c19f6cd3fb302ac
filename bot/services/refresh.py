"""One account's routine: take in what is new, then draft replies for it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.errors import AuthFailedError, RateLimitedError
from bot.ports import Clock, Drafter, PlatformClient
from bot.services.deciding import Policy
from bot.services.drafting import DraftReport, draft_replies
from bot.services.followups import FOLLOWUP_COOLDOWN
from bot.services.ingest import PollReport, Progress, poll_account
from bot.services.profiles import refresh_profiles
from bot.store.unit_of_work import SqlAlchemyStore


@dataclass
class RefreshReport:
    poll: PollReport | None
    drafts: DraftReport | None
    waiting: bool = False  # backing off (rate limits): nothing was fetched


def refresh_account(
    store: SqlAlchemyStore, client: PlatformClient, drafter: Drafter, account: str, *, clock: Clock,
    policy: Policy, log: Any, backfill_days: int, max_age: timedelta | None, suggestions: int,
    should_stop: Callable[[], bool] = lambda: False, progress: Progress | None = None,
    followup_cooldown: timedelta = FOLLOWUP_COOLDOWN,
) -> RefreshReport:
    with store.unit_of_work() as uow:
        state = uow.state.poll_state(account)
    if state.backoff_until and state.backoff_until > clock.now():
        log.info("poll.backing_off", account=account, until=state.backoff_until.isoformat())
        return RefreshReport(None, None, waiting=True)
    try:
        poll = poll_account(store, client, account, clock=clock, policy=policy, log=log,
                            backfill_days=backfill_days, should_stop=should_stop, progress=progress)
    except (AuthFailedError, RateLimitedError) as error:
        until = getattr(error, "reset_at", None)
        with store.unit_of_work() as uow:
            uow.state.save_poll_state(account, last_error=str(error), backoff_until=until)
            uow.commit()
        raise
    refresh_profiles(store, client, poll.contacts, clock=clock, policy=policy, log=log)
    drafts = draft_replies(store, drafter, account, client.platform, clock=clock, policy=policy, log=log,
                           max_age=max_age, suggestions=suggestions, should_stop=should_stop,
                           followup_cooldown=followup_cooldown)
    return RefreshReport(poll, drafts)
