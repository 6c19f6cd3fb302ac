"""Listings page with --limit/--offset and say on stderr when they stop early; the JSON stays the
documented array."""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import Rapport


@pytest.fixture
def ran(rapport: Rapport) -> Rapport:
    assert rapport("run", "--once").exit_code == 0
    return rapport


def _ids(result, key: str = "id") -> list[str]:  # noqa: ANN001
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert isinstance(data, list)  # the documented shape, paged or not
    return [item[key] for item in data]


def test_queue_list_pages_without_overlap_and_says_where_the_next_page_starts(ran: Rapport) -> None:
    everything = _ids(ran("queue", "list", "--status", "all", "--json"))
    assert len(everything) >= 4
    first = ran("queue", "list", "--status", "all", "--json", "--limit", "2")
    assert first.stderr.splitlines() == ["showing 1-2; more follow: --offset 2"]
    rest = ran("queue", "list", "--status", "all", "--json", "--offset", "2", "--limit", "1000")
    assert rest.stderr == ""  # the last page of a JSON listing says nothing: nothing was left out
    assert _ids(first) + _ids(rest) == everything


def test_queue_list_for_a_person_ends_with_where_it_stopped(ran: Rapport) -> None:
    result = ran("queue", "list", "--limit", "1")
    assert result.exit_code == 0
    assert result.stdout.count("pending") == 1
    assert result.stderr.splitlines() == ["showing 1-1; more follow: --offset 1"]
    last = ran("queue", "list", "--offset", "3", "--limit", "5")
    assert last.stderr.splitlines() == ["showing 4-4 (the last)"]


def test_queue_list_beyond_the_end_says_so(ran: Rapport) -> None:
    result = ran("queue", "list", "--offset", "500")
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr.splitlines() == ["nothing at --offset 500"]


def test_queue_list_stopping_at_its_default_limit_says_so(ran: Rapport, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default limit (1,000) is lowered here so that a few drafts reach it."""
    monkeypatch.setattr("bot.cli.paging.DEFAULT_LIMIT", 3)
    result = ran("queue", "list", "--json")
    assert len(_ids(result)) == 3
    assert result.stderr.splitlines() == ["showing 1-3; more follow: --offset 3"]


@pytest.mark.parametrize("option", ["--limit=0", "--offset=-1"])
def test_queue_list_refuses_a_page_out_of_range(ran: Rapport, option: str) -> None:
    assert ran("queue", "list", option).exit_code == 2


def test_contacts_list_pages_without_overlap(ran: Rapport) -> None:
    everything = _ids(ran("contacts", "list", "--json"), "handle")
    assert len(everything) > 3
    first = ran("contacts", "list", "--json", "--limit", "3")
    assert first.stderr.splitlines() == ["showing 1-3; more follow: --offset 3"]
    rest = ran("contacts", "list", "--json", "--offset", "3")
    assert _ids(first, "handle") + _ids(rest, "handle") == everything


def test_contacts_list_for_a_person_ends_with_where_it_stopped(ran: Rapport, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.cli.paging.DEFAULT_LIMIT", 2)
    result = ran("contacts", "list")
    assert result.exit_code == 0
    assert result.stderr.splitlines() == ["showing 1-2; more follow: --offset 2"]
