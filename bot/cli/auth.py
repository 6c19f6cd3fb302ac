"""Connecting real accounts. Secrets go to private files (mode 0600), never to the screen or log."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from bot.cli.app import CliState
from bot.cli.render import safe, shorten
from bot.config import BlueskyAccount, MastodonAccount
from bot.errors import ConfigError


def write_secret(path: Path, value: str) -> None:
    """Create or replace a secret file readable only by its owner."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(value + "\n")
    os.replace(temporary, path)


def mastodon_flow(state: CliState, instance: str, account_name: str | None) -> None:
    from bot.platforms import mastodon_login

    settings = state.settings()
    account = _pick(settings.accounts, MastodonAccount, account_name,
                    lambda a: a.base_url.rstrip("/") == instance.rstrip("/"))
    target = account.token_file or settings.data_dir / "secrets" / f"{account.name}.mastodon-token"
    scopes = tuple(account.scopes)
    client_id, client_secret = mastodon_login.register_app(instance, scopes=scopes)
    url = mastodon_login.authorization_url(instance, client_id=client_id, client_secret=client_secret,
                                           scopes=scopes)
    typer.echo("Open this address, sign in, allow rapport, and paste the code shown:")
    typer.echo(url)
    code = typer.prompt("code", hide_input=True).strip()
    token = mastodon_login.exchange_code(instance, client_id=client_id, client_secret=client_secret, code=code,
                                         scopes=scopes)
    acct = mastodon_login.account_of(instance, token, scopes=scopes,
                                     request_timeout=account.request_timeout_seconds)
    write_secret(target, token)
    typer.echo(f"token for @{shorten(safe(acct, single_line=True), 100)} stored in {target} (mode 0600)")
    if account.token_file is None:
        typer.echo(f'add to [[accounts]] "{account.name}": token_file = "{target}"')


def bluesky_flow(state: CliState, handle: str, account_name: str | None) -> None:
    from bot.platforms import bluesky, bluesky_session_path

    settings = state.settings()
    account = _pick(settings.accounts, BlueskyAccount, account_name, lambda a: a.handle == handle)
    typer.echo("Use an APP password (Settings > Privacy and security > App passwords), never your main password.")
    password = typer.prompt("app password", hide_input=True).strip()
    session_path = bluesky_session_path(settings, account.name)
    bluesky.login_and_store(handle, password, account.service, session_path)
    typer.echo(f"logged in once; session stored in {session_path} (mode 0600)")


def _pick(accounts: list, kind: type, name: str | None, matches) -> object:  # noqa: ANN001
    candidates = [a for a in accounts if isinstance(a, kind) and (a.name == name if name else matches(a))]
    if len(candidates) != 1:
        platform = "mastodon" if kind is MastodonAccount else "bluesky"
        raise ConfigError(f"configure the {platform} account first ([[accounts]] with platform = \"{platform}\"),"
                          " or name it with --account")
    return candidates[0]
