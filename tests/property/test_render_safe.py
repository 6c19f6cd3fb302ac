"""Other people's text on the terminal, under hostile input: `safe` lets nothing executable
through (no escape sequence, no C0 or C1 control, no bidi control), never makes the terminal
fail to print (no lone surrogate), and leaves ordinary text in any script as it was."""

from __future__ import annotations

import io
import re

from hypothesis import given, strategies as st
from rich.console import Console

from bot.cli.render import safe, safe_text
from tests.property.hostile import BIDI_CONTROLS, any_text, budget, hostile_text, plain_text

# Everything a terminal may act on: C0 but tab and newline, DEL, C1 (8-bit CSI, OSC, ST among
# them), the bidi controls, and the line and paragraph separators.
_ACTIONABLE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI_CONTROLS}\u2028\u2029]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

texts = st.one_of(hostile_text(16), any_text(16, huge_one_in=50), st.builds(safe, hostile_text(16)))


@budget(800)
@given(text=texts, single_line=st.booleans())
def test_nothing_a_terminal_acts_on_gets_through(text: str, single_line: bool) -> None:
    shown = safe(text, single_line=single_line)
    assert not _ACTIONABLE.search(shown), repr(_ACTIONABLE.search(shown))
    assert not _LONE_SURROGATE.search(shown)
    shown.encode("utf-8")  # a terminal (or a pipe) in UTF-8 can print it
    if single_line:
        assert "\n" not in shown and "\t" not in shown and shown == shown.strip()


@budget(400)
@given(text=hostile_text(16))
def test_cleaning_twice_changes_nothing_more(text: str) -> None:
    once = safe(text)
    assert safe(once) == once


@budget(300)
@given(text=plain_text)
def test_ordinary_text_in_any_script_is_shown_as_written(text: str) -> None:
    assert safe(text) == text


@budget(200)
@given(text=hostile_text(16))
def test_a_colour_terminal_receives_no_escape_sequence_from_the_text(text: str) -> None:
    out = io.StringIO()
    Console(file=out, force_terminal=True, color_system="truecolor", width=80).print(safe_text(text))
    assert "\x1b" not in out.getvalue() and "\x9b" not in out.getvalue()
