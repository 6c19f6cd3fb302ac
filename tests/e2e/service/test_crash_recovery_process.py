"""`rapport run --once` SIGKILLed while approved replies go out: the next passes finish the job at once.

A sender holds one claim at a time, and hands back the claims of its host's dead processes
without waiting for the lease (300 seconds here, far longer than the test).
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from bot.bootstrap import policy_from_settings
from bot.clock import SystemClock
from bot.config import Settings
from bot.domain.drafts import DraftStatus
from bot.services.review import approve
from bot.store.unit_of_work import SqlAlchemyStore
from tests.e2e.conftest import Rapport, write_config
from tests.fakes import write_events

pytestmark = pytest.mark.e2e

REPLIES = 40
KILLS = 8


def _mentions(count: int) -> list[dict]:
    """One mention from each of `count` people, so that no per-contact limit holds a reply back."""
    return [{
        "id": f"n-{i}", "type": "mention", "at": f"2026-11-{1 + i % 25:02d}T10:{i % 60:02d}:00Z",
        "author": {"id": f"u-{i}", "handle": f"p{i}@social.example", "name": f"P{i}", "bio": ""},
        "post": {"id": f"p-{i}", "text": f"@me ¡Buen hilo! número {i}", "lang": "es", "thread": f"p-{i}"},
    } for i in range(count)]


def _run_once(config: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "bot", "--config", str(config), "run", "--once"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _outbox_keys(outbox: Path) -> Counter[str]:
    """How many times each reply went out; every line must be whole, a kill mid-write included."""
    if not outbox.exists():
        return Counter()
    return Counter(json.loads(line)["idempotency_key"] for line in outbox.read_text(encoding="utf-8").splitlines())


def _kill_while_sending(config: Path, outbox: Path, rng: random.Random) -> int:
    """Start a pass, SIGKILL it at a random moment once it is posting; how many replies are out then.

    Start-up takes seconds and a reply a few milliseconds, so the moment is drawn in posts: after
    one to three new ones, and up to 20 ms more. A pass that ends first (nothing left) is not killed.
    """
    wanted = _lines(outbox) + rng.randint(1, 3)
    process = _run_once(config)
    deadline = time.monotonic() + 60
    while process.poll() is None and _lines(outbox) < wanted:
        assert time.monotonic() < deadline, "the pass neither posted nor ended"
        time.sleep(0.002)
    time.sleep(rng.uniform(0.0, 0.02))
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    return _lines(outbox)


def _lines(outbox: Path) -> int:
    """Whole lines so far: the one being written may be read half-way."""
    return outbox.read_bytes().count(b"\n") if outbox.exists() else 0


def _approve(database_url: str, ids: list[str]) -> None:
    """Through the use case, not 40 `queue approve` commands: a second each, and not what is tested here."""
    store, policy = SqlAlchemyStore(database_url), policy_from_settings(Settings())  # the config sets no policy
    try:
        for draft_id in ids:
            approve(store, draft_id, policy=policy, clock=SystemClock(), actor="test")
    finally:
        store.close()


def _statuses(database_url: str, ids: list[str]) -> Counter[str]:
    store = SqlAlchemyStore(database_url)
    try:
        with store.unit_of_work() as uow:
            return Counter(uow.drafts.get(draft_id).status.value for draft_id in ids)
    finally:
        store.close()


def test_sigkilled_passes_strand_at_most_one_reply_and_two_more_passes_send_all_once(
    tmp_path: Path, database_url: str,
) -> None:
    write_events(tmp_path / "events.jsonl", _mentions(REPLIES))
    config = write_config(tmp_path, f'[storage]\nurl = "{database_url}"\n[drafting]\nmax_age_days = 0\n')
    rapport = Rapport(tmp_path, config)
    outbox = tmp_path / "data" / "sandbox-outbox.jsonl"
    assert rapport("run", "--once").exit_code == 0
    approved = [d["id"] for d in rapport.json("queue", "list")]
    assert len(approved) == REPLIES
    _approve(database_url, approved)
    rng = random.Random(14)
    out_after_kills = [_kill_while_sending(config, outbox, rng) for _ in range(KILLS)]
    assert out_after_kills[0] < REPLIES, "the first kill came too late to test anything"
    assert _statuses(database_url, approved)[DraftStatus.SENDING.value] <= 1
    for _ in range(2):
        process = _run_once(config)
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
    assert _statuses(database_url, approved) == {DraftStatus.SENT.value: REPLIES}
    sent = _outbox_keys(outbox)
    assert sorted(sent) == sorted(f"rapport-{draft_id}" for draft_id in approved)
    assert set(sent.values()) == {1}
