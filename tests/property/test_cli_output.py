"""Hostile text, once stored, through the real CLI to the terminal: one event carrying every kind
of terminal attack, ingested by `run --once`, then shown by the commands that show other
people's words. What the terminal receives must hold nothing it would act on."""

from __future__ import annotations

import re
import pytest

from tests import cli
from tests.cli import Rapport
from tests.fakes import write_events
from tests.property.hostile import BIDI_CONTROLS, ESCAPES

HOSTILE = "¡Hola! " + " ".join(ESCAPES) + f" {BIDI_CONTROLS} \u2028 \x85 fin <script>alert(1)</script>"
# What a terminal acts on. ESC inside JSON text is written as the six characters \u001b, which
# no terminal acts on; a raw C1 control or bidi control is acted on wherever it appears.
_ACTIONABLE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI_CONTROLS}\u2028\u2029]")


@pytest.fixture(scope="module")
def rapport(tmp_path_factory: pytest.TempPathFactory) -> Rapport:
    """One ingest for the whole module: the commands below only read."""
    tmp_path = tmp_path_factory.mktemp("hostile-cli")
    account = 'name = "demo"\nplatform = "sandbox"\nhandle = "me@sandbox.example"\nevents = "events.jsonl"'
    # The semantic model reads a message stuffed with escape codes and a link as spam, which
    # leaves no draft to show: this module is about what reaches the terminal, so rules only.
    config = cli.write_config(tmp_path, account, '[drafting]\nmax_age_days = 0\n[policy.pitch]\nsemantic = "off"\n')
    write_events(tmp_path / "events.jsonl", [{
        "id": "n-1", "type": "mention", "at": "2026-05-01T10:00:00Z",
        "author": {"id": "u-1", "handle": "ana@social.example", "name": f"Ana {HOSTILE}", "bio": HOSTILE},
        "post": {"id": "p-1", "text": f"@me {HOSTILE}", "lang": "es", "spoiler_text": HOSTILE},
    }])
    rapport = Rapport(tmp_path, config)
    assert rapport("run", "--once").exit_code == 0
    return rapport


def shown(rapport: Rapport, *args: str) -> str:
    result = rapport(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_what_people_wrote_reaches_the_terminal_with_nothing_it_would_act_on(rapport: Rapport) -> None:
    draft_id = rapport.json("queue", "list")[0]["id"]
    for args in (("contacts", "show", "ana@social.example"), ("queue", "show", draft_id), ("contacts", "list"),
                 ("queue", "list")):
        output = shown(rapport, *args)
        assert "show" not in args or "fin" in output  # the text is there, only cleaned (tables cut it)
        assert not _ACTIONABLE.search(output.replace("\n", "").replace("\t", "")), (args, output)


@pytest.mark.parametrize("args", [("contacts", "show", "ana@social.example"), ("queue", "list")])
def test_json_output_holds_nothing_a_terminal_would_act_on(rapport: Rapport, args: tuple[str, ...]) -> None:
    output = shown(rapport, *args, "--json")
    assert "fin" in output
    assert not _ACTIONABLE.search(output.replace("\n", ""))


def test_their_content_warning_in_queue_show_json_holds_nothing_a_terminal_would_act_on(rapport: Rapport) -> None:
    """The reply goes out under their content warning, so `queue show --json` carries it twice."""
    draft_id = rapport.json("queue", "list")[0]["id"]
    output = shown(rapport, "queue", "show", draft_id, "--json")
    assert output.count('"spoiler_text": "¡Hola! ') == 2
    assert not _ACTIONABLE.search(output.replace("\n", ""))
