"""The HTTP side of an OpenAI-compatible chat-completions server: one POST with its retry rule,
the answer's texts, the API key, and the short probe `rapport doctor` makes.

Retries are for a request the server never started on: a refused connection, or a 5xx (a
server still loading its model answers 503). A timeout is never retried: a local server with
one slot goes on generating the abandoned answer, and a retry would only queue behind it.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from typing import Any

import httpx
from pydantic import SecretStr

from bot.config import OpenAISettings
from bot.errors import ConfigError

ATTEMPTS = 2  # the first try and one retry
BACKOFF_SECONDS = 1.0  # plus up to half again of jitter
MAX_BACKOFF_SECONDS = 10.0
STATUS_REASONS = {400: "HTTP 400, request refused", 401: "HTTP 401, key refused", 403: "HTTP 403, forbidden",
                  404: "HTTP 404, check base_url and model", 429: "HTTP 429, rate limited"}


class Unusable(Exception):
    """The server gave nothing to use; `reason` is short and safe to show to the user."""

    def __init__(self, reason: str, *, unreachable: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.unreachable = unreachable  # no answer at all: not worth asking again at once


class ChatEndpoint:
    def __init__(self, settings: OpenAISettings, *, transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep, log: Any = None) -> None:
        self.settings = settings
        self._key = read_api_key(settings)
        self._url = settings.base_url.rstrip("/") + "/chat/completions"
        self._http = httpx.Client(timeout=httpx.Timeout(settings.timeout_seconds), transport=transport)
        self._sleep = sleep
        self._log = log

    def post(self, body: dict[str, Any]) -> httpx.Response:
        """The server's answer, after one retry on a refused connection or a 5xx. A timeout, or a
        connection lost mid-answer, ends the request at once (`Unusable`)."""
        reason = ""
        for attempt in range(1, ATTEMPTS + 1):
            retry_after = None
            try:
                response = self._http.post(self._url, json=body, headers=headers(self._key))
            except httpx.TimeoutException:
                raise Unusable(f"timeout after {self.settings.timeout_seconds:g} s", unreachable=True) from None
            except httpx.ConnectError:
                reason = "connection failed"
            except httpx.TransportError:
                raise Unusable("connection lost", unreachable=True) from None
            else:
                if response.status_code < 500:
                    return response
                reason = f"HTTP {response.status_code}"
                retry_after = _retry_after(response)
            if attempt < ATTEMPTS:
                delay = _backoff(retry_after)
                if self._log is not None:
                    self._log.info("drafter.openai_retry", reason=reason, attempt=attempt,
                                   delay_seconds=round(delay, 2))
                self._sleep(delay)
        raise Unusable(f"{reason} after {ATTEMPTS} tries", unreachable=reason == "connection failed")

    def close(self) -> None:
        self._http.close()


def headers(key: SecretStr | None) -> dict[str, str]:
    found = {"Accept": "application/json"}
    if key is not None:
        found["Authorization"] = f"Bearer {key.get_secret_value()}"
    return found


def read_api_key(settings: OpenAISettings) -> SecretStr | None:
    """The key from `api_key_file`, else from `$api_key_env`, like every secret; but optional,
    since local servers need none. A key file that cannot be read is a configuration error."""
    if settings.api_key_file is not None:
        try:
            value = settings.api_key_file.read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ConfigError(f"drafting.openai.api_key_file: cannot read {settings.api_key_file}:"
                              f" {error.strerror}") from None
    else:
        value = os.environ.get(settings.api_key_env, "").strip()
    return SecretStr(value) if value else None


def parse_contents(response: httpx.Response) -> list[str | None]:
    """The text of each choice (some servers ignore `n` and send one): None for a choice cut off
    by the token limit or without any text."""
    try:
        data = response.json()
    except ValueError:
        raise Unusable("malformed response") from None
    choices = data.get("choices") if isinstance(data, dict) else None
    if not isinstance(choices, list):
        raise Unusable("malformed response")
    return [_content(choice) for choice in choices]


def _content(choice: object) -> str | None:
    if not isinstance(choice, dict) or choice.get("finish_reason") == "length":
        return None
    message = choice.get("message")
    content = message.get("content") if isinstance(message, dict) else choice.get("text")
    if isinstance(content, list):  # content parts: [{"type": "text", "text": "..."}]
        content = "".join(p["text"] for p in content if isinstance(p, dict) and isinstance(p.get("text"), str))
    return content if isinstance(content, str) else None


def probe(settings: OpenAISettings, timeout: float, transport: httpx.BaseTransport | None = None) -> tuple[str, str]:
    """("ok" | "warn" | "fail", one line) for `rapport doctor`: asks the server which models it
    serves (`GET /models`), which costs it no generation. Never shows the response body."""
    url = settings.base_url.rstrip("/") + "/models"
    try:
        key = read_api_key(settings)
        with httpx.Client(timeout=timeout, transport=transport) as client:
            response = client.get(url, headers=headers(key))
    except ConfigError as error:
        return "fail", str(error)
    except httpx.TimeoutException:
        return "fail", f"{settings.base_url} did not answer within {timeout:g} s"
    except httpx.TransportError:
        return "fail", f"cannot reach {settings.base_url}: is the model server running?"
    if response.status_code >= 400:
        status = STATUS_REASONS.get(response.status_code, f"HTTP {response.status_code}")
        return "fail", f"{settings.base_url}: {status}"
    try:
        served = [str(m.get("id")) for m in response.json().get("data", []) if isinstance(m, dict)]
    except (ValueError, AttributeError):
        return "warn", f"{settings.base_url} answers, but not with a model list; is it OpenAI-compatible?"
    if settings.model in served or any(name.split(":")[0] == settings.model for name in served):
        return "ok", f"{settings.base_url} serves {settings.model}"
    listed = ", ".join("".join(c for c in name if c.isprintable())[:60] for name in served[:5]) or "none"
    return "warn", (f"{settings.base_url} answers but does not list {settings.model} (it lists: {listed});"
                    " Ollama needs `ollama pull`, llama.cpp serves whatever model it loaded")


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers.get("retry-after", "")))
    except ValueError:
        return None  # absent, or an HTTP date: the backoff decides


def _backoff(retry_after: float | None) -> float:
    delay = BACKOFF_SECONDS + random.uniform(0, BACKOFF_SECONDS / 2)
    return min(MAX_BACKOFF_SECONDS, max(delay, retry_after or 0.0))
