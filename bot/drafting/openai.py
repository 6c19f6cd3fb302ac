"""A drafter backed by any OpenAI-compatible chat-completions server: Ollama, the llama.cpp
server, vLLM, or a hosted API.

Its suggestions go through the same policy as any other draft, and a person approves each one.
When the server fails, or answers nothing usable, the fallback drafter's suggestions are returned
instead, each with a note saying why. Neither the API key nor the server's response body ever
reaches a note or a log line.
"""

from __future__ import annotations

import os
import random
import re
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import httpx
import structlog
from pydantic import SecretStr

from bot.clock import SystemClock
from bot.config import OpenAISettings
from bot.domain.about import About
from bot.domain.contacts import Contact
from bot.domain.drafts import ReplyTarget, Suggestion
from bot.domain.memory import ContactMemory
from bot.drafting.prompt import build_messages, has_something_to_ask
from bot.drafting.template import MAX_SUGGESTIONS, MAX_TEXT, reply_kind
from bot.errors import ConfigError
from bot.ports import Clock, Drafter

ATTEMPTS = 3  # per request: the first try and two retries
BACKOFF_SECONDS = 1.0  # doubles on each retry, plus up to half again of jitter
MAX_BACKOFF_SECONDS = 30.0
_STATUS_REASONS = {401: "HTTP 401, key refused", 403: "HTTP 403, forbidden",
                   404: "HTTP 404, check base_url and model", 429: "HTTP 429, rate limited"}


class _Unusable(Exception):
    """The server gave nothing to use; `reason` is short and safe to show to the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class OpenAIDrafter:
    name = "openai"

    def __init__(
        self, settings: OpenAISettings, fallback: Drafter, *, suggestions: int = 1, voice: str = "",
        transport: httpx.BaseTransport | None = None, sleep: Callable[[float], None] = time.sleep,
        log: Any = None, clock: Clock | None = None, about: Callable[[], About] | None = None,
    ) -> None:
        self._settings = settings
        self._fallback = fallback
        self._count = max(1, min(suggestions, MAX_SUGGESTIONS))
        self._voice = voice
        self._about = about  # the owner's profile, read for each request
        self._sleep = sleep
        self._log = log if log is not None else structlog.get_logger()
        self._clock = clock or SystemClock()
        self._key = read_api_key(settings)
        self._url = settings.base_url.rstrip("/") + "/chat/completions"
        self._http = httpx.Client(timeout=httpx.Timeout(settings.timeout_seconds), transport=transport)

    def suggest(
        self, contact: Contact, target: ReplyTarget | None, language: str | None, memory: ContactMemory,
    ) -> list[Suggestion]:
        now = self._clock.now()
        if target is None and not has_something_to_ask(memory, now):
            return []  # no empty check-ins
        if target is not None and reply_kind(target) is None:
            return []  # a request to stop gets no reply at all
        messages = build_messages(contact, target, language, memory, voice=self._voice, now=now,
                                  about=self._about() if self._about else None)
        try:
            texts, reason = self._collect(messages), "no usable text"
        except _Unusable as failure:
            texts, reason = [], failure.reason
        except Exception as error:  # noqa: BLE001 - drafting must go on: the fallback answers
            texts, reason = [], f"unexpected {type(error).__name__}"
        if texts:
            return [Suggestion(text, f"openai:{self._settings.model}") for text in texts]
        self._log.warning("drafter.openai_failed", reason=reason, model=self._settings.model,
                          fallback=self._fallback.name)
        note = f"openai failed ({reason}); {self._fallback.name} used instead"
        return [replace(s, note=note) for s in self._fallback.suggest(contact, target, language, memory)]

    def close(self) -> None:
        self._http.close()

    def _collect(self, messages: list[dict[str, str]]) -> list[str]:
        """Asks for every suggestion at once; a server that ignores `n` is asked again, at most
        once per suggestion. What earlier calls gave is kept if a later one fails."""
        texts: list[str] = []
        for call in range(self._count):
            try:
                contents = self._complete(messages, self._count - len(texts))
            except _Unusable:
                if call == 0:
                    raise
                break
            for text in filter(None, map(clean_reply, contents)):
                if text.casefold() not in {t.casefold() for t in texts}:
                    texts.append(text)
            if len(texts) >= self._count:
                break
        return texts[: self._count]

    def _complete(self, messages: list[dict[str, str]], n: int) -> list[str]:
        body = {"model": self._settings.model, "messages": messages, "n": n, "temperature": 0.8, "max_tokens": 300}
        response = self._post(body)
        if response.status_code == 400 and n > 1:
            return self._complete(messages, 1)  # a server that refuses `n` is asked one at a time
        if response.status_code >= 400:
            raise _Unusable(_STATUS_REASONS.get(response.status_code, f"HTTP {response.status_code}"))
        return parse_contents(response)

    def _post(self, body: dict[str, Any]) -> httpx.Response:
        """POST with retries on timeouts, connection failures, 429 and 5xx; others are final."""
        reason = ""
        for attempt in range(1, ATTEMPTS + 1):
            retry_after = None
            try:
                response = self._http.post(self._url, json=body, headers=self._headers())
            except httpx.TimeoutException:
                reason = "timeout"
            except httpx.TransportError:
                reason = "connection failed"
            else:
                if response.status_code != 429 and response.status_code < 500:
                    return response
                reason = _STATUS_REASONS.get(response.status_code, f"HTTP {response.status_code}")
                retry_after = _retry_after(response)
            if attempt < ATTEMPTS:
                delay = _backoff(attempt, retry_after)
                self._log.info("drafter.openai_retry", reason=reason, attempt=attempt, delay_seconds=round(delay, 2))
                self._sleep(delay)
        raise _Unusable(f"{reason} after {ATTEMPTS} tries")

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if self._key is not None:
            headers["Authorization"] = f"Bearer {self._key.get_secret_value()}"
        return headers


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


def parse_contents(response: httpx.Response) -> list[str]:
    """The text of each choice, skipping those cut off by the token limit or without text."""
    try:
        data = response.json()
    except ValueError:
        raise _Unusable("malformed response") from None
    choices = data.get("choices") if isinstance(data, dict) else None
    if not isinstance(choices, list):
        raise _Unusable("malformed response")
    return [content for choice in choices if (content := _content(choice))]


def _content(choice: object) -> str | None:
    if not isinstance(choice, dict) or choice.get("finish_reason") == "length":
        return None
    message = choice.get("message")
    content = message.get("content") if isinstance(message, dict) else choice.get("text")
    if isinstance(content, list):  # content parts: [{"type": "text", "text": "..."}]
        content = "".join(p["text"] for p in content if isinstance(p, dict) and isinstance(p.get("text"), str))
    return content if isinstance(content, str) else None


_THINKING = re.compile(r"<think>.*?</think>", re.S | re.I)
_PREAMBLE = re.compile(r"^(?:sure|of course|claro|here'?s|here is|aqu[ií] (?:tienes|va))[^\n]{0,80}:\s*\n+", re.I)
_LABEL = re.compile(r"^[*_#\s]{0,4}(?:reply|response|answer|draft|suggestion|respuesta|borrador|sugerencia)"
                    r"(?:\s*\d)?[*_]{0,2}\s*[:：][*_]{0,2}\s*", re.I)
_NOT_A_REPLY = re.compile(r"^(?:as an ai\b|as a language model|i'?m sorry, but i can'?t|i can(?:no|')t help"
                          r"|como (?:modelo|ia)\b|lo siento, (?:pero )?no puedo)", re.I)
_QUOTES = {'"': '"', "“": "”", "«": "»", "„": "“", "'": "'", "‘": "’", "`": "`"}


def clean_reply(content: str) -> str | None:
    """The reply without reasoning blocks, "Reply:" labels or wrapping quotes; None when empty,
    too long to post, or a refusal rather than a reply."""
    text = _THINKING.sub("", content).strip()
    text = _LABEL.sub("", _PREAMBLE.sub("", text, count=1), count=1).strip()
    while len(text) >= 2 and _QUOTES.get(text[0]) == text[-1] and text[0] not in text[1:-1]:
        text = text[1:-1].strip()
    if not text or len(text) > MAX_TEXT or _NOT_A_REPLY.match(text):
        return None
    return text


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers.get("retry-after", "")))
    except ValueError:
        return None  # absent, or an HTTP date: the backoff decides


def _backoff(attempt: int, retry_after: float | None) -> float:
    delay = BACKOFF_SECONDS * 2 ** (attempt - 1)
    delay += random.uniform(0, delay / 2)
    return min(MAX_BACKOFF_SECONDS, max(delay, retry_after or 0.0))
