"""`rapport report` through the real command line over the hand-counted network, and its HTML
page as headless Chromium renders it (Debian's `chromium`; .ci/run installs it)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.app import CliState, app
from bot.store.unit_of_work import SqlAlchemyStore
from tests.e2e.conftest import write_config
from tests.fakes import FakeClock
from tests import report_announce_fixture as announced
from tests.report_fixture import EXPECTED, HOSTILE_THREAD, NOW, QUIET_DAYS, WEEKS, build_network

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = Path(os.environ.get("RAPPORT_TEST_ARTIFACTS", ROOT / "artifacts"))
CHARTS = ("chart-funnel", "chart-weeks", "chart-drafts", "chart-blocked", "chart-announcements")


def _network(tmp_path: Path, database_url: str) -> Path:
    store = SqlAlchemyStore(database_url)
    with store.unit_of_work() as uow:
        uow.state.ensure_account("demo", "sandbox", "me@sandbox.example", NOW)
        uow.commit()
    build_network(store)
    store.close()
    (tmp_path / "events.jsonl").write_text("", encoding="utf-8")
    return write_config(tmp_path, extra=f'[storage]\nurl = "{database_url}"\n')


def _announced(tmp_path: Path, database_url: str) -> Path:
    store = SqlAlchemyStore(database_url)
    announced.build_announcements(store)
    store.close()
    (tmp_path / "events.jsonl").write_text("", encoding="utf-8")
    return write_config(tmp_path, extra=f'[storage]\nurl = "{database_url}"\n')


def _report(config: Path, *args: str, now=NOW, weeks: int = WEEKS):  # noqa: ANN001, ANN202
    state = CliState(overrides={"clock": FakeClock(now)})
    return CliRunner().invoke(app, ["--config", str(config), "report", "--weeks", str(weeks),
                                    "--quiet-days", str(QUIET_DAYS), *args], obj=state, catch_exceptions=False,
                             env={"COLUMNS": "160"})


def _announcements_report(config: Path, *args: str):  # noqa: ANN202
    return _report(config, *args, now=announced.NOW, weeks=announced.WEEKS)


def test_report_json_gives_the_hand_counted_figures(tmp_path: Path, database_url: str) -> None:
    result = _report(_network(tmp_path, database_url), "--json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert [{"days_ago": c["days_ago"], "counts": c["counts"]} for c in figures["funnel"]] == EXPECTED["funnel"]
    assert figures["conversations_per_week"] == EXPECTED["conversations_per_week"]
    assert figures["drafts"] == EXPECTED["drafts"]
    assert [c["handle"] for c in figures["going_cold"]["contacts"]] == ["eva@social.example", "ana@social.example"]
    # Their words whole, for scripts, yet as JSON escapes that no terminal acts on.
    assert figures["going_cold"]["contacts"][1]["open_threads"] == [HOSTILE_THREAD]
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert figures["announcements"] == []


def test_report_json_gives_the_hand_counted_announcement_results(tmp_path: Path, database_url: str) -> None:
    config = _announced(tmp_path, database_url)
    result = _announcements_report(config, "--json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)["announcements"]
    assert [{k: v for k, v in a.items() if k != "id"} for a in found] == announced.EXPECTED
    assert all(a["id"].startswith("a_") for a in found)
    assert "\x1b" not in result.stdout  # the text whole, its escape written as a JSON escape
    demo = json.loads(_announcements_report(config, "--json", "--account", "demo").stdout)["announcements"]
    assert [a["id"] for a in demo] == [found[0]["id"]]


def test_the_terminal_shows_announcements_only_when_there_are_some(tmp_path: Path) -> None:
    config = _announced(tmp_path, f"sqlite:///{tmp_path / 'rapport.db'}")
    out = _announcements_report(config).stdout
    assert "Announcements since 2026-11-30" in out and "\x1b" not in out
    assert "Abro un taller de cerámica" in out and "[31m" not in out
    # drafts, sent, waiting, approved, cancelled, replies, opt-outs
    assert re.search(r"2026-12-01\s*│[^│]*│\s*2\s*│\s*1\s*│\s*1\s*│\s*0\s*│\s*0\s*│\s*1\s*│\s*1\s*│$", out, re.M)
    assert re.search(r"2026-12-04\s*│[^│]*│\s*1\s*│\s*0\s*│\s*1\s*│\s*0\s*│\s*0\s*│\s*0\s*│\s*0\s*│$", out, re.M)
    (tmp_path / "plain").mkdir()
    plain = _report(_network(tmp_path / "plain", f"sqlite:///{tmp_path / 'plain.db'}")).stdout
    assert "Going cold" in plain and "Announcements" not in plain


def test_the_terminal_report_shows_the_figures_and_no_escape_sequence_from_others(tmp_path: Path) -> None:
    result = _report(_network(tmp_path, f"sqlite:///{tmp_path / 'rapport.db'}"))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "\x1b" not in out and "\x07" not in out
    assert "la maratón de octubre" in out and HOSTILE_THREAD not in out
    assert re.search(r"first contact\s*│\s*0\s*│\s*2\s*│\s*1\s*│", out)
    assert re.search(r"blocked: pitch_stage\s*│\s*2\s*│", out)


def test_an_unknown_account_or_a_missing_folder_is_one_clear_line(tmp_path: Path) -> None:
    config = _network(tmp_path, f"sqlite:///{tmp_path / 'rapport.db'}")
    unknown = _report(config, "--account", "nope")
    assert unknown.exit_code == 1 and unknown.stderr.strip() == \
        "error: no account 'nope' in the store (see: rapport contacts list)"
    missing = _report(config, "--html", str(tmp_path / "no" / "such" / "report.html"))
    assert missing.exit_code == 1 and "no such folder" in missing.stderr and len(missing.stderr.splitlines()) == 1


def _bar_texts(dom: str, chart: str) -> list[str]:
    """The figures printed on the bars of one chart, in trace order, as Chromium rendered them."""
    start = dom.index(f'id="{chart}"')
    following = [dom.find(f'id="{c}"', start + 1) for c in CHARTS if dom.find(f'id="{c}"', start + 1) > 0]
    block = dom[start:min(following, default=len(dom))]
    assert '<svg class="main-svg"' in block, f"{chart} drew nothing"
    return re.findall(r'<text class="bartext[^>]*>([^<]*)</text>', block)


def _chromium_flags(tmp_path: Path) -> list[str]:
    """Headless Debian chromium with a throwaway profile; skips the test when it is not installed."""
    browser = shutil.which("chromium")
    if browser is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium; .ci/run does it)")
    return [browser, "--headless", "--disable-gpu", "--no-sandbox", f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=15000"]


def _dom(flags: list[str], page: Path) -> str:
    """The page as chromium leaves it once its scripts have drawn."""
    return subprocess.run([*flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=180,
                          check=True).stdout


@pytest.mark.e2e
def test_the_html_report_renders_every_chart_offline_in_chromium(tmp_path: Path) -> None:
    flags = [*_chromium_flags(tmp_path), "--window-size=1100,2700", "--hide-scrollbars"]
    page = tmp_path / "report.html"
    result = _report(_network(tmp_path, f"sqlite:///{tmp_path / 'rapport.db'}"), "--html", str(page))
    assert result.exit_code == 0, result.output
    markup = re.sub(r"<script>.*?</script>", "", page.read_text(encoding="utf-8"), flags=re.S)
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", markup)  # nothing to fetch
    assert "default-src 'none'" in markup and "\x1b" not in markup  # and the page may fetch nothing
    dom = _dom(flags, page)
    funnel = [str(EXPECTED["funnel"][col]["counts"][s]) for col in range(3)
              for s in ("audience", "first_contact", "acquaintance", "relationship", "trusted")]
    assert _bar_texts(dom, "chart-funnel") == funnel
    weeks = EXPECTED["conversations_per_week"]
    assert _bar_texts(dom, "chart-weeks") == [str(w["conversations"]) for w in weeks] + \
        [str(w["reciprocal"]) for w in weeks]
    drafts = EXPECTED["drafts"]
    assert _bar_texts(dom, "chart-drafts") == [str(drafts[k]) for k in ("approved", "edited", "rejected", "blocked")]
    assert _bar_texts(dom, "chart-blocked") == [str(n) for n in drafts["blocked_by_reason"].values()]
    assert "la maratón de octubre" in dom and "<script>alert" not in dom
    assert 'id="chart-announcements"' not in markup and 'id="announcements"' not in markup
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "report.png"
    subprocess.run([*flags, f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=180, check=True)
    assert shot.stat().st_size > 10_000
    print(f"screenshot of the HTML report: {shot}")


@pytest.mark.e2e
def test_the_html_report_charts_announcements_when_there_are_some(tmp_path: Path) -> None:
    flags = _chromium_flags(tmp_path)
    page = tmp_path / "report.html"
    result = _announcements_report(_announced(tmp_path, f"sqlite:///{tmp_path / 'rapport.db'}"), "--html", str(page))
    assert result.exit_code == 0, result.output
    markup = re.sub(r"<script>.*?</script>", "", page.read_text(encoding="utf-8"), flags=re.S)
    assert "default-src 'none'" in markup and "\x1b" not in markup and "[31m" not in markup
    assert "Abro un taller de cerámica &amp; barro" in markup and 'id="table-announcements"' in markup
    dom = _dom(flags, page)
    # sent, then replies, then opt-outs; the workshop announcement, then the other account's
    assert _bar_texts(dom, "chart-announcements") == ["1", "0", "1", "0", "1", "0"]
