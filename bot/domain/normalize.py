"""Text normalisation that undoes the usual tricks for hiding words from a filter.

`fold` returns two views of a message:

- `plain`: compatibility-normalised (NFKC turns mathematical bold and full-width letters into
  ASCII), invisible characters removed, case-folded, accents stripped, look-alike Cyrillic and
  Greek letters mapped to Latin, mentions removed. Amounts and links are read from this view,
  where "$49" and "bit.ly/x" are still intact.
- `words`: `plain` with spaced or dotted letters joined ("b.u.y n.o.w" -> "buynow") and
  digits or symbols standing in for letters read back as letters ("d1scount", "fr€€").
  Phrases are matched in this view.

`fold_term` applies to a lexicon phrase the part of the same folding that makes sense for a
phrase somebody typed on purpose, so that both sides compare equal.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Format characters (category Cf) and fillers that render as nothing: zero-width space and
# joiners, soft hyphen, bidi marks, word joiner, variation selectors, Hangul fillers.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
    "\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]"
)
_COMBINING_MARKS = re.compile("[\u0300-\u036f]")

# Cyrillic and Greek letters that look like Latin ones. NFKC leaves them alone, so "Ѕіgn uр"
# would otherwise read as a different word; real Cyrillic or Greek text cannot match a Spanish
# or English phrase either way, so mapping them costs nothing.
_CONFUSABLES = str.maketrans(
    "аеорсухіјѕԁӏһԛԝвкмнтϲαβεικνορτυχ",
    "aeopcyxijsdlhqwbkmhtcabeikvoptux",
)

# A mention ("@ana" or "@ana@example.social") names a person, not an offer; dropping it keeps
# an account called "@shopnow" from reading as a call to action.
_MENTION = re.compile(r"(?<![\w@])@[\w.-]+(?:@[\w-]+(?:\.[\w-]+)+)?")

_MARKS = r".\-_*·•+~/"  # what may stand between the letters of a word, besides spaces

# Three or more single characters separated by one to three spacers: "c o m p r a", "b.u.y",
# "s*u*b". Wider gaps ("D M   m e") mark a word boundary and are kept as one space.
_SPACED_LETTERS = re.compile(
    rf"(?<![a-z0-9@$€])[a-z0-9@$€](?:[ {_MARKS}]{{1,3}}[a-z0-9@$€](?![a-z0-9])){{2,}}"
)
_SPACERS = re.compile(rf"[ {_MARKS}]+")
_WIDE_GAP = re.compile(r"\s{2,}")
_MARK = re.compile(rf"[{_MARKS}]")

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
    return Folded(plain=plain, words=_read_leet(_join_spaced_letters(plain)))


def fold_term(term: str) -> str:
    """A lexicon phrase in the same form as `Folded.words`, with its spaces normalised."""
    return " ".join(_plain(term).split())


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKC", _INVISIBLE.sub("", text)).casefold()
    if not text.isascii():
        text = _COMBINING_MARKS.sub("", unicodedata.normalize("NFD", text))
        text = text.translate(_CONFUSABLES)
    return _MENTION.sub(" ", text)


def _join_spaced_letters(text: str) -> str:
    return _SPACED_LETTERS.sub(_join_run, text)


def _join_run(match: re.Match[str]) -> str:
    run = match.group()
    # Where letters are joined by dots or dashes, a plain space between them is a word break:
    # "f.o.r d.e.t.a.i.l.s" is two words, while "c o m p r a" is one.
    words = run.split() if _MARK.search(run) else _WIDE_GAP.split(run)
    return " ".join(_SPACERS.sub("", word) for word in words)


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
