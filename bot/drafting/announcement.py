"""One person's copy of an announcement: about them first, then the news, then a way out.

The opening comes from what the person shared (how their plan went, a known interest), in
their language, so that the message reads as written to them, not to a list. The announcement
follows in the account holder's own words, and a short line always says how to stop these.
"""

from __future__ import annotations

from datetime import datetime

from bot.domain.contacts import Contact
from bot.domain.memory import ContactMemory
from bot.domain.names import first_name
from bot.drafting.topics import Topic, phrase_for, topics_to_mention

LANGUAGES = ("es", "en")

_OPENERS = {
    "es": {
        "past": "Hola{name}, ¿qué tal fue {topic}?",
        "upcoming": "Hola{name}, ¡mucha suerte con {topic}!",
        "ongoing": "Hola{name}, ¿cómo va {topic}?",
        "interest": "Hola{name}, como sé que te interesa {topic}, quería contártelo a ti directamente.",
        "none": "Hola{name}, quería contártelo a ti directamente.",
    },
    "en": {
        "past": "Hi{name}, how did {topic} go?",
        "upcoming": "Hi{name}, good luck with {topic}!",
        "ongoing": "Hi{name}, how is {topic} going?",
        "interest": "Hi{name}, since I know you're into {topic}, I wanted to tell you myself.",
        "none": "Hi{name}, I wanted to tell you myself.",
    },
}
# After a question about their plans, the news needs a bridge; an interest opener is one already.
_BRIDGE = {"es": "Por cierto, quería contarte una cosa:", "en": "By the way, I wanted to tell you something:"}

OPT_OUT_LINES = {
    "es": "(Si prefieres que no te escriba sobre estas cosas, respóndeme «stop» y no lo haré más.)",
    "en": "(If you'd rather I didn't write to you about things like this, reply \"stop\" and I won't again.)",
}


def base_language(language: str | None) -> str:
    """The language the message is written in: theirs when it is one the product speaks, else English."""
    base = (language or "").split("-")[0].lower()
    return base if base in LANGUAGES else "en"


def compose(
    contact: Contact, memory: ContactMemory, text: str, language: str, now: datetime,
    interests: list[str] | None = None,
) -> str:
    """The message to this person. `interests` are the ones that made them a match for the
    announcement's topics: the opening names one of them when it can."""
    lang = base_language(language)
    opener = _opener(contact, memory, lang, now, interests or [])
    return "\n\n".join([opener, text.strip(), OPT_OUT_LINES[lang]])


def _opener(contact: Contact, memory: ContactMemory, lang: str, now: datetime, interests: list[str]) -> str:
    name = first_name(contact.name)
    filler = f" {name}" if name else ""
    topic = _matching_topic(interests, lang) or next(iter(topics_to_mention(memory, lang, now)), None)
    if topic is None:
        return _OPENERS[lang]["none"].format(name=filler)
    line = _OPENERS[lang][topic.timing].format(name=filler, topic=topic.text)
    if lang == "es":
        line = line.replace(" de el ", " del ").replace(" a el ", " al ")
    return line if topic.timing == "interest" else f"{line} {_BRIDGE[lang]}"


def _matching_topic(interests: list[str], lang: str) -> Topic | None:
    for text in interests:
        words = phrase_for(text, lang)
        if words:
            return Topic(words, "interest")
    return None
