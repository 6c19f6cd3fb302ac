"""The fixture recorder's own safeguards; they need no network (the recording itself does)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .record_fixtures import RecordingError, as_json, one_line, write

A_JWT = "eyJ0eXAiOiJhdCtqd3QiLCJhbGciOiJFUzI1NksifQ.eyJzdWIiOiJkaWQ6cGxjOngifQ.c2ln"


@pytest.mark.parametrize("secret", ["rapport-e2e-password", A_JWT])
def test_an_answer_holding_a_password_or_a_token_is_refused(secret: str):
    with pytest.raises(RecordingError, match="password or a token"):
        as_json("listNotifications.json", {"notifications": [{"record": {"text": f"leak {secret}"}}]},
                secrets=["rapport-e2e-password"])


def test_recordings_are_written_as_pretty_utf8_json(tmp_path: Path):
    text = as_json("getProfiles.json", {"profiles": [{"description": "Potter in Porto. 🏺"}]}, secrets=["pw"])

    write({"getProfiles.json": text}, tmp_path / "recorded")

    assert (tmp_path / "recorded" / "getProfiles.json").read_text(encoding="utf-8") == (
        '{\n  "profiles": [\n    {\n      "description": "Potter in Porto. 🏺"\n    }\n  ]\n}\n'
    )


def test_a_long_error_is_one_line_keeping_its_start_and_its_end():
    message = "the launcher exited during start; its stderr ends with:\n" + "x\n" * 2000 + "Error: no kiln"

    line = one_line(message)

    assert "\n" not in line and len(line) < 1000
    assert line.startswith("the launcher exited during start") and line.endswith("Error: no kiln")
