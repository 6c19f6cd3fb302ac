"""Exactly once through the whole path, on every dialect: a mention polled from the server, drafted,
approved and sent by the sender with the real store and the real MastodonClient. The server
accepts the reply, but a proxy answers 502; the next pass finds the reply and records it as sent,
and the person receives it once, whether or not the server honours the Idempotency-Key or shows
direct posts in our own statuses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mastodon_fake import DIALECTS, TOKEN, FakeMastodon

from bot.bootstrap import policy_from_settings
from bot.config import Settings
from bot.domain.drafts import DraftStatus
from bot.drafting.template import TemplateDrafter
from bot.platforms.mastodon import MastodonClient
from bot.services.refresh import refresh_account
from bot.services.review import approve
from bot.services.sending import SendOptions, send_approved
from bot.store.unit_of_work import SqlAlchemyStore
from tests.fakes import FakeClock, RecordingLog

POLICY = policy_from_settings(Settings(), semantic=False)
QUESTION = "<p>@mastodonpy_test ¿Qué opinas del networking en Mastodon?</p>"


@pytest.fixture
def store(tmp_path: Path) -> Any:
    store = SqlAlchemyStore(f"sqlite:///{tmp_path / 'rapport.db'}")
    with store.unit_of_work() as uow:
        uow.state.ensure_account("main", "mastodon", "mastodonpy_test@localhost:3000", FakeClock().now())
        uow.commit()
    yield store
    store.close()


def drafts(store: SqlAlchemyStore) -> list[Any]:
    with store.unit_of_work() as uow:
        return uow.drafts.list(None)


@pytest.mark.parametrize("visibility", ["direct", "private"])
@pytest.mark.parametrize("dialect", DIALECTS, ids=lambda dialect: dialect.name)
def test_a_reply_whose_answer_was_lost_reaches_the_person_once(store, mastodon_server, dialect, visibility):
    clock, log = FakeClock(), RecordingLog()
    server = FakeMastodon(dialect, mastodon_server.url_for("/").rstrip("/"), now=clock.now).install(mastodon_server)
    client = MastodonClient(account="main", handle="mastodonpy_test@localhost:3000", base_url=server.base_url,
                            access_token=TOKEN, request_timeout=2.0, log=log, sleep=lambda _: None, clock=clock.now)

    def poll() -> None:
        refresh_account(store, client, TemplateDrafter(), "main", clock=clock, policy=POLICY, log=log,
                        backfill_days=0, max_age=None, suggestions=1)

    def send() -> Any:
        return send_approved(store, {"main": client}, policy=POLICY, clock=clock,
                             options=SendOptions(owner="test"), log=log)

    try:
        poll()  # the first poll marks where "new" starts
        server.mention(1, visibility=visibility, content=QUESTION)
        poll()
        [draft] = drafts(store)
        # The question asks the owner's own view: the draft leaves a slot, filled here.
        approve(store, draft.id, policy=POLICY, clock=clock, actor="test",
                text="Que aquí se conversa más que se vende.")
        server.fail_next_post = True
        first = send()
        clock.advance(hours=1)  # past the retry's backoff
        second = send()
    finally:
        client.close()

    assert (first.sent, first.deferred, second.sent) == (0, 1, 1)
    [reply] = server.ours()
    assert reply["visibility"] == visibility and reply["in_reply_to_id"] == server.notifications[0]["status"]["id"]
    [sent] = drafts(store)
    assert (sent.status, sent.sent_post_id, sent.note) == (DraftStatus.SENT, reply["id"], None)
    assert [e["post"] for e in log.named("send.found_earlier")] == [reply["id"]]
    assert [path for method, path in server.requests if method == "POST"] == ["/api/v1/statuses"]
