"""Two spellings of one handle share one key; the key is the one migration 0003 stored."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

import bot.store.migrations.versions as versions
from bot.domain.handles import handle_key

SAMPLES = ["Émilie@Rive.example", "@ÉMILIE@rive.example", "E\u0301milie@rive.example", "Straße@x.example",
           "ＡＮＡ@x.example", "ana.bsky.social", "Ǆemal@x.example", "ΣΊΣΥΦΟΣ@x.example"]


def migration_key():  # noqa: ANN201
    path = Path(versions.__path__[0]) / "0003_handle_keys_and_poll_failures.py"
    spec = importlib.util.spec_from_file_location("migration_0003", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module._key


@pytest.mark.parametrize(("a", "b"), [
    ("Émilie@Rive.example", "émilie@rive.example"),
    ("@émilie@rive.example", "ÉMILIE@RIVE.EXAMPLE"),
    ("E\u0301milie@rive.example", "Émilie@rive.example"),  # decomposed and composed accents
    ("Straße@x.example", "STRASSE@x.example"),
    ("ＡＮＡ@x.example", "ana@x.example"),  # fullwidth letters
])
def test_spellings_of_one_handle_share_a_key(a: str, b: str) -> None:
    assert handle_key(a) == handle_key(b)


def test_different_handles_keep_different_keys() -> None:
    assert handle_key("emilie@rive.example") != handle_key("émilie@rive.example")
    assert handle_key("ana@x.example") != handle_key("ana@y.example")


@pytest.mark.parametrize("handle", SAMPLES)
def test_the_key_is_the_one_the_migration_stored(handle: str) -> None:
    assert handle_key(handle) == migration_key()(handle)
