"""The follow-up cooldown, measured through the real services (`draft_eval.py`).

A sequence is two messages from one person, minutes apart, with one thing in their memory to ask
about. The first is drafted, approved and sent on a SQLite store through the sandbox platform;
the second is drafted after it. The check: when the first reply asked about the memory item, the
second does not ask about it again. When the first did not ask, there is nothing to repeat and
the sequence is left out of the count (None), rather than counted as met.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import _draft_checks as checks

from bot.domain.drafts import DraftStatus
from bot.domain.memory import Fact, FactKind
from bot.platforms.sandbox import SandboxClient
from bot.services import review
from bot.services.drafting import draft_replies
from bot.services.ingest import poll_account
from bot.services.sending import SendOptions, send_approved
from bot.store.unit_of_work import SqlAlchemyStore

ACCOUNT, HANDLE = "demo", "me@sandbox.example"
MINUTES_APART = 3


class _QuietLog:
    """The services log to this: nothing of it belongs in the benchmark's output."""

    def __getattr__(self, name: str) -> Callable[..., Any]:
        return lambda *args, **kwargs: self if name == "bind" else None


class _Clock:
    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> None:
        self._now += timedelta(**delta)


def run_sequences(path: Path, drafter_factory: Callable[[], Any], policy: Any, now: datetime) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            sequence = json.loads(line)
            if len(sequence["messages"]) != 2 or not sequence["follow_up_words"]:
                raise ValueError("expected two messages and the follow-up's words")
        except (ValueError, KeyError, TypeError) as error:
            raise checks.ScenarioError(f"{path.name} line {number}: not a usable sequence: {error}") from None
        drafter = drafter_factory()
        try:
            with tempfile.TemporaryDirectory(prefix="draft-eval-") as folder:
                first, second = _two_drafts(sequence, Path(folder), drafter, policy, _Clock(now))
        finally:
            getattr(drafter, "close", lambda: None)()
        words = sequence["follow_up_words"]
        asked = first is not None and checks.mentions_any(first, words)
        met = None if not asked else second is not None and not checks.mentions_any(second, words)
        yield {"id": sequence["id"], "language": sequence["language"], "met": met, "first": first,
               "second": second, "follow_up_words": words}


def _two_drafts(sequence: dict[str, Any], folder: Path, drafter: Any, policy: Any,
                clock: _Clock) -> tuple[str | None, str | None]:
    """The sent text of the first reply and the draft of the second (None where there is none)."""
    store = SqlAlchemyStore(f"sqlite:///{folder / 'rapport.db'}")
    try:
        with store.unit_of_work() as uow:
            uow.state.ensure_account(ACCOUNT, "sandbox", HANDLE, clock.now())
            uow.commit()
        client = SandboxClient(account=ACCOUNT, handle=HANDLE, events=folder / "events.jsonl",
                               outbox=folder / "outbox.jsonl", log=_QuietLog())
        person = re.sub(r"\W+", "", sequence["id"]) + "@social.example"
        texts: list[str | None] = []
        for n, message in enumerate(sequence["messages"], start=1):
            _arrive(folder / "events.jsonl", n, sequence, person, message, clock.now())
            poll_account(store, client, ACCOUNT, clock=clock, policy=policy, log=_QuietLog())
            if n == 1:
                _remember(store, person, sequence, clock.now())
            draft_replies(store, drafter, ACCOUNT, "sandbox", clock=clock, policy=policy, log=_QuietLog())
            texts.append(_send_waiting(store, client, policy, clock) if n == 1 else _waiting_text(store))
            clock.advance(minutes=MINUTES_APART)
        return texts[0], texts[1]
    finally:
        store.close()


def _arrive(events: Path, n: int, sequence: dict[str, Any], person: str, text: str, at: datetime) -> None:
    event = {"type": "mention", "id": f"{sequence['id']}-{n}", "at": at.isoformat(),
             "author": {"id": f"u-{person}", "handle": person, "name": sequence["contact"]},
             "post": {"id": f"{sequence['id']}-p{n}", "text": text, "lang": sequence["language"]}}
    with events.open("a", encoding="utf-8") as out:
        out.write(json.dumps(event, ensure_ascii=False) + "\n")


def _remember(store: SqlAlchemyStore, person: str, sequence: dict[str, Any], now: datetime) -> None:
    with store.unit_of_work() as uow:
        [contact] = uow.contacts.find(person, ACCOUNT)
        for item in sequence["memory"]:
            due = now + timedelta(days=item["due_days"]) if item.get("due_days") is not None else None
            uow.contacts.add_fact(contact.id, Fact(
                FactKind(item["kind"]), item["text"], item.get("source") or "message:1",
                now - timedelta(days=item["days_ago"]), sequence["language"], due))
        uow.commit()


def _waiting_text(store: SqlAlchemyStore) -> str | None:
    with store.unit_of_work(read_only=True) as uow:
        waiting = uow.drafts.list(DraftStatus.PENDING) + uow.drafts.list(DraftStatus.BLOCKED)
    return waiting[0].text if waiting else None


def _send_waiting(store: SqlAlchemyStore, client: SandboxClient, policy: Any, clock: _Clock) -> str | None:
    """Approve and send the waiting draft, as a person would (filling in any slot it leaves with
    the words it names); its text once sent, else None."""
    with store.unit_of_work(read_only=True) as uow:
        waiting = uow.drafts.list(DraftStatus.PENDING)
    if not waiting:
        return None
    draft = waiting[0]
    filled = checks.SLOT.sub(lambda slot: slot.group(0).split(":", 1)[1].rstrip("]").strip(), draft.text)
    review.approve(store, draft.id, policy=policy, clock=clock, actor="draft_eval",
                   text=filled if filled != draft.text else None)
    send_approved(store, {ACCOUNT: client}, policy=policy, clock=clock, options=SendOptions(owner="draft_eval"),
                  log=_QuietLog())
    with store.unit_of_work(read_only=True) as uow:
        sent = uow.drafts.get(draft.id)
    return sent.text if sent is not None and sent.status is DraftStatus.SENT else None
