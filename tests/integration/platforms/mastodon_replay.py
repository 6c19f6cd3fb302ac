"""Replay real Mastodon responses (vcrpy cassettes from Mastodon.py's test suite) on loopback.

The cassettes sit in `tests/fixtures/mastodon/` (provenance and licence in its README). Responses are served
as recorded: status, headers (rate limit, Link) and body. Only what addresses the server is
rewritten: Link headers point at the loopback server. URLs inside bodies (profile and status
pages, mention links) are data the client never follows, so they keep the recorded
`localhost:3000`, which makes that the instance domain in these tests.

`NotificationTimeline` serves a list of notifications built from a recorded one, paged the way
Mastodon pages them (min_id / max_id / limit / types[], newest first, Link headers shaped like
the recorded ones), to test more than one page.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from werkzeug import Request, Response

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "tests" / "fixtures" / "mastodon"
RECORDED_ORIGIN = "http://localhost:3000"
DOMAIN = "localhost:3000"  # the recorded server's domain: local accounts' handles end in it
_NOT_REPLAYED = frozenset({"content-length", "transfer-encoding", "connection", "content-encoding"})


@dataclass(frozen=True)
class Recorded:
    method: str
    uri: str
    status: int
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


@cache
def cassette(name: str) -> tuple[Recorded, ...]:
    data = yaml.safe_load((FIXTURES / f"{name}.yaml").read_text(encoding="utf-8"))
    return tuple(_recorded(item) for item in data["interactions"])


def _recorded(item: dict[str, Any]) -> Recorded:
    request, response = item["request"], item["response"]
    headers = {key.lower(): ", ".join(values) for key, values in response["headers"].items()}
    return Recorded(request["method"], request["uri"], response["status"]["code"], headers,
                    response["body"]["string"])


def recorded(name: str, method: str, path: str, nth: int = 0) -> Recorded:
    """The `nth` recorded answer in cassette `name` to `method` on a URI containing `path`."""
    found = [r for r in cassette(name) if r.method == method and path in r.uri]
    return found[nth]


def response(rec: Recorded, base_url: str, *, body: Any = None, status: int | None = None,
             headers: dict[str, str] | None = None) -> Response:
    """A werkzeug response replaying `rec`; `body` (JSON-able) and `headers` replace the recorded ones."""
    merged = {k: v for k, v in rec.headers.items() if k not in _NOT_REPLAYED}
    merged.update(headers or {})
    if "link" in merged:
        merged["link"] = merged["link"].replace(RECORDED_ORIGIN, base_url.rstrip("/"))
    text = rec.body if body is None else json.dumps(body)
    return Response(text, status=status or rec.status, headers=list(merged.items()))


def serve(httpserver: Any, rec: Recorded, *, method: str | None = None, path: str | None = None,
          once: bool = False, **changes: Any) -> None:
    """Answer requests for `rec`'s method and path (or the given ones) with `rec`."""
    path = path or rec.uri.removeprefix(RECORDED_ORIGIN).partition("?")[0]
    expect = httpserver.expect_oneshot_request if once else httpserver.expect_request
    expect(path, method=method or rec.method).respond_with_response(
        response(rec, httpserver.url_for("/"), **changes)
    )


# -- recorded shapes used to compose scenarios ---------------------------------------------------


def mention_notification() -> dict[str, Any]:
    """The recorded mention of @mastodonpy_test by @admin (both local to localhost:3000)."""
    return recorded("test_notifications", "GET", "/api/v1/notifications").json()[0]


def notification(number: int, *, kind: str = "mention", account_id: str | None = None,
                 username: str | None = None, created_at: str | None = None,
                 **status_changes: Any) -> dict[str, Any]:
    """The recorded mention with another id, type, time, author or status fields."""
    item = copy.deepcopy(mention_notification())
    item["id"] = str(number)
    item["created_at"] = created_at or item["created_at"]
    item["group_key"] = f"ungrouped-{number}"
    item["type"] = kind
    if account_id or username:
        account = dict(item["account"], id=account_id or item["account"]["id"])
        if username:
            account.update(username=username, acct=username, url=f"{RECORDED_ORIGIN}/@{username}")
        item["account"] = account
        item["status"]["account"] = account
    item["status"] = dict(item["status"], id=str(117020576916218297 + number), **status_changes)
    if kind == "follow":
        item["status"] = None  # follows carry no status
    return item


def own_reply() -> dict[str, Any]:
    """The recorded reply by @admin to a status of @mastodonpy_test_2."""
    return recorded("test_status_reply", "POST", "/api/v1/statuses", nth=1).json()


def replied_status() -> dict[str, Any]:
    """The recorded status by @mastodonpy_test_2 that @admin replied to."""
    return recorded("test_status_reply", "POST", "/api/v1/statuses", nth=0).json()


# -- a paged notifications endpoint --------------------------------------------------------------


@dataclass
class NotificationTimeline:
    """Mastodon's GET /api/v1/notifications over `items`, with the recorded headers."""

    items: list[dict[str, Any]]
    base_url: str
    requests: list[dict[str, Any]] = field(default_factory=list)

    def install(self, httpserver: Any) -> NotificationTimeline:
        httpserver.expect_request("/api/v1/notifications", method="GET").respond_with_handler(self)
        return self

    def __call__(self, request: Request) -> Response:
        args = request.args
        self.requests.append({key: args.getlist(key) for key in args})
        page = self.page(args.getlist("types[]"), args.get("min_id"), args.get("max_id"),
                         int(args.get("limit", 40)))
        rec = recorded("test_notifications", "GET", "/api/v1/notifications")
        headers = {"link": self.link(page, args)} if page else {}
        reply = response(rec, self.base_url, body=page, headers=headers)
        if not page:
            reply.headers.remove("link")  # Mastodon sends no Link header with an empty page
        return reply

    def page(self, types: list[str], min_id: str | None, max_id: str | None,
             limit: int) -> list[dict[str, Any]]:
        """As Mastodon: min_id takes the oldest after it, else the newest; newest first either way."""
        limit = min(limit, 80)
        chosen = sorted((i for i in self.items if not types or i["type"] in types), key=_order)
        if max_id is not None:
            chosen = [i for i in chosen if _order(i) < _key(max_id)]
        if min_id is not None:
            return list(reversed([i for i in chosen if _order(i) > _key(min_id)][:limit]))
        return list(reversed(chosen[-limit:]))

    def link(self, page: list[dict[str, Any]], args: Any) -> str:
        kept = "".join(f"&types%5B%5D={t}" for t in args.getlist("types[]"))
        base = f"{RECORDED_ORIGIN}/api/v1/notifications?limit={args.get('limit', 40)}{kept}"
        return (f'<{base}&max_id={page[-1]["id"]}>; rel="next", '
                f'<{base}&min_id={page[0]["id"]}>; rel="prev"')


def _key(item_id: str) -> tuple[int, str]:
    return (len(item_id), item_id)


def _order(item: dict[str, Any]) -> tuple[int, str]:
    return _key(item["id"])
