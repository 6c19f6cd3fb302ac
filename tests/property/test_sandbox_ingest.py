"""Hostile sandbox events ingested into a real store, through the poll service, on SQLite and
PostgreSQL: the same derandomized examples meet the same expectations on both backends.

Each example is an events file mixing well-formed events (hostile text everywhere) with
corrupted events and lines that are no events at all. After one poll, every well-formed event is
stored with its text exactly as written but for NUL (and a lone surrogate shown as U+FFFD), each
bad line or record has exactly one error naming it, and the next poll stores what follows
without tripping over them again.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from hypothesis import given, strategies as st
from sqlalchemy import select

from bot.bootstrap import policy_from_settings
from bot.config import Settings
from bot.domain.validation import validate_interaction
from bot.errors import InvalidRecordError
from bot.platforms.sandbox import EventError, SandboxClient, parse_event
from bot.services.ingest import poll_account
from bot.store.schema import contacts, interactions
from tests.fakes import FakeClock, RecordingLog
from tests.property.hostile import ONE_LINE, budget, hostile_text, stored_form, time_limit
from tests.property.sandbox_events import corruption, good_event, line, not_an_event

POLICY = policy_from_settings(Settings())
_accounts = itertools.count()


@st.composite
def batch(draw: st.DrawFn) -> list[tuple[str, bytes, dict | None]]:
    """(kind, line, event) for each line of an events file: good events and bad lines mixed."""
    lines = []
    for n in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(("good", "good", "good", "corrupted", "garbage")))
        if kind == "good":
            event = draw(good_event(tag=str(n)))
            lines.append((kind, line(event), event))
        elif kind == "corrupted":
            lines.append((kind, line(draw(good_event(tag=str(n), text=hostile_text(3)).flatmap(corruption))[1]),
                          None))
        else:
            lines.append((kind, draw(not_an_event), None))
    return lines


def new_account(store, tmp_path: Path) -> tuple[str, Path, SandboxClient, RecordingLog]:  # noqa: ANN001
    """An account of its own for each example, so that examples sharing the store never meet;
    its events file, its client, and the client's log."""
    name = f"acct-{next(_accounts)}"
    with store.unit_of_work() as uow:
        uow.state.ensure_account(name, "sandbox", "me@sandbox.example", FakeClock().now())
        uow.commit()
    events = tmp_path / f"{name}.jsonl"
    events.touch()
    log = RecordingLog()
    client = SandboxClient(account=name, handle="me@sandbox.example", events=events,
                           outbox=tmp_path / f"{name}-outbox.jsonl", log=log)
    return name, events, client, log


def poll(store, client: SandboxClient, account: str, log: RecordingLog):  # noqa: ANN001, ANN201
    return poll_account(store, client, account, clock=FakeClock(), policy=POLICY, log=log)


def refusal(raw: bytes) -> tuple[str, str] | None:
    """Where a line is refused ("read" or "store") and why; None when it is to be stored."""
    try:
        interaction = parse_event(raw)
    except EventError as error:
        return "read", str(error)
    try:
        validate_interaction(interaction)
    except InvalidRecordError as error:
        return "store", str(error)
    return None


def rows(store, account: str) -> tuple[dict, dict]:  # noqa: ANN001
    with store.engine.connect() as connection:
        stored = {r.event_id: r for r in connection.execute(
            select(interactions).where(interactions.c.account == account))}
        people = {r.handle: r for r in connection.execute(select(contacts).where(contacts.c.account == account))}
    return stored, people


def assert_stored_exactly(event: dict, stored: dict, people: dict) -> None:
    row = stored[event["id"]]
    if "post" in event:
        given_post = event["post"]
        assert row.text == stored_form(given_post["text"])
        assert row.spoiler_text == stored_form(given_post["spoiler_text"])
        assert row.url == (stored_form(given_post["url"]) if given_post["url"] else None)
    if event["type"] == "sent":
        assert event["to"].removeprefix("@") in people
        return
    author = event["author"]
    person = people[author["handle"].removeprefix("@")]
    assert (person.name, person.bio) == (stored_form(author["name"]), stored_form(author["bio"]))
    assert json.loads(person.fields) == [[stored_form(f["name"]), stored_form(f["value"])]
                                         for f in author["fields"] or ()]


@budget(30)
@given(lines=batch())
def test_a_hostile_batch_is_stored_exactly_with_one_error_per_bad_record(
    store, tmp_path: Path, lines: list[tuple[str, bytes, dict | None]],  # noqa: ANN001
) -> None:
    account, events, client, client_log = new_account(store, tmp_path)
    events.write_bytes(b"".join(raw for _, raw, _ in lines))
    log = RecordingLog()
    report = poll(store, client, account, log)

    verdicts = [(number, raw, refusal(raw)) for number, (_, raw, _) in enumerate(lines, start=1)]
    unreadable = [number for number, _, why in verdicts if why and why[0] == "read"]
    unstorable = {parse_event(raw).id: why[1] for _, raw, why in verdicts if why and why[0] == "store"}
    good = [event for kind, _, event in lines if kind == "good"]
    assert all(refusal(line(event)) is None for event in good)

    assert [w["line"] for w in client_log.named("sandbox.bad_event")] == unreadable
    rejected = log.named("interaction.rejected")
    assert sorted(r["error"] for r in rejected) == sorted(unstorable.values())
    assert all(ONE_LINE.fullmatch(r["error"]) and len(r["interaction"]) <= 82 for r in rejected)
    assert (report.stored, report.skipped, report.duplicates) == (len(good), len(unreadable) + len(unstorable), 0)

    stored, people = rows(store, account)
    assert set(stored) == {event["id"] for event in good}
    for event in good:
        assert_stored_exactly(event, stored, people)

    # The bad records never block a later poll, and are not read again.
    later = {"id": "later+n", "type": "mention", "at": "2026-05-02T10:00:00Z",
             "author": {"handle": f"later@{account}.example"}, "post": {"id": "later+p", "text": "¿Y?\x00"}}
    with events.open("ab") as out:
        out.write(line(later))
    again = RecordingLog()
    report = poll(store, client, account, again)
    assert (report.stored, report.skipped) == (1, 0)
    assert not again.named("interaction.rejected")
    assert rows(store, account)[0]["later+n"].text == "¿Y?"


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # see `time_limit`
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_one_megabyte_message_is_stored_without_stalling_the_poll(store, tmp_path: Path) -> None:  # noqa: ANN001
    """About 2 CPU-seconds since each message is read from its first 20,000 characters (40 s
    before); the bound is loose so that a loaded machine does not trip it, only a return to
    reading the whole text would (tests/integration/services/test_ingest_reading.py pins the
    bound itself)."""
    account, events, client, _ = new_account(store, tmp_path)
    text = ("Hola <script>alert(1)</script> \x1b[31m\u202e huerto urbano en Madrid \x00 " * 20_000)[:1_048_576]
    event = {"id": "n-big", "type": "mention", "at": "2026-05-01T10:00:00Z",
             "author": {"id": "u-big", "handle": "big@social.example", "bio": text},
             "post": {"id": "p-big", "text": text}}
    events.write_bytes(line(event))
    with time_limit(25):
        report = poll(store, client, account, RecordingLog())
    assert report.stored == 1
    assert rows(store, account)[0]["n-big"].text == stored_form(text)
