"""The lean loader of the language model answers exactly as py3langid's own loader does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"
CORPORA = [DATA / "pitch_es.jsonl", DATA / "pitch_en.jsonl", *sorted((DATA / "interests").glob("*.jsonl"))]


def texts() -> list[str]:
    found = [json.loads(line)["text"] for path in CORPORA for line in path.read_text(encoding="utf-8").splitlines()]
    # Untagged messages in other languages, and the shapes a model walk must survive.
    return [*found, "Ich hatte nach dem Update das gleiche Problem.", "obrigado, muito bom", "moltes gràcies",
            "ok", "", "🙂🙂", "ÉSTO ESTÁ EN MAYÚSCULAS", "日本語のテキストです"]


@pytest.fixture(scope="module")
def identifiers():  # noqa: ANN201
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    from bot.language_model import load_two_letter_identifier

    stock = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    stock.set_languages([label for label in stock.labels if len(label) == 2])
    return stock, load_two_letter_identifier(MODEL_DIR / MODEL_FILE)


def test_the_lean_model_knows_the_same_two_letter_languages(identifiers) -> None:  # noqa: ANN001
    stock, lean = identifiers
    assert lean.labels == stock.labels and all(len(label) == 2 for label in lean.labels)


def test_the_lean_model_ranks_every_corpus_text_exactly_as_py3langid_does(identifiers) -> None:  # noqa: ANN001
    stock, lean = identifiers
    corpus = texts()
    assert len(corpus) > 500
    differing = [text for text in corpus if lean.rank(text) != stock.rank(text)]
    assert differing == []
