"""One Bluesky account's way in: the session on disk, the rate limits, bounded retries, and the
project's errors for the SDK's.

Sessions: log in once (createSession allows 30 per 5 minutes, 300 a day), keep the session string
in `session_path` (mode 0600: it holds tokens), save it on every CREATE and REFRESH, restore it on
start. After a 401: refresh once, then log in once, never in a loop.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
from atproto_client import Client
from atproto_client.client.session import Session, SessionEvent
from atproto_client.exceptions import RateLimitExceededError, RequestErrorBase
from atproto_client.models.common import XrpcError
from atproto_client.request import Request
from atproto_core.exceptions import AtProtocolError

from bot.errors import (
    AuthFailedError,
    PlatformError,
    RateLimitedError,
    RemoteNotFoundError,
    RemoteRejectedError,
    TransientError,
)
from bot.platforms.rate_limits import read_rate_limit
from bot.ports import Clock

T = TypeVar("T")
WRITE_POINTS_PER_HOUR = 5000


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
        """httpx response hook: close to the end of a window, hold off until it resets. A 429's
        own headers are read where it becomes a `RateLimitedError` (`platform_error`)."""
        if response.status_code != 429:
            rate = read_rate_limit(response.headers, self._clock.now())
            self.hold_until(rate.paced_until(self._margin))

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


class BlueskySession:
    """The atproto client of one account: signed in on demand, every call retried within bounds."""

    def __init__(
        self,
        *,
        handle: str,
        password: str | None,
        service: str,
        session_path: Path,
        request_timeout: float,
        clock: Clock,
        log: Any,
        sleep: Callable[[float], None],
        jitter: Callable[[], float],
        max_attempts: int,
        max_rate_wait: float,
    ) -> None:
        self._handle, self._password = handle, password
        self._file = SessionFile(Path(session_path))
        self._clock, self._log = clock, log
        self._sleep, self._jitter = sleep, jitter
        self._max_attempts, self._max_rate_wait = max_attempts, max_rate_wait
        self.limits = RateLimits(clock)
        # httpx's own default timeout is 5 s: too short for a busy AppView, so it is explicit.
        request = Request(
            timeout=httpx.Timeout(request_timeout), event_hooks={"response": [self.limits.observe]}
        )
        self.client = Client(base_url=service, request=request)
        self.client.on_session_change(self._on_session_change)
        self._did: str | None = None

    @property
    def did(self) -> str:
        self.ensure()
        assert self._did is not None
        return self._did

    def close(self) -> None:
        self.client.request.close()

    # -- session ----------------------------------------------------------------------------

    def _on_session_change(self, event: SessionEvent, session: Session) -> None:
        self._did = session.did
        if event in (SessionEvent.CREATE, SessionEvent.REFRESH):
            self._file.save(session.export())

    def ensure(self) -> None:
        """Restore the saved session, or log in with the password if there is none to restore."""
        if self._did is not None:
            return
        saved = self._file.load()
        if saved:
            try:
                self.client.login(session_string=saved, fetch_bsky_profile=False)
                return
            except ValueError:
                self._log.warning("bluesky.session_unreadable", path=str(self._file.path))
        self.login_with_password()

    def login_with_password(self) -> None:
        if not self._password:
            raise AuthFailedError(
                f"Bluesky: no usable session for {self._handle} in {self._file.path} and no password "
                "configured; run `rapport auth bluesky`."
            )
        try:
            self._retrying(lambda: self.client.login(self._handle, self._password, fetch_bsky_profile=False),
                           "logging in")
        except AuthFailedError:
            raise AuthFailedError(
                f"Bluesky refused the login of {self._handle}: wrong handle or app password "
                "(make an app password in Bluesky's settings, then run `rapport auth bluesky`)."
            ) from None
        self._log.info("bluesky.logged_in")

    def _renew(self) -> None:
        """After a 401: refresh once; if the refresh token is refused as well, log in once."""
        try:
            self.client._refresh_and_set_session()  # the SDK refreshes before expiry, not after a 401
            return
        except AtProtocolError as exc:
            if not is_auth_error(exc) and status_of(exc) != 400:
                raise platform_error(exc, "refreshing the session", self._clock.now()) from exc
        self._log.info("bluesky.refresh_refused")
        self.login_with_password()

    # -- calls ------------------------------------------------------------------------------

    def call(self, fn: Callable[[], T], what: str, attempts: int | None = None) -> T:
        """`fn` with a session, retried within bounds, renewed once after a 401; errors are the project's."""
        self.ensure()
        try:
            return self._retrying(fn, what, attempts, pass_auth_errors=True)
        except AtProtocolError as exc:
            if not is_auth_error(exc):
                raise
        self._renew()
        return self._retrying(fn, what, attempts)

    def query(self, nsid: str, params: Any, what: str) -> dict[str, Any]:
        """A raw XRPC query: pages are parsed item by item, so one bad item cannot fail a poll."""
        response = self.call(lambda: self.client.invoke_query(nsid, params=params), what)
        if not isinstance(response.content, dict):
            raise RemoteRejectedError(f"Bluesky: {what} answered without JSON.")
        return response.content

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
                if pass_auth_errors and is_auth_error(exc):
                    raise
                error = platform_error(exc, what, self._clock.now())
                delay = self.delay_after(error, attempt, waited_for_limit)  # also notes a rate limit
                if delay is None or attempt == attempts:
                    raise error from exc
                waited_for_limit = waited_for_limit or isinstance(error, RateLimitedError)
                self._log.warning(
                    "bluesky.call_failed", call=what, attempt=attempt, error=type(error).__name__
                )
                self._sleep(delay)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def delay_after(self, error: PlatformError, attempt: int, waited_for_limit: bool) -> float | None:
        """How long to wait before another attempt after `error`; None: do not try again."""
        if isinstance(error, RateLimitedError):
            self.limits.hold_until(error.reset_at)
            if waited_for_limit or error.reset_at is None:
                return None
            wait = (error.reset_at - self._clock.now()).total_seconds() + 1.0
            return max(wait, 0.0) if wait <= self._max_rate_wait else None
        if isinstance(error, TransientError) and attempt < self._max_attempts:
            base = 2.0 ** (attempt - 1)
            return base + base * self._jitter()
        return None


_AUTH_ERRORS = {"ExpiredToken", "InvalidToken", "AuthenticationRequired", "AuthMissing"}
_NOT_FOUND_ERRORS = {"RecordNotFound", "NotFound", "ProfileNotFound", "AccountDeactivated", "AccountTakedown"}


def _error_name(exc: AtProtocolError) -> str | None:
    response = exc.response if isinstance(exc, RequestErrorBase) else None
    content = response.content if response is not None else None
    return content.error if isinstance(content, XrpcError) else None


def status_of(exc: AtProtocolError) -> int | None:
    response = exc.response if isinstance(exc, RequestErrorBase) else None
    return response.status_code if response is not None else None


def is_auth_error(exc: AtProtocolError) -> bool:
    return status_of(exc) == 401 or _error_name(exc) in _AUTH_ERRORS


def platform_error(exc: AtProtocolError, what: str, now: datetime) -> PlatformError:
    """The project's error for an SDK error; the message names the call, never a token."""
    status, message = status_of(exc), f"Bluesky: {what} failed: {str(exc)[:300] or type(exc).__name__}"
    if isinstance(exc, RateLimitExceededError) or status == 429:
        response = exc.response if isinstance(exc, RequestErrorBase) else None
        headers = response.headers if response is not None and response.headers else {}
        return RateLimitedError(message, read_rate_limit(headers, now).refused_until())
    if is_auth_error(exc) or status == 403:
        return AuthFailedError(message)
    if not isinstance(exc, RequestErrorBase) or status is None or status >= 500:
        return TransientError(message)  # timeouts, refused connections, 5xx
    if status == 404 or _error_name(exc) in _NOT_FOUND_ERRORS:
        return RemoteNotFoundError(message)
    return RemoteRejectedError(message)
