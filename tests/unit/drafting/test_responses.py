"""Responses that name what the message is about: a complaint's thing, and the remembered open
thread when the message is about it, in both languages."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.domain.contacts import Contact
from bot.domain.drafts import ReplyTarget
from bot.domain.memory import EMPTY_MEMORY, ContactMemory, Fact, FactKind
from bot.drafting.reading import Reading
from bot.drafting.replies import with_thread
from bot.drafting.template import TemplateDrafter
from bot.drafting.topics import Topic
from tests.fakes import FakeClock

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)
EVA = Contact(id=3, account="demo", handle="eva@social.example", name="Eva Soler")


def suggest(text: str, category: str, language: str, memory: ContactMemory = EMPTY_MEMORY) -> list[str]:
    message = ReplyTarget(interaction_id=1, post_id="p-9", text=text, thread=None, visibility="public",
                          category=category)
    return [s.text for s in TemplateDrafter(clock=FakeClock(NOW)).suggest(EVA, message, language, memory)]


def due_thread(text: str, language: str) -> ContactMemory:
    fact = Fact(FactKind.OPEN_THREAD, text, "message:4", NOW - timedelta(days=20), language, NOW - timedelta(days=1))
    return ContactMemory((fact,))


@pytest.mark.parametrize(("language", "message", "thing"), [
    ("es", "El formulario de contacto da error cada vez que lo envío", "el formulario de contacto"),
    ("en", "The booking form for the clinic keeps failing", "the booking form"),
])
def test_a_complaint_is_answered_naming_what_it_is_about(language: str, message: str, thing: str) -> None:
    found = suggest(message, "complaint", language)
    assert found
    assert all(thing in text.casefold() for text in found), found


@pytest.mark.parametrize(("language", "message", "topic"), [
    ("es", "terminé maratón en cuatro horas, agotada pero feliz", "la maratón de Sevilla"),
    ("en", "Chicago done at last, what a day", "the Chicago marathon"),
])
def test_a_message_about_its_due_open_thread_names_the_thread(language: str, message: str, topic: str) -> None:
    found = suggest(message, "news", language, due_thread(topic, language))
    assert found
    assert topic in found[0]
    assert found[0].count(topic) == 1  # named in the response, not asked about again


def test_the_thing_they_named_stays_when_it_shares_a_word_with_the_thread() -> None:
    topic = Topic("la maratón de Sevilla", "past")
    said = Reading((), ("Acabé mi primera maratón",), "tu primera maratón")
    assert with_thread(said, topic).thing == "tu primera maratón"
    other = Reading((), ("Sevilla fue una fiesta",), "una fiesta")
    assert with_thread(other, topic).thing == "la maratón de Sevilla"
    assert with_thread(Reading((), (), None), topic).thing is None  # a bare question tells nothing


def test_a_worry_is_acknowledged_in_a_sentence_that_reads_for_any_thing() -> None:
    found = suggest("Waiting on scan results next week. Fingers crossed.", "news", "en")
    assert any("scan results" in text for text in found), found
    assert not any("results worries" in text for text in found)


@pytest.mark.parametrize(("language", "name", "message"), [
    ("es", "Estudio Lumen", "Gracias por la reseña del taller"),
    ("es", "Dra Pilar Vega", "Gracias por la reseña del taller"),
    ("en", "Northside Studio", "Thanks for the review of the workshop"),
    ("en", "Ms Okoro", "Thanks for the review of the workshop"),
])
def test_an_organisation_or_a_title_is_not_greeted_as_a_first_name(language: str, name: str, message: str) -> None:
    contact = Contact(id=4, account="demo", handle="x@social.example", name=name)
    target = ReplyTarget(interaction_id=1, post_id="p-2", text=message, thread=None, visibility="public",
                         category="thanks")
    found = [s.text for s in TemplateDrafter(clock=FakeClock(NOW)).suggest(contact, target, language, EMPTY_MEMORY)]
    assert found
    first_word = name.split()[0]
    assert not any(first_word in text for text in found), found
