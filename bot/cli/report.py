"""`rapport report`: the relationship funnel over time, conversations, decisions on drafts, the
relationships going cold and the period's announcements, in the terminal, as JSON, or as one HTML
page with charts."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from bot.cli.app import state_of
from bot.cli.render import json_text, safe


def register(app: typer.Typer) -> None:
    app.command("report")(report_command)


def report_command(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="The figures as JSON, for scripts."),
    html: Optional[Path] = typer.Option(None, "--html", help="Also write the report as one self-contained HTML page."),
    account: Optional[str] = typer.Option(None, "--account", "-a", help="One account (default: all of them)."),
    weeks: int = typer.Option(12, "--weeks", min=1, max=520, help="Weeks of conversations and draft decisions to count."),
    quiet_days: Optional[int] = typer.Option(
        None, "--quiet-days", min=1,
        help="No exchange for this many days is going cold (default: [drafting.checkins] quiet_days)."),
) -> None:
    """The relationship funnel over time, conversations, decisions on drafts, going-cold list, announcements."""
    from bot.services.reporting import build_report

    state = state_of(ctx)
    app = state.app()
    days = quiet_days if quiet_days is not None else int(state.settings().drafting.checkins.quiet_days)
    report = build_report(app.store, now=app.clock.now(), account=account, weeks=weeks, quiet_days=days)
    if html is not None:
        from bot.cli.report_html import write_html

        write_html(report, html)
    if as_json:
        from bot.cli.report_json import report_json

        typer.echo(json_text(report_json(report), indent=2))
    elif html is not None:
        typer.echo(f"wrote {safe(html)}")
    else:
        from rich.console import Console

        from bot.cli.report_terminal import print_report

        print_report(report, Console(highlight=False))
