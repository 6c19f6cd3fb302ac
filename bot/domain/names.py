"""Whether a display name is a plain name that a draft may greet someone by.

A display name is whatever its owner typed, and a greeting pastes it into a reply posted in
the account's name: "@victim@other.example" would mention (on Mastodon, notify) a third
person, "shop.example" or a URL would put a link in the reply, and 5,000 characters would be
the whole reply. So a name is used only when it is plainly a name, and otherwise not at all:
a greeting without a name costs nothing.
"""

from __future__ import annotations

import unicodedata

# Bluesky allows 64 graphemes, Mastodon 30 characters: a longer name is not a real one.
MAX_DISPLAY_NAME = 64
# A greeting is a small part of a reply of at most 280 characters; no given name needs more.
MAX_FIRST_NAME = 30
# Combining marks on one letter: enough for Devanagari, Thai or Vietnamese, not for "Zalgo" stacks.
_MAX_MARKS = 4
# Inside a word only: Jean-Luc, O'Brien, D’Angelo, Marcel·lí.
_JOINERS = frozenset("-'\u2019\u00b7")
# Hangul fillers are letters that show nothing: a name made of them is an invisible greeting.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")
# Titles said before a surname, with or without their dot ("Dr Obi", "Sra. Gil"): no first name follows.
_TITLES = frozenset("mr mrs ms miss mx dr prof sir dame rev fr sr sra srta dra don doña dña lic ing".split())
# Words that make a display name an organisation's ("North Studio", "Taller La Imprenta", "The
# Print Shed"): "Hi Studio!" reads wrong, so such a name is greeted without it.
_ORGANISATION = frozenset(
    "the studio studios estudio lab labs club cafe café shop store tienda workshop taller makerspace "
    "hackerspace coworking collective colectivo coop cooperativa agency agencia press editorial books "
    "libros library biblioteca team equipo group grupo inc ltd llc gmbh company compañía foundation "
    "fundación association asociación school escuela academy academia institute instituto university "
    "universidad network community comunidad news noticias radio podcast magazine revista official oficial "
    "hub bakery panadería brewery cervecería gallery galería bindery encuadernaciones imprenta print "
    "repair reparaciones consulting consultora".split()
)


def first_name(display_name: str | None) -> str | None:
    """The name a greeting may use, or None when the display name is not a plain name.

    Plain: words of letters in any script (with their combining marks), separated by spaces,
    with hyphens and apostrophes only between letters and a dot only at a word's end ("J. Ana
    López"). That leaves out @, URLs and domains ("a.example": a dot inside a word), hashtags,
    digits, emoji, and control, bidi and zero-width characters (none is a letter). Compared
    after NFKC, so fullwidth "＠" or "．" count as the characters they look like. The first word
    is the first name, unless it is an initial or a title ("J.", "Dr.", "Ms"): what follows may
    be a surname, so then no name; nor when a word says it is an organisation ("North Studio").
    """
    name = unicodedata.normalize("NFKC", display_name or "").strip()
    if not name or len(name) > MAX_DISPLAY_NAME:
        return None
    words = [word for word in name.split(" ") if word]
    if not all(_plain_word(word) for word in words):
        return None
    if any(word.casefold() in _ORGANISATION for word in words):
        return None
    first = words[0]
    if first.endswith(".") or first.casefold() in _TITLES or len(first) > MAX_FIRST_NAME:
        return None
    return first


def _plain_word(word: str) -> bool:
    body = word.removesuffix(".")
    previous = ""  # "letter" or "joiner": what the last character allows next
    marks = 0
    for char in body:
        kind = unicodedata.category(char)[0]
        if kind == "L" and char not in _BLANK_LETTERS:
            previous, marks = "letter", 0
        elif kind == "M" and previous == "letter" and marks < _MAX_MARKS:
            marks += 1
        elif char in _JOINERS and previous == "letter":
            previous = "joiner"
        else:
            return False
    return previous == "letter"
