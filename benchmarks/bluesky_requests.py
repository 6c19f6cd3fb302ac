"""How many XRPC requests BlueskyClient spends, counted with respx (no network).

Budget, for N new notifications since the cursor and pages of 100 (listNotifications' maximum):
  floor(N / 100) + 1 listNotifications calls. Pages run newest to oldest, and the walk stops on
  the first page that reaches the cursor's mark (or has no next cursor). When N is a multiple of
  100, the N new items fill N / 100 pages exactly and one more page is needed to see the mark.
  So 1,000 mentions cost 11 list calls, 950 cost 10.
  Plus 1 updateSeen call (the poll first marks the previous batch seen), and no login.
  Profiles: 0 calls while polling (each notification carries its author's profile view, bio
  included); a caller that wants fresh profiles of P people pays ceil(P / 25) getProfiles calls.

The notifications are the mention from the reference AppView's snapshot in ../shared/fixtures,
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

from bot.platforms.bluesky import BlueskyClient  # noqa: E402

SNAPSHOT = ROOT.parent / "shared" / "fixtures" / "bluesky" / "bsky-appview-snapshots" / "notifications.test.ts.snap"
SERVICE = "https://pds.benchmark.example"
OUR_DID = "did:plc:rapportbenchmark"
PAGE = 100
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def _mention_template() -> dict[str, Any]:
    text = SNAPSHOT.read_text(encoding="utf-8")
    block = re.search(r"exports\[`notification views > fetches notifications without a last-seen 1`\] = `\n(.*?)\n`;",
                      text, re.S).group(1)
    items = json.loads(re.sub(r",(\s*[}\]])", r"\1", block))
    return next(item for item in items if item["reason"] == "mention")


def notifications(count: int, people: int, older: int) -> list[dict[str, Any]]:
    """`count` new mentions by `people` authors, then `older` ones already seen; newest first."""
    template, items = _mention_template(), []
    for n in range(count + older):
        item = copy.deepcopy(template)
        did = f"did:plc:person{n % people:04d}"
        item["author"].update(did=did, handle=f"person{n % people}.test", description=f"Bio of person {n % people}")
        item["uri"] = f"at://{did}/app.bsky.feed.post/3kbench{n:06d}"
        item["cid"] = f"bafyreibench{n}"
        item["indexedAt"] = (NOW - timedelta(seconds=n)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        item["record"]["createdAt"] = item["indexedAt"]
        items.append(item)
    return items


def serve_pages(items: list[dict[str, Any]]):
    def answer(request: httpx.Request) -> httpx.Response:
        start = int(request.url.params.get("cursor") or 0)
        limit = int(request.url.params.get("limit") or 50)
        page = items[start : start + limit]
        body: dict[str, Any] = {"notifications": page}
        if start + limit < len(items):
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


def run(count: int, people: int) -> dict[str, int]:
    items = notifications(count, people, older=50)
    mark = f"{items[count]['indexedAt']} {items[count]['uri']}"
    with respx.mock(assert_all_called=False) as mock, tempfile.TemporaryDirectory() as tmp:
        listing = mock.get(f"{SERVICE}/xrpc/app.bsky.notification.listNotifications").mock(side_effect=serve_pages(items))
        seen = mock.post(f"{SERVICE}/xrpc/app.bsky.notification.updateSeen").mock(return_value=httpx.Response(200))
        profiles = mock.get(f"{SERVICE}/xrpc/app.bsky.actor.getProfiles").mock(side_effect=serve_profiles(items))
        login = mock.post(f"{SERVICE}/xrpc/com.atproto.server.createSession")
        client = BlueskyClient(account="bench", handle="rapport.test", password=None, service=SERVICE,
                               session_path=_session_file(Path(tmp)), log=_Quiet())
        batch = client.fetch_new(mark)
        polling_profiles = profiles.call_count
        people_seen = {i.person.platform_id for i in batch.interactions}
        fresh = client.lookup_profiles(sorted(people_seen))
        client.close()
    assert len(batch.interactions) == count and len(fresh) == people, "the benchmark must see every item"
    return {"list": listing.call_count, "seen": seen.call_count, "login": login.call_count,
            "profiles_polling": polling_profiles, "profiles_lookup": profiles.call_count - polling_profiles,
            "people": len(people_seen)}


class _Quiet:
    def bind(self, **_: Any) -> _Quiet:
        return self

    def __getattr__(self, _: str) -> Any:
        return lambda *args, **kwargs: None


def main() -> int:
    over = False
    for count, people in ((1000, 100), (950, 100), (120, 30)):
        counts = run(count, people)
        budget = {"list": count // PAGE + 1, "seen": 1, "login": 0, "profiles_polling": 0,
                  "profiles_lookup": math.ceil(counts["people"] / 25)}
        verdicts = [f"{key} {counts[key]}/{limit}" for key, limit in budget.items()]
        failed = [key for key, limit in budget.items() if counts[key] > limit]
        over = over or bool(failed)
        print(f"{count} new mentions from {counts['people']} people: " + ", ".join(verdicts)
              + (f"  OVER BUDGET: {', '.join(failed)}" if failed else "  ok"))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
