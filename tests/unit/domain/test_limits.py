"""Platform length limits: Bluesky counts what a reader sees as one character (graphemes)."""

from __future__ import annotations

import pytest

from bot.domain.limits import check_platform_limits, count_graphemes

FAMILY = "\U0001F468\u200d\U0001F469\u200d\U0001F467\u200d\U0001F466"  # man, woman, girl, boy joined by ZWJ
THUMBS_UP_MEDIUM = "\U0001F44D\U0001F3FD"  # thumbs up + medium skin tone
SPAIN = "\U0001F1EA\U0001F1F8"
USA = "\U0001F1FA\U0001F1F8"
ENGLAND = "\U0001F3F4\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F"  # tag sequence


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", 0),
        ("hello", 5),
        ("Hola, ¿qué tal?", 15),
        ("caf\u00e9", 4),  # é composed
        ("cafe\u0301", 4),  # e + combining acute
        ("n\u0303o\u0308", 2),  # two letters each with a combining mark
        (THUMBS_UP_MEDIUM, 1),
        ("\U0001F44B\U0001F3FB\U0001F44B\U0001F3FF", 2),  # two waving hands, two tones
        (FAMILY, 1),
        ("\U0001F469\u200d\U0001F4BB", 1),  # woman technologist
        ("\u2764\ufe0f", 1),  # heart + emoji presentation selector
        ("1\ufe0f\u20e3", 1),  # keycap one
        (SPAIN, 1),
        (SPAIN + USA, 2),
        (SPAIN + "x" + USA, 3),
        (ENGLAND, 1),
        ("a\r\nb", 3),
        ("a\n\rb", 4),  # LF CR is two breaks, not one
        ("\r\n\r\n", 2),
        ("Hola " + THUMBS_UP_MEDIUM + " " + SPAIN + "!", 9),
    ],
    ids=[
        "empty", "ascii", "spanish_punctuation", "composed_accent", "decomposed_accent", "two_marks",
        "skin_tone", "two_skin_tones", "zwj_family", "zwj_profession", "variation_selector", "keycap",
        "flag", "two_flags", "flags_apart", "subdivision_flag", "crlf", "lfcr", "two_crlf", "mixed",
    ],
)
def test_graphemes_are_counted_as_a_reader_sees_them(text: str, expected: int):
    assert count_graphemes(text) == expected


def test_bluesky_accepts_exactly_300_graphemes():
    assert check_platform_limits("bluesky", "a" * 300) is None


def test_bluesky_accepts_300_emoji_made_of_many_code_points():
    assert len(FAMILY * 300) > 300
    assert check_platform_limits("bluesky", FAMILY * 300) is None


def test_bluesky_refuses_301_graphemes_with_a_clear_message():
    assert check_platform_limits("bluesky", "é" * 301) == (
        "too long for bluesky: 301 graphemes, the limit is 300; shorten it (nothing is cut silently)"
    )


def test_bluesky_counts_decomposed_accents_once():
    assert check_platform_limits("bluesky", "e\u0301" * 300) is None


@pytest.mark.parametrize("platform", ["mastodon", "sandbox", "unknown-platform"])
def test_platform_without_a_known_limit_has_no_problem(platform: str):
    assert check_platform_limits(platform, "a" * 10_000) is None
