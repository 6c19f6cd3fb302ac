"""`[drafting.about]`: what the account holder wants drafts to be able to say about themselves.

Entries are tables (`{ text = "...", url = "...", keywords = [...], lang = "es" }`) or, for short,
a plain string (the text alone).
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.domain.about import About, AboutFact

MAX_TEXT = 200  # a draft quotes it whole: it must leave room for the rest of the reply
MAX_ENTRIES = 50
_URL = re.compile(r"^https?://[^\s<>\"'\x00-\x1f\x7f]+$")
_LANGUAGE = re.compile(r"^([a-z]{2,3}(-[A-Za-z0-9]{2,8})*)?$")


class AboutEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(min_length=1, max_length=MAX_TEXT)
    url: str = ""
    keywords: list[str] = Field([], max_length=20)
    lang: str = ""

    @field_validator("text")
    @classmethod
    def _one_line(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("the text is empty")
        if "[" in value or "]" in value:
            raise ValueError("square brackets are kept for slots a draft leaves to fill; leave them out")
        return value

    @field_validator("url")
    @classmethod
    def _web_link(cls, value: str) -> str:
        value = value.strip()
        if value and not _URL.match(value):
            raise ValueError(f"expected an http(s) link without spaces, got {value!r}")
        return value

    @field_validator("lang")
    @classmethod
    def _language_tag(cls, value: str) -> str:
        if not _LANGUAGE.match(value.strip()):
            raise ValueError(f"expected a language tag such as 'es' or 'en', got {value!r}")
        return value.strip()

    def fact(self, kind: str, source: str) -> AboutFact:
        words = tuple(" ".join(k.split()) for k in self.keywords if k.strip())
        return AboutFact(kind, self.text, self.url, words, self.lang, source)


def _entries(value: Any) -> Any:
    if isinstance(value, list):
        return [{"text": item} if isinstance(item, str) else item for item in value]
    return value


class AboutSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    work: list[AboutEntry] = Field([], max_length=MAX_ENTRIES)  # what you do
    interests: list[AboutEntry] = Field([], max_length=MAX_ENTRIES)  # what you like, grow, read, play
    resources: list[AboutEntry] = Field([], max_length=MAX_ENTRIES)  # what you share: slides, lists (with url)

    @field_validator("work", "interests", "resources", mode="before")
    @classmethod
    def _plain_strings(cls, value: Any) -> Any:
        return _entries(value)

    def profile(self, source: str = "config") -> About:
        return About(tuple(entry.fact(kind, source) for kind, entries in self.by_kind().items() for entry in entries))

    def by_kind(self) -> dict[str, list[AboutEntry]]:
        return {"work": self.work, "interest": self.interests, "resource": self.resources}
