"""Plans said months ahead ("the following month", "en dos meses") get their day, so that a
check-in can ask about them once it has come."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from bot.domain.extraction import open_threads
from bot.domain.extraction_dates import time_expressions
from bot.domain.normalize import fold

SAID = datetime(2026, 10, 23, 18, 0, tzinfo=timezone.utc)  # 45 days before 7 December


def _thread(text: str, language: str) -> tuple[str, date | None]:
    [fact] = open_threads(text, SAID, language, is_pitch=lambda _text: False)
    return fact.text, fact.due.date() if fact.due else None


@pytest.mark.parametrize(("text", "language", "phrase", "due"), [
    ("Empiezo el mes que viene en la biblioteca municipal", "es", "Empiezo en la biblioteca municipal",
     date(2026, 11, 1)),
    ("Empiezo en la biblioteca municipal el mes siguiente", "es", "Empiezo en la biblioteca municipal",
     date(2026, 11, 1)),
    ("En dos meses me mudo a Valencia", "es", "me mudo a Valencia", date(2026, 12, 23)),
    ("I'm starting a new job at the city library the next month", "en",
     "starting a new job at the city library", date(2026, 11, 1)),
    ("I'm starting at the city library the following month", "en", "starting at the city library",
     date(2026, 11, 1)),
    ("In three months I'm running the Valencia marathon", "en", "running the Valencia marathon", date(2027, 1, 23)),
])
def test_a_plan_said_months_ahead_has_its_day(text: str, language: str, phrase: str, due: date) -> None:
    assert _thread(text, language) == (phrase, due)


@pytest.mark.parametrize(("said", "text", "day"), [
    (date(2027, 1, 31), "in a month", date(2027, 2, 28)),  # no 31 February: the month's last day
    (date(2028, 1, 31), "en un mes", date(2028, 2, 29)),
    (date(2026, 11, 15), "dentro de 3 meses", date(2027, 2, 15)),  # across the new year
    (date(2026, 12, 10), "el mes siguiente", date(2027, 1, 1)),
])
def test_months_are_counted_on_the_calendar(said: date, text: str, day: date) -> None:
    [(_, found)] = time_expressions(fold(text).plain, said)
    assert found == day
