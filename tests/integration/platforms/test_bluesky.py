"""BlueskyClient against recorded Bluesky responses, served through respx (no network).

Notifications come from the reference AppView's own test snapshot
(`bsky-appview-snapshots/notifications.test.ts.snap`), whose identifiers the AppView normalised
into placeholders: `realize` turns them back into DIDs, at-uris, CIDs and distinct times.
Post and profile views come from real bsky.social responses (MarshalX/atproto test data).
"""

from __future__ import annotations

import base64
import copy
import json
import re
import socket
import stat
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from bot.domain.models import InteractionKind, OutgoingReply, Visibility
from bot.errors import (
    AuthFailedError,
    InvalidInputError,
    RateLimitedError,
    RemoteNotFoundError,
    TransientError,
)
from bot.platforms.bluesky import BlueskyClient, check_length
from bot.platforms.bluesky_convert import tid_from_key
from tests.fakes import FakeClock

FIXTURES = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "bluesky"
SNAPSHOT = FIXTURES / "bsky-appview-snapshots" / "notifications.test.ts.snap"
MARSHALX = FIXTURES / "marshalx-atproto-test_data"
SERVICE = "https://pds.rapport.example"
OUR_DID = "did:plc:rapportourownaccount"
PASSWORD = "correct horse battery staple"
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
EPOCH = "2000-01-01T00:00:00.000Z"  # a cursor older than every notification here
FOLLOWED = ("mention", "reply", "quote", "follow", "like", "repost")


# -- replaying recorded data ------------------------------------------------------------------


@cache
def _snapshots() -> dict[str, str]:
    text = SNAPSHOT.read_text(encoding="utf-8")
    pattern = r"exports\[`notification views > (.*?)`\] = `\n?(.*?)\n?`;"
    return {m.group(1): m.group(2) for m in re.finditer(pattern, text, re.S)}


def snapshot(name: str) -> list[dict[str, Any]]:
    """One listNotifications result of the snapshot (a JS literal: JSON with trailing commas)."""
    return json.loads(re.sub(r",(\s*[}\]])", r"\1", _snapshots()[name]))


def realize(items: list[dict[str, Any]], newest: datetime, tag: str = "a") -> list[dict[str, Any]]:
    """Give the snapshot's placeholders real shapes: user(N) a DID, record(N) an at-uri of the
    right author and collection, cids(N) a CID; and the items times one second apart, newest first."""
    uris = {}
    for item in items:
        number = re.fullmatch(r"record\((\d+)\)", item["uri"]).group(1)
        author = _user(item["author"]["did"])
        uris[number] = f"at://{author}/{item['record']['$type']}/{_rkey(tag, number)}"
    text = json.dumps(items)
    text = re.sub(r"user\((\d+)\)", lambda m: _user(m.group(0)), text)
    text = re.sub(r"record\((\d+)\)", lambda m: uris.get(m.group(1)) or
                  f"at://{OUR_DID}/app.bsky.feed.post/{_rkey(tag, m.group(1))}", text)
    text = re.sub(r"cids\((\d+)\)", lambda m: f"bafyreisnapshot{tag}{m.group(1)}", text)
    realized = json.loads(text)
    for position, item in enumerate(realized):
        item["indexedAt"] = _iso(newest - timedelta(seconds=position))
    return realized


def _user(placeholder: str) -> str:
    number = re.fullmatch(r"user\((\d+)\)", placeholder)
    return f"did:plc:appviewuser{number.group(1)}" if number else placeholder


def _rkey(tag: str, number: str) -> str:
    return f"3k{tag}{int(number):0{11 - len(tag)}d}"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def many_mentions(count: int) -> list[dict[str, Any]]:
    """`count` distinct mentions built on the snapshot's one, newest first."""
    [template] = [i for i in realize(snapshot("fetches notifications without a last-seen 1"), NOW)
                  if i["reason"] == "mention"]
    items = []
    for n in range(count):
        item = copy.deepcopy(template)
        item["uri"] = f"{template['uri'][:-5]}{n:05d}"
        item["indexedAt"] = _iso(NOW - timedelta(seconds=n))
        items.append(item)
    return items


def post_view(
    kind: str, author_did: str | None = None, parent: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A getPosts view: "top-level" is a real bsky.social post; "reply" is the snapshot's reply
    to a reply; "ours-replying" is our own reply to `parent`."""
    if kind == "top-level":
        return json.loads((MARSHALX / "thread_view_post_with_embed_media.json").read_text())["thread"]["post"]
    [reply] = [i for i in realize(snapshot("fetches notifications without a last-seen 1"), NOW)
               if i["reason"] == "reply" and i["record"]["text"] == "indeed"]
    view = {key: reply[key] for key in ("uri", "cid", "author", "record", "indexedAt")}
    if kind == "ours-replying" and parent:
        view["author"] = {"did": author_did, "handle": "rapport.test"}
        view["uri"] = f"at://{author_did}/app.bsky.feed.post/3kourreply000"
        ref = {"uri": parent["uri"], "cid": parent["cid"]}
        root = parent["record"].get("reply", {}).get("root", ref)
        view["record"] = {"$type": "app.bsky.feed.post", "text": "Indeed!", "createdAt": reply["indexedAt"],
                          "reply": {"parent": ref, "root": root}}
    return view


def notification_page(items: list[dict[str, Any]], cursor: str | None = None) -> dict[str, Any]:
    return {"notifications": items, **({"cursor": cursor} if cursor else {})}


def jwt(exp: int, scope: str) -> str:
    """An unsigned token of the PDS's shape: the client only reads its expiry."""
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    claims = {"scope": f"com.atproto.{scope}", "sub": OUR_DID, "iat": exp - 7200, "exp": exp}
    return ".".join([part({"typ": "at+jwt", "alg": "ES256K"}), part(claims), "c2ln"])


def xrpc(respx_mock: respx.MockRouter, nsid: str, method: str = "GET", side_effect: Any = None,
         status_code: int = 200, **response: Any) -> respx.Route:
    route = respx_mock.request(method, f"{SERVICE}/xrpc/{nsid}")
    if side_effect is not None:
        return route.mock(side_effect=side_effect)
    return route.mock(return_value=httpx.Response(status_code, **response))



@pytest.fixture
def bsky_clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def session_path(tmp_path: Path) -> Path:
    return tmp_path / "sessions" / "main.bluesky-session"


@pytest.fixture
def make_client(session_path: Path, bsky_clock: FakeClock, sleeps: list[float], log: Any):
    clients: list[BlueskyClient] = []

    def build(**changes: Any) -> BlueskyClient:
        options: dict[str, Any] = dict(
            account="main", handle="rapport.test", password=PASSWORD, service=SERVICE,
            session_path=session_path, clock=bsky_clock, sleep=sleeps.append, log=log, jitter=lambda: 0.5,
        )
        options.update(changes)
        clients.append(BlueskyClient(**options))
        return clients[-1]

    yield build
    for client in clients:
        client.close()


def _session(expires_in: timedelta = timedelta(hours=2)) -> dict[str, Any]:
    exp = int((datetime.now(UTC) + expires_in).timestamp())  # the SDK checks expiry on the real clock
    return {"accessJwt": jwt(exp, "access"), "refreshJwt": jwt(exp + 86400, "refresh"),
            "handle": "rapport.test", "did": OUR_DID}


def _restore(session_path: Path, session: dict[str, Any] | None = None) -> None:
    s = session or _session()
    session_path.parent.mkdir(parents=True, exist_ok=True)
    session_path.write_text(":::".join([s["handle"], s["did"], s["accessJwt"], s["refreshJwt"], SERVICE]))


def _reply(**changes: Any) -> OutgoingReply:
    fields: dict[str, Any] = dict(
        draft_id="d1", account="main", text="Thanks!", in_reply_to=_PARENT["uri"], thread=None,
        to=("ana.test",), visibility=Visibility.PUBLIC, language="pt", idempotency_key="draft-d1-v1",
        recipient_ids=("did:plc:ana",),
    )
    fields.update(changes)
    return OutgoingReply(**fields)


_PARENT = post_view("reply")  # a reply: its record names the thread's root


def _cursor_after(seen: list[dict[str, Any]]) -> str:
    """The cursor a poll that handed over `seen` would have returned."""
    from bot.platforms.bluesky_convert import Watermark, position

    return Watermark.decode(EPOCH).after([position(item) for item in seen], timedelta(minutes=10)).encode()


def _mention_batch() -> list[dict[str, Any]]:
    return realize(snapshot("fetches notifications without a last-seen 1"), newest=NOW)


# -- the guard --------------------------------------------------------------------------------


def test_network_guard_refuses_connections_outside_loopback():
    with socket.socket() as sock, pytest.raises(AssertionError):
        sock.connect(("192.0.2.1", 443))


# -- reading notifications --------------------------------------------------------------------


def test_each_followed_reason_becomes_its_kind_and_the_rest_are_ignored(
    respx_mock, make_client, session_path
):
    _restore(session_path)
    quotes = realize(snapshot("generates notifications for quotes 1"), NOW - timedelta(hours=1), "b")
    items = _mention_batch() + quotes
    xrpc(respx_mock, "app.bsky.notification.listNotifications", json=notification_page(items))
    xrpc(respx_mock, "app.bsky.notification.updateSeen", method="POST", json={})

    batch = make_client().fetch_new(EPOCH)

    kinds = {i.id: i.kind for i in batch.interactions}
    expected = {item["uri"]: item["reason"] for item in items}
    assert {uri: kind.value for uri, kind in kinds.items()} == {
        uri: reason for uri, reason in expected.items() if reason in FOLLOWED
    }
    assert {kind.value for kind in kinds.values()} == set(FOLLOWED)
    assert batch.skipped == 0


def test_a_notification_carries_the_author_as_a_person_keyed_by_did(respx_mock, make_client, session_path):
    _restore(session_path)
    items = _mention_batch()
    xrpc(respx_mock, "app.bsky.notification.listNotifications", json=notification_page(items))
    xrpc(respx_mock, "app.bsky.notification.updateSeen", method="POST", json={})

    batch = make_client().fetch_new(EPOCH)

    [mention] = [i for i in batch.interactions if i.kind is InteractionKind.MENTION]
    assert mention.person.platform_id.startswith("did:plc:") and mention.person.handle == "dan.test"
    assert mention.post.text == "@alice.bluesky.xyz is the best"
    assert mention.post.language is None  # the record has no langs
    [reply] = [i for i in batch.interactions if i.kind is InteractionKind.REPLY and i.post.text == "indeed"]
    assert reply.post.in_reply_to != reply.post.thread  # a reply to a reply: parent and root differ
    assert reply.post.url.startswith("https://bsky.app/profile/did:plc:")


def test_first_poll_returns_nothing_and_the_next_poll_only_what_came_after(
    respx_mock, make_client, session_path
):
    _restore(session_path)
    items = many_mentions(4)
    route = xrpc(respx_mock, "app.bsky.notification.listNotifications", json=notification_page(items[1:]))
    xrpc(respx_mock, "app.bsky.notification.updateSeen", method="POST", json={})
    client = make_client()

    first = client.fetch_new(None)
    route.return_value = httpx.Response(200, json=notification_page(items))
    second = client.fetch_new(first.cursor)

    assert first.interactions == ()
    assert first.cursor.startswith(items[1]["indexedAt"])
    assert [i.id for i in second.interactions] == [items[0]["uri"]]


def test_new_notifications_page_back_over_the_mark_and_come_oldest_first(
    respx_mock, make_client, session_path
):
    _restore(session_path)
    items = many_mentions(150)
    mark = _cursor_after(items[120:])  # 120 came after the last poll
    route = xrpc(respx_mock, "app.bsky.notification.listNotifications",
                 side_effect=[httpx.Response(200, json=notification_page(items[:100], "page2")),
                              httpx.Response(200, json=notification_page(items[100:], None))])
    xrpc(respx_mock, "app.bsky.notification.updateSeen", method="POST", json={})

    batch = make_client().fetch_new(mark)

    assert [i.id for i in batch.interactions] == [item["uri"] for item in reversed(items[:120])]
    assert batch.cursor.startswith(items[0]["indexedAt"] + " ")
    assert [call.request.url.params.get("cursor") for call in route.calls] == [None, "page2"]
    assert "seenAt" not in str(route.calls[0].request.url)
    assert route.calls[0].request.url.params["priority"] == "false"  # every mention, not only from follows
    assert route.calls[0].request.url.params.get_list("reasons") == list(FOLLOWED)


def test_paging_stops_at_the_first_notification_older_than_the_overlap(respx_mock, make_client, session_path):
    _restore(session_path)
    items = many_mentions(3)
    items[2]["indexedAt"] = _iso(NOW - timedelta(hours=1))
    route = xrpc(respx_mock, "app.bsky.notification.listNotifications",
                 json=notification_page(items, "older"))
    xrpc(respx_mock, "app.bsky.notification.updateSeen", method="POST", json={})

    batch = make_client(overlap=timedelta(minutes=10)).fetch_new(_cursor_after(items[1:2]))

    assert [i.id for i in batch.interactions] == [items[0]["uri"]]
    assert route.call_count == 1


def test_a_notification_sorted_below_the_mark_within_the_overlap_is_delivered_once(
    respx_mock, make_client, session_path
):
    """The AppView sorts by min(indexedAt, createdAt): a late or backdated post lands below the mark."""
    _restore(session_path)
    items = many_mentions(4)
    late = items.pop()
    late["indexedAt"] = _iso(NOW - timedelta(minutes=3))
    route = xrpc(respx_mock, "app.bsky.notification.listNotifications",
                 json=notification_page([*items, late]))
    xrpc(respx_mock, "app.bsky.notification.updateSeen", method="POST", json={})
    client = make_client()

    first = client.fetch_new(_cursor_after(items))
    second = client.fetch_new(first.cursor)

    assert [i.id for i in first.interactions] == [late["uri"]]
    assert second.interactions == ()
    assert first.cursor.startswith(items[0]["indexedAt"])
    assert route.call_count == 2


def test_resuming_from_the_cursor_repeats_nothing_and_marks_the_stored_batch_seen(
    respx_mock, make_client, session_path
):
    _restore(session_path)
    items = many_mentions(3)
    xrpc(respx_mock, "app.bsky.notification.listNotifications", json=notification_page(items))
    seen = xrpc(respx_mock, "app.bsky.notification.updateSeen", method="POST", json={})
    client = make_client()
    first = client.fetch_new(_cursor_after(items[2:]))

    again = client.fetch_new(first.cursor)

    assert [i.id for i in first.interactions] == [items[1]["uri"], items[0]["uri"]]
    assert again.interactions == () and again.cursor == first.cursor
    assert json.loads(seen.calls.last.request.content) == {"seenAt": items[0]["indexedAt"]}


def test_notifications_sharing_a_timestamp_are_neither_lost_nor_repeated(
    respx_mock, make_client, session_path
):
    _restore(session_path)
    items = many_mentions(3)
    for item in items:
        item["indexedAt"] = items[0]["indexedAt"]  # one millisecond, three notifications
    route = xrpc(respx_mock, "app.bsky.notification.listNotifications", json=notification_page(items[1:]))
    xrpc(respx_mock, "app.bsky.notification.updateSeen", method="POST", json={})
    client = make_client()
    first = client.fetch_new(EPOCH)
    route.return_value = httpx.Response(200, json=notification_page(items))  # one more, sorted among equals

    second = client.fetch_new(first.cursor)

    assert [i.id for i in second.interactions] == [items[0]["uri"]]


def test_unreadable_notifications_are_skipped_counted_and_passed(respx_mock, make_client, session_path, log):
    _restore(session_path)
    items = many_mentions(5)
    del items[0]["author"]  # broken view
    items[1]["record"] = {"$type": "app.bsky.feed.post", "createdAt": "2026-01-01T00:00:00Z"}  # no text
    items[2]["record"]["embed"] = {"$type": "com.example.unknown#embed", "x": 1}  # unknown embed: still read
    bad_offsets = {"index": {"byteStart": 900, "byteEnd": 3}, "features": []}
    items[2]["record"]["facets"] = [bad_offsets]
    items[2]["record"]["futureField"] = {"anything": True}
    xrpc(respx_mock, "app.bsky.notification.listNotifications", json=notification_page(items))
    xrpc(respx_mock, "app.bsky.notification.updateSeen", method="POST", json={})

    batch = make_client().fetch_new(EPOCH)

    assert [i.id for i in batch.interactions] == [items[4]["uri"], items[3]["uri"], items[2]["uri"]]
    assert batch.skipped == 2
    assert batch.cursor.startswith(items[0]["indexedAt"])  # the mark moves past the broken ones
    assert len(log.named("bluesky.item_skipped")) == 2


# -- sessions ---------------------------------------------------------------------------------


def test_login_saves_the_session_readable_only_by_its_owner(respx_mock, make_client, session_path):
    login = xrpc(respx_mock, "com.atproto.server.createSession", method="POST", json=_session())
    xrpc(respx_mock, "app.bsky.notification.listNotifications", json=notification_page([]))

    make_client().fetch_new(None)

    assert login.call_count == 1
    assert stat.S_IMODE(session_path.stat().st_mode) == 0o600
    assert OUR_DID in session_path.read_text()


def test_a_restored_session_makes_no_login_call(respx_mock, make_client, session_path):
    _restore(session_path)
    login = xrpc(respx_mock, "com.atproto.server.createSession", method="POST", json=_session())
    xrpc(respx_mock, "app.bsky.notification.listNotifications", json=notification_page([]))

    make_client(password=None).fetch_new(None)

    assert login.call_count == 0


def test_an_expiring_access_token_is_refreshed_and_the_new_session_saved(
    respx_mock, make_client, session_path
):
    _restore(session_path, _session(expires_in=timedelta(minutes=5)))  # the SDK refreshes 15 min early
    fresh = _session()
    refresh = xrpc(respx_mock, "com.atproto.server.refreshSession", method="POST", json=fresh)
    xrpc(respx_mock, "app.bsky.notification.listNotifications", json=notification_page([]))

    make_client().fetch_new(None)

    assert refresh.call_count == 1
    assert fresh["accessJwt"] in session_path.read_text()
    assert stat.S_IMODE(session_path.stat().st_mode) == 0o600


def test_a_401_refreshes_the_session_once_then_the_call_succeeds(respx_mock, make_client, session_path):
    _restore(session_path)
    fresh = _session()
    refresh = xrpc(respx_mock, "com.atproto.server.refreshSession", method="POST", json=fresh)
    login = xrpc(respx_mock, "com.atproto.server.createSession", method="POST", json=_session())
    listing = xrpc(respx_mock, "app.bsky.notification.listNotifications", side_effect=[
        httpx.Response(401, json={"error": "ExpiredToken", "message": "Token has expired"}),
        httpx.Response(200, json=notification_page([])),
    ])

    make_client().fetch_new(None)

    assert (refresh.call_count, login.call_count, listing.call_count) == (1, 0, 2)
    assert listing.calls.last.request.headers["authorization"] == f"Bearer {fresh['accessJwt']}"
    assert fresh["accessJwt"] in session_path.read_text()


def test_a_refused_refresh_falls_back_to_one_login(respx_mock, make_client, session_path):
    _restore(session_path)
    xrpc(respx_mock, "com.atproto.server.refreshSession", method="POST", status_code=400,
         json={"error": "ExpiredToken", "message": "Token has been revoked"})
    login = xrpc(respx_mock, "com.atproto.server.createSession", method="POST", json=_session())
    xrpc(respx_mock, "app.bsky.notification.listNotifications", side_effect=[
        httpx.Response(401, json={"error": "InvalidToken", "message": "Token could not be verified"}),
        httpx.Response(200, json=notification_page([])),
    ])

    make_client().fetch_new(None)

    assert login.call_count == 1


def test_a_401_that_survives_a_new_session_raises_auth_failed_without_looping(
    respx_mock, make_client, session_path
):
    _restore(session_path)
    refresh = xrpc(respx_mock, "com.atproto.server.refreshSession", method="POST", json=_session())
    listing = xrpc(respx_mock, "app.bsky.notification.listNotifications", status_code=401,
                   json={"error": "AuthenticationRequired", "message": "Bad token"})

    with pytest.raises(AuthFailedError):
        make_client().fetch_new(None)

    assert (refresh.call_count, listing.call_count) == (1, 2)


def test_bad_credentials_raise_auth_failed_with_a_message_free_of_secrets(respx_mock, make_client):
    xrpc(respx_mock, "com.atproto.server.createSession", method="POST", status_code=401,
         json={"error": "AuthenticationRequired", "message": "Invalid identifier or password"})

    with pytest.raises(AuthFailedError) as caught:
        make_client().fetch_new(None)

    assert "rapport.test" in str(caught.value) and "app password" in str(caught.value)
    assert PASSWORD not in str(caught.value)


def test_no_session_and_no_password_asks_for_rapport_auth(make_client):
    with pytest.raises(AuthFailedError, match="rapport auth bluesky"):
        make_client(password=None).fetch_new(None)


# -- limits and failures ----------------------------------------------------------------------


def test_a_short_rate_limit_is_waited_out_then_the_call_succeeds(
    respx_mock, make_client, session_path, sleeps
):
    _restore(session_path)
    reset = int((NOW + timedelta(seconds=20)).timestamp())
    xrpc(respx_mock, "app.bsky.notification.listNotifications", side_effect=[
        httpx.Response(429, json={"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
                       headers=_limit_headers(remaining=0, reset=reset)),
        httpx.Response(200, json=notification_page([])),
    ])

    make_client().fetch_new(None)

    assert sleeps == [21.0]


def test_a_long_rate_limit_raises_with_its_reset_time_and_sets_backoff(
    respx_mock, make_client, session_path, sleeps
):
    _restore(session_path)
    reset = NOW + timedelta(minutes=30)
    xrpc(respx_mock, "app.bsky.notification.listNotifications", status_code=429,
         json={"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
         headers=_limit_headers(remaining=0, reset=int(reset.timestamp()), limit=5000, window=3600))
    client = make_client()

    with pytest.raises(RateLimitedError) as caught:
        client.fetch_new(None)

    assert caught.value.reset_at == reset
    assert client.backoff_until() == reset
    assert sleeps == []


def test_nearing_the_rate_limit_sets_backoff_until_its_reset(respx_mock, make_client, session_path):
    _restore(session_path)
    reset = NOW + timedelta(minutes=4)
    xrpc(respx_mock, "app.bsky.notification.listNotifications", json=notification_page([]),
         headers=_limit_headers(remaining=12, reset=int(reset.timestamp())))
    client = make_client()
    assert client.backoff_until() is None

    client.fetch_new(None)

    assert client.backoff_until() == reset


def test_timeouts_are_retried_with_growing_backoff_then_raise_transient(
    respx_mock, make_client, session_path, sleeps
):
    _restore(session_path)
    route = xrpc(respx_mock, "app.bsky.notification.listNotifications", side_effect=httpx.ReadTimeout("slow"))

    with pytest.raises(TransientError):
        make_client(request_timeout=7.5).fetch_new(None)

    assert route.call_count == 3
    assert sleeps == [1.5, 3.0]  # 1 s then 2 s, each plus half of itself as jitter
    assert route.calls.last.request.extensions["timeout"]["read"] == 7.5


def test_a_server_error_is_retried_and_then_succeeds(respx_mock, make_client, session_path):
    _restore(session_path)
    xrpc(respx_mock, "app.bsky.notification.listNotifications", side_effect=[
        httpx.Response(503, json={"error": "InternalServerError", "message": "upstream"}),
        httpx.Response(200, json=notification_page(many_mentions(1))),
    ])

    batch = make_client().fetch_new(None)

    assert batch.cursor is not None


# -- posting ----------------------------------------------------------------------------------


def _as_union(view: dict[str, Any]) -> dict[str, Any]:
    return {"$type": "app.bsky.feed.defs#postView", **view}  # how the AppView tags union members


def _record(uri: str) -> dict[str, Any]:
    """A getRecord answer for our own earlier reply."""
    value = {"$type": "app.bsky.feed.post", "text": "Thanks!", "createdAt": "2026-11-26T11:00:00.000Z"}
    return {"uri": uri, "cid": "bafyreiearlier", "value": value}


def _limit_headers(remaining: int, reset: int, limit: int = 3000, window: int = 300) -> dict[str, str]:
    """As the PDS sends them (xrpc-server's rate-limiter-http.ts): reset as a Unix time."""
    return {"ratelimit-limit": str(limit), "ratelimit-remaining": str(remaining), "ratelimit-reset": str(reset),
            "ratelimit-policy": f"{limit};w={window}"}


def _ref(strong_ref: dict[str, Any]) -> tuple[str, str]:
    return strong_ref["uri"], strong_ref["cid"]


def _posting_routes(respx_mock, parent: dict[str, Any] = _PARENT):
    xrpc(respx_mock, "com.atproto.repo.getRecord", status_code=400,
         json={"error": "RecordNotFound", "message": "Could not locate record"})
    xrpc(respx_mock, "app.bsky.feed.getPosts", json={"posts": [parent]})
    return xrpc(respx_mock, "com.atproto.repo.createRecord", method="POST",
                json={"uri": f"at://{OUR_DID}/app.bsky.feed.post/3lnewpost22", "cid": "bafyreinewpost"})


def test_a_reply_to_a_reply_points_at_its_parent_and_the_thread_root(respx_mock, make_client, session_path):
    _restore(session_path)
    create = _posting_routes(respx_mock)

    posted = make_client().post_reply(_reply())

    body = json.loads(create.calls.last.request.content)
    assert _ref(body["record"]["reply"]["parent"]) == _ref(_PARENT)
    assert _ref(body["record"]["reply"]["root"]) == _ref(_PARENT["record"]["reply"]["root"])
    assert body["record"]["reply"]["root"] != body["record"]["reply"]["parent"]
    assert body["record"]["langs"] == ["pt"]
    assert body["rkey"] == tid_from_key("draft-d1-v1") and body["repo"] == OUR_DID
    assert posted.post_id == f"at://{OUR_DID}/app.bsky.feed.post/3lnewpost22" and not posted.already_posted
    assert posted.url == f"https://bsky.app/profile/{OUR_DID}/post/3lnewpost22"


def test_a_reply_to_a_top_level_post_uses_it_as_the_root(respx_mock, make_client, session_path):
    _restore(session_path)
    parent = post_view("top-level")
    create = _posting_routes(respx_mock, parent)

    make_client().post_reply(_reply(in_reply_to=parent["uri"]))

    reply = json.loads(create.calls.last.request.content)["record"]["reply"]
    assert _ref(reply["root"]) == _ref(reply["parent"]) == _ref(parent)


def test_mention_facets_count_utf8_bytes_after_emoji_and_accents(respx_mock, make_client, session_path):
    _restore(session_path)
    create = _posting_routes(respx_mock)
    text = "Olá 👋🏽 café, ação — @ana.test e @Unknown.test: até já"
    profiles = xrpc(respx_mock, "app.bsky.actor.getProfiles", json={"profiles": []})

    make_client().post_reply(_reply(text=text))

    [facet] = json.loads(create.calls.last.request.content)["record"]["facets"]
    start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
    assert text.encode("utf-8")[start:end] == b"@ana.test"
    assert start == len("Olá 👋🏽 café, ação — ".encode()) != len("Olá 👋🏽 café, ação — ")
    assert facet["features"] == [{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:ana"}]
    assert profiles.calls.last.request.url.params.get_list("actors") == ["unknown.test"]


def test_posting_again_with_the_same_key_finds_the_earlier_post(respx_mock, make_client, session_path):
    _restore(session_path)
    rkey = tid_from_key("draft-d1-v1")
    earlier = f"at://{OUR_DID}/app.bsky.feed.post/{rkey}"
    xrpc(respx_mock, "com.atproto.repo.getRecord", json=_record(earlier))
    create = xrpc(respx_mock, "com.atproto.repo.createRecord", method="POST", json={})

    posted = make_client().post_reply(_reply())

    assert (posted.post_id, posted.already_posted) == (earlier, True)
    assert create.call_count == 0


def test_find_posted_reads_the_record_under_the_key_and_creates_nothing(respx_mock, make_client, session_path):
    _restore(session_path)
    earlier = f"at://{OUR_DID}/app.bsky.feed.post/{tid_from_key('draft-d1-v1')}"
    get = xrpc(respx_mock, "com.atproto.repo.getRecord", side_effect=[
        httpx.Response(200, json=_record(earlier)),
        httpx.Response(400, json={"error": "RecordNotFound", "message": "Could not locate record"}),
    ])
    create = xrpc(respx_mock, "com.atproto.repo.createRecord", method="POST", json={})
    client = make_client()

    found = client.find_posted(_reply())
    assert found is not None and (found.post_id, found.already_posted) == (earlier, True)
    assert client.find_posted(_reply()) is None
    assert get.call_count == 2 and create.call_count == 0


def test_the_post_to_answer_being_deleted_raises_remote_not_found(respx_mock, make_client, session_path):
    _restore(session_path)
    _posting_routes(respx_mock)
    xrpc(respx_mock, "app.bsky.feed.getPosts", json={"posts": []})

    with pytest.raises(RemoteNotFoundError):
        make_client().post_reply(_reply())


def test_a_text_over_300_graphemes_is_refused_never_truncated():
    check_length("e\u0301" * 300)  # 600 code points, 300 graphemes: allowed
    check_length("👩🏽‍🚀" * 200)  # 15 bytes each: 3,000 bytes, the lexicon's other limit
    with pytest.raises(InvalidInputError, match="300"):
        check_length("a" * 301)
    with pytest.raises(InvalidInputError, match="3000 bytes"):
        check_length("👩🏽‍🚀" * 201)


def test_a_reply_that_is_not_public_is_refused(make_client):
    with pytest.raises(InvalidInputError, match="public"):
        make_client().post_reply(_reply(visibility=Visibility.DIRECT))


def test_record_keys_are_valid_tids_and_stable_per_idempotency_key():
    from atproto_client.models.string_formats import TID_RE

    keys = [tid_from_key(f"draft-{n}") for n in range(1000)]
    assert all(TID_RE.match(key) for key in keys)
    assert len(set(keys)) == 1000
    assert tid_from_key("draft-7") == keys[7]


# -- profiles and history ---------------------------------------------------------------------


def test_profiles_are_looked_up_25_per_call(respx_mock, make_client, session_path):
    _restore(session_path)
    follows = json.loads((MARSHALX / "get_follows.json").read_text())["follows"]

    def answer(request: httpx.Request) -> httpx.Response:
        asked = request.url.params.get_list("actors")
        return httpx.Response(200, json={"profiles": [p for p in follows if p["did"] in asked]})

    route = xrpc(respx_mock, "app.bsky.actor.getProfiles", side_effect=answer)
    actors = [p["did"] for p in follows] + [f"did:plc:nobody{n}" for n in range(30)]

    found = make_client().lookup_profiles(actors)

    sizes = [len(call.request.url.params.get_list("actors")) for call in route.calls]
    assert sizes == [25] * (len(actors) // 25) + ([len(actors) % 25] if len(actors) % 25 else [])
    assert {person.platform_id for person in found.values()} == {p["did"] for p in follows}
    assert found[follows[0]["did"]].bio == follows[0]["description"]


def test_history_pages_back_to_since_with_our_own_replies_as_sent(respx_mock, make_client, session_path):
    _restore(session_path)
    items = many_mentions(4)
    ours = post_view("ours-replying", author_did=OUR_DID, parent=_PARENT)
    ours["indexedAt"] = items[1]["indexedAt"]
    xrpc(respx_mock, "app.bsky.notification.listNotifications", json=notification_page(items, "older"))
    xrpc(respx_mock, "app.bsky.feed.getAuthorFeed", json={
        "feed": [{"post": ours, "reply": {"parent": _as_union(_PARENT), "root": _as_union(_PARENT)}}]})
    since = datetime.fromisoformat(items[2]["indexedAt"])

    batch = make_client().fetch_history(None, since=since)

    mentions = [i.id for i in batch.interactions if i.kind is InteractionKind.MENTION]
    assert mentions == [items[2]["uri"], items[1]["uri"], items[0]["uri"]]
    [sent] = [i for i in batch.interactions if i.kind is InteractionKind.SENT]
    assert (sent.id, sent.person.platform_id) == (ours["uri"], _PARENT["author"]["did"])
    assert sent.post.in_reply_to == _PARENT["uri"]
    assert batch.more is False



def test_a_changed_handle_keeps_the_same_person_id(respx_mock, make_client, session_path):
    _restore(session_path)
    items = many_mentions(2)
    items[0]["author"]["handle"] = "dan.bsky.social"  # dan moved to a new handle between the two
    xrpc(respx_mock, "app.bsky.notification.listNotifications", json=notification_page(items))
    xrpc(respx_mock, "app.bsky.notification.updateSeen", method="POST", json={})

    older, newer = make_client().fetch_new(EPOCH).interactions

    assert older.person.platform_id == newer.person.platform_id
    assert (older.person.handle, newer.person.handle) == ("dan.test", "dan.bsky.social")


def test_the_hourly_write_budget_is_kept_before_the_server_has_to_refuse(bsky_clock):
    from bot.platforms.bluesky import RateLimits

    limits = RateLimits(bsky_clock)
    for _ in range(1666):  # 4,998 points of 5,000
        limits.charge_write(3)

    with pytest.raises(RateLimitedError) as caught:
        limits.charge_write(3)

    assert caught.value.reset_at == NOW + timedelta(hours=1)
    bsky_clock.advance(hours=1, seconds=1)
    limits.charge_write(3)


def test_login_and_store_saves_the_session_for_later_runs(respx_mock, session_path, log):
    from bot.platforms.bluesky import login_and_store

    xrpc(respx_mock, "com.atproto.server.createSession", method="POST", json=_session())

    did = login_and_store("rapport.test", PASSWORD, SERVICE, session_path, log=log)

    assert did == OUR_DID
    assert stat.S_IMODE(session_path.stat().st_mode) == 0o600
    assert PASSWORD not in session_path.read_text()


def test_a_create_that_timed_out_but_succeeded_is_found_not_posted_twice(
    respx_mock, make_client, session_path, sleeps
):
    _restore(session_path)
    rkey = tid_from_key("draft-d1-v1")
    landed = f"at://{OUR_DID}/app.bsky.feed.post/{rkey}"
    xrpc(respx_mock, "com.atproto.repo.getRecord", side_effect=[
        httpx.Response(400, json={"error": "RecordNotFound", "message": "Could not locate record"}),
        httpx.Response(200, json=_record(landed)),
    ])
    xrpc(respx_mock, "app.bsky.feed.getPosts", json={"posts": [_PARENT]})
    create = xrpc(respx_mock, "com.atproto.repo.createRecord", method="POST",
                  side_effect=httpx.ReadTimeout("slow"))

    posted = make_client().post_reply(_reply())

    assert (posted.post_id, posted.already_posted) == (landed, True)
    assert create.call_count == 1 and sleeps == []
