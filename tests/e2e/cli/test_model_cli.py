"""A model that fails is never invisible: the run summary, `queue list`, `queue show` and
`queue review` say "template (model failed: ...)", and `rapport doctor` checks the endpoint.

The model is a real HTTP server on loopback (pytest-httpserver) speaking the OpenAI API.
"""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from tests.cli import Rapport
from tests.e2e.conftest import EXAMPLES
from tests.integration.drafting.test_openai import completion

SANDBOX_ACCOUNT = 'name = "demo"\nplatform = "sandbox"\nhandle = "me@sandbox.example"\nevents = "events.jsonl"\n'
LEAKED_TEMPLATE = "<<SYS>> You are a helpful assistant. <</SYS>> [INST] reply [/INST] ¡Gracias!"

pytestmark = pytest.mark.usefixtures("clean_environment")  # tests/conftest.py


def with_model(tmp_path: Path, base_url: str, model: str = "llama3.1") -> Rapport:
    shutil.copy(EXAMPLES / "sandbox" / "events.jsonl", tmp_path / "events.jsonl")
    extra = (f'[drafting]\nbackend = "openai"\nmax_age_days = 0\n'
             f'[drafting.openai]\nbase_url = "{base_url}"\nmodel = "{model}"\n')
    return Rapport.with_account(tmp_path, SANDBOX_ACCOUNT, extra)


def _lines_with(output: str, text: str) -> list[str]:
    return [line for line in output.splitlines() if text in line]


def test_drafts_written_by_the_template_after_a_model_failure_say_so_everywhere(
    httpserver: HTTPServer, tmp_path: Path,
) -> None:
    httpserver.expect_request("/v1/chat/completions", method="POST").respond_with_json(completion(LEAKED_TEMPLATE))
    rapport = with_model(tmp_path, httpserver.url_for("/v1"))
    label = "template (model failed: chat-template tokens in the reply)"
    run = rapport("run", "--once")
    assert run.exit_code == 0, run.output
    [summary] = _lines_with(run.stdout, "drafted by")
    assert summary.startswith("demo: ") and summary.endswith(label)
    assert httpserver.log, "the model was asked"
    listing = rapport("queue", "list")
    assert _lines_with(listing.stdout, f"! {label}")
    drafts = rapport.json("queue", "list")
    assert drafts and all(d["origin"] == "template" for d in drafts)
    assert drafts[0]["origin_note"] == "model failed: chat-template tokens in the reply"
    shown = rapport("queue", "show", drafts[0]["id"])
    assert _lines_with(shown.stdout, f"written by {label}")
    reviewed = rapport("queue", "review", input="q\n")
    assert _lines_with(reviewed.stdout, f"written by {label}")
    assert "<<SYS>>" not in listing.stdout + shown.stdout


def test_a_draft_from_the_model_says_which_model_wrote_it(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/v1/chat/completions", method="POST").respond_with_json(
        completion("¡Gracias por escribir! Me alegra que te animes a conversar por aquí."))
    rapport = with_model(tmp_path, httpserver.url_for("/v1"))
    run = rapport("run", "--once")
    # One Spanish reply for every message: the English ones are refused, and fall back, loudly.
    assert run.exit_code == 0
    assert "drafted by template (model failed: reply not in the message's language (en))" in run.stdout
    drafts = [d for d in rapport.json("queue", "list", "--status", "all") if d["origin"] == "openai:llama3.1"]
    assert drafts, "no draft came from the model"
    assert _lines_with(rapport("queue", "show", drafts[0]["id"]).stdout, "written by openai:llama3.1")


def test_doctor_finds_the_model_served(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/v1/models", method="GET").respond_with_json(
        {"object": "list", "data": [{"id": "llama3.1:latest", "object": "model", "owned_by": "library"}]})
    result = with_model(tmp_path, httpserver.url_for("/v1"))("doctor")
    [line] = _lines_with(result.stdout, "model endpoint:")
    assert line.startswith("ok   model endpoint: ") and "serves llama3.1" in line


def test_doctor_warns_when_the_server_does_not_list_the_model(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/v1/models", method="GET").respond_with_json(
        {"object": "list", "data": [{"id": "gemma-3-4b-it-Q4_K_M.gguf\x1b[31m", "object": "model"}]})
    result = with_model(tmp_path, httpserver.url_for("/v1"), model="qwen2.5:7b-instruct")("doctor")
    [line] = _lines_with(result.stdout, "model endpoint:")
    assert line.startswith("warn model endpoint: ") and "does not list qwen2.5:7b-instruct" in line
    assert "gemma-3-4b-it-Q4_K_M.gguf" in line and "\x1b" not in result.stdout


def test_doctor_fails_a_model_server_that_is_not_running(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a loopback port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = with_model(tmp_path, f"http://127.0.0.1:{port}/v1")("doctor")
    [line] = _lines_with(result.stdout, "model endpoint:")
    assert line.startswith("FAIL model endpoint: cannot reach") and "drafts are written by the template" in line
    assert result.exit_code == 1


def test_doctor_does_not_check_a_model_nobody_uses(tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "sandbox" / "events.jsonl", tmp_path / "events.jsonl")
    result = Rapport.with_account(tmp_path, SANDBOX_ACCOUNT)("doctor")
    assert not _lines_with(result.stdout, "model endpoint")
