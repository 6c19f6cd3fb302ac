"""Guess a message's language when the platform did not tag it.

py3langid decides: a naive Bayes model over byte n-grams whose model ships inside the wheel,
so nothing is downloaded and the same text always gets the same answer. Its n-gram statistics
are weak on a handful of words ("thanks!" comes out as Xhosa), so for short texts a count of
Spanish and English function words breaks the tie, provided the model ranks that language
among its top candidates. The model is imported on first use to keep the CLI quick to start.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import cache
from typing import Any

_MIN_LETTERS = 3  # "ok", "lol" and emoji carry no usable evidence
_SHORT_TEXT_WORDS = 6
_TOP_CANDIDATES = 5
_NOISE = re.compile(r"https?://\S+|www\.\S+|(?<!\w)[@#][\w.@-]+")
_WORD = re.compile(r"[^\W\d_]+")

# Words frequent in one language and rare in the other, accents included: "qué" and "aquí" are
# Spanish where "que" and "aqui" could be Portuguese. Words shared with Portuguese, Italian or
# Catalan ("de", "que", "mi") are left out; the top-candidates check covers the rest.
_SPANISH = frozenset(
    "el los las y del al es son unos unas muy pero están este esto eso hay ya también gracias "
    "hola jaja jajaja jeje bueno buena buenos buenas mucho muchas muchos cuando donde quién yo "
    "usted ustedes vosotros nosotros qué cómo cuándo dónde sí aquí allí día días más "
    "pues vale chévere genial".split()
)
_ENGLISH = frozenset(
    "the and you your this that is are was were be been it its of to in on at for with my "
    "me we they he she what how why who when thanks thank love so just not have has had do "
    "does did can will would good nice cool same here there lol yes".split()
)


def guess_language(text: str) -> str | None:
    """An ISO 639-1 code ("es", "en", ...) for `text`, or None when there is too little text."""
    cleaned = _NOISE.sub(" ", text)
    if sum(char.isalpha() for char in cleaned) < _MIN_LETTERS:
        return None
    ranked = [language for language, _ in _identifier().rank(cleaned)[:_TOP_CANDIDATES]]
    return _function_word_choice(cleaned, ranked) or ranked[0]


def _function_word_choice(text: str, candidates: list[str]) -> str | None:
    words = _WORD.findall(unicodedata.normalize("NFKC", text).casefold())
    if not words or len(words) > _SHORT_TEXT_WORDS:
        return None
    spanish = sum(word in _SPANISH for word in words)
    english = sum(word in _ENGLISH for word in words)
    if spanish == english:
        return None
    choice = "es" if spanish > english else "en"
    return choice if choice in candidates else None


@cache
def _identifier() -> Any:
    """Mapped from unpacked files when there is a cache folder (`bot.model_files`), else loaded."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    from bot.language_files import mapped_two_letter_identifier
    from bot.language_model import load_two_letter_identifier

    try:
        mapped = mapped_two_letter_identifier(MODEL_DIR / MODEL_FILE)
    except (OSError, ValueError) as error:  # unreadable unpacked files: the model itself still loads
        logging.getLogger(__name__).warning("the language model's unpacked files cannot be read (%s):"
                                            " loading it into memory instead", error)
        mapped = None
    return mapped if mapped is not None else load_two_letter_identifier(MODEL_DIR / MODEL_FILE)


_MIN_JUDGED_LETTERS = 12  # below this a wrong verdict is likelier than a right one


def is_written_in(text: str, language: str) -> bool | None:
    """Whether `text` reads as `language` (a base code: "es", "en"); None when it is too short
    to tell. Lenient with close neighbours: it answers False only when another language clearly
    wins, so that a short Spanish reply the model ranks as Galician still passes."""
    cleaned = _NOISE.sub(" ", text)
    if sum(char.isalpha() for char in cleaned) < _MIN_JUDGED_LETTERS:
        return None
    ranked = _identifier().rank(cleaned)[:_TOP_CANDIDATES]
    choice = _function_word_choice(cleaned, [code for code, _ in ranked])
    if choice is not None:
        return choice == language
    best, best_probability = ranked[0]
    return best == language or dict(ranked).get(language, 0.0) >= best_probability / 4
