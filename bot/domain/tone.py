"""The tone of what someone wrote, so that a reply answers in kind.

Bad news gets no cheerful opener, and a worry or a loss gets no follow-up about a race. Rule
based and explainable, Spanish and English read together (platforms mislabel short posts), on
the folded text (`normalize.fold`: lower case, accents off, look-alikes mapped), with the
content warning read too: people put sad news behind one.

The cues, in the order they win when a message holds several:

1. sad: a death or a loss ("died", "passed away", "se murió", "falleció", "hemos perdido a"),
   grief ("funeral", "luto", "DEP"), sadness said ("heartbroken", "triste", "qué pena"), bad news
   ("sadly", "por desgracia", "malas noticias"), losing a job or a partner ("laid off",
   "me han despedido", "divorcio"), and 😢 😭 💔.
2. worried: fear or nerves ("worried", "nervous", "preocupada", "agobiado", "me da miedo"),
   waiting on health ("in hospital", "biopsy", "urgencias", "me operan"), and 😟 😰 😬.
3. complaint: annoyance ("fed up", "frustrating", "harta", "una vergüenza"), something that
   fails ("doesn't work", "no funciona", "still waiting", "sigo esperando"), and 😡 😤.
4. happy_news: something good happened ("good news", "I got the job", "aprobé", "nos casamos",
   "so happy", "qué alegría"), and 🎉 🥳.
5. neutral: none of these.

A cue right after a negation ("not worried", "no estoy triste", "don't worry") does not count,
nor do set phrases that only look like one ("no worries", "vale la pena", "dead simple").
"""

from __future__ import annotations

import re
from enum import Enum

from bot.domain.normalize import fold


class Tone(str, Enum):
    NEUTRAL = "neutral"
    HAPPY_NEWS = "happy_news"
    SAD = "sad"
    WORRIED = "worried"
    COMPLAINT = "complaint"

    @property
    def heavy(self) -> bool:
        """A loss, a worry or a grievance: no cheer and no small-talk follow-up in the answer."""
        return self in (Tone.SAD, Tone.WORRIED, Tone.COMPLAINT)


def _cues(*alternatives: str) -> re.Pattern[str]:
    words = [a for a in alternatives if a.isascii()]
    symbols = [re.escape(a) for a in alternatives if not a.isascii()]  # emoji: no word boundary
    pattern = r"\b(?:%s)\b" % "|".join(words)
    return re.compile(pattern + ("|" + "|".join(symbols) if symbols else ""))


_SAD = _cues(
    # a death or a loss
    r"died", r"passed away", r"passed on", r"lost (?:my|our|his|her|their)",
    r"death", r"funeral", r"grie(?:f|ving|ve)", r"mourn(?:ing)?", r"rip", r"put (?:him|her) down",
    r"miscarriage", r"cancer",
    r"muri(?:o|eron|endo)", r"(?:se )?(?:me |le |nos )?(?:ha|han) muert[oa]s?",
    r"(?:esta|estan) muert[oa]s?", r"muerte",
    r"falleci(?:o|do|da|miento)", r"fallecer", r"(?:hemos|he|ha|han) perdido a", r"perdi a", r"perdimos a",
    r"nos ha dejado", r"nos dejo", r"funeral", r"entierro", r"velatorio", r"tanatorio", r"duelo", r"luto",
    r"dep", r"descanse en paz", r"cancer", r"aborto",
    # sadness said, bad news
    r"sad", r"sadly", r"sadness", r"heartbroken", r"heartbreaking", r"devastat(?:ed|ing)", r"gutted",
    r"crying", r"cried", r"bad news", r"sad news", r"terrible news", r"awful news", r"unfortunately",
    r"triste", r"tristes", r"tristeza", r"que pena", r"me da pena", r"una pena", r"penita", r"destrozad[oa]s?",
    r"hundid[oa]s?", r"llorando", r"llore", r"mala noticia", r"malas noticias", r"por desgracia",
    r"lamentablemente", r"desgraciadamente", r"una lastima", r"que lastima",
    # a job or a partner lost
    r"laid off", r"got fired", r"lost my job", r"redundan(?:t|cy)", r"broke up", r"break ?up", r"divorce",
    r"me (?:han|ha) despedido", r"me despidieron", r"me echaron", r"me quede sin trabajo", r"en el paro",
    r"ere", r"ruptura", r"lo hemos dejado", r"lo dejamos", r"divorcio",
    "😢", "😭", "💔", "🥀", "😞", "😔", "🖤",
)
_WORRIED = _cues(
    r"worr(?:ied|y|ying|ies)", r"anxious", r"anxiety", r"nervous", r"scared", r"afraid", r"terrified",
    r"frightened", r"stressed", r"stressful", r"overwhelmed", r"panic(?:king)?", r"fingers crossed",
    r"wish me luck", r"(?:in|at|to|into|from) (?:the )?hospital", r"hospitali[sz]ed", r"surgery", r"biopsy", r"scan results", r"test results", r"emergency room",
    r"in the er", r"(?:is|am|been) (?:sick|ill|unwell)", r"diagnos(?:is|ed)",
    r"preocupad[oa]s?", r"preocupa", r"preocupacion", r"nervios[oa]s?", r"nervios", r"ansiedad", r"miedo",
    r"asustad[oa]s?", r"agobiad[oa]s?", r"agobio", r"estresad[oa]s?", r"estres", r"angustia", r"angustiad[oa]s?",
    r"cruzo los dedos", r"crucemos los dedos", r"deseadme suerte", r"deseame suerte", r"(?:en el|al|del) hospital",
    r"hospitalizad[oa]s?",
    r"urgencias", r"ingresad[oa]", r"(?:me|le|la|lo|nos) (?:operan|van a operar)", r"quirofano", r"biopsia",
    r"pruebas medicas", r"resultados de las pruebas", r"enferm[oa]s?", r"no se que hacer",
    r"preocupar(?:me|nos|te|se)?", r"preocupando(?:me|nos)?", r"dread(?:ing)?",
    # a worry that keeps them awake
    r"can'?t sleep", r"cannot sleep", r"couldn'?t sleep", r"no pego ojo", r"no puedo dormir", r"sin dormir",
    r"insomnio",
    "😟", "😰", "😥", "😬", "😨",
)
_COMPLAINT = _cues(
    r"fed up", r"sick of", r"tired of", r"frustrat(?:ed|ing|ion)", r"annoy(?:ed|ing)", r"angry", r"furious",
    r"unacceptable", r"ridiculous", r"outrageous", r"disappoint(?:ed|ing)", r"useless", r"worst",
    r"(?:doesn't|does not|don't|won't) work", r"still waiting", r"never again", r"what a joke", r"complain(?:t|ing)?",
    r"hart[oa]s?", r"hasta las narices", r"frustrad[oa]s?", r"frustrante", r"enfadad[oa]s?", r"cabread[oa]s?",
    r"indignad[oa]s?", r"inaceptable", r"vergonzoso", r"una verguenza", r"que verguenza", r"pesim[oa]",
    r"decepcionad[oa]s?", r"decepcion", r"no funciona", r"sigo esperando", r"nunca mas", r"queja",
    r"me quejo", r"un desastre", r"menudo desastre", r"una tomadura de pelo", r"un timo",
    "😡", "🤬", "😤", "🙄",
)
_HAPPY = _cues(
    r"good news", r"great news", r"big news", r"happy news", r"so happy", r"really happy", r"thrilled",
    r"delighted", r"over the moon", r"excited", r"proud", r"yay", r"hooray", r"woohoo", r"we did it",
    r"i did it", r"got the job", r"got in", r"passed (?:my|the)", r"got engaged", r"(?:we're|i'm) engaged", r"promoted",
    r"promotion", r"we won", r"i won", r"it's a (?:boy|girl)", r"was born", r"finally (?:done|finished|out)",
    r"buenas noticias", r"buena noticia", r"que alegria", r"muy feliz", r"felices", r"feliz", r"contentisim[oa]s?",
    r"muy content[oa]s?", r"ilusionad[oa]s?", r"que ilusion", r"orgullos[oa]s?", r"lo consegui", r"lo logre",
    r"lo hemos conseguido", r"lo hemos logrado", r"aprobe", r"he aprobado", r"hemos ganado", r"gane",
    r"me han cogido", r"me han seleccionado", r"me han dado (?:el|la) (?:puesto|plaza|beca|trabajo)",
    r"nos casamos", r"me caso", r"prometid[oa]s?", r"ha nacido", r"nacio", r"ascendid[oa]", r"ascenso",
    "🎉", "🥳", "🙌", "🍾", "🥂", "😍",
)
_ORDER = ((Tone.SAD, _SAD), (Tone.WORRIED, _WORRIED), (Tone.COMPLAINT, _COMPLAINT), (Tone.HAPPY_NEWS, _HAPPY))

# What a content warning names when the post behind it is heavy: "cw: death", "salud mental".
_HEAVY_WARNING = _cues(
    r"death", r"loss", r"grief", r"illness", r"medical", r"health", r"mental health", r"mh", r"hospital",
    r"pet death", r"suicide", r"muerte", r"perdida", r"duelo", r"enfermedad", r"salud", r"salud mental",
    r"medico", r"hospital", r"animal muerto", r"mascota",
)
# A negation just before a cue takes it back: "not worried", "no estoy nada preocupada".
_NEGATION = re.compile(
    r"\b(?:not|no|never|don't|dont|didn't|isn't|wasn't|nothing|nada|sin|nunca|ni|tampoco)"
    r"(?:\s+(?!but\b|pero\b)[\w']+){0,2}\s*$"
)
# Set phrases that hold a cue word and mean nothing of the kind.
_IDIOMS = re.compile(
    r"\b(?:no worries|don't worry|dont worry|no te preocupes|no os preocupeis|no se preocupe|sin problema"
    r"|vale la pena|merece la pena|valio la pena|dead simple|dead easy|to death|tiempos muertos"
    r"|tiempo muerto|punto muerto|sad to see (?:it|this) go|feliz (?:navidad|ano|cumple\w*|dia|finde|semana|lunes"
    r"|martes|miercoles|jueves|viernes|sabado|domingo)|happy (?:birthday|new year|holidays|friday|monday)"
    r"|nice to meet)\b"
)


def read_tone(text: str, content_warning: str = "") -> Tone:
    """The tone of a message and its content warning (a post's `spoiler_text`), heaviest cue first.

    A content warning that names a heavy subject ("muerte", "health") with no cue of its own
    makes the post sad at least, unless the text says it is a worry.
    """
    tone = _tone_of(fold(f"{content_warning}\n{text}").plain)
    if tone is not Tone.NEUTRAL and tone is not Tone.HAPPY_NEWS:
        return tone
    if content_warning.strip() and _HEAVY_WARNING.search(fold(content_warning).plain):
        return Tone.SAD
    return tone


def _tone_of(folded: str) -> Tone:
    folded = _IDIOMS.sub(" ", folded.replace("\u2019", "'"))
    for tone, cues in _ORDER:
        if any(not _NEGATION.search(folded[: match.start()]) for match in cues.finditer(folded)):
            return tone
    return Tone.NEUTRAL
