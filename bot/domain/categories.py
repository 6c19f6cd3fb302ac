"""What kind of message a person sent: it decides whether and how to answer.

Cheap, explainable cues in Spanish and English. The order matters: a request to stop wins over
everything, then the person's own pitch, then the shape of the message. A request ("¿me pasas las
diapositivas?", "could you share the slides?") is its own class, ahead of questions: it asks for
something to be given, not said, and a reply either gives it or says plainly that it cannot yet.
"""

from __future__ import annotations

import re
import unicodedata
from enum import Enum


class Category(str, Enum):
    OPT_OUT = "opt_out"
    PITCH = "pitch"  # their own pitch or spam
    QUESTION = "question"
    REQUEST = "request"  # asks for something: a resource, a link, a recommendation to be sent
    THANKS = "thanks"  # thanks or a compliment
    COMPLAINT = "complaint"
    NEWS = "news"  # something they are doing or that happened to them
    OPINION = "opinion"


# Phones type typographic apostrophes: "don’t" must read as "don't".
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2032": "'"})


def _fold(text: str) -> str:
    """Lower case without accents or @mentions, for matching cues."""
    text = unicodedata.normalize("NFKD", text.lower().translate(_APOSTROPHES))
    # Only non-ASCII runs can hold combining marks: a long, mostly ASCII text is not walked
    # character by character.
    text = _NON_ASCII.sub(_without_marks, text)
    return re.sub(r"@[\w.@-]+", " ", text)


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _without_marks(run: re.Match[str]) -> str:
    return "".join(ch for ch in run.group() if not unicodedata.combining(ch))


_OPT_OUT = re.compile(
    # "¡Basta ya!" alone answers us; ending a complaint about someone else, it does not.
    r"^\W*(stop|unsubscribe|para|basta)( ya)?\W*$"
    r"|\bunsubscribe\b|\bleave me alone\b|\bopt[ -]?out\b"
    r"|\bstop (messaging|writing to|replying to|tagging|mentioning|contacting|sending me|bothering)\b"
    r"|\b(do not|don'?t|dont) (message|write to|reply to|contact|tag|mention|dm) me\b"
    r"|\bno me (escribas|escribais|escriban|mandes|mandeis|menciones|mencioneis|contestes|etiquetes|hables)\b"
    r"|\bno me (vuelvas|volvais|vuelvan) a (escribir|mandar|mencionar|contestar|etiquetar|hablar)\b"
    r"|^\W*(please )?stop( it| please| now)?\W*$|\bplease stop\b"
    r"|\bdejame en paz\b|\bdejadme en paz\b|\bdejenme en paz\b"
    r"|\b(deja|dejad|para|parad)( ya)? de (escribirme|mencionarme|mandarme|etiquetarme|contestarme)\b"
    r"|\bno quiero (recibir )?(mas )?(mensajes|respuestas)\b|\bdarme de baja\b"
)
_QUESTION = re.compile(
    r"[?¿]|^\s*(what|how|why|when|where|who|which|do you|did you|have you|are you|can you|could you|would you)\b"
    r"|^\s*(que|como|por que|cuando|donde|quien|cual|sabes|conoces|has|tienes|puedes|podrias)\b"
)
_REQUEST = re.compile(
    r"\b(can|could|would|will) (you|u) (please |kindly )?(send|share|pass|forward|post|give|lend|link|email|dm|drop)\b"
    r"|\b(please|pls|plz) (send|share|forward|post|link|pass|drop)\b|^\W*(send|share|forward) me\b"
    r"|\b(would|do) you mind (sending|sharing|posting|forwarding|linking)\b"
    r"|\bwhere can i (find|get|download|read|see|watch)\b|\bis there a (link|copy|recording|video) (of|to|for)\b"
    r"|\b(podrias|puedes|podeis|podria|puede|podrian|pudieras) (pasar|mandar|enviar|compartir|dejar|prestar|subir)"
    r"(me|nos|melo|mela|melos|melas|noslo|nosla|noslos|noslas)?\b"
    r"|\b(me|nos) (pasas|mandas|envias|compartes|dejas|prestas|pasais|mandais|enviais|pasarias|mandarias)\b"
    r"|\b(pasame|mandame|enviame|compartenos|pasanos|mandanos|envianos|comparteme)\b"
    r"|\bpor favor,? (pasa|manda|envia|comparte)\b|\bdonde (puedo|podria|se puede|se pueden) "
    r"(encontrar|descargar|leer|ver)\b|\bhay (un )?(enlace|link|video|grabacion) (de|del|a)\b"
)
_THANKS = re.compile(
    r"\b(thanks?|thank you|thx|ty|cheers|grateful|appreciate|great (post|thread|point|read|idea)"
    r"|love (this|it|that)|well said|so good|brilliant|awesome|congrats|congratulations"
    r"|gracias|mil gracias|agradezco|agradecid[oa]|me encanta|genial|buenisim[oa]|que bueno"
    r"|enhorabuena|felicidades|felicitaciones|bien dicho|gran (hilo|post|idea))\b"
)
_COMPLAINT = re.compile(
    r"\b(doesn'?t work|does not work|broken|terrible|awful|disappointed|disappointing|annoying|useless"
    r"|worst|frustrat\w*|complain\w*|not happy|unacceptable"
    r"|no funciona|roto|fatal|horrible|decepcion\w*|molest[oa]|molesta|inutil|queja|harto|harta"
    r"|inaceptable|vergonzoso|un desastre)\b"
)
_NEWS = re.compile(
    r"\b(i just|i'?ve just|i'?m starting|i started|i'?m moving|we'?re moving|i got|we got|i finished"
    r"|i'?m training|i'?m running|i'?m launching|we launched|happy to share|excited to|big news"
    r"|my (daughter|son|kid|wife|husband|partner)|next week|this weekend|on (monday|tuesday|wednesday"
    r"|thursday|friday|saturday|sunday)"
    r"|acabo de|empiezo|empece|he empezado|me mudo|nos mudamos|he terminado|termine|estoy preparando"
    r"|estoy entrenando|os cuento|les cuento|te cuento|por fin|mi (hija|hijo|mujer|marido|pareja)"
    r"|la semana que viene|la proxima semana|este finde|este fin de semana|el (lunes|martes|miercoles"
    r"|jueves|viernes|sabado|domingo))\b"
)


def categorize(text: str, *, is_pitch: bool = False) -> Category:
    """The message's category; `is_pitch` comes from the pitch detector."""
    folded = _fold(text)
    if _OPT_OUT.search(folded):
        return Category.OPT_OUT
    if is_pitch:
        return Category.PITCH
    if _COMPLAINT.search(folded):
        return Category.COMPLAINT
    if _REQUEST.search(folded):
        return Category.REQUEST
    if _QUESTION.search(folded):
        return Category.QUESTION
    if _NEWS.search(folded):
        return Category.NEWS
    if _THANKS.search(folded):
        return Category.THANKS
    return Category.OPINION


def is_request(text: str) -> bool:
    """It asks for something to be sent or shared ("¿me pasas el enlace?", "could you share it?")."""
    return bool(_REQUEST.search(_fold(text)))


def is_opt_out(text: str) -> bool:
    return bool(_OPT_OUT.search(_fold(text)))
