"""The account holder's own profile: what drafts may say about them, and nothing more.

Each fact is a sentence in the owner's voice ("Tengo un huerto pequeño en la terraza"), with
optional words it answers to (keywords), a link (for a resource they share: slides, a reading
list, a newsletter) and a language. A draft quotes a fact as written, or leaves a slot.
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("work", "interest", "resource")  # what they do, what they like, what they share


@dataclass(frozen=True)
class AboutFact:
    kind: str  # one of KINDS
    text: str  # a sentence the owner would say as is
    url: str = ""
    keywords: tuple[str, ...] = ()  # other words a question may use for it ("cultivar", "plantas")
    language: str = ""  # "" : said in any language's reply
    source: str = "config"  # config ([drafting.about]) or stored (`rapport about set`)

    def says(self) -> str:
        """The words a reply quotes: the text, and the link after it."""
        text = self.text.strip()
        if not self.url or self.url in text:
            return text
        return f"{text.rstrip('.:;, ')}: {self.url}"

    def fits(self, language: str) -> bool:
        return not self.language or self.language.split("-")[0].lower() == language

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "text": self.text, "url": self.url, "keywords": list(self.keywords),
                "lang": self.language, "source": self.source}


@dataclass(frozen=True)
class About:
    facts: tuple[AboutFact, ...] = ()

    def in_language(self, language: str) -> tuple[AboutFact, ...]:
        return tuple(fact for fact in self.facts if fact.fits(language))

    def __bool__(self) -> bool:
        return bool(self.facts)


NO_ABOUT = About()
