"""Structured logging: JSON lines off a TTY (the container), readable lines on one.

Secrets never reach a log line, on any path: every structlog event, exception text included,
and every standard-library record (the SDKs') pass through one `Redactor` before rendering.
It knows the secret values the settings resolved (`remember_secrets`, called by the bootstrap)
and the shapes of credentials (see `bot.redaction`).
"""

from __future__ import annotations

import logging
import sys
import threading
from typing import Any

import structlog

from bot.redaction import Redactor

# One per process, like the logging configuration it belongs to.
_redactor = Redactor()


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


def configure_logging(level: str = "info", fmt: str = "auto", stream: Any = None) -> None:
    global _redactor
    _redactor = Redactor()  # a new configuration starts from what its bootstrap will tell it
    stream = stream or sys.stderr
    if fmt == "auto":
        fmt = "console" if stream.isatty() else "json"
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False) if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=stream.isatty())
    )
    shared: list[Any] = [
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        # Tracebacks become text before redaction, on the console too: the pretty console
        # formatter would print frame locals (tokens among them) and wrap long lines after
        # the redactor has run, out of its reach.
        structlog.processors.format_exc_info,
        redact_event,
    ]
    lines = LineStream(stream)
    structlog.configure(
        processors=[structlog.contextvars.merge_contextvars, *shared, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, level.upper())),
        # One write per event, the newline included (a print() writes the newline apart).
        logger_factory=structlog.WriteLoggerFactory(file=lines),
        cache_logger_on_first_use=False,
    )
    _configure_standard_logging(lines, shared, renderer)


class _OwnHandler(logging.StreamHandler):
    """The handler this module installs, told apart from a host's so a new configuration replaces it."""


def _configure_standard_logging(lines: LineStream, shared: list[Any], renderer: Any) -> None:
    # Libraries log through the standard library; keep their noise out unless it matters. Their
    # records are rendered like every other event: a JSON line in the container, with the
    # logger's name.
    handler = _OwnHandler(lines)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.stdlib.add_logger_name, *shared],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    ))
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
