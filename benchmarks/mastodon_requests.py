"""How many HTTP requests MastodonClient spends, counted on a loopback Mastodon.

Budget, for N new notifications and pages of 80 (Mastodon's maximum for notifications):
  floor(N / 80) + 1 requests. A page shorter than 80 ends the walk; when N is a multiple of 80,
  the last full page is followed by one empty page. So 1,000 mentions cost 13 requests
  (12 full pages, then one of 40), and 960 cost 13 too (12 full pages, then an empty one).
  No profile lookups: each notification carries its author's account.
An idle poll and the first poll of an account cost one request each.

The notifications are the recorded mention from tests/fixtures/mastodon, given new ids and
100 distinct authors. Run: python benchmarks/mastodon_requests.py (exits 1 when over budget).
"""

from __future__ import annotations

import importlib.util
import logging
import sys
from pathlib import Path
from typing import Any

from pytest_httpserver import HTTPServer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.platforms.mastodon import MastodonClient  # noqa: E402

PAGE = 80


def _replay() -> Any:
    path = ROOT / "tests" / "integration" / "platforms" / "mastodon_replay.py"
    spec = importlib.util.spec_from_file_location("mastodon_replay", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def mentions(replay: Any, count: int, people: int) -> list[dict[str, Any]]:
    return [
        replay.notification(n, account_id=str(2_000 + n % people), username=f"person{n % people}")
        for n in range(1, count + 1)
    ]


def count_requests(server: HTTPServer, run: Any) -> tuple[int, Any]:
    server.clear_log()
    result = run()
    return len(server.log), result


def drain(client: MastodonClient, cursor: str | None) -> tuple[list[str], set[str]]:
    ids, handles, more = [], set(), True
    while more:
        batch = client.fetch_new(cursor)
        ids += [i.id for i in batch.interactions]
        handles |= {i.person.handle for i in batch.interactions}
        cursor, more = batch.cursor, batch.more
    return ids, handles


def main() -> int:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    replay = _replay()
    server = HTTPServer(host="127.0.0.1")
    server.start()
    try:
        timeline = replay.NotificationTimeline([], server.url_for("/")).install(server)
        client = MastodonClient(account="bench", handle="mastodonpy_test@localhost:3000",
                                base_url=server.url_for("/").rstrip("/"), access_token="benchmark",
                                page_limit=PAGE, log=_Quiet())
        checks = []
        for count in (1_000, 960):
            timeline.items = mentions(replay, count, people=100)
            used, (ids, handles) = count_requests(server, lambda: drain(client, "0"))
            budget = count // PAGE + 1
            correct = ids == [str(n) for n in range(1, count + 1)] and len(handles) == 100
            checks.append((f"ingest {count} mentions from {len(handles)} people", used, budget, correct))
        used, batch = count_requests(server, lambda: client.fetch_new(str(len(timeline.items))))
        checks.append(("idle poll", used, 1, not batch.interactions))
        used, batch = count_requests(server, lambda: client.fetch_new(None))
        checks.append(("first poll (no cursor)", used, 1, batch.cursor == str(len(timeline.items))))
        client.close()
    finally:
        server.stop()
    return report(checks)


def report(checks: list[tuple[str, int, int, bool]]) -> int:
    failed = False
    for name, used, budget, correct in checks:
        verdict = "ok" if used <= budget and correct else "OVER BUDGET" if correct else "WRONG RESULT"
        failed |= verdict != "ok"
        print(f"{name:<40} {used:>3} requests (budget {budget:>3})  {verdict}")
    return 1 if failed else 0


class _Quiet:
    def bind(self, **_: Any) -> _Quiet:
        return self

    def __getattr__(self, _: str) -> Any:
        return lambda *args, **kwargs: None


if __name__ == "__main__":
    sys.exit(main())
