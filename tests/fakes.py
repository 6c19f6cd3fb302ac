"""Hand-written fakes for the ports: no mocks, no network."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from bot.domain.models import Batch, Interaction, OutgoingReply, Person, PostedReply
from bot.errors import PlatformError


class FakeClock:
    def __init__(self, now: datetime | None = None) -> None:
        self._now = now or datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> None:
        self._now += timedelta(**delta)

    def set(self, when: datetime) -> None:
        self._now = when


@dataclass
class FakePlatform:
    """An in-memory platform: queue interactions, read what was posted, inject failures."""

    platform: str = "sandbox"
    needs_profile_lookups: bool = False
    pages: list[list[Interaction]] = field(default_factory=list)
    posted: list[OutgoingReply] = field(default_factory=list)
    post_errors: list[PlatformError] = field(default_factory=list)
    # Errors raised after the reply went out: a timeout that hides a success.
    errors_after_posting: list[PlatformError] = field(default_factory=list)
    find_errors: list[PlatformError] = field(default_factory=list)
    delivered: int = 0
    profiles: dict[str, Person] = field(default_factory=dict)  # by platform id
    lookups: int = 0

    def push(self, *interactions: Interaction) -> None:
        self.pages.append(list(interactions))

    def fetch_new(self, cursor: str | None) -> Batch:
        start = int(cursor or 0)
        if start >= len(self.pages):
            return Batch((), cursor)
        page = self.pages[start]
        self.delivered += len(page)
        return Batch(tuple(page), str(start + 1), more=start + 1 < len(self.pages))

    def fetch_history(self, cursor: str | None, since: datetime) -> Batch:
        return Batch((), cursor)

    def lookup_profile(self, person: Person) -> Person | None:
        self.lookups += 1
        return self.profiles.get(person.platform_id or "")

    def post_reply(self, reply: OutgoingReply) -> PostedReply:
        if self.post_errors:
            raise self.post_errors.pop(0)
        earlier = self.find_posted(reply)
        if earlier is not None:
            return earlier
        self.posted.append(reply)
        if self.errors_after_posting:
            raise self.errors_after_posting.pop(0)
        return PostedReply(post_id=f"posted-{reply.draft_id}")

    def find_posted(self, reply: OutgoingReply) -> PostedReply | None:
        if self.find_errors:
            raise self.find_errors.pop(0)
        for done in self.posted:
            if done.idempotency_key == reply.idempotency_key:
                return PostedReply(post_id=f"posted-{done.draft_id}", already_posted=True)
        return None

    def backoff_until(self) -> datetime | None:
        return None

    def close(self) -> None:
        pass


@dataclass
class FakeBatchPlatform(FakePlatform):
    """A platform that looks people up `profiles_per_batch` at a time (`ProfileBatches`)."""

    needs_profile_lookups: bool = True
    profiles_per_batch: int = 3
    batches: list[int] = field(default_factory=list)  # the size of each batch asked for
    batch_errors: list[PlatformError | None] = field(default_factory=list)  # per batch, in turn

    def lookup_many(self, people: list[Person]) -> list[Person | None]:
        assert len(people) <= self.profiles_per_batch, "a batch larger than the platform takes"
        self.batches.append(len(people))
        error = self.batch_errors.pop(0) if self.batch_errors else None
        if error is not None:
            raise error
        return [self.profiles.get(person.platform_id or "") for person in people]


class RecordingLog:
    """A structlog-shaped logger that keeps what it was told."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def bind(self, **_: Any) -> RecordingLog:
        return self

    def _record(self, level: str, event: str, **kw: Any) -> None:
        self.events.append({"level": level, "event": event, **kw})

    def debug(self, event: str, **kw: Any) -> None:
        self._record("debug", event, **kw)

    def info(self, event: str, **kw: Any) -> None:
        self._record("info", event, **kw)

    def warning(self, event: str, **kw: Any) -> None:
        self._record("warning", event, **kw)

    def error(self, event: str, **kw: Any) -> None:
        self._record("error", event, **kw)

    def exception(self, event: str, **kw: Any) -> None:
        self._record("exception", event, **kw)

    def named(self, event: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["event"] == event]

    def text(self) -> str:
        """Everything recorded, for asserting that something (a secret) never was."""
        return repr(self.events)


def write_events(path: Path, events: list[dict[str, Any]], mode: str = "w") -> None:
    with path.open(mode, encoding="utf-8") as out:
        for event in events:
            out.write(json.dumps(event, ensure_ascii=False) + "\n")


class EchoDrafter:
    """Suggests a reply naming the first thing it remembers: enough to see memory flow through."""

    name = "echo"

    def suggest(self, contact: Any, target: Any, language: str | None, memory: Any) -> list[Any]:
        from bot.domain.drafts import Suggestion

        remembered = (memory.open_threads or memory.interests or memory.notes)
        if target is None and not remembered:
            return []
        about = f" ¿Qué tal {remembered[0].text}?" if remembered else ""
        return [Suggestion(f"Hola {contact.name or contact.handle}.{about}", self.name)]
