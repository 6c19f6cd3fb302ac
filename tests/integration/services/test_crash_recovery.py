"""Crash recovery of the sender, on the sandbox platform and the real store.

A sender claims one draft at a time. At the start of a pass it hands back the claims of ended
processes of its own host at once; those drafts are checked on the platform before any repost.
Claims of live processes, and of other hosts, wait for the lease.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.bootstrap import policy_from_settings
from bot.config import Settings
from bot.domain.drafts import Draft, DraftStatus
from bot.domain.models import OutgoingReply, PostedReply
from bot.drafting.template import TemplateDrafter
from bot.platforms.sandbox import SandboxClient
from bot.services.refresh import refresh_account
from bot.services.review import approve
from bot.services.sending import SendOptions, SendReport, outgoing, send_approved
from bot.store.unit_of_work import SqlAlchemyStore
from tests.fakes import FakeClock, RecordingLog, write_events

POLICY = policy_from_settings(Settings())
HOST = socket.gethostname()
LEASE = timedelta(minutes=5)


class Crash(Exception):
    """Stands for the process dying in the middle of a post."""


class WatchedSandbox(SandboxClient):
    """The sandbox, noting how many drafts are `sending` whenever one is posted; it can crash on the nth post."""

    def __init__(self, store: SqlAlchemyStore, root: Path, crash_on: int | None = None) -> None:
        super().__init__(account="demo", handle="me@sandbox.example", events=root / "events.jsonl",
                         outbox=root / "outbox.jsonl")
        self.store, self.crash_on, self.in_flight = store, crash_on, []

    def post_reply(self, reply: OutgoingReply) -> PostedReply:
        self.in_flight.append(len(in_status(self.store, DraftStatus.SENDING)))
        if len(self.in_flight) == self.crash_on:
            raise Crash(reply.draft_id)
        return super().post_reply(reply)

    def outbox_keys(self) -> Counter[str]:
        """How many times each reply went out, by its idempotency key."""
        if not self.outbox.exists():
            return Counter()
        lines = self.outbox.read_text(encoding="utf-8").splitlines()
        return Counter(json.loads(line)["idempotency_key"] for line in lines)


@pytest.fixture
def clock() -> FakeClock:
    """Real time: claims are compared with the start times of real processes."""
    return FakeClock(datetime.now(timezone.utc))


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen]:
    """A live process of this host that is not this one."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    yield process
    process.kill()
    process.wait()


def dead_pid() -> int:
    """The pid of a process that has ended and been reaped."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def approved(store: SqlAlchemyStore, root: Path, clock: FakeClock, count: int, first: int = 0) -> list[Draft]:
    """`count` new mentions from as many people, drafted and approved; every approved draft."""
    start = clock.now() - timedelta(hours=1)
    write_events(root / "events.jsonl", [{
        "id": f"n-{i}", "type": "mention", "at": (start + timedelta(minutes=i)).isoformat(),
        "author": {"id": f"u-{i}", "handle": f"p{i}@social.example", "name": f"P{i}", "bio": ""},
        "post": {"id": f"p-{i}", "text": f"@me ¡Buen hilo! número {i}", "lang": "es", "thread": f"p-{i}"},
    } for i in range(first, first + count)], mode="a")
    refresh_account(store, WatchedSandbox(store, root), TemplateDrafter(), "demo", clock=clock, policy=POLICY,
                    log=RecordingLog(), backfill_days=0, max_age=None, suggestions=1)
    for draft in in_status(store, DraftStatus.PENDING):
        approve(store, draft.id, policy=POLICY, clock=clock, actor="test")
    drafts = in_status(store, DraftStatus.APPROVED)
    assert len(drafts) >= count
    return drafts


def in_status(store: SqlAlchemyStore, status: DraftStatus) -> list[Draft]:
    with store.unit_of_work() as uow:
        return uow.drafts.list(status=status)


def claim(store: SqlAlchemyStore, claimer: str, clock: FakeClock, limit: int = 1) -> list[Draft]:
    with store.unit_of_work() as uow:
        claimed = uow.drafts.claim_sendable(claimer, clock.now(), LEASE, limit=limit)
        uow.commit()
    return claimed


def send(store: SqlAlchemyStore, platform: WatchedSandbox, clock: FakeClock, *, owner: str | None = None,
         lease: timedelta = LEASE, log: RecordingLog | None = None) -> SendReport:
    owner = owner or f"{HOST}:{os.getpid()}:{os.urandom(3).hex()}"
    return send_approved(store, {"demo": platform}, policy=POLICY, clock=clock,
                         options=SendOptions(owner=owner, lease=lease), log=log or RecordingLog())


def test_a_dead_local_claimers_drafts_are_sent_at_once_and_none_twice(store, clock, tmp_path) -> None:  # noqa: ANN001
    platform = WatchedSandbox(store, tmp_path)
    approved(store, tmp_path, clock, 3)
    first, _ = claim(store, f"{HOST}:{dead_pid()}:dead01", clock, limit=2)  # a batch, as older senders took
    platform.post_reply(outgoing(first))  # it posted one of them, then died before recording it
    log = RecordingLog()
    report = send(store, platform, clock, log=log)
    assert (report.sent, report.deferred) == (3, 0)
    assert [e["drafts"] for e in log.named("send.released_dead_claims")] == [2]
    assert [e["draft"] for e in log.named("send.found_earlier")] == [first.id]
    assert len(in_status(store, DraftStatus.SENT)) == 3
    assert sorted(platform.outbox_keys().values()) == [1, 1, 1]


def test_a_claim_left_under_our_pid_by_an_earlier_instance_is_released_but_not_our_own(
    store, clock, tmp_path,  # noqa: ANN001
) -> None:
    """A restarted container runs the service under the same pid again: that pid is not proof of life."""
    platform = WatchedSandbox(store, tmp_path)
    approved(store, tmp_path, clock, 2)
    owner = f"{HOST}:{os.getpid()}:now001"
    send(store, platform, clock, owner=owner)  # this process sends as `owner` ...
    assert platform.outbox_keys().total() == 2
    more = approved(store, tmp_path, clock, 2, first=2)
    earlier, = claim(store, f"{HOST}:{os.getpid()}:old001", clock)
    ours, = claim(store, owner, clock)  # ... and holds a claim itself, say in another thread
    assert {earlier.id, ours.id} == {d.id for d in more}
    report = send(store, platform, clock, owner=owner)
    assert report.sent == 1
    assert [d.id for d in in_status(store, DraftStatus.SENDING)] == [ours.id]


def test_a_claim_of_a_running_local_process_keeps_its_lease(store, clock, tmp_path, sleeper) -> None:  # noqa: ANN001
    platform = WatchedSandbox(store, tmp_path)
    approved(store, tmp_path, clock, 1)
    claim(store, f"{HOST}:{sleeper.pid}:live01", clock)
    assert send(store, platform, clock).sent == 0
    assert len(in_status(store, DraftStatus.SENDING)) == 1
    clock.advance(minutes=6)
    assert send(store, platform, clock).sent == 1
    assert list(platform.outbox_keys().values()) == [1]


def test_a_claim_whose_pid_now_belongs_to_a_later_process_is_released(
    store, clock, tmp_path, sleeper,  # noqa: ANN001
) -> None:
    platform = WatchedSandbox(store, tmp_path)
    approved(store, tmp_path, clock, 1)
    now = clock.now()
    clock.set(now - timedelta(hours=1))  # claimed an hour before the process now holding that pid started
    claim(store, f"{HOST}:{sleeper.pid}:gone01", clock)
    clock.set(now)
    assert send(store, platform, clock, lease=timedelta(hours=2)).sent == 1
    assert list(platform.outbox_keys().values()) == [1]


def test_a_claim_held_by_a_zombie_is_released(store, clock, tmp_path) -> None:  # noqa: ANN001
    if not Path("/proc/self/stat").exists():
        pytest.skip("process states come from Linux's /proc")
    platform = WatchedSandbox(store, tmp_path)
    approved(store, tmp_path, clock, 1)
    zombie = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        deadline = time.monotonic() + 10
        while Path(f"/proc/{zombie.pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
            assert time.monotonic() < deadline, "the child never ended"
            time.sleep(0.05)
        claim(store, f"{HOST}:{zombie.pid}:zomb01", clock)
        assert send(store, platform, clock).sent == 1
    finally:
        zombie.wait()


def test_another_hosts_claim_waits_for_the_lease(store, clock, tmp_path) -> None:  # noqa: ANN001
    """Whether a process of another host lives cannot be told from here, whatever its pid is here."""
    platform = WatchedSandbox(store, tmp_path)
    approved(store, tmp_path, clock, 1)
    claim(store, f"elsewhere-{HOST}:{dead_pid()}:away01", clock)
    assert send(store, platform, clock).sent == 0
    clock.advance(minutes=4)
    assert send(store, platform, clock).sent == 0
    clock.advance(minutes=2)
    assert send(store, platform, clock).sent == 1
    assert list(platform.outbox_keys().values()) == [1]


def test_a_sender_holds_one_claim_at_a_time(store, clock, tmp_path) -> None:  # noqa: ANN001
    platform = WatchedSandbox(store, tmp_path)
    approved(store, tmp_path, clock, 25)
    assert send(store, platform, clock).sent == 25
    assert platform.in_flight == [1] * 25
    assert sorted(set(platform.outbox_keys().values())) == [1] and platform.outbox_keys().total() == 25


def test_a_crash_mid_pass_strands_one_draft_which_the_next_pass_sends_at_once(
    store, clock, tmp_path,  # noqa: ANN001
) -> None:
    approved(store, tmp_path, clock, 25)
    with pytest.raises(Crash):
        send(store, WatchedSandbox(store, tmp_path, crash_on=4), clock, owner=f"{HOST}:{dead_pid()}:crash1")
    assert len(in_status(store, DraftStatus.SENDING)) == 1
    platform = WatchedSandbox(store, tmp_path)
    assert send(store, platform, clock).sent == 22
    assert len(in_status(store, DraftStatus.SENT)) == 25
    assert set(platform.outbox_keys().values()) == {1} and platform.outbox_keys().total() == 25
