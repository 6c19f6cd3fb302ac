"""No transaction stays open while a model thinks: a concurrent note (a write) and a queue
listing go through at once, not after the model answers, nor fail with "database is locked".

The model is a real HTTP server on loopback that holds its answer until the test has done its
concurrent work, so nothing here depends on timing: had the drafting pass kept a write
transaction open, the note, with a one-second busy timeout, would fail with "database locked".
"""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from bot.bootstrap import policy_from_settings
from bot.config import OpenAISettings, Settings
from bot.domain.drafts import DraftStatus
from bot.domain.memory import Fact, FactKind
from bot.domain.models import Interaction, InteractionKind, Person, Post
from bot.drafting.openai import OpenAIDrafter
from bot.drafting.template import TemplateDrafter
from bot.services.checkins import CheckinOptions, suggest_checkins
from bot.services.contacts import add_note
from bot.services.drafting import draft_replies
from bot.services.ingest import poll_account, record_interaction
from bot.store.unit_of_work import SqlAlchemyStore
from tests.fakes import FakeClock, FakePlatform, RecordingLog
from tests.integration.drafting.test_openai import completion

POLICY = policy_from_settings(Settings())
HOLD_LIMIT = 30.0  # seconds the fake model waits for the test at most: only a broken test reaches it


class SlowModel:
    """Answers a chat completion only once the test lets it."""

    def __init__(self, reply: str) -> None:
        self.reply = reply
        self.thinking = threading.Event()
        self.release = threading.Event()
        self.asked = False

    def __call__(self, request: Request) -> Response:
        self.asked = True
        self.thinking.set()
        self.release.wait(HOLD_LIMIT)
        return Response(json.dumps(completion(self.reply)), content_type="application/json")


@pytest.fixture
def sqlite_store(tmp_path: Path):  # noqa: ANN201
    store = SqlAlchemyStore(f"sqlite:///{tmp_path / 'rapport.db'}")
    with store.unit_of_work() as uow:
        uow.state.ensure_account("demo", "sandbox", "me@sandbox.example", FakeClock().now())
        uow.commit()
    yield store
    store.close()


def _drafter(httpserver: HTTPServer, clock: Any) -> OpenAIDrafter:
    settings = OpenAISettings(base_url=httpserver.url_for("/v1"), api_key_env="RAPPORT_TEST_NO_KEY")
    return OpenAIDrafter(settings, TemplateDrafter(clock=clock), log=RecordingLog(), clock=clock)


def _while_the_model_thinks(  # noqa: ANN202
    model: SlowModel, work: Any, other_store: SqlAlchemyStore, handle: str, clock: Any,
):
    """Run `work` in a thread; while the model holds its answer, write a note and list the
    queue through another connection; then let the model answer. What the listing saw."""
    failures: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            failures.append(error)
        finally:
            model.thinking.set()  # a pass that never asked the model must not keep the test waiting

    worker = threading.Thread(target=run)
    worker.start()
    try:
        model.thinking.wait(HOLD_LIMIT)
        assert model.asked, f"the model was never asked: {failures}"
        add_note(other_store, handle, "prefers mornings", account="demo", policy=POLICY, clock=clock, actor="cli")
        with other_store.unit_of_work(read_only=True) as uow:
            listed = uow.drafts.list(DraftStatus.PENDING, "demo")
    finally:
        model.release.set()
        worker.join(HOLD_LIMIT)
    assert not failures, failures
    return listed


def test_a_note_and_the_queue_go_through_while_the_model_drafts_a_reply(
    httpserver: HTTPServer, sqlite_store: SqlAlchemyStore, tmp_path: Path,
) -> None:
    clock = FakeClock()
    model = SlowModel("¡Gracias, Zoe! Me alegra que te sirviera.")
    httpserver.expect_request("/v1/chat/completions", method="POST").respond_with_handler(model)
    platform = FakePlatform()
    person = Person("u-zoe", "zoe@social.example", "Zoe")
    platform.push(Interaction("n-1", InteractionKind.MENTION, clock.now(), person,
                              Post("p-1", "@me ¡Gracias por la guía de compostaje, me sirvió muchísimo!", "es")))
    poll_account(sqlite_store, platform, "demo", clock=clock, policy=POLICY, log=RecordingLog())
    other = SqlAlchemyStore(f"sqlite:///{tmp_path / 'rapport.db'}", busy_timeout=1.0, migrate=False)
    try:
        listed = _while_the_model_thinks(
            model, lambda: draft_replies(sqlite_store, _drafter(httpserver, clock), "demo", "sandbox", clock=clock,
                                         policy=POLICY, log=RecordingLog()),
            other, "zoe@social.example", clock)
    finally:
        other.close()
    assert listed == []  # the draft did not exist yet: the listing did not wait for the model
    with sqlite_store.unit_of_work() as uow:
        [draft] = uow.drafts.list()
        notes = [f.text for f in uow.contacts.facts(draft.contact_id) if f.kind is FactKind.NOTE]
    assert draft.origin.startswith("openai:") and draft.text == "¡Gracias, Zoe! Me alegra que te sirviera."
    assert notes == ["prefers mornings"]


def test_a_note_goes_through_while_the_model_drafts_a_check_in(
    httpserver: HTTPServer, sqlite_store: SqlAlchemyStore, tmp_path: Path,
) -> None:
    clock = FakeClock()
    model = SlowModel("¡Hola, Marta! ¿Cómo va el trail running estos días?")
    httpserver.expect_request("/v1/chat/completions", method="POST").respond_with_handler(model)
    person = Person("id-marta", "marta@red.example", "Marta")
    start = clock.now() - timedelta(days=35)
    with sqlite_store.unit_of_work() as uow:
        for i, day in enumerate((0, 3)):
            post = Post(f"p{i}", "Entrenando para la carrera", "es", thread=f"t{i}")
            record_interaction(uow, "demo", Interaction(f"n{i}", InteractionKind.MENTION, start + timedelta(days=day),
                                                        person, post), now=clock.now(), policy=POLICY)
        contact = uow.contacts.find("marta@red.example")[0]
        uow.contacts.add_fact(contact.id, Fact(FactKind.INTEREST, "trail running", "hashtag", start))
        uow.commit()
    other = SqlAlchemyStore(f"sqlite:///{tmp_path / 'rapport.db'}", busy_timeout=1.0, migrate=False)
    try:
        _while_the_model_thinks(
            model, lambda: suggest_checkins(sqlite_store, _drafter(httpserver, clock), "demo", "sandbox", clock=clock,
                                            policy=POLICY, options=CheckinOptions(), log=RecordingLog()),
            other, "marta@red.example", clock)
    finally:
        other.close()
    with sqlite_store.unit_of_work() as uow:
        [draft] = uow.drafts.list()
    assert draft.kind == "checkin" and draft.origin.startswith("openai:")
    assert draft.text == "¡Hola, Marta! ¿Cómo va el trail running estos días?"
