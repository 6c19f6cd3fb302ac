"""Logging: JSON lines off a terminal, secrets never rendered."""

from __future__ import annotations

import io
import json
import logging
import threading
import time

import structlog

from bot.log import configure_logging


def _lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_off_a_terminal_each_event_is_one_json_line() -> None:
    stream = io.StringIO()
    configure_logging("info", "auto", stream=stream)
    structlog.get_logger().info("interaction.stored", account="demo", interaction="n-1")
    [line] = _lines(stream)
    assert line["event"] == "interaction.stored" and line["account"] == "demo" and line["interaction"] == "n-1"
    assert line["level"] == "info" and line["timestamp"].endswith("Z")


def test_secret_looking_fields_are_redacted() -> None:
    stream = io.StringIO()
    configure_logging("info", "json", stream=stream)
    structlog.get_logger().warning("auth", access_token="tok-123", password="hunter2", api_key="k",
                                   token_env="RAPPORT_MASTODON_TOKEN")
    [line] = _lines(stream)
    assert "tok-123" not in json.dumps(line) and "hunter2" not in json.dumps(line)
    assert line["access_token"] == line["password"] == line["api_key"] == "[redacted]"
    assert line["token_env"] == "RAPPORT_MASTODON_TOKEN"  # the name of a variable is no secret


def test_levels_below_the_configured_one_are_dropped() -> None:
    stream = io.StringIO()
    configure_logging("warning", "json", stream=stream)
    structlog.get_logger().info("chatter")
    structlog.get_logger().warning("matters")
    assert [line["event"] for line in _lines(stream)] == ["matters"]


def test_standard_library_records_are_json_lines_too() -> None:
    """APScheduler and the SDKs log through the standard library: in the container their lines
    must parse like every other one."""
    stream = io.StringIO()
    configure_logging("info", "json", stream=stream)
    logging.getLogger("apscheduler.scheduler").warning("Run time of job %r was missed by %s", "poll", "0:00:02")
    [line] = _lines(stream)
    assert line["event"] == "Run time of job 'poll' was missed by 0:00:02"
    assert line["level"] == "warning" and line["logger"] == "apscheduler.scheduler" and line["timestamp"].endswith("Z")


class _SlowStream(io.StringIO):
    """A stream whose writes yield the processor midway, as an unbuffered file may."""

    def write(self, text: str) -> int:
        time.sleep(0.0005)
        return super().write(text)


def test_lines_from_many_threads_and_both_loggers_never_splice() -> None:
    stream = _SlowStream()
    configure_logging("info", "json", stream=stream)

    def structlog_events() -> None:
        for n in range(150):
            structlog.get_logger().info("poll.done", account=f"a{n}")

    def library_records() -> None:
        for n in range(150):
            logging.getLogger("apscheduler.executors").warning("job %d skipped: maximum running instances", n)

    threads = [threading.Thread(target=target) for target in (structlog_events, library_records) * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = _lines(stream)  # each line parses whole
    assert len(lines) == 600
    assert sum(line["event"] == "poll.done" for line in lines) == 300


def test_a_new_configuration_replaces_the_previous_handler() -> None:
    first, second = io.StringIO(), io.StringIO()
    configure_logging("info", "json", stream=first)
    configure_logging("info", "json", stream=second)
    logging.getLogger("tests.sdk").warning("once")
    assert first.getvalue() == "" and [line["event"] for line in _lines(second)] == ["once"]
