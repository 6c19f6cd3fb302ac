"""MastodonClient against Mastodon's own behaviour and against each dialect of the servers that
speak its client API (mastodon_fake.py): every test here runs once per dialect, through
Mastodon.py and `requests` to a real server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from mastodon_fake import DIALECTS, TOKEN

from bot.domain.models import InteractionKind, OutgoingReply, Visibility
from bot.errors import AuthFailedError, TransientError


@pytest.fixture(params=DIALECTS, ids=lambda dialect: dialect.name)
def server(request: pytest.FixtureRequest, fake_mastodon: Any) -> Any:
    return fake_mastodon(request.param)


@pytest.fixture
def client(server: Any, log: Any, sleeps: list[float], clock: Any) -> Iterator[Any]:
    """Builds a MastodonClient for the fake; our account is @mastodonpy_test on localhost:3000."""
    from bot.platforms.mastodon import MastodonClient

    clients: list[Any] = []

    def build(**changes: Any) -> Any:
        options: dict[str, Any] = dict(
            account="main", handle="mastodonpy_test@localhost:3000", base_url=server.base_url,
            access_token=TOKEN, request_timeout=2.0, log=log, sleep=sleeps.append, clock=clock,
        )
        clients.append(MastodonClient(**(options | changes)))
        return clients[-1]

    yield build
    for built in clients:
        built.close()


def at(moment: Any) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def reply_to(status: dict[str, Any], clock: Any, visibility: str, **changes: Any) -> OutgoingReply:
    fields = dict(draft_id="d1", account="main", text="Thanks, that helps a lot!", in_reply_to=status["id"],
                  thread=status["id"], to=("admin@localhost:3000",), visibility=Visibility(visibility),
                  language="en", idempotency_key="rapport-d1", drafted_at=clock.now - timedelta(minutes=1))
    return OutgoingReply(**(fields | changes))


# -- paging until the server says the end -----------------------------------------------------


def test_first_start_reads_the_whole_history_whatever_the_server_s_page_size(server, client, clock):
    """55 notifications within the horizon, 5 beyond it: all 55 are read (a page of 40 is no end)."""
    since = clock.now - timedelta(days=90)
    for n in range(1, 61):
        kind = {7: "follow", 8: "favourite"}.get(n, "mention")
        when = since + timedelta(hours=n - 5.5)  # 1-5 lie before the horizon
        server.mention(n, kind=kind, created_at=at(when))
    history, cursor = [], None
    for _ in range(20):
        batch = client().fetch_history(cursor, since)
        history += batch.interactions
        cursor = batch.cursor
        if not batch.more:
            break
    assert cursor == "done"
    assert sorted((int(i.id) for i in history)) == list(range(6, 61))
    kinds = {i.id: i.kind for i in history}
    assert (kinds["7"], kinds["8"]) == (InteractionKind.FOLLOW, InteractionKind.LIKE)


def test_first_start_reads_all_our_own_replies_past_short_pages(server, client):
    """Our 50 replies, read back as sent messages, whatever the server's page of statuses."""
    answered = server.mention(1)["status"]
    for n in range(50):
        server.our_status(f"@admin@localhost:3000 reply number {n}", in_reply_to=answered["id"])
    sent, cursor, since = [], "sent:", server.now() - timedelta(days=90)
    while cursor != "done":
        batch = client().fetch_history(cursor, since)
        sent += batch.interactions
        cursor = batch.cursor
    assert len(sent) == 50 and {i.kind for i in sent} == {InteractionKind.SENT}
    assert {i.person.handle for i in sent} == {"admin@localhost:3000"}


def test_polling_catches_up_a_gap_larger_than_the_server_s_page(server, client):
    for n in range(1, 131):
        server.mention(n)
    polling, cursor, ids, polls, more = client(), "0", [], 0, True
    while more:
        batch = polling.fetch_new(cursor)
        ids += [i.id for i in batch.interactions]
        cursor, more, polls = batch.cursor, batch.more, polls + 1
    assert ids == [str(n) for n in range(1, 131)] and cursor == "130"
    page = min(80, server.dialect.notifications_cap)
    assert polls == -(-130 // page)  # no request beyond the last page: it is shorter than the longest seen


# -- exactly once, without help from the server ----------------------------------------------


@pytest.mark.parametrize("visibility", ["direct", "private", "public"])
def test_a_reply_accepted_then_lost_to_a_502_is_found_before_any_retry(server, client, clock, visibility):
    answered = server.mention(1, visibility=visibility)["status"]
    reply = reply_to(answered, clock, visibility)
    server.fail_next_post = True
    posting = client()
    with pytest.raises(TransientError):
        posting.post_reply(reply)
    found = client().find_posted(reply)  # what the sender asks before any retry
    [ours] = server.ours()
    assert found is not None and (found.post_id, found.already_posted) == (ours["id"], True)


@pytest.mark.parametrize("visibility", ["direct", "private", "public"])
def test_posting_again_with_the_same_key_never_posts_twice(server, client, clock, visibility):
    answered = server.mention(1, visibility=visibility)["status"]
    reply = reply_to(answered, clock, visibility)
    first = client().post_reply(reply)
    again = client().post_reply(reply)
    [ours] = server.ours()
    assert (first.post_id, first.already_posted) == (ours["id"], False)
    assert (again.post_id, again.already_posted) == (ours["id"], True)
    assert ours["visibility"] == visibility


def test_a_reply_found_is_ours_to_that_post_and_not_older_than_the_draft(server, client, clock):
    answered = server.mention(1, visibility="direct")["status"]
    other = server.mention(2, visibility="direct")["status"]
    reply = reply_to(answered, clock, "direct")
    server.our_status("@admin@localhost:3000 Thanks, that helps a lot!", in_reply_to=other["id"],
                      visibility="direct")  # the same words, to another post
    clock.now -= timedelta(hours=1)
    server.our_status("@admin@localhost:3000 Thanks, that helps a lot!", in_reply_to=answered["id"],
                      visibility="direct")  # to that post, an hour before the draft
    clock.now += timedelta(hours=1)
    assert client().find_posted(reply) is None


def test_a_direct_post_that_answers_nothing_cannot_be_confirmed_and_says_so(server, client, clock, log):
    reply = reply_to({"id": ""}, clock, "direct", thread=None)
    checking = client()
    assert checking.find_posted(reply) is None
    reason = checking.earlier_attempt_blind_spot(reply)
    assert reason and "cannot be ruled out" in reason
    assert [e["reason"] for e in log.named("mastodon.earlier_attempt_unverifiable")] == [reason]
    assert checking.earlier_attempt_blind_spot(replace(reply, visibility=Visibility.PUBLIC)) is None


def test_a_public_post_that_answers_nothing_is_posted_once(server, client, clock):
    reply = reply_to({"id": ""}, clock, "public", thread=None)
    posted = client().post_reply(reply)
    found = client().find_posted(reply)
    [ours] = server.ours()
    assert ours["in_reply_to_id"] is None and posted.post_id == ours["id"]
    assert found is not None and found.post_id == ours["id"]


def test_an_announcement_goes_as_a_direct_message_naming_the_person_and_answering_nothing(server, client, clock):
    reply = reply_to({"id": ""}, clock, "direct", thread=None, to=("ana@social.example",),
                     text="Hi Ana, news.\n\n(Reply \"stop\" and I won't again.)")
    client().post_reply(reply)
    [ours] = server.ours()
    assert ours["visibility"] == "direct" and ours["in_reply_to_id"] is None
    assert [m["acct"] for m in ours["mentions"]] == ["ana@social.example"]


# -- a refused token ---------------------------------------------------------------------------


def test_a_refused_token_is_an_auth_failure_and_is_not_retried(server, client, log):
    with pytest.raises(AuthFailedError) as raised:
        client(access_token="not-the-right-token").fetch_new("0")
    assert "refused the access token of main" in str(raised.value)
    assert server.requests == [("GET", "/api/v1/notifications")]
    assert "not-the-right-token" not in str(raised.value) + log.text()
