"""BlueskyClient against a real PLC, PDS and AppView on loopback (see launcher.mjs)."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.domain.models import InteractionKind, OutgoingReply, Visibility
from bot.platforms.bluesky import BlueskyClient

from .network import LocalBluesky

pytestmark = pytest.mark.e2e


def _client(network: LocalBluesky, session_path: Path, *, with_password: bool = True) -> BlueskyClient:
    ours = network.accounts["ours"]
    return BlueskyClient(
        account="e2e", handle=ours.handle, password=ours.password if with_password else None,
        service=network.pds_url, session_path=session_path, request_timeout=20.0,
    )


def _reply(text: str, in_reply_to: str, key: str, network: LocalBluesky) -> OutgoingReply:
    ana = network.accounts["ana"]
    return OutgoingReply(
        draft_id=key, account="e2e", text=text, in_reply_to=in_reply_to, thread=None, to=(ana.handle,),
        visibility=Visibility.PUBLIC, language="pt", idempotency_key=key, recipient_ids=(ana.did,),
    )


def _as_the_appview_lists_them(network: LocalBluesky, cursor: str | None) -> str:
    """For a failure message: what the AppView itself lists for our account."""
    listed = [(n["reason"], n["uri"], n["indexedAt"]) for n in network.notifications("ours")]
    return f"cursor {cursor!r}; the AppView lists {listed}"


def test_mention_reply_quote_and_signals_are_ingested_exactly_once(
    bluesky_network: LocalBluesky, tmp_path: Path
):
    network, ana = bluesky_network, bluesky_network.accounts["ana"]
    client = _client(network, tmp_path / "session")
    mark = client.fetch_new(None).cursor
    ours_post = network.post("ours", "Firing the kiln tonight.")
    network.process_all()  # the AppView notifies a reply only if it has indexed the parent already
    mention = network.post(
        "ana", "Olá @rapport.test, what cone do you fire to?", mentions=["ours"], langs=["pt"]
    )
    reply = network.post("ana", "Cone 6, like me?", reply_to=ours_post)
    quote = network.post("ana", "Look at this kiln ✨", quote=ours_post)
    like = network.command("like", **{"as": "ana", "uri": ours_post})["uri"]
    follow = network.command("follow", **{"as": "ana", "subject": "ours"})["uri"]
    network.process_all()

    batch = client.fetch_new(mark)

    assert [(i.kind, i.id) for i in batch.interactions] == [
        (InteractionKind.MENTION, mention), (InteractionKind.REPLY, reply), (InteractionKind.QUOTE, quote),
        (InteractionKind.LIKE, like), (InteractionKind.FOLLOW, follow),
    ], _as_the_appview_lists_them(network, mark)
    person = batch.interactions[0].person
    assert (person.platform_id, person.handle, person.name) == (ana.did, ana.handle, "Ana Lima")
    assert person.bio.startswith("Potter in Porto")
    assert batch.interactions[0].post.language == "pt"
    assert batch.interactions[1].post.in_reply_to == ours_post
    assert batch.interactions[1].post.thread == ours_post
    assert batch.skipped == 0
    again = client.fetch_new(batch.cursor)
    assert again.interactions == ()
    assert again.cursor == batch.cursor
    client.close()


def test_reply_to_a_reply_reaches_ana_with_root_parent_and_mention_facet(
    bluesky_network: LocalBluesky, tmp_path: Path
):
    network, ana = bluesky_network, bluesky_network.accounts["ana"]
    client = _client(network, tmp_path / "session")
    mark = client.fetch_new(None).cursor
    root = network.post("ana", "New glaze test: celadon over porcelain.")
    ours_reply = network.post("ours", "Gorgeous colour!", reply_to=root)
    network.process_all()  # the AppView notifies a reply only if it has indexed the parent already
    answer = network.post("ana", "Thanks! Shall I share the recipe?", reply_to=ours_reply)
    network.process_all()
    incoming = client.fetch_new(mark).interactions
    got = [(i.kind, i.post.id, i.post.thread) for i in incoming]
    assert got == [(InteractionKind.REPLY, answer, root)], _as_the_appview_lists_them(network, mark)

    text = "Sim, por favor! Café ☕ e cerâmica 🎉 — @ana.test, obrigada."
    posted = client.post_reply(_reply(text, answer, "e2e-draft-1", network))
    network.process_all()

    assert not posted.already_posted
    assert posted.url and posted.url.startswith("https://bsky.app/profile/")
    seen = {n["uri"]: n for n in network.notifications("ana")}
    record = seen[posted.post_id]["record"]
    assert seen[posted.post_id]["reason"] == "mention"  # the AppView prefers mention over reply
    assert record["reply"]["parent"]["uri"] == answer
    assert record["reply"]["root"]["uri"] == root
    assert record["langs"] == ["pt"]
    [facet] = record["facets"]
    start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
    assert text.encode()[start:end] == b"@ana.test"
    assert facet["features"] == [{"$type": "app.bsky.richtext.facet#mention", "did": ana.did}]
    client.close()


def test_posting_again_with_the_same_idempotency_key_creates_no_second_post(
    bluesky_network: LocalBluesky, tmp_path: Path
):
    network = bluesky_network
    client = _client(network, tmp_path / "session")
    target = network.post("ana", "Anyone selling a used wheel?")
    network.process_all()
    reply = _reply("I might be, @ana.test!", target, "e2e-draft-twice", network)
    assert client.find_posted(reply) is None

    first = client.post_reply(reply)
    second = client.post_reply(reply)
    after_a_crash = _client(network, tmp_path / "other-session").post_reply(reply)

    assert (second.post_id, second.already_posted) == (first.post_id, True)
    assert (after_a_crash.post_id, after_a_crash.already_posted) == (first.post_id, True)
    found = client.find_posted(reply)
    assert found is not None and found.post_id == first.post_id
    records = network.command("records", **{"as": "ours", "collection": "app.bsky.feed.post"})["records"]
    assert [r["uri"] for r in records if r["value"]["text"] == reply.text] == [first.post_id]
    client.close()


def test_a_create_racing_an_earlier_attempt_is_refused_by_the_pds_and_reported_as_posted(
    bluesky_network: LocalBluesky, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """If the existence check misses the record (two senders at once), the PDS refuses a second
    create under the same key (with a 500, as of @atproto/pds 0.4): the reply is still posted once."""
    network = bluesky_network
    client = _client(network, tmp_path / "session")
    target = network.post("ana", "Who fires wood kilns around here?")
    network.process_all()
    reply = _reply("We do, every spring.", target, "e2e-draft-race", network)
    first = client.post_reply(reply)
    original, calls = client._poster._own_post, []

    def misses_the_first_time(rkey: str) -> str | None:
        calls.append(rkey)
        return None if len(calls) == 1 else original(rkey)

    monkeypatch.setattr(client._poster, "_own_post", misses_the_first_time)

    raced = client.post_reply(reply)

    assert (raced.post_id, raced.already_posted) == (first.post_id, True)
    client.close()


def test_a_restored_session_does_not_log_in_again_and_resumes_without_loss_or_duplicates(
    bluesky_network: LocalBluesky, tmp_path: Path
):
    network = bluesky_network
    session_path = tmp_path / "sessions" / "ours.bluesky-session"
    first = _client(network, session_path)
    mark = first.fetch_new(None).cursor
    assert stat.S_IMODE(session_path.stat().st_mode) == 0o600
    before = [network.post("ana", f"@rapport.test question {n}", mentions=["ours"]) for n in (1, 2)]
    network.process_all()
    seen = first.fetch_new(mark)
    first.close()
    logins = network.create_session_calls()

    # No password at all: any attempt to log in would raise instead of passing silently.
    restored = _client(network, session_path, with_password=False)
    after = network.post("ana", "@rapport.test one more", mentions=["ours"])
    network.process_all()
    resumed = restored.fetch_new(seen.cursor)

    assert [i.id for i in seen.interactions] == before, _as_the_appview_lists_them(network, mark)
    assert [i.id for i in resumed.interactions] == [after], _as_the_appview_lists_them(network, seen.cursor)
    assert network.create_session_calls() == logins
    restored.close()


def test_history_brings_back_past_notifications_and_our_own_replies(
    bluesky_network: LocalBluesky, tmp_path: Path
):
    network, ana = bluesky_network, bluesky_network.accounts["ana"]
    client = _client(network, tmp_path / "session")
    target = network.post("ana", "Throwing bowls all day.")
    network.process_all()
    sent = client.post_reply(_reply("Show us the bowls, @ana.test!", target, "e2e-draft-history", network))
    network.process_all()

    found, cursor, more = [], None, True
    while more:
        batch = client.fetch_history(cursor, since=datetime.now(UTC) - timedelta(hours=1))
        found.extend(batch.interactions)
        cursor, more = batch.cursor, batch.more

    ours = [i for i in found if i.id == sent.post_id]
    assert [(i.kind, i.person.platform_id, i.post.in_reply_to) for i in ours] == [
        (InteractionKind.SENT, ana.did, target)
    ]
    assert {InteractionKind.MENTION, InteractionKind.REPLY} <= {i.kind for i in found}
    client.close()
