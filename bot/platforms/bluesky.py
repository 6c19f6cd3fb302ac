"""Bluesky behind the `PlatformClient` port, through the atproto SDK (with `bluesky_session`,
`bluesky_convert`, `bluesky_text` and `bluesky_posting`, the only modules that import it).

Sessions, rate limits and retries are `bluesky_session`'s.

Cursors:
- `fetch_new`: a watermark "<newest indexedAt> <hash> <hash>...": the newest notification time
  handed over, and short hashes of those handed over in the `overlap` (10 min) before it.
  `fetch_new(cursor)` first marks everything up to `cursor` seen on Bluesky (by then the caller
  has stored that batch; `mark_seen` does the same on demand), then pages back from the newest
  notification to `overlap` before the mark and returns the unseen ones, oldest first, in one
  batch (`more` is always False). With no cursor (the first poll) it returns nothing and a mark
  at the newest notification: the past is `fetch_history`'s.
- `fetch_history`: a JSON list of two page cursors (notifications, our own author feed).

Replies go out through `bluesky_posting`.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import structlog
from atproto_client import models

from bot.domain.models import Batch, Interaction, OutgoingReply, Person, PostedReply
from bot.errors import RemoteNotFoundError, RemoteRejectedError, TransientError
from bot.platforms import bluesky_convert as convert
from bot.platforms.bluesky_posting import Poster
from bot.platforms.bluesky_session import WRITE_POINTS_PER_HOUR, BlueskySession, RateLimits, SessionFile
from bot.platforms.bluesky_text import check_length
from bot.platforms.carried_profiles import CarriedProfiles
from bot.ports import Clock

__all__ = [
    "WRITE_POINTS_PER_HOUR",
    "BlueskyClient",
    "RateLimits",
    "SessionFile",
    "check_length",
    "login_and_store",
]

DEFAULT_REASONS = ("mention", "reply", "quote", "follow", "like", "repost")
PAGE_SIZE = 100
PROFILES_PER_CALL = 25  # app.bsky.actor.getProfiles refuses more
_NOTHING_YET = "1970-01-01T00:00:00.000Z"  # the mark of an account without notifications
# How far past our own clock an item's indexedAt may lie. The AppView stamps indexedAt with its
# clock, not ours, so some skew is normal; ten minutes (the default overlap) covers any sane NTP
# drift. Beyond it the time is a lie, and believed it would become the watermark's newest time:
# its floor would then stand above every real notification to come, and the account go blind.
CLOCK_TOLERANCE = timedelta(minutes=10)


class _SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class BlueskyClient:
    """One Bluesky account."""

    platform = "bluesky"
    # Notifications carry their authors' profile views, but our own replies only a basic view of
    # whom they answer (no description): those people are looked up, 25 at a time.
    needs_profile_lookups = True
    profiles_per_batch = PROFILES_PER_CALL

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
        self._reasons = [reason for reason in reasons if reason in convert.REASON_KINDS]
        self._clock = clock or _SystemClock()
        log = log if log is not None else structlog.get_logger()
        self._log = log.bind(account=account, platform="bluesky") if hasattr(log, "bind") else log
        self._sleep = sleep
        self._max_attempts, self._max_pages, self._overlap = max_attempts, max_pages, overlap
        self._session = BlueskySession(
            handle=handle.lstrip("@"), password=password, service=service, session_path=session_path,
            request_timeout=request_timeout, clock=self._clock, log=self._log, sleep=sleep, jitter=jitter,
            max_attempts=max_attempts, max_rate_wait=max_rate_wait,
        )
        self._seen_cursor: str | None = None
        self._carried = CarriedProfiles()  # authors of the notifications read, until looked up
        self._poster = Poster(self._session, self._clock, self._log, sleep, max_attempts, self.lookup_profiles)

    @property
    def did(self) -> str:
        return self._session.did

    def backoff_until(self) -> datetime | None:
        return self._session.limits.until()

    def close(self) -> None:
        self._session.close()

    # -- notifications ----------------------------------------------------------------------

    def fetch_new(self, cursor: str | None) -> Batch:
        if cursor is None:  # the first poll: everything so far counts as seen
            window, _ = self._read_back_to_overlap(None, self._latest_believable())
            return Batch((), convert.Watermark.decode(_NOTHING_YET).after(window, self._overlap).encode())
        mark = convert.Watermark.decode(cursor)
        if cursor != self._seen_cursor:
            self._mark_seen_quietly(cursor)
        latest = self._latest_believable()  # once per poll: the same bound for paging and converting
        window, fresh = self._read_back_to_overlap(mark, latest)
        interactions, skipped = self._convert_notifications(list(reversed(fresh)), latest)
        return Batch(tuple(interactions), mark.after(window, self._overlap).encode(), False, skipped)

    def _read_back_to_overlap(
        self, mark: convert.Watermark | None, latest: datetime
    ) -> tuple[list[Any], list[Any]]:
        """Page back from the newest notification to `overlap` before the mark (or before the
        newest one, without a mark): all that was read there, and what the mark has not seen.
        Items indexed after `latest` go to the fresh ones only, to be skipped there: in the
        window they would lift the watermark."""
        floor = mark.newest - self._overlap if mark else None
        window: list[tuple[datetime, str, str]] = []
        fresh: list[dict[str, Any]] = []
        page_cursor: str | None = None
        for page_number in range(1, self._max_pages + 1):
            page = self._list_notifications(page_cursor)
            page_items = page.get("notifications") or []
            items, future = _split_at(page_items, latest)
            fresh.extend(future)
            if floor is None:
                floor = convert.newest_time(items, default=datetime.max.replace(tzinfo=UTC)) - self._overlap
            reached = convert.read_back_page(items, mark, floor, window, fresh)
            page_cursor = page.get("cursor")
            if reached or not page_cursor or not page_items:
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
        return self._session.query(
            "app.bsky.notification.listNotifications", params, "listing notifications"
        )

    def _convert_notifications(self, fresh: list[Any], latest: datetime) -> tuple[list[Interaction], int]:
        interactions, skipped = [], 0
        for raw in fresh:
            try:
                interaction = _not_after(self._from_notification(raw), latest)
            except convert.UnreadableItemError as exc:
                skipped += 1
                self._log.warning("bluesky.item_skipped", item_id=_item_id(raw), reason=str(exc))
                continue
            if interaction is not None:
                interactions.append(interaction)
        return interactions, skipped

    def _from_notification(self, raw: Any) -> Interaction | None:
        interaction = convert.interaction_from_notification(raw)
        if interaction is not None:
            self._carried.keep(interaction.person)  # the author's profile view, bio included
        return interaction

    def mark_seen(self, cursor: str) -> None:
        """Mark everything up to `cursor` seen on Bluesky: the app's unread count, nothing more."""
        data = models.AppBskyNotificationUpdateSeen.Data(seen_at=convert.Watermark.decode(cursor).newest_text)
        update = lambda: self._session.client.app.bsky.notification.update_seen(data)  # noqa: E731
        self._session.call(update, "marking notifications seen")
        self._seen_cursor = cursor

    def _latest_believable(self) -> datetime:
        return self._clock.now().astimezone(UTC) + CLOCK_TOLERANCE

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
            skipped += self._convert_since(items, self._from_notification, since, found)
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
            # A non-object item has no post; oldest_before passes over what it cannot read.
            posts = [item.get("post") if isinstance(item, dict) else None for item in items]
            feed_done = not feed or convert.oldest_before(posts, since)
        found.sort(key=lambda interaction: interaction.at)
        state = convert.HistoryCursor(notes, feed, notes_done, feed_done)
        return Batch(tuple(found), state.encode(), not (notes_done and feed_done), skipped)

    def _own_feed(self, page_cursor: str | None) -> dict[str, Any]:
        params = models.AppBskyFeedGetAuthorFeed.Params(
            actor=self.did, filter="posts_with_replies", limit=PAGE_SIZE, cursor=page_cursor
        )
        return self._session.query("app.bsky.feed.getAuthorFeed", params, "reading our own posts")

    def _convert_since(
        self,
        items: list[Any],
        conversion: Callable[[Any], Interaction | None],
        since: datetime,
        into: list[Interaction],
    ) -> int:
        skipped = 0
        latest = self._latest_believable()
        for raw in items:
            try:
                interaction = _not_after(conversion(raw), latest)
            except convert.UnreadableItemError as exc:
                skipped += 1
                self._log.warning("bluesky.item_skipped", item_id=_item_id(raw), reason=str(exc))
                continue
            if interaction is not None and interaction.at >= since:
                into.append(interaction)
        return skipped

    # -- profiles ---------------------------------------------------------------------------

    def lookup_profile(self, person: Person) -> Person | None:
        return self.lookup_many([person])[0]

    def lookup_many(self, people: Sequence[Person]) -> list[Person | None]:
        """Profiles in the order of `people`: one a notification carried costs no request, the
        rest one getProfiles call per 25."""
        carried = [self._carried.take(person) for person in people]
        actors = [p.platform_id or p.handle for p, known in zip(people, carried) if known is None]
        found = self.lookup_profiles(actors) if actors else {}
        return [known or found.get(p.platform_id or p.handle) for p, known in zip(people, carried)]

    def lookup_profiles(self, actors: Iterable[str]) -> dict[str, Person]:
        """Fresh profiles keyed by the DID or handle asked for, 25 per call; gone accounts are left out."""
        wanted = list(dict.fromkeys(actors))
        found: dict[str, Person] = {}
        for start in range(0, len(wanted), PROFILES_PER_CALL):
            chunk = wanted[start : start + PROFILES_PER_CALL]
            params = models.AppBskyActorGetProfiles.Params(actors=chunk)
            page = self._session.query("app.bsky.actor.getProfiles", params, "looking up profiles")
            for raw in page.get("profiles") or []:
                try:
                    person = convert.person_from_profile(convert.parse_profile(raw))
                except convert.UnreadableItemError:
                    continue
                found.update({key: person for key in (person.platform_id, person.handle) if key in chunk})
        return found

    # -- posting ----------------------------------------------------------------------------

    def post_reply(self, reply: OutgoingReply) -> PostedReply:
        return self._poster.post_reply(reply)

    def find_posted(self, reply: OutgoingReply) -> PostedReply | None:
        return self._poster.find_posted(reply)


def _split_at(items: list[Any], latest: datetime) -> tuple[list[Any], list[Any]]:
    """The notifications indexed up to `latest`, and those claiming a later time. One without a
    readable time stays with the first: it is skipped, and counted, where it is converted."""
    kept, future = [], []
    for raw in items:
        try:
            after = convert.position(raw)[0] > latest
        except convert.UnreadableItemError:
            after = False
        (future if after else kept).append(raw)
    return kept, future


def _not_after(interaction: Interaction | None, latest: datetime) -> Interaction | None:
    """The interaction, unless its time lies beyond `latest` (see CLOCK_TOLERANCE)."""
    if interaction is not None and interaction.at > latest:
        raise convert.UnreadableItemError(f"indexed in the future: {interaction.at.isoformat()}")
    return interaction


def _item_id(raw: object) -> str | None:
    """The uri of a notification or of a feed item's post, for the log; None if it has none."""
    if not isinstance(raw, dict):
        return None
    post = raw.get("post")
    uri = raw.get("uri", post.get("uri") if isinstance(post, dict) else None)
    return uri if isinstance(uri, str) else None


def login_and_store(handle: str, password: str, service: str, session_path: Path, log: Any = None) -> str:
    """Log in once and save the session (for `rapport auth bluesky`); returns the account's DID."""
    client = BlueskyClient(
        account=handle, handle=handle, password=password, service=service, session_path=session_path, log=log
    )
    try:
        client._session.login_with_password()
        return client.did
    finally:
        client.close()
