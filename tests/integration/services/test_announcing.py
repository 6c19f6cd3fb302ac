"""Announcing through the store, on SQLite and PostgreSQL: drafting, the sender's daily cap and
working hours under a fake clock, the cooldown that follows, cancelling and the results."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.bootstrap import policy_from_settings
from bot.config import Settings
from bot.domain.drafts import DraftStatus
from bot.domain.models import Interaction, InteractionKind, Person, Post, Visibility
from bot.errors import InvalidInputError
from bot.services import review
from bot.services.announcing import announcement_status, cancel_announcement, draft_announcement
from bot.services.ingest import record_interaction
from bot.services.sending import SendOptions, send_approved
from tests.fakes import FakePlatform, RecordingLog

SETTINGS = Settings.model_validate({
    "policy": {"pitch": {"min_stage": "acquaintance"}, "guardrails": {"timezone": "Europe/Madrid"}},
    "announce": {"max_per_day": 2, "working_hours": "09:00-18:00"},
})
POLICY = policy_from_settings(SETTINGS, semantic=False)
MORNING = datetime(2026, 12, 1, 9, 30, tzinfo=timezone.utc)  # 10:30 in Madrid
TEXT = "Empiezo un trabajo nuevo en enero en Lisboa."


def _person(store, clock, handle: str, conversations: int, *, visibility: Visibility = Visibility.PUBLIC):  # noqa: ANN001, ANN202
    person = Person(f"id-{handle}", handle, handle.split("@")[0].title())
    start = clock.now() - timedelta(days=20)
    with store.unit_of_work() as uow:
        for i in range(conversations):
            post = Post(f"{handle}-p{i}", "Hoy he ido al huerto con mi hija", "es", visibility=visibility,
                        thread=f"{handle}-t{i}")
            record_interaction(uow, "demo", Interaction(f"{handle}-n{i}", InteractionKind.MENTION,
                               start + timedelta(days=3 * i), person, post), now=clock.now(), policy=POLICY)
        uow.commit()
        return uow.contacts.find(handle)[0]


def _announce(store, clock, text: str = TEXT):  # noqa: ANN001, ANN202
    return draft_announcement(store, "demo", "sandbox", text, (), clock=clock, policy=POLICY, actor="test",
                              log=RecordingLog())


def _send(store, clock, platform: FakePlatform):  # noqa: ANN001, ANN202
    return send_approved(store, {"demo": platform}, policy=POLICY, clock=clock, options=SendOptions(owner="test"),
                         log=RecordingLog())


@pytest.fixture
def people(store, clock):  # noqa: ANN001, ANN201
    clock.set(MORNING)
    for name in ("ana", "bea", "carla", "dora"):
        _person(store, clock, f"{name}@es.example", 2)
    _person(store, clock, "eva@es.example", 1)  # a first contact
    return store


def test_drafts_go_to_the_queue_tagged_with_the_announcement_and_the_rest_are_counted(people, clock) -> None:  # noqa: ANN001
    report = _announce(people, clock)
    assert sorted(d.contact_handle for d in report.drafts) == [f"{n}@es.example" for n in ("ana", "bea", "carla", "dora")]
    assert dict(report.excluded) == {"pitch_stage": ["eva@es.example"]}
    with people.unit_of_work() as uow:
        stored = [d for d in uow.drafts.list() if d.kind == "announcement"]
        assert {d.announcement for d in stored} == {report.announcement.id}
        assert all(d.status is DraftStatus.PENDING and d.pitch and d.target is None for d in stored)
        assert uow.announcements.get(report.announcement.id).excluded == {"pitch_stage": 1}
        assert uow.announcements.waiting_for(stored[0].contact_id)


def test_a_direct_message_to_someone_who_writes_direct_stays_direct(store, clock) -> None:  # noqa: ANN001
    clock.set(MORNING)
    _person(store, clock, "ana@es.example", 2, visibility=Visibility.DIRECT)
    [draft] = _announce(store, clock).drafts
    assert draft.visibility == "direct"


def test_sending_keeps_to_the_daily_cap_inside_working_hours_then_the_cooldown_applies(people, clock) -> None:  # noqa: ANN001
    report = _announce(people, clock)
    for draft in report.drafts:
        review.approve(people, draft.id, policy=POLICY, clock=clock, actor="test")
    platform = FakePlatform()

    assert _send(people, clock, platform).sent == 2
    clock.advance(hours=3)
    assert _send(people, clock, platform).sent == 0  # the day's two are spent
    clock.set(datetime(2026, 12, 2, 6, 30, tzinfo=timezone.utc))  # 07:30 in Madrid
    assert _send(people, clock, platform).sent == 0
    clock.set(datetime(2026, 12, 2, 8, 0, tzinfo=timezone.utc))  # 09:00 in Madrid
    assert _send(people, clock, platform).sent == 2
    assert all(p.visibility is Visibility.DIRECT and p.in_reply_to == "" for p in platform.posted)
    assert len({p.to for p in platform.posted}) == 4

    _, results = announcement_status(people, report.announcement.id)
    assert (results.sent, results.approved, results.pending, results.replies, results.opt_outs) == (4, 0, 0, 0, 0)
    with people.unit_of_work() as uow:
        assert uow.announcements.sent_since("demo", MORNING) == 4
        contact = uow.contacts.find("ana@es.example")[0]
        assert contact.last_pitch_at is not None and contact.exchanges_since_pitch == 0
    again = _announce(people, clock, "Y otra cosa más que contaros.")
    assert again.drafts == [] and len(again.excluded["pitch_cooldown"]) == 4


def test_cancel_retires_only_what_was_not_sent(people, clock) -> None:  # noqa: ANN001
    report = _announce(people, clock)
    review.approve(people, report.drafts[0].id, policy=POLICY, clock=clock, actor="test")
    assert _send(people, clock, FakePlatform()).sent == 1
    _, retired = cancel_announcement(people, report.announcement.id, clock=clock, actor="test")
    assert retired == 3
    announcement, results = announcement_status(people, report.announcement.id)
    assert announcement.status == "cancelled" and (results.sent, results.cancelled) == (1, 3)
    with people.unit_of_work() as uow:
        assert uow.announcements.unsent_draft_ids(report.announcement.id) == []


def test_an_edit_may_reword_the_opt_out_line_but_not_drop_it(people, clock) -> None:  # noqa: ANN001
    draft = _announce(people, clock).drafts[0]
    with pytest.raises(InvalidInputError, match="opt-out"):
        review.approve(people, draft.id, policy=POLICY, clock=clock, actor="test", text="Hola Ana.\n\n" + TEXT)
    edited = "Hola Ana.\n\n" + TEXT + "\n\nSi no quieres estos avisos, dime «stop»."
    assert review.approve(people, draft.id, policy=POLICY, clock=clock, actor="test", text=edited).pitch


def test_on_a_platform_without_private_messages_nobody_gets_one(people, clock) -> None:  # noqa: ANN001
    report = draft_announcement(people, "demo", "bluesky", TEXT, (), clock=clock, policy=POLICY, actor="test",
                                log=RecordingLog())
    assert report.drafts == [] and len(report.excluded["no_private_channel"]) == 4
