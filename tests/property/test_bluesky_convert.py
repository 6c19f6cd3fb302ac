"""Bluesky notifications, feed items and pages under hostile input.

The adapter hands the converter each item of a raw XRPC page (`BlueskySession.query` returns the
JSON as it came), so an item may be anything JSON can hold. Each example starts from the
responses rapport recorded from a real Bluesky network (tests/fixtures/bluesky/recorded), changes
some fields (hostile text, times without a zone or out of range, wrong types, nesting, missing
keys) or puts other JSON in the page. Conversion returns a well-typed Interaction or None, or
raises `UnreadableItemError` (the documented skip), with one error line; the functions that
read a whole page (where to stop, the watermark) never raise at all.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import given, strategies as st

from bot.domain.models import Interaction
from bot.platforms import bluesky_convert as convert
from tests.property.contract import converted
from tests.property.hostile import (
    BAD_TIMES, DEPTHS, MISSING, WRONG_TYPES, any_text, budget, changed, hostile_text, iso_time,
    json_values, nested_json, with_value,
)

RECORDED = Path(__file__).resolve().parents[1] / "fixtures" / "bluesky" / "recorded"
NOTIFICATIONS = json.loads((RECORDED / "listNotifications.json").read_text(encoding="utf-8"))["notifications"]
FEED = json.loads((RECORDED / "getAuthorFeed.json").read_text(encoding="utf-8"))["feed"]
OWN_DID = FEED[0]["post"]["author"]["did"]
OVERLAP = timedelta(minutes=10)
NESTED = 200  # deep; the SDK copies nested unknown values once per level (quadratic), so no deeper

wrong = st.one_of(st.sampled_from(WRONG_TYPES), json_values, st.just(MISSING),
                  DEPTHS.map(lambda depth: nested_json(min(depth, NESTED))))
times = st.one_of(st.sampled_from(BAD_TIMES), iso_time(), wrong)
post_text = st.one_of(any_text(), hostile_text(12).map(lambda t: t[:3000]))
PROFILE = {
    ("did",): st.one_of(hostile_text(3), wrong), ("handle",): st.one_of(hostile_text(3), wrong),
    ("displayName",): st.one_of(any_text(), wrong), ("description",): st.one_of(any_text(), wrong),
    ("labels",): st.one_of(st.lists(st.fixed_dictionaries({"val": st.sampled_from(("bot", "!hide", "")),
                                                            "src": hostile_text(2), "uri": hostile_text(2),
                                                            "cts": iso_time()})), wrong),
}
RECORD = {
    ("$type",): st.one_of(st.sampled_from(("app.bsky.feed.post", "app.bsky.feed.like", "")), wrong),
    ("text",): st.one_of(post_text, wrong), ("langs",): st.one_of(st.lists(hostile_text(1), max_size=4), wrong),
    ("reply",): wrong, ("reply", "parent"): wrong, ("reply", "root", "uri"): st.one_of(hostile_text(3), wrong),
    ("createdAt",): times, ("facets",): wrong, ("embed",): wrong,
}
NOTIFICATION = {
    ("uri",): st.one_of(hostile_text(3), wrong), ("cid",): wrong, ("isRead",): wrong,
    ("reason",): st.one_of(st.sampled_from((*convert.REASON_KINDS, "verified", "")), wrong),
    ("indexedAt",): times, ("author",): wrong, ("record",): wrong,
    **{("author", *path): value for path, value in PROFILE.items()},
    **{("record", *path): value for path, value in RECORD.items()},
}
FEED_ITEM = {
    ("post",): wrong, ("post", "uri"): st.one_of(hostile_text(3), wrong), ("post", "indexedAt"): times,
    ("post", "record"): wrong, ("reply",): wrong, ("reply", "parent"): wrong, ("reply", "parent", "author"): wrong,
    ("reason",): wrong,
    **{("post", "author", *path): value for path, value in PROFILE.items()},
    **{("post", "record", *path): value for path, value in RECORD.items()},
    **{("reply", "parent", "author", *path): value for path, value in PROFILE.items()},
}

notifications = st.sampled_from(NOTIFICATIONS).flatmap(lambda base: changed(base, NOTIFICATION))
feed_items = st.sampled_from(FEED).flatmap(lambda base: changed(base, FEED_ITEM))
not_items = st.one_of(st.sampled_from(WRONG_TYPES), json_values, st.builds(dict))


def check(convert_one: Any) -> Interaction | None:
    interaction = converted(convert_one, convert.UnreadableItemError)
    assert interaction is None or interaction.at.utcoffset() == timedelta(0)
    return interaction


@budget(400)
@given(raw=st.one_of(notifications, notifications, not_items))
def test_a_notification_is_read_ignored_or_refused_as_unreadable_and_nothing_else(raw: Any) -> None:
    check(lambda: convert.interaction_from_notification(raw))


@budget(250)
@given(raw=st.one_of(feed_items, feed_items, not_items))
def test_a_feed_item_is_read_ignored_or_refused_as_unreadable_and_nothing_else(raw: Any) -> None:
    check(lambda: convert.sent_interaction_from_feed_item(raw, OWN_DID))


@budget(200)
@given(page=st.lists(st.one_of(notifications, not_items), max_size=6),
       mark_at=st.one_of(st.none(), iso_time()))
def test_reading_a_page_back_to_the_watermark_never_raises(page: list[Any], mark_at: str | None) -> None:
    """What `BlueskyClient.fetch_new` and `fetch_history` do with a page, outside any try."""
    mark = None if mark_at is None else convert.Watermark.decode(mark_at)
    floor = mark.newest - OVERLAP if mark else (
        convert.newest_time(page, default=datetime.max.replace(tzinfo=UTC)) - OVERLAP)
    window: list[Any] = []
    fresh: list[Any] = []
    convert.read_back_page(page, mark, floor, window, fresh)
    after = (mark or convert.Watermark.decode("2000-01-01T00:00:00.000Z")).after(window, OVERLAP)
    assert convert.Watermark.decode(after.encode()).seen == after.seen
    convert.oldest_before(page, datetime(2026, 1, 1, tzinfo=UTC))
    for raw in fresh:
        check(lambda raw=raw: convert.interaction_from_notification(raw))


@budget(150)
@given(text=hostile_text(12).map(lambda t: t[:3000]), name=hostile_text(12).map(lambda t: t[:640]))
def test_the_text_of_a_post_and_a_display_name_arrive_exactly(text: str, name: str) -> None:
    mention = next(n for n in NOTIFICATIONS if n["reason"] == "mention")
    raw = with_value(with_value(mention, ("record", "text"), text), ("author", "displayName"), name)
    interaction = convert.interaction_from_notification(raw)
    assert interaction is not None and interaction.post is not None
    assert (interaction.post.text, interaction.person.name) == (text, name)


SWEEP = (1, 1.5, True, "", "x", [None], {"a": None})


def test_every_field_missing_or_of_each_wrong_type_is_read_or_refused_as_unreadable() -> None:
    """The sweep that random draws may miss: each field on its own, with each JSON type."""
    posts = [n for n in NOTIFICATIONS if n["record"].get("$type") == convert.POST_COLLECTION]
    since = datetime(2026, 1, 1, tzinfo=UTC)
    for fields, bases, conversion in (
        (NOTIFICATION, posts[:1] + NOTIFICATIONS[:1], convert.interaction_from_notification),
        (FEED_ITEM, FEED, lambda raw: convert.sent_interaction_from_feed_item(raw, OWN_DID)),
    ):
        for path in fields:
            extra = BAD_TIMES if path[-1] in ("indexedAt", "createdAt") else ()
            for value in (*SWEEP, MISSING, nested_json(NESTED), *extra):
                for base in posts if path[0] == "record" else bases:
                    raw = with_value(base, path, value)
                    check(lambda raw=raw: conversion(raw))
                    if path[0] in ("indexedAt", "uri"):  # what a page's position is read from
                        convert.read_back_page([raw, *bases], None, since, [], [])
                        convert.oldest_before([raw, *bases], since)
