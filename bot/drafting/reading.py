"""What a message says, sentence by sentence: what it asks (questions and requests, each with its
subject in the person's own words) and the thing its statements name, for a reply to respond to.

Plain cues, no model: a sentence with a question mark asks; a request ("¿me pasas...?", "could
you share...") asks for something to be given. The subject is the asked sentence without its
frame ("¿sabes de algún club de ciclismo por Zaragoza?" -> "club de ciclismo por Zaragoza").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.categories import is_request
from bot.domain.normalize import fold

MAX_SUBJECT_WORDS = 8
MAX_THING_WORDS = 6
MAX_ASKS = 2

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\s+(?=[¿¡])|\n+")
_NOISE = re.compile(r"https?://\S+|(?<![\w@])@[\w.@-]+|(?<!\w)#\w+")
_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)

# Openers said before the point: "Oye,", "Hola,", "By the way".
_CHATTER = set("oye hola hey hi hello buenas bueno pues y and so also btw ey anyway ah oh vale ok okay "
               "porcierto tambien".split())
# The frame of a question, dropped from where the subject starts: question words, auxiliaries,
# "you", asking verbs, and the article or preposition before the thing asked about.
_LEAD = set(
    "what what's whats which who how why when where whose are is am was were do does did have has had can "
    "could would will should shall you u still looking for keep know any a an the some of about to into "
    "get got ever really also currently by chance "
    "tal que qué cual cuál cuales cuáles quien quién como cómo cuando cuándo donde dónde por porque cuanto "
    "cuánto cuanta cuánta es son está estás estas tienes tiene tenéis teneis hay sabes sabéis sabeis conoces "
    "conocéis conocen has habéis habeis sigues seguís seguis buscando de del algún algun alguna algunos "
    "algunas el la los las un una unos unas tú tu usted vosotros vos al a en sobre acerca".split()
)
# Words that frame the asking wherever they stand: "which book would you recommend ..." asks about a book.
_ASKING = set(
    "you u would could can will please pls recommend suggest know think opinion recomiendas recomendarías "
    "recomendarias recomiendes sugieres sabes conoces opinas piensas crees podrías podrias puedes podéis "
    "podeis pasarme mandarme enviarme compartir compartirme pasar mandar enviar me te nos tú usted favor "
    "send share pass forward link pasas mandas envías envias compartes dejas prestas pásame pasame mándame "
    "mandame envíame enviame compárteme comparteme".split()
)
# Said with the question or in it, never its subject.
_TAIL = set("algo anything something ahora now lately últimamente ultimamente".split())
_QUESTION_WORDS = set("what which who how why when where whose que qué cual cuál cuales cuáles quien quién "
                      "como cómo cuando cuándo donde dónde cuanto cuánto cuanta cuánta adonde adónde".split())

_DETERMINERS = {"es": {"el", "la", "los", "las", "un", "una", "mi", "mis", "tu", "tus", "nuestro", "nuestra",
                       "nuestros", "nuestras", "del", "al", "aquel", "aquella", "aquellos", "aquellas", "ese",
                       "esa", "esos", "esas"},
                "en": {"the", "my", "our", "a", "an", "your", "that", "those"}}
# Their "my" is the reply's "your", and their "your" (the owner's) is the reply's "my".
_TOWARD_THEM = {"es": {"mi": "tu", "mis": "tus", "nuestro": "vuestro", "nuestra": "vuestra",
                       "nuestros": "vuestros", "nuestras": "vuestras", "al": "el", "del": "el",
                       "tu": "mi", "tus": "mis", "un": "el", "una": "la"},
                "en": {"my": "your", "our": "your", "your": "my", "a": "the", "an": "the"}}
_POSSESSIVE = {"my", "our", "your", "mi", "mis", "tu", "tus", "nuestro", "nuestra", "nuestros", "nuestras"}
OWNER_WORDS = {"mi", "mis", "my"}  # a thing turned toward the owner: "mi charla", "my thread"
_TIME = set("sábado sabado domingo lunes martes miércoles miercoles jueves viernes semana finde fin año mes "
            "día dia mañana tarde noche verano invierno saturday sunday monday tuesday wednesday thursday "
            "friday week weekend year month day morning evening night summer winter time".split())
_CLITICS = {"me", "te", "se", "nos", "os", "lo", "le", "les"}  # "me la leí": "la" is no article there
# Where a noun phrase ends: a verb, a conjunction, a time word.
_PHRASE_ENDS = set(
    "que porque pero y aunque cuando si pues ya es son está están era fue ha han he hemos tiene tienen "
    "este esta hoy ayer mañana por para con desde hasta "
    "that because but and when if is are was were has have had will today yesterday tomorrow this "
    "for with from since it".split()
)
_PREPOSITIONS = {"es": {"de", "del", "en", "sobre"}, "en": {"of", "on", "about", "in"}}


@dataclass(frozen=True)
class Ask:
    """A question or request in the message."""

    kind: str  # question or request
    sentence: str
    subject: str  # what it asks about, in their words ("reading list"); "" when nothing is left
    yes_no: bool  # "do you...?" rather than "what...?"

    def subject_words(self) -> list[str]:
        """The subject's folded content words, the head first."""
        return content_words(self.subject)


@dataclass(frozen=True)
class Reading:
    asks: tuple[Ask, ...]
    statements: tuple[str, ...]  # the sentences that tell something (news, thanks, an opinion)
    thing: str | None  # what the statements name, turned toward them ("las calabazas del balcón")


def read(text: str, language: str) -> Reading:
    asks: list[Ask] = []
    statements: list[str] = []
    for sentence in sentences(text):
        ask = _ask(sentence)
        if ask is not None:
            if len(asks) < MAX_ASKS:
                asks.append(ask)
        elif _words(sentence) and not all(w.casefold() in _CHATTER for w in _words(sentence)):
            statements.append(sentence)
    thing = next((t for s in statements if (t := named_thing(s, language))), None)
    return Reading(tuple(asks), tuple(statements), thing)


def sentences(text: str) -> list[str]:
    clean = _NOISE.sub(" ", text)
    return [" ".join(part.split()) for part in _SENTENCE_END.split(clean) if part and part.strip(" .,;:!¡")]


def _ask(sentence: str) -> Ask | None:
    request = is_request(sentence)
    if not request and "?" not in sentence and "¿" not in sentence:
        return None
    words = _words(sentence)
    while words and words[0].casefold() in _CHATTER:
        words = words[1:]
    yes_no = not words or words[0].casefold() not in _QUESTION_WORDS
    return Ask("request" if request else "question", sentence, subject_of(words), yes_no)


def subject_of(words: list[str]) -> str:
    """The asked sentence without its frame, at most `MAX_SUBJECT_WORDS` words."""
    rest = [w for w in words if w.casefold() not in _ASKING]
    while rest and rest[0].casefold() in _LEAD | _CHATTER:
        rest = rest[1:]
    while len(rest) > 1 and rest[-1].casefold() in _LEAD:
        rest = rest[:-1]
    return " ".join(rest[:MAX_SUBJECT_WORDS])


def named_thing(sentence: str, language: str) -> str | None:
    """The first noun phrase a statement names, from its article or possessive on, turned toward
    them: "Por fin cosechamos las calabazas del balcón" -> "las calabazas del balcón"; "vi tu
    charla" -> "mi charla". Time words ("el sábado") are not things."""
    words = _words(sentence)
    determiners = _DETERMINERS.get(language, set())
    for i, word in enumerate(words):
        if word.casefold() not in determiners or (i and words[i - 1].casefold() in _CLITICS):
            continue
        phrase = _phrase_from(words, i, language)
        if len(phrase) >= 2 and phrase[1].casefold() not in _TIME:
            return " ".join(_turned(phrase, language))
    return None


def _phrase_from(words: list[str], start: int, language: str) -> list[str]:
    """Determiner, a run of words (one in Spanish, whose adjectives follow; up to three in
    English, whose adjectives come first), then "de/of ..." complements, at most `MAX_THING_WORDS`."""
    run_limit = 1 if language == "es" else 3
    prepositions = _PREPOSITIONS.get(language, set())
    determiners = _DETERMINERS.get(language, set())
    phrase, run = [words[start]], 0
    for word in words[start + 1:]:
        low = word.casefold()
        if len(phrase) >= MAX_THING_WORDS or low in _PHRASE_ENDS:
            break
        if low in prepositions:
            run = 0
        elif low in determiners:
            if phrase[-1].casefold() not in prepositions:
                break
        elif run >= run_limit:
            break
        else:
            run += 1
        phrase.append(word)
    while len(phrase) > 1 and phrase[-1].casefold() in prepositions | determiners:
        phrase.pop()
    return phrase


def _turned(phrase: list[str], language: str) -> list[str]:
    toward = _TOWARD_THEM.get(language, {})
    first = phrase[0].casefold()
    return [toward.get(first, first), *(toward.get(w.casefold(), w) if w.casefold() in _POSSESSIVE else w
                                         for w in phrase[1:])]


def content_words(text: str) -> list[str]:
    """Folded words that carry meaning: no frame, no articles, nothing under four letters."""
    found = []
    for word in _WORD.findall(fold(text).plain):
        if len(word) >= 4 and word not in _LEAD and word not in _ASKING and word not in _TAIL \
                and word not in _PHRASE_ENDS and word not in found:
            found.append(word)
    return found


def _words(text: str) -> list[str]:
    return [w.strip("'’-") for w in _WORD.findall(text) if w.strip("'’-")]
