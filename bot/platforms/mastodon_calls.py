"""Calling a Mastodon-compatible server through Mastodon.py: one request with its errors mapped
into `bot.errors`, bounded retries for network failures and 5xx, and the rate-limit state.

Servers refuse a token in different ways: Mastodon answers 401, others 403, Takahe a plain-text
`400 Invalid Bearer token`. Mastodon.py keeps only a JSON body's `error`, so the
session notes the start of each error body it receives (per thread: the poller and the sender may
share a client), and a 400 that says the token is invalid is an auth failure like the others.

Rate limits are read from each response by `rate_limits`, in every form servers send them, not
by Mastodon.py: it reads no `Retry-After`, keeps a reset from an earlier answer, and raises a
rate-limit error on a successful answer whose reset it cannot parse.
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from mastodon import (
    Mastodon, MastodonAPIError, MastodonNetworkError, MastodonRatelimitError, MastodonServerError,
)

from bot.errors import (
    AuthFailedError, PlatformError, RateLimitedError, RemoteNotFoundError, RemoteRejectedError, TransientError,
)
from bot.platforms.rate_limits import RateLimit, read_rate_limit

_RATE_LIMIT_MARGIN = 0.1  # slow down once no more than 10% of the window's requests are left
_RATE_LIMIT_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
_ERROR_BODY_KEPT = 300  # characters of an error body kept to recognise a refused token
# "Invalid Bearer token" (Takahe), "invalid_token" (OAuth), "The access token is invalid" (Mastodon)...
_INVALID_TOKEN = re.compile(
    r"invalid[ _-]?(?:bearer[ _-]?|access[ _-]?)?token|token\b[^.]{0,30}\b(?:invalid|revoked|expired)", re.I
)


def host_of(base_url: str) -> str:
    return urlsplit(base_url).netloc or base_url


def says_token_is_invalid(body: str) -> bool:
    return bool(_INVALID_TOKEN.search(body or ""))


class MastodonCalls:
    """The Mastodon.py client of one account (`api`), called through `__call__`."""

    def __init__(
        self, *, account: str, base_url: str, access_token: str, mastodon_version: str = "4.3.0",
        request_timeout: float = 30.0, log: Any, tries: int = 3, sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.account = account
        self.host = host_of(base_url)
        self._timeout = request_timeout
        self._log = log
        self._tries = max(1, tries)
        self._sleep = sleep
        self._clock = clock
        self._error_body = threading.local()
        self._rate = threading.local()  # the last answer's rate limit, per thread like the error body
        session = requests.Session()
        session.hooks["response"] += [self._note_error_body, self._read_rate_limit]
        self.api = Mastodon(
            access_token=access_token, api_base_url=base_url, mastodon_version=mastodon_version,
            version_check_mode="created", ratelimit_method="throw", request_timeout=request_timeout,
            user_agent="rapport", session=session,
        )
        self._limited_until: datetime | None = None  # set by a 429
        self._slow_until: datetime | None = None  # set when the window is nearly used up

    def __call__(self, what: str, method: Callable[..., Any], *args: Any, retry: bool = True, **kwargs: Any) -> Any:
        """One API call with errors mapped; network failures and 5xx are retried with backoff."""
        tries = self._tries if retry else 1
        for attempt in range(1, tries + 1):
            self._error_body.text = ""
            self._rate.last = None
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
            self._log.warning("mastodon.call_failed", call=what, attempt=attempt, error=type(failure).__name__)
            if attempt < tries:
                self._sleep(min(8.0, 0.5 * 2 ** (attempt - 1)) * random.uniform(0.5, 1.0))
        again = f" ({tries} tries); it will be tried again later" if tries > 1 else ""
        raise TransientError(
            f"Mastodon at {self.host} gave no usable answer when asked to {what}: {self._reason(failure)}{again}"
        ) from failure

    def backoff_until(self) -> datetime | None:
        now = self._clock()
        waits = [t for t in (self._limited_until, self._slow_until) if t is not None and t > now]
        return max(waits, default=None)

    def close(self) -> None:
        self.api.session.close()

    def _note_error_body(self, response: requests.Response, *_: Any, **__: Any) -> None:
        if not response.ok:
            self._error_body.text = response.text[:_ERROR_BODY_KEPT]

    def _reason(self, failure: Exception) -> str:
        """What went wrong, in words that hold no URL, header or body."""
        if isinstance(failure, MastodonNetworkError):
            cause = failure.__cause__ or failure.__context__
            if isinstance(cause, requests.Timeout):
                return f"timed out after {self._timeout:g} s"
            return "could not connect"
        status = _status_of(failure)
        return f"HTTP {status}" if status is not None else "an answer that is not JSON"

    def _read_rate_limit(self, response: requests.Response, *_: Any, **__: Any) -> None:
        self._rate.last = read_rate_limit(response.headers, self._clock())
        for name in _RATE_LIMIT_HEADERS:  # read here; Mastodon.py must not read them again
            response.headers.pop(name, None)

    def _note_rate_limit(self) -> None:
        """Slow down while the window is nearly spent; an answer without the headers changes nothing."""
        rate: RateLimit | None = getattr(self._rate, "last", None)
        if rate is not None:
            self._slow_until = rate.paced_until(_RATE_LIMIT_MARGIN)

    def _rate_limited(self, what: str) -> RateLimitedError:
        rate = getattr(self._rate, "last", None) or RateLimit(read_at=self._clock())
        self._limited_until = reset_at = rate.refused_until()
        self._slow_until = None  # the refusal is the server's latest word
        self._log.warning("mastodon.rate_limited", call=what, reset_at=reset_at.isoformat())
        return RateLimitedError(f"Mastodon at {self.host} is rate limiting {self.account}", reset_at)

    def _refused(self, what: str, error: MastodonAPIError) -> PlatformError:
        status = _status_of(error)
        where = f"Mastodon at {self.host}"
        body = getattr(self._error_body, "text", "")
        # Mastodon.py keeps a JSON body's `error` only where the call answers an object, not a list.
        said = str(error.args[3]) if len(error.args) > 3 and error.args[3] else _json_error(body)
        body = said or body
        if status in (401, 403) or (status == 400 and says_token_is_invalid(body)):
            return AuthFailedError(
                f"{where} refused the access token of {self.account} (HTTP {status}) when asked to {what}:"
                " check the token and its scopes, or log in again"
            )
        if status in (404, 410):
            return RemoteNotFoundError(f"{where}: could not {what}: not found (HTTP {status})")
        return RemoteRejectedError(f"{where} refused to {what} (HTTP {status}): {said[:200] or 'no reason given'}")


def _json_error(body: str) -> str:
    """The `error` of a JSON error body, or "" when the body is not one."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return ""
    return str(parsed.get("error") or "") if isinstance(parsed, dict) else ""


def _status_of(error: Exception) -> int | None:
    """The HTTP status Mastodon.py puts in its error's args, if it had one."""
    args = getattr(error, "args", ())
    return args[1] if len(args) > 1 and isinstance(args[1], int) else None
