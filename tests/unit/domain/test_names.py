"""A display name reaches a greeting only when it is plainly a name: no mention, link, hashtag,
hidden character or wall of text can ride into a reply on it."""

from __future__ import annotations

import pytest

from bot.domain.names import MAX_DISPLAY_NAME, MAX_FIRST_NAME, first_name


@pytest.mark.parametrize(("display_name", "expected"), [
    ("Ana García", "Ana"),
    ("  Eva   Soler ", "Eva"),
    ("Jean-Luc Picard", "Jean-Luc"),
    ("O'Brien", "O'Brien"),
    ("D’Angelo Russo", "D’Angelo"),
    ("Marcel·lí Puig", "Marcel·lí"),
    ("Ana M.", "Ana"),
    ("Zoë", "Zoë"),
    ("Ngọc Anh", "Ngọc"),
    ("山田太郎", "山田太郎"),
    ("अनिल कुमार", "अनिल"),
    ("محمد علي", "محمد"),
    ("Ｅｖａ", "Eva"),  # fullwidth letters, as NFKC reads them
    ("E\u0301milie", "Émilie"),  # a combining accent, composed
])
def test_a_plain_name_gives_its_first_word(display_name: str, expected: str) -> None:
    assert first_name(display_name) == expected


@pytest.mark.parametrize("display_name", [
    "@victim@other.example",
    "Ana @victim@other.example",
    "Ana ＠victim",  # a fullwidth at sign
    "https://shop.example/deal",
    "Ana shop.example",
    "ana.bsky.social",
    "Ana www.example.org",
    "Ana ｓｈｏｐ．ｅｘａｍｐｌｅ",  # a fullwidth dot inside a word
    "Ana #nobot",
    "#Ana",
    "Ana :blobcat:",
    "Ana 🌻",
    "Ana2",
    "Ana <script>",
    "Ana\u202eevil",  # right-to-left override
    "Ana\u2066x\u2069",  # an isolate
    "An\u200ba",  # zero-width space
    "Ana\u200d",  # zero-width joiner
    "Ana\x1b[31m",  # ANSI escape
    "Ana\nBob", "Ana\tBob", "Ana\x00",
    "\u3164", "Ana \u115f",  # Hangul fillers: letters that show nothing
    "A" + "\u0301" * 8,  # a stack of combining marks
    "-Ana", "Ana-", "Ana--Bo", "'Ana'",
    "Dr. Ana", "J. R. R. Tolkien",  # the next word may be a surname
    "", "   ", None,
])
def test_anything_but_a_plain_name_gives_no_name(display_name: str | None) -> None:
    assert first_name(display_name) is None


def test_names_longer_than_any_platform_allows_give_no_name() -> None:
    assert first_name("A" * 5000) is None
    assert first_name("Ana " + "b" * (MAX_DISPLAY_NAME - 4)) == "Ana"
    assert first_name("Ana " + "b" * (MAX_DISPLAY_NAME - 3)) is None


def test_a_first_word_longer_than_a_given_name_gives_no_name() -> None:
    assert first_name("A" * MAX_FIRST_NAME + " Soler") == "A" * MAX_FIRST_NAME
    assert first_name("A" * (MAX_FIRST_NAME + 1) + " Soler") is None


@pytest.mark.parametrize("display_name", [
    "Ms Alvarez", "Dr Amaka Eze", "Prof Rhys Lloyd", "Mr. Patel", "Sra Gómez", "Dra Pilar Vega", "Doña Rosa",
])
def test_a_title_without_its_dot_is_no_first_name(display_name: str) -> None:
    assert first_name(display_name) is None


@pytest.mark.parametrize("display_name", [
    "Northside Studio", "Estudio Lumen", "Hive Coworking", "Makerspace Norte", "The Ink Works",
    "Taller El Torno", "Repair Café Leith", "Fundación Arraigo", "Kite Labs",
])
def test_an_organisation_is_greeted_without_a_name(display_name: str) -> None:
    assert first_name(display_name) is None


@pytest.mark.parametrize(("display_name", "expected"), [("Drew Barry", "Drew"), ("Donna Ruiz", "Donna"),
                                                         ("Theo Hub", None), ("Clubb", "Clubb")])
def test_titles_and_organisation_words_match_whole_words_only(display_name: str, expected: str | None) -> None:
    assert first_name(display_name) == expected
