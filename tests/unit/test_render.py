"""Other people's words reach the terminal without escapes, controls, bidi tricks or markup."""

from __future__ import annotations

import io
import json
import re

import pytest
from rich.console import Console

from bot.cli.render import json_text, safe, safe_text

ESC = "\x1b"
BEL = "\x07"
ST = ESC + "\\"


def rendered(*renderables: object) -> str:
    console = Console(record=True, width=100, file=io.StringIO(), color_system=None)
    for item in renderables:
        console.print(item)
    return console.export_text()


@pytest.mark.parametrize(
    "text, expected",
    [
        (f"{ESC}[31mred{ESC}[0m", "red"),
        (f"{ESC}[1;38;5;196mbold{ESC}[m text", "bold text"),
        (f"{ESC}[38;2;255;0;0mtruecolour{ESC}[39m", "truecolour"),
        (f"a{ESC}[2Jb{ESC}[Hc", "abc"),  # clear screen, cursor home
        (f"x{ESC}[1A{ESC}[2Ky", "xy"),  # cursor up, erase line: rewrite what was shown
        ("\x9b31mred", "red"),  # 8-bit CSI
    ],
    ids=["colour", "bold_256", "truecolour", "clear_screen", "cursor_up", "csi_8bit"],
)
def test_csi_sequences_are_removed(text: str, expected: str):
    assert safe(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        (f"{ESC}]0;pwned title{BEL}hello", "hello"),
        (f"{ESC}]2;pwned title{ST}hello", "hello"),
        (f"{ESC}]8;;https://evil.example{ST}click me{ESC}]8;;{ST}", "click me"),
        (f"{ESC}]52;c;ZWNobyBwd25lZA=={BEL}copy", "copy"),  # write to the clipboard
        (f"{ESC}P+q544e{ST}dcs", "dcs"),
    ],
    ids=["title_bel", "title_st", "hyperlink", "clipboard", "dcs"],
)
def test_osc_and_string_sequences_are_removed_with_their_payload(text: str, expected: str):
    assert safe(text) == expected


def test_c0_controls_are_removed_but_newline_and_tab_kept():
    text = "a\x00b\x07c\x08d\x0be\x0cf\rg\x1bh\x7fi\n\tj"
    assert safe(text) == "abcdefghi\n\tj"


def test_carriage_return_cannot_overwrite_what_was_shown():
    assert safe("harmless\rEVIL") == "harmlessEVIL"


@pytest.mark.parametrize("control", ["\x80", "\x85", "\x8d", "\x9c", "\x9f"])
def test_c1_controls_are_removed(control: str):
    assert safe(f"a{control}b") == "ab"


@pytest.mark.parametrize(
    "mark",
    ["\u202e", "\u202d", "\u202a", "\u202b", "\u202c", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f"],
    ids=["RLO", "LRO", "LRE", "RLE", "PDF", "LRI", "RLI", "FSI", "PDI", "LRM", "RLM"],
)
def test_bidi_controls_are_removed(mark: str):
    assert safe(f"pay{mark}lanigiro") == "paylanigiro"


def test_right_to_left_override_cannot_disguise_a_file_name():
    assert safe("invoice\u202egpj.exe") == "invoicegpj.exe"


def test_line_and_paragraph_separators_are_removed():
    assert safe("a\u2028b\u2029c") == "abc"


def test_newlines_and_tabs_are_kept_by_default():
    assert safe("Hola,\n\n\tsegunda línea") == "Hola,\n\n\tsegunda línea"


def test_single_line_collapses_all_whitespace_to_single_spaces():
    assert safe("  Hola,\n\n\tsegunda   línea \n", single_line=True) == "Hola, segunda línea"


def test_ordinary_text_in_any_script_is_unchanged():
    text = "¿Qué tal? 👋🏽 Ñandú — 你好 — مرحبا — Привет"
    assert safe(text) == text


def test_none_becomes_empty_text():
    assert safe(None) == ""


def test_non_text_values_are_shown_as_text():
    assert safe(42) == "42"
    assert safe(ValueError("bad \x1b[31mthing")) == "bad thing"


def test_safe_keeps_the_number_zero():
    assert safe(0) == "0"


def test_rich_markup_in_safe_text_is_shown_literally():
    output = rendered(safe_text("[bold red]x[/] and [link=https://evil.example]click[/link]"))
    assert output.strip() == "[bold red]x[/] and [link=https://evil.example]click[/link]"


def test_safe_text_has_no_styled_spans_from_the_content():
    text = safe_text("[bold red]x[/]", style="dim")
    assert text.plain == "[bold red]x[/]"
    assert text.spans == []
    assert str(text.style) == "dim"


def test_safe_text_strips_escapes_before_rendering():
    output = rendered(safe_text(f"{ESC}[31m[red]warn[/red]{ESC}[0m\u202e!"))
    assert output.strip() == "[red]warn[/red]!"
    assert ESC not in output


def test_safe_text_single_line_joins_lines():
    assert safe_text("one\ntwo", single_line=True).plain == "one two"


def test_the_arabic_letter_mark_is_removed_like_the_other_bidi_marks():
    assert safe("pay\u061clanigiro") == "paylanigiro"


def test_a_lone_surrogate_is_shown_as_a_replacement_character_so_printing_never_fails():
    shown = safe("ana\udcff@x \ud83d")  # argv bytes that are not UTF-8 arrive as lone surrogates
    assert shown == "ana\ufffd@x \ufffd"
    shown.encode("utf-8")


TERMINAL_CONTROLS = "\x7f\x85\x9b31m\x9d0;title\x07\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029"


@pytest.mark.parametrize("indent", [None, 2])
def test_json_text_escapes_what_a_terminal_acts_on_and_loads_back_to_the_same_data(indent: int | None):
    data = {"text": f"¡Hola {ESC}[2J {TERMINAL_CONTROLS} fin!", "list": [TERMINAL_CONTROLS, 1, None]}
    text = json_text(data, indent=indent)
    assert json.loads(text) == data
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]", text)
    assert "\\u009b31m" in text and "\\u202e" in text and "\\u001b[2J" in text


def test_json_text_keeps_readable_text_and_the_layout_of_json_dumps():
    data = [{"handle": "Émilie@rive.example", "text": "¿Qué tal? 😀 \\ \"quoted\" \\u202e typed"}]
    assert json_text(data, indent=2) == json.dumps(data, ensure_ascii=False, indent=2)
    assert json_text(data) == json.dumps(data, ensure_ascii=False)


def test_draft_json_carries_the_visibility_content_warning_and_mentions_the_sender_posts():
    """A public draft answering a followers-only post under a content warning: the JSON says what
    `outgoing()` hands the platform, not the draft's own wish."""
    from bot.cli.render import draft_json
    from bot.domain.decisions import Decision
    from bot.domain.drafts import Draft, DraftStatus, ReplyTarget
    from bot.services.sending import outgoing
    from tests.fakes import FakeClock

    now = FakeClock().now()
    draft = Draft(
        id="d_01JTEST0000000000000000000", account="demo", platform="sandbox", contact_id=1,
        contact_handle="ana@social.example", text="¡Qué rico!", language="es", status=DraftStatus.PENDING,
        target=ReplyTarget(7, "p-7", "Receta de hoy", "p-7", "private", spoiler_text="comida 🍲", at=now),
        decision=Decision(results=()), created_at=now, updated_at=now, visibility="public",
    )
    data = draft_json(draft)
    sent = outgoing(draft)
    assert data["visibility"] == sent.visibility.value == "private"
    assert data["spoiler_text"] == sent.spoiler_text == "comida 🍲"
    assert data["mentions"] == [f"@{handle}" for handle in sent.to] == ["@ana@social.example"]
    assert data["in_reply_to"]["spoiler_text"] == "comida 🍲" and data["folded_count"] == 0
