"""Bluesky behind the `PlatformClient` port, through the atproto SDK (with `bluesky_convert`, the
only modules that import it).

Sessions: log in once (createSession allows 30 per 5 minutes, 300 a day), keep the session string
in `session_path` (mode 0600: it holds tokens), save it on every CREATE and REFRESH, restore it on
start. After a 401: refresh once, then log in once, never in a loop.

Cursors:
- `fetch_new`: a watermark "<newest indexedAt> <hash> <hash>...": the newest notification time
  handed over, and short hashes of those handed over in the `overlap` (10 min) before it.
  `fetch_new(cursor)` first marks everything up to `cursor` seen on Bluesky (by then the caller
  has stored that batch; `mark_seen` does the same on demand), then pages back from the newest
  notification to `overlap` before the mark and returns the unseen ones, oldest first, in one
  batch (`more` is always False). With no cursor (the first poll) it returns nothing and a mark
  at the newest notification: the past is `fetch_history`'s.
- `fetch_history`: a JSON list of two page cursors (notifications, our own author feed).

Replies go out under a record key derived from the idempotency key (`tid_from_key`): a retry
finds the earlier post with getRecord, and the PDS refuses a second create under that key.
"""

from __future__ import annotations

import dataclasses

import os
import random
import time
from collections import deque
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import structlog
from atproto_client import Client, models
from atproto_client.client.session import Session, SessionEvent
from atproto_client.request import Request
from atproto_core.exceptions import AtProtocolError

from bot.domain.models import Batch, Interaction, OutgoingReply, Person, PostedReply
from bot.errors import (
    AuthFailedError,
    PlatformError,
    RateLimitedError,
    RemoteNotFoundError,
    RemoteRejectedError,
    TransientError,
)
from bot.platforms import bluesky_convert as convert
from bot.platforms.bluesky_convert import check_length
from bot.ports import Clock

__all__ = ["BlueskyClient", "check_length", "login_and_store"]

T = TypeVar("T")
DEFAULT_REASONS = ("mention", "reply", "quote", "follow", "like", "repost")
PAGE_SIZE = 100
PROFILES_PER_CALL = 25  # app.bsky.actor.getProfiles refuses more
WRITE_POINTS_PER_HOUR = 5000
CREATE_COST = 3
_NOTHING_YET = "1970-01-01T00:00:00.000Z"  # the mark of an account without notifications


class _SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class SessionFile:
    """The session string on disk: replaced whole (temp file + rename), readable by the owner only."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> str | None:
        try:
            return self.path.read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None

    def save(self, session_string: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(session_string)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temp, 0o600)  # a temp file left by a crash keeps its old mode through O_TRUNC
        os.replace(temp, self.path)


class RateLimits:
    """What `RateLimit-*` headers and 429s say, and a local ledger of write points."""

    def __init__(self, clock: Clock, margin: float = 0.05) -> None:
        self._clock, self._margin = clock, margin
        self._until: datetime | None = None
        self._writes: deque[tuple[datetime, int]] = deque()
        self._spent = 0

    def observe(self, response: httpx.Response) -> None:
        """httpx response hook: close to the end of a window, hold off until it resets."""
        limit, remaining, reset = (
            _int_header(response, f"ratelimit-{name}") for name in ("limit", "remaining", "reset")
        )
        if limit and remaining is not None and reset and remaining <= max(1, limit * self._margin):
            self.hold_until(datetime.fromtimestamp(reset, tz=UTC))

    def hold_until(self, moment: datetime | None) -> None:
        if moment is not None and (self._until is None or moment > self._until):
            self._until = moment

    def until(self) -> datetime | None:
        return self._until if self._until and self._until > self._clock.now() else None

    def charge_write(self, points: int) -> None:
        """Refuse a write that would pass the hourly budget rather than learn it from a 429."""
        now = self._clock.now()
        while self._writes and self._writes[0][0] <= now - timedelta(hours=1):
            self._spent -= self._writes.popleft()[1]
        if self._spent + points > WRITE_POINTS_PER_HOUR:
            reset_at = self._writes[0][0] + timedelta(hours=1)
            self.hold_until(reset_at)
            raise RateLimitedError("Bluesky: this hour's write budget is spent.", reset_at)
        self._writes.append((now, points))
        self._spent += points


def _int_header(response: httpx.Response, name: str) -> int | None:
    try:
        return int(response.headers[name])
    except (KeyError, ValueError):
        return None


class BlueskyClient:
    """One Bluesky account."""

    platform = "bluesky"

    def __init__(
        self,
        *,
        account: str,
        handle: str,
        password: str | None,
        service: str = "https://bsky.social",
        session_path: Path,
        reasons: Iterable[str] = DEFAULT_REASONS,
        request_timeout: float = 30.0,
        clock: Clock | None = None,
        log: Any = None,
        sleep: Callable[[float], None] = time.sleep,
        max_attempts: int = 3,
        max_rate_wait: float = 60.0,
        max_pages: int = 50,
        overlap: timedelta = timedelta(minutes=10),
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.account = account
        self._handle, self._password = handle.lstrip("@"), password
        self._sessions = SessionFile(Path(session_path))
        self._reasons = [reason for reason in reasons if reason in convert.REASON_KINDS]
        self._clock = clock or _SystemClock()
        log = log if log is not None else structlog.get_logger()
        self._log = log.bind(account=account, platform="bluesky") if hasattr(log, "bind") else log
        self._sleep, self._jitter = sleep, jitter
        self._max_attempts, self._max_rate_wait, self._max_pages = max_attempts, max_rate_wait, max_pages
        self._overlap = overlap
        self._limits = RateLimits(self._clock)
        # httpx's own default timeout is 5 s: too short for a busy AppView, so it is explicit.
        request = Request(
            timeout=httpx.Timeout(request_timeout), event_hooks={"response": [self._limits.observe]}
        )
        self._client = Client(base_url=service, request=request)
        self._client.on_session_change(self._on_session_change)
        self._did: str | None = None
        self._seen_cursor: str | None = None

    # -- session ----------------------------------------------------------------------------

    @property
    def did(self) -> str:
        self._ensure_session()
        assert self._did is not None
        return self._did

    def _on_session_change(self, event: SessionEvent, session: Session) -> None:
        self._did = session.did
        if event in (SessionEvent.CREATE, SessionEvent.REFRESH):
            self._sessions.save(session.export())

    def _ensure_session(self) -> None:
        if self._did is not None:
            return
        saved = self._sessions.load()
        if saved:
            try:
                self._client.login(session_string=saved, fetch_bsky_profile=False)
                return
            except ValueError:
                self._log.warning("bluesky.session_unreadable", path=str(self._sessions.path))
        self._login_with_password()

    def _login_with_password(self) -> None:
        if not self._password:
            raise AuthFailedError(
                f"Bluesky: no usable session for {self._handle} in {self._sessions.path} and no password "
                "configured; run `rapport auth bluesky`."
            )
        try:
            self._retrying(lambda: self._client.login(self._handle, self._password, fetch_bsky_profile=False),
                           "logging in")
        except AuthFailedError:
            raise AuthFailedError(
                f"Bluesky refused the login of {self._handle}: wrong handle or app password "
                "(make an app password in Bluesky's settings, then run `rapport auth bluesky`)."
            ) from None
        self._log.info("bluesky.logged_in")

    def _renew_session(self) -> None:
        """After a 401: refresh once; if the refresh token is refused as well, log in once."""
        try:
            self._client._refresh_and_set_session()  # the SDK refreshes before expiry, not after a 401
            return
        except AtProtocolError as exc:
            if not convert.is_auth_error(exc) and convert.status_of(exc) != 400:
                raise convert.platform_error(exc, "refreshing the session") from exc
        self._log.info("bluesky.refresh_refused")
        self._login_with_password()

    # -- calls ------------------------------------------------------------------------------

    def _call(self, fn: Callable[[], T], what: str, attempts: int | None = None) -> T:
        self._ensure_session()
        try:
            return self._retrying(fn, what, attempts, pass_auth_errors=True)
        except AtProtocolError as exc:
            if not convert.is_auth_error(exc):
                raise
        self._renew_session()
        return self._retrying(fn, what, attempts)

    def _retrying(
        self, fn: Callable[[], T], what: str, attempts: int | None = None, pass_auth_errors: bool = False
    ) -> T:
        """Bounded retries, with backoff and jitter, for transient errors; one short wait on a 429."""
        waited_for_limit = False
        attempts = attempts or self._max_attempts
        for attempt in range(1, attempts + 1):
            try:
                return fn()
            except AtProtocolError as exc:
                if pass_auth_errors and convert.is_auth_error(exc):
                    raise
                error = convert.platform_error(exc, what)
                delay = self._delay_after(error, attempt, waited_for_limit)  # also notes a rate limit
                if delay is None or attempt == attempts:
                    raise error from exc
                waited_for_limit = waited_for_limit or isinstance(error, RateLimitedError)
                self._log.warning(
                    "bluesky.call_failed", call=what, attempt=attempt, error=type(error).__name__
                )
                self._sleep(delay)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _delay_after(self, error: PlatformError, attempt: int, waited_for_limit: bool) -> float | None:
        if isinstance(error, RateLimitedError):
            self._limits.hold_until(error.reset_at)
            if waited_for_limit or error.reset_at is None:
                return None
            wait = (error.reset_at - self._clock.now()).total_seconds() + 1.0
            return max(wait, 0.0) if wait <= self._max_rate_wait else None
        if isinstance(error, TransientError) and attempt < self._max_attempts:
            base = 2.0 ** (attempt - 1)
            return base + base * self._jitter()
        return None

    def _query(self, nsid: str, params: Any, what: str) -> dict[str, Any]:
        """A raw XRPC query: pages are parsed item by item, so one bad item cannot fail a poll."""
        response = self._call(lambda: self._client.invoke_query(nsid, params=params), what)
        if not isinstance(response.content, dict):
            raise RemoteRejectedError(f"Bluesky: {what} answered without JSON.")
        return response.content

    def backoff_until(self) -> datetime | None:
        return self._limits.until()

    def close(self) -> None:
        self._client.request.close()

    # -- notifications ----------------------------------------------------------------------

    def fetch_new(self, cursor: str | None) -> Batch:
        if cursor is None:  # the first poll: everything so far counts as seen
            window, _ = self._read_back_to_overlap(None)
            return Batch((), convert.Watermark.decode(_NOTHING_YET).after(window, self._overlap).encode())
        mark = convert.Watermark.decode(cursor)
        if cursor != self._seen_cursor:
            self._mark_seen_quietly(cursor)
        window, fresh = self._read_back_to_overlap(mark)
        interactions, skipped = self._convert_notifications(list(reversed(fresh)))
        return Batch(tuple(interactions), mark.after(window, self._overlap).encode(), False, skipped)

    def _read_back_to_overlap(self, mark: convert.Watermark | None) -> tuple[list[Any], list[Any]]:
        """Page back from the newest notification to `overlap` before the mark (or before the
        newest one, without a mark): all that was read there, and what the mark has not seen."""
        floor = mark.newest - self._overlap if mark else None
        window: list[tuple[datetime, str, str]] = []
        fresh: list[dict[str, Any]] = []
        page_cursor: str | None = None
        for page_number in range(1, self._max_pages + 1):
            page = self._list_notifications(page_cursor)
            items = page.get("notifications") or []
            if floor is None:
                floor = _newest(items, default=datetime.max.replace(tzinfo=UTC)) - self._overlap
            reached = _read_back(items, mark, floor, window, fresh)
            page_cursor = page.get("cursor")
            if reached or not page_cursor or not items:
                break
            if page_number == self._max_pages:
                self._log.warning("bluesky.gap", kept=len(fresh), reason="more than max_pages since the mark")
        return window, fresh

    def _list_notifications(self, page_cursor: str | None, limit: int = PAGE_SIZE) -> dict[str, Any]:
        # No seenAt (the AppView refuses it now) and no trust in isRead: the mark decides.
        # priority=False: rapport needs every mention, not only those from followed accounts, and
        # an AppView that still reads the (deprecated) flag may have turned it on by itself: the
        # reference one sets it at random on an account's first updateSeen (two racing inserts).
        params = models.AppBskyNotificationListNotifications.Params(
            limit=limit, reasons=self._reasons or None, cursor=page_cursor, priority=False
        )
        return self._query("app.bsky.notification.listNotifications", params, "listing notifications")

    def _convert_notifications(self, fresh: list[Any]) -> tuple[list[Interaction], int]:
        interactions, skipped = [], 0
        for raw in fresh:
            try:
                interaction = convert.interaction_from_notification(raw)
            except convert.UnreadableItemError as exc:
                skipped += 1
                self._log.warning("bluesky.item_skipped", item_id=raw.get("uri"), reason=str(exc))
                continue
            if interaction is not None:
                interactions.append(interaction)
        return interactions, skipped

    def mark_seen(self, cursor: str) -> None:
        """Mark everything up to `cursor` seen on Bluesky: the app's unread count, nothing more."""
        data = models.AppBskyNotificationUpdateSeen.Data(seen_at=convert.Watermark.decode(cursor).newest_text)
        self._call(lambda: self._client.app.bsky.notification.update_seen(data), "marking notifications seen")
        self._seen_cursor = cursor

    def _mark_seen_quietly(self, cursor: str) -> None:
        try:
            self.mark_seen(cursor)
        except (TransientError, RemoteRejectedError, RemoteNotFoundError) as exc:
            self._log.warning("bluesky.mark_seen_failed", error=str(exc))

    # -- history ----------------------------------------------------------------------------

    def fetch_history(self, cursor: str | None, since: datetime) -> Batch:
        """One page back of notifications and one of our own replies per call, down to `since`."""
        state = convert.HistoryCursor.decode(cursor)
        found: list[Interaction] = []
        skipped = 0
        notes, notes_done = state.notifications, state.notifications_done
        feed, feed_done = state.feed, state.feed_done
        if not notes_done:
            page = self._list_notifications(notes)
            items = page.get("notifications") or []
            skipped += self._convert_since(items, convert.interaction_from_notification, since, found)
            notes = page.get("cursor")
            notes_done = not notes or convert.oldest_before(items, since)
        if not feed_done:
            page = self._own_feed(feed)
            items = page.get("feed") or []
            own_did = self.did
            skipped += self._convert_since(
                items, lambda raw: convert.sent_interaction_from_feed_item(raw, own_did), since, found
            )
            feed = page.get("cursor")
            feed_done = not feed or convert.oldest_before([item.get("post") or {} for item in items], since)
        found.sort(key=lambda interaction: interaction.at)
        state = convert.HistoryCursor(notes, feed, notes_done, feed_done)
        return Batch(tuple(found), state.encode(), not (notes_done and feed_done), skipped)

    def _own_feed(self, page_cursor: str | None) -> dict[str, Any]:
        params = models.AppBskyFeedGetAuthorFeed.Params(
            actor=self.did, filter="posts_with_replies", limit=PAGE_SIZE, cursor=page_cursor
        )
        return self._query("app.bsky.feed.getAuthorFeed", params, "reading our own posts")

    def _convert_since(
        self,
        items: list[Any],
        conversion: Callable[[Any], Interaction | None],
        since: datetime,
        into: list[Interaction],
    ) -> int:
        skipped = 0
        for raw in items:
            try:
                interaction = conversion(raw)
            except convert.UnreadableItemError as exc:
                skipped += 1
                self._log.warning("bluesky.item_skipped", reason=str(exc))
                continue
            if interaction is not None and interaction.at >= since:
                into.append(interaction)
        return skipped

    # -- profiles ---------------------------------------------------------------------------

    def lookup_profile(self, person: Person) -> Person | None:
        actor = person.platform_id or person.handle
        return self.lookup_profiles([actor]).get(actor)

    def lookup_profiles(self, actors: Iterable[str]) -> dict[str, Person]:
        """Fresh profiles keyed by the DID or handle asked for, 25 per call; gone accounts are left out."""
        wanted = list(dict.fromkeys(actors))
        found: dict[str, Person] = {}
        for start in range(0, len(wanted), PROFILES_PER_CALL):
            chunk = wanted[start : start + PROFILES_PER_CALL]
            params = models.AppBskyActorGetProfiles.Params(actors=chunk)
            page = self._query("app.bsky.actor.getProfiles", params, "looking up profiles")
            for raw in page.get("profiles") or []:
                try:
                    person = convert.person_from_profile(convert.parse_profile(raw))
                except convert.UnreadableItemError:
                    continue
                found.update({key: person for key in (person.platform_id, person.handle) if key in chunk})
        return found

    # -- posting ----------------------------------------------------------------------------

    def post_reply(self, reply: OutgoingReply) -> PostedReply:
        """Post under a record key derived from the idempotency key, so that a retry finds the post."""
        reply = dataclasses.replace(reply, text=convert.with_mentions(reply.text, reply.to))
        convert.check_sendable(reply)
        rkey = convert.tid_from_key(reply.idempotency_key)
        earlier = self._own_post(rkey)
        if earlier:
            self._log.info("bluesky.reply_found", draft_id=reply.draft_id, post_id=earlier)
            return PostedReply(earlier, convert.post_url(earlier), already_posted=True)
        record = models.AppBskyFeedPost.Record(
            text=reply.text,
            created_at=self._clock.now().astimezone(UTC).isoformat(timespec="milliseconds"),
            reply=self._reply_ref(reply.in_reply_to),
            facets=convert.build_facets(reply.text, self._mention_dids(reply)) or None,
            langs=[reply.language] if reply.language else None,
        )
        data = models.ComAtprotoRepoCreateRecord.Data(
            repo=self.did, collection=convert.POST_COLLECTION, rkey=rkey, record=record
        )
        self._limits.charge_write(CREATE_COST)
        posted = self._create(data, rkey)
        self._log.info("bluesky.reply_posted", draft_id=reply.draft_id, post_id=posted.post_id,
                       already_posted=posted.already_posted)
        return posted

    def _create(self, data: Any, rkey: str) -> PostedReply:
        """Create the record; after any failure, look for it before trying again: a timeout may
        hide a success, and the PDS answers a create under a taken key with a 500."""
        create = lambda: self._client.com.atproto.repo.create_record(data)  # noqa: E731
        for attempt in range(1, self._max_attempts + 1):
            try:
                created = self._call(create, "posting the reply", attempts=1)
                return PostedReply(created.uri, convert.post_url(created.uri))
            except (TransientError, RemoteRejectedError) as error:
                earlier = self._own_post(rkey)
                if earlier:
                    return PostedReply(earlier, convert.post_url(earlier), already_posted=True)
                delay = self._delay_after(error, attempt, waited_for_limit=True)
                if delay is None:
                    raise
                self._sleep(delay)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _own_post(self, rkey: str) -> str | None:
        params = models.ComAtprotoRepoGetRecord.Params(
            repo=self.did, collection=convert.POST_COLLECTION, rkey=rkey
        )
        try:
            get = lambda: self._client.com.atproto.repo.get_record(params)  # noqa: E731
            return self._call(get, "checking for the reply").uri
        except RemoteNotFoundError:
            return None

    def _reply_ref(self, parent_uri: str) -> models.AppBskyFeedPost.ReplyRef:
        """Strong refs (uri + cid) to the post answered and to its thread's root."""
        params = models.AppBskyFeedGetPosts.Params(uris=[parent_uri])
        posts = self._query("app.bsky.feed.getPosts", params, "reading the post to answer").get("posts") or []
        if not posts:
            raise RemoteNotFoundError(f"Bluesky: the post to answer is gone: {parent_uri}")
        try:
            parent = convert.parse_post_view(posts[0])
        except convert.UnreadableItemError as exc:
            raise RemoteRejectedError(f"Bluesky: cannot read the post to answer: {exc}") from exc
        parent_ref = models.ComAtprotoRepoStrongRef.Main(uri=parent.uri, cid=parent.cid)
        parent_reply = getattr(parent.record, "reply", None)
        root_ref = parent_reply.root if parent_reply else parent_ref
        return models.AppBskyFeedPost.ReplyRef(parent=parent_ref, root=root_ref)

    def _mention_dids(self, reply: OutgoingReply) -> dict[str, str]:
        """DIDs for the `@handles` in the text: from the reply's recipients, else one profile lookup."""
        known: dict[str, str] = {}
        if len(reply.to) == len(reply.recipient_ids):
            known = {handle.lstrip("@").lower(): did for handle, did in zip(reply.to, reply.recipient_ids)}
        missing = [handle for handle in convert.mentioned_handles(reply.text) if handle not in known]
        if missing:
            found = self.lookup_profiles(missing)
            known.update({key: person.platform_id or "" for key, person in found.items()})
            unresolved = [handle for handle in missing if handle not in known]
            if unresolved:  # they stay plain text: a plain "@handle" notifies nobody
                self._log.warning("bluesky.mention_unresolved", handles=unresolved)
        return known


def _read_back(
    items: list[Any], mark: convert.Watermark | None, floor: datetime, window: list[Any], fresh: list[Any]
) -> bool:
    """Sort one page into the window (read back to the floor) and the fresh items; True at the floor."""
    for raw in items:
        try:
            at, at_text, uri = convert.position(raw)
        except convert.UnreadableItemError:
            fresh.append(raw)  # kept so that it is counted as skipped
            continue
        if at < floor:
            return True
        window.append((at, at_text, uri))
        if mark is None or not mark.has_seen(uri):
            fresh.append(raw)
    return False


def _newest(items: list[Any], default: datetime) -> datetime:
    for raw in items:
        try:
            return convert.position(raw)[0]
        except convert.UnreadableItemError:
            continue
    return default


def login_and_store(handle: str, password: str, service: str, session_path: Path, log: Any = None) -> str:
    """Log in once and save the session (for `rapport auth bluesky`); returns the account's DID."""
    client = BlueskyClient(
        account=handle, handle=handle, password=password, service=service, session_path=session_path, log=log
    )
    try:
        client._login_with_password()
        return client.did
    finally:
        client.close()
