"""The sandbox event format under hostile input: every line is an event or one clear error.

What a line may do: be any bytes, any JSON, an event with a field missing or of the wrong type,
nested deeper than the parser's stack, carry 1 MB texts, escapes, bidi and zero-width characters,
lone surrogates and NUL. What the reader must do: hand over an event whose text is exactly what
was written (NUL removed, a lone surrogate shown as U+FFFD), or refuse the line with one error
line (EventError when reading it, InvalidRecordError when it cannot be stored), and never raise
anything else.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from bot.domain.models import Interaction
from bot.domain.validation import validate_interaction
from bot.errors import InvalidRecordError
from bot.platforms.sandbox import EventError, SandboxClient, parse_event
from tests.fakes import RecordingLog
from tests.property.hostile import ONE_LINE, any_text, budget, hostile_text, stored_form
from tests.property.sandbox_events import corruption, good_event, line, not_an_event


def verdict(raw: bytes) -> Interaction | str:
    """The interaction as it would be stored, or the one error line that refuses it."""
    try:
        return validate_interaction(parse_event(raw))
    except (EventError, InvalidRecordError) as error:
        message = str(error)
        assert message and ONE_LINE.fullmatch(message), f"not one error line: {message[:300]!r}"
        return message


corrupted_line = good_event(text=hostile_text(3)).flatmap(corruption).map(lambda found: line(found[1]))
any_line = st.one_of(
    good_event(text=any_text()).map(line),
    good_event().map(lambda event: line(event, ascii_only=False)),
    corrupted_line,
    not_an_event,
)


@budget(400)
@given(raw=any_line)
def test_any_line_is_an_event_or_one_error_line_and_nothing_else(raw: bytes) -> None:
    verdict(raw)


@budget(300)
@given(found=good_event(text=hostile_text(3)).flatmap(corruption))
def test_every_corruption_of_an_event_is_refused_with_one_error_line(found: tuple[str, dict]) -> None:
    what, event = found
    assert isinstance(verdict(line(event)), str), f"{what} was accepted"


@budget(150)
@given(event=good_event(text=any_text()))
def test_a_well_formed_event_keeps_its_text_exactly_but_for_nul(event: dict) -> None:
    interaction = verdict(line(event))
    assert isinstance(interaction, Interaction), interaction
    person = interaction.person
    if event["type"] == "sent":
        assert person.handle == event["to"].removeprefix("@")
    else:
        given_author = event["author"]
        assert person.handle == given_author["handle"].removeprefix("@")
        assert (person.name, person.bio) == (stored_form(given_author["name"]), stored_form(given_author["bio"]))
        assert person.fields == tuple((stored_form(f["name"]), stored_form(f["value"]))
                                      for f in given_author["fields"] or ())
    if "post" in event:
        assert interaction.post is not None
        assert interaction.post.text == stored_form(event["post"]["text"])
        assert interaction.post.spoiler_text == stored_form(event["post"]["spoiler_text"])


@st.composite
def events_file(draw: st.DrawFn) -> list[tuple[bytes, bool]]:
    """Lines of an events file, each with whether it is a well-formed event."""
    lines = []
    for n in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(("good", "good", "corrupted", "garbage", "blank")))
        if kind == "good":
            lines.append((line(draw(good_event(tag=str(n)))), True))
        elif kind == "corrupted":
            lines.append((line(draw(good_event(tag=str(n), text=hostile_text(3)).flatmap(corruption))[1]), False))
        elif kind == "garbage":
            lines.append((draw(not_an_event), False))
        else:
            lines.append((draw(st.sampled_from((b"\n", b"   \n", b"\t\r\n"))), False))
    return lines


_files = itertools.count()


@budget(60)
@given(lines=events_file())
def test_the_events_file_hands_over_every_readable_line_and_warns_once_per_unreadable_one(
    tmp_path: Path, lines: list[tuple[bytes, bool]],
) -> None:
    path = tmp_path / f"events-{next(_files)}.jsonl"
    path.write_bytes(b"".join(raw for raw, _ in lines))
    log = RecordingLog()
    client = SandboxClient(account="demo", handle="me@sandbox.example", events=path,
                           outbox=tmp_path / "outbox.jsonl", log=log)
    batch = client.fetch_new(None)
    readable, unreadable = [], []
    for number, (raw, _) in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            readable.append(parse_event(raw).id)
        except EventError:
            unreadable.append(number)
    assert [i.id for i in batch.interactions] == readable
    assert all(parse_event(raw).id in readable for raw, good in lines if good)
    assert batch.skipped == len(unreadable)
    warnings = log.named("sandbox.bad_event")
    assert [w["line"] for w in warnings] == unreadable
    assert all(ONE_LINE.fullmatch(w["error"]) for w in warnings)
    assert client.fetch_new(batch.cursor).interactions == ()  # nothing is read twice


HUGE = "\u202e" * 1_048_576


@pytest.mark.parametrize("field", ["type", "at", "visibility"])
def test_an_error_about_a_huge_value_stays_one_short_line(field: str) -> None:
    event = {"id": "n-1", "type": "mention", "at": "2026-05-01T10:00:00Z",
             "author": {"handle": "ana@social.example"}, "post": {"id": "p-1", "text": "hola"}}
    if field == "visibility":
        event["post"]["visibility"] = HUGE
    else:
        event[field] = HUGE
    with pytest.raises(EventError) as refused:
        parse_event(line(event))
    assert len(str(refused.value)) <= 500
