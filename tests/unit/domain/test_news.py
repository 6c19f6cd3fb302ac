"""Real news for a check-in: plans whose day came within the lookback, life events first."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.domain.memory import Fact, FactKind
from bot.domain.news import is_life_event, news_rank, passed_plans

NOW = datetime(2026, 12, 7, 12, tzinfo=timezone.utc)
LOOKBACK = timedelta(days=60)


def plan(text: str, due_days_ago: float | None, said_days_ago: float = 45, language: str = "es") -> Fact:
    due = None if due_days_ago is None else NOW - timedelta(days=due_days_ago)
    return Fact(FactKind.OPEN_THREAD, text, "message:4", NOW - timedelta(days=said_days_ago), language, due)


@pytest.mark.parametrize("text", [
    "Empiezo en la biblioteca municipal", "un trabajo nuevo", "la mudanza a Lisboa", "el examen de conducir",
    "la media maratón de Sevilla", "el lanzamiento de la app", "las oposiciones", "nuestra boda",
    "start a new job at the city library", "moving to Leeds", "the bar exam", "the Berlin marathon",
    "launching the beta", "our wedding",
])
def test_jobs_moves_exams_races_and_launches_are_life_events(text: str) -> None:
    assert is_life_event(text)


@pytest.mark.parametrize("text", ["la cena con amigos", "el concierto de jazz", "dinner with the team", "a new podcast episode"])
def test_everyday_plans_are_not_life_events(text: str) -> None:
    assert not is_life_event(text)


def test_a_plan_announced_long_ago_whose_day_passed_within_the_lookback_is_news() -> None:
    library = plan("Empiezo en la biblioteca municipal", due_days_ago=36, said_days_ago=45)
    assert passed_plans([library], NOW, LOOKBACK) == [library]
    assert news_rank([library], NOW, LOOKBACK) == 0


def test_plans_still_ahead_undated_or_past_the_lookback_are_not_news() -> None:
    ahead = plan("the Berlin marathon", due_days_ago=-3, language="en")
    undated = plan("la mudanza a Lisboa", due_days_ago=None)
    old = plan("el examen de conducir", due_days_ago=61, said_days_ago=70)
    interest = Fact(FactKind.INTEREST, "marathon", "hashtag", NOW - timedelta(days=5), "en")
    assert passed_plans([ahead, undated, old, interest], NOW, LOOKBACK) == []
    assert news_rank([ahead, undated, old, interest], NOW, LOOKBACK) == 2
    assert passed_plans([old], NOW, timedelta(days=90)) == [old]


def test_life_events_come_before_other_plans_then_the_most_recent() -> None:
    dinner = plan("la cena con amigos", due_days_ago=1)
    older_race = plan("the Berlin marathon", due_days_ago=20, language="en")
    newer_job = plan("un trabajo nuevo en la biblioteca", due_days_ago=10)
    assert passed_plans([dinner, older_race, newer_job], NOW, LOOKBACK) == [newer_job, older_race, dinner]
    assert news_rank([dinner], NOW, LOOKBACK) == 1
