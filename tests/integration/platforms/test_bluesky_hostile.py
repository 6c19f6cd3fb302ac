"""BlueskyClient against pages a broken or hostile AppView might send: items that are not objects,
and times far in the future. Recorded items are replayed as in `test_bluesky.py`, whose helpers
and fixtures these tests share."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from bot.domain.models import InteractionKind
from tests.integration.platforms.test_bluesky import (  # noqa: F401  (fixtures pytest finds by name)
    _PARENT,
    EPOCH,
    NOW,
    OUR_DID,
    _as_union,
    _iso,
    _restore,
    bsky_clock,
    make_client,
    many_mentions,
    notification_page,
    post_view,
    session_path,
    xrpc,
)

NOT_OBJECTS = [None, 7, "a string"]
FAR_FUTURE = "2999-01-01T00:00:00.000Z"


def _mentions_at(tag: str, times: list[datetime]) -> list[dict[str, Any]]:
    """Distinct mentions at `times`, newest first as the AppView lists them."""
    [template] = many_mentions(1)
    items = []
    for n, at in enumerate(sorted(times, reverse=True)):
        item = copy.deepcopy(template)
        item["uri"] = f"{template['uri'][:-6]}{tag}{n:05d}"
        item["indexedAt"] = _iso(at)
        items.append(item)
    return items


def _skipped_ids(log: Any) -> list[Any]:
    return [event.get("item_id") for event in log.named("bluesky.item_skipped")]


# -- items that are not objects ---------------------------------------------------------------


def test_non_object_notifications_are_skipped_counted_and_logged_and_the_rest_is_read(
    respx_mock, make_client, session_path, log
):
    _restore(session_path)
    items = many_mentions(3)
    page = [NOT_OBJECTS[0], items[0], NOT_OBJECTS[1], items[1], NOT_OBJECTS[2], items[2]]
    xrpc(respx_mock, "app.bsky.notification.listNotifications", json=notification_page(page))
    xrpc(respx_mock, "app.bsky.notification.updateSeen", method="POST", json={})

    batch = make_client().fetch_new(EPOCH)

    assert [i.id for i in batch.interactions] == [item["uri"] for item in reversed(items)]
    assert batch.skipped == 3
    assert batch.cursor.startswith(items[0]["indexedAt"] + " ")  # the mark moves on past them
    assert _skipped_ids(log) == [None, None, None]  # once each


def test_non_object_items_in_history_pages_are_skipped_counted_and_the_cursor_moves_on(
    respx_mock, make_client, session_path, log
):
    _restore(session_path)
    items = many_mentions(2)
    ours = post_view("ours-replying", author_did=OUR_DID, parent=_PARENT)
    ours["indexedAt"] = items[1]["indexedAt"]
    reply = {"post": ours, "reply": {"parent": _as_union(_PARENT), "root": _as_union(_PARENT)}}
    xrpc(respx_mock, "app.bsky.notification.listNotifications",
         json=notification_page([items[0], None, items[1]], "older-notes"))
    xrpc(respx_mock, "app.bsky.feed.getAuthorFeed",
         json={"feed": [*NOT_OBJECTS, reply], "cursor": "older-feed"})

    batch = make_client().fetch_history(None, since=NOW - timedelta(days=1))

    assert [i.id for i in batch.interactions if i.kind is InteractionKind.MENTION] == [
        items[1]["uri"], items[0]["uri"]]
    assert [i.id for i in batch.interactions if i.kind is InteractionKind.SENT] == [ours["uri"]]
    assert batch.skipped == 4
    assert len(log.named("bluesky.item_skipped")) == 4
    assert "older-notes" in batch.cursor and "older-feed" in batch.cursor and batch.more


# -- times far in the future ------------------------------------------------------------------


def test_a_notification_from_the_far_future_is_skipped_and_later_ones_still_arrive(
    respx_mock, make_client, session_path, bsky_clock, log
):
    _restore(session_path)
    [future] = _mentions_at("f", [NOW])
    future["indexedAt"] = FAR_FUTURE
    first_items = _mentions_at("a", [NOW - timedelta(seconds=n) for n in range(3)])
    route = xrpc(respx_mock, "app.bsky.notification.listNotifications",
                 json=notification_page([future, *first_items]))
    xrpc(respx_mock, "app.bsky.notification.updateSeen", method="POST", json={})
    client = make_client()

    first = client.fetch_new(EPOCH)
    bsky_clock.advance(minutes=30)
    later_items = _mentions_at("b", [NOW + timedelta(minutes=20), NOW + timedelta(minutes=25)])
    route.return_value = httpx.Response(200, json=notification_page([future, *later_items, *first_items]))
    second = client.fetch_new(first.cursor)

    assert [i.id for i in first.interactions] == [item["uri"] for item in reversed(first_items)]
    assert first.skipped == 1
    assert first.cursor.startswith(first_items[0]["indexedAt"] + " ")  # not the year 2999
    assert future["uri"] in _skipped_ids(log)
    assert [i.id for i in second.interactions] == [item["uri"] for item in reversed(later_items)]
    assert second.cursor.startswith(later_items[0]["indexedAt"] + " ")


def test_the_first_poll_marks_at_the_newest_believable_notification_not_the_future_one(
    respx_mock, make_client, session_path
):
    _restore(session_path)
    [future] = _mentions_at("f", [NOW])
    future["indexedAt"] = FAR_FUTURE
    items = _mentions_at("a", [NOW - timedelta(seconds=n) for n in range(2)])
    xrpc(respx_mock, "app.bsky.notification.listNotifications", json=notification_page([future, *items]))

    batch = make_client().fetch_new(None)

    assert batch.interactions == ()
    assert batch.cursor.startswith(items[0]["indexedAt"] + " ")


@pytest.mark.parametrize(("ahead", "kept"), [(timedelta(minutes=9), True), (timedelta(minutes=11), False)])
def test_a_time_slightly_ahead_of_our_clock_is_tolerated_up_to_ten_minutes(
    respx_mock, make_client, session_path, ahead, kept
):
    """The AppView's clock is not ours: a little skew is normal, and must not lose a mention."""
    _restore(session_path)
    [ahead_item] = _mentions_at("s", [NOW + ahead])
    xrpc(respx_mock, "app.bsky.notification.listNotifications", json=notification_page([ahead_item]))
    xrpc(respx_mock, "app.bsky.notification.updateSeen", method="POST", json={})

    batch = make_client().fetch_new(EPOCH)

    assert ([i.id for i in batch.interactions] == [ahead_item["uri"]]) is kept
    assert batch.skipped == (0 if kept else 1)


def test_a_history_item_from_the_far_future_is_skipped_and_counted(
    respx_mock, make_client, session_path, log
):
    _restore(session_path)
    items = many_mentions(2)
    items[0]["indexedAt"] = FAR_FUTURE
    xrpc(respx_mock, "app.bsky.notification.listNotifications", json=notification_page(items))
    xrpc(respx_mock, "app.bsky.feed.getAuthorFeed", json={"feed": []})

    batch = make_client().fetch_history(None, since=NOW - timedelta(days=1))

    assert [i.id for i in batch.interactions] == [items[1]["uri"]]
    assert batch.skipped == 1
    assert _skipped_ids(log) == [items[0]["uri"]]
