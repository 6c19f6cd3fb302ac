"""The profile refresh asks a platform that takes batches (`ProfileBatches`) for a batch at a
time, stores each batch before asking for the next, and stops at the first failure."""

from __future__ import annotations

from bot.bootstrap import policy_from_settings
from bot.config import Settings
from bot.domain.models import Person
from bot.errors import RateLimitedError
from bot.services.profiles import refresh_profiles
from tests.fakes import FakeBatchPlatform, RecordingLog

POLICY = policy_from_settings(Settings())


def _stored(store, clock, count: int) -> list[int]:  # noqa: ANN001
    with store.unit_of_work() as uow:
        ids = [uow.contacts.resolve_tracking("demo", Person(f"u-{n}", f"p{n}@social.example"), clock.now())[0].id
               for n in range(count)]
        uow.commit()
    return ids


def _bios(store, ids: list[int]) -> list[str]:  # noqa: ANN001
    with store.unit_of_work(read_only=True) as uow:
        return [uow.contacts.get(i).bio for i in ids]


def _platform(count: int) -> FakeBatchPlatform:
    platform = FakeBatchPlatform(profiles_per_batch=3)
    platform.profiles = {f"u-{n}": Person(f"u-{n}", f"p{n}@social.example", bio=f"bio {n}") for n in range(count)}
    return platform


def test_stale_profiles_are_asked_for_a_batch_at_a_time_and_all_stored(store, clock) -> None:  # noqa: ANN001
    ids = _stored(store, clock, 7)
    platform = _platform(7)

    refreshed = refresh_profiles(store, platform, ids, clock=clock, policy=POLICY, log=RecordingLog())

    assert refreshed == 7 and platform.batches == [3, 3, 1] and platform.lookups == 0
    assert _bios(store, ids) == [f"bio {n}" for n in range(7)]


def test_a_failed_batch_keeps_the_batches_before_it_and_the_rest_wait_for_the_next_poll(store, clock) -> None:  # noqa: ANN001
    ids = _stored(store, clock, 7)
    platform = _platform(7)
    platform.batch_errors = [None, RateLimitedError("slow down")]
    log = RecordingLog()

    assert refresh_profiles(store, platform, ids, clock=clock, policy=POLICY, log=log) == 3
    assert platform.batches == [3, 3] and len(log.named("profile.lookup_failed")) == 1
    assert _bios(store, ids) == ["bio 0", "bio 1", "bio 2", "", "", "", ""]

    assert refresh_profiles(store, platform, ids, clock=clock, policy=POLICY, log=log) == 4  # the stale ones
    assert platform.batches == [3, 3, 3, 1]
