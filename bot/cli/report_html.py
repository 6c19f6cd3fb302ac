"""`rapport report --html FILE`: one self-contained page, charts drawn by plotly.js inlined in it.

Nothing is fetched when the page opens: no CDN, no web font, no MathJax. Every figure a chart
draws is also printed in a table beside it, so the page can be checked (and read) without the
charts. Text from other people (handles, names, open threads) is HTML-escaped.
"""

from __future__ import annotations

import html
import math
import os
import tempfile
from pathlib import Path

from bot.cli.render import safe, shorten, timestamp
from bot.cli.report_json import STAGE_LABELS, column_label
from bot.domain.report import Report
from bot.domain.stages import Stage
from bot.errors import InvalidInputError

CHARTS = ("chart-funnel", "chart-weeks", "chart-drafts", "chart-blocked")
ANNOUNCEMENTS_CHART = "chart-announcements"  # only when the period holds an announcement
EXCERPT = 80  # characters of an announcement's text shown in its row
_COLOURS = ("#1f6f8b", "#99a8b2", "#d3dbe0")


def write_html(report: Report, path: Path) -> None:
    """Write the page whole or not at all (a temporary file beside it, then a rename)."""
    page = render_html(report)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InvalidInputError(f"--html: no such folder: {folder}")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".report-", suffix=".html")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(page)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def render_html(report: Report) -> str:
    import plotly.graph_objects as go
    from plotly.offline import get_plotlyjs

    charts = [_funnel_chart(go, report), _weeks_chart(go, report), _drafts_chart(go, report),
              _blocked_chart(go, report)]
    divs = {div_id: _div(fig, div_id) for div_id, fig in zip(CHARTS, charts)}
    announced = ""
    if report.announcements:
        announced = ('<section id="announcements"><h2>Announcements since '
                     f'{report.since:%Y-%m-%d}</h2>{_div(_announcements_chart(go, report), ANNOUNCEMENTS_CHART)}'
                     f"{_announcements_table(report)}</section>")
    scope = f"account {_shown(report.account)}" if report.account else "all accounts"
    return _PAGE.format(
        plotly=get_plotlyjs(), scope=scope, generated=html.escape(timestamp(report.generated_at) or ""),
        funnel=divs["chart-funnel"] + _funnel_table(report),
        weeks=divs["chart-weeks"] + _weeks_table(report),
        drafts=divs["chart-drafts"] + divs["chart-blocked"] + _drafts_table(report),
        cold=_cold_table(report), quiet_days=report.quiet_days, announcements=announced,
    )


def _div(fig, div_id: str) -> str:  # noqa: ANN001
    return fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id,
                       config={"displaylogo": False, "responsive": True})


def _layout(title: str, values: list[int]) -> dict:
    # Whole numbers on the axis: these are counts of people, conversations and drafts.
    step = max(1, math.ceil(max(values + [0]) / 6))
    return {"title": {"text": title}, "barmode": "group", "height": 360, "margin": {"t": 80, "b": 60},
            "font": {"family": "system-ui, sans-serif"},
            "yaxis": {"rangemode": "nonnegative", "tick0": 0, "dtick": step, "tickformat": "d"},
            "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"}}


def _funnel_chart(go, report: Report):  # noqa: ANN001, ANN202
    labels = [STAGE_LABELS[s] for s in Stage]
    bars = [go.Bar(name=column_label(c.days_ago), x=labels, y=[c.counts[s] for s in Stage],
                   text=[c.counts[s] for s in Stage], textposition="outside", marker_color=colour)
            for c, colour in zip(report.funnel, _COLOURS)]
    counts = [n for column in report.funnel for n in column.counts.values()]
    return go.Figure(bars, layout=_layout("Contacts at each stage", counts))


def _weeks_chart(go, report: Report):  # noqa: ANN001, ANN202
    weeks = [w.start.isoformat() for w in report.weeks]
    return go.Figure([
        go.Bar(name="conversations", x=weeks, y=[w.conversations for w in report.weeks],
               text=[w.conversations for w in report.weeks], textposition="outside", marker_color=_COLOURS[1]),
        go.Bar(name="reciprocal", x=weeks, y=[w.reciprocal for w in report.weeks],
               text=[w.reciprocal for w in report.weeks], textposition="outside", marker_color=_COLOURS[0]),
    ], layout={**_layout("Conversations per week", [w.conversations for w in report.weeks]),
               "xaxis": {"type": "category", "tickangle": -45}})


def _drafts_chart(go, report: Report):  # noqa: ANN001, ANN202
    d = report.drafts
    names = ["approved", "edited", "rejected", "blocked"]
    values = [d.approved, d.edited, d.rejected, d.blocked]
    return go.Figure([go.Bar(x=names, y=values, text=values, textposition="outside", marker_color=_COLOURS[0])],
                     layout=_layout(f"Drafts since {report.since:%Y-%m-%d}", values))


def _blocked_chart(go, report: Report):  # noqa: ANN001, ANN202
    reasons = report.drafts.blocked_by_reason
    codes, counts = list(reasons) or ["none"], list(reasons.values()) or [0]
    return go.Figure([go.Bar(x=codes, y=counts, text=counts, textposition="outside", marker_color=_COLOURS[0])],
                     layout=_layout("Blocked drafts by reason code", counts))


def _announcements_chart(go, report: Report):  # noqa: ANN001, ANN202
    # Bars are placed by id (unique, sortable by time); the hover names the day it was made.
    ids = [o.announcement.id for o in report.announcements]
    days = [f"{o.announcement.created_at:%Y-%m-%d}" for o in report.announcements]
    series = (("sent", [o.results.sent for o in report.announcements], _COLOURS[0]),
              ("replies", [o.results.replies for o in report.announcements], _COLOURS[1]),
              ("opt-outs", [o.results.opt_outs for o in report.announcements], _COLOURS[2]))
    bars = [go.Bar(name=name, x=ids, y=values, text=values, textposition="outside", marker_color=colour,
                   customdata=days, hovertemplate="%{x} (%{customdata}): %{y}")
            for name, values, colour in series]
    return go.Figure(bars, layout={**_layout("Announcements: sent, replies, opt-outs",
                                             [n for _, values, _ in series for n in values]),
                                   "xaxis": {"type": "category"}})


def _table(head: list[str], rows: list[list[object]], table_id: str) -> str:
    cells = "".join("<tr>" + "".join(f"<td>{_shown(v)}</td>" for v in row) + "</tr>" for row in rows)
    heads = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    return f'<table id="{table_id}"><thead><tr>{heads}</tr></thead><tbody>{cells}</tbody></table>'


def _shown(value: object) -> str:
    """Other people's text as inert HTML: no control or bidi-override characters, no markup."""
    return html.escape(safe(value, single_line=True))


def _funnel_table(report: Report) -> str:
    rows = [[STAGE_LABELS[s], *(c.counts[s] for c in report.funnel)] for s in Stage]
    return _table(["stage", *(column_label(c.days_ago) for c in report.funnel)], rows, "table-funnel")


def _weeks_table(report: Report) -> str:
    rows = [[w.start.isoformat(), w.conversations, w.reciprocal] for w in report.weeks]
    return _table(["week of", "conversations", "reciprocal"], rows, "table-weeks")


def _drafts_table(report: Report) -> str:
    d = report.drafts
    rows: list[list[object]] = [["approved", d.approved], ["edited", d.edited], ["rejected", d.rejected],
                                ["blocked", d.blocked]]
    rows += [[f"blocked: {code}", n] for code, n in d.blocked_by_reason.items()]
    return _table(["outcome", "drafts"], rows, "table-drafts")


def _cold_table(report: Report) -> str:
    rows = [[c.handle, c.name, STAGE_LABELS[c.stage], f"{c.last_exchange_at:%Y-%m-%d}", c.days_quiet,
             " · ".join(c.open_threads) or "—"] for c in report.going_cold]
    return _table(["handle", "name", "stage", "last exchange", "days quiet", "open threads"], rows, "table-cold")


def _announcements_table(report: Report) -> str:
    rows = [[o.announcement.id, f"{o.announcement.created_at:%Y-%m-%d}",
             shorten(safe(o.announcement.text, single_line=True), EXCERPT), o.results.drafts, o.results.sent,
             o.results.pending, o.results.approved, o.results.cancelled, o.results.replies, o.results.opt_outs]
            for o in report.announcements]
    return _table(["id", "date", "text", "drafts", "sent", "waiting", "approved", "cancelled", "replies",
                   "opt-outs"], rows, "table-announcements")


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:; font-src data:">
<title>rapport report</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1000px; color: #1d2b36; }}
table {{ border-collapse: collapse; margin: .5rem 0 1.5rem; }}
th, td {{ border-bottom: 1px solid #d3dbe0; padding: .25rem .75rem; text-align: left; }}
td:not(:first-child) {{ font-variant-numeric: tabular-nums; }}
section {{ margin-bottom: 2rem; }}
#table-announcements {{ font-size: .9rem; }}
#table-announcements th, #table-announcements td {{ padding: .25rem .45rem; }}
#table-announcements td:first-child {{ word-break: break-all; min-width: 8rem; }}
#table-announcements td:nth-child(2) {{ white-space: nowrap; }}
#table-announcements td:nth-child(3) {{ min-width: 15rem; }}
</style>
<script>{plotly}</script>
</head>
<body>
<h1>rapport report</h1>
<p>{scope} · generated {generated}</p>
<section id="funnel"><h2>Stage funnel</h2>{funnel}</section>
<section id="conversations"><h2>Conversations per week</h2>{weeks}</section>
<section id="drafts"><h2>Drafts</h2>{drafts}</section>
<section id="going-cold"><h2>Going cold: no exchange in {quiet_days} days</h2>{cold}</section>
{announcements}
</body>
</html>
"""
