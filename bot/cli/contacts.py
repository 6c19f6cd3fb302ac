"""`rapport contacts ...`: what is known about each person, and a person's judgement of them."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, Optional

import typer

from bot.cli.app import state_of
from bot.cli.arguments import utf8
from bot.cli.paging import LIMIT, OFFSET, fetch_page, say_truncated
from bot.cli.render import draft_json, json_text, safe, safe_text, shorten, timestamp
from bot.domain.contacts import Contact
from bot.domain.memory import TOPIC_SOURCE, Fact
from bot.domain.stages import Stage
from bot.errors import UsageError

if TYPE_CHECKING:  # Rich is imported by the commands that print with it
    from rich.console import Console

contacts_app = typer.Typer(help="Contacts: stage, what is known, notes, trust.", no_args_is_help=True)
STAGES = [s.value for s in Stage]
ACCOUNT = typer.Option(None, "--account", "-a", help="The account, when the handle is known to several.")


HANDLE = typer.Argument(..., callback=utf8)


def contact_json(contact: Contact) -> dict[str, Any]:
    c = contact.counters
    return {
        "account": contact.account, "handle": contact.handle, "platform_id": contact.platform_id,
        "name": contact.name, "bio": contact.bio, "stage": contact.stage.value, "stage_reason": contact.stage_reason,
        "counts": {"conversations": c.conversations, "conversation_days": c.conversation_days,
                   "reciprocal_conversations": c.reciprocal_conversations, "signals": contact.signals,
                   "known_facts": c.known_facts, "exchanges_since_pitch": contact.exchanges_since_pitch},
        "trusted": c.trusted, "opted_out": contact.opted_out, "bot": contact.bot, "nobot": contact.nobot,
        "first_seen_at": timestamp(contact.first_seen_at), "last_seen_at": timestamp(contact.last_seen_at),
        "last_pitch_at": timestamp(contact.last_pitch_at),
    }


@contacts_app.command("list")
def list_contacts(
    ctx: typer.Context,
    stage: Optional[str] = typer.Option(None, "--stage", help=f"One of: {', '.join(STAGES)}."),
    account: Optional[str] = typer.Option(None, "--account", "-a"),
    as_json: bool = typer.Option(False, "--json"),
    limit: Optional[int] = LIMIT,
    offset: int = OFFSET,
) -> None:
    """Contacts with their stage and counts, by account and handle."""
    if stage is not None and stage not in STAGES:
        raise typer.BadParameter(f"unknown stage {stage!r}; use one of: {', '.join(STAGES)}", param_hint="--stage")
    app = state_of(ctx).app()
    wanted = Stage(stage) if stage else None
    with app.store.unit_of_work(read_only=True) as uow:
        page = fetch_page(lambda n, skip: uow.contacts.list(account, wanted, limit=n, offset=skip), limit, offset)
    if as_json:
        typer.echo(json_text([contact_json(c) for c in page.items], indent=2))
    elif page.items:
        _print_table(page.items)
    elif not offset:
        typer.echo("no contacts")
    say_truncated(page, as_json=as_json)


def _print_table(contacts: list[Contact]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(pad_edge=False)
    for column in ("account", "handle", "stage", "conv.", "days", "recipr.", "signals", "flags"):
        table.add_column(column, no_wrap=True)
    for c in contacts:
        flags = ",".join(f for f, on in (("trusted", c.counters.trusted), ("opted-out", c.opted_out),
                                          ("bot", c.bot), ("nobot", c.nobot)) if on)
        table.add_row(safe_text(c.account), safe_text(c.handle), c.stage.value, str(c.counters.conversations),
                      str(c.counters.conversation_days), str(c.counters.reciprocal_conversations),
                      str(c.signals), flags)
    Console(highlight=False).print(table)


@contacts_app.command("show")
def show(ctx: typer.Context, handle: str = HANDLE, account: Optional[str] = ACCOUNT,
         as_json: bool = typer.Option(False, "--json")) -> None:
    """What is known: stage and why, notes and facts, recent history, drafts."""
    from bot.services.contacts import find_contact

    app = state_of(ctx).app()
    with app.store.unit_of_work(read_only=True) as uow:
        contact = find_contact(uow, handle, account)
        facts = uow.contacts.facts(contact.id)
        history = uow.interactions.for_contact(contact.id, limit=20)
        drafts = uow.drafts.for_contact(contact.id)
        audit = uow.state.audit_entries(contact_id=contact.id)
    if as_json:
        data = contact_json(contact) | {
            "facts": [fact_json(f) for f in facts],
            "history": [_history_json(h) for h in history],
            "drafts": [draft_json(d) for d in drafts],
            "audit": [{"at": timestamp(a.at), "actor": a.actor, "action": a.action} for a in audit],
        }
        typer.echo(json_text(data, indent=2))
        return
    from rich.console import Console
    from rich.text import Text

    console = Console(highlight=False)
    _print_header(console, contact)
    _print_memory(console, facts)
    for draft in (d for d in drafts if d.pitch and d.sent_at):
        console.print(Text(f"pitch sent {draft.sent_at:%Y-%m-%d}: ") + safe_text(shorten(draft.text, 70)))
    _print_history(console, history)
    for draft in drafts:
        console.print(Text(f"  draft {draft.id} {draft.status.value}: ") + safe_text(shorten(draft.text, 60)))


def _print_header(console: Console, contact: Contact) -> None:
    """Who they are and where the relationship stands, with the reason."""
    from rich.text import Text

    title = Text(safe(contact.handle, single_line=True), style="bold")
    if contact.name:
        title.append(f"  ({safe(contact.name, single_line=True)})")
    console.print(title + Text(f"  [{contact.account}]"))
    console.print(Text(f"stage: {contact.stage.value}", style="bold") + Text(" — ") + safe_text(contact.stage_reason))
    if contact.bio:
        console.print(Text("bio: ") + safe_text(contact.bio, single_line=True))
    for flag, on in (("trusted by a person", contact.counters.trusted), ("opted out", contact.opted_out),
                     ("flagged as a bot", contact.bot), ("asks for #nobot", contact.nobot)):
        if on:
            console.print(Text(f"• {flag}", style="yellow"))


def _print_history(console: Console, history: list[Any]) -> None:
    from rich.text import Text

    console.print(Text("recent history:", style="bold"))
    for item in history:
        post = item.interaction.post
        arrow = "→" if item.interaction.direction.value == "out" else "←"
        line = Text(f"  {item.interaction.at:%Y-%m-%d %H:%M} {arrow} {item.interaction.kind.value:<8} ")
        if post:
            line.append(shorten(safe(post.text, single_line=True), 80))
        console.print(line)


def _print_memory(console: Console, facts: list[Fact]) -> None:
    """What they shared, grouped: open threads to follow up first, then what they care about."""
    from rich.text import Text

    groups = (("open threads", ("open_thread",), False), ("interests and projects", ("interest", "project"), False),
              ("topics they brought up", ("interest",), True), ("notes", ("note",), False),
              ("followed up", ("followed_up",), False))
    for title, kinds, topics in groups:
        chosen = [f for f in facts if f.kind.value in kinds and (f.source == TOPIC_SOURCE) == topics]
        if not chosen:
            continue
        console.print(Text(f"{title}:", style="bold"))
        for fact in chosen:
            due = f", due {fact.due:%Y-%m-%d}" if fact.due else ""
            console.print(Text(f"  • ") + safe_text(fact.text) + Text(f"  ({fact.source}, {fact.at:%Y-%m-%d}{due})",
                                                                       style="dim"))


def fact_json(fact: Fact) -> dict[str, Any]:
    return {"kind": fact.kind.value, "text": fact.text, "source": fact.source, "at": timestamp(fact.at),
            "language": fact.language, "due": timestamp(fact.due)}


def _history_json(item: Any) -> dict[str, Any]:
    post = item.interaction.post
    return {"id": item.interaction.id, "kind": item.interaction.kind.value, "at": timestamp(item.interaction.at),
            "direction": item.interaction.direction.value, "category": item.category,
            "text": post.text if post else None, "post_id": post.id if post else None}


@contacts_app.command("note")
def note(ctx: typer.Context, handle: str = HANDLE, text: str = typer.Argument(...),
         account: Optional[str] = ACCOUNT) -> None:
    """Add a private note (an interest, a fact). Notes count as known facts."""
    from bot.services.contacts import add_note

    state = state_of(ctx)
    app = state.app()
    contact = add_note(app.store, handle, text, account=account, policy=app.policy, clock=app.clock, actor=state.actor)
    typer.echo(f"noted for {safe(contact.handle, single_line=True)}; stage {contact.stage.value}")


@contacts_app.command("trust")
def trust(ctx: typer.Context, handle: str = HANDLE, account: Optional[str] = ACCOUNT) -> None:
    """Mark as trusted: your explicit judgement, recorded in the audit log."""
    _set_trust(ctx, handle, account, True)


@contacts_app.command("untrust")
def untrust(ctx: typer.Context, handle: str = HANDLE, account: Optional[str] = ACCOUNT) -> None:
    """Withdraw trust; the stage is computed from history again."""
    _set_trust(ctx, handle, account, False)


def _set_trust(ctx: typer.Context, handle: str, account: str | None, trusted: bool) -> None:
    from bot.services.contacts import set_trust

    state = state_of(ctx)
    app = state.app()
    contact = set_trust(app.store, handle, trusted, account=account, policy=app.policy, clock=app.clock,
                        actor=state.actor)
    typer.echo(f"{safe(contact.handle, single_line=True)} is now {contact.stage.value}")


@contacts_app.command("resume")
def resume(ctx: typer.Context, handle: str = HANDLE, account: Optional[str] = ACCOUNT) -> None:
    """Lift an opt-out: only do this when the person asked to hear from you again."""
    from bot.services.contacts import lift_opt_out

    state = state_of(ctx)
    app = state.app()
    contact = lift_opt_out(app.store, handle, account=account, clock=app.clock, actor=state.actor)
    typer.echo(f"opt-out lifted for {safe(contact.handle, single_line=True)}")


@contacts_app.command("forget")
def forget(ctx: typer.Context, handle: str = HANDLE, account: Optional[str] = ACCOUNT,
           yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation.")) -> None:
    """Erase everything stored about that person (asks first when run in a terminal)."""
    from bot.services.contacts import forget as forget_contact

    if not yes and sys.stdin.isatty():  # scripts call it as documented, without a prompt
        typer.confirm(f"Erase everything stored about {safe(handle, single_line=True)}?", abort=True)
    state = state_of(ctx)
    app = state.app()
    tombstone = forget_contact(app.store, handle, account=account, clock=app.clock, actor=state.actor)
    typer.echo(f"forgotten; the audit log keeps only {tombstone}")


@contacts_app.command("export")
def export(ctx: typer.Context, account: Optional[str] = typer.Option(None, "--account", "-a"),
           as_json: bool = typer.Option(True, "--json/--no-json", help="JSON (the only format for now).")) -> None:
    """Everything stored about contacts, as JSON."""
    app = state_of(ctx).app()
    out = []
    with app.store.unit_of_work(read_only=True) as uow:
        for contact in uow.contacts.list(account):
            out.append(contact_json(contact) | {
                "facts": [fact_json(f) for f in uow.contacts.facts(contact.id)],
                "history": [_history_json(h) for h in uow.interactions.for_contact(contact.id, limit=100000)],
                "drafts": [draft_json(d) for d in uow.drafts.for_contact(contact.id)],
            })
    typer.echo(json_text(out, indent=2))
