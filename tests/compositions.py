"""Every reply the template drafter may compose for a message from its parts alone: a greeting,
a response (a `reply` variant, or an `ack` variant naming the thing the message names) and a
slot for each thing it asks. Tests compare drafts against this set: nothing else is invented."""

from __future__ import annotations

from bot.domain.slots import slot
from bot.drafting.reading import read
from bot.drafting.replies import contract, join, without_name


def compositions(templates: dict, language: str, kind: str, message: str, name: str | None) -> set[str]:
    parts = templates[language]
    reading = read(message, language)
    slots = [slot(ask.subject, language) for ask in reading.asks]
    responses = set(parts["reply"].get(kind, [])) | set(parts["reply"]["other"])
    if reading.thing:  # a complaint is acknowledged as one, whatever else it tells
        acks = parts.get("ack", {})
        keys = ["complaint"] if kind == "complaint" and "complaint" in acks else list(acks)
        responses |= {v.replace("{thing}", reading.thing) for key in keys for v in acks[key]}
    if reading.asks:
        responses.add("")
    greetings = parts["greeting"].get(kind) or parts["greeting"]["default"]
    found = set()
    for response in responses:
        for greeting in greetings:
            if name is None:
                said, hello = without_name(response), without_name(greeting)
            else:
                said, hello = response.replace("{name}", name), greeting.replace("{name}", name)
            opening = "" if name and "{name}" in response else hello
            found.add(contract(join(opening, said, *slots), language))
            found.add(contract(join(hello, said, *slots), language))
    return found
