"""Which remembered facts a reply may ask about, and how their words are turned toward the person.

The phrases are the shapes the fact extractor cuts from real messages and bios: noun phrases,
English gerunds, Spanish phrases that open with the person's own verb.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.domain.memory import ContactMemory, Fact, FactKind
from bot.drafting.topics import Topic, is_about, phrase_for, thread_timing, topics_to_mention

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)


def thread(text: str, due_days: float | None, said_days_ago: float = 3, language: str | None = None) -> Fact:
    due = None if due_days is None else NOW + timedelta(days=due_days)
    return Fact(FactKind.OPEN_THREAD, text, "message:9", NOW - timedelta(days=said_days_ago), language, due)


@pytest.mark.parametrize(("text", "language", "phrase"), [
    ("el recital de piano", "es", "el recital de piano"),
    ("la mudanza a Lisboa", "es", "la mudanza a Lisboa"),
    ("empiezo el curso de cerámica", "es", "el curso de cerámica"),
    ("tengo una entrevista de trabajo", "es", "la entrevista de trabajo"),
    ("voy a correr la maratón", "es", "la maratón"),
    ("mi examen de conducir", "es", "tu examen de conducir"),
    ("El recital", "es", "el recital"),
    ("El Salvador", "es", "El Salvador"),
    ("moving to Lisbon", "en", "moving to Lisbon"),
    ("Running my first marathon", "en", "running your first marathon"),
    ("a job interview", "en", "the job interview"),
    ("The Beatles concert", "en", "the Beatles concert"),
    ("NASA internship", "en", "NASA internship"),
    ("#marathon", "en", "marathon"),
])
def test_a_phrase_is_turned_toward_the_person_in_its_own_words(text, language, phrase) -> None:
    assert phrase_for(text, language) == phrase


@pytest.mark.parametrize(("text", "language"), [
    ("Me mudo a Lisboa", "es"),  # their verb and no noun phrase to keep
    ("I’m moving to Lisbon", "en"),
    ("we launch on Friday", "en"),
    ("a sentence that is much too long to be asked about in a single short reply to them", "en"),
    ("see https://shop.example", "en"),
    ("@bob's band", "en"),
    ("what now?", "en"),
    ("", "en"),
])
def test_a_phrase_that_cannot_fit_a_question_is_not_used(text, language) -> None:
    assert phrase_for(text, language) is None


def test_timing_follows_the_due_date_and_stale_threads_are_dropped() -> None:
    assert thread_timing(thread("x", -1), NOW) == "past"
    assert thread_timing(thread("x", 4), NOW) == "upcoming"
    assert thread_timing(thread("x", None), NOW) == "ongoing"
    assert thread_timing(thread("x", -120), NOW) is None
    assert thread_timing(thread("x", -45, said_days_ago=100), NOW) == "past"
    assert thread_timing(thread("x", None, said_days_ago=120), NOW) is None


def test_naive_dates_from_a_database_are_read_as_utc() -> None:
    naive = Fact(FactKind.OPEN_THREAD, "x", "message:9", datetime(2026, 11, 20), None, datetime(2026, 11, 25))
    assert thread_timing(naive, NOW) == "past"


def test_topics_rank_past_then_upcoming_then_undated_threads_then_interests() -> None:
    memory = ContactMemory((
        Fact(FactKind.INTEREST, "pottery", "hashtag", NOW - timedelta(days=9)),
        thread("the book launch", None),
        thread("the job interview", 5),
        thread("the recital", -1),
        thread("the exam", -3),
        Fact(FactKind.NOTE, "owes me a book", "user", NOW),
        Fact(FactKind.PROJECT, "the history podcast", "fields", NOW - timedelta(days=2)),
    ))
    assert topics_to_mention(memory, "en", NOW) == [
        Topic("the recital", "past"), Topic("the exam", "past"), Topic("the job interview", "upcoming"),
        Topic("the book launch", "ongoing"), Topic("the history podcast", "interest"), Topic("pottery", "interest"),
    ]


def test_facts_in_another_language_and_repeats_are_left_out() -> None:
    memory = ContactMemory((thread("el recital", -1, language="es"), thread("The recital", -2, language="en"),
                            thread("the recital", -3)))
    assert topics_to_mention(memory, "en", NOW) == [Topic("the recital", "past")]


def test_a_message_about_the_topic_is_recognised_across_case_and_accents() -> None:
    assert is_about("¡Por fin terminé la MARATON!", Topic("la maratón", "past"))
    assert not is_about("¿Qué tal todo?", Topic("la maratón", "past"))


def test_bio_phrases_are_known_but_never_asked_about() -> None:
    """A bio line is often who someone is: "how is Profesora de secundaria going?" reads as a machine."""
    memory = ContactMemory((Fact(FactKind.INTEREST, "Profesora de secundaria", "bio", NOW - timedelta(days=3)),
                            Fact(FactKind.INTEREST, "ciclismo", "hashtag", NOW - timedelta(days=3))))
    assert [t.text for t in topics_to_mention(memory, "es", NOW)] == ["ciclismo"]


def test_a_plan_whose_day_passed_beyond_the_lookback_is_not_asked_about() -> None:
    stale = Fact(FactKind.OPEN_THREAD, "la mudanza a Lisboa", "message:9", NOW - timedelta(days=70),
                 "es", NOW - timedelta(days=61))
    assert topics_to_mention(ContactMemory((stale,)), "es", NOW) == []
    assert topics_to_mention(ContactMemory((stale,), lookback=timedelta(days=90)), "es", NOW) != []


@pytest.mark.parametrize(("text", "language", "asked"), [
    ("un trabajo nuevo en la biblioteca municipal", "es", "el trabajo nuevo en la biblioteca municipal"),
    ("a new job at the city library", "en", "the new job at the city library"),
])
def test_a_plan_announced_long_ago_whose_day_passed_within_the_lookback_is_asked_about(text, language, asked) -> None:
    """Said 45 days ago for "next month": its day came 36 days ago, past the 30 days an undated
    plan lasts, within the 60 a dated one does."""
    plan = Fact(FactKind.OPEN_THREAD, text, "message:9", NOW - timedelta(days=45), language, NOW - timedelta(days=36))
    assert topics_to_mention(ContactMemory((plan,)), language, NOW) == [Topic(asked, "past")]
    assert thread_timing(plan, NOW, lookback=timedelta(days=30)) is None


def test_glued_hashtags_are_not_put_in_a_sentence() -> None:
    memory = ContactMemory((Fact(FactKind.INTEREST, "huertourbano", "hashtag", NOW - timedelta(days=3)),
                            Fact(FactKind.INTEREST, "Urban Gardening", "hashtag", NOW - timedelta(days=3)),
                            Fact(FactKind.INTEREST, "running", "hashtag", NOW - timedelta(days=3))))
    assert {t.text for t in topics_to_mention(memory, "en", NOW)} == {"Urban Gardening", "running"}
