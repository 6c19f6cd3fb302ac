"""Structured logging: JSON lines off a TTY (the container), readable lines on one.

Secrets never reach a log line, on any path: every structlog event, exception text included,
and every standard-library record (the SDKs') pass through one `Redactor` before rendering.
It knows the secret values the settings resolved (`remember_secrets`, called by the bootstrap)
and the shapes of credentials (see `bot.redaction`).

structlog (with its console renderer, which brings Rich and Pygments) is imported when a logger
is first used: a CLI command that logs nothing never pays for it (`configure_logging(lazy=True)`).
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from datetime import UTC, datetime
from typing import Any

from bot.redaction import Redactor


class LineStream:
    """The one stream every log line goes through, a whole line per write under one lock.

    structlog's events and the standard library's records (APScheduler's, the SDKs') come from
    different threads through different loggers; on a shared file each writer's line must land
    whole, or a JSON line gets another's text spliced into it.
    """

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        with self._lock:
            written = self._stream.write(text)
            self._stream.flush()
            return written

    def flush(self) -> None:
        with self._lock:
            self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()


# One per process, like the logging configuration it belongs to.
_redactor = Redactor()
# The structlog configuration not applied yet: (level, format, stream), set by a lazy configure.
_pending: tuple[str, str, LineStream] | None = None


def remember_secrets(*values: str | None) -> None:
    """Values that must never be logged, whatever they look like (tokens, passwords, keys)."""
    _redactor.remember(*values)


def redact_text(text: str) -> str:
    """`text` as it may be printed: for what reaches a terminal outside the logger."""
    return _redactor.text(text)


def redact_event(logger: Any, method: str, event: dict[str, Any]) -> dict[str, Any]:
    """The structlog processor: looked up at each call, so that a new configuration applies."""
    return _redactor(logger, method, event)


class RedactingFilter(logging.Filter):
    """The same redaction for the standard library's records: message and traceback are
    formatted, then redacted, before any handler prints them."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed call is still logged, and still redacted
            message = f"{record.msg} {record.args!r}"
        record.msg, record.args = redact_text(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        return True


def configure_logging(level: str = "info", fmt: str = "auto", stream: Any = None, *, lazy: bool = False) -> None:
    """Configure structlog and the standard library's logging. With `lazy`, structlog is set up
    when `get_logger()` first hands out a logger (or now, if something imported it already);
    the standard library's logging and the redactor are set up at once either way."""
    global _redactor, _pending
    _redactor = Redactor()  # a new configuration starts from what its bootstrap will tell it
    stream = stream or sys.stderr
    if fmt == "auto":
        fmt = "console" if stream.isatty() else "json"
    lines = LineStream(stream)
    _pending = (level, fmt, lines)
    _configure_standard_logging(lines, fmt)
    if not lazy or "structlog" in sys.modules:
        _apply_pending()


def _apply_pending() -> None:
    global _pending
    if _pending is None:
        return
    level, fmt, stream = _pending
    _pending = None
    import structlog

    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False) if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=stream.isatty())
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            # Tracebacks become text before redaction, on the console too: the pretty console
            # formatter would print frame locals (tokens among them) and wrap long lines after
            # the redactor has run, out of its reach.
            structlog.processors.format_exc_info,
            redact_event,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, level.upper())),
        # One write per event, the newline included (a print() writes the newline apart).
        logger_factory=structlog.WriteLoggerFactory(file=stream),
        cache_logger_on_first_use=False,
    )


def get_logger() -> Any:
    """A structlog logger, the configuration applied first."""
    _apply_pending()
    import structlog

    return structlog.get_logger()


class DeferredLogger:
    """Stands for `get_logger()` until first used: `log.info(...)`, `log.bind(...)` then import
    and configure structlog. What the App hands to the pieces it builds."""

    def __init__(self) -> None:
        self._logger: Any = None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        if self._logger is None:
            self._logger = get_logger()
        return getattr(self._logger, name)


class JsonLineFormatter(logging.Formatter):
    """A standard-library record as the JSON line a structlog event would be: in the container
    every line parses, APScheduler's and the SDKs' included. (structlog's own formatter would
    import structlog for commands that never log.)"""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "event": record.getMessage(), "logger": record.name, "level": record.levelname.lower(),
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat().replace("+00:00", "Z"),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(line, ensure_ascii=False)


class _OwnHandler(logging.StreamHandler):
    """The handler this module installs, told apart from a host's so a new configuration replaces it."""


def _configure_standard_logging(lines: LineStream, fmt: str) -> None:
    # Libraries log through the standard library; keep their noise out unless it matters.
    handler = _OwnHandler(lines)
    handler.setFormatter(JsonLineFormatter() if fmt == "json"
                         else logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for previous in [h for h in root.handlers if isinstance(h, _OwnHandler)]:
        root.removeHandler(previous)
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    # Handlers that were there before (a host's, a test runner's) get the filter too, since
    # they print the same records.
    for existing in root.handlers:
        if not any(isinstance(f, RedactingFilter) for f in existing.filters):
            existing.addFilter(RedactingFilter())
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
