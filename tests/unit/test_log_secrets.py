"""Every log path redacts: JSON and console lines, tracebacks, the standard library's records,
and the secrets the settings name reach the redactor through the bootstrap."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest
import structlog

from bot.bootstrap import App, configured_secrets
from bot.config import load_settings
from bot.log import RedactingFilter, configure_logging, remember_secrets

TOKEN = "__MASTODON_PY_TEST_ACCESS_TOKEN"
JWT = "eyJ0eXAiOiJhdCtqd3QiLCJhbGciOiJFUzI1NksifQ.eyJzdWIiOiJkaWQ6cGxjOmFiYyJ9.c2ln"


def _fail_with_token() -> None:
    access_token = TOKEN  # noqa: F841 - a local a verbose traceback formatter would print
    raise RuntimeError(f"server answered 502 for Authorization: Bearer {JWT} and {TOKEN}")


@pytest.mark.parametrize("fmt", ["json", "console"])
def test_events_nested_values_and_tracebacks_are_redacted_in_both_renderers(fmt: str) -> None:
    stream = io.StringIO()
    configure_logging("debug", fmt, stream=stream)
    remember_secrets(TOKEN)
    log = structlog.get_logger()
    log.debug(f"calling with {TOKEN}", request={"headers": {"Authorization": f"Bearer {JWT}"}},
              attempts=[f"token={TOKEN}"])
    try:
        _fail_with_token()
    except RuntimeError:
        log.exception("poll.crashed", account="main")
    output = stream.getvalue()
    assert TOKEN not in output and JWT not in output and JWT[:20] not in output
    assert "poll.crashed" in output and "RuntimeError: server answered 502" in output
    assert "_fail_with_token" in output  # the traceback itself is still there
    assert output.count("[redacted]") >= 4


def test_a_json_line_stays_one_parseable_line_after_redaction() -> None:
    stream = io.StringIO()
    configure_logging("info", "json", stream=stream)
    remember_secrets(TOKEN)
    structlog.get_logger().info("login", detail=f'{{"accessJwt": "{JWT}"}}', handle="ana.test")
    [line] = stream.getvalue().splitlines()
    data = json.loads(line)
    assert data["handle"] == "ana.test" and JWT not in data["detail"]


def test_standard_library_records_are_redacted_with_their_arguments_and_tracebacks() -> None:
    configure_logging("info", "json", stream=io.StringIO())
    remember_secrets(TOKEN)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("tests.some_sdk")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("retrying with token %s", TOKEN)
        try:
            _fail_with_token()
        except RuntimeError:
            logger.exception("request failed")
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    output = stream.getvalue()
    assert TOKEN not in output and JWT not in output
    assert "retrying with token [redacted]" in output and "RuntimeError" in output


def test_the_root_handlers_get_the_filter(caplog: pytest.LogCaptureFixture) -> None:
    """Handlers present before the configuration (a host's, a test runner's) print the same records."""
    configure_logging("info", "json", stream=io.StringIO())
    remember_secrets(TOKEN)
    logging.getLogger("tests.sdk").warning("Authorization: Bearer %s", TOKEN)
    assert TOKEN not in caplog.text and "Authorization: Bearer [redacted]" in caplog.text


def _config(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'data_dir = "data"\n{extra}\n[[accounts]]\nname = "main"\nplatform = "mastodon"\n'
                    'base_url = "https://m.example"\ntoken_env = "RAPPORT_TEST_LOG_TOKEN"\n', encoding="utf-8")
    return path


def test_the_app_hands_the_configured_token_to_the_logger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAPPORT_TEST_LOG_TOKEN", TOKEN)
    stream = io.StringIO()
    configure_logging("debug", "json", stream=stream)
    App(load_settings(_config(tmp_path)))
    structlog.get_logger().warning("server.echo", said=f"unknown token {TOKEN}")
    assert TOKEN not in stream.getvalue()


def test_configured_secrets_cover_tokens_the_llm_key_and_the_database_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RAPPORT_TEST_LOG_TOKEN", TOKEN)
    (tmp_path / "llm.key").write_text("sk-local-llm-key-123\n", encoding="utf-8")
    extra = ('[storage]\nurl = "postgresql+psycopg://rapport:db%40pass99@127.0.0.1:5432/rapport"\n'
             '[drafting]\nbackend = "openai"\n[drafting.openai]\napi_key_file = "llm.key"\n')
    assert set(configured_secrets(load_settings(_config(tmp_path, extra)))) == {
        TOKEN, "sk-local-llm-key-123", "db@pass99"}


def test_a_secret_that_cannot_be_read_is_skipped_not_fatal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RAPPORT_TEST_LOG_TOKEN", raising=False)
    assert configured_secrets(load_settings(_config(tmp_path))) == []


def test_the_cli_error_line_never_shows_a_known_secret() -> None:
    import typer
    from typer.testing import CliRunner

    from bot.cli.app import RapportGroup
    from bot.errors import RapportError
    from bot.log import remember_secrets

    secret = "s3cr3t-Tok3n-for-the-cli-error-line"
    remember_secrets(secret)
    broken = typer.Typer(cls=RapportGroup)

    @broken.command()
    def fail() -> None:
        raise RapportError(f"the server answered 'bad token {secret}'")

    @broken.command()
    def other() -> None: ...

    result = CliRunner().invoke(broken, ["fail"])
    assert result.exit_code == 1
    assert secret not in result.output and "error: the server answered" in result.output
