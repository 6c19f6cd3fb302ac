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
from bot.drafting.things import PHRASE_ENDS as _PHRASE_ENDS
from bot.drafting.things import named_thing, words

MAX_SUBJECT_WORDS = 8
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

OWNER_WORDS = {"mi", "mis", "my"}  # a thing turned toward the owner: "mi charla", "my thread"


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


def content_words(text: str) -> list[str]:
    """Folded words that carry meaning: no frame, no articles, nothing under four letters."""
    found = []
    for word in _WORD.findall(fold(text).plain):
        if len(word) >= 4 and word not in _LEAD and word not in _ASKING and word not in _TAIL \
                and word not in _PHRASE_ENDS and word not in found:
            found.append(word)
    return found


def _words(text: str) -> list[str]:
    return words(text)
