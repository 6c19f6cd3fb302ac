"""Profiles that arrived whole inside notifications, kept until a profile refresh asks for them.

A Mastodon notification carries its author's full account, a Bluesky one its author's profile
view: looking those people up again right after would spend a request to learn nothing new.
"""

from __future__ import annotations

from collections import OrderedDict

from bot.domain.models import Person

# People kept at most, the most recent first to stay: a poll's worth for a busy account (one
# Person is about a kilobyte). Past it, a refresh looks the oldest up as it would have anyway.
CARRIED_PEOPLE = 10_000


class CarriedProfiles:
    def __init__(self, size: int = CARRIED_PEOPLE) -> None:
        self._size = size
        self._people: OrderedDict[str, Person] = OrderedDict()

    def keep(self, person: Person) -> None:
        if not person.platform_id:
            return
        self._people[person.platform_id] = person
        self._people.move_to_end(person.platform_id)
        while len(self._people) > self._size:
            self._people.popitem(last=False)

    def take(self, person: Person) -> Person | None:
        """The profile carried for `person`, once: a later refresh is a real lookup again."""
        return self._people.pop(person.platform_id, None) if person.platform_id else None
