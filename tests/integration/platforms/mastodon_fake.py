"""A Mastodon-compatible server on loopback, with a switch for each way real servers differ.

A real HTTP server (pytest-httpserver's werkzeug server, in a thread, on 127.0.0.1), so that
MastodonClient runs through Mastodon.py and `requests` as it does in production. What it serves
is built from the recorded Mastodon answers in tests/fixtures/mastodon (see mastodon_replay.py):
the recorded notification, status and accounts, given new ids, times, texts and visibilities.
The `Dialect` says how it behaves; each switch is a behaviour seen on a real server:

- `notifications_cap` / `statuses_cap`: the most items a page holds, whatever the limit asked
  (Mastodon 80 and 40; Takahe 40 and 40; a smaller cap of 20 is tested too);
- `hides_private_statuses`: `GET /accounts/:id/statuses` leaves out followers-only and direct
  posts, even for their author (Takahe);
- `honours_idempotency_key`: a POST repeating an `Idempotency-Key` returns the first status
  (Mastodon, for an hour) or posts again (Takahe);
- `bad_token_status`: a token it does not know gets Mastodon's `401 {"error": "The access token
  is invalid"}`, or Takahe's plain-text `400 Invalid Bearer token`;
- `granular_scopes`: `read:accounts` lets a token read the account (Mastodon), or only `read`
  does (Takahe grants granular scopes, then answers 403 `out_of_scope_for_token`);
- `private_mentions`: the `for_private_mentions` of `GET /api/v2/notifications/policy`
  (Mastodon 4.3+), or None for a server without that endpoint (404).

One fault is switched per test rather than per dialect, as it is a proxy's: `fail_next_post`
accepts the next post, then answers 502. Rate limits are switched per test too, as servers send
them in many forms (see test_mastodon_rate_limits.py): `rate_headers` go with every answer, and
`refuse_next` answers that many requests with a 429 carrying them.
"""

from __future__ import annotations

import copy
import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from typing import Any

from mastodon_replay import DOMAIN, RECORDED_ORIGIN, notification, own_reply, recorded
from werkzeug import Request, Response

TOKEN = "__MASTODON_PY_TEST_ACCESS_TOKEN"  # the recorded cassettes' own placeholder
OUR_ID = "117020457910412882"  # @mastodonpy_test, whose recorded account the fake serves as ours


@dataclass(frozen=True)
class Dialect:
    name: str
    notifications_cap: int = 80
    statuses_cap: int = 40
    hides_private_statuses: bool = False
    honours_idempotency_key: bool = True
    bad_token_status: int = 401
    granular_scopes: bool = True
    private_mentions: str | None = "filter"  # Mastodon's default policy


MASTODON = Dialect("mastodon")
TAKAHE = Dialect("takahe", notifications_cap=40, statuses_cap=40, hides_private_statuses=True,
                 honours_idempotency_key=False, bad_token_status=400, granular_scopes=False,
                 private_mentions=None)
DIALECTS = (
    MASTODON,
    Dialect("page-cap-40", notifications_cap=40),
    Dialect("page-cap-20", notifications_cap=20, statuses_cap=20),
    Dialect("hidden-private-statuses", hides_private_statuses=True),
    Dialect("ignored-idempotency-key", honours_idempotency_key=False),
    Dialect("bad-token-400", bad_token_status=400),
    TAKAHE,
)


class FakeMastodon:
    """The server's state (notifications, statuses, tokens) and its request handler."""

    def __init__(self, dialect: Dialect, base_url: str,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.dialect, self.base_url, self.now = dialect, base_url, now
        me = recorded("test_account", "GET", "/verify_credentials").json()
        self.me = me
        self.accounts = {OUR_ID: _public(me)}
        self.tokens: dict[str, set[str]] = {TOKEN: {"read", "write"}}
        self.notifications: list[dict[str, Any]] = []
        self.statuses: dict[str, dict[str, Any]] = {}
        self.notes: dict[str, str] = {}  # our private note on an account, by its id
        self.fail_next_post = False
        self.rate_headers: dict[str, str] = {}  # X-RateLimit-*, Retry-After: sent with every answer
        self.refuse_next = 0  # how many requests to refuse with 429 Too Many Requests
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request, in order
        self.asked: list[tuple[str, Any]] = []  # (path, query arguments) of every request, in order
        self._keys: dict[str, str] = {}
        self._ids = itertools.count(117020600000000000)

    def install(self, httpserver: Any) -> FakeMastodon:
        httpserver.expect_request(re.compile(r"^/.*$")).respond_with_handler(self)
        return self

    # -- building a scenario ------------------------------------------------------------------

    def mention(self, number: int, *, kind: str = "mention", username: str = "admin",
                created_at: str | None = None, account_id: str | None = None, **status: Any) -> dict[str, Any]:
        """A notification `number` from @`username` (its status, if any, kept as a status too)."""
        if username != "admin":
            account_id = account_id or str(2_000 + number)
        item = notification(number, kind=kind, username=username if username != "admin" else None,
                            account_id=account_id, created_at=created_at, **status)
        self.accounts[item["account"]["id"]] = item["account"]
        if item.get("status"):
            self.statuses[item["status"]["id"]] = item["status"]
        self.notifications.append(item)
        return item

    def our_status(self, text: str, *, in_reply_to: str | None = None, visibility: str = "public",
                   spoiler_text: str = "", language: str | None = "en") -> dict[str, Any]:
        """A status by us, rendered as Mastodon renders one: leading @handles become mention links."""
        status_id = str(next(self._ids))
        parent = self.statuses.get(in_reply_to or "")
        mentions, words = [], text.split()
        while words and words[0].startswith("@") and len(words[0]) > 1:
            mentions.append(_mention(words.pop(0), self.accounts))
        links = [f'<span class="h-card" translate="no"><a href="{m["url"]}" class="u-url mention">@<span>'
                 f'{escape(m["username"])}</span></a></span>' for m in mentions]
        status = dict(copy.deepcopy(own_reply()), id=status_id, account=self.accounts[OUR_ID],
                      created_at=self.now().isoformat().replace("+00:00", "Z"), visibility=visibility,
                      in_reply_to_id=in_reply_to, spoiler_text=spoiler_text, language=language,
                      in_reply_to_account_id=parent["account"]["id"] if parent else None, mentions=mentions,
                      content=f"<p>{' '.join([*links, escape(' '.join(words))])}</p>",
                      url=f"{RECORDED_ORIGIN}/@{self.me['username']}/{status_id}",
                      uri=f"{RECORDED_ORIGIN}/ap/users/{OUR_ID}/statuses/{status_id}")
        self.statuses[status_id] = status
        return status

    def ours(self) -> list[dict[str, Any]]:
        return [s for s in self.statuses.values() if s["account"]["id"] == OUR_ID]

    # -- serving ------------------------------------------------------------------------------

    def __call__(self, request: Request) -> Response:
        self.requests.append((request.method, request.path))
        self.asked.append((request.path, request.args.copy()))
        if self.refuse_next:
            self.refuse_next -= 1
            answer = _json({"error": "Too many requests"}, 429)
        else:
            answer = self._answer(request)
        answer.headers.update(self.rate_headers)
        return answer

    def _answer(self, request: Request) -> Response:
        path, method = request.path, request.method
        if path == "/api/v1/apps" and method == "POST":
            return _json({"id": "1", "name": request.form.get("client_name"), "client_id": "fake-client-id",
                          "client_secret": "fake-client-secret", "redirect_uri": request.form.get("redirect_uris"),
                          "scopes": request.form.get("scopes", "").split()})
        if path == "/oauth/token" and method == "POST":
            return self._issue_token(request)
        scopes = self.tokens.get(request.headers.get("Authorization", "").removeprefix("Bearer "))
        if scopes is None:
            return self._bad_token()
        for pattern, allowed, needs, handler in self._routes():
            match = re.fullmatch(pattern, path)
            if match and method == allowed:
                if not self._allows(scopes, needs):
                    return _json({"error": "out_of_scope_for_token"}, 403)
                return handler(request, *match.groups())
        return self._not_found()

    def _routes(self) -> list[tuple[str, str, str, Callable[..., Response]]]:
        return [
            (r"/api/v1/accounts/verify_credentials", "GET", "read:accounts", lambda r: _json(self.me)),
            (r"/api/v1/accounts/relationships", "GET", "read:follows", self._relationships),
            (r"/api/v1/accounts/(\w+)/statuses", "GET", "read:statuses", self._account_statuses),
            (r"/api/v1/accounts/(\w+)", "GET", "read:accounts", self._account),
            (r"/api/v1/notifications", "GET", "read:notifications", self._notifications),
            (r"/api/v2/notifications/policy", "GET", "read:notifications", self._policy),
            (r"/api/v1/statuses/(\w+)/context", "GET", "read:statuses", self._context),
            (r"/api/v1/statuses/(\w+)", "GET", "read:statuses", self._status),
            (r"/api/v1/statuses", "POST", "write:statuses", self._post),
        ]

    def _allows(self, scopes: set[str], needed: str) -> bool:
        family = needed.split(":")[0]
        return family in scopes or (self.dialect.granular_scopes and needed in scopes)

    def _issue_token(self, request: Request) -> Response:
        token = f"issued-{len(self.tokens)}"
        asked = request.form.get("scope", "read")
        self.tokens[token] = set(asked.split())  # every server here grants what was asked
        return _json({"access_token": token, "token_type": "Bearer", "scope": asked, "created_at": 1573979017})

    def _bad_token(self) -> Response:
        if self.dialect.bad_token_status == 400:
            return Response("Invalid Bearer token", status=400, content_type="text/html; charset=utf-8")
        return _json({"error": "The access token is invalid"}, 401)

    def _not_found(self) -> Response:
        if self.dialect.private_mentions is None:  # a server other than Mastodon: its own 404 page
            return Response("<h1>Not Found</h1>", status=404, content_type="text/html; charset=utf-8")
        return _json({"error": "Record not found"}, 404)

    def _notifications(self, request: Request) -> Response:
        types = request.args.getlist("types[]")
        items = [n for n in self.notifications if not types or n["type"] in types]
        return self._paged(request, items, self.dialect.notifications_cap, default=40)

    def _account_statuses(self, request: Request, account_id: str) -> Response:
        hidden = ("private", "direct") if self.dialect.hides_private_statuses else ()
        items = [s for s in self.statuses.values()
                 if s["account"]["id"] == account_id and s["visibility"] not in hidden]
        return self._paged(request, items, self.dialect.statuses_cap, default=20)

    def _paged(self, request: Request, items: list[dict[str, Any]], cap: int, default: int) -> Response:
        """As Mastodon pages: min_id takes the oldest after it, else the newest; newest first."""
        args, limit = request.args, min(int(request.args.get("limit", default)), cap)
        chosen = sorted(items, key=_order)
        if args.get("max_id"):
            chosen = [i for i in chosen if _order(i) < _key(args["max_id"])]
        if args.get("min_id"):
            page = list(reversed([i for i in chosen if _order(i) > _key(args["min_id"])][:limit]))
        else:
            page = list(reversed(chosen[-limit:]))
        answer = _json(page)
        if page:
            base = f"{request.base_url}?limit={limit}"
            answer.headers["Link"] = (f'<{base}&max_id={page[-1]["id"]}>; rel="next", '
                                      f'<{base}&min_id={page[0]["id"]}>; rel="prev"')
        return answer

    def _status(self, request: Request, status_id: str) -> Response:
        status = self.statuses.get(status_id)
        return _json(status) if status else self._not_found()

    def _context(self, request: Request, status_id: str) -> Response:
        if status_id not in self.statuses:
            return self._not_found()
        below, frontier = [], {status_id}
        while frontier:
            found = [s for s in self.statuses.values() if s["in_reply_to_id"] in frontier]
            below += found
            frontier = {s["id"] for s in found}
        return _json({"ancestors": [], "descendants": sorted(below, key=_order)})

    def _post(self, request: Request) -> Response:
        key = request.headers.get("Idempotency-Key")
        if key and key in self._keys and self.dialect.honours_idempotency_key:
            return _json(self.statuses[self._keys[key]])
        form = request.form
        status = self.our_status(form["status"], in_reply_to=form.get("in_reply_to_id"),
                                 visibility=form.get("visibility", "public"),
                                 spoiler_text=form.get("spoiler_text", ""), language=form.get("language"))
        if key:
            self._keys[key] = status["id"]
        if self.fail_next_post:  # posted; the answer is lost in a proxy
            self.fail_next_post = False
            return Response("<html><body><h1>502 Bad Gateway</h1></body></html>", status=502,
                            content_type="text/html")
        return _json(status)

    def _account(self, request: Request, account_id: str) -> Response:
        account = self.accounts.get(account_id)
        return _json(account) if account else self._not_found()

    def _relationships(self, request: Request) -> Response:
        shape = recorded("test_stream_direct", "POST", "/follow").json()
        return _json([dict(shape, id=i, note=self.notes.get(i, "")) for i in request.args.getlist("id[]")
                      if i in self.accounts])  # as Mastodon: unknown (or suspended) accounts are left out

    def _policy(self, request: Request) -> Response:
        policy = self.dialect.private_mentions
        if policy is None:
            return self._not_found()
        return _json({"for_not_following": "accept", "for_not_followers": "accept", "for_new_accounts": "accept",
                      "for_private_mentions": policy, "for_limited_accounts": "filter",
                      "summary": {"pending_requests_count": 0, "pending_notifications_count": 0}})


def _mention(word: str, accounts: dict[str, dict[str, Any]]) -> dict[str, Any]:
    handle = word.lstrip("@")
    username, _, domain = handle.partition("@")
    local = domain in ("", DOMAIN)
    known = next((a for a in accounts.values() if a["acct"] == (username if local else handle)), None)
    return {"id": known["id"] if known else str(abs(hash(handle)) % 10**17), "username": username,
            "url": f"{RECORDED_ORIGIN}/@{username}" if local else f"https://{domain}/@{username}",
            "acct": username if local else handle}


def _public(account: dict[str, Any]) -> dict[str, Any]:
    """An account as others see it: without the private `source` and `role`."""
    return {k: v for k, v in account.items() if k not in ("source", "role")}


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json; charset=utf-8")


def _key(item_id: str) -> tuple[int, str]:
    return (len(item_id), item_id)


def _order(item: dict[str, Any]) -> tuple[int, str]:
    return _key(item["id"])
