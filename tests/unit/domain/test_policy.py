"""Every guardrail `decide` applies, pinned one rule at a time, in Spanish and English.

The real pitch detector runs inside `decide` (as in production); these tests only choose texts it
clearly reads as a pitch or as a genuine reply.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, time, timedelta, timezone

import pytest

from bot.domain.contacts import Contact
from bot.domain.decisions import Decision, Outcome, RuleResult
from bot.domain.models import Visibility
from bot.domain.pitch import load_lexicon
from bot.domain.local_time import in_quiet_hours, start_of_day
from bot.domain.policy import PolicyConfig, Situation, decide
from bot.domain.stages import Stage
from tests.fakes import FakeClock

LEXICON = load_lexicon()
NOW = FakeClock().now()  # 2026-11-26 12:00 UTC
UTC = timezone.utc

PITCHES = {
    "es": "Tenemos un 30% de descuento, reserva una llamada conmigo",
    "en": "Book a demo today, 30% off for new customers",
}
GENUINE = {
    "es": "¡Qué buena pregunta! Yo también empecé con el huerto el año pasado.",
    "en": "Great question! I started gardening last year too.",
}
LANGS = ["es", "en"]
ALL_CODES = {
    "opted_out", "nobot", "contact_is_bot", "pitch_stage", "pitch_cooldown", "pitch_ratio",
    "visibility", "contact_rate", "quiet_hours", "needs_input",
}
MADRID_NIGHT = PolicyConfig(quiet_hours=(time(22, 0), time(8, 0)), timezone="Europe/Madrid")


def contact(stage: Stage = Stage.AUDIENCE, **changes: object) -> Contact:
    return replace(Contact(id=1, account="demo", handle="ana@social.example", stage=stage), **changes)


def situation(who: Contact | None = None, lang: str | None = None, **changes: object) -> Situation:
    return replace(Situation(contact=who or contact(), now=NOW, language=lang), **changes)


def rule(decision: Decision, code: str) -> RuleResult:
    [found] = [r for r in decision.results if r.code == code]
    return found


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# pitch_stage --------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_texts_used_here_read_as_pitch_and_genuine(lang: str):
    assert decide(PITCHES[lang], situation(lang=lang), PolicyConfig(), LEXICON).pitch is True
    assert decide(GENUINE[lang], situation(lang=lang), PolicyConfig(), LEXICON).pitch is False


@pytest.mark.parametrize("stage", [Stage.AUDIENCE, Stage.FIRST_CONTACT, Stage.ACQUAINTANCE], ids=str)
@pytest.mark.parametrize("lang", LANGS)
def test_pitch_below_relationship_is_blocked(lang: str, stage: Stage):
    decision = decide(PITCHES[lang], situation(contact(stage), lang), PolicyConfig(), LEXICON)
    assert decision.allowed is False
    assert decision.outcome is Outcome.BLOCK
    assert [r.code for r in decision.blocking] == ["pitch_stage"]


@pytest.mark.parametrize("lang", LANGS)
def test_pitch_to_first_contact_is_blocked(lang: str):
    decision = decide(PITCHES[lang], situation(contact(Stage.FIRST_CONTACT), lang), PolicyConfig(), LEXICON)
    assert rule(decision, "pitch_stage").outcome is Outcome.BLOCK
    assert decision.stage == "first_contact"


@pytest.mark.parametrize("lang", LANGS)
def test_pitch_stage_block_message_names_stage_and_minimum(lang: str):
    decision = decide(PITCHES[lang], situation(contact(Stage.ACQUAINTANCE), lang), PolicyConfig(), LEXICON)
    message = rule(decision, "pitch_stage").message
    assert "acquaintance" in message
    assert "at least relationship" in message


@pytest.mark.parametrize("stage", [Stage.RELATIONSHIP, Stage.TRUSTED], ids=str)
@pytest.mark.parametrize("lang", LANGS)
def test_first_pitch_at_relationship_or_trusted_is_allowed(lang: str, stage: Stage):
    decision = decide(PITCHES[lang], situation(contact(stage), lang), PolicyConfig(), LEXICON)
    assert decision.pitch is True
    assert decision.outcome is Outcome.ALLOW


@pytest.mark.parametrize("lang", LANGS)
def test_pitch_to_relationship_is_blocked_when_min_stage_is_trusted(lang: str):
    config = PolicyConfig(min_stage=Stage.TRUSTED)
    blocked = decide(PITCHES[lang], situation(contact(Stage.RELATIONSHIP), lang), config, LEXICON)
    allowed = decide(PITCHES[lang], situation(contact(Stage.TRUSTED), lang), config, LEXICON)
    assert rule(blocked, "pitch_stage").outcome is Outcome.BLOCK
    assert "at least trusted" in rule(blocked, "pitch_stage").message
    assert allowed.outcome is Outcome.ALLOW


@pytest.mark.parametrize("lang", LANGS)
def test_genuine_reply_to_audience_is_allowed(lang: str):
    decision = decide(GENUINE[lang], situation(contact(Stage.AUDIENCE), lang), PolicyConfig(), LEXICON)
    assert decision.pitch is False
    assert decision.outcome is Outcome.ALLOW
    assert decision.not_before is None
    assert decision.summary() == "allowed"


# pitch_cooldown and pitch_ratio -------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_pitch_within_cooldown_is_blocked_even_for_trusted(lang: str):
    who = contact(Stage.TRUSTED, last_pitch_at=NOW - timedelta(days=10), exchanges_since_pitch=50)
    decision = decide(PITCHES[lang], situation(who, lang), PolicyConfig(), LEXICON)
    assert [r.code for r in decision.blocking] == ["pitch_cooldown"]
    assert "10 days ago" in rule(decision, "pitch_cooldown").message
    assert "wait 20 days more" in rule(decision, "pitch_cooldown").message


@pytest.mark.parametrize("lang", LANGS)
def test_pitch_after_cooldown_with_enough_exchanges_is_allowed(lang: str):
    who = contact(Stage.TRUSTED, last_pitch_at=NOW - timedelta(days=30), exchanges_since_pitch=5)
    decision = decide(PITCHES[lang], situation(who, lang), PolicyConfig(), LEXICON)
    assert decision.outcome is Outcome.ALLOW


def test_custom_cooldown_is_applied():
    who = contact(Stage.TRUSTED, last_pitch_at=NOW - timedelta(days=10), exchanges_since_pitch=50)
    config = PolicyConfig(cooldown=timedelta(days=7))
    assert decide(PITCHES["en"], situation(who, "en"), config, LEXICON).outcome is Outcome.ALLOW


@pytest.mark.parametrize("lang", LANGS)
def test_pitch_with_too_few_exchanges_since_last_pitch_is_blocked_even_for_trusted(lang: str):
    who = contact(Stage.TRUSTED, last_pitch_at=NOW - timedelta(days=90), exchanges_since_pitch=4)
    decision = decide(PITCHES[lang], situation(who, lang), PolicyConfig(), LEXICON)
    assert [r.code for r in decision.blocking] == ["pitch_ratio"]
    assert "only 4 genuine exchanges" in rule(decision, "pitch_ratio").message
    assert "5 needed" in rule(decision, "pitch_ratio").message


def test_custom_min_exchanges_between_pitches_is_applied():
    who = contact(Stage.TRUSTED, last_pitch_at=NOW - timedelta(days=90), exchanges_since_pitch=4)
    config = PolicyConfig(min_exchanges_between=10)
    decision = decide(PITCHES["en"], situation(who, "en"), config, LEXICON)
    assert "10 needed" in rule(decision, "pitch_ratio").message
    assert decide(PITCHES["en"], situation(who, "en"), PolicyConfig(min_exchanges_between=4), LEXICON).allowed


@pytest.mark.parametrize("lang", LANGS)
def test_genuine_reply_right_after_a_pitch_is_not_held_by_pitch_rules(lang: str):
    who = contact(Stage.TRUSTED, last_pitch_at=NOW - timedelta(hours=1), exchanges_since_pitch=0)
    decision = decide(GENUINE[lang], situation(who, lang), PolicyConfig(), LEXICON)
    assert decision.outcome is Outcome.ALLOW


# opted_out, nobot, contact_is_bot ----------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_reply_to_opted_out_contact_is_blocked(lang: str):
    who = contact(Stage.TRUSTED, opted_out=True, opted_out_at=NOW - timedelta(days=1))
    decision = decide(GENUINE[lang], situation(who, lang), PolicyConfig(), LEXICON)
    assert [r.code for r in decision.blocking] == ["opted_out"]


@pytest.mark.parametrize(
    "bio, fields",
    [
        ("Gardener. #NoBot", ()),
        ("#nobots please", ()),
        ("#nobot", ()),
        ("no automation #no_bot", ()),
        ("Gardener.", (("Bots", "#nobot"),)),
        ("Gardener. HR at a hospital.", (("#NoBot", "gardening"),)),
    ],
    ids=["NoBot_in_bio", "nobots_in_bio", "bare_tag", "no_bot_underscore", "field_value", "field_label"],
)
@pytest.mark.parametrize("lang", LANGS)
def test_reply_to_contact_asking_for_no_bots_is_blocked(lang: str, bio: str, fields: tuple):
    who = contact(Stage.TRUSTED, bio=bio, fields=fields)
    decision = decide(GENUINE[lang], situation(who, lang), PolicyConfig(), LEXICON)
    assert who.nobot is True
    assert [r.code for r in decision.blocking] == ["nobot"]


@pytest.mark.parametrize(
    "bio, fields",
    [
        ("I study #nobotanics", ()),
        ("nobot here, just a nobot fan", ()),
        ("mail: me#nobot", ()),
    ],
    ids=["nobotanics", "word_without_hash", "hash_inside_a_word"],
)
def test_profile_without_a_nobot_tag_is_not_blocked(bio: str, fields: tuple):
    who = contact(Stage.TRUSTED, bio=bio, fields=fields)
    decision = decide(GENUINE["en"], situation(who, "en"), PolicyConfig(), LEXICON)
    assert who.nobot is False
    assert rule(decision, "nobot").outcome is Outcome.ALLOW


@pytest.mark.parametrize("lang", LANGS)
def test_reply_to_a_bot_account_is_blocked(lang: str):
    decision = decide(GENUINE[lang], situation(contact(Stage.TRUSTED, bot=True), lang), PolicyConfig(), LEXICON)
    assert [r.code for r in decision.blocking] == ["contact_is_bot"]


# contact_rate -------------------------------------------------------------------------------

def test_messages_under_the_daily_limit_are_allowed():
    decision = decide(GENUINE["en"], situation(sent_today=2), PolicyConfig(max_messages_per_day=3), LEXICON)
    assert rule(decision, "contact_rate").outcome is Outcome.ALLOW
    assert decision.not_before is None


@pytest.mark.parametrize("lang", LANGS)
def test_message_over_daily_limit_defers_until_next_local_midnight(lang: str):
    config = PolicyConfig(max_messages_per_day=3, timezone="Europe/Madrid")
    decision = decide(GENUINE[lang], situation(lang=lang, sent_today=3), config, LEXICON)
    assert decision.outcome is Outcome.DEFER
    assert decision.allowed is True  # deferred, not refused
    assert [r.code for r in decision.reasons] == ["contact_rate"]
    # 12:00 UTC is 13:00 in Madrid (CET, +01:00); the next local midnight is 23:00 UTC.
    assert decision.not_before == utc(2026, 11, 26, 23, 0)


def test_contact_rate_uses_the_local_day_not_the_utc_day():
    config = PolicyConfig(max_messages_per_day=1, timezone="Europe/Madrid")
    late = situation(sent_today=1, now=utc(2026, 11, 26, 23, 30))  # already 00:30 on the 27th in Madrid
    assert decide(GENUINE["en"], late, config, LEXICON).not_before == utc(2026, 11, 27, 23, 0)


def test_contact_rate_midnight_follows_daylight_saving_change():
    config = PolicyConfig(max_messages_per_day=1, timezone="Europe/Madrid")
    # 29 March 2026: Madrid moves from +01:00 to +02:00 at 02:00; the next midnight is at +02:00.
    on_change_day = situation(sent_today=1, now=utc(2026, 3, 29, 12, 0))
    assert decide(GENUINE["en"], on_change_day, config, LEXICON).not_before == utc(2026, 3, 29, 22, 0)


def test_start_of_day_is_local_midnight():
    assert start_of_day(NOW, "Europe/Madrid") == utc(2026, 11, 25, 23, 0)
    assert start_of_day(NOW, "UTC") == utc(2026, 11, 26, 0, 0)


# quiet_hours --------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "now, resume",
    [
        (utc(2026, 11, 26, 21, 0), utc(2026, 11, 27, 7, 0)),  # 22:00 Madrid: the window opens
        (utc(2026, 11, 26, 22, 30), utc(2026, 11, 27, 7, 0)),  # 23:30 Madrid, before midnight
        (utc(2026, 11, 27, 2, 0), utc(2026, 11, 27, 7, 0)),  # 03:00 Madrid, after midnight
        (utc(2026, 11, 27, 6, 59), utc(2026, 11, 27, 7, 0)),  # 07:59 Madrid, about to end
    ],
    ids=["22:00", "23:30", "03:00", "07:59"],
)
@pytest.mark.parametrize("lang", LANGS)
def test_message_in_quiet_hours_spanning_midnight_defers_until_window_end(lang: str, now, resume):
    decision = decide(GENUINE[lang], situation(lang=lang, now=now), MADRID_NIGHT, LEXICON)
    assert decision.outcome is Outcome.DEFER
    assert [r.code for r in decision.reasons] == ["quiet_hours"]
    assert decision.not_before == resume


@pytest.mark.parametrize(
    "now",
    [utc(2026, 11, 26, 7, 0), utc(2026, 11, 26, 12, 0), utc(2026, 11, 26, 20, 59)],
    ids=["08:00", "13:00", "21:59"],
)
def test_message_outside_quiet_hours_is_allowed(now: datetime):
    decision = decide(GENUINE["es"], situation(lang="es", now=now), MADRID_NIGHT, LEXICON)
    assert decision.outcome is Outcome.ALLOW
    assert rule(decision, "quiet_hours").message == "outside quiet hours"


def test_quiet_hours_message_names_window_zone_and_resume_time():
    decision = decide(GENUINE["en"], situation(now=utc(2026, 11, 26, 22, 30)), MADRID_NIGHT, LEXICON)
    assert rule(decision, "quiet_hours").message == (
        "quiet hours 22:00-08:00 (Europe/Madrid); sending waits until 08:00"
    )


def test_quiet_hours_within_one_day_are_honoured():
    window = (time(13, 0), time(15, 0))
    assert in_quiet_hours(utc(2026, 11, 26, 14, 0), window, "UTC") is True
    assert in_quiet_hours(utc(2026, 11, 26, 15, 0), window, "UTC") is False
    assert in_quiet_hours(utc(2026, 11, 26, 12, 59), window, "UTC") is False


def test_no_quiet_hours_configured_never_defers():
    decision = decide(GENUINE["en"], situation(now=utc(2026, 11, 26, 3, 0)), PolicyConfig(), LEXICON)
    assert rule(decision, "quiet_hours").outcome is Outcome.ALLOW
    assert rule(decision, "quiet_hours").message == "no quiet hours set"


def test_two_deferrals_resume_at_the_later_time():
    config = replace(MADRID_NIGHT, max_messages_per_day=1)
    # 23:30 in Madrid: the day limit lifts at midnight, quiet hours at 08:00; the later wins.
    decision = decide(GENUINE["en"], situation(sent_today=1, now=utc(2026, 11, 26, 22, 30)), config, LEXICON)
    assert {r.code for r in decision.reasons} == {"contact_rate", "quiet_hours"}
    assert decision.not_before == utc(2026, 11, 27, 7, 0)


def test_a_block_outweighs_a_deferral():
    who = contact(Stage.FIRST_CONTACT)
    decision = decide(PITCHES["en"], situation(who, "en", now=utc(2026, 11, 26, 22, 30)), MADRID_NIGHT, LEXICON)
    assert decision.outcome is Outcome.BLOCK
    assert decision.allowed is False
    assert {r.code for r in decision.reasons} == {"pitch_stage", "quiet_hours"}


# visibility ---------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_public_reply_to_a_direct_message_is_blocked(lang: str):
    s = situation(lang=lang, reply_visibility=Visibility.PUBLIC, answered_visibility=Visibility.DIRECT)
    decision = decide(GENUINE[lang], s, PolicyConfig(), LEXICON)
    assert [r.code for r in decision.blocking] == ["visibility"]
    assert rule(decision, "visibility").message == "a public reply to a direct message would expose it"


@pytest.mark.parametrize(
    "reply, answered",
    [
        (Visibility.UNLISTED, Visibility.PRIVATE),
        (Visibility.PRIVATE, Visibility.DIRECT),
        (Visibility.PUBLIC, Visibility.UNLISTED),
    ],
    ids=["unlisted_to_private", "private_to_direct", "public_to_unlisted"],
)
def test_reply_more_public_than_what_it_answers_is_blocked(reply: Visibility, answered: Visibility):
    s = situation(reply_visibility=reply, answered_visibility=answered)
    assert rule(decide(GENUINE["en"], s, PolicyConfig(), LEXICON), "visibility").outcome is Outcome.BLOCK


@pytest.mark.parametrize("lang", LANGS)
def test_direct_reply_to_a_direct_message_is_allowed(lang: str):
    s = situation(lang=lang, reply_visibility=Visibility.DIRECT, answered_visibility=Visibility.DIRECT)
    assert decide(GENUINE[lang], s, PolicyConfig(), LEXICON).outcome is Outcome.ALLOW


def test_direct_reply_to_a_public_message_is_allowed():
    s = situation(reply_visibility=Visibility.DIRECT, answered_visibility=Visibility.PUBLIC)
    assert rule(decide(GENUINE["en"], s, PolicyConfig(), LEXICON), "visibility").outcome is Outcome.ALLOW


def test_check_in_that_answers_nothing_passes_visibility():
    s = situation(reply_visibility=Visibility.PUBLIC, answered_visibility=None)
    assert rule(decide(GENUINE["en"], s, PolicyConfig(), LEXICON), "visibility").outcome is Outcome.ALLOW


# explainability and serialisation ------------------------------------------------------------

SCENARIOS = {
    "allowed": (GENUINE["en"], situation(lang="en"), PolicyConfig()),
    "pitch_blocked": (PITCHES["es"], situation(contact(Stage.FIRST_CONTACT), "es"), PolicyConfig()),
    "opted_out": (GENUINE["es"], situation(contact(opted_out=True), "es"), PolicyConfig()),
    "deferred": (GENUINE["en"], situation(now=utc(2026, 11, 26, 22, 30)), MADRID_NIGHT),
    "everything_wrong": (
        PITCHES["en"] + " [your answer: start date]",  # a slot left to fill as well
        situation(
            contact(Stage.AUDIENCE, opted_out=True, bot=True, bio="#nobot",
                    last_pitch_at=NOW - timedelta(days=1)),
            "en", sent_today=9, reply_visibility=Visibility.PUBLIC, answered_visibility=Visibility.DIRECT,
            now=utc(2026, 11, 26, 22, 30),
        ),
        MADRID_NIGHT,
    ),
}


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_decision_carries_every_rules_result(name: str):
    text, s, config = SCENARIOS[name]
    decision = decide(text, s, config, LEXICON)
    codes = [r.code for r in decision.results]
    assert set(codes) == ALL_CODES
    assert len(codes) == len(ALL_CODES)
    assert all(r.message for r in decision.results)


def test_decision_with_every_rule_failing_reports_each_one():
    text, s, config = SCENARIOS["everything_wrong"]
    decision = decide(text, s, config, LEXICON)
    assert {r.code for r in decision.blocking} == ALL_CODES - {"contact_rate", "quiet_hours", "needs_input"}
    assert {r.code for r in decision.reasons} == ALL_CODES


def test_reasons_of_an_allowed_decision_list_every_rule_that_passed():
    decision = decide(*SCENARIOS["allowed"][:2], PolicyConfig(), LEXICON)
    assert {r.code for r in decision.reasons} == ALL_CODES


@pytest.mark.parametrize("name", SCENARIOS)
def test_decision_round_trips_through_dict_and_json(name: str):
    text, s, config = SCENARIOS[name]
    decision = decide(text, s, config, LEXICON)
    assert Decision.from_dict(decision.to_dict()) == decision
    assert Decision.from_dict(json.loads(json.dumps(decision.to_dict()))) == decision


def test_decision_dict_has_the_interface_fields():
    text, s, config = SCENARIOS["pitch_blocked"]
    data = decide(text, s, config, LEXICON).to_dict()
    assert data["allowed"] is False
    assert data["pitch"] is True
    assert data["stage"] == "first_contact"
    assert data["outcome"] == "block"
    assert data["reasons"] == [
        {"code": "pitch_stage", "outcome": "block", "message": data["reasons"][0]["message"]}
    ]
    assert len(data["rules"]) == len(ALL_CODES)


def test_deferred_decision_dict_keeps_not_before():
    text, s, config = SCENARIOS["deferred"]
    data = decide(text, s, config, LEXICON).to_dict()
    assert datetime.fromisoformat(data["not_before"]) == utc(2026, 11, 27, 7, 0)
