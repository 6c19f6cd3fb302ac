"""A small network whose report figures were worked out by hand (see EXPECTED), for the report
tests on SQLite and PostgreSQL, the command line and the browser.

Everything happens through the real use cases (ingestion, notes, trust, review), each at the
time the fake clock is set to, so the stage history is the one the product records.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.bootstrap import policy_from_settings
from bot.config import Settings
from bot.domain.decisions import Decision, Outcome, RuleResult
from bot.domain.drafts import Draft, DraftStatus, new_draft_id
from bot.domain.memory import Fact, FactKind
from bot.domain.models import Interaction, InteractionKind, Person, Post
from bot.services import contacts as people
from bot.services import review
from bot.services.ingest import record_interaction
from bot.store.unit_of_work import SqlAlchemyStore
from tests.fakes import FakeClock

POLICY = policy_from_settings(Settings())
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)  # a Thursday; 30 days ago 10-27, 90 days ago 08-28
WEEKS = 4  # weeks of 11-02, 11-09, 11-16 and 11-23
QUIET_DAYS = 21
ANA = Person("u-ana", "ana@social.example", "Ana")
BRUNO = Person("u-bruno", "bruno@fedi.example", "Bruno")
CHLOE = Person("u-chloe", "chloe@social.example", "Chloé")
DARIO = Person("u-dario", "dario@toot.example", "Darío")
EVA = Person("u-eva", "eva@social.example", "Eva")
# Stored as a person wrote it: the terminal must never receive the escape sequence.
HOSTILE_THREAD = "la maratón de octubre\x1b]0;pwned\x07\x1b[31m"


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=timezone.utc)


# Stage by contact: now (the stored stage), 30 days ago (10-27 12:00), 90 days ago (08-28 12:00).
#   Ana:   first contact 08-01, acquaintance 08-10, relationship 09-10 (5th reciprocal, 40 days, 2 notes)
#   Bruno: first contact 10-20, acquaintance 11-05                       (unknown 90 days ago)
#   Chloé: follows since 11-10                                           (unknown before)
#   Darío: first contact 07-15, trusted by a person 11-20
#   Eva:   first contact 09-01, acquaintance 09-03                       (unknown 90 days ago)
# Conversations (they wrote; by week begun): 11-02 Bruno (reciprocal); 11-16 Bruno; 11-23 Darío (reciprocal).
# Drafts decided since 11-02: one approved as is, one approved edited, one rejected, two blocked
# (pitch_stage twice, contact_rate once); one approval on 10-01 falls before the period.
# Going cold (no exchange in 21 days, acquaintance or above): Eva (84 days), Ana (77 days).
EXPECTED = {
    "funnel": [
        {"days_ago": 0, "counts": {"audience": 1, "first_contact": 0, "acquaintance": 2, "relationship": 1,
                                   "trusted": 1}},
        {"days_ago": 30, "counts": {"audience": 0, "first_contact": 2, "acquaintance": 1, "relationship": 1,
                                    "trusted": 0}},
        {"days_ago": 90, "counts": {"audience": 0, "first_contact": 1, "acquaintance": 1, "relationship": 0,
                                    "trusted": 0}},
    ],
    "conversations_per_week": [
        {"week": "2026-11-02", "conversations": 1, "reciprocal": 1},
        {"week": "2026-11-09", "conversations": 0, "reciprocal": 0},
        {"week": "2026-11-16", "conversations": 1, "reciprocal": 0},
        {"week": "2026-11-23", "conversations": 1, "reciprocal": 1},
    ],
    "drafts": {"approved": 1, "edited": 1, "rejected": 1, "blocked": 2,
               "blocked_by_reason": {"contact_rate": 1, "pitch_stage": 2}},
    "going_cold": [
        {"handle": "eva@social.example", "stage": "acquaintance", "days_quiet": 84, "open_threads": []},
        {"handle": "ana@social.example", "stage": "relationship", "days_quiet": 77,
         "open_threads": [HOSTILE_THREAD]},
    ],
}


def build_network(store: SqlAlchemyStore) -> None:
    clock = FakeClock(at(7, 1))
    _talk(store, ANA, "a1", at(8, 1), replied=True)
    clock.set(at(8, 2, 9))
    people.add_note(store, ANA.handle, "Ana cultiva tomates en el balcón", account="demo", policy=POLICY,
                    clock=clock, actor="test")
    people.add_note(store, ANA.handle, "Ana works night shifts at the hospital", account="demo", policy=POLICY,
                    clock=clock, actor="test")
    _talk(store, ANA, "a2", at(8, 10), replied=True)
    for n, day in ((3, at(9, 1)), (4, at(9, 5)), (5, at(9, 10))):
        _talk(store, ANA, f"a{n}", day, replied=True)
    _talk(store, DARIO, "d1", at(7, 15))
    _talk(store, EVA, "e1", at(9, 1))
    _talk(store, EVA, "e2", at(9, 3))
    _talk(store, BRUNO, "b1", at(10, 20))
    _talk(store, BRUNO, "b2", at(11, 5), replied=True)
    _ingest(store, Interaction("c-follow", InteractionKind.FOLLOW, at(11, 10), CHLOE))
    _talk(store, BRUNO, "b3", at(11, 18))
    clock.set(at(11, 20, 9))
    people.set_trust(store, DARIO.handle, True, account="demo", policy=POLICY, clock=clock, actor="test")
    _talk(store, DARIO, "d2", at(11, 24), replied=True)
    with store.unit_of_work() as uow:
        ana = uow.contacts.find(ANA.handle)[0]
        uow.contacts.add_fact(ana.id, Fact(FactKind.OPEN_THREAD, HOSTILE_THREAD, "message", at(9, 10)))
        uow.commit()
    _decide_drafts(store, clock)


def _talk(store: SqlAlchemyStore, person: Person, thread: str, when: datetime, *, replied: bool = False) -> None:
    """They write a message that starts `thread`; with `replied`, the account answers 30 minutes later."""
    _ingest(store, Interaction(f"{thread}-in", InteractionKind.MENTION, when, person,
                               Post(f"{thread}-p1", "¡Hola! ¿Qué tal?", "es", thread=thread)))
    if replied:
        _ingest(store, Interaction(f"{thread}-out", InteractionKind.SENT, when + timedelta(minutes=30), person,
                                   Post(f"{thread}-p2", "Muy bien, gracias", "es", in_reply_to=f"{thread}-p1",
                                        thread=thread)))


def _ingest(store: SqlAlchemyStore, interaction: Interaction) -> None:
    with store.unit_of_work() as uow:
        record_interaction(uow, "demo", interaction, now=interaction.at, policy=POLICY)
        uow.commit()


def _draft(store: SqlAlchemyStore, person: Person, when: datetime, status: DraftStatus = DraftStatus.PENDING,
           blocked_by: tuple[str, ...] = ()) -> str:
    rules = tuple(RuleResult(code, Outcome.BLOCK, "test") for code in blocked_by) or (
        RuleResult("pitch_stage", Outcome.ALLOW, "not a pitch"),)
    with store.unit_of_work() as uow:
        contact = uow.contacts.find(person.handle)[0]
        draft = Draft(id=new_draft_id(), account="demo", platform="sandbox", contact_id=contact.id,
                      contact_handle=contact.handle, target=None, text="¿Cómo va todo?", language="es",
                      status=status, decision=Decision(rules), created_at=when, updated_at=when, kind="checkin")
        uow.drafts.add(draft)
        uow.commit()
    return draft.id


def _decide_drafts(store: SqlAlchemyStore, clock: FakeClock) -> None:
    old = _draft(store, EVA, at(9, 30))
    clock.set(at(10, 1))
    review.approve(store, old, policy=POLICY, clock=clock, actor="test")  # before the period
    as_is, edited, rejected = (_draft(store, p, at(11, 17)) for p in (BRUNO, DARIO, EVA))
    clock.set(at(11, 18, 12))
    review.approve(store, as_is, policy=POLICY, clock=clock, actor="test")
    review.approve(store, edited, policy=POLICY, clock=clock, actor="test", text="¿Qué tal el huerto, Darío?")
    review.reject(store, rejected, clock=clock, actor="test", reason="not now")
    _draft(store, ANA, at(11, 20), DraftStatus.BLOCKED, ("pitch_stage", "contact_rate"))
    _draft(store, BRUNO, at(11, 21), DraftStatus.BLOCKED, ("pitch_stage",))
