"""BlueskyClient against responses rapport recorded itself from a real Bluesky network.

`tests/fixtures/bluesky/recorded/` holds what the PLC, PDS and AppView of @atproto/dev-env
answered after a short scene between our account and Ana (`tests/e2e/bluesky/record_fixtures.py`
plays and records it; the README there says how to record again). `scene.json` says whose each
DID and at-uri is, so nothing here guesses. The answers are served through respx: the atproto SDK's
own code paths run, and nothing leaves the process.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from bot.domain.models import Batch, InteractionKind
from bot.platforms import bluesky_convert as convert
from bot.platforms.bluesky import BlueskyClient
from tests.fakes import FakeClock

RECORDED = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "bluesky" / "recorded"
SERVICE = "https://pds.rapport.example"
EPOCH = "2000-01-01T00:00:00.000Z"  # a mark older than every recorded notification
TOKEN_SHAPES = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.|accessJwt|refreshJwt|password", re.IGNORECASE)


@cache
def _text(name: str) -> str:
    return (RECORDED / name).read_text(encoding="utf-8")


def recorded(name: str) -> dict[str, Any]:
    """A fresh copy of one recorded answer (or of scene.json): tests may change theirs."""
    return json.loads(_text(name))


SCENE = recorded("scene.json")
OURS, ANA = SCENE["people"]["ours"], SCENE["people"]["ana"]


def uri(name: str) -> str:
    """The at-uri of a post or signal of the scene, by its name there."""
    return (SCENE["posts"].get(name) or SCENE["signals"][name])["uri"]


def _jwt(exp: int, scope: str) -> str:
    """An unsigned token of the PDS's shape: the SDK only reads its expiry."""
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    claims = {"scope": f"com.atproto.{scope}", "sub": OURS["did"], "iat": exp - 7200, "exp": exp}
    return ".".join([part({"typ": "at+jwt", "alg": "ES256K"}), part(claims), "c2ln"])


@pytest.fixture
def client(tmp_path: Path, log: Any, sleeps: list[float]):
    """Our recorded account, its session restored (no password: a login attempt would fail)."""
    session_path = tmp_path / "recorded.bluesky-session"
    exp = int((datetime.now(UTC) + timedelta(hours=2)).timestamp())  # the SDK checks the real clock
    session_path.write_text(":::".join(
        [OURS["handle"], OURS["did"], _jwt(exp, "access"), _jwt(exp + 86400, "refresh"), SERVICE]
    ))
    made = BlueskyClient(
        account="main", handle=OURS["handle"], password=None, service=SERVICE, session_path=session_path,
        clock=FakeClock(datetime.fromisoformat(SCENE["recorded_at"])), sleep=sleeps.append, log=log, jitter=lambda: 0.5,
    )
    yield made
    made.close()


def serve(respx_mock: respx.MockRouter, file: str) -> respx.Route:
    """Answer the request `file` was recorded from with its recorded body."""
    nsid = SCENE["requests"][file]["nsid"]
    return respx_mock.get(f"{SERVICE}/xrpc/{nsid}").mock(return_value=httpx.Response(200, json=recorded(file)))


def accept_seen(respx_mock: respx.MockRouter) -> respx.Route:
    return respx_mock.post(f"{SERVICE}/xrpc/app.bsky.notification.updateSeen").mock(
        return_value=httpx.Response(200)
    )


def poll(respx_mock: respx.MockRouter, client: BlueskyClient) -> Batch:
    """One poll from a mark older than the scene: everything recorded is new."""
    serve(respx_mock, "listNotifications.json")
    accept_seen(respx_mock)
    return client.fetch_new(EPOCH)


def by_id(batch: Batch) -> dict[str, Any]:
    return {interaction.id: interaction for interaction in batch.interactions}


def thread_parents(node: dict[str, Any], into: dict[str, str] | None = None) -> dict[str, str]:
    """Each post of a getPostThread view, by uri, mapped to the uri of the post it sits under."""
    into = {} if into is None else into
    for child in node.get("replies") or []:
        into[child["post"]["uri"]] = node["post"]["uri"]
        thread_parents(child, into)
    return into


def thread_view(node: dict[str, Any], wanted: str) -> dict[str, Any]:
    """The post view of `wanted` inside a getPostThread view."""
    if node["post"]["uri"] == wanted:
        return node["post"]
    for child in node.get("replies") or []:
        found = thread_view(child, wanted)
        if found:
            return found
    return {}


# -- notifications ----------------------------------------------------------------------------


def test_each_recorded_notification_becomes_its_kind_oldest_first(respx_mock, client):
    batch = poll(respx_mock, client)

    assert [(i.kind, i.id) for i in batch.interactions] == [
        (InteractionKind.REPLY, uri("ana_reply")),
        (InteractionKind.REPLY, uri("ana_answer")),
        (InteractionKind.MENTION, uri("mention")),
        (InteractionKind.QUOTE, uri("quote")),
        (InteractionKind.LIKE, uri("like")),
        (InteractionKind.REPOST, uri("repost")),
        (InteractionKind.FOLLOW, uri("follow")),
    ]
    assert (batch.skipped, batch.more) == (0, False)


def test_the_adapter_asks_for_notifications_as_they_were_recorded(respx_mock, client):
    route = serve(respx_mock, "listNotifications.json")
    accept_seen(respx_mock)

    client.fetch_new(EPOCH)

    asked = route.calls.last.request.url.params
    wanted = SCENE["requests"]["listNotifications.json"]["params"]
    assert asked.get_list("reasons") == wanted["reasons"]
    assert (asked["priority"], asked["limit"]) == (wanted["priority"], str(wanted["limit"]))


def test_every_interaction_carries_ana_keyed_by_did_with_her_handle_name_and_bio(respx_mock, client):
    batch = poll(respx_mock, client)

    people = {i.person for i in batch.interactions}
    assert len(people) == 1
    [ana] = people
    assert (ana.platform_id, ana.handle, ana.name) == (ANA["did"], "ana.test", "Ana Lima")
    assert ana.bio == "Potter in Porto. Kilns, glazes, long walks. 🏺"
    assert ana.bot is False


def test_conversation_posts_keep_their_text_first_language_and_bsky_app_url(respx_mock, client):
    found = by_id(poll(respx_mock, client))

    for name in ("ana_reply", "ana_answer", "mention", "quote"):
        scene_post, post = SCENE["posts"][name], found[uri(name)].post
        rkey = uri(name).rsplit("/", 1)[1]
        assert (post.id, post.text, post.language) == (uri(name), scene_post["text"], scene_post["langs"][0])
        assert post.url == f"https://bsky.app/profile/{ANA['did']}/post/{rkey}"
    assert found[uri("quote")].post.language == "es"  # recorded as ["es", "en"]: the first one wins
    assert found[uri("mention")].post.text.encode()[10:23] == b"@rapport.test"  # emoji after it kept whole


def test_a_reply_to_our_root_post_has_it_as_parent_and_as_thread(respx_mock, client):
    post = by_id(poll(respx_mock, client))[uri("ana_reply")].post

    assert (post.in_reply_to, post.thread) == (uri("root"), uri("root"))


def test_a_reply_to_our_reply_has_our_reply_as_parent_and_our_root_post_as_thread(respx_mock, client):
    post = by_id(poll(respx_mock, client))[uri("ana_answer")].post

    assert (post.in_reply_to, post.thread) == (uri("our_reply"), uri("root"))
    assert post.thread_id == uri("root")


def test_a_mention_and_a_quote_are_threads_of_their_own(respx_mock, client):
    found = by_id(poll(respx_mock, client))

    for name in ("mention", "quote"):
        post = found[uri(name)].post
        assert (post.in_reply_to, post.thread, post.thread_id) == (None, None, uri(name))


def test_likes_reposts_and_follows_are_signals_without_a_post(respx_mock, client):
    found = by_id(poll(respx_mock, client))

    for name in ("like", "repost", "follow"):
        signal = found[uri(name)]
        assert (signal.kind.is_signal, signal.post) == (True, None), name
    for name in ("ana_reply", "ana_answer", "mention", "quote"):
        assert found[uri(name)].kind.is_conversation, name


def test_interaction_times_are_the_recorded_indexed_times_in_utc(respx_mock, client):
    found = by_id(poll(respx_mock, client))

    for item in recorded("listNotifications.json")["notifications"]:
        at = found[item["uri"]].at
        assert at == datetime.fromisoformat(item["indexedAt"].replace("Z", "+00:00"))
        assert at.utcoffset() == timedelta(0)


def test_the_first_poll_hands_over_nothing_and_marks_the_newest_notification(respx_mock, client):
    serve(respx_mock, "listNotifications.json")
    newest = recorded("listNotifications.json")["notifications"][0]

    first = client.fetch_new(None)

    assert first.interactions == ()
    assert newest["uri"] == uri("follow")
    assert first.cursor.split(" ")[0] == newest["indexedAt"]


def test_a_second_poll_from_the_cursor_repeats_nothing_and_marks_the_newest_seen(respx_mock, client):
    batch = poll(respx_mock, client)
    seen = accept_seen(respx_mock)

    again = client.fetch_new(batch.cursor)

    assert again.interactions == () and again.cursor == batch.cursor
    newest = recorded("listNotifications.json")["notifications"][0]["indexedAt"]
    assert json.loads(seen.calls.last.request.content) == {"seenAt": newest}


def test_one_unreadable_recorded_notification_is_skipped_and_the_rest_kept(respx_mock, client, log):
    page = recorded("listNotifications.json")
    [quote] = [item for item in page["notifications"] if item["uri"] == uri("quote")]
    del quote["record"]["text"]  # a post record without its text
    respx_mock.get(f"{SERVICE}/xrpc/app.bsky.notification.listNotifications").mock(
        return_value=httpx.Response(200, json=page)
    )
    accept_seen(respx_mock)

    batch = client.fetch_new(EPOCH)

    assert uri("quote") not in by_id(batch) and len(batch.interactions) == 6
    assert batch.skipped == 1
    assert [event["item_id"] for event in log.events if event["event"] == "bluesky.item_skipped"] == [uri("quote")]


# -- the thread -------------------------------------------------------------------------------


def test_replies_name_the_same_parent_and_root_as_the_recorded_thread_view(respx_mock, client):
    thread = recorded("getPostThread.json")["thread"]
    parents = thread_parents(thread)
    replies = [i for i in poll(respx_mock, client).interactions if i.kind is InteractionKind.REPLY]

    assert [i.id for i in replies] == [uri("ana_reply"), uri("ana_answer")]
    for reply in replies:
        assert reply.post.in_reply_to == parents[reply.id]
        assert reply.post.thread == thread["post"]["uri"] == uri("root")


def test_a_reply_to_a_recorded_post_view_points_at_it_and_at_its_thread_root():
    """What `post_reply` would send in answer to Ana's reply to our reply: strong refs, CIDs included."""
    thread = recorded("getPostThread.json")["thread"]
    answer = thread_view(thread, uri("ana_answer"))

    ref = convert.reply_ref(answer)

    assert (ref.parent.uri, ref.parent.cid) == (uri("ana_answer"), answer["cid"])
    assert (ref.root.uri, ref.root.cid) == (uri("root"), thread["post"]["cid"])


# -- profiles and history ---------------------------------------------------------------------


def test_profiles_are_keyed_by_did_and_ours_without_a_profile_record_has_no_name(respx_mock, client):
    route = serve(respx_mock, "getProfiles.json")

    found = client.lookup_profiles([OURS["did"], ANA["did"]])

    assert route.calls.last.request.url.params.get_list("actors") == [OURS["did"], ANA["did"]]
    assert set(found) == {OURS["did"], ANA["did"]}
    ana, ours = found[ANA["did"]], found[OURS["did"]]
    assert (ana.handle, ana.name, ana.bio) == ("ana.test", "Ana Lima", "Potter in Porto. Kilns, glazes, long walks. 🏺")
    assert (ours.platform_id, ours.handle, ours.name, ours.bio) == (OURS["did"], "rapport.test", "", "")


def test_history_brings_back_the_notifications_and_our_reply_to_ana_as_sent(respx_mock, client):
    serve(respx_mock, "listNotifications.json")
    serve(respx_mock, "getAuthorFeed.json")
    since = datetime.fromisoformat(SCENE["recorded_at"].replace("Z", "+00:00")) - timedelta(hours=1)

    batch = client.fetch_history(None, since=since)

    assert [(i.kind, i.id) for i in batch.interactions][:3] == [
        (InteractionKind.REPLY, uri("ana_reply")),
        (InteractionKind.SENT, uri("our_reply")),
        (InteractionKind.REPLY, uri("ana_answer")),
    ]
    assert len(batch.interactions) == 8  # our root post answers nobody: not a conversation of ours
    sent = by_id(batch)[uri("our_reply")]
    assert (sent.person.platform_id, sent.person.handle) == (ANA["did"], "ana.test")
    assert (sent.post.text, sent.post.language) == (SCENE["posts"]["our_reply"]["text"], "es")
    assert (sent.post.in_reply_to, sent.post.thread) == (uri("ana_reply"), uri("root"))


# -- the recordings themselves ----------------------------------------------------------------


@pytest.mark.parametrize("file", sorted(path.name for path in RECORDED.glob("*.json")))
def test_the_recorded_files_hold_no_password_or_token(file: str):
    assert TOKEN_SHAPES.findall(_text(file)) == []
