"""Three `rapport run` replicas on one PostgreSQL, as real processes, sharing 20 sandbox accounts:
each account polled by one replica at a time, every interaction stored once, every approved draft
sent once, and a SIGKILLed replica's accounts taken over once its leases lapse."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.bootstrap import policy_from_settings
from bot.clock import SystemClock
from bot.config import Settings
from bot.services.review import approve
from bot.store.schema import drafts, interactions, poll_state
from bot.store.unit_of_work import SqlAlchemyStore
from tests.conftest import POSTGRES_URL, _postgres_schema_url
from tests.fakes import write_events

pytestmark = pytest.mark.e2e

ACCOUNTS = 20
REPLICAS = 3
LEASE = 10  # seconds (the least allowed); polls every second, so a living holder renews it ten times over


@pytest.fixture
def postgres_url() -> Iterator[str]:
    if not POSTGRES_URL:
        pytest.skip("replicas share a PostgreSQL: set RAPPORT_TEST_POSTGRES_URL (make test in CI sets it)")
    yield from _postgres_schema_url()


def _config(root: Path, url: str) -> Path:
    accounts = "".join(
        f'[[accounts]]\nname = "a{n}"\nplatform = "sandbox"\nhandle = "me{n}@sandbox.example"\n'
        f'events = "events-{n}.jsonl"\noutbox = "data/outbox-{n}.jsonl"\n'
        for n in range(ACCOUNTS)
    )
    config = root / "config.toml"
    config.write_text(
        f'data_dir = "data"\n[storage]\nurl = "{url}"\n[drafting]\nmax_age_days = 0\n'
        "[service]\npoll_interval_seconds = 1\npoll_jitter_seconds = 0\nsend_interval_seconds = 1\n"
        f"heartbeat_interval_seconds = 1\nsend_lease_seconds = 10\npoll_lease_seconds = {LEASE}\n"
        f"{accounts}", encoding="utf-8")
    return config


def _mentions(account: int, start: int, count: int) -> list[dict]:
    return [{
        "id": f"n-{account}-{i}", "type": "mention", "at": f"2026-11-{1 + i % 25:02d}T10:{i % 60:02d}:00Z",
        "author": {"id": f"u-{account}-{i}", "handle": f"p{account}x{i}@social.example", "name": f"P{i}"},
        "post": {"id": f"p-{account}-{i}", "text": f"@me Hoy hemos plantado tomates en el huerto ({account}/{i})", "lang": "es",
                 "thread": f"p-{account}-{i}"},
    } for i in range(start, start + count)]


def _start(config: Path, log: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "RAPPORT_LOGGING__FORMAT": "json"}
    with log.open("w") as out:  # a file, not a pipe: nobody reads a pipe while they run
        return subprocess.Popen([sys.executable, "-m", "bot", "--config", str(config), "run"],
                                stdout=out, stderr=subprocess.STDOUT, env=env, cwd=config.parent)


def _wait_for(condition, replicas: list[subprocess.Popen], logs: list[Path], timeout: float = 90.0) -> float:  # noqa: ANN001
    """Seconds until `condition` held; fails at once, with its log, when a replica has died."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        for process, log in zip(replicas, logs, strict=True):
            if process.poll() not in (None, -signal.SIGKILL):
                raise AssertionError(f"a replica exited {process.returncode}: {log.read_text()[-1500:]}")
        if condition():
            return time.monotonic() - started
        time.sleep(0.25)
    raise AssertionError("condition not met in time")


def _count(store: SqlAlchemyStore, table, *where) -> int:  # noqa: ANN001
    with store.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def _holders(store: SqlAlchemyStore) -> dict[str, str | None]:
    with store.engine.connect() as connection:
        return dict(connection.execute(select(poll_state.c.account, poll_state.c.lease_holder)).all())


def _polls(log: Path) -> Counter[str]:
    """How many polls of each account this replica finished."""
    polls: Counter[str] = Counter()
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("{"):
            event = json.loads(line)
            if event.get("event") == "poll.done":
                polls[event["account"]] += 1
    return polls


def test_three_replicas_share_twenty_accounts_and_take_over_a_killed_ones(tmp_path: Path, postgres_url: str) -> None:
    for n in range(ACCOUNTS):
        write_events(tmp_path / f"events-{n}.jsonl", _mentions(n, 0, 5))
    config = _config(tmp_path, postgres_url)
    logs = [tmp_path / f"replica-{r}.log" for r in range(REPLICAS)]
    replicas = [_start(config, log) for log in logs]
    store = SqlAlchemyStore(postgres_url)
    try:
        # Every interaction stored once, every message drafted once, each account polled by one replica.
        _wait_for(lambda: _count(store, drafts) == ACCOUNTS * 5, replicas, logs)
        assert _count(store, interactions) == ACCOUNTS * 5
        polls = [_polls(log) for log in logs]
        for n in range(ACCOUNTS):
            pollers = [r for r in range(REPLICAS) if polls[r][f"a{n}"]]
            assert len(pollers) == 1, (f"a{n}", pollers)

        # Every approved draft sent once, whichever replica claims it.
        with store.unit_of_work(read_only=True) as uow:
            pending = [d.id for d in uow.drafts.list()]
        policy = policy_from_settings(Settings())
        for draft_id in pending:
            approve(store, draft_id, policy=policy, clock=SystemClock(), actor="test")
        _wait_for(lambda: _count(store, drafts, drafts.c.status == "sent") == len(pending), replicas, logs)
        sent = Counter(json.loads(line)["idempotency_key"]
                       for n in range(ACCOUNTS) for line in (tmp_path / "data" / f"outbox-{n}.jsonl").read_text(
                           encoding="utf-8").splitlines())
        assert len(sent) == len(pending) and set(sent.values()) == {1}

        # A replica SIGKILLed: its accounts are polled by the others once its leases lapse.
        holders = _holders(store)
        instances = Counter(holders.values())
        victim_instance = instances.most_common(1)[0][0]
        victim = next(r for r in range(REPLICAS) if replicas[r].pid == int(victim_instance.split(":")[1]))
        orphans = sorted(account for account, holder in holders.items() if holder == victim_instance)
        replicas[victim].send_signal(signal.SIGKILL)
        replicas[victim].wait(timeout=10)
        for n in range(ACCOUNTS):
            write_events(tmp_path / f"events-{n}.jsonl", _mentions(n, 5, 3), mode="a")
        took = _wait_for(lambda: _count(store, interactions, interactions.c.direction == "in") == ACCOUNTS * 8,
                         replicas, logs)
        assert took < LEASE + 10  # the lease, a poll interval, and the replicas' own pace
        after = _holders(store)
        assert all(after[account] not in (None, victim_instance) for account in orphans), after
        assert _count(store, interactions, interactions.c.direction == "in") == ACCOUNTS * 8
    finally:
        for process in replicas:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in replicas:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        store.close()
    survivors = [r for r in range(REPLICAS) if r != victim]
    assert all(replicas[r].returncode == 0 for r in survivors), [logs[r].read_text()[-2000:] for r in survivors]
    polls_after = defaultdict(set)
    for r in survivors:
        for account in _polls(logs[r]):
            polls_after[account].add(r)
    assert set(orphans) <= set(polls_after)  # the survivors polled the orphans
