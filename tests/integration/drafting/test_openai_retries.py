"""When the drafter asks a model server again, over real HTTP on loopback: once after a refused
connection or a 5xx, never after a timeout (a one-slot local server would go on generating the
abandoned answer, and the retry would queue behind it). A server that timed out or cannot be
reached is left alone for a while, so a pass over many messages falls back at once."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from bot.config import OpenAISettings
from bot.drafting.openai import PAUSE, OpenAIDrafter
from bot.drafting.template import TemplateDrafter
from tests.fakes import FakeClock, RecordingLog
from tests.integration.drafting.test_openai import ANA, MEMORY, NOW, completion, message

PATH = "/v1/chat/completions"


class Recorded:
    """A drafter wired to a loopback server, with what it slept and logged."""

    def __init__(self, base_url: str, timeout: float = 30.0) -> None:
        self.sleeps: list[float] = []
        self.log = RecordingLog()
        self.clock = FakeClock(NOW)
        settings = OpenAISettings(base_url=base_url, timeout_seconds=timeout, api_key_env="RAPPORT_TEST_NO_KEY")
        self.drafter = OpenAIDrafter(settings, TemplateDrafter(clock=self.clock), sleep=self.sleeps.append,
                                     log=self.log, clock=self.clock)

    def suggest(self) -> list[Any]:
        return self.drafter.suggest(ANA, message(), "es", MEMORY)


def _answers(httpserver: HTTPServer, *responses: Response) -> list[Request]:
    """Serve `responses` in order to the chat endpoint; the requests it got."""
    seen: list[Request] = []
    pending = list(responses)

    def handler(request: Request) -> Response:
        seen.append(request)
        return pending.pop(0)

    httpserver.expect_request(PATH, method="POST").respond_with_handler(handler)
    return seen


def _json(reply: str) -> Response:
    import json

    return Response(json.dumps(completion(reply)), content_type="application/json")


def test_a_server_error_is_retried_once_then_the_answer_is_used(httpserver: HTTPServer) -> None:
    seen = _answers(httpserver, Response("loading model", status=503), _json("¡Gracias a ti, Ana!"))
    drafting = Recorded(httpserver.url_for("/v1"))
    [suggestion] = drafting.suggest()
    assert (suggestion.text, suggestion.note) == ("¡Gracias a ti, Ana!", None)
    assert len(seen) == 2 and len(drafting.sleeps) == 1


def test_a_server_error_twice_falls_back_with_the_reason(httpserver: HTTPServer) -> None:
    seen = _answers(httpserver, Response("boom", status=500), Response("boom", status=500))
    drafting = Recorded(httpserver.url_for("/v1"))
    found = drafting.suggest()
    assert len(seen) == 2
    assert found and all(s.origin == "template" and s.note == "model failed: HTTP 500 after 2 tries" for s in found)


@pytest.fixture
def stuck_server(httpserver: HTTPServer) -> Iterator[tuple[HTTPServer, list[Request]]]:
    """A model server that takes longer than any client waits; released when the test ends."""
    release = threading.Event()
    seen: list[Request] = []

    def handler(request: Request) -> Response:
        seen.append(request)
        release.wait(30)
        return _json("too late")

    httpserver.expect_request(PATH, method="POST").respond_with_handler(handler)
    yield httpserver, seen
    release.set()


def test_a_timeout_is_not_retried_and_the_server_is_left_alone_for_a_while(stuck_server) -> None:  # noqa: ANN001
    httpserver, seen = stuck_server
    drafting = Recorded(httpserver.url_for("/v1"), timeout=0.3)
    found = drafting.suggest()
    assert len(seen) == 1 and drafting.sleeps == []
    assert found and all(s.origin == "template" and s.note == "model failed: timeout after 0.3 s" for s in found)
    again = drafting.suggest()  # the next message: the template at once, and why
    assert len(seen) == 1
    assert again[0].note == "model failed: timeout after 0.3 s; not asked again before 12:02 UTC"
    drafting.clock.advance(seconds=PAUSE.total_seconds())
    # Asked again once the pause is over (the one-slot server, still busy, times out once more).
    assert drafting.suggest()[0].note == "model failed: timeout after 0.3 s"


def test_a_refused_connection_is_retried_once_then_falls_back() -> None:
    with socket.socket() as probe:  # a loopback port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    drafting = Recorded(f"http://127.0.0.1:{port}/v1")
    found = drafting.suggest()
    assert len(drafting.sleeps) == 1
    assert found and all(s.note == "model failed: connection failed after 2 tries" for s in found)
    assert [e["attempt"] for e in drafting.log.named("drafter.openai_retry")] == [1]
