"""Regressions found by the hostile-input properties (tests/property/test_bluesky_convert.py): an
item of a raw page may be any JSON, and a time any text; the conversion refuses what it cannot
read with one UnreadableItemError line, and what reads a whole page never raises."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.platforms import bluesky_convert as convert

RECORDED = Path(__file__).resolve().parents[2] / "fixtures" / "bluesky" / "recorded"
NOTIFICATIONS = json.loads((RECORDED / "listNotifications.json").read_text(encoding="utf-8"))["notifications"]
FEED = json.loads((RECORDED / "getAuthorFeed.json").read_text(encoding="utf-8"))["feed"]
MENTION = next(n for n in NOTIFICATIONS if n["reason"] == "mention")
SINCE = datetime(2026, 1, 1, tzinfo=UTC)


def mention(**changes: Any) -> dict[str, Any]:
    return {**json.loads(json.dumps(MENTION)), **changes}


@pytest.mark.parametrize("raw", [None, 5, "text", [], True])
def test_an_item_that_is_not_an_object_is_unreadable(raw: Any) -> None:
    with pytest.raises(convert.UnreadableItemError, match="not an object"):
        convert.interaction_from_notification(raw)
    with pytest.raises(convert.UnreadableItemError, match="not an object"):
        convert.sent_interaction_from_feed_item(raw, "did:plc:me")


@pytest.mark.parametrize("at", ["2026-05-01T10:00:00", "2026-05-01", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00+01:00",
                                "1969-12-31T23:59:59Z", 5])
def test_a_time_without_a_zone_or_out_of_range_is_unreadable(at: Any) -> None:
    with pytest.raises(convert.UnreadableItemError):
        convert.interaction_from_notification(mention(indexedAt=at))


def test_a_page_with_such_items_is_read_back_without_raising() -> None:
    """A zoneless time used to be compared with the aware watermark (TypeError), a year-1 time
    to overflow once the overlap was subtracted, and a non-object to have no .get."""
    page = [mention(indexedAt="2026-05-01T10:00:00", uri="at://a"), mention(indexedAt="0001-01-01T00:00:00+01:00"),
            None, "text", *NOTIFICATIONS]
    floor = convert.newest_time(page, default=datetime.max.replace(tzinfo=UTC)) - timedelta(minutes=10)
    window: list[Any] = []
    fresh: list[Any] = []
    convert.read_back_page(page, None, floor, window, fresh)
    assert fresh[:4] == page[:4]  # kept, to be counted as skipped where they are converted
    assert convert.oldest_before(page, SINCE) is False


def test_oldest_before_ignores_items_without_a_readable_time() -> None:
    assert convert.oldest_before([None, {"indexedAt": "yesterday"}, {"indexedAt": "2025-12-31T23:00:00Z"}], SINCE)


def test_an_unreadable_item_is_reported_in_one_short_line() -> None:
    with pytest.raises(convert.UnreadableItemError) as refused:
        convert.interaction_from_notification({"uri": 1})
    message = str(refused.value)
    assert "\n" not in message and len(message) <= 240
    assert message.startswith("unreadable Notification: ")


def test_a_description_of_another_type_on_a_basic_profile_is_no_bio() -> None:
    item = json.loads(json.dumps(FEED[0]))
    item["reply"]["parent"]["author"]["description"] = {"evil": True}
    interaction = convert.sent_interaction_from_feed_item(item, FEED[0]["post"]["author"]["did"])
    assert interaction is not None and interaction.person.bio == ""
