"""`health` fails while an account's poll keeps failing, and one failure alone never makes the
container unhealthy; a poll that fails, however, stays with its own account."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.bootstrap import App
from bot.config import Settings
from bot.domain.models import Batch, Interaction, InteractionKind, Person, Post
from bot.errors import RateLimitedError, TransientError
from bot.scheduler import Jobs
from bot.services.heartbeat import FAILED_POLLS_UNHEALTHY, UnhealthyError, beat, check_health
from tests.fakes import FakePlatform, RecordingLog

MAX_AGE = timedelta(minutes=3)


class Broken(FakePlatform):
    """A platform whose next polls fail with the queued errors, then work again."""

    def __init__(self, *errors: Exception) -> None:
        super().__init__()
        self.errors = list(errors)

    def fetch_new(self, cursor: str | None) -> Batch:
        if self.errors:
            raise self.errors.pop(0)
        return super().fetch_new(cursor)


def jobs_for(store, clock, **clients: FakePlatform) -> Jobs:  # noqa: ANN001
    accounts = [{"name": name, "platform": "sandbox", "handle": f"{name}@sandbox.example", "events": "x.jsonl"}
                for name in clients]
    app = App(Settings(accounts=accounts), clock=clock, log=RecordingLog(), clients=dict(clients),
              store_override=store)
    with store.unit_of_work() as uow:
        for name in clients:
            uow.state.ensure_account(name, "sandbox", f"{name}@sandbox.example", clock.now())
        uow.commit()
    return Jobs(app)


def health(store, clock, **options) -> timedelta:  # noqa: ANN001, ANN003
    beat(store, "test-instance", clock, clock.now())
    return check_health(store, clock, MAX_AGE, **options)


def test_three_failed_polls_in_a_row_make_health_fail_naming_the_account(store, clock) -> None:  # noqa: ANN001
    jobs = jobs_for(store, clock, demo=Broken(*[TransientError("mastodon.example: HTTP 503")] * 3))
    started = clock.now()
    for _ in range(FAILED_POLLS_UNHEALTHY):
        assert jobs.refresh("demo") is None
        clock.advance(minutes=2)
    with pytest.raises(UnhealthyError) as raised:
        health(store, clock)
    assert str(raised.value) == (
        f"unhealthy: account demo failed 3 polls in a row since {started:%Y-%m-%dT%H:%M:%SZ}:"
        " mastodon.example: HTTP 503"
    )


def test_a_single_failed_poll_leaves_the_service_healthy(store, clock) -> None:  # noqa: ANN001
    jobs = jobs_for(store, clock, demo=Broken(TransientError("a blip")))
    jobs.refresh("demo")
    assert health(store, clock) == timedelta(0)
    with store.unit_of_work() as uow:
        state = uow.state.poll_state("demo")
    assert (state.failures, state.failing_since, state.last_error) == (1, clock.now(), "a blip")


def test_a_poll_that_works_again_ends_the_streak(store, clock) -> None:  # noqa: ANN001
    jobs = jobs_for(store, clock, demo=Broken(*[TransientError("down")] * 3))
    for _ in range(3):
        jobs.refresh("demo")
    assert jobs.refresh("demo") is not None
    assert health(store, clock) == timedelta(0)
    with store.unit_of_work() as uow:
        state = uow.state.poll_state("demo")
    assert (state.failures, state.failing_since, state.last_error) == (0, None, None)


def test_an_unforeseen_error_is_counted_and_the_other_accounts_are_still_polled(store, clock) -> None:  # noqa: ANN001
    """Before, an OverflowError from one account's poll escaped `run --once` as a traceback,
    no other account was polled, and `health` went on saying healthy."""
    fine = FakePlatform()
    fine.push(Interaction("n-1", InteractionKind.MENTION, clock.now(), Person("u-ana", "ana@x.example"),
                          Post("p-1", "¿Qué tal?", "es")))
    jobs = jobs_for(store, clock, broken=Broken(*[OverflowError("date value out of range")] * 3), fine=fine)
    for _ in range(3):
        summary = jobs.run_once()
    assert summary["accounts"]["broken"] is None
    assert summary["accounts"]["fine"] is not None and fine.delivered == 1
    [crash, *_] = jobs.app.log.named("poll.crashed")
    assert (crash["account"], crash["error_type"], crash["error"]) == ("broken", "OverflowError", "date value out of range")
    with pytest.raises(UnhealthyError, match="account broken failed 3 polls in a row .*: OverflowError: date value"):
        check_health(store, clock, MAX_AGE)


def test_rate_limits_are_waited_out_not_counted_as_failures(store, clock) -> None:  # noqa: ANN001
    jobs = jobs_for(store, clock, demo=Broken(*[RateLimitedError("slow down")] * 5))
    for _ in range(5):
        jobs.refresh("demo")
    assert health(store, clock) == timedelta(0)


def test_an_account_no_longer_configured_does_not_make_the_service_unhealthy(store, clock) -> None:  # noqa: ANN001
    jobs = jobs_for(store, clock, gone=Broken(*[TransientError("down")] * 3))
    for _ in range(3):
        jobs.refresh("gone")
    with pytest.raises(UnhealthyError):
        health(store, clock)
    assert health(store, clock, accounts=["demo"]) == timedelta(0)


def test_a_stale_heartbeat_is_still_the_first_thing_health_reports(store, clock) -> None:  # noqa: ANN001
    jobs = jobs_for(store, clock, demo=Broken(*[TransientError("down")] * 3))
    beat(store, "test-instance", clock, clock.now())
    for _ in range(3):
        jobs.refresh("demo")
    clock.advance(minutes=10)
    with pytest.raises(UnhealthyError, match="last heartbeat 600 s ago"):
        check_health(store, clock, MAX_AGE)


def test_refused_credentials_make_health_fail_at_once_as_polling_is_paused(store, clock) -> None:  # noqa: ANN001
    from bot.errors import AuthFailedError

    jobs = jobs_for(store, clock, demo=Broken(AuthFailedError("mastodon.example refused the access token")))
    paused: list[str] = []
    jobs.on_auth_failure = paused.append
    assert jobs.refresh("demo") is None
    assert paused == ["demo"]  # the job will not run again: health must not wait for two more failures
    with pytest.raises(UnhealthyError, match="refused the access token .polling paused"):
        health(store, clock)
