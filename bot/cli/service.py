"""Running the service and looking after it: `run`, `health`, `doctor`, `config`, `db`, `auth`."""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import typer

from bot.cli.app import state_of
from bot.cli.render import safe

if TYPE_CHECKING:
    from bot.services.ingest import Progress

config_app = typer.Typer(help="Check the configuration.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
auth_app = typer.Typer(help="Connect an account (stores credentials in a private file).", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("run")(run)
    app.command("health")(health)
    app.command("doctor")(doctor)


def run(ctx: typer.Context, once: bool = typer.Option(False, "--once", help="One pass of every job, then exit.")) -> None:
    """The long-running service: polls every account, drafts, sends approved replies."""
    from bot.scheduler import HeldElsewhere, Jobs, run_forever

    app = state_of(ctx).app(semantic=True)
    if not app.settings.accounts:
        typer.echo("no accounts configured: add an [[accounts]] table to the config", err=True)
        raise typer.Exit(1)
    if once:
        with _progress_bar() as progress:
            summary = Jobs(app, progress=progress).run_once()
        _print_once(summary, HeldElsewhere)
        if any(report is None for report in summary["accounts"].values()):
            raise typer.Exit(1)  # a poll failed: scripts must notice (the log says why)
        return
    stop = threading.Event()

    def request_stop(signum: int, _frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    if not run_forever(app, stop):
        # A job is stuck in a network call: abandon it. Nothing half-done was committed.
        app.log.warning("service.abandoned_jobs")
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


@contextmanager
def _progress_bar() -> Iterator[Progress | None]:
    """A Rich progress line per account while history is read, when a person is watching."""
    if not sys.stderr.isatty():
        yield None  # the log lines say the same for machines
        return
    from rich.progress import Progress as Bar
    from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

    with Bar(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), transient=True) as bar:
        tasks: dict[str, Any] = {}

        def update(account: str, stored: int) -> None:
            if account not in tasks:
                tasks[account] = bar.add_task(account, total=None)
            bar.update(tasks[account], description=f"{account}: {stored} interactions stored")

        yield update


def _print_once(summary: dict[str, Any], held_elsewhere: type) -> None:
    for name, report in summary["accounts"].items():
        if report is None:
            typer.echo(f"{name}: poll failed (see the log)")
        elif isinstance(report, held_elsewhere):
            typer.echo(f"{name}: polled by another replica ({safe(report.holder or 'unknown', single_line=True)})")
        elif report.waiting:
            typer.echo(f"{name}: backing off (rate limits)")
        else:
            p, d = report.poll, report.drafts
            typer.echo(f"{name}: {p.stored} new interactions ({p.duplicates} known, {p.skipped} unreadable),"
                       f" {d.drafted} drafts ({d.blocked} blocked), {d.skipped} messages need no draft"
                       + (f", {d.folded} folded into a draft already waiting" if d.folded else ""))
            if d.fell_back:
                typer.echo(f"{name}: {d.fell_back} drafted by {safe(d.fallback or '', single_line=True)}")
    for name, count in summary.get("checkins", {}).items():
        if count:
            typer.echo(f"{name}: {count} check-in drafts for people who went quiet")
    s = summary["send"]
    typer.echo(f"sent {s.sent}, deferred {s.deferred}, blocked {s.blocked}, failed {s.failed}, expired {s.expired}")


def health(ctx: typer.Context) -> None:
    """Exit 0 if the service's last heartbeat is fresh (for the container HEALTHCHECK)."""
    from bot.services.heartbeat import check_health

    app = state_of(ctx).app()
    age = check_health(app.store, app.clock, timedelta(seconds=app.settings.service.heartbeat_max_age_seconds),
                       accounts=[account.name for account in app.settings.accounts])
    typer.echo(f"healthy: last heartbeat {int(age.total_seconds())} s ago")


def doctor(ctx: typer.Context) -> None:
    """Check config, credentials, database and rate-limit state; one line per check."""
    from bot.services.doctor import run_checks

    state = state_of(ctx)
    failures = 0
    for check in run_checks(state.resolved_config[0], state.settings, state.app):
        mark = {"ok": "ok  ", "warn": "warn", "fail": "FAIL"}[check.status]
        typer.echo(f"{mark} {check.name}: {safe(check.detail, single_line=True)}")
        failures += check.status == "fail"
    if failures:
        raise typer.Exit(1)


@config_app.command("check")
def config_check(ctx: typer.Context) -> None:
    """Validate the config; errors name the exact key."""
    state = state_of(ctx)
    settings = state.settings()
    path, _ = state.resolved_config
    names = ", ".join(f"{a.name} ({a.platform})" for a in settings.accounts) or "none"
    database = "SQLite under data_dir"
    if settings.storage.url:
        from bot.store.database import redact_url

        database = redact_url(settings.storage.url)  # a PostgreSQL URL may carry a password
    typer.echo(f"{path}: valid; accounts: {names}; database: {database}")


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Apply pending database migrations (the service also does this at start)."""
    from bot.bootstrap import prepare_data_dir
    from bot.store.database import current_revision
    from bot.store.unit_of_work import SqlAlchemyStore

    settings = state_of(ctx).settings()
    prepare_data_dir(settings.data_dir)
    store = SqlAlchemyStore(settings.database_url, migrate=False)
    try:
        before = current_revision(store.engine)
        changed = store.upgrade()
        after = current_revision(store.engine)
    finally:
        store.close()
    typer.echo(f"database upgraded from {before or 'empty'} to {after}" if changed else f"database is current ({after})")


@auth_app.command("mastodon")
def auth_mastodon(
    ctx: typer.Context,
    instance: str = typer.Option(..., "--instance", help="The instance URL, e.g. https://mastodon.social"),
    account: str = typer.Option(None, "--account", help="The configured account whose token_file receives the token."),
) -> None:
    """Register the app on an instance, authorise it in a browser, store the token (mode 0600)."""
    from bot.cli.auth import mastodon_flow

    mastodon_flow(state_of(ctx), instance, account)


@auth_app.command("bluesky")
def auth_bluesky(
    ctx: typer.Context,
    handle: str = typer.Option(..., "--handle", help="Your handle, e.g. me.bsky.social"),
    account: str = typer.Option(None, "--account", help="The configured account (default: the one with this handle)."),
) -> None:
    """Log in once with an APP password and store the session (mode 0600)."""
    from bot.cli.auth import bluesky_flow

    bluesky_flow(state_of(ctx), handle, account)
