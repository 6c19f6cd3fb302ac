"""Reading a Mastodon-compatible server back in time: the pages of history, and the search for an
earlier attempt at a reply.

Servers cap pages below the limit asked (Mastodon at 80 notifications or 40 statuses, Takahe at
40 of either), so a short page says nothing: only an empty page, or one with nothing older than the
last, ends a walk back.

An earlier attempt is looked for in two places. Our own statuses (`GET /accounts/:id/statuses`)
hold every reply on Mastodon, but Takahe leaves followers-only and direct posts out of them, even
for their author. The answered post's replies (`GET /statuses/:id/context`) hold them on every
server, but only a reply that has a parent can be found there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from bot.domain.models import OutgoingReply, PostedReply, Visibility
from bot.errors import RemoteNotFoundError
from bot.platforms import mastodon_convert as convert
from bot.platforms.mastodon_calls import MastodonCalls

OWN_STATUSES_PAGE = 40  # the most Mastodon returns per page of statuses
# A server's clock may run behind ours: a reply it stamps a little before the draft's own time
# can still be an attempt at that draft. One stamped well before cannot.
_CLOCK_SKEW = timedelta(minutes=15)
_NARROW = (Visibility.PRIVATE, Visibility.DIRECT)


def older_than(page: Iterable[Any], max_id: str | None) -> list[Any]:
    """The items older than `max_id`, and those without an id (to be counted as unreadable).

    A server that ignores `max_id` answers with the same page again: nothing in it is older,
    which ends the walk instead of looping on it."""
    if max_id is None:
        return list(page)
    bound = convert.id_order(max_id)
    return [i for i in page if not convert.item_id(i) or convert.id_order(convert.item_id(i)) < bound]


def oldest_id(items: Iterable[Any]) -> str | None:
    ids = [convert.item_id(item) for item in items if convert.item_id(item)]
    return min(ids, key=convert.id_order) if ids else None


def blind_spot(reply: OutgoingReply) -> str | None:
    """Why no search could find an earlier attempt at `reply`, or None when one can."""
    if reply.in_reply_to or reply.visibility not in _NARROW:
        return None
    return (f"an earlier attempt at this {reply.visibility.value} post cannot be ruled out: it answers no post"
            " whose replies could be read, and some servers (Takahe) leave such posts out of our own statuses")


def in_statuses(
    calls: MastodonCalls, own_id: str, reply: OutgoingReply, text: str, domain: str, log: Any, pages: int
) -> PostedReply | None:
    """The attempt among our own statuses, read back to when the draft was written and at most
    `pages` pages (Mastodon keeps idempotency keys about an hour, other servers none); without
    that time, one page."""
    max_id = None
    for _ in range(pages):
        page = calls(
            "check for an earlier attempt", calls.api.account_statuses, own_id,
            exclude_reblogs=True, limit=OWN_STATUSES_PAGE, max_id=max_id,
        )
        statuses = [s for s in older_than(page, max_id) if isinstance(s, Mapping) and convert.item_id(s)]
        for status in statuses:
            if _is_attempt(status, reply, text, domain):
                return _found(status)
        max_id = oldest_id(statuses)
        if reply.drafted_at is None or max_id is None:
            return None
        oldest = next(s for s in statuses if convert.item_id(s) == max_id)
        if convert.created_at(oldest, reply.drafted_at) < reply.drafted_at:
            return None
    if pages > 1:
        log.warning("mastodon.earlier_attempt_unconfirmed", draft_id=reply.draft_id, pages=pages)
    return None


def in_context(
    calls: MastodonCalls, own_id: str, reply: OutgoingReply, text: str, domain: str, log: Any
) -> PostedReply | None:
    """The attempt among the replies to the post answered: ours, to that post, not older than
    the draft, with its text."""
    try:
        context = calls("read the replies to the post answered", calls.api.status_context, reply.in_reply_to)
    except RemoteNotFoundError:
        log.info("mastodon.context_unavailable", draft_id=reply.draft_id)
        return None
    descendants = context.get("descendants") if isinstance(context, Mapping) else None
    for status in descendants if isinstance(descendants, list) else ():
        if (isinstance(status, Mapping) and convert.item_id(status.get("account")) == own_id
                and _is_attempt(status, reply, text, domain)):
            return _found(status)
    return None


def _is_attempt(status: Mapping[str, Any], reply: OutgoingReply, text: str, domain: str) -> bool:
    """Whether `status` is an attempt at `reply`: it answers the same post (or none, as the reply
    does), reads the same, and is not older than the draft."""
    if convert.item_id({"id": status.get("in_reply_to_id")}) != reply.in_reply_to:
        return False
    if not convert.same_text(status, text, domain):
        return False
    if reply.drafted_at is None:
        return True
    not_before = reply.drafted_at - _CLOCK_SKEW
    return convert.created_at(status, not_before) >= not_before


def _found(status: Mapping[str, Any]) -> PostedReply:
    url = status.get("url")
    return PostedReply(convert.item_id(status), url if isinstance(url, str) else None, already_posted=True)
