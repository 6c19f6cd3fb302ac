"""What an incoming interaction must be before it is stored, whichever adapter built it."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from bot.domain.models import Interaction, InteractionKind, Person, Post
from bot.domain.validation import MAX_HANDLE, MAX_ID, clean_text, validate_interaction, validate_person
from bot.errors import InvalidRecordError

AT = datetime(2026, 5, 1, 10, 0, tzinfo=timezone.utc)
ANA = Person("u-ana", "ana@social.example", "Ana", "Huerto urbano.")


def message(**changes: object) -> Interaction:
    post = Post("p-1", "¿Qué tal el huerto?", "es", thread="p-1")
    return replace(Interaction("n-1", InteractionKind.MENTION, AT, ANA, post), **changes)


def with_post(**changes: object) -> Interaction:
    interaction = message()
    assert interaction.post is not None
    return replace(interaction, post=replace(interaction.post, **changes))


def rejected(interaction: Interaction) -> str:
    with pytest.raises(InvalidRecordError) as raised:
        validate_interaction(interaction)
    return str(raised.value)


def test_a_well_formed_interaction_passes_unchanged():
    assert validate_interaction(message()) == message()


@pytest.mark.parametrize("at", [
    datetime(1, 1, 1, 0, 0, tzinfo=timezone(timedelta(hours=1))),
    datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-1))),
])
def test_a_time_that_overflows_once_in_utc_is_rejected_not_raised_as_overflow(at: datetime):
    assert "is out of range" in rejected(message(at=at))


@pytest.mark.parametrize("at", [
    datetime(1969, 12, 31, 23, 59, tzinfo=timezone.utc),
    datetime(3000, 1, 1, tzinfo=timezone.utc),
    datetime(9999, 12, 31, tzinfo=timezone.utc),
])
def test_a_time_before_1970_or_from_3000_on_is_rejected(at: datetime):
    assert rejected(message(at=at)).endswith("is out of range (1970 to 3000)")


def test_a_time_without_a_zone_is_rejected():
    assert rejected(message(at=datetime(2026, 5, 1, 10, 0))) == "the time 2026-05-01T10:00:00 has no time zone"


def test_a_time_with_an_offset_comes_out_in_utc():
    at = datetime(2026, 5, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    clean = validate_interaction(message(at=at))
    assert clean.at == AT and clean.at.tzinfo is timezone.utc


def test_something_that_is_not_a_time_is_rejected():
    assert rejected(message(at="2026-05-01")) == "the time is not a date and time"


@pytest.mark.parametrize("char", [
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",  # bidi embeddings and overrides
    "\u2066", "\u2067", "\u2068", "\u2069",  # bidi isolates
    "\u200e", "\u200f",  # bidi marks
    "\x00", "\x07", "\x1b", "\x7f",  # C0 controls and DEL
    "\x85", "\x9b",  # C1 controls
    "\u200b", "\ufeff",  # zero-width characters: a look-alike of another handle
])
def test_a_handle_with_a_control_or_bidi_character_is_rejected_naming_the_code_point(char: str):
    person = replace(ANA, handle=f"ana{char}@social.example")
    assert rejected(message(person=person)) == (
        f"handle contains a control or bidi character (U+{ord(char):04X})"
    )


def test_an_empty_handle_is_rejected():
    assert rejected(message(person=replace(ANA, handle="  "))) == "handle is empty"


def test_a_handle_over_the_column_length_is_rejected_with_both_lengths():
    person = replace(ANA, handle="a" * (MAX_HANDLE + 1))
    assert rejected(message(person=person)) == f"handle is {MAX_HANDLE + 1} characters long (at most {MAX_HANDLE})"


def test_a_handle_that_grows_past_the_column_once_case_folded_is_rejected():
    person = replace(ANA, handle="ß" * MAX_HANDLE)  # folds to "ss": twice as long
    assert "once case-folded" in rejected(message(person=person))


def test_an_author_id_over_the_column_length_is_rejected():
    person = replace(ANA, platform_id="u" * (MAX_HANDLE + 1))
    assert rejected(message(person=person)).startswith("author id is 256 characters long")


@pytest.mark.parametrize("field", ["id", "post id", "in_reply_to", "thread"])
def test_an_id_over_the_column_length_is_rejected(field: str):
    long_id = "x" * (MAX_ID + 1)
    interaction = {
        "id": lambda: message(id=long_id),
        "post id": lambda: with_post(id=long_id),
        "in_reply_to": lambda: with_post(in_reply_to=long_id),
        "thread": lambda: with_post(thread=long_id),
    }[field]()
    assert rejected(interaction) == f"{field} is {MAX_ID + 1} characters long (at most {MAX_ID})"


def test_an_id_with_a_control_character_is_rejected():
    assert rejected(message(id="n-1\x00")) == "id contains a control or bidi character (U+0000)"


def test_nul_is_removed_from_every_free_text_and_nothing_else_changes():
    person = replace(ANA, name="A\x00na", bio="bio\x00", note="\x00note", fields=(("we\x00b", "x\x00.org"),))
    interaction = with_post(text="ho\x00la", spoiler_text="cw\x00", url="https://x.example/\x00p")
    clean = validate_interaction(replace(interaction, person=person))
    assert (clean.person.name, clean.person.bio, clean.person.note) == ("Ana", "bio", "note")
    assert clean.person.fields == (("web", "x.org"),)
    assert clean.post is not None
    assert (clean.post.text, clean.post.spoiler_text, clean.post.url) == ("hola", "cw", "https://x.example/p")


def test_a_lone_surrogate_in_text_becomes_a_replacement_character():
    assert clean_text("half an emoji: \ud83d!") == "half an emoji: \ufffd!"


def test_message_text_keeps_its_bidi_characters():
    text = "\u202bשלום\u202c y hola"  # right-to-left writing is legitimate in what people say
    assert validate_interaction(with_post(text=text)).post.text == text


@pytest.mark.parametrize("language", ["x" * 17, "not a tag", "", "e"])
def test_an_unusable_language_tag_means_unknown(language: str):
    assert validate_interaction(with_post(language=language)).post.language is None


@pytest.mark.parametrize("language", ["es", "pt-BR", "zh-Hant-TW"])
def test_a_language_tag_is_kept(language: str):
    assert validate_interaction(with_post(language=language)).post.language == language


def test_a_signal_without_a_post_passes():
    like = Interaction("n-2", InteractionKind.LIKE, AT, ANA)
    assert validate_interaction(like) == like


def test_a_profile_looked_up_on_its_own_is_checked_and_cleaned_like_an_author():
    assert validate_person(replace(ANA, bio="Huerto\x00 urbano.")).bio == "Huerto urbano."
    with pytest.raises(InvalidRecordError, match="handle contains a control or bidi character"):
        validate_person(replace(ANA, handle="ana\u2066@social.example"))
