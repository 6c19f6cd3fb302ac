"""How many XRPC requests BlueskyClient spends, counted with respx (no network).

Budget, for N new notifications since the cursor, W notifications already handed over within the
overlap (10 minutes) before the cursor's mark, and pages of 100 (listNotifications' maximum):
  floor((N + W) / 100) + 1 listNotifications calls. Pages run newest to oldest; the walk re-reads
  the overlap (late-indexed posts sort below the mark) and stops on the first page that reaches
  past it, or has no next cursor. The last page is the one that shows where the overlap ends:
  1,000 mentions with W = 50 cost 11 list calls (10 full pages, then one with the 50 seen and the
  first older one); 950 with W = 50 cost 11 too (10 full pages of new and seen, then the page
  that shows the end of the overlap); 1,000 with W = 0 cost 11 (the 11th page shows it).
  An account whose whole history is shorter costs one more call at its end, an empty page:
  the AppView gives a next-page cursor after every non-empty page.
  Plus 1 updateSeen call (the poll first marks the previous batch seen), and no login.
  Profiles: 0 calls while polling, and 0 in the profile refresh after it: each notification
  carries its author's profile view, bio included. A day later, the refresh of the same P people
  pays ceil(P / 25) getProfiles calls (until 2026-12-07 the refresh asked for one person per call).
  Floor, as the issue counts it: list calls plus one request per new person.
The polls and refreshes run through the ingest and profile services on a SQLite store.

The notifications are the mention from the reference AppView's snapshot in tests/fixtures/bluesky,
given new uris, times and 100 distinct authors. Run: python benchmarks/bluesky_requests.py
(exits 1 when over budget).
"""

from __future__ import annotations

import base64
import copy
import json
import math
import re
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import respx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.bootstrap import policy_from_settings  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.platforms.bluesky import BlueskyClient  # noqa: E402
from bot.services.ingest import poll_account  # noqa: E402
from bot.services.profiles import refresh_profiles  # noqa: E402
from bot.store.unit_of_work import SqlAlchemyStore  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "bluesky"
SNAPSHOT = FIXTURES / "bsky-appview-snapshots" / "notifications.test.ts.snap"
SERVICE = "https://pds.benchmark.example"
OUR_DID = "did:plc:rapportbenchmark"
PAGE = 100
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def _mention_template() -> dict[str, Any]:
    text = SNAPSHOT.read_text(encoding="utf-8")
    name = "notification views > fetches notifications without a last-seen 1"
    block = re.search(r"exports\[`" + re.escape(name) + r"`\] = `\n(.*?)\n`;", text, re.S).group(1)
    items = json.loads(re.sub(r",(\s*[}\]])", r"\1", block))
    return next(item for item in items if item["reason"] == "mention")


def notifications(count: int, people: int, seen: int, long_ago: int = 200) -> list[dict[str, Any]]:
    """Newest first: `count` new mentions by `people` authors, `seen` ones a second apart before
    them (handed over by the previous poll), then `long_ago` ones a day older and an hour apart."""
    template, items = _mention_template(), []
    for n in range(count + seen + long_ago):
        item = copy.deepcopy(template)
        did = f"did:plc:person{n % people:04d}"
        person = n % people
        item["author"].update(did=did, handle=f"person{person}.test", description=f"Bio of person {person}")
        item["uri"] = f"at://{did}/app.bsky.feed.post/3kbench{n:06d}"
        item["cid"] = f"bafyreibench{n}"
        old = max(0, n - count - seen + 1)
        at = NOW - timedelta(seconds=n) - (timedelta(days=1) + timedelta(hours=old) if old else timedelta())
        item["indexedAt"] = at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        item["record"]["createdAt"] = item["indexedAt"]
        items.append(item)
    return items


def serve_pages(items: list[dict[str, Any]]):
    def answer(request: httpx.Request) -> httpx.Response:
        start = int(request.url.params.get("cursor") or 0)
        limit = int(request.url.params.get("limit") or 50)
        page = items[start : start + limit]
        body: dict[str, Any] = {"notifications": page}
        if page:  # as the AppView does: a cursor after any non-empty page, even the last one
            body["cursor"] = str(start + limit)
        return httpx.Response(200, json=body)

    return answer


def serve_profiles(items: list[dict[str, Any]]):
    authors = {item["author"]["did"]: item["author"] for item in items}

    def answer(request: httpx.Request) -> httpx.Response:
        asked = request.url.params.get_list("actors")
        assert len(asked) <= 25, "getProfiles takes at most 25 actors"
        return httpx.Response(200, json={"profiles": [authors[did] for did in asked if did in authors]})

    return answer


def _session_file(directory: Path) -> Path:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    exp = int((datetime.now(UTC) + timedelta(hours=2)).timestamp())
    token = ".".join([part({"typ": "at+jwt"}), part({"sub": OUR_DID, "exp": exp}), "c2ln"])
    path = directory / "benchmark.bluesky-session"
    path.write_text(":::".join(["rapport.test", OUR_DID, token, token, SERVICE]))
    return path


class _Clock:
    def __init__(self) -> None:
        self.at = NOW

    def now(self) -> datetime:
        return self.at


def run(count: int, people: int, seen: int) -> dict[str, int]:
    items = notifications(count, people, seen)
    clock, policy = _Clock(), policy_from_settings(Settings())
    with respx.mock(assert_all_called=False) as mock, tempfile.TemporaryDirectory() as tmp:
        listing = mock.get(f"{SERVICE}/xrpc/app.bsky.notification.listNotifications")
        listing.mock(side_effect=serve_pages(items[count:]))  # the poll before: only the older ones
        seen_route = mock.post(f"{SERVICE}/xrpc/app.bsky.notification.updateSeen")
        seen_route.mock(return_value=httpx.Response(200))
        profiles = mock.get(f"{SERVICE}/xrpc/app.bsky.actor.getProfiles")
        profiles.mock(side_effect=serve_profiles(items))
        login = mock.post(f"{SERVICE}/xrpc/com.atproto.server.createSession")
        client = BlueskyClient(account="bench", handle="rapport.test", password=None, service=SERVICE,
                               session_path=_session_file(Path(tmp)), clock=clock, log=_Quiet())
        store = SqlAlchemyStore(f"sqlite:///{Path(tmp) / 'bench.db'}")
        with store.unit_of_work() as uow:
            uow.state.ensure_account("bench", "bluesky", "rapport.test", clock.now())
            uow.commit()

        def poll_and_refresh() -> tuple[Any, int]:
            report = poll_account(store, client, "bench", clock=clock, policy=policy, log=_Quiet())
            return report, refresh_profiles(store, client, report.contacts, clock=clock, policy=policy, log=_Quiet())

        poll_and_refresh()  # the first poll: it only marks where "new" starts
        listing.reset()
        listing.mock(side_effect=serve_pages(items))
        report, refreshed = poll_and_refresh()
        after_poll_profiles = profiles.call_count
        clock.at += timedelta(days=1)  # the profiles are a day old: the refresh asks for them again
        again = refresh_profiles(store, client, report.contacts, clock=clock, policy=policy, log=_Quiet())
        store.close()
        client.close()
    assert report.stored == report.fetched == count, "lost or repeated"
    assert refreshed == again == people, "the benchmark must refresh every profile"
    return {"list": listing.call_count, "seen": seen_route.call_count, "login": login.call_count,
            "profiles_after_poll": after_poll_profiles, "profiles_a_day_later": profiles.call_count - after_poll_profiles,
            "people": len(report.contacts)}


class _Quiet:
    def bind(self, **_: Any) -> _Quiet:
        return self

    def __getattr__(self, _: str) -> Any:
        return lambda *args, **kwargs: None


def main() -> int:
    over = False
    for count, people, seen in ((1000, 100, 50), (950, 100, 50), (1000, 100, 0), (120, 30, 5)):
        counts = run(count, people, seen)
        in_overlap = seen or 1  # with none seen lately, the mark is the newest old one, alone in its overlap
        budget = {"list": (count + in_overlap) // PAGE + 1, "seen": 1, "login": 0, "profiles_after_poll": 0,
                  "profiles_a_day_later": math.ceil(counts["people"] / 25)}
        verdicts = [f"{key} {counts[key]}/{limit}" for key, limit in budget.items()]
        failed = [key for key, limit in budget.items() if counts[key] > limit]
        over = over or bool(failed)
        used = counts["list"] + counts["seen"] + counts["login"] + counts["profiles_after_poll"]
        floor = counts["list"] + counts["people"]
        print(f"{count} new mentions from {counts['people']} people, {in_overlap} seen in the overlap: "
              + ", ".join(verdicts)
              + f"; poll and refresh {used} requests, {used * 1000 / count:.1f} per 1,000 mentions, floor {floor}"
              + (f"  OVER BUDGET: {', '.join(failed)}" if failed else "  ok"))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
