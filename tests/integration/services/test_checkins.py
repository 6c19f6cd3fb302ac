"""Check-ins: asking after people who went quiet, through the same queue and policy."""

from __future__ import annotations

from datetime import timedelta

from bot.bootstrap import policy_from_settings
from bot.config import Settings
from bot.domain.drafts import DraftStatus
from bot.domain.memory import Fact, FactKind
from bot.domain.models import Interaction, InteractionKind, Person, Post
from bot.services.checkins import CheckinOptions, suggest_checkins
from bot.services.ingest import record_interaction
from bot.services.retention import apply_retention
from tests.fakes import EchoDrafter, RecordingLog

POLICY = policy_from_settings(Settings())


def _acquaintance(store, clock, handle: str, *, thread_fact: str | None = "la carrera del domingo"):  # noqa: ANN001, ANN202
    """Two conversations on different days, five weeks ago, and maybe something to ask about."""
    person = Person(f"id-{handle}", handle, handle.split("@")[0].title())
    start = clock.now() - timedelta(days=35)
    with store.unit_of_work() as uow:
        for i, day in enumerate((0, 3)):
            post = Post(f"{handle}-p{i}", "Entrenando para la carrera", "es", thread=f"{handle}-t{i}")
            record_interaction(uow, "demo", Interaction(f"{handle}-n{i}", InteractionKind.MENTION,
                               start + timedelta(days=day), person, post), now=clock.now(), policy=POLICY)
        contact = uow.contacts.find(handle)[0]
        for fact in uow.contacts.facts(contact.id):  # what the messages taught: start from a clean slate
            uow.contacts.delete_fact(fact.id)
        if thread_fact:
            uow.contacts.add_fact(contact.id, Fact(FactKind.OPEN_THREAD, thread_fact, "message", start))
        uow.commit()
    return contact


def _checkins(store, clock, **options):  # noqa: ANN001, ANN003, ANN202
    return suggest_checkins(store, EchoDrafter(), "demo", "sandbox", clock=clock, policy=POLICY,
                            options=CheckinOptions(**options), log=RecordingLog())


def _drafts(store):  # noqa: ANN001, ANN202
    with store.unit_of_work() as uow:
        return uow.drafts.list()


def test_a_quiet_acquaintance_gets_a_checkin_about_what_they_shared(store, clock) -> None:  # noqa: ANN001
    contact = _acquaintance(store, clock, "marta@red.example")
    assert contact.stage.value == "acquaintance"
    assert _checkins(store, clock) == 1
    [draft] = _drafts(store)
    assert draft.kind == "checkin" and draft.status is DraftStatus.PENDING
    assert "la carrera del domingo" in draft.text and draft.target.post_id == "marta@red.example-p1"
    assert _checkins(store, clock) == 0  # one is waiting already, and it was just checked in


def test_no_checkin_without_anything_to_ask_about(store, clock) -> None:  # noqa: ANN001
    _acquaintance(store, clock, "ana@social.example", thread_fact=None)
    assert _checkins(store, clock) == 0


def test_opted_out_and_nobot_contacts_get_no_checkin(store, clock) -> None:  # noqa: ANN001
    opted = _acquaintance(store, clock, "pablo@social.example")
    nobot = _acquaintance(store, clock, "sam@toot.example")
    with store.unit_of_work() as uow:
        uow.contacts.update_flags(opted.id, opted_out=True)
        uow.contacts.update_flags(nobot.id, bio="humans only #nobot")
        uow.commit()
    assert _checkins(store, clock) == 0


def test_checkins_stop_at_the_daily_allowance(store, clock) -> None:  # noqa: ANN001
    for name in ("a", "b", "c", "d"):
        _acquaintance(store, clock, f"{name}@x.example")
    assert _checkins(store, clock, max_per_day=2) == 2
    assert _checkins(store, clock, max_per_day=2) == 0
    clock.advance(days=1)
    assert _checkins(store, clock, max_per_day=2) == 2


def test_a_recent_conversation_means_no_checkin(store, clock) -> None:  # noqa: ANN001
    _acquaintance(store, clock, "lucia@x.example")
    assert _checkins(store, clock, quiet_days=60) == 0


def test_retention_erases_old_text_but_keeps_the_counts(store, clock) -> None:  # noqa: ANN001
    contact = _acquaintance(store, clock, "old@x.example")
    assert apply_retention(store, days=30, clock=clock, log=RecordingLog()) == 2
    with store.unit_of_work() as uow:
        history = uow.interactions.for_contact(contact.id)
        again = uow.contacts.get(contact.id)
    assert [h.interaction.post.text for h in history] == ["", ""]
    assert again.counters.conversations == 2 and again.stage.value == "acquaintance"
    assert apply_retention(store, days=0, clock=clock, log=RecordingLog()) == 0
