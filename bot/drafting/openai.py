"""A drafter backed by any OpenAI-compatible chat-completions server: Ollama, the llama.cpp
server, vLLM, or a hosted API.

Its suggestions go through the same policy as any other draft, and a person approves each one.
When the server fails, or answers nothing usable, the fallback drafter's suggestions are returned
instead, each with a note saying why ("model failed: timeout after 30 s"). Neither the API key
nor the server's response body ever reaches a note or a log line.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import httpx
import structlog

from bot.clock import SystemClock
from bot.config import OpenAISettings
from bot.domain.about import About
from bot.domain.contacts import Contact
from bot.domain.draft_context import NO_CONTEXT, DraftContext
from bot.domain.drafts import ReplyTarget, Suggestion
from bot.domain.memory import ContactMemory
from bot.drafting.openai_client import STATUS_REASONS, ChatEndpoint, Unusable, parse_contents, read_api_key
from bot.drafting.prompt import build_messages, has_something_to_ask
from bot.drafting.reply_checks import STOP_SEQUENCES, check_reply, numbered_replies
from bot.drafting.template import MAX_SUGGESTIONS, reply_kind
from bot.ports import Clock, Drafter

__all__ = ["OpenAIDrafter", "read_api_key"]

# After a timeout or a connection failure, the model is not asked again for this long: a pass
# over fifty messages against a dead server falls back at once instead of waiting fifty times.
PAUSE = timedelta(minutes=2)


@dataclass(frozen=True)
class _Ask:
    """One drafting request: what the prompt is built from."""

    contact: Contact
    target: ReplyTarget | None
    language: str | None
    memory: ContactMemory
    context: DraftContext
    now: datetime


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
        self._log = log if log is not None else structlog.get_logger()
        self._clock = clock or SystemClock()
        self._endpoint = ChatEndpoint(settings, transport=transport, sleep=sleep, log=self._log)
        self._numbered: bool | None = None  # whether the server ignores `n`; None until it answers
        self._paused: tuple[datetime, str] | None = None  # until when, and why

    def suggest(
        self, contact: Contact, target: ReplyTarget | None, language: str | None, memory: ContactMemory,
    ) -> list[Suggestion]:
        return self.suggest_in_context(contact, target, language, memory, NO_CONTEXT)

    def suggest_in_context(
        self, contact: Contact, target: ReplyTarget | None, language: str | None, memory: ContactMemory,
        context: DraftContext,
    ) -> list[Suggestion]:
        now = self._clock.now()
        if target is None and not has_something_to_ask(memory, now):
            return []  # no empty check-ins
        if target is not None and reply_kind(target) is None:
            return []  # a request to stop gets no reply at all
        problems: list[str] = []
        try:
            texts = self._collect(_Ask(contact, target, language, memory, context, now), problems)
            reason = problems[0] if problems else "no reply"
        except Unusable as failure:
            texts, reason = [], failure.reason
            if failure.unreachable:
                self._paused = (now + PAUSE, failure.reason)
        except Exception as error:  # noqa: BLE001 - drafting must go on: the fallback answers
            texts, reason = [], f"unexpected {type(error).__name__}"
        if texts:
            return [Suggestion(text, f"openai:{self._settings.model}") for text in texts]
        self._log.warning("drafter.openai_failed", reason=reason, model=self._settings.model,
                          fallback=self._fallback.name)
        note = f"model failed: {reason}"
        return [replace(s, note=note) for s in self._fallback.suggest(contact, target, language, memory)]

    def close(self) -> None:
        self._endpoint.close()

    def _collect(self, ask: _Ask, problems: list[str]) -> list[str]:
        """Every suggestion from one answer: `n` choices where the server honours `n`, else one
        answer that numbers them. Learning which costs one extra request, once."""
        if self._paused is not None:
            until, why = self._paused
            if ask.now < until:
                raise Unusable(f"{why}; not asked again before {until:%H:%M} UTC")
            self._paused = None
        texts: list[str] = []
        if self._count > 1 and self._numbered is not True:
            contents = self._complete(ask, n=self._count, numbered=1)
            if contents is not None:
                self._numbered = len(contents) < self._count
                self._accept(contents, ask, texts, problems)
                if not self._numbered or len(texts) >= self._count:
                    return texts[: self._count]
            else:
                self._numbered = True  # the server refuses `n`
        if self._count > 1:
            answer = self._complete(ask, n=1, numbered=self._count) or []
            self._accept([reply for content in answer if content for reply in numbered_replies(content)],
                         ask, texts, problems)
        else:
            self._accept(self._complete(ask, n=1, numbered=1) or [], ask, texts, problems)
        return texts[: self._count]

    def _accept(self, contents: list[str | None], ask: _Ask, texts: list[str], problems: list[str]) -> None:
        for content in contents:
            if content is None:
                problems.append("reply cut off or empty")
                continue
            checked = check_reply(content, ask.language, ask.context.max_chars)
            if checked.text is None:
                problems.append(checked.problem or "unusable reply")
            elif checked.text.casefold() not in {t.casefold() for t in texts}:
                texts.append(checked.text)

    def _complete(self, ask: _Ask, *, n: int, numbered: int) -> list[str | None] | None:
        """The choices' texts; None when the server refuses `n` above one."""
        messages = build_messages(ask.contact, ask.target, ask.language, ask.memory, voice=self._voice,
                                  now=ask.now, context=ask.context, count=numbered,
                                  about=self._about() if self._about else None)
        # Room for the reply and a little more, so that a model running on is cut, not waited for.
        max_tokens = (ask.context.max_chars // 2 + 16) * numbered
        body = {"model": self._settings.model, "messages": messages, "n": n, "temperature": 0.8,
                "max_tokens": max_tokens, "stop": STOP_SEQUENCES}
        response = self._endpoint.post(body)
        if response.status_code == 400 and n > 1:
            return None
        if response.status_code >= 400:
            raise Unusable(STATUS_REASONS.get(response.status_code, f"HTTP {response.status_code}"))
        return parse_contents(response)
