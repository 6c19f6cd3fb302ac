"""Mastodon behind the `PlatformClient` port, through Mastodon.py (imported only here and in
`mastodon_login`, which gets the account's token).

Cursors:
- `fetch_new`: the newest notification id seen. With no cursor (first run) it reads nothing and
  returns the newest notification id as the cursor (or "0" for an account without any), so the
  past comes from `fetch_history` and the first poll starts right after it.
- `fetch_history`: "notifications:<max_id>", then "sent:<max_id>" for our own posts, then "done".
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import structlog
from mastodon import (
    Mastodon, MastodonAPIError, MastodonNetworkError, MastodonRatelimitError, MastodonServerError,
)

from bot.domain.models import Batch, Interaction, OutgoingReply, Person, PostedReply, Visibility
from bot.errors import (
    AuthFailedError, InvalidInputError, PlatformError, RateLimitedError, RemoteNotFoundError,
    RemoteRejectedError, TransientError,
)
from bot.platforms import mastodon_convert as convert

NOTIFICATION_TYPES = ("mention", "follow", "favourite", "reblog", "quote")
_RATE_LIMIT_MARGIN = 0.1  # slow down once fewer than 10% of the window's requests are left
_RATE_LIMIT_WINDOW = timedelta(minutes=5)  # Mastodon's window, when a 429 names no reset time
_OWN_STATUSES_PAGE = 40  # the most Mastodon returns per page of statuses
_EARLIER_ATTEMPT_PAGES = 10  # how far back (in pages of our own statuses) to look for one
_DONE = "done"


class MastodonClient:
    platform = "mastodon"
    needs_profile_lookups = True  # for the private note, and fields fresher than the last mention

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
        self._host = urlsplit(base_url).netloc or base_url
        self._domain = _instance_domain(handle or account, self._host)
        self._types = list(notification_types)
        self._page_limit = page_limit
        self._clock = clock or (lambda: datetime.now(UTC))
        log = log if log is not None else structlog.get_logger()
        self._log = log.bind(account=account, platform="mastodon") if hasattr(log, "bind") else log
        self._tries = max(1, tries)
        self._sleep = sleep
        self._api = Mastodon(
            access_token=access_token, api_base_url=base_url, mastodon_version=mastodon_version,
            version_check_mode="created", ratelimit_method="throw", request_timeout=request_timeout,
            user_agent="rapport",
        )
        self._own: tuple[str, str] | None = None  # (account id, full handle), read once
        self._last_page: tuple[str, Any] | None = None  # (cursor, page) for fetch_previous
        self._limited_until: datetime | None = None  # set by a 429
        self._slow_until: datetime | None = None  # set when the window is nearly used up

    # -- PlatformClient ------------------------------------------------------------------------

    def fetch_new(self, cursor: str | None) -> Batch:
        if cursor is None:
            return self._starting_point()
        page = self._page_after(cursor)
        interactions, skipped = self._read(convert.after(page, cursor), self._from_notification)
        newest = max([cursor, *filter(None, map(convert.item_id, page))], key=convert.id_order)
        self._last_page = (newest, page) if page else None
        more = len(page) >= self._page_limit
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
        try:
            if person.platform_id:
                account = self._call("look up a profile", self._api.account, person.platform_id)
            else:
                account = self._call("look up a profile", self._api.account_lookup, person.handle)
            profile = convert.person_from_account(account, self._domain)
        except (RemoteNotFoundError, convert.UnreadableItem):
            return None
        return replace(profile, note=self._private_note(profile.platform_id))

    def post_reply(self, reply: OutgoingReply) -> PostedReply:
        # One page of our latest statuses: an attempt moments ago. Further back is
        # `find_posted`'s search, which the sender runs before any retry.
        text = self._text_of(reply)
        earlier = self._posted_before(self._own_account()[0], reply, text, pages=1)
        if earlier is not None:
            self._log.info("mastodon.reply_found", draft_id=reply.draft_id, post_id=earlier.post_id)
            return earlier
        target = self._call("fetch the post being answered", self._api.status, reply.in_reply_to)
        visibility = reply.visibility.at_most(convert.visibility_of(target.get("visibility")))
        if visibility is Visibility.DIRECT and not convert.leading_handles(text, self._domain):
            raise InvalidInputError("a direct reply must name who it is for: nobody would see it")
        status = self._call(
            "post a reply", self._api.status_post, text, in_reply_to_id=reply.in_reply_to,
            visibility=visibility.value, spoiler_text=reply.spoiler_text or None,
            language=reply.language or None, idempotency_key=reply.idempotency_key,
            retry=False,  # other servers ignore the idempotency key: the next attempt checks first
        )
        self._log.info("mastodon.reply_posted", draft_id=reply.draft_id, visibility=visibility.value)
        return PostedReply(post_id=convert.item_id(status), url=status.get("url"))

    def find_posted(self, reply: OutgoingReply) -> PostedReply | None:
        return self._posted_before(
            self._own_account()[0], reply, self._text_of(reply), pages=_EARLIER_ATTEMPT_PAGES
        )

    def _text_of(self, reply: OutgoingReply) -> str:
        """The status text as posted: the reply with the people it answers named first."""
        return convert.with_mentions(reply.text, reply.to, self._domain, self._own_account()[1])

    def backoff_until(self) -> datetime | None:
        now = self._clock()
        waits = [t for t in (self._limited_until, self._slow_until) if t is not None and t > now]
        return max(waits, default=None)

    def close(self) -> None:
        self._api.session.close()

    # -- reading -------------------------------------------------------------------------------

    def _starting_point(self) -> Batch:
        page = self._call("fetch notifications", self._api.notifications, types=self._types, limit=1)
        ids = [convert.item_id(item) for item in page if convert.item_id(item)]
        return Batch((), max(ids, key=convert.id_order, default="0"))

    def _page_after(self, cursor: str) -> Any:
        """The notifications right after `cursor`, following the server's `prev` link when it has one."""
        last = self._last_page
        prev = getattr(last[1], "_pagination_prev", None) if last and last[0] == cursor else None
        if prev is not None and str(prev.get("min_id")) == cursor:
            page = self._call("fetch notifications", self._api.fetch_previous, last[1])
            if page is not None:
                return page
        return self._call(
            "fetch notifications", self._api.notifications,
            types=self._types, min_id=cursor, limit=self._page_limit,
        )

    def _older_notifications(self, max_id: str | None, since: datetime) -> Batch:
        page = self._call(
            "fetch older notifications", self._api.notifications,
            types=self._types, max_id=max_id, limit=self._page_limit,
        )
        return self._history_batch(page, self._from_notification, since, "notifications", self._page_limit)

    def _own_replies(self, max_id: str | None, since: datetime) -> Batch:
        own_id, _ = self._own_account()
        page = self._call(
            "fetch our own posts", self._api.account_statuses, own_id,
            exclude_reblogs=True, max_id=max_id, limit=_OWN_STATUSES_PAGE,
        )
        received_at = self._clock()
        return self._history_batch(
            page, lambda s: convert.sent_interaction_from_status(s, own_id, self._domain, received_at),
            since, "sent", _OWN_STATUSES_PAGE,
        )

    def _history_batch(
        self, page: Any, read_one: Callable[[Any], Interaction | None], since: datetime, phase: str, size: int
    ) -> Batch:
        """One page back in time; at the end of the phase or past `since`, on to the next phase."""
        interactions, skipped = self._read(page, read_one)
        ids = [convert.item_id(item) for item in page if convert.item_id(item)]
        now = self._clock()
        past_since = any(convert.created_at(i, now) < since for i in page if isinstance(i, Mapping))
        if len(page) < size or past_since or not ids:
            cursor = "sent:" if phase == "notifications" else _DONE
        else:
            cursor = f"{phase}:{min(ids, key=convert.id_order)}"
        recent = tuple(i for i in interactions if i.at >= since)
        return Batch(recent, cursor, more=cursor != _DONE, skipped=skipped)

    def _from_notification(self, notification: Any) -> Interaction:
        return convert.interaction_from_notification(notification, self._domain, self._clock())

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

    def _private_note(self, account_id: str | None) -> str:
        if not account_id:
            return ""
        try:
            relationships = self._call("read the private note", self._api.account_relationships, [account_id])
        except AuthFailedError:
            # The profile itself was readable with this token, so only the read:follows scope is missing.
            self._log.warning("mastodon.note_unavailable", reason="token lacks read:follows")
            return ""
        first = relationships[0] if relationships else None
        return str(first.get("note") or "") if isinstance(first, Mapping) else ""

    def _own_account(self) -> tuple[str, str]:
        if self._own is None:
            me = self._call("read our own account", self._api.account_verify_credentials)
            self._own = (convert.item_id(me), convert.full_handle(str(me.get("acct") or ""), self._domain))
        return self._own

    def _posted_before(
        self, own_id: str, reply: OutgoingReply, text: str, pages: int
    ) -> PostedReply | None:
        """An earlier attempt that reached the server (Mastodon keeps idempotency keys ~1 hour,
        and other servers none). Our own statuses are read back to when the draft was written,
        at most `pages` pages, so a retry hours later on a busy account still finds it; without
        that time, one page."""
        max_id = None
        for _ in range(pages):
            page = self._call(
                "check for an earlier attempt", self._api.account_statuses, own_id,
                exclude_reblogs=True, limit=_OWN_STATUSES_PAGE, max_id=max_id,
            )
            statuses = [status for status in page if isinstance(status, Mapping)]
            for status in statuses:
                if (
                    convert.item_id({"id": status.get("in_reply_to_id")}) == reply.in_reply_to
                    and convert.same_text(status, text, self._domain)
                ):
                    return PostedReply(convert.item_id(status), status.get("url"), already_posted=True)
            if reply.drafted_at is None or len(page) < _OWN_STATUSES_PAGE or not statuses:
                return None
            oldest = statuses[-1]
            if convert.created_at(oldest, reply.drafted_at) < reply.drafted_at:
                return None
            max_id = convert.item_id(oldest)
        if pages > 1:
            self._log.warning("mastodon.earlier_attempt_unconfirmed", draft_id=reply.draft_id, pages=pages)
        return None

    # -- calling the server --------------------------------------------------------------------

    def _call(
        self, what: str, method: Callable[..., Any], *args: Any, retry: bool = True, **kwargs: Any
    ) -> Any:
        """One API call with errors mapped; network failures and 5xx are retried with backoff."""
        tries = self._tries if retry else 1
        for attempt in range(1, tries + 1):
            try:
                result = method(*args, **kwargs)
            except MastodonRatelimitError as error:
                raise self._rate_limited(what) from error
            except (MastodonNetworkError, MastodonServerError) as error:
                failure: Exception = error
            except MastodonAPIError as error:
                if _status_of(error) is not None:
                    raise self._refused(what, error) from error
                failure = error  # not JSON: a proxy's or maintenance page
            else:
                self._limited_until = None
                self._note_rate_limit()
                return result
            self._note_rate_limit()
            self._log.warning(
                "mastodon.call_failed", call=what, attempt=attempt, error=type(failure).__name__
            )
            if attempt < tries:
                self._sleep(min(8.0, 0.5 * 2 ** (attempt - 1)) * random.uniform(0.5, 1.0))
        raise TransientError(
            f"Mastodon at {self._host} gave no usable answer when asked to {what} ({tries} tries);"
            " it will be tried again later"
        ) from failure

    def _note_rate_limit(self) -> None:
        api = self._api
        low = (api.ratelimit_remaining or 0) < max(1, (api.ratelimit_limit or 0) * _RATE_LIMIT_MARGIN)
        reset = api.ratelimit_reset
        self._slow_until = datetime.fromtimestamp(reset, UTC) if low and reset else None

    def _rate_limited(self, what: str) -> RateLimitedError:
        reset = self._api.ratelimit_reset
        now = self._clock()
        reset_at = datetime.fromtimestamp(reset, UTC) if reset else now + _RATE_LIMIT_WINDOW
        self._limited_until = max(reset_at, now)
        self._log.warning("mastodon.rate_limited", call=what, reset_at=self._limited_until.isoformat())
        return RateLimitedError(f"Mastodon at {self._host} is rate limiting {self.account}", reset_at)

    def _refused(self, what: str, error: MastodonAPIError) -> PlatformError:
        status = _status_of(error)
        where = f"Mastodon at {self._host}"
        if status in (401, 403):
            return AuthFailedError(
                f"{where} refused the access token of {self.account} (HTTP {status}) when asked to {what}:"
                " check the token and its scopes, or log in again"
            )
        if status in (404, 410):
            return RemoteNotFoundError(f"{where}: could not {what}: not found (HTTP {status})")
        reason = str(error.args[3])[:200] if len(error.args) > 3 and error.args[3] else "no reason given"
        return RemoteRejectedError(f"{where} refused to {what} (HTTP {status}): {reason}")


def _status_of(error: MastodonAPIError) -> int | None:
    """The HTTP status Mastodon.py puts in its error's args, if it had one."""
    return error.args[1] if len(error.args) > 1 and isinstance(error.args[1], int) else None


def _instance_domain(handle: str, host: str) -> str:
    """The domain of our `user@domain` handle, else the API host (the same on most servers)."""
    _, at, domain = handle.strip().lstrip("@").partition("@")
    return domain if at and domain else host
