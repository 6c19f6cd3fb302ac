"""What a platform conversion promises, whatever it was given: an Interaction that is well typed
(so nothing fails later, far from the cause), or its own one-line refusal; nothing else."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.domain.models import Interaction, InteractionKind, Person, Post, Visibility
from bot.domain.validation import validate_interaction
from bot.errors import InvalidRecordError
from tests.property.hostile import ONE_LINE

MAX_ERROR = 300  # characters: a log line a person can read, whatever value it is about


def converted(convert_one: Callable[[], Interaction | None], unreadable: type[Exception]) -> Interaction | None:
    """Run one conversion and hold it to the contract; its Interaction, or None if refused."""
    try:
        interaction = convert_one()
    except unreadable as error:
        assert_one_error_line(str(error))
        return None
    if interaction is not None:
        assert_well_typed(interaction)
        try:
            validate_interaction(interaction)  # what ingest does next: it may refuse, in one line
        except InvalidRecordError as error:
            assert_one_error_line(str(error))
    return interaction


def assert_one_error_line(message: str) -> None:
    assert message and ONE_LINE.fullmatch(message) and len(message) <= MAX_ERROR, (
        f"not one short error line: {message[:400]!r}")


def assert_well_typed(interaction: Interaction) -> None:
    assert isinstance(interaction.id, str)
    assert isinstance(interaction.kind, InteractionKind)
    assert isinstance(interaction.at, datetime) and interaction.at.utcoffset() is not None
    person = interaction.person
    assert isinstance(person, Person)
    assert person.platform_id is None or isinstance(person.platform_id, str)
    assert all(isinstance(v, str) for v in (person.handle, person.name, person.bio, person.note))
    assert isinstance(person.bot, bool)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in person.fields)
    post = interaction.post
    if post is not None:
        assert isinstance(post, Post) and isinstance(post.visibility, Visibility)
        assert all(isinstance(v, str) for v in (post.id, post.text, post.spoiler_text))
        assert all(v is None or isinstance(v, str) for v in (post.language, post.in_reply_to, post.thread, post.url))
