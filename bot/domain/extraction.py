"""What a person shares about themselves: interests, projects, and plans to ask about later.

Every fact's text is a phrase cut from the person's own words (bio, profile fields, hashtags,
messages), never a paraphrase, so a reply can echo it without putting words in their mouth.
Handles and links are dropped first: a handle names another account, maybe another person, and
a link is not something they said. Spanish and English are always both read, because platforms
often mislabel short posts; `language` is only recorded on the facts.

Matching runs on a folded copy of the text (lower case, accents off, one character for one), so
a position found there cuts the same phrase out of the original, accents and capitals intact.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, time, timedelta, timezone
from functools import cache

from bot.domain.memory import Fact, FactKind
from bot.domain.pitch import PitchLexicon, classify, load_lexicon

_Found = tuple[FactKind, str, str]  # kind, text, source
_Time = tuple[tuple[int, int], date | None]  # where a time expression is, and the day it names

_MAX_FACT_WORDS = 6  # longer than this is a sentence about them, not a thing they like or do
_MAX_PROJECT_WORDS = 8  # "Organizo el club de lectura del barrio"
_MAX_LINE_WORDS = 14  # a longer bio line is prose, and its comma-separated bits are fragments
_MAX_THREAD_WORDS = 10

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
_HASHTAG = re.compile(r"(?<![\w#&])#(\w*[^\W\d_]\w*)")
# Tags closing a line are labels ("#travel"); inside a sentence they are words ("my first #marathon").
_TRAILING_TAGS = re.compile(r"(?:\s*(?<![\w#&])#\w+)+[ \t]*$", re.M)
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|_+")
_LETTER = re.compile(r"[^\W\d_]")
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

# --- open threads ------------------------------------------------------------------------------

_SIGNED_UP = re.compile(
    r"\b(?:i(?:'ve| have)? (?:just )?(?:signed up|registered|enrolled) (?:for|to|in)"
    r"|i(?:'m| am) (?:signed up|registered) for|me (?:he )?(?:apuntado|inscrito|apunto) (?:a|en))\b"
)
# Said without a day, these still announce something to come.
_PLAN = re.compile(
    rf"{_SIGNED_UP.pattern}|\b(?:i(?:'m| am)|we(?:'re| are)) (?:finally |officially )?(?:starting"
    r"(?! to (?:think|feel|get|see|believe|wonder|reali[sz]e|like|hate|love|worry|lose))|beginning"
    r"|moving (?:to|house)|training for|preparing for|getting married|having a baby|heading (?:to|off)"
    r"|flying to|off to|about to|planning (?:to|on)|going to (?!be\b|bed\b|sleep\b|cry\b|scream\b|die\b)"
    r"|gonna )|\b(?:me mudo|nos mudamos|me caso|nos casamos|me voy a (?!dormir|la cama)|(?:voy|vamos) a "
    r"(?!dormir\b)\w*(?:ar|er|ir)\b|empiezo(?! a (?:pensar|creer|entender|notar|sospechar|sentir|ver))"
    r"|empezamos|comienzo|estoy (?:empezando|preparando|entrenando|organizando|planeando)"
    r"|me preparo para|estoy a punto de|pienso \w*(?:ar|er|ir)\b)"
)
_PERSONAL = re.compile(r"\b(?:i|my|we|our|me|mi|mis|nos|nuestr[oa]s?|yo|tengo|voy|vamos|estoy|estamos)\b")
# Without a subject: "mañana opero a mi perro", "el sábado presento el libro", "heading to Lisbon".
_UNSAID_I = re.compile(
    r"^\W*(?:(?:por fin|al fin|tambien|pues|y|oficialmente|finally|just|off)\s+)*(?!(?:como|pero|todo"
    r"|esto|eso|no|solo|otro|nuevo|cada|mucho|poco|claro|bueno|primero|luego|tampoco|algo|centro"
    r"|\w*morning|\w*evening|nothing|something|anything|everything|spring|during|raining|snowing)\b)"
    r"[a-z]{2,}(?:(?<!ad)(?<!id)o|ing)\b"
)
_PAST = re.compile(
    r"\b(?:already|was|were|had|did|went|ran|used to|(?:i|we) (?:just |finally )?(?!need|feed|proceed"
    r"|exceed|succeed)\w+ed|(?:i|we)(?:'ve| have) (?:just |already )?(?:\w+ed|been|done|gone|seen|lost"
    r"|won|made|had|run|taken|found|left|met|bought|sent)|fue|fueron|estuve|estuvo|tuve|tuvo|hice|hizo"
    r"|fui|(?:he|hemos|ha) \w+(?:ado|ido))\b"
)
_PRETERITE = re.compile(r"(?<!\w)\w{2,}[éóí](?!\w)")  # terminé, empezó, corrí: read with accents
_NOT_PRETERITE = frozenset("que cafe bebe comite jose aqui alli asi ahi esqui rubi domino fiance".split())
# Questions, habits, wishes and past times: nothing to follow up on in the whole sentence.
_NOT_NEWS = re.compile(
    r"[?¿]|\b(?:every|each|usually|always|often|normally|todos los|todas las|cada|siempre|normalmente"
    r"|suelo|solemos|los (?:lunes|martes|miercoles|jueves|viernes)|(?:mon|tues|wednes|thurs|fri|satur"
    r"|sun)days|weekends|sabados|domingos|findes|if|would|could|might|someday|some day|one day|maybe"
    r"|perhaps|ojala|algun dia|quizas?|tal vez|me gustaria|i'd|i wish|should|yesterday|last (?:night"
    r"|\w+)|ago|back in|ayer|anoche|anteayer|pasad[oa]s?(?! manana)|hace (?:\w+ )?(?:anos|meses"
    r"|semanas|dias|tiempo|rato|poco))\b"
)
_NEGATED = re.compile(
    r"\b(?:not|never|nunca|no longer|ya no|(?!can't wait)\w+n't|no (?:voy|vamos|me|tengo|empiezo))\b"
)
# How someone is, or a promise about this chat ("I'll reply tomorrow"), is not a plan to ask about.
_NOT_A_PLAN = re.compile(
    r"\b(?:i'?m|i am|we'?re|we are|estoy|estamos|me siento|i feel)\s+(?!(?!feeling)\w+(?:ing|ando"
    r"|iendo)\b)|\b(?:i'?ll|i will)\s+(?:reply|answer|respond|check|look|think|get back|write|let|send"
    r"|try)\b|\b(?:contesto|respondo|lo miro|te digo|te cuento|te escribo)\b"
)
_SECOND_PERSON = re.compile(r"\b(?:you|your|yours|u|ur|te|ti|contigo|tu|tus|os|usted|ustedes)\b")
_SENTENCE = re.compile(r"[^.!?\n…]+[.!?…]*")
_CLAUSE_BREAK = re.compile(
    r",|:|;|\s[-–—]\s|\b(?:but|pero|because|porque|so|though|aunque|and then|y luego|asi que)\b"
    r"|\band (?=(?:i|i'm|we|it|that|this|next|tomorrow|then|now)\b)"
    r"|\by (?=(?:estoy|estamos|ya|eso|esto|el|la|manana|hoy|luego|ahora|despues)\b)"
)
# What comes before the plan itself: "So I'm finally going to | run the Berlin marathon".
_LEAD = re.compile(
    r"^(?:\W|\b(?:and|y|so|well|finally|btw|also|oh|ok|okay|yes|yeah|nope|si|news|update|por fin"
    r"|al fin|pues|bueno|ademas|tambien|vale|hey|yay|(?:i )?think|(?:i )?guess|creo que)\b)*"
    r"(?:(?:i'?m|i am|i'?ve|we'?re|we are|i'?ll(?: be)?|i will(?: be)?|yo|nosotros|i|we|is|es)\s+)?"
    r"(?:(?:can'?t wait (?:for|to)|looking forward to|(?:so )?excited (?:for|about|to)"
    r"|(?:que|tengo) ganas de|deseando)\s+)?(?:(?:finally|officially|just|about to"
    r"|going to(?! (?:the|a|an|my)\b)|gonna|planning (?:to|on)|(?:have|need) to|voy a|vamos a"
    r"|tengo que|por fin)\s+)?(?:(?:signed up|registered|enrolled) (?:for|to|in)\s+"
    r"|me (?:he )?(?:apuntado|inscrito|apunto) (?:a|en)\s+)?"
    r"(?:(?:have|got|tengo|tenemos)\s+(?=(?:el|la|los|las|mi|mis|un|una|my|a|an|the|our)\b))?"
)
# Words left hanging once a handle or a time is cut out: "me voy de escalada con @ana".
_DANGLING = re.compile(
    r"(?:[\W_]|\s(?:with|and|to|of|in|at|on|for|the|is|con|y|a|de|en|para|el|la|es))+$", re.I
)

# --- when --------------------------------------------------------------------------------------

_WEEKDAYS = (
    "monday tuesday wednesday thursday friday saturday sunday "
    "lunes martes miercoles jueves viernes sabado domingo"
).split()
_MONTHS = {
    name: number % 12 + 1
    for names in (
        "january february march april may june july august september october november december",
        "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
        "jan feb mar apr may jun jul aug sep oct nov dec",
        "_ _ _ _ _ _ _ _ sept _ _ dic",
    )
    for number, name in enumerate(names.split())
    if name != "_"
}
_COUNTS = {
    word: number
    for number, words in enumerate(["", "a an one un una uno", "two dos", "three tres", "four cuatro",
                                    "five cinco", "six seis", "seven siete", "eight ocho", "nine nueve",
                                    "ten diez"])
    for word in words.split()
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WHEN = re.compile(
    rf"""\b(?:(?P<after_tomorrow>pasado\ manana|the\ day\ after\ tomorrow)
    |(?P<tomorrow>tomorrow|tmrw|(?<!la\ )(?<!esta\ )manana)
    |(?P<part>(?:por|de)\ la\ (?:manana|tarde|noche)|in\ the\ (?:morning|afternoon|evening)|at\ night)
    |(?P<today>today|tonight|hoy|esta\ noche|esta\ tarde|this\ (?:afternoon|evening))
    |(?P<next_weekend>next\ weekend|el\ (?:finde|fin\ de\ semana)\ que\ viene
        |el\ proximo\ (?:finde|fin\ de\ semana))
    |(?P<weekend>(?:this\ |este\ |el\ )?(?:weekend|finde|fin\ de\ semana))
    |(?P<next_week>next\ week|la\ semana\ (?:que\ viene|proxima)|la\ proxima\ semana)
    |(?P<next_month>next\ month|el\ mes\ (?:que\ viene|proximo)|el\ proximo\ mes)
    |(?P<next_year>next\ year|el\ ano\ (?:que\ viene|proximo)|el\ proximo\ ano)
    |(?:in|en|dentro\ de)\ (?P<count>\d{{1,2}}|{"|".join(_COUNTS)})\ (?P<unit>days?|weeks?|dias?|semanas?)
    |(?:(?:on|the|el|para\ el)\ )?(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\ (?:de\ |of\ )?(?P<month>{_MONTH})\b
        \.?(?:,?\ (?:de\ )?(?P<year>\d{{4}}))?
    |(?:on\ )?(?P<month_first>{_MONTH})\.?\ (?P<day_after>\d{{1,2}})(?:st|nd|rd|th)?
        (?:,?\ (?P<year_after>\d{{4}}))?
    |(?:(?:on|this|next|coming|este|el|el\ proximo|para\ el)\ )?(?P<weekday>{"|".join(_WEEKDAYS)})
        (?:\ que\ viene|\ proximo)?
    )\b""",
    re.X,
)
# Every expression above holds one of these words: a set look-up spares most sentences the scan.
_TIME_WORDS = frozenset(
    [*_WEEKDAYS, *_MONTHS] + "tomorrow tmrw manana today tonight hoy noche tarde morning afternoon "
    "evening night weekend finde fin week weeks semana semanas month mes year ano day days dia dias".split()
)


def profile_facts(
    bio: str, fields: Sequence[tuple[str, str]], at: datetime, language: str | None
) -> list[Fact]:
    """Interests and projects a person lists on their profile, deduplicated, in the order given."""
    found = [item for line in _lines(_plain_text(bio)) for item in _line_facts(line, "bio")]
    for name, value in fields:
        found += _field_facts(name, value)
    for text in (bio, *(value for name, value in fields if not _skipped_field(name))):
        found += [(FactKind.INTEREST, tag, "hashtag") for tag in _hashtags(text)]
    return _unique(Fact(kind, text, source, at, language) for kind, text, source in found)


def hashtag_facts(
    text: str, at: datetime, language: str | None, *, source: str = "hashtag"
) -> list[Fact]:
    """The hashtags someone uses, as interests: "#UrbanGardening" becomes "Urban Gardening"."""
    return _unique(Fact(FactKind.INTEREST, tag, source, at, language) for tag in _hashtags(text))


def open_threads(
    text: str, at: datetime, language: str | None, *, source: str = "message",
    is_pitch: Callable[[str], bool] | None = None,
) -> list[Fact]:
    """Things the person says they are about to do, with when (`due`, midnight UTC) if they said.

    One thread per sentence at most. Questions, past events, habits, wishes, negations and
    pitches are not threads. `source` is usually "message:<interaction id>". `is_pitch` defaults
    to the packaged pitch classifier; a caller that already classified the message passes its verdict.
    """
    plain = _plain_text(text)
    if "#" in plain:
        plain = _HASHTAG.sub(r"\1", _TRAILING_TAGS.sub("", plain))
    folded, today = _fold(plain), _utc(at).date()
    threads = []
    for match in _SENTENCE.finditer(folded):
        thread = _sentence_thread(plain[match.start():match.end()], match.group(), today)
        if thread:
            due = None if thread[1] is None else datetime.combine(thread[1], time(), timezone.utc)
            threads.append(Fact(FactKind.OPEN_THREAD, thread[0], source, at, language, due))
    if threads and (is_pitch or _is_pitch)(text):
        return []  # an announcement that sells something is a pitch, not news to follow up on
    return _unique(threads)


# --- profiles ----------------------------------------------------------------------------------


def _line_facts(line: str, source: str, default: FactKind = FactKind.INTEREST) -> list[_Found]:
    label = _LABEL.match(line)
    if label:  # "Intereses: escalada, jazz" inside a bio reads like a profile field
        return _field_facts(label[1], label[2], source)
    if len(line.split()) > _MAX_LINE_WORDS:
        return []
    return [item for piece in _PIECE_BREAK.split(line) for item in _piece_facts(piece, source, default)]


def _field_facts(name: str, value: str, source: str = "fields") -> list[_Found]:
    key, lines = _fold(name).strip(" :"), _lines(_plain_text(value))
    if _skipped_field(name) or not _has_letters(_HASHTAG.sub("", " ".join(lines))):
        return []  # nothing but a link or hashtags (those are read as hashtags)
    if key in _PROJECT_FIELDS or key in _INTEREST_FIELDS:
        kind = FactKind.PROJECT if key in _PROJECT_FIELDS else FactKind.INTEREST
        return [item for line in lines for item in _line_facts(line, source, kind)]
    # Any other name gives the value its meaning: ("bread", "toasty.") says more than "toasty".
    text = f"{_words(name)}: {', '.join(_words(line) for line in lines)}"
    return [(FactKind.INTEREST, text, source)] if _short(text, _MAX_PROJECT_WORDS) else []


def _skipped_field(name: str) -> bool:
    key = _fold(name).strip(" :")
    return key in _SKIP_FIELDS or bool(_NOT_A_FACT.match(key))


def _piece_facts(piece: str, source: str, default: FactKind) -> list[_Found]:
    if _EMPTY_LABEL.match(piece):
        return []  # "GitHub:" whose value was a link
    text = _words(_TRAILING_TAGS.sub("", piece) if "#" in piece else piece)  # read as hashtags
    folded = _fold(text)
    if not _has_letters(text) or _NOT_A_FACT.match(folded):
        return []
    project = _PROJECT.match(folded) or _ROLE.match(text)
    if project:  # "Building @rapport" loses its handle and with it the project
        keep = _has_letters(text[project.end():]) and _short(text, _MAX_PROJECT_WORDS)
        return [(FactKind.PROJECT, text, source)] if keep else []
    liking = _LIKING.match(folded)
    parts = [_ARTICLE.sub("", part) for part in _AND.split(text[liking.end():])] if liking else [text]
    return [(default, _tidy(part), source) for part in parts if _has_letters(part) and _short(part)]


def _lines(text: str) -> list[str]:
    if not text.isascii():
        text = _PLACE_MARK.sub("\x00", text)
        text = _PLACE.sub("\n", _NON_ASCII_MARK.sub(_symbol_break, text))
    return [line for line in _LINE_BREAK.split(text) if line and line.strip()]


def _symbol_break(match: re.Match[str]) -> str:
    return "\n" if unicodedata.category(match[0]) in _SYMBOLS else match[0]


def _hashtags(text: str) -> list[str]:
    tags = (_tag_words(tag) for tag in _HASHTAG.findall(_plain_text(text)))
    return [tag for tag in tags if _fold(tag).replace(" ", "") not in _META_TAGS]


def _words(text: str) -> str:
    return _tidy(_HASHTAG.sub(lambda m: _tag_words(m[1]), text) if "#" in text else text)


def _tag_words(tag: str) -> str:
    return " ".join(_CAMEL.sub(" ", tag).split())


# --- open threads ------------------------------------------------------------------------------


def _sentence_thread(original: str, folded: str, today: date) -> tuple[str, date | None] | None:
    """The plan announced in one sentence, as (phrase, day it happens), or None."""
    timed = not _TIME_WORDS.isdisjoint(_WORD.findall(folded))
    times = [(m.span(), _resolve(m.groupdict(), today)) for m in _WHEN.finditer(folded)] if timed else []
    if not times and not _PLAN.search(folded):
        return None  # most sentences: checked first, as it is the cheapest test
    if _NOT_NEWS.search(folded) or original.lstrip(" ¡").lower().startswith("si "):
        return None  # a question, habit, wish or past time; "si" (if) but not "sí" (yes)
    kept, kept_folded = _blank(original, times), _blank(folded, times)
    days = [(start, day) for (start, _), day in times if day]
    clauses = [c for c in _clauses(folded) if _current(kept[c], kept_folded[c])]
    chosen = next((c for c in clauses if _PLAN.search(kept_folded[c])), None)
    if chosen is None and days:  # the clause holding the day first: "Come by, so we plan for Friday"
        timed_first = sorted(clauses, key=lambda c: not any(c.start <= s < c.stop for s, _ in days))
        mine = (c for c in timed_first if _PERSONAL.search(kept_folded[c]) or _UNSAID_I.match(kept_folded[c]))
        chosen = next((c for c in mine if not _NOT_A_PLAN.search(kept_folded[c])), None)
    if chosen is None or _SECOND_PERSON.search(kept_folded[chosen]):
        return None  # no plan of theirs, or one that involves us ("I'll see you on Friday")
    phrase = _phrase(kept[chosen], kept_folded[chosen])
    # The day said in the plan's own clause, else the sentence's: "Next Sunday, I'm running..."
    own_day = (day for start, day in days if chosen.start <= start < chosen.stop)
    return (phrase, next(own_day, days[0][1] if days else None)) if phrase else None


def _current(original: str, folded: str) -> bool:
    """Not done already and not denied; signing up is said in the past about what is to come."""
    if _SIGNED_UP.search(folded):
        return True
    preterite = (_fold(word) not in _NOT_PRETERITE for word in _PRETERITE.findall(original.lower()))
    return not (_PAST.search(folded) or any(preterite) or _NEGATED.search(folded))


def _clauses(folded: str) -> list[slice]:
    cuts = [0, *(p for m in _CLAUSE_BREAK.finditer(folded) for p in m.span()), len(folded)]
    return [slice(a, b) for a, b in zip(cuts[::2], cuts[1::2]) if _has_letters(folded[a:b])]


def _phrase(original: str, folded: str) -> str:
    lead = _LEAD.match(folded)
    words = original[lead.end() if lead else 0:].split()[:_MAX_THREAD_WORDS]
    phrase = _tidy(_DANGLING.sub("", " ".join(words)))
    return phrase if len(_LETTER.findall(phrase)) >= 3 else ""


def _blank(text: str, times: Iterable[_Time]) -> str:
    for (start, end), _ in times:
        text = text[:start] + " " * (end - start) + text[end:]
    return text


@cache
def _lexicon() -> PitchLexicon:  # loaded once, and only when a message announced something
    return load_lexicon()


def _is_pitch(text: str) -> bool:
    return classify(text, _lexicon()).pitch


# --- when --------------------------------------------------------------------------------------


def _resolve(found: dict[str, str | None], today: date) -> date | None:
    """The day one time expression names, counted from `today`; None for "por la mañana"."""
    g = {name: text for name, text in found.items() if text}
    weekday = today.weekday()
    saturday = today + timedelta((5 - weekday) % 7 if weekday < 5 else 0)  # a weekend day is this one
    fixed = {
        "after_tomorrow": today + timedelta(2), "tomorrow": today + timedelta(1), "today": today,
        "weekend": saturday, "next_weekend": today + timedelta(12 - weekday),
        "next_week": today + timedelta(7 - weekday),
        "next_month": date(today.year + today.month // 12, today.month % 12 + 1, 1),
        "next_year": date(today.year + 1, 1, 1),
    }
    for name, day in fixed.items():
        if name in g:
            return day
    if "weekday" in g:
        return today + timedelta((_WEEKDAYS.index(g["weekday"]) % 7 - weekday) % 7 or 7)
    if "unit" in g:
        count = int(g["count"]) if g["count"].isdigit() else _COUNTS[g["count"]]
        return today + timedelta(count * (7 if g["unit"].startswith(("w", "s")) else 1))
    month, day = g.get("month", g.get("month_first")), g.get("day", g.get("day_after"))
    if not (month and day):
        return None
    year = g.get("year", g.get("year_after"))
    return _calendar_day(int(year) if year else None, _MONTHS[month], int(day), today)


def _calendar_day(year: int | None, month: int, day: int, today: date) -> date | None:
    """A day and month without a year is the next one to come."""
    try:
        found = date(year or today.year, month, day)
        return found if year or found >= today else date(today.year + 1, month, day)
    except ValueError:
        return None  # "31 de febrero"


# --- text --------------------------------------------------------------------------------------


def _plain_text(text: str) -> str:
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


def _fold(text: str) -> str:
    return text.lower() if text.isascii() else text.translate(_ACCENTS).lower()


def _tidy(text: str) -> str:
    return " ".join(text.split()).strip(_EDGE)


def _has_letters(text: str) -> bool:
    return _LETTER.search(text) is not None


def _short(text: str, words: int = _MAX_FACT_WORDS) -> bool:
    return len(text.split()) <= words and len(text) <= 12 * words


def _unique(facts: Iterable[Fact]) -> list[Fact]:
    """First of each, by its words without case or accents; a thread never hides an interest."""
    seen: set[tuple[bool, str]] = set()
    kept = []
    for fact in facts:
        key = (fact.kind is FactKind.OPEN_THREAD, " ".join(_WORD.findall(_fold(fact.text))))
        if key[1] and key not in seen:
            seen.add(key)
            kept.append(fact)
    return kept


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at.astimezone(timezone.utc)
