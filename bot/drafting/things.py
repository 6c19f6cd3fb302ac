"""The thing a statement names, for a reply to name back ("lo de la mesa de nogal", "sorry about
the course"), found with plain word lists, no model.

First a noun phrase from its article or possessive on, whose words stop at a verb, a pronoun, a
conjunction, an adverb or a time word; without one, a proper name said mid-sentence ("goodbye to
Biscuit"), the subject before "is/es" ("Take-home tests are..."), or the bare noun phrase after a
preposition ("waiting on test results").
"""

from __future__ import annotations

import re

MAX_THING_WORDS = 6

_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)

DETERMINERS = {"es": {"el", "la", "los", "las", "un", "una", "mi", "mis", "tu", "tus", "nuestro", "nuestra",
                      "nuestros", "nuestras", "del", "al", "aquel", "aquella", "aquellos", "aquellas", "ese",
                      "esa", "esos", "esas", "medio", "media"},
               "en": {"the", "my", "our", "a", "an", "your", "that", "those", "his", "their", "its"}}
# Their "my" is the reply's "your", and their "your" (the owner's) is the reply's "my".
_TOWARD_THEM = {"es": {"mi": "tu", "mis": "tus", "nuestro": "vuestro", "nuestra": "vuestra",
                       "nuestros": "vuestros", "nuestras": "vuestras", "al": "el", "del": "el",
                       "tu": "mi", "tus": "mis", "un": "el", "una": "la"},
                "en": {"my": "your", "our": "your", "your": "my", "a": "the", "an": "the"}}
_POSSESSIVE = {"my", "our", "your", "mi", "mis", "tu", "tus", "nuestro", "nuestra", "nuestros", "nuestras"}
TIME = set("sábado sabado domingo lunes martes miércoles miercoles jueves viernes semana finde fin año mes "
           "día dia mañana tarde noche verano invierno rato saturday sunday monday tuesday wednesday thursday "
           "friday week weekend year month day morning evening night summer winter time while spring autumn fall "
           "primavera otoño enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
           "diciembre january february march april may june july august september october november december"
           .split())
CLITICS = {"me", "te", "se", "nos", "os", "lo", "le", "les"}  # "me la leí": "la" is no article there
# Where a noun phrase ends: a verb, a conjunction, a pronoun, an adverb, a time word.
PHRASE_ENDS = set(
    "que porque pero y aunque cuando si pues ya es son está están era fue ha han he hemos tiene tienen "
    "este esta hoy ayer mañana por para con desde hasta "
    "that because but and when if is are was were has have had will today yesterday tomorrow this "
    "for with from since it".split()
)
# Also ends a phrase, though no content word is left out for them (see `content_words`).
_STOPS = set(
    "i you we they he she who whom which what where how would could should can might must may shall do "
    "does did got get gets goes went made makes happens happened still just really so very also already "
    "never always only even more less too not no next last as than nothing something anything "
    "everything nada algo todo nadie starts begins opens closes launches empieza empiezan comienza "
    "comienzan abre cierra "
    "yo tú él ella nosotros vosotros ellos ellas quien quién donde dónde como cómo qué cual cuál va van "
    "fueron sigue siguen hay había será sería puede pueden parece muy más menos tan solo sólo aún "
    "todavía nunca siempre también no próximo próxima".split()
)
_NUMBERS = set("one two three four five six seven eight nine ten dos tres cuatro cinco seis siete ocho nueve "
               "diez".split())
# Never the head right after an article: "the one who...", "for a while", "la del taller".
_NOT_HEADS = set("one ones other same rest uno otro otra otros otras mismo misma demás".split())
# Spanish adjectives said before the noun: "mi primera media maratón", "el mejor café".
_BEFORE_NOUN = set("primer primera primeros primeras primero segundo segunda último última últimos últimas "
                   "mejor mejores peor peores gran grandes buen buena buenos buenas mal mala nuevo nueva "
                   "nuevos nuevas medio media viejo vieja antiguo antigua pequeño pequeña".split())
# Endings of Spanish adjectives and participles said after the noun: "la IA generativa",
# "las reuniones diarias", "el software libre", "el código abierto".
_ADJECTIVE_ENDINGS = re.compile(r"(ad|id|iv|os|ic|ari|ert|ech|ist)[oa]s?$|(al|ar|ble|ente|ante)(es|s)?$|libres?$")
_PREPOSITIONS = {"es": {"de", "del", "en", "sobre"}, "en": {"of", "on", "about", "in"}}
_BARE_AFTER = {"es": {"sobre"}, "en": {"on", "about", "of", "for", "with"}}  # "de", "en": often a verb follows
_PARTICLES = set("up down out on off in at to over back".split())
_COPULAS = set("is are was were es son era eran fue fueron está están".split())


def words(text: str) -> list[str]:
    return [w.strip("'’-") for w in _WORD.findall(text) if w.strip("'’-")]


def named_thing(sentence: str, language: str) -> str | None:
    """What the statement names, turned toward them: "Por fin cosechamos las calabazas del
    balcón" -> "las calabazas del balcón"; "vi tu charla" -> "mi charla". Time words ("el
    sábado") are not things."""
    said = words(sentence)
    return (_determined(said, language) or _proper_name(said) or _copula_subject(said)
            or _after_preposition(said, language))


def _determined(said: list[str], language: str) -> str | None:
    determiners = DETERMINERS.get(language, set())
    for i, word in enumerate(said):
        if word.casefold() not in determiners or (i and said[i - 1].casefold() in CLITICS):
            continue
        phrase = _phrase_from(said, i, language)
        if len(phrase) >= 2 and _head_word(phrase[1], language):
            return " ".join(_turned(phrase, language))
    return None


def _head_word(word: str, language: str) -> bool:
    low = word.casefold()
    return not (low in TIME or low in _NOT_HEADS or low in _STOPS or low in PHRASE_ENDS
                or low in DETERMINERS.get(language, set()) or low in _PREPOSITIONS.get(language, set()))


def _ends(said: list[str], j: int, run: int) -> bool:
    """Whether `said[j]` ends the phrase: always at a verb or pronoun; after its first word, also
    at a number, a contraction, a past form ("the venue cancelled") or "-ing" before a particle."""
    low = said[j].casefold()
    if low in PHRASE_ENDS or low in _STOPS:
        return True
    if run == 0:
        return False
    following = said[j + 1].casefold() if j + 1 < len(said) else ""
    return (low in _NUMBERS or "'" in low or "’" in low or (len(low) >= 5 and low.endswith("ed"))
            or (low.endswith("ing") and (not following or following in _PARTICLES)))


def _phrase_from(said: list[str], start: int, language: str) -> list[str]:
    """Determiner, a run of words (one in Spanish, whose adjectives follow, after any said before
    the noun; up to three in English, whose adjectives come first), then "de/of ..." complements,
    at most `MAX_THING_WORDS`."""
    run_limit = 1 if language == "es" else 3
    prepositions = _PREPOSITIONS.get(language, set())
    determiners = DETERMINERS.get(language, set())
    phrase, run = [said[start]], 0
    for j in range(start + 1, len(said)):
        low = said[j].casefold()
        if len(phrase) >= MAX_THING_WORDS or _ends(said, j, run):
            break
        if low in prepositions:
            run = 0
        elif language == "es" and run == 0 and low in _BEFORE_NOUN:
            pass
        elif language == "es" and run == 1 and _ADJECTIVE_ENDINGS.search(low) and len(low) >= 5:
            run += 1
        elif low in determiners:
            if phrase[-1].casefold() not in prepositions:
                break
        elif run >= run_limit:
            break
        else:
            run += 1
        phrase.append(said[j])
    while len(phrase) > 1 and phrase[-1].casefold() in prepositions | determiners:
        phrase.pop()
    return phrase


def _turned(phrase: list[str], language: str) -> list[str]:
    toward = _TOWARD_THEM.get(language, {})
    first = phrase[0].casefold()
    return [toward.get(first, first), *(toward.get(w.casefold(), w) if w.casefold() in _POSSESSIVE else w
                                         for w in phrase[1:])]


def _plain(word: str) -> bool:
    low = word.casefold()
    return not (low in PHRASE_ENDS or low in _STOPS or low in TIME or low in _NUMBERS or low in CLITICS
                or low in _NOT_HEADS or "'" in word or "’" in word)


def _proper_name(said: list[str]) -> str | None:
    """Capitalised words after the first: a name they said ("goodbye to Biscuit")."""
    for i in range(1, len(said)):
        if said[i][:1].isupper() and said[i] != "I" and _plain(said[i]):
            name = [said[i]]
            for word in said[i + 1:i + 3]:
                if not (word[:1].isupper() and _plain(word)):
                    break
                name.append(word)
            return " ".join(name)
    return None


def _copula_subject(said: list[str]) -> str | None:
    """The words before "is/are/es/son" that start the statement: "Take-home tests are..."."""
    for k in range(1, 4):
        if k < len(said) and said[k].casefold() in _COPULAS:
            subject = said[:k]
            if all(_plain(w) for w in subject) and any(len(w) >= 4 for w in subject):
                return " ".join(_lower_first(subject))
            return None
    return None


def _after_preposition(said: list[str], language: str) -> str | None:
    """A bare noun phrase after "on/about/sobre...": "waiting on test results" -> "test results"."""
    for i, word in enumerate(said[:-1]):
        if word.casefold() not in _BARE_AFTER.get(language, set()):
            continue
        phrase = []
        for following in said[i + 1:i + 4]:
            low = following.casefold()
            if not _plain(following) or low in DETERMINERS.get(language, set()) \
                    or low in _PREPOSITIONS.get(language, set()) | _BARE_AFTER.get(language, set()):
                break
            phrase.append(following)
        if phrase and any(len(w) >= 4 for w in phrase) and not phrase[0].casefold().endswith("ing"):
            return " ".join(_lower_first(phrase))
    return None


def _lower_first(phrase: list[str]) -> list[str]:
    first = phrase[0]
    return [first[:1].lower() + first[1:] if first[1:].islower() else first, *phrase[1:]]
