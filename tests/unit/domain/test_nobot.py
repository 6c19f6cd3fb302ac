"""#nobot counts wherever the person wrote it in their profile, the display name included."""

from __future__ import annotations

import pytest

from bot.domain.contacts import Contact


def contact(name: str = "Ana", bio: str = "", fields: tuple[tuple[str, str], ...] = ()) -> Contact:
    return Contact(id=1, account="demo", handle="ana@social.example", name=name, bio=bio, fields=fields)


@pytest.mark.parametrize("who", [
    contact(name="Ana #nobot"),
    contact(name="Ana García (#NoBot)"),
    contact(name="#nobots Ana"),
    contact(name="Ana ＃ｎｏｂｏｔ"),  # fullwidth
    contact(bio="Gardener. ＃NoBot"),
    contact(fields=(("#nobot", "please"),)),
    contact(fields=(("Bots", "#no_bot"),)),
], ids=["name", "name_in_brackets", "name_first", "name_fullwidth", "bio_fullwidth", "field_label", "field_value"])
def test_nobot_anywhere_in_the_profile_counts(who: Contact) -> None:
    assert who.nobot is True


@pytest.mark.parametrize("who", [
    contact(name="Ana Nobot"),
    contact(name="#nobotanist Ana"),
    contact(bio="me#nobot"),
    contact(fields=(("Bots", "nobot"),)),
], ids=["word_without_hash", "longer_tag", "hash_inside_a_word", "field_without_hash"])
def test_without_the_tag_the_profile_does_not_count(who: Contact) -> None:
    assert who.nobot is False
