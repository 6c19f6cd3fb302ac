"""MastodonClient against real recorded Mastodon responses, served on loopback.

Every test goes through Mastodon.py and `requests` to a pytest-httpserver that replays the
cassettes in tests/fixtures/mastodon (see mastodon_replay.py). Our account is
@mastodonpy_test on localhost:3000, or @admin where the recorded replies were posted by admin.
"""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from mastodon_replay import (
    NotificationTimeline,
    mention_notification,
    notification,
    own_reply,
    recorded,
    replied_status,
    response,
    serve,
)

from bot.domain.models import InteractionKind, OutgoingReply, Person, Visibility
from bot.errors import (
    AuthFailedError,
    InvalidInputError,
    RateLimitedError,
    RemoteNotFoundError,
    RemoteRejectedError,
    TransientError,
)

ACCESS_TOKEN = "__MASTODON_PY_TEST_ACCESS_TOKEN"
ADMIN_ID = "117020565693913441"
REPLIED_ID = "117020583245459824"  # @mastodonpy_test_2's status that @admin answered


def timeline(httpserver: Any, items: list[dict[str, Any]]) -> NotificationTimeline:
    return NotificationTimeline(items, httpserver.url_for("/")).install(httpserver)


def mentions(first: int, last: int) -> list[dict[str, Any]]:
    return [notification(n) for n in range(first, last + 1)]


def drain(client: Any, cursor: str | None) -> tuple[list[str], str | None, int]:
    """Poll until the client says there is no more; returns the ids, the cursor and the polls."""
    ids, polls, more = [], 0, True
    while more:
        batch = client.fetch_new(cursor)
        ids += [i.id for i in batch.interactions]
        cursor, more, polls = batch.cursor, batch.more, polls + 1
    return ids, cursor, polls


def requests_to(httpserver: Any, path: str, method: str = "GET") -> list[Any]:
    return [req for req, _ in httpserver.log if req.path == path and req.method == method]


# -- polling ----------------------------------------------------------------------------------


def test_first_poll_starts_at_the_newest_notification_and_returns_nothing(httpserver, mastodon_client):
    timeline(httpserver, mentions(1, 30))
    batch = mastodon_client().fetch_new(None)
    assert (batch.interactions, batch.cursor, batch.more) == ((), "30", False)
    assert len(httpserver.log) == 1


def test_first_poll_of_an_account_without_notifications_starts_from_zero(httpserver, mastodon_client):
    timeline(httpserver, [])
    assert mastodon_client().fetch_new(None).cursor == "0"


def test_mentions_over_several_pages_arrive_oldest_first_walking_forward_with_min_id(
    httpserver, mastodon_client
):
    served = timeline(httpserver, mentions(1, 200))
    ids, cursor, polls = drain(mastodon_client(), "0")
    assert ids == [str(n) for n in range(1, 201)]
    assert (cursor, polls) == ("200", 3)
    assert [r["min_id"] for r in served.requests] == [["0"], ["80"], ["160"]]
    assert all(r["types[]"] == ["mention", "follow", "favourite", "reblog", "quote"] for r in served.requests)
    assert all(r["limit"] == ["80"] for r in served.requests)


def test_a_gap_larger_than_a_page_is_read_in_full(httpserver, mastodon_client):
    timeline(httpserver, mentions(1, 10) + mentions(11, 180))
    ids, cursor, _ = drain(mastodon_client(), "10")
    assert ids == [str(n) for n in range(11, 181)] and cursor == "180"


def test_restart_resumes_from_the_cursor_without_loss_or_duplicate(httpserver, mastodon_client):
    served = timeline(httpserver, mentions(1, 100))
    first = mastodon_client().fetch_new("0")  # then the process stops; only the cursor survives
    served.items += mentions(101, 130)
    rest, cursor, _ = drain(mastodon_client(), first.cursor)
    seen = [i.id for i in first.interactions] + rest
    assert seen == [str(n) for n in range(1, 131)] and len(set(seen)) == 130
    assert cursor == "130"


def test_a_server_ignoring_min_id_does_not_make_old_items_new_again(httpserver, mastodon_client):
    newest_first = [notification(3), notification(2), notification(1)]
    serve(httpserver, recorded("test_notifications", "GET", "/api/v1/notifications"), body=newest_first)
    batch = mastodon_client().fetch_new("2")
    assert [i.id for i in batch.interactions] == ["3"] and batch.cursor == "3"


def test_idle_poll_costs_one_request_and_keeps_the_cursor(httpserver, mastodon_client):
    timeline(httpserver, mentions(1, 5))
    batch = mastodon_client().fetch_new("5")
    assert (batch.interactions, batch.cursor, batch.more) == ((), "5", False)
    assert len(httpserver.log) == 1


def test_notification_types_map_to_interaction_kinds(httpserver, mastodon_client):
    items = [
        notification(1),
        notification(2, in_reply_to_id=REPLIED_ID, in_reply_to_account_id="117020565966271181"),
        notification(3, kind="follow"),
        notification(4, kind="favourite"),
        notification(5, kind="reblog"),
        notification(6, kind="quote"),
    ]
    timeline(httpserver, items)
    batch = mastodon_client().fetch_new("0")
    assert [i.kind for i in batch.interactions] == [
        InteractionKind.MENTION, InteractionKind.REPLY, InteractionKind.FOLLOW,
        InteractionKind.LIKE, InteractionKind.REPOST, InteractionKind.QUOTE,
    ]
    assert batch.interactions[2].post is None
    assert batch.interactions[1].post.in_reply_to == REPLIED_ID


def test_recorded_mention_becomes_person_and_post_in_plain_text(httpserver, mastodon_client):
    timeline(httpserver, [mention_notification()])
    (mention,) = mastodon_client().fetch_new("0").interactions
    assert mention.id == "20" and mention.at == datetime(2026, 8, 1, 13, 51, 39, 668000, UTC)
    assert mention.person == Person(platform_id=ADMIN_ID, handle="admin@localhost:3000")
    post = mention.post
    assert (post.id, post.text, post.language, post.visibility) == (
        "117020576916218297", "@mastodonpy_test@localhost:3000 hello!", "en", Visibility.PUBLIC
    )
    assert (post.thread_id, post.url) == (post.id, "http://localhost:3000/@admin/117020576916218297")


def test_remote_account_keeps_its_own_domain(httpserver, mastodon_client):
    item = notification(1)
    item["account"] = dict(item["account"], acct="alice@example.social", username="alice")
    timeline(httpserver, [item])
    (mention,) = mastodon_client().fetch_new("0").interactions
    assert mention.person.handle == "alice@example.social"


# -- bad input never stops a poll -------------------------------------------------------------


def test_unknown_notification_type_is_skipped_counted_logged_and_passed(httpserver, mastodon_client, log):
    items = [notification(1), notification(2, kind="severed_relationships"), notification(3)]
    timeline(httpserver, items)
    batch = mastodon_client(notification_types=()).fetch_new("0")
    assert [i.id for i in batch.interactions] == ["1", "3"]
    assert (batch.skipped, batch.cursor) == (1, "3")
    assert log.named("mastodon.item_skipped")[0]["item_id"] == "2"


def test_unreadable_items_are_skipped_and_the_cursor_moves_past_them(httpserver, mastodon_client, log):
    no_account = notification(1)
    no_account["account"] = None
    no_status = notification(2)
    no_status["status"] = None
    timeline(httpserver, [no_account, no_status, notification(3)])
    batch = mastodon_client().fetch_new("0")
    assert [i.id for i in batch.interactions] == ["3"]
    assert (batch.skipped, batch.cursor) == (2, "3")
    assert [e["item_id"] for e in log.named("mastodon.item_skipped")] == ["1", "2"]


def test_a_time_that_overflows_in_utc_is_skipped_not_fatal(httpserver, mastodon_client, log):
    early = notification(1)
    early["created_at"] = "0001-01-01T00:00:00+01:00"  # before year 1 once in UTC
    timeline(httpserver, [early, notification(2)])
    batch = mastodon_client().fetch_new("0")
    assert [i.id for i in batch.interactions] == ["2"]
    assert (batch.skipped, batch.cursor) == (1, "2")
    assert [e["item_id"] for e in log.named("mastodon.item_skipped")] == ["1"]


def test_items_that_are_not_notifications_are_skipped(httpserver, mastodon_client, clock):
    garbled = notification(4, created_at="not a date")
    garbled["account"]["fields"] = "not a list"
    garbled["status"]["mentions"] = None
    page = [None, "text", 5, {"id": None, "type": "mention"}, notification(3), garbled]
    serve(httpserver, recorded("test_notifications", "GET", "/api/v1/notifications"), body=page)
    batch = mastodon_client().fetch_new("0")
    assert [i.id for i in batch.interactions] == ["3", "4"]
    assert (batch.skipped, batch.cursor) == (4, "4")
    assert batch.interactions[1].at == clock.now  # no usable time: when it was received


def test_null_fields_are_read_as_empty(httpserver, mastodon_client):
    item = notification(1, content=None, language=None, spoiler_text=None, url=None, visibility=None)
    item["account"] = dict(item["account"], display_name=None, note=None, fields=None, bot=None)
    item["created_at"] = None
    timeline(httpserver, [item])
    (mention,) = mastodon_client().fetch_new("0").interactions
    assert (mention.person.name, mention.person.bio, mention.person.fields) == ("", "", ())
    assert (mention.post.text, mention.post.language, mention.post.spoiler_text) == ("", None, "")
    assert mention.post.visibility is Visibility.DIRECT  # unknown: treated as the narrowest
    assert mention.at.tzinfo is not None


def test_account_without_acct_falls_back_to_username_on_this_instance(httpserver, mastodon_client):
    item = notification(1)
    item["account"] = dict(item["account"], acct=None)
    timeline(httpserver, [item])
    (mention,) = mastodon_client().fetch_new("0").interactions
    assert mention.person.handle == "admin@localhost:3000"


def test_huge_content_is_cut_not_fatal(httpserver, mastodon_client):
    huge = "<p>" + "word " * 400_000 + "</p>"
    timeline(httpserver, [notification(1, content=huge), notification(2)])
    batch = mastodon_client().fetch_new("0")
    assert len(batch.interactions) == 2
    assert batch.interactions[0].post.text.endswith("…") and len(batch.interactions[0].post.text) <= 20_001


def test_broken_html_emoji_shortcodes_and_rtl_text_are_read(httpserver, mastodon_client):
    broken = notification(1, content="<p>unclosed <b>bold <a href='x'>link &amp; more")
    emoji = notification(2, content="<p>hi :blobcat: :verified:</p>")
    emoji["account"] = dict(emoji["account"], display_name="Ann :verified:")
    hebrew_arabic = "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627"
    rtl = notification(3, content=f"<p>{hebrew_arabic}</p>")
    timeline(httpserver, [broken, emoji, rtl])
    interactions = mastodon_client().fetch_new("0").interactions
    assert [i.post.text for i in interactions] == [
        "unclosed bold link & more", "hi :blobcat: :verified:", hebrew_arabic
    ]
    assert interactions[1].person.name == "Ann :verified:"


def test_server_answering_html_instead_of_json_is_transient(httpserver, mastodon_client, sleeps):
    page = "<!DOCTYPE html><html><body>We'll be back soon</body></html>"
    httpserver.expect_request("/api/v1/notifications").respond_with_data(page, content_type="text/html")
    with pytest.raises(TransientError) as raised:
        mastodon_client().fetch_new("0")
    assert len(httpserver.log) == 3 and len(sleeps) == 2
    assert "back soon" not in str(raised.value)


# -- history ----------------------------------------------------------------------------------


def test_history_pages_back_to_since_then_reads_our_replies_as_sent(httpserver, mastodon_client):
    old = notification(1, created_at="2026-07-01T10:00:00.000Z")
    recent = [notification(n, created_at="2026-08-01T13:51:39.668Z") for n in (2, 3)]
    timeline(httpserver, [old, *recent])
    serve(httpserver, recorded("test_status_reply", "GET", "/verify_credentials"))
    plain_post = dict(own_reply(), id="117020583258292999", mentions=[], in_reply_to_id=None,
                      in_reply_to_account_id=None)
    serve(httpserver, recorded("test_fetch_next_previous", "GET", "/statuses?limit=5"),
          path=f"/api/v1/accounts/{ADMIN_ID}/statuses", body=[plain_post, own_reply()])
    client = mastodon_client(handle="admin@localhost:3000", page_limit=2)
    since = datetime(2026, 7, 15, tzinfo=UTC)

    batches = [client.fetch_history(None, since)]
    while batches[-1].more:
        batches.append(client.fetch_history(batches[-1].cursor, since))

    # A short page is not the end (servers cap pages below the limit asked): the walk back ends at
    # `since`, or at a page with nothing older, as here where the same page is served again.
    assert [b.cursor for b in batches] == ["notifications:2", "sent:", "sent:117020583258292382", "done"]
    assert [[i.id for i in b.interactions] for b in batches] == [["2", "3"], [], ["117020583258292382"], []]
    (sent,) = batches[2].interactions
    assert sent.kind is InteractionKind.SENT
    assert sent.person == Person(platform_id="117020566092212359", handle="mastodonpy_test_2@localhost:3000")
    statuses_request = requests_to(httpserver, f"/api/v1/accounts/{ADMIN_ID}/statuses")[0]
    assert statuses_request.args["exclude_reblogs"] == "1"


# -- profiles ---------------------------------------------------------------------------------


def test_profile_lookup_reads_bio_fields_and_private_note_as_plain_text(httpserver, mastodon_client):
    account = recorded("test_account", "GET", "/api/v1/accounts/117020457910412882").json()
    account["note"] = (
        '<p>Birder.<br />Ask me about <a href="http://localhost:3000/tags/nobot" class="mention hashtag"'
        ' rel="tag">#<span>nobot</span></a></p>'
    )
    site = (
        '<a href="https://example.org/about" rel="nofollow noopener me" target="_blank">'
        '<span class="invisible">https://</span><span class="">example.org/about</span>'
        '<span class="invisible"></span></a>'
    )
    account["fields"] = [{"name": "Site", "value": site, "verified_at": None}]
    serve(httpserver, recorded("test_account", "GET", "/api/v1/accounts/117020457910412882"), body=account)
    relationship = recorded("test_stream_direct", "POST", "/follow").json()
    relationship.update(id="117020457910412882", note="met at the birding club")
    serve(httpserver, recorded("test_stream_direct", "POST", "/follow"), method="GET",
          path="/api/v1/accounts/relationships", body=[relationship])

    person = Person("117020457910412882", "mastodonpy_test@localhost:3000")
    profile = mastodon_client().lookup_profile(person)

    assert profile.bio == "Birder.\nAsk me about #nobot"
    assert profile.fields == (("Site", "example.org/about"),)
    assert profile.note == "met at the birding club"
    (asked,) = requests_to(httpserver, "/api/v1/accounts/relationships")
    assert asked.args.getlist("id[]") == ["117020457910412882"]


def test_profile_lookup_of_unknown_account_returns_none(httpserver, mastodon_client):
    serve(httpserver, recorded("test_account_lookup", "GET", "lookup?acct=kljad"))
    unknown = Person(None, "kljadklajsdkljlkjlkjlkjasdasd@localhost:3000")
    assert mastodon_client().lookup_profile(unknown) is None
    (asked,) = requests_to(httpserver, "/api/v1/accounts/lookup")
    assert asked.args["acct"] == unknown.handle


# -- replies ----------------------------------------------------------------------------------


def reply_to(visibility: Visibility, **changes: Any) -> OutgoingReply:
    fields = dict(draft_id="d1", account="main", text="same!", in_reply_to=REPLIED_ID, thread=REPLIED_ID,
                  to=("mastodonpy_test_2",), visibility=visibility, language="en",
                  idempotency_key="rapport-d1")
    fields.update(changes)
    return OutgoingReply(**fields)


def serve_reply_context(httpserver: Any, target_visibility: str = "public", *,
                        earlier: list[Any] | None = None) -> None:
    """Our account (@admin), our recent posts, and the status being answered."""
    serve(httpserver, recorded("test_status_reply", "GET", "/verify_credentials"))
    serve(httpserver, recorded("test_fetch_next_previous", "GET", "/statuses?limit=5"),
          path=f"/api/v1/accounts/{ADMIN_ID}/statuses", body=earlier or [])
    serve(httpserver, recorded("test_status_reply", "POST", "/api/v1/statuses"), method="GET",
          path=f"/api/v1/statuses/{REPLIED_ID}", body=dict(replied_status(), visibility=target_visibility))
    serve_replies(httpserver, [])


def serve_replies(httpserver: Any, descendants: list[Any]) -> None:
    """GET /api/v1/statuses/:id/context of the status being answered: the Context entity."""
    httpserver.expect_request(f"/api/v1/statuses/{REPLIED_ID}/context", method="GET").respond_with_json(
        {"ancestors": [], "descendants": descendants})


def serve_reply_scenario(httpserver: Any, target_visibility: str, *, earlier: list | None = None) -> None:
    serve_reply_context(httpserver, target_visibility, earlier=earlier)
    serve(httpserver, recorded("test_status_reply", "POST", "/api/v1/statuses", nth=1), body=own_reply())


def posted_form(httpserver: Any) -> Any:
    (request,) = requests_to(httpserver, "/api/v1/statuses", "POST")
    return request


@pytest.mark.parametrize("visibility", list(Visibility))
def test_reply_keeps_the_visibility_of_the_post_it_answers(httpserver, mastodon_client, visibility):
    serve_reply_scenario(httpserver, visibility.value)
    posted = mastodon_client(handle="admin@localhost:3000").post_reply(reply_to(visibility))
    assert posted.post_id == "117020583258292382" and not posted.already_posted
    assert posted_form(httpserver).form["visibility"] == visibility.value


def test_reply_to_direct_mention_stays_direct(httpserver, mastodon_client):
    serve_reply_scenario(httpserver, "direct")
    mastodon_client(handle="admin@localhost:3000").post_reply(reply_to(Visibility.PUBLIC))
    assert posted_form(httpserver).form["visibility"] == "direct"


@pytest.mark.parametrize("asked", list(Visibility))
@pytest.mark.parametrize("target", list(Visibility))
def test_reply_is_never_wider_than_asked_or_than_the_post_it_answers(
    httpserver, mastodon_client, asked, target
):
    serve_reply_scenario(httpserver, target.value)
    mastodon_client(handle="admin@localhost:3000").post_reply(reply_to(asked))
    sent = Visibility(posted_form(httpserver).form["visibility"])
    assert sent.rank == max(asked.rank, target.rank)


def test_reply_starts_with_full_mentions_adding_the_instance_domain_to_local_accounts(
    httpserver, mastodon_client
):
    serve_reply_scenario(httpserver, "public")
    reply = reply_to(Visibility.PUBLIC, to=("mastodonpy_test_2", "@bob@example.social", "admin"))
    mastodon_client(handle="admin@localhost:3000").post_reply(reply)
    form = posted_form(httpserver).form
    assert form["status"] == "@mastodonpy_test_2@localhost:3000 @bob@example.social same!"
    assert form["in_reply_to_id"] == REPLIED_ID


def test_reply_keeps_content_warning_language_and_idempotency_key(httpserver, mastodon_client):
    serve_reply_scenario(httpserver, "public")
    reply = reply_to(Visibility.PUBLIC, spoiler_text="Content warning", language="de")
    mastodon_client(handle="admin@localhost:3000").post_reply(reply)
    request = posted_form(httpserver)
    assert (request.form["spoiler_text"], request.form["language"]) == ("Content warning", "de")
    assert request.headers["Idempotency-Key"] == "rapport-d1"


def test_retry_finds_the_reply_already_posted_and_posts_nothing(httpserver, mastodon_client):
    serve_reply_scenario(httpserver, "public", earlier=[own_reply()])
    posted = mastodon_client(handle="admin@localhost:3000").post_reply(reply_to(Visibility.PUBLIC))
    assert (posted.post_id, posted.already_posted) == ("117020583258292382", True)
    assert requests_to(httpserver, "/api/v1/statuses", "POST") == []


def test_find_posted_names_an_earlier_reply_and_posts_nothing(httpserver, mastodon_client):
    serve_reply_context(httpserver, "public", earlier=[own_reply()])
    client = mastodon_client(handle="admin@localhost:3000")
    found = client.find_posted(reply_to(Visibility.PUBLIC))
    assert found is not None and (found.post_id, found.already_posted) == ("117020583258292382", True)
    assert client.find_posted(reply_to(Visibility.PUBLIC, text="Something else entirely")) is None
    assert requests_to(httpserver, "/api/v1/statuses", "POST") == []


class OwnStatuses:
    """GET /api/v1/accounts/:id/statuses over `items` (newest first), paged by max_id."""

    def __init__(self, items: list[dict[str, Any]], base_url: str) -> None:
        self.items, self.base_url, self.max_ids = items, base_url, []

    def __call__(self, request: Any) -> Any:
        max_id, limit = request.args.get("max_id"), int(request.args.get("limit", 20))
        self.max_ids.append(max_id)
        page = [s for s in self.items if max_id is None or int(s["id"]) < int(max_id)][:limit]
        rec = recorded("test_fetch_next_previous", "GET", "/statuses?limit=5")
        return response(rec, self.base_url, body=page, headers={"link": ""})


def own_statuses(httpserver: Any, earlier_at: int | None, count: int = 100) -> OwnStatuses:
    """`count` of our own statuses a minute apart, newest first; the earlier attempt at
    `reply_to(...)` is the one at index `earlier_at`, the others unrelated posts."""
    reply, newest = own_reply(), datetime(2026, 8, 1, 18, 0, tzinfo=UTC)
    items = []
    for index in range(count):
        at = (newest - timedelta(minutes=index)).isoformat().replace("+00:00", "Z")
        status = dict(reply, id=str(117020583258300000 - index), created_at=at)
        if index != earlier_at:
            status.update(content=f"<p>unrelated post {index}</p>", in_reply_to_id=None)
        items.append(status)
    serve(httpserver, recorded("test_status_reply", "GET", "/verify_credentials"))
    serve_replies(httpserver, [])
    handler = OwnStatuses(items, httpserver.url_for("/"))
    httpserver.expect_request(f"/api/v1/accounts/{ADMIN_ID}/statuses", method="GET").respond_with_handler(handler)
    return handler


def test_an_earlier_attempt_pages_back_to_when_the_draft_was_written(httpserver, mastodon_client):
    statuses = own_statuses(httpserver, earlier_at=70)
    drafted = datetime(2026, 8, 1, 16, 0, tzinfo=UTC)  # two hours back: 120 statuses' worth
    found = mastodon_client(handle="admin@localhost:3000").find_posted(
        reply_to(Visibility.PUBLIC, drafted_at=drafted))
    assert found is not None and (found.post_id, found.already_posted) == ("117020583258299930", True)
    assert statuses.max_ids == [None, "117020583258299961"]  # two pages of 40


def test_the_search_for_an_earlier_attempt_stops_at_the_draft_s_own_time(httpserver, mastodon_client):
    statuses = own_statuses(httpserver, earlier_at=70)
    drafted = datetime(2026, 8, 1, 17, 30, tzinfo=UTC)  # after the status at index 70 was posted
    client = mastodon_client(handle="admin@localhost:3000")
    assert client.find_posted(reply_to(Visibility.PUBLIC, drafted_at=drafted)) is None
    assert statuses.max_ids == [None]  # the first page already reaches back past 17:30
    assert client.find_posted(reply_to(Visibility.PUBLIC)) is None  # no time known: one page only
    assert statuses.max_ids == [None, None]


def test_posting_itself_reads_only_the_latest_page_and_leaves_the_deep_search_to_find_posted(
    httpserver, mastodon_client
):
    statuses = own_statuses(httpserver, earlier_at=None)
    serve(httpserver, recorded("test_status_reply", "POST", "/api/v1/statuses"), method="GET",
          path=f"/api/v1/statuses/{REPLIED_ID}", body=replied_status())
    serve(httpserver, recorded("test_status_reply", "POST", "/api/v1/statuses", nth=1), body=own_reply())
    drafted = datetime(2026, 8, 1, 12, 0, tzinfo=UTC)  # long ago: a search would read all pages
    posted = mastodon_client(handle="admin@localhost:3000").post_reply(
        reply_to(Visibility.PUBLIC, drafted_at=drafted))
    assert not posted.already_posted
    assert statuses.max_ids == [None]


def test_direct_reply_without_recipients_is_refused_before_posting(httpserver, mastodon_client):
    serve_reply_scenario(httpserver, "direct")
    with pytest.raises(InvalidInputError):
        mastodon_client(handle="admin@localhost:3000").post_reply(reply_to(Visibility.DIRECT, to=()))
    assert requests_to(httpserver, "/api/v1/statuses", "POST") == []


def test_reply_to_a_deleted_status_raises_remote_not_found(httpserver, mastodon_client):
    serve(httpserver, recorded("test_status_reply", "GET", "/verify_credentials"))
    serve(httpserver, recorded("test_fetch_next_previous", "GET", "/statuses?limit=5"),
          path=f"/api/v1/accounts/{ADMIN_ID}/statuses", body=[])
    serve(httpserver, recorded("test_status_missing", "GET", "/api/v1/statuses/0"),
          path=f"/api/v1/statuses/{REPLIED_ID}")  # the recorded 404 for a status that is gone
    with pytest.raises(RemoteNotFoundError):
        mastodon_client(handle="admin@localhost:3000").post_reply(reply_to(Visibility.PUBLIC))


def test_reply_the_server_rejects_raises_remote_rejected_with_its_reason(httpserver, mastodon_client):
    serve_reply_context(httpserver)
    serve(httpserver, recorded("test_status_empty", "POST", "/api/v1/statuses"))
    with pytest.raises(RemoteRejectedError, match="HTTP 422"):
        mastodon_client(handle="admin@localhost:3000").post_reply(reply_to(Visibility.PUBLIC))


# -- errors and rate limits -------------------------------------------------------------------


def test_refused_token_raises_auth_failed_without_the_token_anywhere(httpserver, mastodon_client, log):
    serve(httpserver, recorded("test_unauthed_home_tl_throws", "GET", "/timelines/home"),
          path="/api/v1/notifications")
    with pytest.raises(AuthFailedError) as raised:
        mastodon_client().fetch_new("0")
    assert "HTTP 401" in str(raised.value) and "main" in str(raised.value)
    assert ACCESS_TOKEN not in str(raised.value) and ACCESS_TOKEN not in log.text()
    assert len(httpserver.log) == 1  # refused credentials are not retried


def test_rate_limit_raises_with_reset_then_polling_resumes_after_it(httpserver, mastodon_client, clock):
    rec = recorded("test_notifications", "GET", "/api/v1/notifications")
    reset = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=3)
    limited = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset.isoformat().replace("+00:00", "Z")}
    serve(httpserver, rec, once=True, status=429, body={"error": "Too many requests"}, headers=limited)
    timeline(httpserver, mentions(1, 3))
    client = mastodon_client()

    with pytest.raises(RateLimitedError) as raised:
        client.fetch_new("0")
    assert abs(raised.value.reset_at - reset) < timedelta(seconds=2)
    assert abs(client.backoff_until() - reset) < timedelta(seconds=2)

    clock.now = reset + timedelta(seconds=1)
    assert [i.id for i in client.fetch_new("0").interactions] == ["1", "2", "3"]
    assert client.backoff_until() is None


def test_nearly_used_up_rate_limit_asks_the_scheduler_to_wait_for_the_reset(httpserver, mastodon_client):
    rec = recorded("test_notifications", "GET", "/api/v1/notifications")
    reset = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=4)
    low = {"x-ratelimit-remaining": "20", "x-ratelimit-reset": reset.isoformat().replace("+00:00", "Z")}
    serve(httpserver, rec, once=True, headers=low)
    serve(httpserver, rec)
    client = mastodon_client()
    client.fetch_new("0")
    assert abs(client.backoff_until() - reset) < timedelta(seconds=2)
    client.fetch_new("0")  # the recorded headers: 299 of 300 left
    assert client.backoff_until() is None


def test_timeout_raises_transient_after_bounded_retries(mastodon_client, log, sleeps):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts connections and never answers
    try:
        client = mastodon_client(base_url=f"http://127.0.0.1:{silent.getsockname()[1]}", request_timeout=0.2)
        with pytest.raises(TransientError):
            client.fetch_new("0")
    finally:
        silent.close()
    assert len(log.named("mastodon.call_failed")) == 3
    assert len(sleeps) == 2 and all(0 < s <= 8 for s in sleeps)


def test_server_error_is_retried_then_succeeds(httpserver, mastodon_client, sleeps):
    rec = recorded("test_notifications", "GET", "/api/v1/notifications")
    serve(httpserver, rec, once=True, status=503, body={"error": "Service Unavailable"})
    timeline(httpserver, mentions(1, 2))
    batch = mastodon_client().fetch_new("0")
    assert [i.id for i in batch.interactions] == ["1", "2"] and len(sleeps) == 1


def test_a_failed_post_is_not_retried_inside_the_adapter(httpserver, mastodon_client, sleeps):
    serve_reply_context(httpserver)
    httpserver.expect_request("/api/v1/statuses", method="POST").respond_with_data("", status=502)
    with pytest.raises(TransientError):
        mastodon_client(handle="admin@localhost:3000").post_reply(reply_to(Visibility.PUBLIC))
    assert len(requests_to(httpserver, "/api/v1/statuses", "POST")) == 1


# -- logging in -------------------------------------------------------------------------------


def test_authorization_url_asks_for_read_write_and_leaves_unset_state_and_lang_out(httpserver):
    from bot.platforms.mastodon_login import authorization_url

    serve(httpserver, recorded("test_status_missing", "GET", "/api/v1/statuses/0"),
          path="/.well-known/oauth-authorization-server")
    instance = httpserver.url_for("/").rstrip("/")
    url = authorization_url(instance, client_id="cid", client_secret="secret")
    assert "/oauth/authorize?" in url and "secret" not in url
    assert "&scope=read+write&" in url  # what every server accepts
    assert "state=" not in url and "lang=" not in url and "None" not in url  # not `state=None&lang=None`
    chosen = authorization_url(instance, client_id="cid", client_secret="secret",
                               scopes=("read:notifications", "write:statuses"), state="x1", lang="es")
    assert "scope=read%3Anotifications+write%3Astatuses" in chosen
    assert "&state=x1" in chosen and "&lang=es" in chosen
