"""Mastodon, and servers that speak its client API, behind the `PlatformClient` port, through
Mastodon.py (imported only in the `mastodon*` modules).

Cursors:
- `fetch_new`: the newest notification id seen. With no cursor (first run) it reads nothing and
  returns the newest notification id as the cursor (or "0" for an account without any), so the
  past comes from `fetch_history` and the first poll starts right after it.
- `fetch_history`: "notifications:<max_id>", then "sent:<max_id>" for our own posts, then "done".
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import structlog

from bot.domain.models import Batch, Interaction, OutgoingReply, Person, PostedReply, Visibility
from bot.errors import InvalidInputError
from bot.platforms import mastodon_convert as convert
from bot.platforms import mastodon_history as history
from bot.platforms import mastodon_profiles as profiles
from bot.platforms.carried_profiles import CarriedProfiles
from bot.platforms.mastodon_calls import MastodonCalls

NOTIFICATION_TYPES = ("mention", "follow", "favourite", "reblog", "quote")
_EARLIER_ATTEMPT_PAGES = 10  # how far back (in pages of our own statuses) to look for one
_DONE = "done"


class MastodonClient:
    platform = "mastodon"
    needs_profile_lookups = True  # for the private note, and fields fresher than the last mention
    profiles_per_batch = profiles.RELATIONSHIPS_PER_CALL

    def __init__(
        self,
        *,
        account: str,
        base_url: str,
        access_token: str,
        mastodon_version: str = "4.3.0",
        request_timeout: float = 30.0,
        notification_types: Sequence[str] = NOTIFICATION_TYPES,
        page_limit: int = 80,
        clock: Callable[[], datetime] | None = None,
        log: Any = None,
        tries: int = 3,
        sleep: Callable[[float], None] = time.sleep,
        handle: str | None = None,
    ) -> None:
        self.account = account
        self._clock = clock or (lambda: datetime.now(UTC))
        log = log if log is not None else structlog.get_logger()
        self._log = log.bind(account=account, platform="mastodon") if hasattr(log, "bind") else log
        self._calls = MastodonCalls(
            account=account, base_url=base_url, access_token=access_token, mastodon_version=mastodon_version,
            request_timeout=request_timeout, log=self._log, tries=tries, sleep=sleep, clock=self._clock,
        )
        self._api = self._calls.api
        self._domain = _instance_domain(handle or account, self._calls.host)
        self._types = list(notification_types)
        self._page_limit = page_limit
        self._longest_page = 0  # of notifications: a server's own cap shows as its longest page
        self._own: tuple[str, str] | None = None  # (account id, full handle), read once
        self._last_page: tuple[str, Any] | None = None  # (cursor, page) for fetch_previous
        self._carried = CarriedProfiles()  # authors of the notifications read, until looked up

    # -- PlatformClient ------------------------------------------------------------------------

    def fetch_new(self, cursor: str | None) -> Batch:
        if cursor is None:
            return self._starting_point()
        page = self._page_after(cursor)
        fresh = convert.after(page, cursor)
        interactions, skipped = self._read(fresh, self._from_notification)
        newest = max([cursor, *filter(None, map(convert.item_id, page))], key=convert.id_order)
        self._last_page = (newest, page) if page else None
        more = newest != cursor and self._maybe_cut(len(page))
        return Batch(tuple(interactions), newest, more=more, skipped=skipped)

    def fetch_history(self, cursor: str | None, since: datetime) -> Batch:
        since = since if since.tzinfo else since.replace(tzinfo=UTC)
        phase, _, position = (cursor or "notifications:").partition(":")
        if phase == "notifications":
            return self._older_notifications(position or None, since)
        if phase == "sent":
            return self._own_replies(position or None, since)
        if phase != _DONE:
            self._log.warning("mastodon.history_cursor_unknown", cursor=cursor)
        return Batch((), _DONE)

    def lookup_profile(self, person: Person) -> Person | None:
        return self.lookup_many([person])[0]

    def lookup_many(self, people: Sequence[Person]) -> list[Person | None]:
        """Profiles with their private notes: an account a notification carried costs no request,
        and the notes of up to `profiles_per_batch` people one."""
        return profiles.look_up(self._calls, people, self._carried, self._domain, self._log)

    def post_reply(self, reply: OutgoingReply) -> PostedReply:
        # One page of our latest statuses: an attempt moments ago. Further back is
        # `find_posted`'s search, which the sender runs before any retry.
        own_id, _ = self._own_account()
        text = self._text_of(reply)
        visibility = reply.visibility
        earlier = history.in_statuses(self._calls, own_id, reply, text, self._domain, self._log, pages=1)
        if earlier is None and reply.in_reply_to:
            target = self._calls("fetch the post being answered", self._api.status, reply.in_reply_to)
            visibility = visibility.at_most(convert.visibility_of(target.get("visibility")))
            if visibility in (Visibility.PRIVATE, Visibility.DIRECT):
                # Where our own statuses may leave such a reply out (Takahe), and the server may
                # ignore the idempotency key, the post's replies still show it.
                earlier = history.in_context(self._calls, own_id, reply, text, self._domain, self._log)
        if earlier is not None:
            self._log.info("mastodon.reply_found", draft_id=reply.draft_id, post_id=earlier.post_id)
            return earlier
        if visibility is Visibility.DIRECT and not convert.leading_handles(text, self._domain):
            raise InvalidInputError("a direct reply must name who it is for: nobody would see it")
        status = self._calls(
            "post a reply", self._api.status_post, text, in_reply_to_id=reply.in_reply_to or None,
            visibility=visibility.value, spoiler_text=reply.spoiler_text or None,
            language=reply.language or None, idempotency_key=reply.idempotency_key,
            retry=False,  # other servers ignore the idempotency key: the next attempt checks first
        )
        self._log.info("mastodon.reply_posted", draft_id=reply.draft_id, visibility=visibility.value)
        return PostedReply(post_id=convert.item_id(status), url=status.get("url"))

    def find_posted(self, reply: OutgoingReply) -> PostedReply | None:
        own_id, _ = self._own_account()
        text = self._text_of(reply)
        if reply.in_reply_to:
            found = history.in_context(self._calls, own_id, reply, text, self._domain, self._log)
            if found is not None:
                return found
        elif (reason := history.blind_spot(reply)) is not None:
            self._log.warning("mastodon.earlier_attempt_unverifiable", draft_id=reply.draft_id, reason=reason)
        return history.in_statuses(
            self._calls, own_id, reply, text, self._domain, self._log, pages=_EARLIER_ATTEMPT_PAGES
        )

    def earlier_attempt_blind_spot(self, reply: OutgoingReply) -> str | None:
        """Why `find_posted` cannot rule out an earlier attempt at `reply`, or None when it can."""
        return history.blind_spot(reply)

    def _text_of(self, reply: OutgoingReply) -> str:
        """The status text as posted: the reply with the people it answers named first."""
        return convert.with_mentions(reply.text, reply.to, self._domain, self._own_account()[1])

    def backoff_until(self) -> datetime | None:
        return self._calls.backoff_until()

    def close(self) -> None:
        self._calls.close()

    # -- reading -------------------------------------------------------------------------------

    def _starting_point(self) -> Batch:
        page = self._calls("fetch notifications", self._api.notifications, types=self._types, limit=1)
        ids = [convert.item_id(item) for item in page if convert.item_id(item)]
        return Batch((), max(ids, key=convert.id_order, default="0"))

    def _page_after(self, cursor: str) -> Any:
        """The notifications right after `cursor`, following the server's `prev` link when it has one."""
        last = self._last_page
        prev = getattr(last[1], "_pagination_prev", None) if last and last[0] == cursor else None
        if prev is not None and str(prev.get("min_id")) == cursor:
            page = self._calls("fetch notifications", self._api.fetch_previous, last[1])
            if page is not None:
                return page
        return self._calls(
            "fetch notifications", self._api.notifications,
            types=self._types, min_id=cursor, limit=self._page_limit,
        )

    def _maybe_cut(self, length: int) -> bool:
        """Whether a page of `length` new notifications may have more behind it.

        A page as long as the limit asked, or as the longest this server has sent, may have been
        cut at the server's own cap (Takahe's is 40 whatever the limit); a shorter one is the end.
        So Mastodon's walk costs no extra request, and a capped server's costs one at most."""
        self._longest_page = max(self._longest_page, length)
        return length >= min(self._page_limit, self._longest_page)

    def _older_notifications(self, max_id: str | None, since: datetime) -> Batch:
        page = self._calls(
            "fetch older notifications", self._api.notifications,
            types=self._types, max_id=max_id, limit=self._page_limit,
        )
        self._longest_page = max(self._longest_page, len(page))
        return self._history_batch(page, max_id, self._from_notification, since, "notifications")

    def _own_replies(self, max_id: str | None, since: datetime) -> Batch:
        own_id, _ = self._own_account()
        page = self._calls(
            "fetch our own posts", self._api.account_statuses, own_id,
            exclude_reblogs=True, max_id=max_id, limit=history.OWN_STATUSES_PAGE,
        )
        received_at = self._clock()
        return self._history_batch(
            page, max_id, lambda s: convert.sent_interaction_from_status(s, own_id, self._domain, received_at),
            since, "sent",
        )

    def _history_batch(
        self, page: Any, max_id: str | None, read_one: Callable[[Any], Interaction | None], since: datetime,
        phase: str,
    ) -> Batch:
        """One page back in time; at the end of the phase or past `since`, on to the next phase.
        Only an empty page ends a phase before `since`: a short one may be the server's cap."""
        older = history.older_than(page, max_id)
        interactions, skipped = self._read(older, read_one)
        now = self._clock()
        past_since = any(convert.created_at(i, now) < since for i in older if isinstance(i, Mapping))
        oldest = history.oldest_id(older)
        if past_since or oldest is None:
            cursor = "sent:" if phase == "notifications" else _DONE
        else:
            cursor = f"{phase}:{oldest}"
        recent = tuple(i for i in interactions if i.at >= since)
        return Batch(recent, cursor, more=cursor != _DONE, skipped=skipped)

    def _from_notification(self, notification: Any) -> Interaction:
        interaction = convert.interaction_from_notification(notification, self._domain, self._clock())
        self._carried.keep(interaction.person)  # a notification carries its author's whole account
        return interaction

    def _read(
        self, page: Sequence[Any], read_one: Callable[[Any], Interaction | None]
    ) -> tuple[list[Interaction], int]:
        """Items read oldest first (ids follow time); a bad one is logged and counted, never fatal."""
        interactions, skipped = [], 0
        for item in sorted(page, key=lambda item: convert.id_order(convert.item_id(item))):
            try:
                interaction = read_one(item)
            except (convert.UnreadableItem, KeyError, TypeError, ValueError, AttributeError,
                    OverflowError) as error:  # OverflowError: a time out of range once in UTC
                skipped += 1
                self._log.warning("mastodon.item_skipped", item_id=convert.item_id(item), reason=str(error))
                continue
            if interaction is not None:
                interactions.append(interaction)
        return interactions, skipped

    def _own_account(self) -> tuple[str, str]:
        if self._own is None:
            me = self._calls("read our own account", self._api.account_verify_credentials)
            self._own = (convert.item_id(me), convert.full_handle(str(me.get("acct") or ""), self._domain))
        return self._own


def _instance_domain(handle: str, host: str) -> str:
    """The domain of our `user@domain` handle, else the API host (the same on most servers)."""
    _, at, domain = handle.strip().lstrip("@").partition("@")
    return domain if at and domain else host
