"""Text normalisation that undoes the usual tricks for hiding words from a filter.

`fold` returns two views of a message:

- `plain`: compatibility-normalised (NFKC turns mathematical bold and full-width letters into
  ASCII), invisible characters removed, case-folded, accents stripped, look-alike letters from
  other scripts mapped to Latin, mentions removed. Amounts and links are read from this view,
  where "$49" and "bit.ly/x" are still intact.
- `words`: `plain` with spaced, dotted or hyphenated letters joined ("b.u.y n.o.w" -> "buy now")
  and digits or symbols standing in for letters read back as letters ("d1scount", "fr€€").
  Phrases are matched in this view.

`fold_term` applies to a lexicon phrase the part of the same folding that makes sense for a
phrase somebody typed on purpose, so that both sides compare equal.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Everything that renders as nothing, so that "dis<ZWSP>count" reads as "discount": every format
# character (Unicode category Cf: zero-width space and joiners, soft hyphen, bidi controls, word
# joiner, invisible operators, tag characters), plus the blanks outside Cf that spammers use the
# same way: combining grapheme joiner, Hangul and Khmer fillers, Mongolian and other variation
# selectors, the braille blank. tests/unit/domain/test_normalize.py checks that no Cf is missing.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160\u17b4\u17b5"
    "\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff"
    "\uffa0\ufff9-\ufffb]"
)
# The invisible characters beyond the BMP. A set with these ranges is several times slower to
# scan, so it only runs on text that holds such a character at all (mostly emoji).
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_INVISIBLE_ASTRAL = re.compile(
    "[\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0000-\U000e007f\U000e0100-\U000e01ef]"
)
# Combining marks left after NFD: accents, and the strike-through, underline and enclosing
# marks of "fancy text" generators ("d̶i̶s̶c̶o̶u̶n̶t̶").
_COMBINING_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")

# Letters from other scripts and Latin variants that look like a-z. NFKC leaves them alone, so
# "Ѕіgn uр" or "ᴘʀᴏᴍᴏ" would otherwise read as other words; real Cyrillic, Greek or Armenian
# text cannot match a Spanish or English phrase either way, so mapping them costs nothing.
_LOOK_ALIKES = (
    ("аеорсухіјѕԁӏһԛԝвкмнтүϲғ", "aeopcyxijsdlhqwbkmhtycf"),  # Cyrillic
    ("αβεικνορτυχηω", "abeikvoptuxnw"),  # Greek
    ("օսոհ", "ounh"),  # Armenian
    ("ɑɡı", "agi"),  # Latin variants: script a and g, dotless i
    ("ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘǫʀꜱᴛᴜᴠᴡʏᴢ", "abcdefghijklmnopqrstuvwyz"),  # small capitals
)
# Negative circled and negative squared letters (🅐, 🅿), which have no NFKC form either.
_ENCLOSED_LETTERS = ((0x1F150, 0x1F169), (0x1F170, 0x1F189))
_CONFUSABLES = {
    **{
        ord(other): ord(latin)
        for others, latins in _LOOK_ALIKES
        for other, latin in zip(others, latins, strict=True)
    },
    **{code: ord("a") + code - first for first, last in _ENCLOSED_LETTERS for code in range(first, last + 1)},
}
# Translating a message character by character costs about as much as the rest of `fold`, and
# look-alikes are rare: a scan for one decides whether to translate at all.
_CONFUSABLE = re.compile(
    "[%s%s]" % (
        re.escape("".join(others for others, _ in _LOOK_ALIKES)),
        "".join(f"{chr(first)}-{chr(last)}" for first, last in _ENCLOSED_LETTERS),
    )
)

# A mention ("@ana" or "@ana@example.social") names a person, not an offer; dropping it keeps
# an account called "@shopnow" from reading as a call to action.
_MENTION = re.compile(r"(?<![\w@])@[\w.-]+(?:@[\w-]+(?:\.[\w-]+)+)?")

# Spelled-out words: single characters with one separator between each pair, "p r o m o",
# "d.i.s.c.o.u.n.t", "d-e-s-c-u-e-n-t-o", "o · f · e · r · t · a". Where the line is:
# - One separator per run, repeated exactly: a space, or one to three marks ("p.r", "p..r",
#   "p.-r") with or without a space on either side. So "J. R. R." is one run of three, and in "U.S.A. y U.K." the runs stop where
#   the separator changes, so "y" never joins the letters around it.
# - A run is joined only with at least _MIN_SPELLED characters, counting the runs it is grouped
#   with (below). Three initials ("J. R. R. Tolkien", "U.S.A."), "a.m.", "p. ej.", "y/o",
#   "c/u", "x-y-z", list markers "a - b - c" and Spanish one-letter words ("voy a y vuelvo",
#   "entre a y b") stay as written. Four or more ("E.E.U.U.", "A.S.A.P.") are joined, into the
#   word people also write without dots. The cost: "b u y" alone stays three letters.
# - Most characters must be letters: "1.2.3.4" and "2 x 1" are numbers, not words.
# - A character spaced by blanks must not touch a mark and a letter: in "a p.r.o.m.o" the
#   article stays apart from "promo". A one-letter word before a word spaced with blanks is
#   ambiguous ("o f e r t a" starts with "o") and is read as part of it.
# Emoji, hyphenated words ("e-mail", "self-made") and anything with two letters together never
# form a run.
_LETTER = "a-z0-9@$€"
_MARKS = r".\-_*·•+~/‐‑‒–—―‧∙⋅・"
# The pattern starts on the character before a run (text is searched with a space in front)
# and looks for a separator right after the first character: about twice as fast as a
# lookbehind tried at every position.
_RUN = re.compile(
    rf"[^{_LETTER}](?P<run>[{_LETTER}](?=[ {_MARKS}])(?:"
    rf"(?P<mark> ?[{_MARKS}]{{1,3}} ?)[{_LETTER}](?![{_LETTER}])(?:(?P=mark)[{_LETTER}](?![{_LETTER}]))*"
    rf"|(?: [{_LETTER}](?![{_LETTER}])(?![{_MARKS}][{_LETTER}]))+"
    r"))"
)
# Runs with the same separator continue one another across a word break: spaces ("b u y  n o w",
# "c.o.m.p.r.a y.a") or a single mark ("p.i.d.e-m.e"). The words stay apart where the writer
# put spaces; a mark between them joins them, as lexicon phrases are written ("pideme").
_RUN_GAP = re.compile(rf" {{1,3}}|[{_MARKS}]")
_MIN_SPELLED = 4

# A word that holds a digit or a letter-like symbol; "!" and "|" count only inside a word so
# that "now!" keeps its exclamation mark. Plain words never match, so no callback runs for them.
_TOKEN = re.compile(
    r"(?<![a-z0-9@$€₱])(?:[a-z]*[0-9@$€₱][a-z0-9@$€₱]*|[a-z]+(?=[!|][a-z0-9]))"
    r"(?:[!|][a-z0-9@$€₱]+)*(?![a-z0-9@$€₱])"
)
_LEET = str.maketrans("01345789@$€₱!|", "oieastbgasepil")
_LEET_CHARS = frozenset("01345789@$€₱!|")
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")
_CONSONANTS = _LETTERS - frozenset("aeiou")
_VOWEL_DIGITS = frozenset("0134")  # o, i, e, a
# Short words that start with a digit: "l1nk 1n b10" is "link in bio". Not "4k", "3d" or "1s".
_SHORT_WORDS = frozenset({"1n", "0n", "0f", "1t", "1f", "4t", "0r"})


@dataclass(frozen=True)
class Folded:
    plain: str
    words: str


def fold(text: str) -> Folded:
    """Both views of `text`; normalises once so every matcher can reuse the result."""
    plain = _plain(text)
    return Folded(plain=plain, words=_read_leet(_join_spelled_words(plain)))


def fold_term(term: str) -> str:
    """A lexicon phrase in the same form as `Folded.words`, with its spaces normalised."""
    return " ".join(_plain(term).split())


def _plain(text: str) -> str:
    # ASCII text holds no invisible, compatibility or look-alike characters: most messages
    # skip straight to case folding.
    if not text.isascii():
        text = unicodedata.normalize("NFKC", _visible(text))
    text = text.casefold()
    if not text.isascii():
        text = _COMBINING_MARKS.sub("", unicodedata.normalize("NFD", text))
        if _CONFUSABLE.search(text):
            text = text.translate(_CONFUSABLES)
    return _MENTION.sub(" ", text)


def _visible(text: str) -> str:
    text = _INVISIBLE.sub("", text)
    return _INVISIBLE_ASTRAL.sub("", text) if _ASTRAL.search(text) else text


def _join_spelled_words(text: str) -> str:
    """`text` with each group of runs that reads as spelled-out words joined (see `_RUN`)."""
    padded = " " + text
    pieces, last = [], 0
    for group in _run_groups(padded):
        spelled = "".join(_spelled(run) for run in group)
        letters = sum(char in _LETTERS for char in spelled)
        if len(spelled) >= _MIN_SPELLED and 2 * letters > len(spelled):
            pieces += [padded[last : group[0].start("run")], _joined(padded, group)]
            last = group[-1].end()
    return ("".join(pieces) + padded[last:])[1:] if pieces else text


def _run_groups(text: str) -> list[list[re.Match[str]]]:
    """Runs of spelled-out characters, grouped where one continues the previous one."""
    groups: list[list[re.Match[str]]] = []
    for run in _RUN.finditer(text):
        if groups:
            previous = groups[-1][-1]
            if previous["mark"] == run["mark"] and _RUN_GAP.fullmatch(text, previous.end(), run.start("run")):
                groups[-1].append(run)
                continue
        groups.append([run])
    return groups


def _joined(text: str, group: list[re.Match[str]]) -> str:
    """The group's characters without their separators; runs split by spaces stay words."""
    pieces = [_spelled(group[0])]
    for previous, run in zip(group, group[1:]):
        gap = " " if text[previous.end()] == " " else ""
        pieces.append(gap + _spelled(run))
    return "".join(pieces)


def _spelled(run: re.Match[str]) -> str:
    """A run's characters: every separator in it has the same length."""
    return run["run"][:: len(run["mark"] or " ") + 1]


def _read_leet(text: str) -> str:
    if _LEET_CHARS.isdisjoint(text):
        return text
    return _TOKEN.sub(_read_leet_token, text)


def _read_leet_token(match: re.Match[str]) -> str:
    token = match.group()
    # Only a word that is mostly letters is a disguised word; "2x1", "24h" and "$49" are not.
    # Two characters are a word when a consonant comes first and a vowel digit after it: the
    # "d3" and "t3" of "m1t4d d3 pr3c10", "t3 lo paso"; "4k", "3d" and "5g" stay as they are.
    letters = sum(char in _LETTERS for char in token)
    if len(token) == 2 and (token[0] in _CONSONANTS and token[1] in _VOWEL_DIGITS or token in _SHORT_WORDS):
        return token.translate(_LEET)
    if letters < 2 or letters == len(token):
        return token
    return token.translate(_LEET)
