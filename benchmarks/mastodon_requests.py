"""How many HTTP requests rapport spends on Mastodon: a poll and the profile refresh after it,
through MastodonClient, the ingest and profile services and a SQLite store, counted on the
loopback Mastodon of the tests (tests/integration/platforms/mastodon_fake.py, recorded answers).

For N new mentions from P new people, with pages of 80 (Mastodon's maximum for notifications):
  pages = floor(N / 80) + 1: a page shorter than 80 ends the walk; when N is a multiple of 80,
  the last full page is followed by one empty page.
  floor = pages + P: one request per new person, as the issue counts it.
  budget = pages + ceil(P / 40): a notification carries its author's whole account, so a new
  person costs no account lookup, and the private notes of 40 people come in one `relationships`
  call. Before that (until 2026-12-07) each person cost two: an account lookup and a relationships call.
An idle poll and the first poll of an account cost one request each.

Run: python benchmarks/mastodon_requests.py (exits 1 when over budget).
"""

from __future__ import annotations

import importlib
import logging
import math
import sys
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pytest_httpserver import HTTPServer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "tests" / "integration" / "platforms"))  # mastodon_fake, mastodon_replay

from bot.bootstrap import policy_from_settings  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.platforms.mastodon import MastodonClient  # noqa: E402
from bot.services.ingest import poll_account  # noqa: E402
from bot.services.profiles import refresh_profiles  # noqa: E402
from bot.store.unit_of_work import SqlAlchemyStore  # noqa: E402

PAGE = 80
NOTES_PER_CALL = 40
SCENARIOS = ((1_000, 100), (960, 100), (170, 21))  # (mentions, people); 170 from 21: the first run


class _Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def serve(server: HTTPServer, count: int, people: int) -> Any:
    """The loopback Mastodon with `count` mentions, person n % `people` writing mention n."""
    fake = importlib.import_module("mastodon_fake")
    server.clear()
    mastodon = fake.FakeMastodon(fake.MASTODON, server.url_for("/").rstrip("/")).install(server)
    for n in range(1, count + 1):
        mastodon.mention(n, username=f"person{n % people}", account_id=str(3_000 + n % people))
    return mastodon


def client_of(mastodon: Any) -> MastodonClient:
    return MastodonClient(account="bench", handle="mastodonpy_test@localhost:3000", base_url=mastodon.base_url,
                          access_token=importlib.import_module("mastodon_fake").TOKEN, page_limit=PAGE,
                          log=_Quiet())


def run(mastodon: Any, count: int, people: int) -> tuple[Counter[str], bool]:
    """One poll of `count` new mentions and its profile refresh: the requests by kind, and whether
    every mention was stored and every profile refreshed."""
    client = client_of(mastodon)
    clock, policy = _Clock(), policy_from_settings(Settings())
    with tempfile.TemporaryDirectory() as tmp:
        store = SqlAlchemyStore(f"sqlite:///{Path(tmp) / 'bench.db'}")
        with store.unit_of_work() as uow:
            uow.state.ensure_account("bench", "mastodon", "mastodonpy_test@localhost:3000", clock.now())
            uow.state.save_poll_state("bench", cursor="0")
            uow.commit()
        report = poll_account(store, client, "bench", clock=clock, policy=policy, log=_Quiet())
        refreshed = refresh_profiles(store, client, report.contacts, clock=clock, policy=policy, log=_Quiet())
        store.close()
    client.close()
    kinds = Counter(_kind(path) for _, path in mastodon.requests)
    return kinds, report.stored == count and refreshed == people


def _kind(path: str) -> str:
    if path == "/api/v1/notifications":
        return "pages"
    if path == "/api/v1/accounts/relationships":
        return "notes"
    return "accounts" if path.startswith("/api/v1/accounts/") else path


def main() -> int:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    server = HTTPServer(host="127.0.0.1")
    server.start()
    failed = False
    try:
        for count, people in SCENARIOS:
            kinds, correct = run(serve(server, count, people), count, people)
            used, pages = sum(kinds.values()), count // PAGE + 1
            budget = pages + math.ceil(people / NOTES_PER_CALL)
            failed |= report(f"{count} mentions from {people} people", used, budget, correct,
                             f"{kinds['pages']} pages, {kinds['accounts']} account lookups, {kinds['notes']} "
                             f"relationships; {used * 1000 / count:.1f} per 1,000 mentions; floor {pages + people}")
        mastodon = serve(server, 100, 10)
        client = client_of(mastodon)
        batch = client.fetch_new("100")
        failed |= report("idle poll", len(mastodon.requests), 1, not batch.interactions)
        batch = client.fetch_new(None)
        failed |= report("first poll (no cursor)", len(mastodon.requests) - 1, 1, batch.cursor == "100")
        client.close()
    finally:
        server.stop()
    return 1 if failed else 0


def report(name: str, used: int, budget: int, correct: bool, detail: str = "") -> bool:
    verdict = "ok" if used <= budget and correct else "OVER BUDGET" if correct else "WRONG RESULT"
    print(f"{name:<34} {used:>4} requests (budget {budget:>3})  {verdict}" + (f"  [{detail}]" if detail else ""))
    return verdict != "ok"


class _Quiet:
    def bind(self, **_: Any) -> _Quiet:
        return self

    def __getattr__(self, _: str) -> Any:
        return lambda *args, **kwargs: None


if __name__ == "__main__":
    sys.exit(main())
