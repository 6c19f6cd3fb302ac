"""Reads and claims for several contacts or messages in one statement answer exactly what the
one-at-a-time reads answer; on SQLite and PostgreSQL."""

from __future__ import annotations

from bot.bootstrap import policy_from_settings
from bot.config import Settings
from bot.domain.models import Interaction, InteractionKind, Person, Post
from bot.drafting.template import TemplateDrafter
from bot.services.drafting import draft_replies
from bot.services.ingest import poll_account
from bot.store.unit_of_work import SqlAlchemyStore
from tests.fakes import FakePlatform, RecordingLog

POLICY = policy_from_settings(Settings())


def seeded(store: SqlAlchemyStore, clock) -> list[int]:  # noqa: ANN001
    """Six people, some with a bio and a pending draft, one with nothing: their contact ids."""
    platform = FakePlatform()
    platform.push(*[
        Interaction(f"n-{i}", InteractionKind.MENTION, clock.now(),
                    Person(f"u-{i}", f"p{i}@x.example", f"P{i}", "Urban gardener, nurse." if i % 2 else ""),
                    Post(f"p-{i}", f"Mañana planto tomates en el huerto #huerto ({i})", "es"))
        for i in range(5)
    ])
    poll_account(store, platform, "demo", clock=clock, policy=POLICY, log=RecordingLog())
    draft_replies(store, TemplateDrafter(), "demo", "sandbox", clock=clock, policy=POLICY, log=RecordingLog())
    with store.unit_of_work() as uow:
        quiet = uow.contacts.resolve("demo", Person("u-quiet", "quiet@x.example"), clock.now())
        uow.commit()
        return [c.id for c in uow.contacts.list("demo")] + [quiet.id]


def test_facts_drafts_and_open_drafts_of_several_contacts_match_one_at_a_time(store, clock) -> None:  # noqa: ANN001
    ids = seeded(store, clock)
    with store.unit_of_work(read_only=True) as uow:
        assert uow.contacts.facts_of(ids) == {i: uow.contacts.facts(i) for i in ids}
        together = uow.drafts.for_contacts(ids)
        assert {i: [d.id for d in ds] for i, ds in together.items()} == {
            i: [d.id for d in uow.drafts.for_contact(i)] for i in ids}
        assert uow.drafts.open_among(ids) == {i for i in ids if uow.drafts.open_for_contact(i)}
        assert uow.contacts.get_many(ids) == {i: uow.contacts.get(i) for i in ids}
    assert any(together.values()) and not all(together.values())  # the test reads both kinds


def test_a_batch_claim_takes_only_the_messages_still_waiting(store, clock) -> None:  # noqa: ANN001
    platform = FakePlatform()
    platform.push(*[Interaction(f"n-{i}", InteractionKind.MENTION, clock.now(), Person(f"u-{i}", f"p{i}@x.example"),
                                Post(f"p-{i}", "¿Qué tal?", "es")) for i in range(3)])
    poll_account(store, platform, "demo", clock=clock, policy=POLICY, log=RecordingLog())
    with store.unit_of_work() as uow:
        assert uow.interactions.claim_for_drafting(2, clock.now())  # another drafter took message 2
        uow.commit()
    clock.advance(minutes=2)  # a claim is told from another by its minute
    with store.unit_of_work() as uow:
        claim, taken = uow.interactions.claim_many_for_drafting([1, 2, 3], clock.now())
        assert taken == {1, 3}
        assert uow.interactions.finish_many([1, 2, 3], claim, "drafted") == {1, 3}
        uow.commit()


def test_the_latest_interactions_of_several_contacts_tell_whether_a_thread_moved_on_as_the_store_does(
    store, clock,  # noqa: ANN001
) -> None:
    from datetime import timedelta

    from bot.services.drafter_calls import moved_on

    ana, bea = Person("u-ana", "ana@x.example"), Person("u-bea", "bea@x.example")
    at = clock.now()
    events = [  # two threads of Ana's, interleaved, one message at the same time as another; one of Bea's
        Interaction("a1", InteractionKind.MENTION, at, ana, Post("a1", "¿Qué tal?", "es")),
        Interaction("a2", InteractionKind.MENTION, at + timedelta(minutes=1), ana, Post("a2", "Otra cosa", "es")),
        Interaction("a3", InteractionKind.REPLY, at + timedelta(minutes=2), ana,
                    Post("a3", "Sigo", "es", in_reply_to="a1", thread="a1")),
        Interaction("a4", InteractionKind.REPLY, at + timedelta(minutes=2), ana,
                    Post("a4", "Y más", "es", in_reply_to="a2", thread="a2")),
        Interaction("a5", InteractionKind.FOLLOW, at + timedelta(minutes=3), ana),
        Interaction("b1", InteractionKind.MENTION, at, bea, Post("b1", "Hola", "es")),
    ]
    platform = FakePlatform()
    platform.push(*events)
    poll_account(store, platform, "demo", clock=clock, policy=POLICY, log=RecordingLog())
    with store.unit_of_work(read_only=True) as uow:
        ids = [c.id for c in uow.contacts.list("demo")]
        for limit in (50, 3, 1):
            latest = uow.interactions.for_contacts(ids, limit=limit)
            assert {i: [s.id for s in latest[i]] for i in ids} == {
                i: [s.id for s in uow.interactions.for_contact(i, limit=limit)] for i in ids}
            every = [s for i in ids for s in uow.interactions.for_contact(i, limit=50)]
            told = {s.interaction.id: moved_on(s, latest[s.contact_id]) for s in every}
            assert all(told[s.interaction.id] in (None, uow.interactions.newer_in_thread(s)) for s in every)
            assert limit < 5 or None not in told.values()
        assert {k for k, v in told.items() if v is not None} == {"a5", "b1"}  # limit 1: each newest only
    with store.unit_of_work(read_only=True) as uow:
        latest = uow.interactions.for_contacts(ids)
        assert {s.interaction.id: moved_on(s, latest[s.contact_id]) for i in ids for s in latest[i]} == {
            "a1": True, "a2": True, "a3": False, "a4": False, "a5": False, "b1": False}


def test_audit_entries_held_together_are_written_in_order_and_seen_by_every_read_of_the_log(
    store, clock,  # noqa: ANN001
) -> None:
    import pytest
    from sqlalchemy import event

    statements: list[str] = []
    event.listen(store.engine, "before_cursor_execute",
                 lambda conn, cursor, statement, *args: statements.append(statement))  # noqa: ARG005
    with store.unit_of_work() as uow:
        with uow.state.audits_together():
            uow.state.audit(clock.now(), "drafter:x", "drafted", account="demo", draft_id="d_1")
            uow.state.audit(clock.now(), "drafter:x", "drafted", account="demo", draft_id="d_2")
            assert uow.state.edited_drafts(["d_1"]) == set()
            assert not [s for s in statements if s.startswith("INSERT INTO audit_log")]  # nothing read needs them yet
            uow.state.audit(clock.now(), "person", "edited", account="demo", draft_id="d_1")
            assert uow.state.edited_drafts(["d_1", "d_2"]) == {"d_1"}
            uow.state.audit(clock.now(), "drafter:x", "folded", account="demo", draft_id="d_3")
            assert [e.draft_id for e in uow.state.audit_entries()] == ["d_1", "d_2", "d_1", "d_3"]
        with pytest.raises(RuntimeError), uow.state.audits_together():
            uow.state.audit(clock.now(), "drafter:x", "drafted", account="demo", draft_id="d_4")
            raise RuntimeError("the batch failed")
        uow.state.audit(clock.now(), "drafter:x", "drafted", account="demo", draft_id="d_5")  # at once again
        uow.commit()
    with store.unit_of_work() as uow:
        assert [e.draft_id for e in uow.state.audit_entries()] == ["d_1", "d_2", "d_1", "d_3", "d_5"]
