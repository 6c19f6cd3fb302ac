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
