"""Which open threads a sent message has followed up."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.domain.memory import Fact, FactKind, followed_up

NOW = datetime(2026, 5, 10, 12, tzinfo=timezone.utc)


def _thread(text: str, due: datetime | None = None) -> Fact:
    return Fact(FactKind.OPEN_THREAD, text, "message:1", NOW - timedelta(days=3), "es", due)


def test_a_thread_the_message_asked_about_is_followed_up_accents_and_case_aside() -> None:
    thread = _thread("la maratón de Sevilla", due=NOW - timedelta(days=1))
    assert followed_up([thread], "¿Qué tal fue la MARATON de Sevilla?", NOW) == [thread]


def test_a_thread_whose_day_has_not_come_stays_open() -> None:
    thread = _thread("the Lisbon marathon", due=NOW + timedelta(days=2))
    assert followed_up([thread], "Good luck at the marathon!", NOW) == []


def test_only_open_threads_sharing_a_significant_word_are_followed_up() -> None:
    asked = _thread("the pottery class")
    other = _thread("the move to Lisbon")
    interest = Fact(FactKind.INTEREST, "pottery", "bio", NOW)
    # Words under five letters ("the", "to") say nothing about which thread it was.
    assert followed_up([asked, other, interest], "How was the pottery class? Hope to see it.", NOW) == [asked]
