"""Control characters in text a person approves.

The terminal shows text cleaned of escapes and bidi overrides (bot/cli/render.py), so a reply
holding them would be posted differently from what the person read and approved: an ESC or a
BEL goes out invisibly, an override reverses what readers see. Such text is refused, never
silently cleaned, so that what is approved is exactly what is posted.
"""

from __future__ import annotations

import unicodedata

_ALLOWED = {"\n", "\t"}
# Embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069); the plain LRM/RLM marks
# that right-to-left writing needs stay allowed.
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
_NAMES = {"\x00": "NUL", "\x07": "BEL", "\x08": "BACKSPACE", "\x0d": "CARRIAGE RETURN", "\x1b": "ESC",
          "\x7f": "DELETE", "\x9b": "CSI"}


def control_character(text: str) -> str | None:
    """Where the first forbidden character is, e.g. "U+001B ESC at line 1, column 6", or None."""
    text = text.replace("\r\n", "\n")  # a Windows line ending is a line ending
    for index, char in enumerate(text):
        if char in _ALLOWED:
            continue
        if unicodedata.category(char) == "Cc" or char in _BIDI:
            line = text.count("\n", 0, index) + 1
            column = index - (text.rfind("\n", 0, index) + 1) + 1
            name = _NAMES.get(char) or unicodedata.name(char, "control character")
            return f"U+{ord(char):04X} {name} at line {line}, column {column}"
    return None
