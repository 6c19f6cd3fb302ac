"""Interests and projects a person lists about themselves (bio, profile fields, hashtags); and the
text cleaning all extraction starts from (markup, handles and links out; folding), which
`extraction` uses for open threads too.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime

from bot.domain.memory import Fact, FactKind

_Found = tuple[FactKind, str, str]  # kind, text, source

_MAX_FACT_WORDS = 6  # longer than this is a sentence about them, not a thing they like or do
_MAX_PROJECT_WORDS = 8  # "Organizo el club de lectura del barrio"
_MAX_LINE_WORDS = 14  # a longer bio line is prose, and its comma-separated bits are fragments

# --- text: markup, handles and links -----------------------------------------------------------

# Block tags end a phrase; inline ones (<a>, <span>) wrap hashtags and mentions and must vanish.
_BLOCK_TAG = re.compile(r"<\s*/?\s*(?:br|p|div|li|ul|ol|h\d)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]*>")
_NOISE = re.compile(
    r"https?://\S+|www\.\S+|\S+@[\w-]+(?:\.[\w-]+)+|(?<![\w@])@[\w.-]+(?:@[\w-]+(?:\.[\w-]+)+)?"
    r"|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|io|dev|app|social|me|es|eu|uk|de|fr|info|xyz|co|page"
    r"|site|blog|online|link|cat)\b(?:/\S*)?",
    re.I,
)
_DOT_WORD = re.compile(r"\.\w")  # no link or domain without one: the full search is skipped
HASHTAG = re.compile(r"(?<![\w#&])#(\w*[^\W\d_]\w*)")
# Tags closing a line are labels ("#travel"); inside a sentence they are words ("my first #marathon").
TRAILING_TAGS = re.compile(r"(?:\s*(?<![\w#&])#\w+)+[ \t]*$", re.M)
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|_+")
LETTER = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"[^\W_]+")
_EDGE = " \t'\"“”‘’«»()[]{}-–—*_~:¡!¿?.,…"

# --- profiles ----------------------------------------------------------------------------------

# A pin or a globe introduces where they live, which is neither an interest nor a project.
_PLACE_MARK = re.compile(r"[\U0001F4CD\U0001F3E0\U0001F30D-\U0001F30F]")
_PLACE = re.compile(r"\x00[^\n|•·;,.]*")
_NON_ASCII_MARK = re.compile(r"[^\w\s\x00-\x7f]")  # where emoji may be, without a loop per letter
_SYMBOLS = frozenset({"So", "Sk", "Co", "Cf", "Mn"})  # emoji, their joiners and variation selectors
_LINE_BREAK = re.compile(r"[\n!?;|•·]+|\.(?=\s|$)|\s[-–—/+]\s")
_PIECE_BREAK = re.compile(r",|\s&\s")
_LABEL = re.compile(r"^\s*([^\W\d_][\w ]{1,24}?)\s*:\s*(\S.*)$")
_EMPTY_LABEL = re.compile(r"^\W*\w+(?:\s\w+)?\s*:\W*$")
_NOT_A_FACT = re.compile(
    r"^(?:(?:she|he|they|ze|xe|it|any|ella|el|elle|ellx|elli)\s*/\s*\w+|pronouns?\b|pronombres?\b"
    r"|ex[-\s]|former(?:ly)?\b|antes en\b|retired\b|jubilad[oa]\b|(?:all )?(?:views|opinions|tweets"
    r"|toots|posts)\b|opiniones\b|.*\b(?:my own|mias|propias|personales)$|rts?\b|retweets?\b"
    r"|(?:based|living|lives) in\b|vivo en\b|(?:i'?m )?from\b|desde\b|no (?:dms?|mds?|bots?)\b"
    r"|not a bot\b|bot$|(?:avatar|header|banner|icon|foto)\b|let'?s\b|follow\b|check\b|official\b"
    r"|sigueme\b|(?:and|or|y|o|e)\s|.*\b(?:account|cuenta)\b"
    r"|.*\s(?:by|por|to|of|at|for|with|de|en|a|con|para|del)$|\d+$)"  # "Creators of @nextjs.org"
)
_SKIP_FIELDS = frozenset(
    "pronouns pronoun pronombres pronoms website web sitio homepage home blog url link links enlace "
    "enlaces github gitlab codeberg twitter x bluesky bsky instagram linkedin youtube twitch matrix "
    "signal email e-mail mail correo pgp gpg keyoxide location ubicacion lugar ciudad city timezone "
    "birthday cumpleanos age edad languages idiomas lenguas donate ko-fi patreon paypal liberapay "
    "support tips".split()
) | {"sitio web", "based in", "zona horaria"}
_INTEREST_FIELDS = frozenset(
    "interests intereses hobbies aficiones likes topics temas passions pasiones into loves".split()
) | {"me gusta", "i like", "i post about", "posts about", "escribo sobre", "hablo de", "talks about"}
_PROJECT_FIELDS = frozenset(
    "work job trabajo empleo project projects proyecto proyectos currently now ahora building making "
    "company empresa role rol occupation ocupacion profesion".split()
) | {"working on", "day job", "now building"}
_PROJECT = re.compile(
    r"^(?:i (?:build|make|run|write|organi[sz]e|host|maintain|work (?:on|at|for))\b|build(?:ing)?\b"
    r"|working (?:on|at)\b|(?:co-?)?found(?:er|ing)(?: of)?\b|(?:creator|maker|author|editor|curator"
    r"|host) of\b|making\b|writing\b|developing\b|maintain(?:er of|ing)\b|organi[sz](?:er of|ing)\b"
    r"|hosting\b|trabajo (?:en|de)\b|trabajando en\b|curro en\b|(?:co)?fundador(?:a)? de\b"
    r"|(?:creador|autor|editor|organizador|mantenedor)(?:a)? de\b|escrib(?:o|iendo)\b"
    r"|desarroll(?:o|ando)\b|construy(?:o|endo)\b|organiz(?:o|ando)\b|mantengo\b|coordin(?:o|ando)\b"
    r"|dirijo\b|produzco\b|edito\b)"
)
# A job: "HR at a hospital", "CEO of Acme", "Enfermera en el Clínico". Case matters: "the AT Protocol".
_ROLE = re.compile(
    r"^(?:[A-Z]{2,4}|[A-Za-z][\w'-]*(?: [\w'-]+){0,2}?) (?:at|en el|en la) (?=\w)|^(?:[A-Z]{2,4}"
    r"|[Hh]ead|[Dd]irector(?:a)?|[Ll]ead|[Mm]anager|[Pp]resident(?:a)?|[Jj]ef[ea]|[Ss]teward|[Mm]ember"
    r"|[Mm]iembro|[Ss]oci[oa]) (?:of|de) (?=\w)"
)
_LIKING = re.compile(
    r"^(?:i (?:love|like|enjoy)|loves?|lover of|fan of|into|obsessed with|passionate about"
    r"|me (?:encanta|gusta)n?|amante de(?:l| la)?|fan de(?:l| la)?|apasionad[oa] (?:de|por)(?:l| la)?)\s+"
)
_ARTICLE = re.compile(r"^(?:los|las|el|la|the|un|una|a|an)\s+", re.I)
_AND = re.compile(r"\s+(?:and|y|e)\s+")
# Tags about the account or the platform, not about the person.
_META_TAGS = frozenset(
    "nobot nobots nobridge noindex nosearch noarchive nofollow searchable introduction introductions "
    "presentacion presentaciones fedi22 twittermigration newhere nuevoaqui".split()
)


def profile_facts(
    bio: str, fields: Sequence[tuple[str, str]], at: datetime, language: str | None
) -> list[Fact]:
    """Interests and projects a person lists on their profile, deduplicated, in the order given."""
    found = [item for line in _lines(plain_text(bio)) for item in _line_facts(line, "bio")]
    for name, value in fields:
        found += _field_facts(name, value)
    for text in (bio, *(value for name, value in fields if not _skipped_field(name))):
        found += [(FactKind.INTEREST, tag, "hashtag") for tag in _hashtags(text)]
    return unique(Fact(kind, text, source, at, language) for kind, text, source in found)


def hashtag_facts(
    text: str, at: datetime, language: str | None, *, source: str = "hashtag"
) -> list[Fact]:
    """The hashtags someone uses, as interests: "#UrbanGardening" becomes "Urban Gardening"."""
    return unique(Fact(FactKind.INTEREST, tag, source, at, language) for tag in _hashtags(text))


def _line_facts(line: str, source: str, default: FactKind = FactKind.INTEREST) -> list[_Found]:
    label = _LABEL.match(line)
    if label:  # "Intereses: escalada, jazz" inside a bio reads like a profile field
        return _field_facts(label[1], label[2], source)
    if len(line.split()) > _MAX_LINE_WORDS:
        return []
    return [item for piece in _PIECE_BREAK.split(line) for item in _piece_facts(piece, source, default)]


def _field_facts(name: str, value: str, source: str = "fields") -> list[_Found]:
    key, lines = fold(name).strip(" :"), _lines(plain_text(value))
    if _skipped_field(name) or not has_letters(HASHTAG.sub("", " ".join(lines))):
        return []  # nothing but a link or hashtags (those are read as hashtags)
    if key in _PROJECT_FIELDS or key in _INTEREST_FIELDS:
        kind = FactKind.PROJECT if key in _PROJECT_FIELDS else FactKind.INTEREST
        return [item for line in lines for item in _line_facts(line, source, kind)]
    # Any other name gives the value its meaning: ("bread", "toasty.") says more than "toasty".
    text = f"{_words(name)}: {', '.join(_words(line) for line in lines)}"
    return [(FactKind.INTEREST, text, source)] if _short(text, _MAX_PROJECT_WORDS) else []


def _skipped_field(name: str) -> bool:
    key = fold(name).strip(" :")
    return key in _SKIP_FIELDS or bool(_NOT_A_FACT.match(key))


def _piece_facts(piece: str, source: str, default: FactKind) -> list[_Found]:
    if _EMPTY_LABEL.match(piece):
        return []  # "GitHub:" whose value was a link
    text = _words(TRAILING_TAGS.sub("", piece) if "#" in piece else piece)  # read as hashtags
    folded = fold(text)
    if not has_letters(text) or _NOT_A_FACT.match(folded):
        return []
    project = _PROJECT.match(folded) or _ROLE.match(text)
    if project:  # "Building @rapport" loses its handle and with it the project
        keep = has_letters(text[project.end():]) and _short(text, _MAX_PROJECT_WORDS)
        return [(FactKind.PROJECT, text, source)] if keep else []
    liking = _LIKING.match(folded)
    parts = [_ARTICLE.sub("", part) for part in _AND.split(text[liking.end():])] if liking else [text]
    return [(default, tidy(part), source) for part in parts if has_letters(part) and _short(part)]


def _lines(text: str) -> list[str]:
    if not text.isascii():
        text = _PLACE_MARK.sub("\x00", text)
        text = _PLACE.sub("\n", _NON_ASCII_MARK.sub(_symbol_break, text))
    return [line for line in _LINE_BREAK.split(text) if line and line.strip()]


def _symbol_break(match: re.Match[str]) -> str:
    return "\n" if unicodedata.category(match[0]) in _SYMBOLS else match[0]


def _hashtags(text: str) -> list[str]:
    tags = (_tag_words(tag) for tag in HASHTAG.findall(plain_text(text)))
    return [tag for tag in tags if fold(tag).replace(" ", "") not in _META_TAGS]


def _words(text: str) -> str:
    return tidy(HASHTAG.sub(lambda m: _tag_words(m[1]), text) if "#" in text else text)


def _tag_words(tag: str) -> str:
    return " ".join(_CAMEL.sub(" ", tag).split())


# --- text --------------------------------------------------------------------------------------


def plain_text(text: str) -> str:
    text = text or ""
    if "<" in text:
        text = _TAG.sub("", _BLOCK_TAG.sub("\n", text))
    if "&" in text:
        text = html.unescape(text)
    return _NOISE.sub(" ", text) if "@" in text or _DOT_WORD.search(text) else text


def _accents() -> dict[int, str]:
    # One character for one, so that positions found in the folded text cut the original.
    table = {0x2018: "'", 0x2019: "'", 0x0130: "i"}
    for code in range(0xC0, 0x250):
        base = unicodedata.normalize("NFD", chr(code))[0]
        if base != chr(code) and base.isascii():
            table[code] = base
    return table


_ACCENTS = _accents()


def fold(text: str) -> str:
    return text.lower() if text.isascii() else text.translate(_ACCENTS).lower()


def tidy(text: str) -> str:
    return " ".join(text.split()).strip(_EDGE)


def has_letters(text: str) -> bool:
    return LETTER.search(text) is not None


def _short(text: str, words: int = _MAX_FACT_WORDS) -> bool:
    return len(text.split()) <= words and len(text) <= 12 * words


def unique(facts: Iterable[Fact]) -> list[Fact]:
    """First of each, by its words without case or accents; a thread never hides an interest."""
    seen: set[tuple[bool, str]] = set()
    kept = []
    for fact in facts:
        key = (fact.kind is FactKind.OPEN_THREAD, " ".join(_WORD.findall(fold(fact.text))))
        if key[1] and key not in seen:
            seen.add(key)
            kept.append(fact)
    return kept
