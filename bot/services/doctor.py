"""`rapport doctor`: one line per check, each saying what to do when it fails.

It goes on after a failure wherever the next check does not depend on it: a broken database
still leaves the credentials worth checking, and a refused config still leaves a secret that
sits in it in plain text worth pointing out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bot.config import BlueskyAccount, MastodonAccount, SandboxAccount, Settings
from bot.errors import AuthFailedError, ConfigError, PlatformError, RapportError
from bot.services.exposure import Check, file_checks, inline_secrets

LIVE_TIMEOUT = 10.0  # seconds at most for each live call: doctor answers even when a server does not


def run_checks(config: Path, load: Callable[[], Settings], build_app: Callable[[], Any]) -> Iterator[Check]:
    try:
        settings = load()
    except ConfigError as error:
        yield Check("config", "fail", str(error))
        yield from inline_secrets(config)
        return
    yield Check("config", "ok", f"{len(settings.accounts)} account(s)")
    yield from file_checks(settings)
    yield from _model_checks(settings)
    app = build_app()
    database = _database(app)
    yield database
    for account in settings.accounts:
        probe = None
        if isinstance(account, MastodonAccount):
            credentials, probe = _mastodon_credentials(account)
        else:
            credentials = _credentials(settings, account)
        yield credentials
        if database.status == "ok":
            yield from _poll_checks(app, account)
        if probe is not None and probe.hides_private_mentions:
            yield Check(f"account {account.name} direct messages", "warn",
                        f"the server's notification policy {probe.private_mentions}s private mentions from people"
                        " you don't follow; to see them, set Preferences > Notifications > 'Private mentions"
                        " from strangers' (API: for_private_mentions) to accept")


def _model_checks(settings: Settings) -> Iterator[Check]:
    """The model endpoint, when drafting or the pitch judge uses one: a dead server would
    otherwise show only as drafts written by the template."""
    if settings.drafting.backend != "openai" and settings.policy.pitch.judge != "openai":
        return
    from bot.drafting.openai_client import probe

    status, detail = probe(settings.drafting.openai, min(settings.drafting.openai.timeout_seconds, LIVE_TIMEOUT))
    if status == "fail" and settings.drafting.backend == "openai":
        detail += "; until it answers, drafts are written by the template"
    yield Check("model endpoint", status, detail)


def _database(app: Any) -> Check:
    from bot.store.database import check_integrity

    try:
        store = app.store
        problem = check_integrity(store.engine)
    except RapportError as error:
        return Check("database", "fail", str(error))
    if problem:
        return Check("database", "fail", problem)
    return Check("database", "ok", f"{store.backend}, schema current")


def _poll_checks(app: Any, account: Any) -> Iterator[Check]:
    name = f"account {account.name}"
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


def _mastodon_credentials(account: MastodonAccount) -> tuple[Check, Any]:
    """The token, tried live with one short `verify_credentials` call: FAIL when it is refused,
    or when the server cannot be reached, times out or fails; with what else the call found."""
    name = f"account {account.name} credentials"
    try:
        token = account.secret()
        from bot.platforms import mastodon_probe
    except ConfigError as error:
        return Check(name, "fail", str(error)), None
    except ModuleNotFoundError as error:
        return Check(name, "fail", f"the mastodon platform needs its SDK ({error.name} is missing):"
                                   " pip install 'rapport[mastodon]'"), None
    try:
        probe = mastodon_probe.probe(
            account=account.name, base_url=account.base_url, access_token=token.get_secret_value(),
            timeout=min(account.request_timeout_seconds, LIVE_TIMEOUT), mastodon_version=account.mastodon_version,
            handle=account.handle,
        )
    except AuthFailedError as error:
        return Check(name, "fail", f"{error} (rapport auth mastodon --instance {account.base_url})"), None
    except (PlatformError, ConfigError) as error:
        return Check(name, "fail", str(error)), None
    return Check(name, "ok", f"the server accepts the token of @{probe.handle}"), probe


def _credentials(settings: Settings, account: Any) -> Check:
    name = f"account {account.name} credentials"
    if isinstance(account, SandboxAccount):
        if not account.events.exists():
            return Check(name, "fail", f"events file not found: {account.events}")
        return Check(name, "ok", f"sandbox events {account.events}")
    try:
        if isinstance(account, BlueskyAccount):
            from bot.platforms import bluesky_session_path

            session = bluesky_session_path(settings, account.name)
            if session.exists():
                return Check(name, "ok", f"stored session {session}")
            if account.secret() is None:
                return Check(name, "fail", f"no session and no app password: run `rapport auth bluesky --handle"
                                           f" {account.handle}` or set ${account.password_env}")
            return Check(name, "ok", "app password found; the first poll logs in once and stores the session")
    except ConfigError as error:
        return Check(name, "fail", str(error))
    return Check(name, "warn", "unknown platform")
