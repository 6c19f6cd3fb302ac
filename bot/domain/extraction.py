"""What a person shares about themselves: interests, projects, and plans to ask about later.

Every fact's text is a phrase cut from the person's own words (bio, profile fields, hashtags,
messages), never a paraphrase, so a reply can echo it without putting words in their mouth.
Handles and links are dropped first: a handle names another account, maybe another person, and
a link is not something they said. Spanish and English are always both read, because platforms
often mislabel short posts; `language` is only recorded on the facts.

Matching runs on a folded copy of the text (lower case, accents off, one character for one), so
a position found there cuts the same phrase out of the original, accents and capitals intact.

Profiles (and that shared text cleaning) are read in `extraction_profile`; days, in `extraction_dates`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timezone
from functools import cache

from bot.domain.extraction_dates import TimeExpression, time_expressions
from bot.domain.extraction_profile import (
    HASHTAG,
    LETTER,
    TRAILING_TAGS,
    fold,
    has_letters,
    hashtag_facts,
    plain_text,
    profile_facts,
    tidy,
    unique,
)
from bot.domain.memory import Fact, FactKind
from bot.domain.pitch import PitchLexicon, classify, load_lexicon

__all__ = ["hashtag_facts", "open_threads", "profile_facts"]

_MAX_THREAD_WORDS = 12

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
    r"|\band (?=(?:i|i'm|we|it|that|this|next|tomorrow|then|now|she|he|they|my|our|so)\b)"
    r"|\by (?=(?:estoy|estamos|ya|eso|esto|el|la|manana|hoy|luego|ahora|despues|yo|ella|el|ellos|ellas"
    r"|mi|mis|nosotros|nosotras|encima|ademas)\b)"
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
    r"(?:[\W_]|\s(?:with|and|to|of|in|at|on|for|the|a|an|my|our|is|con|y|a|de|del|al|en|para|por|el|la|los"
    r"|las|un|una|mi|mis|es))+$", re.I
)


def open_threads(
    text: str, at: datetime, language: str | None, *, source: str = "message",
    is_pitch: Callable[[str], bool] | None = None,
) -> list[Fact]:
    """Things the person says they are about to do, with when (`due`, midnight UTC) if they said.

    One thread per sentence at most. Questions, past events, habits, wishes, negations and
    pitches are not threads. `source` is usually "message:<interaction id>". `is_pitch` defaults
    to the packaged pitch classifier; a caller that already classified the message passes its verdict.
    """
    plain = plain_text(text)
    if "#" in plain:
        plain = HASHTAG.sub(r"\1", TRAILING_TAGS.sub("", plain))
    folded, today = fold(plain), _utc(at).date()
    threads = []
    for match in _SENTENCE.finditer(folded):
        thread = _sentence_thread(plain[match.start():match.end()], match.group(), today)
        if thread:
            due = None if thread[1] is None else datetime.combine(thread[1], time(), timezone.utc)
            threads.append(Fact(FactKind.OPEN_THREAD, thread[0], source, at, language, due))
    if threads and (is_pitch or _is_pitch)(text):
        return []  # an announcement that sells something is a pitch, not news to follow up on
    return unique(threads)


def _sentence_thread(original: str, folded: str, today: date) -> tuple[str, date | None] | None:
    """The plan announced in one sentence, as (phrase, day it happens), or None."""
    times = time_expressions(folded, today)
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
    preterite = (fold(word) not in _NOT_PRETERITE for word in _PRETERITE.findall(original.lower()))
    return not (_PAST.search(folded) or any(preterite) or _NEGATED.search(folded))


def _clauses(folded: str) -> list[slice]:
    cuts = [0, *(p for m in _CLAUSE_BREAK.finditer(folded) for p in m.span()), len(folded)]
    return [slice(a, b) for a, b in zip(cuts[::2], cuts[1::2]) if has_letters(folded[a:b])]


def _phrase(original: str, folded: str) -> str:
    lead = _LEAD.match(folded)
    words = original[lead.end() if lead else 0:].split()[:_MAX_THREAD_WORDS]
    phrase = tidy(_DANGLING.sub("", " ".join(words)))
    return phrase if len(LETTER.findall(phrase)) >= 3 else ""


def _blank(text: str, times: Iterable[TimeExpression]) -> str:
    for (start, end), _ in times:
        text = text[:start] + " " * (end - start) + text[end:]
    return text


@cache
def _lexicon() -> PitchLexicon:  # loaded once, and only when a message announced something
    return load_lexicon()


def _is_pitch(text: str) -> bool:
    return classify(text, _lexicon()).pitch


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at.astimezone(timezone.utc)
