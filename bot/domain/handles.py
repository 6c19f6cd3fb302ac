"""How two spellings of one handle are recognised as the same person."""

from __future__ import annotations

import unicodedata


def handle_key(handle: str) -> str:
    """The form handles are compared in: "@Émilie@Example.org" and "émilie@example.org" agree.

    Case folding, not `lower()`: it is defined for every script (SQLite's `lower()` folds ASCII
    only, so "Émilie" never matched there), and it maps "ß" to "ss" as a person typing may.
    NFKC first, so a fullwidth or composed spelling of the same letters folds alike. Migration
    0003 filled the stored keys with this same expression: change one, change both.
    """
    return unicodedata.normalize("NFKC", handle.removeprefix("@")).casefold()
