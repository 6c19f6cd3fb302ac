"""Thirty sandbox contacts at mixed stages, for the announcement scenario.

Relationships are built the way ingestion sees them: five reciprocal conversations (their
message, then ours in the same thread) spread over forty days, and a bio with two hashtags
(two known facts). Stages below that come from fewer conversations or a follow only.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

START = datetime(2026, 9, 1, 9, 0, tzinfo=timezone.utc)

SPANISH = {"hola": "¿Qué tal? Hoy he pasado la tarde en el taller.", "tags": "#cerámica #huerto"}
ENGLISH = {"hola": "How are things? I spent the afternoon in the workshop.", "tags": "#pottery #gardening"}


def _person(handle: str, name: str, bio: str, bot: bool = False) -> dict[str, Any]:
    return {"id": f"u-{handle}", "handle": handle, "name": name, "bio": bio, "bot": bot}


def _at(day: int) -> str:
    return (START + timedelta(days=day)).isoformat().replace("+00:00", "Z")


def conversations(person: dict[str, Any], count: int, lang: str, *, reciprocal: bool, gap: int = 10) -> list[dict]:
    """`count` conversations, `gap` days apart; with our answer in each when `reciprocal`."""
    words = SPANISH if lang == "es" else ENGLISH
    events = []
    for n in range(count):
        thread = f"t-{person['handle']}-{n}"
        events.append({"id": f"in-{thread}", "type": "mention", "at": _at(n * gap), "author": person,
                       "post": {"id": f"p-{thread}", "text": f"@me {words['hola']}", "lang": lang,
                                "visibility": "public", "thread": thread}})
        if reciprocal:
            events.append({"id": f"out-{thread}", "type": "sent", "at": _at(n * gap) .replace("T09", "T10"),
                           "to": person["handle"],
                           "post": {"id": f"s-{thread}", "text": "¡Qué bien!" if lang == "es" else "Lovely!",
                                    "lang": lang, "visibility": "public", "in_reply_to": f"p-{thread}",
                                    "thread": thread}})
    return events


def thirty_contacts() -> tuple[list[dict], dict[str, list[str]]]:
    """The events, and the handles by the group they fall in."""
    groups: dict[str, list[str]] = {}
    events: list[dict] = []

    def add(group: str, handle: str, name: str, lang: str, stage: str, bio: str | None = None,
            bot: bool = False) -> None:
        words = SPANISH if lang == "es" else ENGLISH
        person = _person(handle, name, bio if bio is not None else words["tags"], bot)
        groups.setdefault(group, []).append(handle)
        if stage == "relationship":
            events.extend(conversations(person, 5, lang, reciprocal=True))
        elif stage == "acquaintance":
            events.extend(conversations(person, 2, lang, reciprocal=False, gap=3))
        elif stage == "first_contact":
            events.extend(conversations(person, 1, lang, reciprocal=False))
        else:
            events.append({"id": f"follow-{handle}", "type": "follow", "at": _at(1), "author": person})

    for i, name in enumerate(["Ana", "Bea", "Carmen", "Dani", "Elena", "Fede", "Gloria", "Hugo"]):
        add("relationship_es", f"{name.lower()}@es.example", name, "es", "relationship",
            bio="#cerámica #huerto" if i < 3 else "#montaña #fotografía")
    for i, name in enumerate(["Alice", "Ben", "Cleo", "Dan", "Eve", "Finn"]):
        add("relationship_en", f"{name.lower()}@en.example", name, "en", "relationship",
            bio="#pottery #gardening" if i < 2 else "#climbing #photography")
    add("trusted", "tere@es.example", "Tere", "es", "first_contact")
    add("trusted", "tom@en.example", "Tom", "en", "first_contact")
    for name in ["Iker", "Julia", "Kai", "Lola"]:
        add("acquaintance", f"{name.lower()}@x.example", name, "es", "acquaintance")
    for name in ["Mar", "Nico", "Olga", "Pau"]:
        add("first_contact", f"{name.lower()}@x.example", name, "en", "first_contact")
    for name in ["Quim", "Rosa", "Sara"]:
        add("audience", f"{name.lower()}@x.example", name, "es", "audience")
    add("opted_out", "uma@es.example", "Uma", "es", "relationship")
    events.append({"id": "stop-uma", "type": "mention", "at": _at(45), "author": _person("uma@es.example", "Uma", SPANISH["tags"]),
                   "post": {"id": "p-stop-uma", "text": "@me stop", "lang": "es", "thread": "t-stop-uma"}})
    add("nobot", "vera@es.example", "Vera", "es", "relationship", bio="#cerámica #nobot")
    add("bot", "wallbot@en.example", "Wall Bot", "en", "relationship", bot=True)
    events.sort(key=lambda e: e["at"])
    return events, groups
