"""Language guessing for messages the platform did not tag."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.language import guess_language

LABELLED = Path(__file__).resolve().parents[1] / "data"


@pytest.mark.parametrize(("text", "language"), [
    ("I had the same problem after the update, a reboot fixed it for me.", "en"),
    ("Me pasó lo mismo después de actualizar, reiniciando se arregló.", "es"),
    ("Ich hatte nach dem Update das gleiche Problem.", "de"),
    ("J'ai eu le même problème après la mise à jour.", "fr"),
    ("Tive o mesmo problema depois da atualização.", "pt"),
])
def test_a_sentence_gets_its_language(text: str, language: str) -> None:
    assert guess_language(text) == language


@pytest.mark.parametrize(("text", "language"), [
    ("thanks!", "en"),
    ("thank you so much", "en"),
    ("¡muchas gracias!", "es"),
    ("qué bonito", "es"),
])
def test_function_words_settle_very_short_spanish_and_english(text: str, language: str) -> None:
    assert guess_language(text) == language


@pytest.mark.parametrize(("text", "language"), [
    ("obrigado, muito bom", "pt"),
    ("che bello, mi piace", "it"),
    ("moltes gràcies", "ca"),
])
def test_short_neighbouring_languages_are_not_pulled_to_spanish(text: str, language: str) -> None:
    assert guess_language(text) == language


@pytest.mark.parametrize(
    "text", ["", "ok", "🎉🎉🎉", "https://example.com/x @ana@example.social #fediverse"]
)
def test_too_little_text_gives_no_language(text: str) -> None:
    assert guess_language(text) is None


def test_links_mentions_and_hashtags_do_not_sway_the_guess() -> None:
    text = (
        "@someone@example.social me encanta, gracias por compartirlo "
        "https://example.com/en/english-page #TheBestThing"
    )
    assert guess_language(text) == "es"


def test_the_guess_is_deterministic() -> None:
    text = "Qué buena foto, ¿dónde la sacaste?"
    assert len({guess_language(text) for _ in range(5)}) == 1


def test_the_answer_is_a_two_letter_code() -> None:
    texts = ["Dziękuję bardzo!", "Спасибо большое", "ありがとう"]
    assert all(len(guess_language(text) or "xx") == 2 for text in texts)


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_labelled_pitch_sets_are_recognised(language: str) -> None:
    with (LABELLED / f"pitch_{language}.jsonl").open(encoding="utf-8") as handle:
        texts = [json.loads(line)["text"] for line in handle if line.strip()]
    right = sum(guess_language(text) == language for text in texts)
    assert right / len(texts) >= 0.97
