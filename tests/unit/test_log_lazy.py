"""A command that logs nothing does not load structlog; the first logger used is configured as asked."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = r"""
import io, json, sys
from bot.log import DeferredLogger, configure_logging, remember_secrets
stream = io.StringIO()
configure_logging("info", "json", stream=stream, lazy=True)
remember_secrets("tok-abc-123")
before = "structlog" in sys.modules
log = DeferredLogger()
log.bind(account="demo").warning("auth.failed", password="hunter2", detail="sent tok-abc-123")
log.debug("below the level")
print(json.dumps({"before": before, "after": "structlog" in sys.modules, "lines": stream.getvalue().splitlines()}))
"""


def test_structlog_loads_with_the_first_log_line_configured_and_redacted() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=60)
    outcome = json.loads(done.stdout)
    assert outcome["before"] is False and outcome["after"] is True
    [line] = [json.loads(text) for text in outcome["lines"]]
    assert line["event"] == "auth.failed" and line["account"] == "demo" and line["level"] == "warning"
    assert line["password"] == "[redacted]" and "tok-abc-123" not in json.dumps(line)
