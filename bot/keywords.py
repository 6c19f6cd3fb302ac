"""The topics of a message: its key phrases, to remember what a person talks about.

YAKE scores candidate phrases from the text alone (frequency, position, casing, spread), with no
model or corpus to fetch, so the same text always gives the same topics. Its Spanish and English
stop-word lists ship inside the package. It is imported on first use: the CLI stays quick to start.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from bot.domain.subjects import subject
from bot.errors import RapportError

_MAX_WORDS = 3
_CANDIDATES_PER_TOPIC = 4  # YAKE's list is filtered afterwards; ask for enough to fill `limit`

# A handle names an account, a link is not a word they said, and a number is not a topic.
_NOISE = re.compile(
    r"https?://\S+|www\.\S+|\S+@[\w-]+(?:\.[\w-]+)+|(?<![\w@])@[\w.-]+(?:@[\w-]+(?:\.[\w-]+)+)?"
    r"|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|io|dev|app|social|me|es|eu|uk|de|fr|info|xyz|co)\b\S*"
    r"|(?<!\w)\d[\d.,:/%'’-]*\w*"
)
_HASH_SIGN = re.compile(r"(?<![\w&])#(?=\w)")
_TOPIC = re.compile(r"[^\W\d_][\w'’-]*(?: [^\W\d_][\w'’-]*){0,2}")
# The one stop word a three-word subject may hold, in its middle: "taller de cerámica", "statements of work".
_LINKS = frozenset("de del of for para".split())

# Words YAKE's lists lack that are never what a message is about: when, greetings, cheering.
_CHATTER = frozenset(
    "today tomorrow yesterday tonight week weeks weekend day days month months year years morning "
    "night thanks thank lol haha yeah hey hello hi ok okay mañana hoy ayer semana semanas finde día "
    "días mes meses año años noche viene gracias hola jaja jajaja jeje vale great nice awesome cool "
    "amazing genial guay finally just".split()
)


def topics(text: str, language: str | None, limit: int = 3) -> list[str]:
    """Up to `limit` key phrases of one or two words, best first, as written in `text`.

    `language` picks the stop words ("es", "en", "es-AR"...); unknown or None uses Spanish and
    English together, since an untagged message here is most likely one of the two.
    """
    # A comma where the noise was keeps "mira <link> Python" from becoming the phrase "mira Python".
    cleaned = _HASH_SIGN.sub("", _NOISE.sub(" , ", text or ""))
    if limit <= 0 or not any(c.isalpha() for c in cleaned):
        return []
    stop_words = _stop_words(_base(language))
    extractor = _yake().KeywordExtractor(
        lan=_base(language) or "en", n=_MAX_WORDS, top=limit * _CANDIDATES_PER_TOPIC,
        stopwords=stop_words, dedup_lim=0.7,
    )
    chosen: list[str] = []
    for phrase, _score in extractor.extract_keywords(cleaned):
        # Only what names a subject (`subjects`): not "sábado", "triste", "te apuntas" or "reply".
        kept = subject(phrase, cleaned, language) if _is_topic(phrase, stop_words) else None
        if kept and not _overlaps(kept, chosen):
            chosen.append(kept)
    return chosen[:limit]


def _is_topic(phrase: str, stop_words: frozenset[str]) -> bool:
    words = phrase.casefold().split()
    inner = [words[0], words[2]] if len(words) == 3 and words[1] in _LINKS else words
    return bool(_TOPIC.fullmatch(phrase)) and len(phrase) >= 3 and not any(w in stop_words for w in inner)


def _overlaps(phrase: str, chosen: list[str]) -> bool:
    """"sourdough" adds nothing after "sourdough starter", nor the other way round."""
    words = set(phrase.casefold().split())
    return any(words <= set(c.casefold().split()) or set(c.casefold().split()) <= words for c in chosen)


def _base(language: str | None) -> str | None:
    base = (language or "").split("-")[0].split("_")[0].lower()
    return base if len(base) == 2 else None


@cache
def _stop_words(language: str | None) -> frozenset[str]:
    yake = _yake()
    languages = (language,) if language else ("es", "en")
    lists = (yake.KeywordExtractor(lan=code).stopword_set for code in languages)
    return frozenset(word for words in lists for word in words if word) | _CHATTER


def _yake() -> Any:
    try:
        import yake
    except ImportError as error:  # a hard dependency: a broken install, not a missing feature
        raise RapportError(
            "topic extraction needs the 'yake' package, which is missing: reinstall rapport"
        ) from error
    return yake
