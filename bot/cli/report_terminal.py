"""`rapport report` in the terminal: Rich tables; other people's words sanitised."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from bot.cli.render import safe, safe_text, shorten
from bot.cli.report_json import STAGE_LABELS, column_label
from bot.domain.report import Report
from bot.domain.stages import Stage


def print_report(report: Report, console: Console) -> None:
    scope = f"account {safe(report.account)}" if report.account else "all accounts"
    console.print(f"[bold]rapport report[/bold] — {scope}, {report.generated_at:%Y-%m-%d %H:%M} UTC")
    console.print(_funnel_table(report))
    console.print(_weeks_table(report))
    console.print(_drafts_table(report))
    console.print(_cold_table(report))
    if report.announcements:
        console.print(_announcements_table(report))


def _funnel_table(report: Report) -> Table:
    table = Table(title="Stage funnel", title_justify="left", pad_edge=False)
    table.add_column("stage")
    for column in report.funnel:
        table.add_column(column_label(column.days_ago), justify="right")
    for stage in Stage:
        table.add_row(STAGE_LABELS[stage], *(str(column.counts[stage]) for column in report.funnel))
    return table


def _weeks_table(report: Report) -> Table:
    table = Table(title="Conversations per week (by the week they began)", title_justify="left", pad_edge=False)
    for name in ("week of", "conversations", "reciprocal", ""):
        table.add_column(name, justify="left" if name in ("week of", "") else "right")
    widest = max([w.conversations for w in report.weeks] + [1])
    for week in report.weeks:
        bar = "█" * round(20 * week.reciprocal / widest) + "░" * (
            round(20 * week.conversations / widest) - round(20 * week.reciprocal / widest))
        table.add_row(week.start.isoformat(), str(week.conversations), str(week.reciprocal), bar)
    return table


def _drafts_table(report: Report) -> Table:
    d = report.drafts
    table = Table(title=f"Drafts since {report.since:%Y-%m-%d}", title_justify="left", pad_edge=False)
    table.add_column("outcome")
    table.add_column("drafts", justify="right")
    for name, count in (("approved as drafted", d.approved), ("approved after an edit", d.edited),
                        ("rejected", d.rejected), ("blocked", d.blocked)):
        table.add_row(name, str(count))
    for code, count in d.blocked_by_reason.items():
        table.add_row(f"  blocked: {code}", str(count))
    return table


def _cold_table(report: Report) -> Table:
    table = Table(title=f"Going cold: no exchange in {report.quiet_days} days", title_justify="left", pad_edge=False)
    for name in ("handle", "stage", "last exchange", "days", "open threads"):
        table.add_column(name, justify="right" if name == "days" else "left")
    for c in report.going_cold:
        threads = "\n".join(shorten(safe(t, single_line=True), 70) for t in c.open_threads) or "—"
        table.add_row(safe_text(c.handle, single_line=True), STAGE_LABELS[c.stage], f"{c.last_exchange_at:%Y-%m-%d}",
                      str(c.days_quiet), safe_text(threads))
    if not report.going_cold:
        table.add_row("nobody", "", "", "", "")
    return table


def _announcements_table(report: Report) -> Table:
    table = Table(title=f"Announcements since {report.since:%Y-%m-%d}", title_justify="left", pad_edge=False)
    for name in ("id", "date", "text", "drafts", "sent", "waiting", "approved", "cancelled", "replies", "opt-outs"):
        table.add_column(name, justify="left" if name in ("id", "date", "text") else "right")
    for outcome in report.announcements:
        a, r = outcome.announcement, outcome.results
        table.add_row(safe_text(a.id), f"{a.created_at:%Y-%m-%d}",
                      safe_text(shorten(safe(a.text, single_line=True), 40)),
                      *(str(n) for n in (r.drafts, r.sent, r.pending, r.approved, r.cancelled, r.replies,
                                         r.opt_outs)))
    return table
