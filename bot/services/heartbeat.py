"""The service's pulse, for the container's health check."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable
from datetime import datetime, timedelta

from bot.errors import RapportError
from bot.ports import Clock
from bot.store.state import PollState
from bot.store.unit_of_work import SqlAlchemyStore


# Polls that must fail in a row before the service counts as unhealthy. One failure is a
# network blip or a platform restart, and the next poll repairs it; three in a row, at least
# three poll intervals (six minutes by default) with nothing taken in, is a fault that stays
# and needs a person. Fewer would restart containers over blips; more would leave a dead
# account unnoticed for longer.
FAILED_POLLS_UNHEALTHY = 3


class UnhealthyError(RapportError):
    """The service has not reported in time, or an account's poll keeps failing."""


def beat(store: SqlAlchemyStore, instance: str, clock: Clock, started_at: datetime) -> None:
    with store.unit_of_work() as uow:
        uow.state.beat(instance, clock.now(), os.getpid(), socket.gethostname(), started_at)
        uow.commit()


def stop_beating(store: SqlAlchemyStore, instance: str) -> None:
    with store.unit_of_work() as uow:
        uow.state.forget_heartbeat(instance)
        uow.commit()


def record_poll_failed(
    store: SqlAlchemyStore, account: str, clock: Clock, error: str, *, unhealthy_now: bool = False,
) -> None:
    """Count one failed run of an account's poll job (what `check_health` looks at).
    `unhealthy_now`: a failure that stops polling (refused credentials pause the job), so health
    must not wait for more runs that will never come."""
    with store.unit_of_work() as uow:
        uow.state.record_poll_failure(account, clock.now(), error,
                                      at_least=FAILED_POLLS_UNHEALTHY if unhealthy_now else 0)
        uow.commit()


def record_poll_succeeded(store: SqlAlchemyStore, account: str) -> None:
    with store.unit_of_work() as uow:
        uow.state.record_poll_success(account)
        uow.commit()


def check_health(
    store: SqlAlchemyStore, clock: Clock, max_age: timedelta, *, accounts: Iterable[str] | None = None,
    max_failures: int = FAILED_POLLS_UNHEALTHY,
) -> timedelta:
    """The age of this host's newest heartbeat; UnhealthyError if there is none, it is stale,
    or one of `accounts` (default: every stored one) failed `max_failures` polls in a row.

    The heartbeat is per host, so that with several replicas each container answers for
    itself; a failing account fails them all, as each of them would poll it alike.
    """
    with store.unit_of_work(read_only=True) as uow:
        latest = uow.state.latest_heartbeat(socket.gethostname())
        failing = uow.state.failing_accounts(max_failures)
    if latest is None:
        raise UnhealthyError("unhealthy: the service has not reported yet (is `rapport run` running?)")
    age = clock.now() - latest.at
    if age > max_age:
        raise UnhealthyError(f"unhealthy: last heartbeat {int(age.total_seconds())} s ago"
                             f" (limit {int(max_age.total_seconds())} s)")
    if accounts is not None:
        wanted = set(accounts)
        failing = [state for state in failing if state.account in wanted]
    if failing:
        raise UnhealthyError(_failing_line(failing))
    return age


def _failing_line(failing: list[PollState]) -> str:
    first = failing[0]
    since = f" since {first.failing_since:%Y-%m-%dT%H:%M:%SZ}" if first.failing_since else ""
    error = " ".join((first.last_error or "no error recorded").split())[:200]
    others = f" (and {len(failing) - 1} more failing)" if len(failing) > 1 else ""
    return f"unhealthy: account {first.account} failed {first.failures} polls in a row{since}: {error}{others}"
