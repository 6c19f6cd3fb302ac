"""The long-running service: APScheduler 3.x jobs, each calling one use case.

Jobs: one poll-and-draft job per account (interval with jitter, never overlapping itself,
missed runs coalesced), one send job, one heartbeat. Every job ends by itself on a stop
request; whatever it had not committed is simply redone by the next run.

Replicas on one PostgreSQL run the same jobs: a poll runs only on the replica holding the
account's lease (`bot/services/leases.py`), and sending claims drafts one by one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.bootstrap import App
from bot.errors import AuthFailedError, PlatformError, RapportError, RateLimitedError
from bot.services.heartbeat import beat, record_poll_failed, record_poll_succeeded, stop_beating
from bot.services.ingest import Progress
from bot.services.leases import AccountLease, lease_length
from bot.services.refresh import RefreshReport, refresh_account
from bot.services.checkins import CheckinOptions, suggest_checkins
from bot.services.retention import apply_retention
from bot.services.sending import SendOptions, SendReport, send_approved


@dataclass(frozen=True)
class HeldElsewhere:
    """A poll skipped because another replica holds the account's lease."""

    holder: str | None


@dataclass
class Jobs:
    """The job bodies, shared by the scheduler and `run --once`."""

    app: App
    stop: threading.Event = field(default_factory=threading.Event)
    started_at: datetime | None = None
    progress: Progress | None = None  # a progress bar, when a person is watching
    # Called with the account's name when its credentials are refused: the service stops
    # polling it (retrying would only hammer the login) until a person fixes them and restarts.
    on_auth_failure: Callable[[str], None] | None = None
    leases: dict[str, AccountLease] = field(default_factory=dict)

    def lease(self, account_name: str) -> AccountLease:
        if account_name not in self.leases:
            service = self.app.settings.service
            account = self.app.settings.account(account_name)
            length = lease_length(account.poll_interval_seconds or service.poll_interval_seconds,
                                  service.poll_jitter_seconds, service.poll_lease_seconds)
            self.leases[account_name] = AccountLease(self.app.store, account_name, self.app.instance,
                                                     self.app.clock, length)
        return self.leases[account_name]

    def release_leases(self) -> None:
        """Hand every held account back, so that another replica polls it at once."""
        for lease in self.leases.values():
            try:
                lease.release()
            except RapportError as error:
                self.app.log.warning("lease.not_released", account=lease.account, error=str(error))

    def refresh(self, account_name: str) -> RefreshReport | HeldElsewhere | None:
        """Poll and draft one account; None if that failed. Whatever goes wrong stays with this
        account: the others are still polled, and the failure is counted for `rapport health`.
        Skipped (`HeldElsewhere`) while another replica holds the account's lease."""
        app = self.app
        account = app.settings.account(account_name)
        drafting = app.settings.drafting
        lease = self.lease(account_name)
        try:
            if not lease.take():
                holder, _ = self._holder(account_name)
                app.log.info("poll.held_elsewhere", account=account_name, holder=holder)
                return HeldElsewhere(holder)
            report = refresh_account(
                app.store, app.client(account_name), app.drafter, account_name, clock=app.clock,
                policy=app.policy, log=app.log, backfill_days=account.backfill_days,
                max_age=timedelta(days=drafting.max_age_days) if drafting.max_age_days else None,
                suggestions=drafting.suggestions, progress=self.progress,
                followup_cooldown=timedelta(days=drafting.followup_cooldown_days),
                # A replica that stalled past its lease stops: another has taken the account over.
                should_stop=lambda: self.stop.is_set() or not lease.keep(),
            )
        except RateLimitedError as error:
            # The platform asked us to wait: expected, and not a fault of the service.
            app.log.warning("poll.rate_limited", account=account_name, error=str(error))
            return None
        except AuthFailedError as error:
            app.log.error("poll.auth_failed", account=account_name, error=str(error),
                          hint="fix the credentials, run `rapport doctor`, then restart the service")
            self._failed(account_name, error, paused=True)
            if self.on_auth_failure is not None:
                self.on_auth_failure(account_name)
            return None
        except (PlatformError, RapportError) as error:
            app.log.warning("poll.failed", account=account_name, error=str(error), error_type=type(error).__name__)
            self._failed(account_name, error)
            return None
        except Exception as error:  # noqa: BLE001 - a fault nobody foresaw must not stop the other accounts
            app.log.error("poll.crashed", account=account_name, error=str(error), error_type=type(error).__name__)
            app.log.debug("poll.crashed.traceback", account=account_name, exc_info=True)
            self._failed(account_name, error)
            return None
        if not report.waiting:
            self._record(record_poll_succeeded, account_name)
        return report

    def _holder(self, account_name: str) -> tuple[str | None, datetime | None]:
        with self.app.store.unit_of_work(read_only=True) as uow:
            return uow.state.lease_of(account_name)

    def _failed(self, account_name: str, error: Exception, *, paused: bool = False) -> None:
        # Project errors are written to be read as they are; anything else needs its type.
        reason = str(error) if isinstance(error, RapportError) else f"{type(error).__name__}: {error}"
        reason = " ".join(reason.split())[:500]
        if paused:
            reason += " (polling paused: fix the credentials, then restart the service)"
        self._record(lambda *args: record_poll_failed(*args, unhealthy_now=paused),
                     account_name, self.app.clock, reason)

    def _record(self, outcome: Callable[..., None], account_name: str, *args: Any) -> None:
        """Count the outcome for `rapport health`; if even that fails, the poll's own log line stands."""
        try:
            outcome(self.app.store, account_name, *args)
        except Exception as error:  # noqa: BLE001
            self.app.log.warning("poll.outcome_not_recorded", account=account_name, error=str(error))

    def send(self) -> SendReport:
        app, service = self.app, self.app.settings.service
        clients = {}
        for account in app.settings.accounts:
            try:
                clients[account.name] = app.client(account.name)
            except RapportError as error:
                app.log.warning("send.no_client", account=account.name, error=str(error))
        options = SendOptions(owner=app.instance, lease=timedelta(seconds=service.send_lease_seconds),
                              max_attempts=service.max_send_attempts)
        return send_approved(app.store, clients, policy=app.policy, clock=app.clock, options=options,
                             log=app.log, should_stop=self.stop.is_set)

    def daily(self) -> dict[str, int]:
        """Check-ins for people gone quiet, then the retention period."""
        app = self.app
        checkins = app.settings.drafting.checkins
        drafted: dict[str, int] = {}
        if checkins.enabled:
            cooldown = timedelta(days=app.settings.drafting.followup_cooldown_days)
            options = CheckinOptions(quiet_days=checkins.quiet_days, max_per_day=checkins.max_per_day,
                                     lookback=timedelta(days=checkins.lookback_days), followup_cooldown=cooldown)
            for account in app.settings.accounts:
                if self.stop.is_set():
                    break
                if not self.lease(account.name).take():
                    continue  # the replica that polls the account suggests its check-ins
                drafted[account.name] = suggest_checkins(
                    app.store, app.drafter, account.name, account.platform, clock=app.clock,
                    policy=app.policy, options=options, log=app.log)
        apply_retention(app.store, days=app.settings.privacy.retention_days, clock=app.clock, log=app.log)
        return drafted

    def heartbeat(self) -> None:
        self.started_at = self.started_at or self.app.clock.now()
        beat(self.app.store, self.app.instance, self.app.clock, self.started_at)

    def run_once(self) -> dict[str, Any]:
        """Every job once, in order: poll and draft every account, send what is approved."""
        self.heartbeat()
        try:
            refreshed = {a.name: self.refresh(a.name) for a in self.app.settings.accounts}
            checkins = self.daily()
        finally:
            self.release_leases()  # a service beside this pass polls on at once
        sent = self.send()
        return {"accounts": refreshed, "checkins": checkins, "send": sent}


def run_forever(app: App, stop: threading.Event, grace_seconds: float = 10.0) -> bool:
    """Run until `stop` is set; True if every job in flight finished within the grace period."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.schedulers.background import BackgroundScheduler

    jobs = Jobs(app, stop)
    service = app.settings.service
    scheduler = BackgroundScheduler(
        executors={"default": ThreadPoolExecutor(max_workers=len(app.settings.accounts) + 2)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60},
        timezone="UTC",
    )
    now = app.clock.now()
    jobs.heartbeat()
    for account in app.settings.accounts:
        interval = account.poll_interval_seconds or service.poll_interval_seconds
        scheduler.add_job(jobs.refresh, "interval", args=[account.name], id=f"poll:{account.name}",
                          seconds=interval, jitter=service.poll_jitter_seconds, next_run_time=now)
    scheduler.add_job(jobs.send, "interval", id="send", seconds=service.send_interval_seconds,
                      next_run_time=now + timedelta(seconds=1))
    scheduler.add_job(jobs.heartbeat, "interval", id="heartbeat", seconds=service.heartbeat_interval_seconds)
    scheduler.add_job(jobs.daily, "interval", id="daily", hours=24, next_run_time=now + timedelta(minutes=1))
    jobs.on_auth_failure = lambda name: scheduler.pause_job(f"poll:{name}")
    scheduler.start()
    app.log.info("service.started", accounts=[a.name for a in app.settings.accounts], instance=app.instance)
    stop.wait()
    app.log.info("service.stopping")
    finished = _shutdown(scheduler, grace_seconds)
    if finished:
        jobs.release_leases()  # jobs still in flight keep theirs until they lapse
    try:
        stop_beating(app.store, app.instance)
    except RapportError:
        pass
    app.log.info("service.stopped", clean=finished)
    return finished


def _shutdown(scheduler: Any, grace_seconds: float) -> bool:
    """Wait for jobs in flight, up to the grace period; they check the stop flag between steps."""
    done = threading.Event()

    def wait_for_jobs() -> None:
        scheduler.shutdown(wait=True)
        done.set()

    threading.Thread(target=wait_for_jobs, daemon=True, name="shutdown").start()
    return done.wait(grace_seconds)
