"""The semantic model consulting its labelled examples, through fakes of the encoder and the examples."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.domain.pitch import load_lexicon
from bot.domain.pitch_semantic import NEIGHBOURS, SEMANTIC, Fusion, PitchDetector, SemanticModel

LEXICON = load_lexicon()
# The linear model alone is unsure of everything (probability 0.5); the neighbours' share decides.
MODEL = SemanticModel(
    encoder="fake", weights=(0.0, 0.0), bias=0.0, outgoing_threshold=0.5, incoming_threshold=0.8,
    fusion=Fusion(semantic=1.0, neighbours=6.0, bias=-3.0), neighbours_k=10,
)
CONGRATS = "Congrats on the new office! That mural wall is so you"
OFFER = "Congrats on the new office! We fit out offices like it, happy to send our portfolio"


class FakeEncoder:
    name = "fake"

    def encode(self, texts):  # noqa: ANN001, ANN201
        return [[1.0, 0.0] if text == OFFER else [0.0, 1.0] for text in texts]


class FakeNeighbours:
    """Vectors whose first coordinate is set sit among pitches; the others among chat."""

    encoder = "fake"
    k = 10

    def __init__(self) -> None:
        self.calls: list[int] = []

    def pitch_share(self, vectors):  # noqa: ANN001, ANN201
        self.calls.append(len(vectors))
        return [0.9 if vector[0] else 0.1 for vector in vectors]


def detector(neighbours: FakeNeighbours | None = None) -> PitchDetector:
    return PitchDetector(LEXICON, MODEL, FakeEncoder(), neighbours=neighbours or FakeNeighbours())


def test_a_text_among_pitches_is_a_pitch_and_the_share_is_shown_beside_the_model_score() -> None:
    result = detector().assess(OFFER, "en")
    assert result.pitch
    assert [s.kind for s in result.signals[:2]] == [SEMANTIC, NEIGHBOURS]
    assert result.signals[1].text == "90% of the nearest examples are pitches"


def test_a_text_among_ordinary_talk_stays_ordinary() -> None:
    result = detector().assess(CONGRATS, "en")
    assert not result.pitch and any(s.kind == NEIGHBOURS and s.text.startswith("10%") for s in result.signals)


def test_a_page_asks_the_examples_once() -> None:
    neighbours = FakeNeighbours()
    judge = detector(neighbours)
    judge.prepare([(OFFER, "en"), (CONGRATS, "en")])
    assert neighbours.calls == [2]
    assert [judge.assess(text, "en").pitch for text in (OFFER, CONGRATS)] == [True, False]
    assert neighbours.calls == [2]


def test_a_model_that_reads_examples_refuses_to_run_without_them() -> None:
    with pytest.raises(ValueError, match="labelled examples"):
        PitchDetector(LEXICON, MODEL, FakeEncoder())


def test_examples_counted_with_another_k_or_encoder_are_refused() -> None:
    other_k = FakeNeighbours()
    other_k.k = 5
    with pytest.raises(ValueError, match="do not match"):
        PitchDetector(LEXICON, MODEL, FakeEncoder(), neighbours=other_k)
    other_encoder = FakeNeighbours()
    other_encoder.encoder = "other"
    with pytest.raises(ValueError, match="do not match"):
        PitchDetector(LEXICON, MODEL, FakeEncoder(), neighbours=other_encoder)


def test_a_model_without_examples_needs_none_and_shows_no_share() -> None:
    plain = replace(MODEL, neighbours_k=0, fusion=Fusion())
    result = PitchDetector(LEXICON, plain, FakeEncoder()).assess(CONGRATS, "en")
    assert all(s.kind != NEIGHBOURS for s in result.signals)


def test_without_an_encoder_the_examples_are_never_asked() -> None:
    neighbours = FakeNeighbours()
    PitchDetector(LEXICON, MODEL, None, neighbours=neighbours).assess(OFFER, "en")
    assert neighbours.calls == []


def test_explain_shows_the_nearest_examples_share_beside_the_model_score() -> None:
    from datetime import UTC, datetime

    from bot.domain.contacts import Contact
    from bot.domain.policy import PolicyConfig, Situation, decide
    from bot.domain.stages import Stage

    contact = Contact(id=1, account="demo", handle="ana@social.example", stage=Stage.FIRST_CONTACT)
    situation = Situation(contact=contact, now=datetime(2026, 12, 8, 12, tzinfo=UTC), language="en")
    [allowed] = [r for r in decide(CONGRATS, situation, PolicyConfig(), detector()).results if r.code == "pitch_stage"]
    assert "semantic model 0.50 (10% of the nearest examples are pitches)" in allowed.message
    [blocked] = [r for r in decide(OFFER, situation, PolicyConfig(), detector()).results if r.code == "pitch_stage"]
    assert "neighbours '90% of the nearest examples are pitches'" in blocked.message
