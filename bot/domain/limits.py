"""What each platform accepts, checked at approval so a person hears it before sending.

Bluesky counts graphemes (what a reader sees as one character), not code points.
"""

from __future__ import annotations

import unicodedata

# Mastodon's limit is set per instance and counts links as 23 characters: the server decides.
LIMITS = {"bluesky": 300}
_ZWJ = "\u200d"


def count_graphemes(text: str) -> int:
    """Grapheme clusters, close to UAX #29 for text people write: combining marks, variation
    selectors, skin tones and ZWJ sequences join the character before them; a pair of
    regional indicators is one flag."""
    count = 0
    previous = ""
    regional_open = False
    for char in text:
        code = ord(char)
        joins = (
            unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me")
            or 0xFE00 <= code <= 0xFE0F or 0x1F3FB <= code <= 0x1F3FF or char == _ZWJ
            or previous == _ZWJ or 0xE0020 <= code <= 0xE007F
        )
        if 0x1F1E6 <= code <= 0x1F1FF:
            joins = regional_open
            regional_open = not regional_open
        else:
            regional_open = False
        if previous == "\r" and char == "\n":
            joins = True
        if not joins or count == 0:
            count += 1
        previous = char
    return count


def check_platform_limits(platform: str, text: str, mention: str | None = None) -> str | None:
    """A one-line problem with this text on this platform, or None.

    `mention` is the handle the adapter will put in front to notify the person, if not there.
    """
    limit = LIMITS.get(platform)
    if limit is None:
        return None
    if mention and f"@{mention.lstrip('@').lower()}" not in text.lower():
        text = f"@{mention.lstrip('@')} {text}"
    length = count_graphemes(text) if platform == "bluesky" else len(text)
    if length > limit:
        unit = "graphemes" if platform == "bluesky" else "characters"
        return f"too long for {platform}: {length} {unit}, the limit is {limit}; shorten it (nothing is cut silently)"
    return None
