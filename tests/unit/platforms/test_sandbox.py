"""The sandbox platform: events from a JSON Lines file that may grow, replies to an outbox."""

from __future__ import annotations

import json
import os
import stat
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from bot.domain.models import Direction, InteractionKind, OutgoingReply, Person, PostedReply, Visibility
from bot.platforms import sandbox
from bot.errors import PlatformError
from bot.platforms.sandbox import BATCH_LINES, EventError, SandboxClient, parse_event
from tests.fakes import RecordingLog, write_events

ANA = {"id": "u-ana", "handle": "ana@social.example", "name": "Ana",
       "bio": "Urban gardener. HR at a hospital.", "bot": False}
OUTBOX_FIELDS = {"id", "in_reply_to", "to", "text", "visibility", "spoiler_text", "language", "idempotency_key", "at"}


def post(id: str = "p-1", **extra: Any) -> dict[str, Any]:
    return {"id": id, "text": "@me ¿qué opinas del networking en Mastodon?", "lang": "es",
            "visibility": "public", "in_reply_to": None, "thread": id, **extra}


def event(id: str = "n-1", type: str = "mention", **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"id": id, "type": type, "at": "2026-05-01T10:00:00Z", "author": ANA}
    if type in ("mention", "reply", "quote"):
        data["post"] = post(f"p-{id}")
    data.update(extra)
    return data


def events(n: int, start: int = 1) -> list[dict[str, Any]]:
    return [event(f"n-{i}") for i in range(start, start + n)]


def ids(batch) -> list[str]:
    return [i.id for i in batch.interactions]


@pytest.fixture
def log() -> RecordingLog:
    return RecordingLog()


@pytest.fixture
def client(tmp_path: Path, log: RecordingLog) -> SandboxClient:
    return SandboxClient(account="demo", handle="me@sandbox.example", events=tmp_path / "events.jsonl",
                         outbox=tmp_path / "data" / "outbox.jsonl", log=log)


def reply(key: str = "rapport-d_01", text: str = "¡Gracias, Ana!") -> OutgoingReply:
    return OutgoingReply(
        draft_id="d_01", account="demo", text=text, in_reply_to="p-1", thread="p-1",
        to=("ana@social.example",), visibility=Visibility.PUBLIC, language="es", idempotency_key=key,
    )


def outbox_lines(client: SandboxClient) -> list[dict[str, Any]]:
    return [json.loads(line) for line in client.outbox.read_text(encoding="utf-8").splitlines()]


# parse_event --------------------------------------------------------------------------------

def test_mention_event_becomes_an_inbound_interaction_with_its_post():
    interaction = parse_event(json.dumps(event()))
    assert interaction.id == "n-1"
    assert interaction.kind is InteractionKind.MENTION
    assert interaction.direction is Direction.INBOUND
    assert interaction.at == datetime(2026, 5, 1, 10, 0, tzinfo=timezone.utc)
    assert interaction.person == Person(
        platform_id="u-ana", handle="ana@social.example", name="Ana",
        bio="Urban gardener. HR at a hospital.", bot=False,
    )
    assert interaction.post is not None
    assert (interaction.post.id, interaction.post.language, interaction.post.visibility) == (
        "p-n-1", "es", Visibility.PUBLIC
    )
    assert interaction.post.text == "@me ¿qué opinas del networking en Mastodon?"


@pytest.mark.parametrize("kind", ["reply", "quote"])
def test_reply_and_quote_events_carry_their_post_and_thread(kind: str):
    data = event(type=kind, post=post("p-2", in_reply_to="p-1", thread="p-1", visibility="unlisted"))
    interaction = parse_event(json.dumps(data))
    assert interaction.kind is InteractionKind(kind)
    assert interaction.post.in_reply_to == "p-1"
    assert interaction.post.thread_id == "p-1"
    assert interaction.post.visibility is Visibility.UNLISTED


@pytest.mark.parametrize("kind", ["follow", "like", "repost"])
def test_signal_events_may_omit_the_post(kind: str):
    interaction = parse_event(json.dumps(event(type=kind)))
    assert interaction.kind is InteractionKind(kind)
    assert interaction.kind.is_signal
    assert interaction.post is None
    assert interaction.person.handle == "ana@social.example"


@pytest.mark.parametrize("kind", ["like", "repost"])
def test_signal_events_may_carry_the_post_they_refer_to(kind: str):
    interaction = parse_event(json.dumps(event(type=kind, post=post("p-9"))))
    assert interaction.post is not None and interaction.post.id == "p-9"


def test_sent_event_is_outbound_to_the_named_handle():
    data = {"id": "s-1", "type": "sent", "at": "2026-05-01T11:00:00+02:00", "to": "@ana@social.example",
            "post": post("p-mine", in_reply_to="p-1", thread="p-1")}
    interaction = parse_event(json.dumps(data))
    assert interaction.kind is InteractionKind.SENT
    assert interaction.direction is Direction.OUTBOUND
    assert interaction.person == Person(platform_id=None, handle="ana@social.example")
    assert interaction.at == datetime(2026, 5, 1, 9, 0, tzinfo=timezone.utc)
    assert interaction.post.id == "p-mine"


def test_event_time_with_an_offset_is_stored_in_utc():
    interaction = parse_event(json.dumps(event(at="2026-05-01T12:00:00+02:00")))
    assert interaction.at == datetime(2026, 5, 1, 10, 0, tzinfo=timezone.utc)
    assert interaction.at.utcoffset().total_seconds() == 0


def test_event_accepts_bytes_with_a_trailing_newline():
    assert parse_event((json.dumps(event()) + "\n").encode()).id == "n-1"


def test_author_flagged_as_bot_is_read():
    assert parse_event(json.dumps(event(author={**ANA, "bot": True}))).person.bot is True


@pytest.mark.parametrize("flag", ["yes", 1, "true", [], {}])
def test_author_bot_that_is_not_a_boolean_is_a_bad_record_not_a_human(flag: Any):
    assert parse_error(event(author={**ANA, "bot": flag})).startswith("'author.bot' must be true or false, not a ")


@pytest.mark.parametrize("author", [{**ANA, "bot": None}, {k: v for k, v in ANA.items() if k != "bot"}])
def test_author_bot_absent_or_null_means_human(author: dict[str, Any]):
    assert parse_event(json.dumps(event(author=author))).person.bot is False


def test_null_text_is_a_bad_record_not_an_empty_message():
    assert parse_error(event(post=post(text=None))).startswith("'post.text' is null")


def test_empty_text_is_still_a_message_without_words():
    assert parse_event(json.dumps(event(post=post(text="")))).post.text == ""


def test_missing_visibility_means_public():
    data = event(post={"id": "p-1", "text": "hi"})
    assert parse_event(json.dumps(data)).post.visibility is Visibility.PUBLIC


def parse_error(data: Any) -> str:
    raw = data if isinstance(data, str) else json.dumps(data)
    with pytest.raises(EventError) as raised:
        parse_event(raw)
    return str(raised.value)


def test_line_that_is_not_json_is_an_error():
    assert parse_error('{"id": "n-1", "type": ').startswith("not JSON: ")


def test_json_that_is_not_an_object_is_an_error():
    assert parse_error("[1, 2]") == "an event must be a JSON object"


def test_unknown_type_is_an_error_listing_the_known_ones():
    assert parse_error(event(type="boost")) == (
        "unknown type 'boost' (expected one of: mention, reply, quote, follow, like, repost, sent)"
    )


def test_time_without_a_zone_is_an_error():
    assert parse_error(event(at="2026-05-01T10:00:00")) == "'at' needs a time zone: '2026-05-01T10:00:00'"


def test_time_that_is_not_iso_is_an_error():
    assert parse_error(event(at="yesterday")) == "'at' is not an ISO 8601 time: 'yesterday'"


def test_missing_time_is_an_error():
    data = event()
    del data["at"]
    assert parse_error(data) == "'at' must be an ISO 8601 time with a zone"


@pytest.mark.parametrize("kind", ["mention", "reply", "quote", "sent"])
def test_conversation_event_without_a_post_is_an_error(kind: str):
    data = event(type=kind, to="ana@social.example")
    data.pop("post", None)
    assert parse_error(data) == f"a {kind} event needs a 'post' object"


def test_unknown_visibility_is_an_error():
    assert parse_error(event(post=post(visibility="secret"))) == "unknown visibility 'secret'"


def test_missing_event_id_is_an_error():
    data = event()
    del data["id"]
    assert parse_error(data) == "missing 'id'"


def test_missing_author_is_an_error():
    data = event()
    del data["author"]
    assert parse_error(data) == "missing 'author' object"


def test_sent_event_without_to_is_an_error():
    data = {"id": "s-1", "type": "sent", "at": "2026-05-01T10:00:00Z", "post": post()}
    assert parse_error(data) == "'to' must be a handle"


# fetch_new ----------------------------------------------------------------------------------

def test_all_events_are_read_in_file_order(client: SandboxClient):
    write_events(client.events, events(3))
    batch = client.fetch_new(None)
    assert ids(batch) == ["n-1", "n-2", "n-3"]
    assert (batch.more, batch.skipped) == (False, 0)


def test_missing_events_file_is_an_error_naming_the_path(client: SandboxClient):
    with pytest.raises(PlatformError) as raised:
        client.fetch_new("some-cursor")
    assert str(raised.value) == f"sandbox events file not found: {client.events}"


def test_events_path_that_is_a_directory_is_one_clear_error(client: SandboxClient):
    client.events.mkdir()
    with pytest.raises(PlatformError) as raised:
        client.fetch_new(None)
    assert str(raised.value) == f"sandbox events path is a directory, not a file: {client.events}"


def test_looking_up_a_profile_in_a_directory_is_one_clear_error(client: SandboxClient):
    client.events.mkdir()
    with pytest.raises(PlatformError, match="is a directory"):
        client.lookup_profile(Person(platform_id="u-ana", handle="ana@social.example"))


@pytest.mark.parametrize("at", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_time_that_overflows_once_in_utc_is_a_bad_line_and_later_lines_arrive(
    client: SandboxClient, log: RecordingLog, at: str,
):
    write_events(client.events, [event("n-1", at=at), event("n-2")])
    batch = client.fetch_new(None)
    assert ids(batch) == ["n-2"] and batch.skipped == 1
    assert log.named("sandbox.bad_event")[0]["error"] == f"'at' is out of range once in UTC: {at!r}"


def test_deeply_nested_line_is_a_bad_line_not_a_crash(client: SandboxClient, log: RecordingLog):
    client.events.write_text("[" * 100_000 + "]" * 100_000 + "\n" + json.dumps(event("n-1")) + "\n",
                             encoding="utf-8")
    batch = client.fetch_new(None)
    assert ids(batch) == ["n-1"] and batch.skipped == 1
    assert "nested too deeply" in log.named("sandbox.bad_event")[0]["error"]


def test_polling_resumes_after_the_cursor_without_loss_or_duplicates(client: SandboxClient):
    write_events(client.events, events(2))
    first = client.fetch_new(None)
    again = client.fetch_new(first.cursor)
    write_events(client.events, events(3, start=3), mode="a")
    grown = client.fetch_new(again.cursor)
    idle = client.fetch_new(grown.cursor)
    assert ids(first) == ["n-1", "n-2"]
    assert ids(again) == []
    assert ids(grown) == ["n-3", "n-4", "n-5"]
    assert ids(idle) == []


def test_file_growing_between_many_polls_delivers_each_event_once(client: SandboxClient):
    cursor, seen = None, []
    for i in range(1, 8):
        write_events(client.events, [event(f"n-{i}")], mode="a")
        batch = client.fetch_new(cursor)
        seen += ids(batch)
        cursor = batch.cursor
    assert seen == [f"n-{i}" for i in range(1, 8)]


def test_malformed_line_is_skipped_counted_and_logged_and_later_lines_arrive(
    client: SandboxClient, log: RecordingLog,
):
    write_events(client.events, [event("n-1")])
    with client.events.open("a", encoding="utf-8") as out:
        out.write("this is not json\n")
        out.write(json.dumps(event("n-bad", type="boost")) + "\n")
    write_events(client.events, [event("n-2")], mode="a")
    batch = client.fetch_new(None)
    assert ids(batch) == ["n-1", "n-2"]
    assert batch.skipped == 2
    assert [e["line"] for e in log.named("sandbox.bad_event")] == [2, 3]
    assert ids(client.fetch_new(batch.cursor)) == []


def test_blank_lines_are_ignored_without_counting_as_skipped(client: SandboxClient):
    client.events.write_text("\n" + json.dumps(event("n-1")) + "\n\n   \n", encoding="utf-8")
    batch = client.fetch_new(None)
    assert ids(batch) == ["n-1"] and batch.skipped == 0


def test_half_written_last_line_waits_for_the_next_poll(client: SandboxClient):
    write_events(client.events, [event("n-1")])
    whole = json.dumps(event("n-2")) + "\n"
    with client.events.open("a", encoding="utf-8") as out:
        out.write(whole[:25])
    first = client.fetch_new(None)
    still = client.fetch_new(first.cursor)
    with client.events.open("a", encoding="utf-8") as out:
        out.write(whole[25:])
    completed = client.fetch_new(still.cursor)
    assert ids(first) == ["n-1"] and first.skipped == 0
    assert ids(still) == [] and still.skipped == 0
    assert ids(completed) == ["n-2"]
    assert ids(client.fetch_new(completed.cursor)) == []


def test_complete_last_line_without_newline_is_read_once(client: SandboxClient):
    client.events.write_text(json.dumps(event("n-1")), encoding="utf-8")
    first = client.fetch_new(None)
    with client.events.open("a", encoding="utf-8") as out:
        out.write("\n" + json.dumps(event("n-2")) + "\n")
    second = client.fetch_new(first.cursor)
    assert ids(first) == ["n-1"]
    assert ids(second) == ["n-2"] and second.skipped == 0


def test_truncated_file_is_read_again_from_the_beginning(client: SandboxClient, log: RecordingLog):
    write_events(client.events, events(3))
    cursor = client.fetch_new(None).cursor
    write_events(client.events, [event("n-new")])  # replaced by a shorter file
    batch = client.fetch_new(cursor)
    assert ids(batch) == ["n-new"]
    assert log.named("sandbox.events_truncated")


def test_unreadable_cursor_starts_from_the_beginning(client: SandboxClient):
    write_events(client.events, events(2))
    assert ids(client.fetch_new("not a cursor")) == ["n-1", "n-2"]


def test_more_lines_than_one_batch_arrive_over_several_batches(client: SandboxClient):
    total = 2 * BATCH_LINES + 3
    write_events(client.events, events(total))
    batches, cursor = [], None
    while True:
        batch = client.fetch_new(cursor)
        batches.append(batch)
        cursor = batch.cursor
        if not batch.more:
            break
        assert len(batches) < 10, "more=True never ended"
    assert [len(b.interactions) for b in batches] == [BATCH_LINES, BATCH_LINES, 3]
    assert [b.more for b in batches] == [True, True, False]
    assert [i for b in batches for i in ids(b)] == [f"n-{i}" for i in range(1, total + 1)]


def test_exactly_one_full_batch_says_there_is_no_more(client: SandboxClient):
    write_events(client.events, events(BATCH_LINES))
    batch = client.fetch_new(None)
    assert len(batch.interactions) == BATCH_LINES
    assert batch.more is False


def test_batch_size_is_bounded_by_lines_even_when_lines_are_bad(client: SandboxClient, monkeypatch):
    monkeypatch.setattr(sandbox, "BATCH_LINES", 2)
    client.events.write_text("bad\nbad\n" + json.dumps(event("n-1")) + "\n", encoding="utf-8")
    first = client.fetch_new(None)
    second = client.fetch_new(first.cursor)
    assert (ids(first), first.skipped, first.more) == ([], 2, True)
    assert (ids(second), second.skipped, second.more) == (["n-1"], 0, False)


def test_history_is_delivered_through_fetch_new_only(client: SandboxClient):
    write_events(client.events, events(2))
    batch = client.fetch_history("c", datetime(2026, 1, 1, tzinfo=timezone.utc))
    assert batch.interactions == () and batch.cursor == "c" and batch.more is False


# post_reply ---------------------------------------------------------------------------------

def test_posting_appends_one_outbox_line_with_the_interface_fields(client: SandboxClient):
    posted = client.post_reply(reply())
    [line] = outbox_lines(client)
    assert set(line) == OUTBOX_FIELDS
    assert line["id"] == posted.post_id
    assert line["in_reply_to"] == "p-1"
    assert line["to"] == ["ana@social.example"]
    assert line["text"] == "¡Gracias, Ana!"
    assert line["visibility"] == "public"
    assert line["language"] == "es"
    assert line["idempotency_key"] == "rapport-d_01"
    assert datetime.fromisoformat(line["at"].replace("Z", "+00:00")).tzinfo is not None
    assert posted.already_posted is False


def test_outbox_is_created_owner_only_whatever_the_umask(client: SandboxClient):
    previous = os.umask(0o022)
    try:
        client.post_reply(reply())
    finally:
        os.umask(previous)
    assert stat.S_IMODE(client.outbox.stat().st_mode) == 0o600


def test_an_existing_outbox_readable_by_others_is_made_owner_only(client: SandboxClient):
    client.outbox.parent.mkdir(parents=True)
    client.outbox.write_text("", encoding="utf-8")
    client.outbox.chmod(0o644)
    client.post_reply(reply())
    assert stat.S_IMODE(client.outbox.stat().st_mode) == 0o600


def test_outbox_keeps_non_ascii_text_readable(client: SandboxClient):
    client.post_reply(reply())
    assert "¡Gracias, Ana!" in client.outbox.read_text(encoding="utf-8")


def test_posting_again_with_the_same_key_returns_the_earlier_post_without_a_second_line(client: SandboxClient):
    first = client.post_reply(reply())
    second = client.post_reply(reply(text="edited text, same draft"))
    assert second.already_posted is True
    assert second.post_id == first.post_id
    assert len(outbox_lines(client)) == 1


def test_find_posted_knows_a_reply_by_its_key_only(client: SandboxClient):
    assert client.find_posted(reply()) is None  # no outbox yet
    first = client.post_reply(reply())
    assert client.find_posted(reply(text="edited text, same draft")) == PostedReply(first.post_id, already_posted=True)
    assert client.find_posted(reply("rapport-d_02")) is None


def test_different_keys_post_different_lines(client: SandboxClient):
    first = client.post_reply(reply("rapport-d_01"))
    second = client.post_reply(reply("rapport-d_02"))
    assert first.post_id != second.post_id
    assert [line["idempotency_key"] for line in outbox_lines(client)] == ["rapport-d_01", "rapport-d_02"]


def test_torn_outbox_line_from_a_crash_is_not_taken_for_a_post(client: SandboxClient):
    client.outbox.parent.mkdir(parents=True)
    client.outbox.write_text('{"id": "sb-x", "idempotency_key": "rapport-d_01"', encoding="utf-8")
    assert client.post_reply(reply()).already_posted is False


def test_post_after_a_torn_outbox_line_is_found_again_by_its_key(client: SandboxClient):
    client.outbox.parent.mkdir(parents=True)
    client.outbox.write_text('{"id": "sb-x", "idempotency_key": "rapport-d_00"', encoding="utf-8")
    first = client.post_reply(reply())
    retry = client.post_reply(reply())
    assert retry.already_posted is True and retry.post_id == first.post_id
    posted = [line for line in client.outbox.read_text(encoding="utf-8").splitlines() if "rapport-d_01" in line]
    assert len(posted) == 1
    assert json.loads(posted[0])["idempotency_key"] == "rapport-d_01"


# lookup_profile -----------------------------------------------------------------------------

def test_lookup_profile_returns_the_newest_description_of_the_author(client: SandboxClient):
    write_events(client.events, [
        event("n-1"),
        event("n-2", author={**ANA, "bio": "Now a full-time gardener. #nobot"}),
        event("n-3", author={"id": "u-bob", "handle": "bob@social.example", "bio": "Bob"}),
        {"id": "s-1", "type": "sent", "at": "2026-05-02T10:00:00Z", "to": "ana@social.example", "post": post()},
    ])
    found = client.lookup_profile(Person(platform_id="u-ana", handle="ana@social.example"))
    assert found is not None
    assert found.bio == "Now a full-time gardener. #nobot"


def test_lookup_profile_matches_by_handle_case_insensitively_without_an_id(client: SandboxClient):
    write_events(client.events, [event("n-1")])
    found = client.lookup_profile(Person(platform_id=None, handle="ANA@social.example"))
    assert found is not None and found.platform_id == "u-ana"


def test_lookup_profile_of_an_unknown_person_is_none(client: SandboxClient):
    write_events(client.events, [event("n-1")])
    assert client.lookup_profile(Person(platform_id="u-zoe", handle="zoe@social.example")) is None


def test_lookup_profile_without_an_events_file_is_none(client: SandboxClient):
    assert client.lookup_profile(Person(platform_id="u-ana", handle="ana@social.example")) is None


def test_sandbox_never_backs_off():
    client = SandboxClient(account="demo", handle="me", events=Path("e"), outbox=Path("o"), log=RecordingLog())
    assert client.backoff_until() is None
