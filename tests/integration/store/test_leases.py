"""Account leases in the store, on SQLite and PostgreSQL: one holder at a time, renewed by its
holder, taken over once lapsed, handed back on release; and racing replicas that all record the
same accounts at start."""

from __future__ import annotations

import threading
from datetime import timedelta

from bot.services.leases import AccountLease, lease_length
from bot.store.unit_of_work import SqlAlchemyStore


def test_one_holder_at_a_time_until_the_lease_lapses(store, clock) -> None:  # noqa: ANN001
    a = AccountLease(store, "demo", "host-a:1", clock, timedelta(seconds=60))
    b = AccountLease(store, "demo", "host-b:2", clock, timedelta(seconds=60))
    assert a.take() and not b.take()
    clock.advance(seconds=59)
    assert a.take()  # the holder renews: another 60 s from now
    clock.advance(seconds=59)
    assert not b.take()
    clock.advance(seconds=2)  # 61 s since the renewal: lapsed
    assert b.take() and not a.take()
    with store.unit_of_work(read_only=True) as uow:
        assert uow.state.lease_of("demo") == ("host-b:2", clock.now() + timedelta(seconds=60))


def test_a_released_lease_is_taken_at_once_and_only_its_holder_can_release_it(store, clock) -> None:  # noqa: ANN001
    a = AccountLease(store, "demo", "host-a:1", clock, timedelta(seconds=60))
    b = AccountLease(store, "demo", "host-b:2", clock, timedelta(seconds=60))
    assert a.take()
    b.release()  # not b's to give
    assert not b.take()
    a.release()
    assert b.take()


def test_keep_renews_after_a_third_and_says_when_the_lease_was_lost(store, clock) -> None:  # noqa: ANN001
    a = AccountLease(store, "demo", "host-a:1", clock, timedelta(seconds=60))
    b = AccountLease(store, "demo", "host-b:2", clock, timedelta(seconds=60))
    assert not a.keep()  # never taken
    assert a.take()
    clock.advance(seconds=30)
    assert a.keep()  # renewed: good until 90 s
    clock.advance(seconds=50)
    assert not b.take()  # 80 s: still a's
    clock.advance(seconds=61)  # a stalled past its lease
    assert b.take()
    assert not a.keep()


def test_replicas_racing_for_a_lapsed_lease_give_it_to_exactly_one(database_url: str, clock) -> None:  # noqa: ANN001
    stores = [SqlAlchemyStore(database_url) for _ in range(4)]
    try:
        with stores[0].unit_of_work() as uow:
            uow.state.ensure_account("demo", "sandbox", "me@sandbox.example", clock.now())
            uow.commit()
        won: list[str] = []
        start = threading.Barrier(len(stores))

        def race(number: int) -> None:
            lease = AccountLease(stores[number], "demo", f"replica-{number}", clock, timedelta(seconds=60))
            start.wait()
            if lease.take():
                won.append(lease.holder)

        threads = [threading.Thread(target=race, args=(n,)) for n in range(len(stores))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(won) == 1
    finally:
        for s in stores:
            s.close()


def test_replicas_starting_together_all_record_the_accounts(database_url: str, clock) -> None:  # noqa: ANN001
    stores = [SqlAlchemyStore(database_url) for _ in range(3)]
    errors: list[Exception] = []
    start = threading.Barrier(len(stores))

    def register(store: SqlAlchemyStore) -> None:
        start.wait()
        try:
            with store.unit_of_work() as uow:
                for n in range(20):
                    uow.state.ensure_account(f"acct-{n}", "sandbox", f"me{n}@sandbox.example", clock.now())
                uow.commit()
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    try:
        threads = [threading.Thread(target=register, args=(s,)) for s in stores]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        with stores[0].unit_of_work(read_only=True) as uow:
            assert len(uow.state.accounts()) == 20
    finally:
        for s in stores:
            s.close()


def test_the_default_lease_outlives_the_gap_between_two_polls() -> None:
    assert lease_length(120, 10, None) == timedelta(seconds=2 * 120 + 10 + 60)
    assert lease_length(120, 10, 45) == timedelta(seconds=45)


def test_the_lease_of_an_ended_process_of_this_host_is_taken_at_once(store, clock) -> None:  # noqa: ANN001
    import os
    import socket
    import subprocess
    import sys

    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                           text=True, check=True)
    host = socket.gethostname()
    dead = AccountLease(store, "demo", f"{host}:{int(ended.stdout)}:dead01", clock, timedelta(seconds=600))
    assert dead.take()
    elsewhere = AccountLease(store, "demo", f"other-host:{int(ended.stdout)}:x", clock, timedelta(seconds=600))
    assert not elsewhere.take()  # another host cannot see whether that process lives: it waits
    here = AccountLease(store, "demo", f"{host}:{os.getpid()}:live01", clock, timedelta(seconds=600))
    assert here.take()
