"""Where a contact stands on the ladder, and why: pure functions over counters, no store."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from itertools import combinations

import pytest

from bot.domain.stages import RelationshipCounters, Stage, StageThresholds, assess_stage

DEFAULTS = StageThresholds()
START = datetime(2026, 5, 1, 10, 0, tzinfo=timezone.utc)
LADDER = [Stage.AUDIENCE, Stage.FIRST_CONTACT, Stage.ACQUAINTANCE, Stage.RELATIONSHIP, Stage.TRUSTED]


def counters(
    conversations: int = 0, days: int = 0, reciprocal: int = 0, span_days: float = 0,
    facts: int = 0, trusted: bool = False,
) -> RelationshipCounters:
    has_talk = conversations > 0
    return RelationshipCounters(
        conversations=conversations,
        conversation_days=days,
        reciprocal_conversations=reciprocal,
        first_conversation_at=START if has_talk else None,
        last_conversation_at=START + timedelta(days=span_days) if has_talk else None,
        known_facts=facts,
        trusted=trusted,
    )


# A contact that meets every default relationship threshold exactly.
RELATIONSHIP_AT_THRESHOLD = dict(conversations=5, days=5, reciprocal=5, span_days=30, facts=2)


def test_contact_with_no_conversations_is_audience():
    assert assess_stage(counters(), DEFAULTS).stage is Stage.AUDIENCE


def test_exactly_one_conversation_is_first_contact():
    assert assess_stage(counters(conversations=1, days=1), DEFAULTS).stage is Stage.FIRST_CONTACT


def test_two_conversations_on_one_day_stay_first_contact():
    assert assess_stage(counters(conversations=2, days=1), DEFAULTS).stage is Stage.FIRST_CONTACT


def test_many_conversations_on_one_day_stay_first_contact():
    assert assess_stage(counters(conversations=9, days=1, reciprocal=9), DEFAULTS).stage is Stage.FIRST_CONTACT


def test_two_conversations_on_different_days_are_acquaintance():
    assert assess_stage(counters(conversations=2, days=2, span_days=1), DEFAULTS).stage is Stage.ACQUAINTANCE


def test_reciprocal_conversations_over_span_with_known_facts_are_relationship():
    assessment = assess_stage(counters(**RELATIONSHIP_AT_THRESHOLD), DEFAULTS)
    assert assessment.stage is Stage.RELATIONSHIP


@pytest.mark.parametrize(
    "missing, change",
    [
        ("too few reciprocal conversations", {"reciprocal": 4}),
        ("a span one day short", {"span_days": 29}),
        ("a span a few minutes short", {"span_days": 30 - 1 / (24 * 60)}),
        ("too few known facts", {"facts": 1}),
    ],
)
def test_relationship_missing_one_requirement_stays_acquaintance(missing: str, change: dict):
    assessment = assess_stage(counters(**{**RELATIONSHIP_AT_THRESHOLD, **change}), DEFAULTS)
    assert assessment.stage is Stage.ACQUAINTANCE, missing


def test_many_one_sided_conversations_without_reciprocity_stay_acquaintance():
    one_sided = counters(conversations=40, days=40, reciprocal=0, span_days=200, facts=3)
    assert assess_stage(one_sided, DEFAULTS).stage is Stage.ACQUAINTANCE


@pytest.mark.parametrize(
    "base",
    [counters(), counters(conversations=1, days=1), counters(**RELATIONSHIP_AT_THRESHOLD)],
    ids=["no_history", "first_contact", "relationship"],
)
def test_trusted_mark_overrides_the_counters(base: RelationshipCounters):
    marked = RelationshipCounters(**{**base.__dict__, "trusted": True})
    assessment = assess_stage(marked, DEFAULTS)
    assert assessment.stage is Stage.TRUSTED
    assert "marked trusted by a person" in assessment.why


def test_custom_thresholds_make_one_day_enough_for_acquaintance():
    lenient = StageThresholds(acquaintance_conversations=2, acquaintance_days=1)
    assert assess_stage(counters(conversations=2, days=1), lenient).stage is Stage.ACQUAINTANCE


def test_custom_thresholds_can_require_more_conversations_for_acquaintance():
    strict = StageThresholds(acquaintance_conversations=4, acquaintance_days=3)
    assert assess_stage(counters(conversations=3, days=3), strict).stage is Stage.FIRST_CONTACT
    assert assess_stage(counters(conversations=4, days=3), strict).stage is Stage.ACQUAINTANCE


def test_custom_relationship_thresholds_are_applied():
    strict = StageThresholds(relationship_conversations=10, relationship_span_days=90, relationship_facts=4)
    meets_defaults = counters(**RELATIONSHIP_AT_THRESHOLD)
    assert assess_stage(meets_defaults, strict).stage is Stage.ACQUAINTANCE
    meets_strict = counters(conversations=10, days=10, reciprocal=10, span_days=90, facts=4)
    assert assess_stage(meets_strict, strict).stage is Stage.RELATIONSHIP


def test_span_is_zero_without_conversation_times():
    assert RelationshipCounters().span == timedelta(0)


def test_span_is_time_between_first_and_last_conversation():
    assert counters(conversations=2, days=2, span_days=12).span == timedelta(days=12)


def test_first_contact_why_counts_the_conversations():
    why = assess_stage(counters(conversations=2, days=1), DEFAULTS).why
    assert "2 conversation" in why
    assert "not yet a relationship" in why


def test_acquaintance_why_names_counts_and_what_a_relationship_needs():
    custom = StageThresholds(relationship_conversations=7, relationship_span_days=45, relationship_facts=3)
    why = assess_stage(counters(conversations=3, days=2, span_days=4), custom).why
    assert "3 conversations on 2 different days" in why
    assert "7 reciprocal" in why
    assert "45 days" in why
    assert "3 known facts" in why


def test_relationship_why_names_reciprocal_count_span_and_facts():
    why = assess_stage(counters(conversations=8, days=8, reciprocal=6, span_days=41, facts=3), DEFAULTS).why
    assert why == "6 reciprocal conversations over 41 days and 3 known facts"


def test_audience_why_says_there_is_no_conversation():
    assert "follows, likes or reposts only" in assess_stage(counters(), DEFAULTS).why


def test_stages_sort_in_ladder_order():
    assert sorted(reversed(LADDER)) == LADDER
    assert list(Stage) == LADDER


@pytest.mark.parametrize("lower, higher", list(combinations(LADDER, 2)), ids=lambda s: s.value)
def test_stage_comparisons_follow_the_ladder(lower: Stage, higher: Stage):
    assert lower < higher and lower <= higher
    assert higher > lower and higher >= lower
    assert not (higher < lower) and not (lower >= higher)


@pytest.mark.parametrize("stage", LADDER, ids=lambda s: s.value)
def test_stage_equals_itself_in_ordering(stage: Stage):
    assert stage <= stage and stage >= stage
    assert not (stage < stage) and not (stage > stage)


def test_stage_ranks_are_ladder_positions():
    assert [stage.rank for stage in LADDER] == [0, 1, 2, 3, 4]


def test_stage_values_are_the_interface_names():
    assert [stage.value for stage in LADDER] == [
        "audience", "first_contact", "acquaintance", "relationship", "trusted",
    ]
