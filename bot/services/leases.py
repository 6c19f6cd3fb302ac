"""Which replica polls an account: a lease row per account, in the shared database.

Replicas of `rapport run` on one PostgreSQL each schedule every account, and each poll first
takes the account's lease (`poll_state.lease_holder` / `lease_until`). Only the holder polls; the
others skip that round. The holder renews the lease each poll and, during a long poll, every
third of its length, so it never lapses while the holder lives. A replica that dies (SIGKILL,
power) simply stops renewing: its accounts are taken over by the first replica to poll after
the lease lapses, or at once by a process of the same host that can see the holder has ended
(`claimers.gone`: a service restarted after a crash does not wait out its own dead lease).
A clean stop hands its leases back at once.

The lease covers what is done per account (polling, drafting, check-ins). Sending needs none:
drafts are claimed one by one with `SKIP LOCKED`. On SQLite, with one process, a lease is
always granted.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.ports import Clock
from bot.services import claimers
from bot.store.unit_of_work import SqlAlchemyStore, SqlUnitOfWork


def lease_length(poll_interval: float, jitter: float, configured: float | None) -> timedelta:
    """The configured length, or long enough that a living holder's next poll always renews it:
    twice the interval, plus the jitter, plus a minute."""
    if configured is not None:
        return timedelta(seconds=configured)
    return timedelta(seconds=2 * poll_interval + jitter + 60)


class AccountLease:
    """One replica's claim on one account."""

    def __init__(self, store: SqlAlchemyStore, account: str, holder: str, clock: Clock, length: timedelta) -> None:
        self._store = store
        self.account = account
        self.holder = holder
        self._clock = clock
        self.length = length
        self._renewed_at: datetime | None = None
        claimers.remember_sender(holder)  # this process acts as `holder`: never taken for a dead one

    def take(self) -> bool:
        """Take or renew the lease; False when another replica holds it."""
        now = self._clock.now()
        with self._store.unit_of_work() as uow:
            taken = uow.state.take_lease(self.account, self.holder, now, now + self.length)
            if not taken:
                taken = self._take_from_the_dead(uow, now)
            uow.commit()
        self._renewed_at = now if taken else None
        return taken

    def _take_from_the_dead(self, uow: SqlUnitOfWork, now: datetime) -> bool:
        """Take the lease of an ended process of this host, without waiting for it to lapse."""
        holder, until = uow.state.lease_of(self.account)
        host, _ = claimers.host_and_pid(self.holder)
        if holder is None or host is None or claimers.host_and_pid(holder)[0] != host:
            return False
        if not claimers.gone(holder, until - self.length if until else None):
            return False
        return uow.state.take_lease_from(self.account, holder, self.holder, now + self.length)

    def keep(self) -> bool:
        """During a poll: renew once a third of the lease has passed. False when it was lost
        (this replica stalled past its lease and another took the account over)."""
        if self._renewed_at is None:
            return False
        if self._clock.now() - self._renewed_at < self.length / 3:
            return True
        return self.take()

    def release(self) -> None:
        """Hand the account back at once (a clean stop), if this replica holds it."""
        with self._store.unit_of_work() as uow:
            uow.state.release_lease(self.account, self.holder)
            uow.commit()
        self._renewed_at = None
