"""The service's pulse, for the container's health check."""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from bot.errors import RapportError
from bot.ports import Clock
from bot.store.unit_of_work import SqlAlchemyStore


class UnhealthyError(RapportError):
    """The service has not reported in time."""


def beat(store: SqlAlchemyStore, instance: str, clock: Clock, started_at: datetime) -> None:
    with store.unit_of_work() as uow:
        uow.state.beat(instance, clock.now(), os.getpid(), socket.gethostname(), started_at)
        uow.commit()


def stop_beating(store: SqlAlchemyStore, instance: str) -> None:
    with store.unit_of_work() as uow:
        uow.state.forget_heartbeat(instance)
        uow.commit()


def check_health(store: SqlAlchemyStore, clock: Clock, max_age: timedelta) -> timedelta:
    """The age of this host's newest heartbeat; UnhealthyError if there is none or it is stale.

    Per host, so that with several replicas each container answers for itself.
    """
    with store.unit_of_work(read_only=True) as uow:
        latest = uow.state.latest_heartbeat(socket.gethostname())
    if latest is None:
        raise UnhealthyError("unhealthy: the service has not reported yet (is `rapport run` running?)")
    age = clock.now() - latest.at
    if age > max_age:
        raise UnhealthyError(f"unhealthy: last heartbeat {int(age.total_seconds())} s ago"
                             f" (limit {int(max_age.total_seconds())} s)")
    return age
