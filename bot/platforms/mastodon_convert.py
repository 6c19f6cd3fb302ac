"""Mastodon API objects, as plain mappings, turned into domain objects.

Pure functions with no SDK import, so `mastodon.py` stays the only module that knows Mastodon.py.
Every function accepts what a real server may send: nulls, missing keys, local accounts
whose `acct` has no domain. What cannot be read raises `UnreadableItem`; the caller logs it,
counts it and moves on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from bot.domain.models import Interaction, InteractionKind, Person, Post, Visibility
from bot.platforms.html_text import html_to_text

NOTIFICATION_KINDS = {
    "mention": InteractionKind.MENTION,
    "follow": InteractionKind.FOLLOW,
    "favourite": InteractionKind.LIKE,
    "reblog": InteractionKind.REPOST,
    "quote": InteractionKind.QUOTE,
}


class UnreadableItem(ValueError):
    """A notification or status the adapter cannot turn into an interaction."""


def id_order(item_id: str) -> tuple[int, str]:
    """Sort key for Mastodon ids: numeric strings without leading zeros, or same-length ULIDs."""
    return (len(item_id), item_id)


def item_id(item: object) -> str:
    """The item's id as a string, or "" when it has none (or one that is no id: a list, a bool)."""
    value = item.get("id") if isinstance(item, Mapping) else None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return ""
    return str(value)


def _text(value: object, what: str) -> str:
    """A text field: "" for null; a value of another type makes the item unreadable, rather than
    its Python repr ("{'a': 1}") becoming a name, a handle or a message."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise UnreadableItem(f"{what} is not text but {type(value).__name__}")
    return value


def _shown(value: object) -> str:
    """A value for an error line: its repr (which escapes every control), cut short."""
    text = repr(value)
    return text if len(text) <= 80 else text[:79] + "…"


def _listed(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _hint(value: object) -> str | None:
    """A language or a link: used when it is text, ignored otherwise."""
    return value if isinstance(value, str) and value else None


def after(items: Iterable[Any], cursor: str) -> list[Any]:
    """Items newer than `cursor` (a server may ignore min_id), and those without an id to log."""
    return [i for i in items if not item_id(i) or id_order(item_id(i)) > id_order(cursor)]


def created_at(item: Mapping[str, Any], default: datetime) -> datetime:
    """When the item was created, in UTC; `default` when the server sent no usable time.

    Never raises: paging compares these times, and one broken item must not stop a page.
    """
    try:
        return _time_in_utc(item) or default
    except UnreadableItem:
        return default


def _time_in_utc(item: Mapping[str, Any]) -> datetime | None:
    """The item's time in UTC, None without one; UnreadableItem for a time that exists only in
    its own zone (0001-01-01T00:00+01:00 is before year 1 in UTC: Python cannot hold it)."""
    value = item.get("created_at")
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            value = None
    if not isinstance(value, datetime):
        return None
    try:
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    except (OverflowError, ValueError):  # ValueError: an offset of a day or more (dateutil reads "+99:00")
        raise UnreadableItem(f"time out of range once in UTC: {value!r}") from None


def _read_time(item: Mapping[str, Any], received_at: datetime) -> datetime:
    """An item's time for an interaction: refused when out of range, `received_at` when absent."""
    return _time_in_utc(item) or received_at


def full_handle(acct: str, domain: str) -> str:
    """`user@domain`: local accounts' `acct` has no domain, so the instance's is added."""
    acct = acct.strip().lstrip("@")
    return acct if "@" in acct else f"{acct}@{domain}"


def visibility_of(value: object) -> Visibility:
    """Unknown scopes ("local", "limited"...) count as direct, so a reply never widens them."""
    try:
        return Visibility(value)
    except ValueError:
        return Visibility.DIRECT


def person_from_account(account: object, domain: str) -> Person:
    if not isinstance(account, Mapping):
        raise UnreadableItem("no account")
    acct = _text(account.get("acct"), "acct") or _text(account.get("username"), "username")
    if not acct.strip().lstrip("@"):
        raise UnreadableItem("account without acct or username")
    return Person(
        platform_id=item_id(account) or None,
        handle=full_handle(acct, domain),
        name=_text(account.get("display_name"), "display_name"),
        bio=html_to_text(_text(account.get("note"), "note")),
        bot=bool(account.get("bot")),
        fields=tuple(_fields(account.get("fields"))),
    )


def _fields(fields: object) -> Iterable[tuple[str, str]]:
    """Profile fields with a name and a value that are text; others are decoration to drop."""
    for field in fields if isinstance(fields, list) else ():
        if isinstance(field, Mapping) and isinstance(field.get("name"), str) and field["name"]:
            value = field.get("value")
            if value is None or isinstance(value, str):
                yield field["name"], html_to_text(value)


def mention_handles(status: Mapping[str, Any], domain: str) -> dict[str, str]:
    """Mention link href → full handle, from the status's own `mentions` list."""
    mentions = status.get("mentions")
    return {
        mention["url"]: full_handle(mention["acct"], domain)
        for mention in _listed(mentions)
        if isinstance(mention, Mapping) and _hint(mention.get("url")) and _hint(mention.get("acct"))
    }


def post_from_status(status: Mapping[str, Any], domain: str) -> Post:
    """`thread` is the parent post: Mastodon names no conversation root without an extra call."""
    post_id = item_id(status)
    if not post_id:
        raise UnreadableItem("status without id")
    in_reply_to = item_id({"id": status.get("in_reply_to_id")}) or None
    return Post(
        id=post_id,
        text=html_to_text(_text(status.get("content"), "content"), mentions=mention_handles(status, domain)),
        language=_hint(status.get("language")),
        visibility=visibility_of(status.get("visibility")),
        in_reply_to=in_reply_to,
        thread=in_reply_to,
        url=_hint(status.get("url")) or _hint(status.get("uri")),
        spoiler_text=_text(status.get("spoiler_text"), "spoiler_text"),
    )


def interaction_from_notification(
    notification: object, domain: str, received_at: datetime
) -> Interaction:
    if not isinstance(notification, Mapping) or not item_id(notification):
        raise UnreadableItem("notification without id")
    kind = NOTIFICATION_KINDS.get(str(notification.get("type")))
    if kind is None:
        raise UnreadableItem(f"unknown notification type {_shown(notification.get('type'))}")
    status = notification.get("status")
    if kind.is_conversation and not isinstance(status, Mapping):
        raise UnreadableItem(f"{notification.get('type')} notification without a status")
    post = post_from_status(status, domain) if isinstance(status, Mapping) else None
    if kind is InteractionKind.MENTION and post is not None and post.in_reply_to:
        kind = InteractionKind.REPLY
    return Interaction(
        id=item_id(notification),
        kind=kind,
        at=_read_time(notification, received_at),
        person=person_from_account(notification.get("account"), domain),
        post=post,
    )


def sent_interaction_from_status(
    status: object, own_id: str, domain: str, received_at: datetime
) -> Interaction | None:
    """One of our own posts addressed to someone, or None for a post that addresses nobody."""
    if not isinstance(status, Mapping):
        raise UnreadableItem("status is not an object")
    addressee = _addressee(status, own_id)
    if addressee is None:
        return None
    return Interaction(
        id=item_id(status),
        kind=InteractionKind.SENT,
        at=_read_time(status, received_at),
        person=Person(item_id(addressee) or None, full_handle(addressee["acct"], domain)),
        post=post_from_status(status, domain),
    )


def _addressee(status: Mapping[str, Any], own_id: str) -> Mapping[str, Any] | None:
    """The account replied to if it is mentioned, else the first account mentioned."""
    mentions = [
        mention
        for mention in _listed(status.get("mentions"))
        if isinstance(mention, Mapping) and _hint(mention.get("acct")) and item_id(mention) != own_id
    ]
    replied_to = item_id({"id": status.get("in_reply_to_account_id")})
    for mention in mentions:
        if replied_to and item_id(mention) == replied_to:
            return mention
    return mentions[0] if mentions else None


def leading_handles(text: str, domain: str) -> list[str]:
    """The `@user@domain` handles a text starts with, lower-cased."""
    handles = []
    for word in text.split():
        if not word.startswith("@") or len(word) < 2:
            break
        handles.append(full_handle(word, domain).lower())
    return handles


def with_mentions(text: str, handles: Iterable[str], domain: str, own_handle: str) -> str:
    """`text` starting with `@user@domain` for each handle: on Mastodon only mentions notify."""
    present = set(leading_handles(text, domain)) | {own_handle.lower()}
    missing: list[str] = []
    for handle in handles:
        handle = full_handle(handle, domain)
        if handle.lower() not in present:
            present.add(handle.lower())
            missing.append(f"@{handle}")
    return " ".join([*missing, text.strip()]) if missing else text.strip()


def same_text(status: Mapping[str, Any], text: str, domain: str) -> bool:
    """Whether a posted status reads as `text`, hidden link parts included."""
    posted = html_to_text(status.get("content"), mentions=mention_handles(status, domain), full_links=True)
    return posted.split() == text.split()
