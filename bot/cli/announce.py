"""`rapport announce ...`: news offered personally, only to people who trust you.

Each eligible person gets their own draft in the approval queue; nothing is sent without a
person's approval, and sending is spread over working hours, a few a day.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

import typer

from bot.cli.app import state_of
from bot.cli.render import json_text, safe, shorten, timestamp
from bot.errors import UsageError

if TYPE_CHECKING:
    from bot.bootstrap import App
    from bot.domain.announcements import Announcement, AnnouncementResults

announce_app = typer.Typer(help="Announcements: one personal message per person who may hear it.",
                           no_args_is_help=True)

# What each reason code means here, for the "left out" summary.
WHY = {
    "opted_out": "asked not to be contacted",
    "nobot": "#nobot in their profile",
    "contact_is_bot": "a bot account",
    "pitch_stage": "not close enough yet ([policy.pitch] min_stage)",
    "pitch_cooldown": "had a pitch too recently",
    "pitch_ratio": "too few genuine exchanges since the last pitch",
    "no_private_channel": "the platform cannot write to them privately",
    "no_topic": "nothing in what they shared matches the topic",
    "announcement_waiting": "another announcement to them is not sent yet",
    "visibility": "it would be more public than their messages",
}
_SHOWN_HANDLES = 5


@announce_app.command("draft")
def draft(
    ctx: typer.Context,
    text: str = typer.Option(..., "--text", "-t", help="What you want to tell them, in your own words."),
    account: Optional[str] = typer.Option(None, "--account", "-a", help="The account (needed when there are several)."),
    topic: Optional[list[str]] = typer.Option(None, "--topic", help="Only people interested in this (repeatable)."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON object."),
) -> None:
    """Write one personal draft per eligible contact; print who was left out and why."""
    from bot.services.announcing import draft_announcement

    state = state_of(ctx)
    app = state.app()
    name = _account(app, account)
    platform = app.settings.account(name).platform
    topics = tuple(word.strip() for value in (topic or []) for word in value.split(",") if word.strip())
    report = draft_announcement(app.store, name, platform, text, topics, clock=app.clock, policy=app.policy,
                                actor=state.actor, log=app.log)
    excluded = {code: sorted(handles) for code, handles in sorted(report.excluded.items())}
    if as_json:
        typer.echo(json_text({
            **_announcement_json(report.announcement),
            "drafts": [{"id": d.id, "contact": d.contact_handle, "language": d.language, "visibility": d.visibility}
                       for d in report.drafts],
            "excluded": {code: {"count": len(handles), "contacts": handles} for code, handles in excluded.items()},
        }, indent=2))
        return
    typer.echo(f"announcement {report.announcement.id}: {len(report.drafts)} personal draft(s) waiting for"
               " approval (rapport queue list)")
    if not excluded:
        typer.echo("nobody left out")
        return
    total = sum(len(h) for h in excluded.values())
    typer.echo(f"left out: {total}")
    for code, handles in excluded.items():
        shown = ", ".join(safe(h, single_line=True) for h in handles[:_SHOWN_HANDLES])
        more = f", +{len(handles) - _SHOWN_HANDLES} more" if len(handles) > _SHOWN_HANDLES else ""
        typer.echo(f"  {code}: {len(handles)}  ({WHY.get(code, code)}) {shorten(shown, 120)}{more}")


@announce_app.command("list")
def list_(
    ctx: typer.Context,
    account: Optional[str] = typer.Option(None, "--account", "-a", help="Only this account."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array."),
) -> None:
    """Announcements, newest first, with what came of them."""
    from bot.services.announcing import list_announcements

    app = state_of(ctx).app()
    if account:
        app.settings.account(account)
    found = list_announcements(app.store, account)
    if as_json:
        typer.echo(json_text([_announcement_json(a) | _results_json(r) for a, r in found], indent=2))
        return
    if not found:
        typer.echo("no announcements")
    for announcement, results in found:
        typer.echo(f"{announcement.id}  {announcement.status}  {timestamp(announcement.created_at)}"
                   f"  {announcement.account}  {_counts(results)}")
        typer.echo("   " + shorten(safe(announcement.text, single_line=True), 100))


@announce_app.command("status")
def status(
    ctx: typer.Context, announcement_id: str = typer.Argument(..., metavar="ID"),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON object."),
) -> None:
    """Sent, waiting, replies received and opt-outs for one announcement."""
    from bot.services.announcing import announcement_status

    app = state_of(ctx).app()
    announcement, results = announcement_status(app.store, announcement_id)
    if as_json:
        typer.echo(json_text(_announcement_json(announcement) | _results_json(results), indent=2))
        return
    typer.echo(f"{announcement.id}  {announcement.status}  account {announcement.account}"
               f"  drafted {timestamp(announcement.created_at)}")
    typer.echo("   " + shorten(safe(announcement.text, single_line=True), 100))
    if announcement.topics:
        typer.echo("   topics: " + safe(", ".join(announcement.topics), single_line=True))
    typer.echo("   " + _counts(results))
    if announcement.excluded:
        typer.echo("   left out: " + ", ".join(f"{code} {n}" for code, n in sorted(announcement.excluded.items())))


@announce_app.command("cancel")
def cancel(ctx: typer.Context, announcement_id: str = typer.Argument(..., metavar="ID")) -> None:
    """Retire every draft of the announcement not sent yet."""
    from bot.services.announcing import cancel_announcement

    state = state_of(ctx)
    app = state.app()
    announcement, retired = cancel_announcement(app.store, announcement_id, clock=app.clock, actor=state.actor)
    typer.echo(f"{announcement.id} cancelled: {retired} unsent draft(s) retired")


def _account(app: App, name: str | None) -> str:
    if name:
        return app.settings.account(name).name
    names = [a.name for a in app.settings.accounts]
    if len(names) == 1:
        return names[0]
    if not names:
        raise UsageError("no account configured")
    raise UsageError(f"several accounts are configured ({', '.join(names)}): name one with --account")


def _counts(r: AnnouncementResults) -> str:
    return (f"drafts {r.drafts}: sent {r.sent}, waiting approval {r.pending}, approved {r.approved},"
            f" cancelled {r.cancelled}, failed {r.failed}; replies {r.replies}, opt-outs {r.opt_outs}")


def _announcement_json(a: Announcement) -> dict[str, Any]:
    return {"id": a.id, "account": a.account, "status": a.status, "text": a.text, "topics": list(a.topics),
            "excluded": dict(sorted(a.excluded.items())), "created_at": timestamp(a.created_at), "cancelled_at": timestamp(a.cancelled_at)}


def _results_json(r: AnnouncementResults) -> dict[str, Any]:
    return {"results": {"drafts": r.drafts, "sent": r.sent, "pending": r.pending, "approved": r.approved,
                        "cancelled": r.cancelled, "failed": r.failed, "replies": r.replies, "opt_outs": r.opt_outs}}
