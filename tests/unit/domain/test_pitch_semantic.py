"""The pitch detector with the semantic model beside the rules, through a fake encoder."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.domain.contacts import Contact
from bot.domain.decisions import Outcome
from bot.domain.pitch import load_lexicon
from bot.domain.pitch_semantic import SEMANTIC, Fusion, PitchDetector, SemanticModel, semantic_probability
from bot.domain.policy import PolicyConfig, Situation, decide
from bot.domain.stages import Stage

LEXICON = load_lexicon()
# Two dimensions: the first reads "selling", the second "chatting". Probability = sigmoid(4x - 4y).
MODEL = SemanticModel(encoder="fake", weights=(4.0, -4.0), bias=0.0, outgoing_threshold=0.7, incoming_threshold=0.9)
SELLING = "Who signs off on tooling spend on your side these days?"
CHATTING = "Lovely to see the garden coming back after the frost!"
OVERT = "50% off all plans this week only, DM me to order: shop.example/deal"


class FakeEncoder:
    name = "fake"

    def __init__(self, vectors: dict[str, list[float]]) -> None:
        self.vectors = vectors
        self.calls: list[str] = []

    def encode(self, texts):  # noqa: ANN001, ANN201
        self.calls.extend(texts)
        return [self.vectors.get(text, [0.0, 1.0]) for text in texts]


def detector(**options) -> tuple[PitchDetector, FakeEncoder]:  # noqa: ANN003
    encoder = FakeEncoder({SELLING: [1.0, 0.0], CHATTING: [0.0, 1.0], OVERT: [0.0, 0.0]})
    return PitchDetector(LEXICON, MODEL, encoder, **options), encoder


def test_semantic_probability_is_the_logistic_of_the_weighted_sum() -> None:
    assert semantic_probability([0.0, 0.0], MODEL) == pytest.approx(0.5)
    assert semantic_probability([1.0, 0.0], MODEL) == pytest.approx(1 / (1 + 2.718281828 ** -4), rel=1e-6)


def test_a_pitch_the_rules_miss_is_caught_by_the_model_and_its_probability_leads_the_signals() -> None:
    assert not rules_alone_call_it_a_pitch(SELLING)
    result = detector()[0].assess(SELLING, "en")
    assert result.pitch and result.signals[0].kind == SEMANTIC and result.signals[0].text == "0.98"


def test_ordinary_talk_stays_ordinary_and_shows_the_models_low_probability_last() -> None:
    result = detector()[0].assess(CHATTING, "en")
    assert not result.pitch and result.signals[-1] == replace(result.signals[-1], kind=SEMANTIC, text="0.02")


def test_the_rules_keep_their_say_when_the_model_is_unsure() -> None:
    result = detector()[0].assess(OVERT, "en")
    assert result.pitch and any(signal.kind != SEMANTIC for signal in result.signals)


def test_a_lower_threshold_blocks_more() -> None:
    encoder = FakeEncoder({CHATTING: [0.1, 0.0]})  # probability 0.60
    assert not PitchDetector(LEXICON, MODEL, encoder).assess(CHATTING).pitch
    assert PitchDetector(LEXICON, MODEL, encoder, threshold=0.5).assess(CHATTING).pitch


def test_each_text_is_encoded_once_however_often_it_is_judged() -> None:
    judge, encoder = detector()
    for _ in range(3):
        judge.assess(SELLING, "en")
    assert encoder.calls == [SELLING]


def test_the_cascade_sends_only_texts_the_rules_are_unsure_about_to_the_encoder() -> None:
    judge, encoder = detector(unsure_from=0.2)
    assert not judge.assess(CHATTING, "en").pitch
    assert encoder.calls == []


def test_without_an_encoder_the_detector_is_the_rules_alone() -> None:
    result = PitchDetector(LEXICON, MODEL, None).assess(SELLING, "en")
    assert not result.pitch and all(signal.kind != SEMANTIC for signal in result.signals)


def test_a_model_trained_on_another_encoder_is_refused() -> None:
    with pytest.raises(ValueError, match="trained on fake"):
        PitchDetector(LEXICON, MODEL, replace_name(FakeEncoder({}), "other"))


def test_decide_blocks_a_model_caught_pitch_to_a_first_contact_and_says_why() -> None:
    situation = Situation(contact=_contact(Stage.FIRST_CONTACT), now=datetime(2026, 12, 7, 12, tzinfo=UTC), language="en")
    decision = decide(SELLING, situation, PolicyConfig(), detector()[0])
    [stage_rule] = [r for r in decision.results if r.code == "pitch_stage"]
    assert decision.pitch and stage_rule.outcome is Outcome.BLOCK and "semantic '0.98'" in stage_rule.message


def test_explain_shows_the_model_score_when_a_draft_passes() -> None:
    situation = Situation(contact=_contact(Stage.FIRST_CONTACT), now=datetime(2026, 12, 7, 12, tzinfo=UTC), language="en")
    [stage_rule] = [r for r in decide(CHATTING, situation, PolicyConfig(), detector()[0]).results
                    if r.code == "pitch_stage"]
    assert stage_rule.outcome is Outcome.ALLOW and "semantic model 0.02" in stage_rule.message


# The fusion as trained: the semantic logit weighs most, a rules hit adds about as much as one
# unit of it. SAME_WORDS trips the rules ("free trial", "sign up") but offers nothing.
FUSED = replace(MODEL, fusion=Fusion(semantic=1.26, rules=0.21, rules_pitch=1.26, bias=-0.11), outgoing_threshold=0.4)
SAME_WORDS = "Sign up for the free trial? I did, and it ran out before I could try anything, ha"
DISGUISED = "P R O M O: 50% off all plans this week only, DM me to order, shop.example/deal"


def test_the_fusion_lets_the_meaning_outvote_a_word_the_rules_fired_on() -> None:
    assert rules_alone_call_it_a_pitch(SAME_WORDS)
    encoder = FakeEncoder({SAME_WORDS: [0.0, 1.0]})  # the model reads chat: 0.02
    result = PitchDetector(LEXICON, FUSED, encoder).assess(SAME_WORDS, "en")
    assert not result.pitch and result.signals[-1].kind == SEMANTIC


def test_a_rules_hit_tips_an_unsure_model_over_the_threshold() -> None:
    encoder = FakeEncoder({SAME_WORDS: [0.0, 0.1]})  # the model alone: 0.40, just short of a pitch
    fused = PitchDetector(LEXICON, FUSED, encoder).assess(SAME_WORDS, "en")
    assert fused.pitch and fused.score > 0.4


def test_certain_rules_evidence_is_a_pitch_whatever_the_model_reads() -> None:
    result = PitchDetector(LEXICON, FUSED, FakeEncoder({DISGUISED: [0.0, 1.0]})).assess(DISGUISED, "en")
    assert result.pitch and result.score >= FUSED.certain_rules


def test_prepare_encodes_a_page_in_one_call_and_assess_then_finds_it_ready() -> None:
    judge, encoder = detector()
    texts = [SELLING, CHATTING, OVERT]
    judge.prepare((text, "en") for text in texts)
    assert encoder.calls == texts
    assert [judge.assess(text, "en").pitch for text in texts] == [True, False, True]
    assert encoder.calls == texts


def test_the_incoming_cascade_encodes_only_the_rules_unsure_middle() -> None:
    encoder = FakeEncoder({SAME_WORDS: [0.0, 1.0]})
    incoming = PitchDetector.incoming(LEXICON, FUSED, encoder)
    incoming.prepare([(CHATTING, "en"), (DISGUISED, "en"), (SAME_WORDS, "en")])
    assert encoder.calls == [SAME_WORDS]  # chat is below `incoming_unsure_from`, the disguise is certain
    assert incoming.assess(DISGUISED, "en").pitch and not incoming.assess(SAME_WORDS, "en").pitch


def test_the_incoming_threshold_is_stricter_than_the_outgoing_one() -> None:
    encoder = FakeEncoder({SELLING: [0.15, 0.0]})  # the model alone: 0.65
    assert PitchDetector(LEXICON, FUSED, encoder).assess(SELLING, "en").pitch
    assert not PitchDetector.incoming(LEXICON, replace(FUSED, incoming_unsure_from=0.0), encoder).assess(SELLING).pitch


def rules_alone_call_it_a_pitch(text: str) -> bool:
    return PitchDetector(LEXICON).assess(text).pitch


def replace_name(encoder: FakeEncoder, name: str) -> FakeEncoder:
    encoder.name = name
    return encoder


def _contact(stage: Stage) -> Contact:
    return Contact(id=1, account="demo", handle="ana@social.example", stage=stage)


def test_the_encoder_reads_the_start_of_a_huge_text_without_control_characters() -> None:
    from bot.domain.pitch_semantic import ENCODED_CHARACTERS, readable

    assert readable("hola\x1b[31m qué\u200b tal\u202e\n") == "hola[31m qué tal\n"
    assert len(readable("x" * 1_000_000)) == ENCODED_CHARACTERS


def test_a_shouted_text_is_read_in_lower_case_and_short_capitals_are_kept() -> None:
    from bot.domain.pitch_semantic import readable

    assert readable("PLEASE CHECK OUT MY NEW CHANNEL!!") == "please check out my new channel!!"
    assert readable("FYI the NYC meetup moved") == "FYI the NYC meetup moved"
    assert readable("OK") == "OK"
