"""The drafting evaluation's checks (`benchmarks/_draft_checks.py`) and its scenarios: a check that
cannot tell a good draft from a bad one, or a mislabelled scenario, would make its figures lie."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
SCENARIOS = PROJECT / "benchmarks" / "data" / "draft_scenarios"
sys.path.insert(0, str(PROJECT / "benchmarks"))

import _draft_checks as checks  # noqa: E402


def _scenario(**labels: object) -> dict[str, object]:
    base = {"subject_words": ["maratón"], "needs_answer": False, "answer_from_about": None}
    return {"id": "t", "language": "es", "tone": "neutral", "about": None, "labels": {**base, **labels}}


def _score(scenario: dict[str, object], text: str | None, *, guessed: str = "es", pitch: bool = False) -> dict:
    return checks.score(scenario, text, guess=lambda _: guessed, is_pitch=lambda _text, _lang: pitch)


@pytest.mark.parametrize("text", ["Claro: [tu respuesta: club de ciclismo en Zaragoza]",
                                  "Sure! [Your answer: reading list]", "[YOUR ANSWER : slides]"])
def test_a_slot_in_either_language_is_found(text: str) -> None:
    assert checks.has_slot(text)


@pytest.mark.parametrize("text", ["See [1] for details", "Mi respuesta: el lunes", "[answer: yes]"])
def test_brackets_and_colons_that_are_no_slot_are_not_taken_for_one(text: str) -> None:
    assert not checks.has_slot(text)


@pytest.mark.parametrize("text", [
    "Good question. Let me think it through and get back to you.", "I'm curious too. What's your take?",
    "Uf, buena pregunta. Lo miro y te digo algo.", "Me interesa lo que planteas. ¿Tú cómo lo ves?",
])
def test_answers_promised_for_later_or_handed_back_are_deflections(text: str) -> None:
    assert checks.deflection(text) is not None


@pytest.mark.parametrize("text", ["We use Dovetail to tag interview notes.",
                                  "Las diapositivas están aquí: https://example.org/charla"])
def test_a_direct_answer_is_no_deflection(text: str) -> None:
    assert checks.deflection(text) is None


def test_cheer_is_found_without_its_accents_and_sympathy_is_not_cheer() -> None:
    assert checks.cheer("¡Qué bien lo del bulto!") and checks.cheer("Great news about the agency!")
    assert checks.cheer("Lo siento mucho, Fernando. Un abrazo.") is None
    assert checks.cheer("I'm so sorry about your grandmother.") is None


def test_a_label_word_matches_the_start_of_a_word_accents_and_case_aside() -> None:
    assert checks.mentions_any("¿Qué tal la MARATON?", ["maratón"])
    assert checks.mentions_any("on negotiating salaries", ["negotiat"])
    assert not checks.mentions_any("the remaking of it", ["making"])


def test_a_short_label_word_must_be_the_whole_word() -> None:
    assert not checks.mentions_any("Good question", ["go"])
    assert checks.mentions_any("We hire Go engineers", ["go"])


def test_a_fact_is_given_by_its_link_or_by_most_of_its_words() -> None:
    fact = {"text": "Mi lista de lecturas sobre liderazgo de equipos", "url": "https://example.org/lecturas"}
    assert checks.answers_from("Aquí la tienes: https://example.org/lecturas", fact)
    assert checks.answers_from("Es mi lista de lecturas sobre liderazgo.", fact)
    assert not checks.answers_from("Tengo una lista de la compra.", fact)


def test_a_question_passes_with_its_fact_or_a_slot_and_fails_with_neither() -> None:
    about = {"work": [{"text": "Nuestra oficina está en Valencia, en Ruzafa"}]}
    scenario = {**_scenario(needs_answer=True, answer_from_about="work.0"), "about": about}
    assert _score(scenario, "La oficina está en Valencia, en Ruzafa.")["answered_or_slotted"]
    assert _score(scenario, "Pues [tu respuesta: oficina]")["answered_or_slotted"]
    assert not _score(scenario, "Buena pregunta, te digo algo.")["answered_or_slotted"]
    assert not _score(scenario, "Pues [tu respuesta: oficina]")["answered_from_about"]


def test_no_draft_misses_every_check_that_applies_and_none_that_does_not() -> None:
    result = _score(_scenario(), None)
    assert result["drafted"] is False and result["subject"] is False and result["no_deflection"] is False
    assert result["answered_or_slotted"] is None and result["tone"] is None and result["due_thread_used"] is None


def test_tone_is_checked_on_bad_news_only() -> None:
    sad = {**_scenario(), "tone": "sad"}
    assert _score(sad, "¡Qué bien lo de la maratón!")["tone"] is False
    assert _score(sad, "Lo siento mucho por la maratón.")["tone"] is True
    assert _score(_scenario(), "¡Qué bien lo de la maratón!")["tone"] is None


def test_language_and_pitch_come_from_the_given_judges() -> None:
    assert _score(_scenario(), "Hola, ¿qué tal la maratón?", guessed="pt")["language"] is False
    assert _score(_scenario(), "Hola, ¿qué tal la maratón?", pitch=True)["not_pitch"] is False


def _rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (SCENARIOS / name).read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("language", ["es", "en"])
def test_each_language_has_sixty_labelled_scenarios_of_every_class(language: str) -> None:
    rows = _rows(f"{language}.jsonl")
    assert len(rows) == 60 and len({row["id"] for row in rows}) == 60
    classes = Counter(row["class"] for row in rows)
    assert set(classes) == {"question", "request", "news", "opinion", "thanks", "compliment", "complaint", "greeting"}
    assert {row["tone"] for row in rows if row["class"] == "news"} == {"happy", "sad", "worried"}
    assert sum(bool(row.get("cw")) for row in rows) >= 3
    assert sum(bool(row["labels"].get("due_thread")) for row in rows) >= 3


@pytest.mark.parametrize("language", ["es", "en"])
def test_every_question_and_request_names_the_fact_that_answers_it_or_none(language: str) -> None:
    asked = [row for row in _rows(f"{language}.jsonl") if row["class"] in {"question", "request"}]
    assert all(row["labels"]["needs_answer"] for row in asked)
    answered = [row for row in asked if row["labels"]["answer_from_about"]]
    assert answered and len(answered) < len(asked)  # some are answerable from `about`, some need a slot
    for row in answered:
        assert checks.about_fact(row["about"], row["labels"]["answer_from_about"])["text"]


def test_every_sequence_holds_two_messages_and_the_words_of_its_follow_up() -> None:
    rows = _rows("sequences.jsonl")
    assert {row["language"] for row in rows} == {"es", "en"}
    for row in rows:
        assert len(row["messages"]) == 2 and row["follow_up_words"] and row["memory"]
