"""`rapport run` as a real process: clean stop on SIGTERM, and nothing lost or doubled on SIGKILL."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from bot.store.unit_of_work import SqlAlchemyStore
from tests.e2e.conftest import Rapport, write_config
from tests.fakes import write_events

pytestmark = pytest.mark.e2e

FAST = """
[drafting]
max_age_days = 0
[service]
poll_interval_seconds = 1
poll_jitter_seconds = 0
send_interval_seconds = 1
heartbeat_interval_seconds = 1
send_lease_seconds = 10
"""


def _events(count: int, start: int = 0) -> list[dict]:
    people = [{"id": f"u-{i}", "handle": f"p{i}@social.example", "name": f"P{i}", "bio": ""} for i in range(50)]
    return [{
        "id": f"n-{i}", "type": "mention", "at": f"2026-11-{1 + i % 25:02d}T10:{i % 60:02d}:00Z",
        "author": people[i % len(people)],
        "post": {"id": f"p-{i}", "text": f"@me ¡Buen hilo! número {i}", "lang": "es", "thread": f"p-{i}"},
    } for i in range(start, start + count)]


def _start(config: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "bot", "--config", str(config), "run"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)


def _wait_for(condition, timeout: float = 30.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


def _store(root: Path) -> SqlAlchemyStore:
    return SqlAlchemyStore(f"sqlite:///{root / 'data' / 'rapport.db'}")


def test_sigterm_stops_the_service_cleanly_within_seconds(tmp_path: Path) -> None:
    write_events(tmp_path / "events.jsonl", _events(20))
    config = write_config(tmp_path, FAST)
    rapport = Rapport(tmp_path, config)
    process = _start(config)
    try:
        _wait_for(lambda: rapport("health").exit_code == 0)
        _wait_for(lambda: len(rapport.json("queue", "list")) == 20)
        process.send_signal(signal.SIGTERM)
        started = time.monotonic()
        process.wait(timeout=15)
        assert time.monotonic() - started < 10
    finally:
        process.kill()
    _, stderr = process.communicate()
    assert process.returncode == 0, stderr
    events = [json.loads(line)["event"] for line in stderr.splitlines() if line.startswith("{")]
    assert "service.started" in events and events[-1] == "service.stopped"
    assert rapport("health").exit_code == 1  # a stopped service no longer claims to be healthy


def test_sigkill_at_any_moment_loses_nothing_and_posts_nothing_twice(tmp_path: Path) -> None:
    events_file = tmp_path / "events.jsonl"
    write_events(events_file, _events(60))
    config = write_config(tmp_path, FAST)
    rapport = Rapport(tmp_path, config)
    assert rapport("run", "--once").exit_code == 0
    approved = [d["id"] for d in rapport.json("queue", "list")]
    for draft_id in approved:
        assert rapport("queue", "approve", draft_id).exit_code == 0
    total = 60
    rng = random.Random(7)
    for round_ in range(6):
        write_events(events_file, _events(400, start=total), mode="a")
        total += 400
        process = _start(config)
        time.sleep(rng.uniform(0.3, 2.5))
        process.kill()
        process.wait(timeout=10)
    time.sleep(10.5)  # let the claims of killed senders lapse (send_lease_seconds = 10)
    assert rapport("run", "--once").exit_code == 0
    store = _store(tmp_path)
    with store.unit_of_work() as uow:
        stored = sum(len(uow.interactions.for_contact(c.id, limit=100000)) for c in uow.contacts.list())
        statuses = Counter(d.status.value for d in uow.drafts.list() if d.id in approved)
    store.close()
    sent_lines = Counter(line["idempotency_key"] for line in rapport.outbox)
    assert stored == total + len(approved)  # every event, plus our own sent replies
    assert statuses == {"sent": len(approved)}
    assert len(sent_lines) == len(approved) and set(sent_lines.values()) == {1}
