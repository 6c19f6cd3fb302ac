"""Regressions found by the hostile-input properties (tests/property/test_mastodon_convert.py):
whatever a server sends, the conversion gives a well-typed Interaction or raises UnreadableItem,
and the times that paging compares never raise.

Mastodon.py casts what it can (a number where text is declared becomes its str()), so most of
these items are given as the plain mappings the converter also accepts; the times go through
Mastodon.py's cast, whose date parser reads offsets that Python's cannot hold."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from mastodon.return_types import Notification, Status, try_cast_recurse

from bot.platforms import mastodon_convert as convert

RECEIVED = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
DOMAIN = "social.example"
ANA = {"id": "7", "acct": "ana", "username": "ana", "display_name": "Ana", "note": "<p>Huerto</p>", "fields": []}


def status(**changes: Any) -> dict[str, Any]:
    return {"id": "100", "created_at": "2026-05-01T10:00:00Z", "content": "<p>¿Qué tal?</p>", "visibility": "public",
            "language": "es", "in_reply_to_id": None, "spoiler_text": "", "url": "https://social.example/@ana/100",
            "mentions": [], "account": ANA, **changes}


def notification(**changes: Any) -> dict[str, Any]:
    return {"id": "20", "type": "mention", "created_at": "2026-05-01T10:00:00Z", "account": ANA, "status": status(),
            **changes}


def read(item: Any) -> Any:
    return convert.interaction_from_notification(item, DOMAIN, RECEIVED)


@pytest.mark.parametrize("at", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2026-05-01T10:00:00+99:00"])
def test_a_time_that_cannot_be_had_in_utc_makes_the_item_unreadable_not_an_overflow(at: str) -> None:
    with pytest.raises(convert.UnreadableItem, match="out of range"):
        read(try_cast_recurse(Notification, notification(created_at=at)))
    own = try_cast_recurse(Status, status(created_at=at, mentions=[{"id": "9", "acct": "tom", "url": "u"}]))
    with pytest.raises(convert.UnreadableItem, match="out of range"):
        convert.sent_interaction_from_status(own, "1", DOMAIN, RECEIVED)


def test_paging_reads_a_time_out_of_range_as_no_time() -> None:
    early = try_cast_recurse(Notification, notification(created_at="0001-01-01T00:00:00+01:00"))
    assert convert.created_at(early, RECEIVED) == RECEIVED


@pytest.mark.parametrize("field, value", [
    ("display_name", {"a": 1}), ("display_name", 5), ("note", ["<p>x</p>"]), ("acct", {"x": "y"}), ("acct", "@"),
])
def test_an_account_field_that_is_not_text_makes_the_item_unreadable_not_a_repr(field: str, value: Any) -> None:
    with pytest.raises(convert.UnreadableItem):
        read(notification(account={**ANA, field: value}))


@pytest.mark.parametrize("field, value", [("content", {"a": 1}), ("content", 5), ("spoiler_text", [])])
def test_a_status_text_that_is_not_text_makes_the_item_unreadable(field: str, value: Any) -> None:
    with pytest.raises(convert.UnreadableItem, match=field):
        read(notification(status=status(**{field: value})))


def test_hints_that_are_not_text_are_ignored() -> None:
    post = read(notification(status=status(language=["es"], url={"href": "x"}, uri=5))).post
    assert (post.language, post.url) == (None, None)


@pytest.mark.parametrize("value", [[1], True, {"id": 1}, 1.5])
def test_an_id_that_is_no_id_counts_as_none(value: Any) -> None:
    with pytest.raises(convert.UnreadableItem, match="without id"):
        read(notification(id=value))


def test_profile_fields_whose_name_or_value_is_not_text_are_dropped() -> None:
    fields = [{"name": {"a": 1}, "value": "x"}, {"name": "Web", "value": ["x"]}, {"name": "Huerto", "value": "<p>sí</p>"}]
    assert read(notification(account={**ANA, "fields": fields})).person.fields == (("Huerto", "sí"),)


def test_mentions_that_are_not_a_list_address_nobody() -> None:
    own = try_cast_recurse(Status, status(mentions=5))
    assert convert.sent_interaction_from_status(own, "1", DOMAIN, RECEIVED) is None


def test_an_unknown_type_is_named_in_one_short_line() -> None:
    with pytest.raises(convert.UnreadableItem) as refused:
        read(notification(type="\u202e" * 100_000))
    assert len(str(refused.value)) < 120 and "\u202e" not in str(refused.value)
