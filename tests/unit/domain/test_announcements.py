"""The announcement rules: who is left out and why, and when a message may go out."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from dataclasses import replace

import pytest

from bot.domain.announcements import (
    AnnounceRules, announcement_visibility, ends_with_opt_out, exclusion, matching_interests, send_hold,
)
from bot.domain.contacts import Contact
from bot.domain.memory import ContactMemory, Fact, FactKind
from bot.domain.models import Visibility
from bot.domain.pitch import load_lexicon
from bot.domain.policy import PolicyConfig, Situation, decide
from bot.domain.stages import Stage

UTC = timezone.utc
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)  # a Tuesday; 10:30 in Madrid
LEXICON = load_lexicon()
MEMORY = ContactMemory((
    Fact(FactKind.INTEREST, "cerámica", "hashtag", NOW, "es"),
    Fact(FactKind.INTEREST, "urban gardening", "bio", NOW, "en"),
))
FRIEND = Contact(id=1, account="demo", handle="ana@es.example", name="Ana", stage=Stage.RELATIONSHIP)
WORKDAY = AnnounceRules(max_per_day=3, working_hours=(time(9, 0), time(18, 0)), timezone="Europe/Madrid")


def _excluded(contact: Contact, platform: str = "sandbox", topics: tuple[str, ...] = ()) -> str | None:
    return exclusion(contact, MEMORY, min_stage=Stage.RELATIONSHIP, platform=platform, topics=topics)


def test_a_relationship_on_a_private_channel_is_eligible() -> None:
    assert _excluded(FRIEND) is None
    assert _excluded(FRIEND, platform="mastodon") is None


@pytest.mark.parametrize(("change", "code"), [
    ({"opted_out": True, "bot": True}, "opted_out"),  # the first rule that applies is the one given
    ({"bio": "Ceramista. #nobot"}, "nobot"),
    ({"bot": True}, "contact_is_bot"),
    ({"stage": Stage.ACQUAINTANCE}, "pitch_stage"),
    ({"stage": Stage.AUDIENCE}, "pitch_stage"),
])
def test_people_who_may_not_hear_it_are_left_out_with_the_guardrails_code(change: dict, code: str) -> None:
    assert _excluded(replace(FRIEND, **change)) == code


def test_a_trusted_contact_is_above_relationship_and_eligible() -> None:
    assert _excluded(replace(FRIEND, stage=Stage.TRUSTED)) is None


def test_bluesky_cannot_write_privately_so_its_contacts_are_left_out_rather_than_posted_to_in_public() -> None:
    assert _excluded(FRIEND, platform="bluesky") == "no_private_channel"


def test_a_topic_matches_their_interests_without_minding_accents_or_case() -> None:
    assert matching_interests(MEMORY, ("Ceramica",)) == ["cerámica"]
    assert matching_interests(MEMORY, ("gardening",)) == ["urban gardening"]
    assert _excluded(FRIEND, topics=("running",)) == "no_topic"
    assert _excluded(FRIEND, topics=("running", "cerámica")) is None


def test_the_message_is_never_more_public_than_their_usual_exchanges() -> None:
    assert announcement_visibility(Visibility.PUBLIC, Visibility.DIRECT) is Visibility.DIRECT
    assert announcement_visibility(Visibility.DIRECT, Visibility.PUBLIC) is Visibility.DIRECT
    assert announcement_visibility(Visibility.UNLISTED, None) is Visibility.UNLISTED


def test_inside_working_hours_and_under_the_cap_it_may_go_now() -> None:
    assert send_hold(NOW, 2, WORKDAY) is None


def test_before_working_hours_it_waits_for_the_opening_that_day() -> None:
    early = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # 07:00 in Madrid
    hold = send_hold(early, 0, WORKDAY)
    assert hold is not None and hold.code == "announce_working_hours"
    assert hold.until == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # 09:00 in Madrid


def test_after_working_hours_it_waits_for_the_next_morning() -> None:
    late = datetime(2026, 12, 1, 17, 30, tzinfo=UTC)  # 18:30 in Madrid
    hold = send_hold(late, 0, WORKDAY)
    assert hold is not None and hold.until == datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


def test_once_the_days_allowance_is_spent_it_waits_for_the_next_working_day() -> None:
    hold = send_hold(NOW, 3, WORKDAY)
    assert hold is not None and hold.code == "announce_daily_cap"
    assert hold.until == datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    anytime = AnnounceRules(max_per_day=3, timezone="Europe/Madrid")
    assert send_hold(NOW, 3, anytime).until == datetime(2026, 12, 1, 23, 0, tzinfo=UTC)  # local midnight


def test_the_opt_out_line_must_close_the_message() -> None:
    assert ends_with_opt_out("Hola.\n\nNoticia.\n\n(Si prefieres que no te escriba, respóndeme «stop».)")
    assert ends_with_opt_out('Hi.\n\nNews.\n\n(Reply "STOP" and I won\'t again.)')
    assert not ends_with_opt_out("Hola.\n\n(Respóndeme «stop».)\n\nNoticia al final.")
    assert not ends_with_opt_out("Hi. News. Stopover in Lisbon next week.")


@pytest.mark.parametrize("text", ["Empiezo un trabajo nuevo en enero en Lisboa.",
                                  "I'm opening a workshop in January, I'd love to see you."])
def test_an_announcement_is_a_pitch_by_declaration_whatever_the_detector_reads(text: str) -> None:
    below = replace(FRIEND, stage=Stage.ACQUAINTANCE)
    plain = decide(text, Situation(contact=below, now=NOW), PolicyConfig(), LEXICON)
    assert plain.allowed and not plain.pitch
    declared = decide(text, Situation(contact=below, now=NOW, declared_pitch=True), PolicyConfig(), LEXICON)
    assert declared.pitch and [r.code for r in declared.blocking] == ["pitch_stage"]
    pitched = replace(FRIEND, last_pitch_at=NOW - timedelta(days=3), exchanges_since_pitch=1)
    again = decide(text, Situation(contact=pitched, now=NOW, declared_pitch=True), PolicyConfig(), LEXICON)
    assert {r.code for r in again.blocking} == {"pitch_cooldown", "pitch_ratio"}
