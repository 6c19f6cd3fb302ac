"""The lean loader of the language model, and the model mapped from unpacked files, answer
exactly as py3langid's own loader does; without usable files the model is loaded as before."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from bot import language, model_files

DATA = Path(__file__).resolve().parents[1] / "data"
CORPORA = [DATA / "pitch_es.jsonl", DATA / "pitch_en.jsonl", *sorted((DATA / "interests").glob("*.jsonl"))]


def texts() -> list[str]:
    found = [json.loads(line)["text"] for path in CORPORA for line in path.read_text(encoding="utf-8").splitlines()]
    # Untagged messages in other languages, and the shapes a model walk must survive.
    return [*found, "Ich hatte nach dem Update das gleiche Problem.", "obrigado, muito bom", "moltes gràcies",
            "ok", "", "🙂🙂", "ÉSTO ESTÁ EN MAYÚSCULAS", "日本語のテキストです", "palabra " * 600]


@pytest.fixture(scope="module")
def stock():  # noqa: ANN201
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages([label for label in identifier.labels if len(label) == 2])
    return identifier


@pytest.fixture(scope="module")
def lean():  # noqa: ANN201
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    from bot.language_model import load_two_letter_identifier

    return load_two_letter_identifier(MODEL_DIR / MODEL_FILE)


@pytest.fixture()
def cache(tmp_path: Path) -> Iterator[Path]:
    """A cache folder of its own, and `language`'s identifier loaded afresh, before and after."""
    (tmp_path / "data").mkdir()
    model_files.use_folder(tmp_path / "data" / "cache" / "models")
    language._identifier.cache_clear()
    yield tmp_path / "data" / "cache" / "models"
    model_files.use_folder(None)
    language._identifier.cache_clear()


def _is_mapped(identifier) -> bool:  # noqa: ANN001
    return isinstance(identifier.tk_nextmove, memoryview) and isinstance(identifier.nb_ptc, np.memmap)


def test_the_lean_model_knows_the_same_two_letter_languages(stock, lean) -> None:  # noqa: ANN001
    assert lean.labels == stock.labels and all(len(label) == 2 for label in lean.labels)


def test_the_lean_model_ranks_every_corpus_text_exactly_as_py3langid_does(stock, lean) -> None:  # noqa: ANN001
    corpus = texts()
    assert len(corpus) > 500
    differing = [text for text in corpus if lean.rank(text) != stock.rank(text)]
    assert differing == []


def test_the_mapped_model_ranks_every_corpus_text_exactly_as_py3langid_does(cache: Path, stock) -> None:  # noqa: ANN001
    built = language._identifier()  # first use: unpacks, then maps the files
    language._identifier.cache_clear()
    again = language._identifier()  # a later start: maps the files only
    assert built is not again and _is_mapped(built) and _is_mapped(again)
    assert len(list(cache.iterdir())) == 1
    assert built.labels == stock.labels
    corpus = texts()
    differing = [text for text in corpus if built.rank(text) != stock.rank(text) or again.rank(text) != built.rank(text)]
    assert differing == []


def test_without_a_cache_folder_the_model_is_loaded_into_memory(cache: Path, stock) -> None:  # noqa: ANN001
    model_files.use_folder(None)
    identifier = language._identifier()
    assert not _is_mapped(identifier) and not cache.exists()
    assert all(identifier.rank(text) == stock.rank(text) for text in texts()[:50])


@pytest.mark.parametrize("damage", [
    lambda folder: (folder / "moves.npy").write_bytes(b"\x93NUMPY truncated"),
    lambda folder: (folder / "weights.npy").write_bytes((folder / "weights.npy").read_bytes()[:4096]),
    lambda folder: (folder / "labels.json").write_text('["es"]', encoding="utf-8"),
    lambda folder: (folder / "rows.npy").unlink(),
], ids=["bad-header", "truncated", "labels-not-fitting", "missing"])
def test_damaged_unpacked_files_fall_back_to_the_model_in_memory(
    cache: Path, stock, damage, caplog: pytest.LogCaptureFixture,  # noqa: ANN001
) -> None:
    language._identifier()
    language._identifier.cache_clear()
    (folder,) = cache.iterdir()
    damage(folder)
    with caplog.at_level(logging.WARNING, logger="bot.language"):
        identifier = language._identifier()
    assert "loading it into memory instead" in caplog.text
    assert not _is_mapped(identifier)
    assert all(identifier.rank(text) == stock.rank(text) for text in texts()[:50])
