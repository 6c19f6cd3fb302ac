"""`rapport about ...`: the account holder's own profile, which drafts may quote and nothing beyond.

`set` adds to (never rewrites) the config file's `[drafting.about]`: its entries are kept in
`data_dir/about.json`. `show` prints the effective profile, both sources marked.
"""

from __future__ import annotations

from typing import Optional

import typer

from bot.cli.app import state_of
from bot.cli.render import json_text, safe

about_app = typer.Typer(help="What drafts may say about you: your work, interests and what you share.",
                        no_args_is_help=True)
KIND_HELP = "work (what you do), interest (what you like), or resource (something you share, with --url)"


@about_app.command("show")
def show(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print a JSON array.")) -> None:
    """The effective profile: [drafting.about] from the config, then the stored entries."""
    from bot.services.about import effective, stored_path

    settings = state_of(ctx).settings()
    about = effective(settings.drafting.about, stored_path(settings.data_dir))
    if as_json:
        typer.echo(json_text([fact.to_dict() for fact in about.facts], indent=2))
        return
    if not about:
        typer.echo("nothing yet: drafts leave a slot for every question (add: rapport about set interest TEXT)")
        return
    for fact in about.facts:
        details = ", ".join(part for part in (fact.language, fact.source) if part)
        line = f"{fact.kind:<9} {safe(fact.says(), single_line=True)}  ({details})"
        if fact.keywords:
            line += f"  keywords: {safe(', '.join(fact.keywords), single_line=True)}"
        typer.echo(line)


@about_app.command("set")
def set_entry(
    ctx: typer.Context,
    kind: str = typer.Argument(..., help=KIND_HELP),
    text: str = typer.Argument(..., help="A sentence in your voice that a draft may quote as is."),
    url: str = typer.Option("", "--url", help="A link that follows the text (for a resource)."),
    keywords: Optional[list[str]] = typer.Option(None, "--keyword", "-k", help="Another word it answers to."),
    lang: str = typer.Option("", "--lang", help="Only for replies in this language (es, en); default any."),
) -> None:
    """Add an entry (or replace the stored one with the same text)."""
    from pydantic import ValidationError

    from bot.config_about import AboutEntry
    from bot.config_errors import format_validation_error
    from bot.errors import UsageError
    from bot.services.about import add, stored_path

    from bot.domain.about import KINDS

    if kind not in KINDS:
        raise UsageError(f"unknown kind {kind!r}; use one of: {', '.join(KINDS)}")
    settings = state_of(ctx).settings()
    try:
        entry = AboutEntry(text=text, url=url, keywords=keywords or [], lang=lang)
    except ValidationError as error:
        raise UsageError(format_validation_error(error)) from None
    replaced = add(stored_path(settings.data_dir), kind, entry)
    typer.echo(f"{'replaced' if replaced else 'added'} {kind}: {safe(entry.text, single_line=True)}")


@about_app.command("remove")
def remove_entry(
    ctx: typer.Context,
    kind: str = typer.Argument(..., help=KIND_HELP),
    text: str = typer.Argument(..., help="The entry's text, as `about show` prints it."),
) -> None:
    """Remove a stored entry (entries from [drafting.about] are edited in the config file)."""
    from bot.services.about import remove, stored_path

    settings = state_of(ctx).settings()
    remove(stored_path(settings.data_dir), kind, text)
    typer.echo(f"removed {kind}: {safe(text, single_line=True)}")
