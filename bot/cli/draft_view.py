"""Drafts on the terminal: the queue's list lines and one draft shown in full.

Everything other people wrote (their messages, handles, content warnings) goes through `safe`.
"""

from __future__ import annotations

from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from bot.cli.render import mentions, safe, safe_text, shorten
from bot.domain.drafts import Draft, DraftStatus, ReplyTarget
from bot.domain.slots import needs_input as holds_slot


def needs_input(draft: Draft) -> bool:
    """Its text holds a slot only the account holder can fill (read from the text, as it is now)."""
    return holds_slot(draft.text)


def print_list(console: Console, drafts: list[Draft]) -> None:
    """Three lines a draft, readable at any width: who and where it stands, what they wrote (and
    how many earlier messages of theirs it stands for), what would be sent and how."""
    width = max(console.width - 5, 20)
    for d in drafts:
        head = Text(d.id, style="bold") + Text("  ")
        head.append(d.status.value, style=_STATUS_STYLE.get(d.status, ""))
        if d.status is DraftStatus.BLOCKED:
            head.append(" (" + ", ".join(r.code for r in d.decision.blocking) + ")", style="red")
        if needs_input(d):
            head.append(" needs_input", style="magenta")
        head.append("  ")
        head.append_text(safe_text(d.contact_handle, single_line=True))
        head.append(f" ({d.contact_stage}, {d.account})" if d.contact_stage else f" ({d.account})", style="dim")
        console.print(head, overflow="ellipsis", no_wrap=True)
        said = (f"[+{len(d.folded)} folded] " if d.folded else "") + safe(
            d.target.text if d.target else _untargeted(d), single_line=True)
        console.print(Text("   ← " + shorten(said, width), style="dim"), no_wrap=True, overflow="ellipsis")
        console.print(Text("   → " + shorten(_marks(d) + safe(d.text, single_line=True), width)), no_wrap=True,
                      overflow="ellipsis")
        if d.origin_note:  # a fallback: say it, so that nobody takes the template's words for the model's
            console.print(Text("   ! " + shorten(safe(d.written_by, single_line=True), width), style="yellow"),
                          no_wrap=True, overflow="ellipsis")


def _untargeted(draft: Draft) -> str:
    """What stands where the message answered would be, for a draft that answers none."""
    if draft.announcement:
        return f"(announcement {draft.announcement})"
    return "(check-in)"


def _marks(draft: Draft) -> str:
    """`[direct] [CW: …] ` before a reply that does not go out public and plain."""
    marks = "" if draft.reply_visibility.value == "public" else f"[{draft.reply_visibility.value}] "
    if draft.spoiler_text:
        marks += f"[CW: {shorten(safe(draft.spoiler_text, single_line=True), 30)}] "
    return marks


_STATUS_STYLE = {
    DraftStatus.PENDING: "yellow", DraftStatus.APPROVED: "green", DraftStatus.SENT: "green",
    DraftStatus.BLOCKED: "red", DraftStatus.FAILED: "red", DraftStatus.REJECTED: "dim",
    DraftStatus.EXPIRED: "dim", DraftStatus.SENDING: "cyan",
}


def render_draft(console: Console, draft: Draft, folded: list[ReplyTarget] | None = None) -> None:
    header = Text(f"{draft.id}  ", style="bold")
    header.append(draft.status.value, style=_STATUS_STYLE.get(draft.status, ""))
    header.append(f"  {draft.account} → ")
    header.append(safe(draft.contact_handle, single_line=True), style="bold")
    header.append(f" ({draft.contact_stage})")
    console.print(header)
    _print_folded(console, draft, folded or [])
    if draft.target:
        label = Text(f"they wrote ({draft.target.kind}, {draft.target.category or 'uncategorised'}, "
                     f"{draft.target.visibility}") + _warning(draft.target.spoiler_text, ", CW: ") + Text(")")
        console.print(Panel(safe_text(draft.target.text), title=label, title_align="left"))
    console.print(Panel(safe_text(draft.text), title=f"draft ({draft.language or '?'}, {draft.reply_visibility.value})",
                        title_align="left", border_style="cyan"))
    _print_outgoing(console, draft)
    console.print(Text("  written by ") + safe_text(draft.written_by, single_line=True),
                  style="yellow" if draft.origin_note else "dim")
    decision = draft.decision
    if decision.outcome.value == "allow":
        console.print(Text(f"  allowed: all {len(decision.results)} rules pass", style="green")
                      + Text(f"  (rapport policy explain {draft.id})", style="dim"))
    for reason in decision.reasons if decision.outcome.value != "allow" else ():
        style = {"block": "red", "defer": "yellow", "hold": "magenta"}.get(reason.outcome.value, "green")
        console.print(Text(f"  {reason.outcome.value:<5} {reason.code}: ", style=style) + safe_text(reason.message))
    if draft.note:
        console.print(Text("  note: ") + safe_text(draft.note))


def _warning(spoiler: str, prefix: str) -> Text:
    """`prefix` and the content warning, cleaned and cut short; nothing without one."""
    if not spoiler:
        return Text("")
    return Text(prefix) + safe_text(shorten(safe(spoiler, single_line=True), 60))


def _print_folded(console: Console, draft: Draft, folded: list[ReplyTarget]) -> None:
    """The earlier messages the draft stands for: it answers only the latest, below."""
    if not draft.folded:
        return
    console.print(Text(f"  {len(draft.folded)} earlier message(s) folded in; the draft answers only the latest:",
                       style="yellow"))
    width = max(console.width - 8, 20)
    for message in folded:
        said = safe(message.text, single_line=True)
        console.print(Text(f"   ← ({message.visibility}) ", style="dim") + _warning(message.spoiler_text, "CW: ")
                      + Text(" " if message.spoiler_text else "") + Text(shorten(said, width), style="dim"),
                      no_wrap=True, overflow="ellipsis")


def _print_outgoing(console: Console, draft: Draft) -> None:
    """What goes out with the text: visibility, content warning, and who it names first."""
    line = Text(f"  goes out {draft.reply_visibility.value}", style="cyan")
    if draft.spoiler_text:
        line += _warning(draft.spoiler_text, ", under the content warning: ")
    else:
        line += Text(", with no content warning")
    line += Text(", naming ") + safe_text(" ".join(mentions(draft)), single_line=True)
    console.print(line)
