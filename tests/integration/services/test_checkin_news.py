"""Check-ins that catch real news: a plan announced long ago whose day passed within the lookback,
asked about first; none after sad words. In Spanish and English, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.bootstrap import policy_from_settings
from bot.config import Settings
from bot.domain.drafts import Draft
from bot.domain.memory import Fact, FactKind
from bot.domain.models import Interaction, InteractionKind, Person, Post
from bot.drafting.template import TemplateDrafter
from bot.services.checkins import CheckinOptions, suggest_checkins
from bot.services.ingest import record_interaction
from tests.fakes import RecordingLog

POLICY = policy_from_settings(Settings())
NOW = datetime(2026, 12, 7, 12, tzinfo=timezone.utc)
ANNOUNCEMENTS = {
    "es": "¡Por fin! Empiezo un trabajo nuevo en la biblioteca municipal el mes que viene",
    "en": "Big news: I'm starting a new job at the city library next month",
}
CHATTER = {"es": "Gracias por el enlace, muy útil", "en": "Thanks for the link, very useful"}


def acquaintance(store, handle: str, messages: list[tuple[int, str]], language: str):  # noqa: ANN001, ANN201
    """Someone who wrote these messages (days ago, text), each in a thread of its own."""
    person = Person(f"id-{handle}", handle, handle.split("@")[0].title())
    with store.unit_of_work() as uow:
        for i, (days_ago, text) in enumerate(messages):
            post = Post(f"{handle}-p{i}", text, language, thread=f"{handle}-t{i}")
            record_interaction(uow, "demo", Interaction(f"{handle}-n{i}", InteractionKind.MENTION,
                               NOW - timedelta(days=days_ago), person, post), now=NOW, policy=POLICY)
        uow.commit()
        return uow.contacts.find(handle)[0]


def four_messages_over_five_months(store, handle: str, language: str):  # noqa: ANN001, ANN201
    """Four messages over five months; 45 days ago, a new job "next month" (its day: 36 days ago)."""
    chatter = CHATTER[language]
    return acquaintance(store, handle, [(150, chatter), (100, chatter), (70, chatter), (45, ANNOUNCEMENTS[language])],
                        language)


def checkins(store, clock, **options) -> list[Draft]:  # noqa: ANN001, ANN003
    suggest_checkins(store, TemplateDrafter(clock=clock), "demo", "sandbox", clock=clock, policy=POLICY,
                     options=CheckinOptions(**options), log=RecordingLog())
    with store.unit_of_work() as uow:
        return [d for d in uow.drafts.list() if d.kind == "checkin"]


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_job_announced_45_days_ago_for_next_month_gets_a_checkin_now(store, clock, language: str) -> None:  # noqa: ANN001
    clock.set(NOW)
    contact = four_messages_over_five_months(store, "leo@city.example", language)
    assert contact.stage.value == "acquaintance"
    with store.unit_of_work() as uow:
        [plan] = [f for f in uow.contacts.facts(contact.id) if f.kind is FactKind.OPEN_THREAD]
    assert plan.due is not None and (NOW - plan.due).days == 36  # announced 45 days ago, due 36 days ago
    [draft] = checkins(store, clock)
    assert "biblioteca municipal" in draft.text if language == "es" else "city library" in draft.text


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_plan_whose_day_passed_before_the_lookback_gets_no_checkin(store, clock, language: str) -> None:  # noqa: ANN001
    clock.set(NOW)
    four_messages_over_five_months(store, "leo@city.example", language)
    assert checkins(store, clock, lookback=timedelta(days=30)) == []


def test_people_with_news_come_before_people_quiet_for_longer(store, clock) -> None:  # noqa: ANN001
    clock.set(NOW)
    longest_quiet = acquaintance(store, "ines@x.example", [(120, CHATTER["es"]), (90, CHATTER["es"])], "es")
    with store.unit_of_work() as uow:
        uow.contacts.add_fact(longest_quiet.id, Fact(FactKind.INTEREST, "cerámica", "hashtag", NOW - timedelta(days=90),
                                                     "es"))
        uow.commit()
    news = four_messages_over_five_months(store, "leo@city.example", "es")
    [draft] = checkins(store, clock, max_per_day=1)
    assert draft.contact_id == news.id
    clock.advance(days=1)
    assert {d.contact_id for d in checkins(store, clock, max_per_day=1)} == {news.id, longest_quiet.id}


@pytest.mark.parametrize(("language", "sad"), [
    ("es", "Se me han muerto las tomateras, todas. Qué pena"),
    ("en", "My dad passed away last week. Thanks for being there"),
])
def test_no_checkin_about_their_plans_after_sad_news(store, clock, language: str, sad: str) -> None:  # noqa: ANN001
    clock.set(NOW)
    acquaintance(store, "leo@city.example", [(150, CHATTER[language]), (45, ANNOUNCEMENTS[language]), (30, sad)],
                 language)
    assert checkins(store, clock) == []
