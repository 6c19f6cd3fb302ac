"""`rapport queue ...`: the approval queue. Nothing is posted without a person's approval."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import typer

from bot.cli.app import CliState, state_of
from bot.cli.controls import control_character
from bot.domain.slots import needs_input as holds_slot
from bot.cli.paging import LIMIT, OFFSET, fetch_page, say_truncated
from bot.cli.render import draft_json, json_text, safe, shorten
from bot.domain.drafts import Draft, DraftStatus
from bot.errors import InvalidInputError, PolicyRefusedError, RapportError, UsageError

if TYPE_CHECKING:
    from rich.console import Console

queue_app = typer.Typer(help="Review reply drafts: list, show, approve, edit, reject.", no_args_is_help=True)
STATUSES = [s.value for s in DraftStatus] + ["all"]


def _console() -> Console:
    from rich.console import Console  # only what prints for people needs Rich

    return Console(highlight=False, soft_wrap=False)


@queue_app.command("list")
def list_drafts(
    ctx: typer.Context,
    status: str = typer.Option("pending", "--status", "-s", help=f"One of: {', '.join(STATUSES)}."),
    account: Optional[str] = typer.Option(None, "--account", "-a", help="Only this account."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array."),
    limit: Optional[int] = LIMIT,
    offset: int = OFFSET,
) -> None:
    """Drafts waiting for a decision (or any status), oldest first."""
    if status not in STATUSES:
        raise typer.BadParameter(f"unknown status {status!r}; use one of: {', '.join(STATUSES)}", param_hint="--status")
    state = state_of(ctx)
    app = state.app()
    if account:
        app.settings.account(account)
    wanted = None if status == "all" else DraftStatus(status)
    with app.store.unit_of_work(read_only=True) as uow:
        page = fetch_page(lambda n, skip: uow.drafts.list(wanted, account, limit=n, offset=skip), limit, offset)
    if as_json:
        typer.echo(json_text([draft_json(d) for d in page.items], indent=2))
    elif page.items:
        from bot.cli.draft_view import print_list

        print_list(_console(), page.items)
    elif not offset:
        typer.echo(f"no {status if status != 'all' else ''} drafts".replace("  ", " "))
    say_truncated(page, as_json=as_json)


@queue_app.command("show")
def show(ctx: typer.Context, draft_id: str = typer.Argument(..., metavar="ID"),
         as_json: bool = typer.Option(False, "--json")) -> None:
    """One draft with its context: the message it answers, the contact, the decision."""
    from bot.services.review import get_draft

    app = state_of(ctx).app()
    with app.store.unit_of_work(read_only=True) as uow:
        draft = get_draft(uow, draft_id)
        alternatives = uow.drafts.alternatives(draft)
        folded = uow.drafts.folded_messages(draft)
    if as_json:
        data = draft_json(draft, folded) | {"alternatives": [d.id for d in alternatives]}
        typer.echo(json_text(data, indent=2))
        return
    from rich.text import Text

    from bot.cli.draft_view import render_draft

    console = _console()
    render_draft(console, draft, folded)
    for other in alternatives:
        console.print(Text(f"  another suggestion: {other.id}  ", style="dim")
                      + Text(shorten(safe(other.text, single_line=True), 70)))


@queue_app.command("approve")
def approve(
    ctx: typer.Context, draft_id: str = typer.Argument(..., metavar="ID"),
    text: Optional[str] = typer.Option(None, "--text", "-t", help="Approve this text instead (checked again)."),
) -> None:
    """Approve a draft for sending, as is or with edited text."""
    from bot.services.review import approve as approve_draft

    if text is not None and (problem := control_character(text)):
        # A wrong value on the command line: exit 2, like any usage error.
        raise UsageError(f"--text: contains {problem}, which would be posted unseen; remove it")
    state = state_of(ctx)
    app = state.app()
    draft = approve_draft(app.store, draft_id, policy=app.policy, clock=app.clock, actor=state.actor,
                          text=text, check_text=_text_check())
    _say_approved(draft)


def _say_approved(draft: Draft) -> None:
    if draft.not_before:
        waits = ", ".join(r.code for r in draft.decision.reasons)
        typer.echo(f"approved {draft.id}; it waits until {draft.not_before.isoformat(timespec='minutes')} ({waits})")
    else:
        typer.echo(f"approved {draft.id}; the service will send it")


@queue_app.command("edit")
def edit(ctx: typer.Context, draft_id: str = typer.Argument(..., metavar="ID")) -> None:
    """Edit the text in $EDITOR, then check it again."""
    from bot.cli.editor import edit_in_editor
    from bot.services.review import edit as edit_draft
    from bot.services.review import get_draft

    state = state_of(ctx)
    app = state.app()
    with app.store.unit_of_work(read_only=True) as uow:
        draft = get_draft(uow, draft_id)
    new_text = edit_in_editor(draft.text)
    if new_text is None:
        typer.echo("no change")
        return
    edited = edit_draft(app.store, draft.id, new_text, policy=app.policy, clock=app.clock, actor=state.actor,
                        check_text=_text_check())
    typer.echo(f"saved {edited.id}; it is {_status_line(edited)}")


@queue_app.command("reject")
def reject(
    ctx: typer.Context, draft_id: str = typer.Argument(..., metavar="ID"),
    reason: Optional[str] = typer.Option(None, "--reason", "-r", help="Why (kept in the audit log)."),
) -> None:
    """Reject a draft: it will never be sent."""
    from bot.services.review import reject as reject_draft

    state = state_of(ctx)
    app = state.app()
    draft = reject_draft(app.store, draft_id, clock=app.clock, actor=state.actor, reason=reason)
    typer.echo(f"rejected {draft.id}")


@queue_app.command("review")
def review(ctx: typer.Context, account: Optional[str] = typer.Option(None, "--account", "-a")) -> None:
    """One pending draft at a time: [a]pprove, [e]dit, [r]eject, [s]kip, [q]uit."""
    state = state_of(ctx)
    app = state.app()
    with app.store.unit_of_work(read_only=True) as uow:
        pending = fetch_page(lambda n, _: uow.drafts.list(DraftStatus.PENDING, account, limit=n), None)
        blocked = fetch_page(lambda n, _: uow.drafts.list(DraftStatus.BLOCKED, account, limit=n), None)
    drafts = pending.items + blocked.items
    if not drafts:
        typer.echo("nothing to review")
        return
    if pending.more or blocked.more:
        typer.echo(f"reviewing the oldest {pending.limit:,} pending and the oldest {blocked.limit:,} blocked drafts"
                   " only; run review again for the rest", err=True)
    from bot.cli.draft_view import render_draft

    console = _console()
    for index, draft in enumerate(drafts, 1):
        console.rule(f"{index}/{len(drafts)}")
        render_draft(console, draft)
        if _review_one(state, draft) == "q":
            break


def _review_one(state: CliState, draft: Draft) -> str:
    from bot.cli.editor import edit_in_editor
    from bot.services import review as service

    app = state.app()
    # A slot only the account holder can fill: straight to the editor, the one way forward.
    opening = holds_slot(draft.text)
    if opening:
        typer.echo("it leaves a slot for you to fill: opening the editor")
    while True:
        key = "e" if opening else typer.prompt("[a]pprove [e]dit [r]eject [s]kip [q]uit",
                                               default="s").strip().lower()[:1]
        opening = False
        if key not in "aersq":
            continue
        try:
            if key == "a":
                _say_approved(service.approve(app.store, draft.id, policy=app.policy, clock=app.clock,
                                              actor=state.actor, check_text=_text_check()))
            elif key == "e":
                new_text = edit_in_editor(draft.text)
                if new_text is None:
                    typer.echo("no change")
                    continue
                edited = service.edit(app.store, draft.id, new_text, policy=app.policy, clock=app.clock,
                                      actor=state.actor, check_text=_text_check())
                draft = edited
                typer.echo(f"saved; it is {_status_line(edited)}")
                continue
            elif key == "r":
                reason = typer.prompt("reason (optional)", default="", show_default=False)
                service.reject(app.store, draft.id, clock=app.clock, actor=state.actor, reason=reason or None)
                typer.echo("rejected")
            return key
        except PolicyRefusedError as error:
            typer.echo(f"refused: {safe(error.decision.summary(), single_line=True)}", err=True)
        except RapportError as error:
            typer.echo(f"error: {safe(error, single_line=True)}", err=True)
            return "s"


def _status_line(draft: Draft) -> str:
    if holds_slot(draft.text):
        return f"{draft.status.value}, and still needs your input (a [...] slot is left to fill)"
    return draft.status.value


def _text_check():  # noqa: ANN202
    from bot.domain.limits import check_platform_limits

    def check(platform: str, text: str, handle: str) -> None:
        # Text from an editor is not a command-line value: a problem with it is an error (exit 1).
        control = control_character(text)
        if control:
            raise InvalidInputError(f"the text contains {control}, which would be posted unseen; remove it")
        problem = check_platform_limits(platform, text, handle)
        if problem:
            raise InvalidInputError(problem)

    return check
