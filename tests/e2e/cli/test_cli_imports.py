"""The CLI stays fast: commands that never talk to a platform import no platform SDK."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import EXAMPLES

HEAVY = ("mastodon", "atproto", "apscheduler", "yake", "py3langid", "httpx")
PROBE = """
import json, sys
from typer.testing import CliRunner
from bot.cli.app import CliState, app
result = CliRunner().invoke(app, sys.argv[1:], obj=CliState())
print(json.dumps({"exit": result.exit_code, "loaded": sorted(m for m in sys.modules if m.split(".")[0] in %r)}))
"""


@pytest.mark.parametrize("command", [
    ["queue", "list"], ["queue", "list", "--json"], ["contacts", "list"], ["config", "check"], ["health"],
])
def test_commands_without_platform_work_import_no_sdk(command: list[str], tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'data_dir = "{tmp_path}"\n[[accounts]]\nname = "demo"\nplatform = "sandbox"\n'
                      f'handle = "me@sandbox.example"\nevents = "{EXAMPLES / "sandbox" / "events.jsonl"}"\n')
    probe = subprocess.run([sys.executable, "-c", PROBE % (HEAVY,), "--config", str(config), *command],
                           capture_output=True, text=True, timeout=60, check=True)
    outcome = json.loads(probe.stdout.splitlines()[-1])
    assert outcome["exit"] in (0, 1)  # health exits 1 when the service never ran; that is fine here
    assert outcome["loaded"] == [], f"{' '.join(command)} imported {outcome['loaded']}"
