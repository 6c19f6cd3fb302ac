"""The word model behind the pitch rules, and how rules and model together score on the labelled
sets (own rows with odd ids are in the model's training split)."""

from __future__ import annotations

import dataclasses
import fnmatch
import json
import re
import tomllib
from pathlib import Path

import pytest

from bot.domain.pitch import (
    PitchLexicon, PitchModel, Signal, classify, combined_score, load_lexicon, model_features,
    model_probability, model_weight, rule_evidence,
)

LEXICON = load_lexicon()
# The rules alone, for tests that pin what a rule does whatever the trained model adds.
RULES_ONLY = dataclasses.replace(LEXICON, model=None)
PROJECT = Path(__file__).resolve().parents[3]
LABELLED = Path(__file__).resolve().parents[2] / "data"
LANGUAGES = ("en", "es")


# --- the word model -----------------------------------------------------------------------------


def _with_model(weights: dict[str, float]) -> PitchLexicon:
    """The rules plus a hand-made model: a message with none of its words has probability 0.12,
    and the model alone calls a pitch from 0.7."""
    model = PitchModel(weights=weights, bias=-2.0, threshold=0.7, floor=0.15)
    return dataclasses.replace(RULES_ONLY, model=model)


def test_the_packaged_word_model_is_loaded() -> None:
    model = LEXICON.model
    assert model is not None
    assert len(model.weights) >= 1000
    assert 0.0 < model.threshold < 1.0
    assert 0.0 < model.floor < LEXICON.threshold


def test_the_packaged_word_model_is_part_of_the_installed_package() -> None:
    """Without it a wheel (the container's install) would run on the rules alone, silently."""
    pyproject = tomllib.loads((PROJECT / "pyproject.toml").read_text("utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["bot"]
    assert any(fnmatch.fnmatch("domain/data/pitch_model.json", pattern) for pattern in patterns)


def test_model_evidence_alone_can_make_a_pitch() -> None:
    result = classify("zorblax zorblax!", _with_model({"zorblax": 4.0}))
    assert result.pitch
    assert result.signals == (Signal("model", "zorblax"),)


def test_weak_model_evidence_adds_to_a_rule_signal_that_is_not_enough_alone() -> None:
    lexicon = _with_model({"zorblax": 1.9})
    assert not classify("zorblax", lexicon).pitch
    assert not classify("The ticket was 50 euros", lexicon).pitch
    result = classify("Zorblax, the ticket was 50 euros", lexicon)
    assert result.pitch
    assert {signal.kind for signal in result.signals} == {"price", "model"}


def test_model_evidence_under_its_floor_is_ignored() -> None:
    result = classify("zorblax, the ticket was 50 euros", _with_model({"zorblax": 0.5}))
    assert result == classify("zorblax, the ticket was 50 euros", RULES_ONLY)


def test_words_a_rule_has_matched_do_not_count_again_for_the_model() -> None:
    result = classify("Subscribe to the newsletter", _with_model({"subscribe": 4.0}))
    assert not result.pitch
    assert [signal.kind for signal in result.signals] == ["subscription"]


@pytest.mark.parametrize("text", [
    "Zorblax, the ticket was 50 euros",
    "zorblax zorblax! DM me for rates",
    "Subscribe to the newsletter",
    "Nada que ver, solo quería saludarte",
])
def test_the_parts_the_trainer_reuses_add_up_to_what_classify_says(text: str) -> None:
    """The training script chooses the model's threshold from these parts without calling
    `classify`; they must give the very same score."""
    lexicon = _with_model({"zorblax": 1.9})
    assert lexicon.model is not None
    evidence = rule_evidence(text, lexicon)
    weight = model_weight(model_probability(evidence.unexplained, lexicon.model), lexicon.model, lexicon.threshold)
    assert combined_score(evidence, weight) == classify(text, lexicon).score


@pytest.mark.parametrize("text", [
    "Your garden is looking amazing this year.",
    "Tu jardín está precioso este año.",
])
def test_a_text_with_neither_rule_nor_model_evidence_is_not_a_pitch(text: str) -> None:
    result = classify(text, LEXICON)
    assert (result.pitch, result.score, result.signals) == (False, 0.0, ())
    # Words the model does not know are no evidence either way.
    assert classify(text, _with_model({"zorblax": 4.0})).signals == ()


def test_the_word_model_never_reads_links_or_amounts() -> None:
    features = model_features("See https://shop.example.com/buy-now for $49 now", LEXICON)
    assert features == ["see", "now", "see for", "for now"]


@pytest.mark.parametrize(("text", "expected"), [
    ("Déjame pensarlo y te contesto", ["dejame", "pensarlo", "contesto", "dejame pensarlo", "pensarlo y", "te contesto"]),
    ("if you want it", ["want", "you want", "want it"]),
])
def test_function_words_alone_are_no_feature(text: str, expected: list[str]) -> None:
    """Who is addressed ("te", "if you") is no evidence; what is said to them may be."""
    assert model_features(text, LEXICON) == expected


@pytest.mark.parametrize("text", [
    "Hi guys, I make beats, please give me a chance and follow",
    "Hey everyone, I just started making videos, it would mean the world if you gave me a chance",
])
def test_the_packaged_model_catches_an_ask_for_attention_no_rule_names(text: str) -> None:
    result = classify(text, LEXICON)
    assert not classify(text, RULES_ONLY).signals
    assert result.pitch
    assert [signal.kind for signal in result.signals] == ["model"]


# --- quality on the labelled sets ---------------------------------------------------------------


def _labelled(language: str) -> list[dict]:
    with (LABELLED / f"pitch_{language}.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _recall_and_fpr(rows: list[dict]) -> tuple[float, float]:
    predicted = [(classify(row["text"], LEXICON, row["id"][:2]).pitch, row["pitch"]) for row in rows]
    pitches = sum(truth for _, truth in predicted)
    caught = sum(guess and truth for guess, truth in predicted)
    false_alarms = sum(guess and not truth for guess, truth in predicted)
    return caught / pitches, false_alarms / (len(rows) - pitches)


@pytest.mark.parametrize("language", LANGUAGES)
def test_labelled_set_is_well_formed(language: str) -> None:
    rows = _labelled(language)
    assert len(rows) >= 160
    assert len({row["id"] for row in rows}) == len(rows)
    assert all(re.fullmatch(rf"{language}-\d{{3}}", row["id"]) for row in rows)
    assert all(row["pitch"] == (row["kind"] in {"overt", "subtle", "evasive"}) for row in rows)
    assert {row["kind"] for row in rows} == {"overt", "subtle", "evasive", "genuine", "hard_negative"}
    assert 0.30 <= sum(row["pitch"] for row in rows) / len(rows) <= 0.40


@pytest.mark.parametrize("language", LANGUAGES)
def test_labelled_set_false_positive_rate_is_at_most_3_percent(language: str) -> None:
    _, fpr = _recall_and_fpr(_labelled(language))
    assert fpr <= 0.03


@pytest.mark.parametrize("language", LANGUAGES)
def test_labelled_set_recall_is_at_least_90_percent(language: str) -> None:
    recall, _ = _recall_and_fpr(_labelled(language))
    assert recall >= 0.90


@pytest.mark.parametrize("language", LANGUAGES)
def test_labelled_set_recall_does_not_fall_below_its_measured_level(language: str) -> None:
    """A ratchet above the 0.90 target: raise it when recall improves."""
    recall, _ = _recall_and_fpr(_labelled(language))
    assert recall >= 0.92


# --- the blind batches --------------------------------------------------------------------------

BLIND = sorted(LABELLED.glob("pitch_*_blind*.jsonl"))
PITCH_KINDS = {"overt", "subtle", "evasive", "engagement"}


def _batch(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def test_there_are_blind_batches_in_both_languages() -> None:
    assert {path.name.split("_")[1] for path in BLIND} == set(LANGUAGES)


@pytest.mark.parametrize("path", BLIND, ids=lambda path: path.stem)
def test_a_blind_batch_is_well_formed(path: Path) -> None:
    rows = _batch(path)
    assert len(rows) == 60
    assert len({row["id"] for row in rows}) == len(rows)
    assert all(row["pitch"] == (row["kind"] in PITCH_KINDS) for row in rows)
    assert sum(row["pitch"] for row in rows) == 30


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_blind_batches_have_at_most_3_percent_false_positives(language: str) -> None:
    """The target is per language; one batch's 30 negatives alone cannot tell 0.03 from 0."""
    rows = [row for path in BLIND if f"_{language}_" in path.name for row in _batch(path)]
    _, fpr = _recall_and_fpr(rows)
    assert fpr <= 0.03


TUNED = [path for path in BLIND if path.stem.endswith(("blind1", "blind2"))]


@pytest.mark.parametrize("path", TUNED, ids=lambda p: p.stem)
def test_a_batch_the_rules_were_tuned_on_keeps_its_recall(path: Path) -> None:
    """A ratchet on batches 1 and 2, which were tuned on after their first measurement. Later
    batches are untouched measurements (README, "Evaluation"): no test may pull towards them."""
    recall, _ = _recall_and_fpr(_batch(path))
    assert recall >= 0.80


def _benchmarks() -> object:
    import sys

    sys.path.insert(0, str(PROJECT / "benchmarks"))
    import pitch_eval

    return pitch_eval


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_word_model_never_trains_on_an_untouched_blind_batch(language: str) -> None:
    """The model learns from the first set, the training corpus and only the batches the rules
    were tuned on (1 and 2); batch 3 onwards stay unseen, so their measurement stays honest."""
    pitch_eval = _benchmarks()
    assert set(pitch_eval.TRAINED_BATCHES) == {1, 2}
    trained = {example.text for _, example in pitch_eval.own(language)}
    trained |= {example.text for example in pitch_eval.training_corpus(language)}
    untouched = {
        row["text"] for path in BLIND if f"_{language}_" in path.name
        and int(path.stem.rsplit("blind", 1)[1]) not in pitch_eval.TRAINED_BATCHES
        for row in _batch(path)
    }
    assert trained and untouched and not trained & untouched


CORPUS = sorted(LABELLED.glob("pitch_*_train.jsonl"))


@pytest.mark.parametrize("path", CORPUS, ids=lambda path: path.stem)
def test_the_training_corpus_is_well_formed(path: Path) -> None:
    rows = _batch(path)
    language = path.stem.split("_")[1]
    assert len(rows) >= 1400
    assert all(re.fullmatch(rf"{language}t-\d{{4}}", row["id"]) for row in rows)
    assert len({row["id"] for row in rows}) == len({row["text"] for row in rows}) == len(rows)
    assert all(row["pitch"] == (row["kind"] in PITCH_KINDS) for row in rows)
    assert 0.45 <= sum(row["pitch"] for row in rows) / len(rows) <= 0.55


def test_there_is_a_training_corpus_in_both_languages() -> None:
    assert {path.name.split("_")[1] for path in CORPUS} == set(LANGUAGES)
