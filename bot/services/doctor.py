"""`rapport doctor`: one line per check, each saying what to do when it fails."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from bot.config import BlueskyAccount, MastodonAccount, SandboxAccount, Settings
from bot.errors import ConfigError, RapportError


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # ok, warn, fail
    detail: str


def run_checks(settings: Settings, build_app: Callable[[], Any]) -> Iterator[Check]:
    yield Check("config", "ok", f"{len(settings.accounts)} account(s)")
    try:
        app = build_app()
        store = app.store
        yield Check("database", "ok", f"{store.backend}, schema current")
    except RapportError as error:
        yield Check("database", "fail", str(error))
        return
    for account in settings.accounts:
        yield from _account_checks(app, account)


def _account_checks(app: Any, account: Any) -> Iterator[Check]:
    name = f"account {account.name}"
    yield _credentials(app, account)
    with app.store.unit_of_work() as uow:
        state = uow.state.poll_state(account.name)
    if state.last_error:
        hint = ""
        if any(word in state.last_error.lower() for word in ("credential", "token", "password", "auth", "401")):
            hint = "; fix the credentials (see `rapport auth --help`), then restart the service"
        yield Check(name, "fail", f"last poll failed: {state.last_error}{hint}")
    elif state.last_poll_at is None:
        yield Check(name, "warn", "never polled yet: run `rapport run --once`")
    else:
        yield Check(name, "ok", f"last polled {state.last_poll_at.isoformat(timespec='seconds')}")
    if state.backoff_until and state.backoff_until > app.clock.now():
        yield Check(f"{name} rate limit", "warn", f"backing off until {state.backoff_until.isoformat(timespec='seconds')}")
    if isinstance(account, MastodonAccount):
        yield Check(f"{name} direct messages", "warn",
                    "Mastodon's default notification policy filters private mentions from people you don't"
                    " follow; to see them, set Preferences > Notifications > 'Private mentions from strangers'"
                    " (API: for_private_mentions) to accept")


def _credentials(app: Any, account: Any) -> Check:
    name = f"account {account.name} credentials"
    if isinstance(account, SandboxAccount):
        if not account.events.exists():
            return Check(name, "fail", f"events file not found: {account.events}")
        return Check(name, "ok", f"sandbox events {account.events}")
    try:
        if isinstance(account, MastodonAccount):
            account.secret()
            return Check(name, "ok", "token found")
        if isinstance(account, BlueskyAccount):
            from bot.platforms import bluesky_session_path

            session = bluesky_session_path(app.settings, account.name)
            if session.exists():
                return Check(name, "ok", f"stored session {session}")
            if account.secret() is None:
                return Check(name, "fail", f"no session and no app password: run `rapport auth bluesky --handle"
                                           f" {account.handle}` or set ${account.password_env}")
            return Check(name, "ok", "app password found; the first poll logs in once and stores the session")
    except ConfigError as error:
        return Check(name, "fail", str(error))
    return Check(name, "warn", "unknown platform")
