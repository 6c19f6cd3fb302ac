"""One live look at a Mastodon-compatible account, for `rapport doctor`: does the server answer,
does it accept the token, and does it hold back private mentions from strangers?"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mastodon import MastodonIllegalArgumentError, MastodonVersionError

from bot.errors import ConfigError, PlatformError
from bot.platforms import mastodon_convert as convert
from bot.platforms.mastodon_calls import MastodonCalls

_HIDDEN = ("filter", "drop")  # Mastodon's NotificationPolicy values that keep a mention out of the list


@dataclass(frozen=True)
class Probe:
    handle: str  # the account the token reads, user@domain
    # The server's policy for private mentions from people the account does not follow:
    # "accept", "filter" or "drop"; None when the server has no such policy (Takahe, GoToSocial).
    private_mentions: str | None

    @property
    def hides_private_mentions(self) -> bool:
        return self.private_mentions in _HIDDEN


def probe(
    *, account: str, base_url: str, access_token: str, timeout: float, mastodon_version: str = "4.3.0",
    handle: str | None = None, log: Any = None,
) -> Probe:
    """One `verify_credentials` call, never retried; raises AuthFailedError for a refused token,
    TransientError for a server that cannot be reached, times out or answers 5xx."""
    try:
        calls = MastodonCalls(account=account, base_url=base_url, access_token=access_token,
                              mastodon_version=mastodon_version, request_timeout=timeout,
                              log=log if log is not None else _Silent(), tries=1)
    except (MastodonIllegalArgumentError, MastodonVersionError) as error:
        raise ConfigError(f"account {account!r}: base_url or mastodon_version cannot be used: {error}") from None
    try:
        answer = calls("read our own account", calls.api.account_verify_credentials)
        me = answer if isinstance(answer, Mapping) else {}
        domain = (handle or "").strip().lstrip("@").partition("@")[2] or calls.host
        found = convert.full_handle(str(me.get("acct") or me.get("username") or ""), domain)
        return Probe(found, _private_mentions(calls))
    finally:
        calls.close()


def _private_mentions(calls: MastodonCalls) -> str | None:
    """Mastodon 4.3+ `GET /api/v2/notifications/policy`; None where the server has none."""
    try:
        policy = calls("read the notification policy", calls.api.notifications_policy)
    except (PlatformError, MastodonVersionError):
        return None  # not there (404), or not readable: there is nothing to warn about
    if not isinstance(policy, Mapping):
        return None
    value = policy.get("for_private_mentions")
    if isinstance(value, str):
        return value
    legacy = policy.get("filter_private_mentions")  # the v1 shape of Mastodon 4.3.0
    return ("filter" if legacy else "accept") if isinstance(legacy, bool) else None


class _Silent:
    """A logger for the probe: its one failure is the doctor's line, not a log line as well."""

    def warning(self, *_: Any, **__: Any) -> None:
        return None

    info = warning
