"""Normalisation: spelled-out letters, invisible characters and look-alikes fold into plain words,
while initials, abbreviations and one-letter words stay as written.

What these foldings do to `classify` is pinned in `test_pitch_evasion.py`.
"""

from __future__ import annotations

import sys
import unicodedata

import pytest

from bot.domain.normalize import fold


def _words(text: str) -> str:
    """The words view with spacing evened out: how wide a word break was is not the point here."""
    return " ".join(fold(text).words.split())


# --- letters spelled out with a separator ------------------------------------------------------


@pytest.mark.parametrize(("text", "words"), [
    ("p r o m o", "promo"),
    ("d.i.s.c.o.u.n.t", "discount"),
    ("d-e-s-c-u-e-n-t-o", "descuento"),
    ("o_f_e_r_t_a", "oferta"),
    ("s·a·l·e", "sale"),
    ("f/r/e/e", "free"),
    ("r • e • b • a • j • a • s", "rebajas"),
    ("g . r . a . t . i . s", "gratis"),
    ("o–f–f–e–r", "offer"),  # en dash
    ("P. R. O. M. O.", "promo."),
    ("p..r..o..m..o", "promo"),
    ("o--f--e--r--t--a", "oferta"),
    ("S A L E", "sale"),
])
def test_a_word_spelled_out_with_one_separator_reads_as_the_word(text: str, words: str) -> None:
    assert _words(text) == words


@pytest.mark.parametrize(("text", "words"), [
    ("use the p r o m o code", "use the promo code"),
    ("la o f e r t a acaba hoy", "la oferta acaba hoy"),
    ("20% d.e.s.c.u.e.n.t.o, solo hoy", "20% descuento, solo hoy"),
    ("big d-i-s-c-o-u-n-t inside", "big discount inside"),
])
def test_a_spelled_out_word_among_ordinary_words_is_joined_alone(text: str, words: str) -> None:
    assert _words(text) == words


@pytest.mark.parametrize(("text", "words"), [
    # Short words next to a spelled-out word continue it, with the same separator.
    ("s i g n  u p  n o w", "sign up now"),
    ("l-i-n-k e-n b-i-o", "link en bio"),
    ("r.e.s.e.r.v.a y.a", "reserva ya"),
])
def test_spelled_out_words_in_a_row_keep_their_word_breaks(text: str, words: str) -> None:
    assert _words(text) == words


def test_a_one_letter_word_before_a_dotted_word_stays_apart() -> None:
    assert _words("get a p.r.o.m.o code") == "get a promo code"
    assert _words("y d.e.s.c.u.e.n.t.o") == "y descuento"


def test_spelled_out_digits_read_as_letters_like_any_other_disguise() -> None:
    assert _words("d 1 s c 0 u n t") == "discount"


# --- what is left as written -------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "j. r. r. tolkien",
    "u.s.a. y u.k.",
    "nos vemos a las 9 a.m.",
    "p. ej. el martes",
    "voy a y vuelvo",
    "entre a y b hay un río",
    "tú y/o tu hermana",
    "3 € c/u",
    "x-y-z axis",
    "a) b) c)",
    "- a - b - c",
    "e-mail, self-made, t-shirt",
    "plan a o b",
    "oferta 2 x 1",
    "ip 1.2.3.4",
    "countdown 5 4 3 2 1",
    "🎉 a 🎉 b 🎉 c 🎉 d",
])
def test_initials_abbreviations_and_one_letter_words_are_not_glued(text: str) -> None:
    folded = fold(text)
    assert folded.words == folded.plain


def test_four_dotted_capitals_are_read_as_the_word_written_without_dots() -> None:
    # "EEUU" is how most people write it; the joined form changes no reading.
    assert _words("vivo en E.E.U.U.") == "vivo en eeuu."


def test_separators_that_change_inside_a_run_break_it() -> None:
    assert _words("u.s.a y u.k") == "u.s.a y u.k"


# --- invisible characters ----------------------------------------------------------------------

def test_every_format_character_inside_a_word_is_dropped() -> None:
    format_characters = (chr(code) for code in range(sys.maxunicode + 1) if unicodedata.category(chr(code)) == "Cf")
    kept = [f"U+{ord(char):04X}" for char in format_characters if _words(f"dis{char}count") != "discount"]
    assert kept == []


@pytest.mark.parametrize("char", [
    "\u200b",  # zero-width space
    "\u200c",  # zero-width non-joiner
    "\u200d",  # zero-width joiner
    "\u2060",  # word joiner
    "\u00ad",  # soft hyphen
    "\ufeff",  # zero-width no-break space
    "\u202e",  # right-to-left override
    "\U000e0061",  # tag letter a
    "\u034f",  # combining grapheme joiner
    "\ufe0f",  # variation selector
    "\u3164",  # Hangul filler
    "\u2800",  # braille blank
], ids=repr)
def test_an_invisible_character_does_not_split_a_word(char: str) -> None:
    assert _words(f"dis{char}count") == "discount"
    assert _words(f"des{char}cu{char}ento") == "descuento"


def test_invisible_characters_between_spelled_out_letters_are_dropped_too() -> None:
    assert _words("p\u200b r\u200b o\u200b m\u200b o") == "promo"
    assert _words("o\u200d.f\u200d.e\u200d.r\u200d.t\u200d.a") == "oferta"


# --- look-alike letters ------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "words"), [
    ("ԁіѕсоunt", "discount"),  # Cyrillic
    ("ᴅᴇsᴄᴜᴇɴᴛᴏ", "descuento"),  # small capitals
    ("ᴏғᴇʀᴛᴀ", "oferta"),  # small capitals with a Cyrillic F
    ("🅿🆁🅾🅼🅾", "promo"),  # negative squared letters
    ("օfеrtа", "oferta"),  # Armenian o, Cyrillic e and a
    ("d̶i̶s̶c̶o̶u̶n̶t̶", "discount"),  # strike-through
    ("р r о m о", "promo"),  # Cyrillic letters, spelled out
    ("d.і.s.c.о.u.n.t", "discount"),
])
def test_look_alike_letters_read_as_latin_ones(text: str, words: str) -> None:
    assert _words(text) == words
