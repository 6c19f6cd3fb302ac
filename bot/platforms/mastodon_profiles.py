"""Looking people up on a Mastodon-compatible server: an account, unless a notification carried it
whole moments ago, and the private notes of many people in one `relationships` call.

`GET /api/v1/accounts/relationships?id[]=...` takes many ids on Mastodon, GoToSocial, Akkoma and
Takahe alike; 40 ids keep the query string short for any proxy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from bot.domain.models import Person
from bot.errors import AuthFailedError, RemoteNotFoundError
from bot.platforms import mastodon_convert as convert
from bot.platforms.carried_profiles import CarriedProfiles
from bot.platforms.mastodon_calls import MastodonCalls

RELATIONSHIPS_PER_CALL = 40


def look_up(
    calls: MastodonCalls, people: Sequence[Person], carried: CarriedProfiles, domain: str, log: Any
) -> list[Person | None]:
    """Fresh profiles with their private notes, in the order of `people`; None for one gone."""
    profiles = [carried.take(person) or _account(calls, person, domain) for person in people]
    notes = private_notes(calls, [p.platform_id for p in profiles if p is not None and p.platform_id], log)
    return [replace(p, note=notes.get(p.platform_id or "", "")) if p is not None else None for p in profiles]


def _account(calls: MastodonCalls, person: Person, domain: str) -> Person | None:
    try:
        if person.platform_id:
            account = calls("look up a profile", calls.api.account, person.platform_id)
        else:
            account = calls("look up a profile", calls.api.account_lookup, person.handle)
        return convert.person_from_account(account, domain)
    except (RemoteNotFoundError, convert.UnreadableItem):
        return None


def private_notes(calls: MastodonCalls, account_ids: Sequence[str], log: Any) -> dict[str, str]:
    """The note we keep on each account, by id; an account without one is left out."""
    ids = list(dict.fromkeys(account_ids))
    notes: dict[str, str] = {}
    for start in range(0, len(ids), RELATIONSHIPS_PER_CALL):
        chunk = ids[start : start + RELATIONSHIPS_PER_CALL]
        try:
            relationships = calls("read the private notes", calls.api.account_relationships, chunk)
        except AuthFailedError:
            # Notifications or profiles were readable with this token: only read:follows is missing.
            log.warning("mastodon.note_unavailable", reason="token lacks read:follows")
            return notes
        for relationship in relationships or ():
            if isinstance(relationship, Mapping) and convert.item_id(relationship) in chunk:
                notes[convert.item_id(relationship)] = str(relationship.get("note") or "")
    return notes
