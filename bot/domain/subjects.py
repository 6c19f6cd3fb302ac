"""Whether a key phrase of a message names a subject: a hobby, a craft, a field, a project.

A keyword extractor ranks phrases by how they stand out, not by what they are, so "Oye",
"sábado", "triste", "te apuntas", "private question" and "previous instructions" rank as high
as "cerámica". Without a tagger, the same things a tagger would look at decide here:

- what the words are (`data/subject_words.toml`): times, feelings, words about the message
  itself, an injection's vocabulary, general words and common verb forms are never a subject;
  leading or trailing adjectives ("quick", "pequeño") and determiners are trimmed off;
- how they are spelt: English past forms and adverbs in -ly; Spanish infinitives, gerunds, verbs
  in -amos/-emos/-imos, -aba, -aron/-ieron and accented preterites ("bajó", "empecé");
- the word before them in the message: after "te", "me", "se", "I", "we", "no" or "to" a word is
  a verb; a capitalised word after "to", "a" or "en" is a person or a place; a capitalised word
  that opens a sentence says nothing of its own (imperatives and greetings open sentences too);
  in Spanish, which leaves the subject out, a sentence's first word is its verb ("Monto | teclados");
- a single word needs a sign of its own: a name ("Figma", "WCAG"), the spelling of an activity or
  a field ("woodturning", "cerámica"), or following "about", "on", "sobre". "Team" or "taller"
  alone say too little; three-word phrases keep their link word ("taller de cerámica").

Words are compared folded (lower case, accents off); accents are read on the original where they
tell a verb ("bajó") from a noun.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from bot.domain.normalize import fold_term

_NEVER_LISTS = ("time", "feelings", "discourse", "injection", "verbs", "numbers")
_SPANISH_ARTICLES = frozenset(
    "el la los las un una unos unas mi mis tu tus su sus nuestro nuestra nuestros nuestras este esta estos estas "
    "ese esa esos esas aquel aquella aquellos aquellas del".split()
)
_CLITICS = frozenset("me te se nos os le les".split())
_SPANISH_VERB_BEFORE = frozenset("yo tú él ella no ya nunca tambien también tampoco que".split())
_ENGLISH_VERB_BEFORE = frozenset(
    "i you we they he she it i'm we're they're i've we've i'll we'll to will would can could should must "
    "do does did don't didn't can't won't just am is are was were be been it's that's he's she's they're you're "
    "there's what's i'd we'd you'll let's".split()
)
# After these a lone word describes: "very promising", "muy decente".
_INTENSIFIERS = frozenset("very so too quite pretty really but more most less muy tan bastante mas menos".split())
# A noun after these is what is being talked about: "a thread on pricing", "hilo sobre tarifas".
_ABOUT = frozenset("about on into sobre acerca".split())
# Spelling of nouns that name an activity, a craft or a field.
_FIELD_ENDINGS = {
    "en": ("ing", "ism", "ogy", "ics", "graphy", "ery", "try", "ture", "ship"),
    "es": ("eria", "ismo", "logia", "grafia", "cion", "sion", "aje", "tura", "ica", "ico", "ia"),
}
_PLACE_OR_PERSON_BEFORE = frozenset("to a en in from at desde and y".split())
_HABER = frozenset("he has ha hemos habeis han habia".split())
_LY_NOUNS = frozenset(
    "family supply assembly italy july anomaly jelly belly rally ally butterfly monopoly lily holly".split()
)
_LOOK_BACK = 80  # characters before a phrase that decide its context: the word and the mark before it
_SENTENCE_END = re.compile(r"(?:^|[.!?¡¿:;\n…\"“(])[^\w.!?¡¿:;\n…\"“(]*$")
_SPANISH_INFINITIVE = re.compile(r"^[a-zñ]{2,}(?:ar|er|ir)(?:me|te|se|lo|la|le|nos|os|los|las|les)?$")
_SPANISH_FORMS = re.compile(
    r"^[a-zñ]{2,}(?:(?:ando|iendo|yendo)(?:me|te|se|lo|la|le|nos|os|los|las|les)?|amos|emos|imos|aba|abas|aban"
    r"|abamos|aron|ieron|aste|iste|asteis|isteis)$"
)
_SPANISH_GERUND = re.compile(r"^[a-zñ]+(?:ando|iendo|yendo)(?:me|te|se|lo|la|le|nos|os|los|las|les){0,2}$")
_ENGLISH_PAST = re.compile(r"^[a-z]{3,}(?<!e)ed$|^[a-z]+ied$")
_ACUTE = frozenset("áéíóú")


@dataclass(frozen=True)
class _Lexicon:
    never: frozenset[str]
    generic: frozenset[str]
    leading: frozenset[str]
    determiners: frozenset[str]
    noun_exceptions: frozenset[str]
    edges: frozenset[str]  # leading | determiners: trimmed off both ends


def subject(phrase: str, text: str, language: str | None) -> str | None:
    """`phrase` (a key phrase of `text`) trimmed to the subject it names, or None if it names none."""
    lexicon = _lexicon()
    languages = _languages(language)
    words = _trimmed(phrase.split(), lexicon)
    if not words:
        return None
    before, opens_sentence = _context(" ".join(words), text)
    if languages == ("es",) and opens_sentence and len(words) > 1 and not _acronym(words[0]):
        # Spanish leaves the subject out, so a sentence opens with its verb: "Monto | teclados
        # mecánicos"; a noun would come with its article ("El huerto...").
        before, opens_sentence, words = words[0].lower(), False, _trimmed(words[1:], lexicon)
    if not words:
        return None
    folded = [_folded(w) for w in words]
    if any(w in lexicon.never or _adverb(w) for w in folded) or (len(words) == 1 and folded[0] in lexicon.generic):
        return None
    if "es" in languages and _spanish_verb(words, folded, before, lexicon):
        return None
    if "en" in languages and _english_verb(words, folded, before):
        return None
    if len(words) == 1 and not _names_a_subject(words[0], before, opens_sentence, languages):
        return None
    if len(words) > 1 and _head(folded, languages) in lexicon.generic:
        return None  # "alumnos de cuarto", "team lunch": a general word at its core
    return " ".join(words)


def _head(folded: list[str], languages: tuple[str, ...]) -> str:
    """The word a phrase is about: the first in Spanish and before "of"/"for", else the last."""
    linked = len(folded) == 3 and folded[1] in {"de", "del", "of", "for", "para"}
    return folded[0] if linked or languages == ("es",) else folded[-1]


def _names_a_subject(word: str, before: str, opens_sentence: bool, languages: tuple[str, ...]) -> bool:
    """A single word needs a sign that it is a subject: a name ("Figma", "WCAG"), the spelling of an
    activity or a field ("woodturning", "cerámica"), or being what the message is about ("on pricing")."""
    if _acronym(word):
        return True
    if word[:1].isupper():
        # A sentence's first word ("Oye", "Ignore"), or someone or somewhere ("a Lucía", "to Priya").
        return not opens_sentence and before not in _PLACE_OR_PERSON_BEFORE
    plain = _folded(word)
    if before in _INTENSIFIERS or _common_verb_ing(plain):
        return False  # "so promising"; "starting", "getting": a verb in -ing, not an activity
    if before in _ABOUT:
        return True
    spanish_field = "es" in languages and not _ACUTE.isdisjoint(word.lower()) and plain.endswith(_FIELD_ENDINGS["es"])
    return spanish_field or plain.endswith(_FIELD_ENDINGS["en"] if "en" in languages else ()) and len(plain) > 5


def _trimmed(words: list[str], lexicon: _Lexicon) -> list[str]:
    """Without the determiners and the adjectives around the subject: "aquella librería" -> "librería"."""
    while words and _folded(words[0]) in lexicon.edges:
        words = words[1:]
    while words and _folded(words[-1]) in lexicon.edges:
        words = words[:-1]
    return words


def _spanish_verb(words: list[str], folded: list[str], before: str, lexicon: _Lexicon) -> bool:
    plain_before = fold_term(before)
    auxiliary = plain_before in _HABER or plain_before.startswith("haber")
    adverb = len(plain_before) > 6 and plain_before.endswith("mente")
    if before in _CLITICS or before in _SPANISH_VERB_BEFORE or plain_before in {"que", "tambien"} or auxiliary or adverb:
        return True  # "te apuntas", "no funciona", "has visto", "últimamente dibujo"
    for i, (word, plain) in enumerate(zip(words, folded)):
        if plain in lexicon.noun_exceptions or word != word.lower() and i > 0:
            continue
        accented = not _ACUTE.isdisjoint(word.lower())
        preterite = accented and word.lower()[-1:] in "óé"
        determined = (before if i == 0 else folded[i - 1]) in _SPANISH_ARTICLES  # "el comer"; "en rellenar" is a verb
        infinitive = not accented and not determined and bool(_SPANISH_INFINITIVE.match(plain))
        gerund = bool(_SPANISH_GERUND.match(plain))
        if preterite or infinitive or gerund or not accented and _SPANISH_FORMS.match(plain):
            return True
    return False


def _english_verb(words: list[str], folded: list[str], before: str) -> bool:
    if before in _ENGLISH_VERB_BEFORE:
        return True
    determined = before in _lexicon().determiners
    last = folded[-1]
    if _ENGLISH_PAST.match(last) and not (len(folded) == 1 and determined):
        return True  # "tanks installed", "Loved"; "the tired" stays out by the feelings list
    first = folded[0]
    if len(folded) > 1 and (_ENGLISH_PAST.match(first) or first.endswith("ing")) and not determined:
        return True  # "making plywood", "started learning"; "a sewing machine" is a thing
    return False


def _common_verb_ing(plain: str) -> bool:
    if not plain.endswith("ing"):
        return False
    stem = plain[:-3]
    stems = {stem, stem + "e", stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else stem}
    return not stems.isdisjoint(_lexicon().never)  # "starting", "getting" are no hobbies; "pricing" is


def _context(phrase: str, text: str) -> tuple[str, bool]:
    """The word before the phrase's first use in `text` (lower case), and whether it opens a sentence."""
    lowered, target = text.lower(), phrase.lower()
    start = lowered.find(target)
    while start != -1 and not _whole_words(lowered, start, start + len(target)):
        start = lowered.find(target, start + 1)
    if start == -1:
        return "", False
    head = lowered[max(0, start - _LOOK_BACK):start]
    return _last_word(head).replace("’", "'"), bool(_SENTENCE_END.search(head)) or start == 0


def _last_word(head: str) -> str:
    """The last word of `head`, read from its end: a regex anchored at the end would scan it all."""
    end = len(head)
    while end and not (head[end - 1].isalnum() or head[end - 1] in "_'’"):
        end -= 1
    start = end
    while start and (head[start - 1].isalnum() or head[start - 1] in "_'’"):
        start -= 1
    return head[start:end]


def _whole_words(text: str, start: int, end: int) -> bool:
    return (start == 0 or not text[start - 1].isalnum()) and (end == len(text) or not text[end].isalnum())


def _adverb(word: str) -> bool:
    return len(word) > 4 and word.endswith("ly") and word not in _LY_NOUNS or len(word) > 6 and word.endswith("mente")


def _acronym(word: str) -> bool:
    """"WCAG", "OKRs", "iPhone": capitals past the first letter mark a name, not a sentence start."""
    return any(c.isupper() for c in word[1:])


def _languages(language: str | None) -> tuple[str, ...]:
    base = (language or "").split("-")[0].split("_")[0].lower()
    return (base,) if base in ("es", "en") else ("es", "en")


def _folded(word: str) -> str:
    return fold_term(word).strip("'’\".,;:!?¡¿()")


@cache
def _lexicon() -> _Lexicon:
    data = tomllib.loads(resources.files("bot.domain").joinpath("data/subject_words.toml").read_text("utf-8"))
    words = {key: frozenset(value.split()) for key, value in data.items()}
    never = frozenset().union(*(words[key] for key in _NEVER_LISTS))
    return _Lexicon(
        never=never, generic=words["generic"], leading=words["leading"], determiners=words["determiners"],
        noun_exceptions=words["noun_exceptions"], edges=words["leading"] | words["determiners"],
    )
