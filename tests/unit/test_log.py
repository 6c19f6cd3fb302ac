"""Logging: JSON lines off a terminal, secrets never rendered."""

from __future__ import annotations

import io
import json

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
