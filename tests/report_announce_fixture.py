"""Announcements for the report, worked out by hand (see EXPECTED), on SQLite and PostgreSQL.

Everything goes through the real use cases (ingestion, announcing, review, sending, cancelling),
each at the time the fake clock is set to:

    11-02, 11-05   Ana and Bea write twice each (acquaintances); Cruz once (a first contact).
    11-20          an announcement to Ana and Bea, cancelled on 11-21: before the period, not shown.
    12-01 10:00    "the workshop" announcement: drafts for Ana and Bea (Cruz is below min_stage).
    12-01 10:30    Ana's draft approved and sent; Bea's still waits for a person.
    12-02          Ana answers it, and Bea writes too (nothing was sent to her: not a reply).
    12-03          Ana asks to stop: an opt-out after it was sent.
    12-04          account "other" announces to Xavi; the draft waits.

So in the two weeks from 11-30: the workshop announcement has 2 drafts, 1 sent, 1 waiting,
1 reply, 1 opt-out; the other account's has 1 draft waiting.
"""

from __future__ import annotations

from datetime import datetime, timezone

from bot.bootstrap import policy_from_settings
from bot.config import Settings
from bot.domain.models import Interaction, InteractionKind, Person, Post
from bot.services import review
from bot.services.announcing import cancel_announcement, draft_announcement
from bot.services.ingest import record_interaction
from bot.services.sending import SendOptions, send_approved
from bot.store.unit_of_work import SqlAlchemyStore
from tests.fakes import FakeClock, FakePlatform, RecordingLog

SETTINGS = Settings.model_validate({
    "policy": {"pitch": {"min_stage": "acquaintance"}, "guardrails": {"timezone": "UTC"}},
    "announce": {"working_hours": ""},
})
POLICY = policy_from_settings(SETTINGS, semantic=False)
NOW = datetime(2026, 12, 10, 12, 0, tzinfo=timezone.utc)  # a Thursday
WEEKS = 2  # weeks of 11-30 and 12-07
QUIET_DAYS = 21
# Stored as the account holder typed it, escape sequence and all: the terminal must not receive it.
WORKSHOP = "Abro un taller de cerámica & barro en enero\x1b[31m: ocho plazas, los jueves por la tarde, en el barrio."
ANA = Person("u-ana", "ana@social.example", "Ana")
BEA = Person("u-bea", "bea@social.example", "Bea")
CRUZ = Person("u-cruz", "cruz@social.example", "Cruz")
XAVI = Person("u-xavi", "xavi@other.example", "Xavi")

RESULTS = ("drafts", "sent", "pending", "approved", "cancelled", "failed", "replies", "opt_outs")
EXPECTED = [
    {"account": "demo", "created_at": "2026-12-01T10:00:00Z", "status": "active", "text": WORKSHOP,
     "results": dict(zip(RESULTS, (2, 1, 1, 0, 0, 0, 1, 1)))},
    {"account": "other", "created_at": "2026-12-04T10:00:00Z", "status": "active",
     "text": "Next month I start a new job in Lisbon.",
     "results": dict(zip(RESULTS, (1, 0, 1, 0, 0, 0, 0, 0)))},
]


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=timezone.utc)


def build_announcements(store: SqlAlchemyStore) -> list[str]:
    """The announcements' ids, as made: the cancelled one, the workshop, the other account's."""
    clock = FakeClock(at(11, 1))
    with store.unit_of_work() as uow:
        uow.state.ensure_account("demo", "sandbox", "me@sandbox.example", clock.now())
        uow.state.ensure_account("other", "sandbox", "me@other.example", clock.now())
        uow.commit()
    for n, day in enumerate((2, 5)):
        _write(store, "demo", ANA, f"ana-{n}", at(11, day))
        _write(store, "demo", BEA, f"bea-{n}", at(11, day, 11))
        _write(store, "other", XAVI, f"xavi-{n}", at(11, day, 12))
    _write(store, "demo", CRUZ, "cruz-0", at(11, 2))

    clock.set(at(11, 20))
    old = _announce(store, clock, "demo", "Una noticia que al final no di.")
    assert len(old.drafts) == 2, "the fixture expects Ana and Bea to be eligible"
    clock.set(at(11, 21))
    cancel_announcement(store, old.announcement.id, clock=clock, actor="test")

    clock.set(at(12, 1))
    workshop = _announce(store, clock, "demo", WORKSHOP)
    assert sorted(d.contact_handle for d in workshop.drafts) == [ANA.handle, BEA.handle]
    to_ana = next(d for d in workshop.drafts if d.contact_handle == ANA.handle)
    clock.set(at(12, 1, 10, 30))
    review.approve(store, to_ana.id, policy=POLICY, clock=clock, actor="test")
    sent = send_approved(store, {"demo": FakePlatform()}, policy=POLICY, clock=clock,
                         options=SendOptions(owner="test"), log=RecordingLog())
    assert sent.sent == 1
    _write(store, "demo", ANA, "ana-answer", at(12, 2), "¡Qué buena idea! ¿Cuánto cuesta?")
    _write(store, "demo", BEA, "bea-news", at(12, 2, 11), "Hoy he ido al huerto con mi hija")
    _write(store, "demo", ANA, "ana-stop", at(12, 3), "stop")

    clock.set(at(12, 4))
    other = _announce(store, clock, "other", "Next month I start a new job in Lisbon.")
    return [old.announcement.id, workshop.announcement.id, other.announcement.id]


def _announce(store: SqlAlchemyStore, clock: FakeClock, account: str, text: str):  # noqa: ANN202
    return draft_announcement(store, account, "sandbox", text, (), clock=clock, policy=POLICY, actor="test",
                              log=RecordingLog())


def _write(store: SqlAlchemyStore, account: str, person: Person, key: str, when: datetime,
           text: str = "¡Hola! ¿Qué tal la semana?") -> None:
    """They write to the account: a message that starts its own thread."""
    post = Post(f"{key}-p", text, "es", thread=key)
    with store.unit_of_work() as uow:
        record_interaction(uow, account, Interaction(f"{key}-in", InteractionKind.MENTION, when, person, post),
                           now=when, policy=POLICY)
        uow.commit()
