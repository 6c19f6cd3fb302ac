"""Poll → store → contact → draft → approve → send, through the use cases with a fake platform."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.bootstrap import policy_from_settings
from bot.config import Settings
from bot.domain.drafts import DraftStatus
from bot.domain.models import Interaction, InteractionKind, Person, Post, Visibility
from bot.drafting.template import TemplateDrafter
from bot.errors import PolicyRefusedError, RateLimitedError, RemoteNotFoundError, TransientError
from bot.services.review import approve
from bot.services.refresh import refresh_account
from bot.services.sending import SendOptions, outgoing, send_approved
from bot.store.unit_of_work import SqlAlchemyStore
from tests.fakes import FakeClock, FakePlatform, RecordingLog

ANA = Person("u-ana", "ana@social.example", "Ana", "Huerto urbano. RRHH en un hospital.")
TOM = Person("u-tom", "tom@fedi.example", "Tom")
POLICY = policy_from_settings(Settings())


def message(event_id: str, at: datetime, text: str = "¡Qué bien va el huerto!", *, person: Person = ANA,
            thread: str | None = None, visibility: Visibility = Visibility.PUBLIC) -> Interaction:
    post = Post(f"p-{event_id}", text, "es", visibility, thread=thread)
    return Interaction(event_id, InteractionKind.MENTION, at, person, post)


def refresh(store: SqlAlchemyStore, platform: FakePlatform, clock: FakeClock, log: RecordingLog | None = None):  # noqa: ANN201
    return refresh_account(store, platform, TemplateDrafter(), "demo", clock=clock, policy=POLICY,
                           log=log or RecordingLog(), backfill_days=0, max_age=None, suggestions=1)


def send(store: SqlAlchemyStore, platform: FakePlatform, clock: FakeClock, owner: str = "test"):  # noqa: ANN201
    return send_approved(store, {"demo": platform}, policy=POLICY, clock=clock,
                         options=SendOptions(owner=owner, lease=timedelta(minutes=5), max_attempts=3),
                         log=RecordingLog())


def drafts(store: SqlAlchemyStore, status: DraftStatus | None = None):  # noqa: ANN201
    with store.unit_of_work() as uow:
        return uow.drafts.list(status)


def test_a_mention_becomes_one_pending_draft_and_signals_none(store, clock) -> None:  # noqa: ANN001
    platform = FakePlatform()
    platform.push(message("n-1", clock.now()),
                  Interaction("n-2", InteractionKind.LIKE, clock.now(), TOM),
                  Interaction("n-3", InteractionKind.FOLLOW, clock.now(), TOM))
    report = refresh(store, platform, clock)
    assert (report.poll.stored, report.drafts.drafted) == (3, 1)
    [draft] = drafts(store)
    assert draft.status is DraftStatus.PENDING and draft.contact_handle == ANA.handle
    assert draft.language == "es" and draft.target.text == "¡Qué bien va el huerto!"
    with store.unit_of_work() as uow:
        tom = uow.contacts.find("tom@fedi.example")[0]
    assert tom.stage.value == "audience" and tom.signals == 2


def test_polling_again_stores_and_drafts_nothing_new(store, clock) -> None:  # noqa: ANN001
    platform = FakePlatform()
    platform.push(message("n-1", clock.now()))
    refresh(store, platform, clock)
    platform.pages.append([message("n-1", clock.now())])  # the platform repeats itself
    report = refresh(store, platform, clock)
    assert (report.poll.stored, report.poll.duplicates, report.drafts.drafted) == (0, 1, 0)
    assert len(drafts(store)) == 1


def test_only_the_latest_unanswered_message_of_a_thread_is_drafted(store, clock) -> None:  # noqa: ANN001
    platform = FakePlatform()
    t0 = clock.now()
    platform.push(message("n-1", t0, thread="t"), message("n-2", t0 + timedelta(minutes=3), "¿Sigues ahí?", thread="t"))
    refresh(store, platform, clock)
    assert [d.target.text for d in drafts(store)] == ["¿Sigues ahí?"]


def test_stages_climb_with_conversations_on_different_days(store, clock) -> None:  # noqa: ANN001
    platform = FakePlatform()
    start = clock.now() - timedelta(days=60)
    stages = []
    for item in (message("n-1", start, thread="a"), message("n-2", start + timedelta(hours=2), thread="b"),
                 message("n-3", start + timedelta(days=3), thread="c")):
        platform.push(item)
        refresh(store, platform, clock)
        with store.unit_of_work() as uow:
            stages.append(uow.contacts.find(ANA.handle)[0].stage.value)
    assert stages == ["first_contact", "first_contact", "acquaintance"]


def test_approved_draft_is_posted_exactly_once(store, clock) -> None:  # noqa: ANN001
    platform = FakePlatform()
    platform.push(message("n-1", clock.now(), visibility=Visibility.DIRECT))
    refresh(store, platform, clock)
    [draft] = drafts(store)
    approve(store, draft.id, policy=POLICY, clock=clock, actor="test")
    assert send(store, platform, clock).sent == 1
    assert send(store, platform, clock).sent == 0
    [posted] = platform.posted
    assert posted.visibility is Visibility.DIRECT and posted.to == (ANA.handle,)
    assert posted.in_reply_to == "p-n-1" and posted.idempotency_key == f"rapport-{draft.id}"
    [sent] = drafts(store)
    assert sent.status is DraftStatus.SENT and sent.sent_post_id == f"posted-{draft.id}"
    with store.unit_of_work() as uow:
        contact = uow.contacts.find(ANA.handle)[0]
    assert contact.counters.reciprocal_conversations == 1


def test_a_crash_between_posting_and_recording_does_not_post_twice(store, clock) -> None:  # noqa: ANN001
    platform = FakePlatform()
    platform.push(message("n-1", clock.now()))
    refresh(store, platform, clock)
    [draft] = drafts(store)
    approve(store, draft.id, policy=POLICY, clock=clock, actor="test")
    with store.unit_of_work() as uow:  # a replica claims it, posts, and dies before recording
        [claimed] = uow.drafts.claim_sendable("dead", clock.now(), timedelta(minutes=5))
        uow.commit()
    platform.post_reply(outgoing(claimed))
    assert send(store, platform, clock).sent == 0  # the claim has not lapsed yet
    clock.advance(minutes=6)
    assert send(store, platform, clock).sent == 1
    assert len(platform.posted) == 1
    assert drafts(store)[0].status is DraftStatus.SENT


def _opt_out(store: SqlAlchemyStore, platform: FakePlatform, clock: FakeClock) -> None:
    platform.push(message("n-stop", clock.now(), "Por favor, no me escribas más."))
    refresh(store, platform, clock)


def test_a_reply_that_went_out_before_a_crash_is_recorded_whatever_the_policy_says_now(store, clock) -> None:  # noqa: ANN001
    platform = FakePlatform()
    platform.push(message("n-1", clock.now()))
    refresh(store, platform, clock)
    approve(store, drafts(store)[0].id, policy=POLICY, clock=clock, actor="test")
    with store.unit_of_work() as uow:  # a replica claims it, posts, and dies before recording
        [claimed] = uow.drafts.claim_sendable("dead", clock.now(), timedelta(minutes=5))
        uow.commit()
    platform.post_reply(outgoing(claimed))
    _opt_out(store, platform, clock)  # now the policy would block it: too late, it is out
    clock.advance(minutes=6)
    report = send(store, platform, clock)
    assert (report.sent, report.blocked, len(platform.posted)) == (1, 0, 1)
    [sent] = drafts(store, DraftStatus.SENT)
    assert sent.id == claimed.id and sent.sent_post_id == f"posted-{claimed.id}"
    with store.unit_of_work() as uow:
        contact = uow.contacts.find(ANA.handle)[0]
    assert contact.counters.reciprocal_conversations == 1  # the reply counts for the contact


def test_a_timeout_that_hid_a_success_is_recorded_on_the_retry_without_posting_again(store, clock) -> None:  # noqa: ANN001
    platform = FakePlatform(errors_after_posting=[TransientError("read timed out")])
    platform.push(message("n-1", clock.now()))
    refresh(store, platform, clock)
    approve(store, drafts(store)[0].id, policy=POLICY, clock=clock, actor="test")
    assert send(store, platform, clock).deferred == 1
    [draft] = drafts(store)
    assert draft.status is DraftStatus.APPROVED and len(platform.posted) == 1
    _opt_out(store, platform, clock)
    clock.advance(hours=2)
    report = send(store, platform, clock)
    assert (report.sent, report.blocked, len(platform.posted)) == (1, 0, 1)
    assert drafts(store, DraftStatus.SENT)[0].id == draft.id


def test_a_retry_that_finds_nothing_posted_is_decided_again(store, clock) -> None:  # noqa: ANN001
    platform = FakePlatform(post_errors=[TransientError("connection reset")])
    platform.push(message("n-1", clock.now()))
    refresh(store, platform, clock)
    approve(store, drafts(store)[0].id, policy=POLICY, clock=clock, actor="test")
    send(store, platform, clock)
    _opt_out(store, platform, clock)
    clock.advance(hours=2)
    report = send(store, platform, clock)
    assert (report.sent, report.blocked, platform.posted) == (0, 1, [])


def test_a_failed_check_for_an_earlier_post_is_retried_later(store, clock) -> None:  # noqa: ANN001
    platform = FakePlatform(post_errors=[TransientError("connection reset")],
                            find_errors=[TransientError("still down")])
    platform.push(message("n-1", clock.now()))
    refresh(store, platform, clock)
    approve(store, drafts(store)[0].id, policy=POLICY, clock=clock, actor="test")
    send(store, platform, clock)
    clock.advance(hours=2)
    report = send(store, platform, clock)
    [draft] = drafts(store)
    assert (report.sent, report.deferred, platform.posted) == (0, 1, [])
    assert draft.status is DraftStatus.APPROVED and draft.last_error == "still down"
    clock.advance(hours=2)
    assert send(store, platform, clock).sent == 1 and len(platform.posted) == 1


@pytest.mark.parametrize("error, status", [
    (TransientError("connection reset"), DraftStatus.APPROVED),
    (RateLimitedError("slow down", reset_at=datetime(2026, 11, 26, 13, tzinfo=timezone.utc)), DraftStatus.APPROVED),
    (RemoteNotFoundError("status deleted"), DraftStatus.EXPIRED),
])
def test_send_failures_are_retried_later_or_expire(store, clock, error, status) -> None:  # noqa: ANN001
    platform = FakePlatform(post_errors=[error])
    platform.push(message("n-1", clock.now()))
    refresh(store, platform, clock)
    approve(store, drafts(store)[0].id, policy=POLICY, clock=clock, actor="test")
    send(store, platform, clock)
    [draft] = drafts(store)
    assert draft.status is status and draft.last_error == str(error)
    if status is DraftStatus.APPROVED:
        assert draft.not_before is not None and draft.not_before > clock.now()
        assert send(store, platform, clock).sent == 0  # not before it is due


def test_a_draft_that_keeps_failing_ends_failed(store, clock) -> None:  # noqa: ANN001
    platform = FakePlatform(post_errors=[TransientError("down")] * 3)
    platform.push(message("n-1", clock.now()))
    refresh(store, platform, clock)
    approve(store, drafts(store)[0].id, policy=POLICY, clock=clock, actor="test")
    for _ in range(3):
        send(store, platform, clock)
        clock.advance(hours=2)
    [draft] = drafts(store)
    assert draft.status is DraftStatus.FAILED and platform.posted == []


def test_an_opt_out_after_approval_blocks_the_send(store, clock) -> None:  # noqa: ANN001
    platform = FakePlatform()
    platform.push(message("n-1", clock.now()))
    refresh(store, platform, clock)
    approve(store, drafts(store)[0].id, policy=POLICY, clock=clock, actor="test")
    platform.push(message("n-2", clock.now() + timedelta(minutes=1), "Por favor, no me escribas más."))
    refresh(store, platform, clock)
    report = send(store, platform, clock)
    assert (report.sent, report.blocked, platform.posted) == (0, 1, [])
    statuses = sorted(d.status.value for d in drafts(store))
    assert statuses == ["blocked"]  # and the opt-out message itself got no draft


def test_approving_a_pitch_to_a_first_contact_is_refused_and_changes_nothing(store, clock) -> None:  # noqa: ANN001
    platform = FakePlatform()
    platform.push(message("n-1", clock.now()))
    refresh(store, platform, clock)
    [draft] = drafts(store)
    with pytest.raises(PolicyRefusedError) as refused:
        approve(store, draft.id, policy=POLICY, clock=clock, actor="test",
                text="Te hago un 30% de descuento si reservas una llamada esta semana.")
    assert [r.code for r in refused.value.decision.blocking] == ["pitch_stage"]
    [after] = drafts(store)
    assert (after.status, after.text) == (DraftStatus.PENDING, draft.text)


def test_a_long_thread_named_only_by_parents_is_one_conversation(store, clock) -> None:  # noqa: ANN001
    """Mastodon names a reply's parent, not its root: replies must join the stored thread."""
    platform = FakePlatform()
    t0 = clock.now() - timedelta(days=40)
    chain = [message("n-0", t0)]
    for i in range(1, 6):
        parent = chain[-1].post.id
        post = Post(f"p-n-{i}", "y además…", "es", in_reply_to=parent, thread=parent)
        chain.append(Interaction(f"n-{i}", InteractionKind.REPLY, t0 + timedelta(days=i * 7), ANA, post))
    platform.push(*chain)
    refresh(store, platform, clock)
    with store.unit_of_work() as uow:
        contact = uow.contacts.find(ANA.handle)[0]
    assert contact.counters.conversations == 1
    assert contact.stage.value == "first_contact"


def test_profiles_are_looked_up_once_a_day_and_their_private_note_kept(store, clock) -> None:  # noqa: ANN001
    platform = FakePlatform(needs_profile_lookups=True)
    platform.profiles["u-ana"] = Person("u-ana", ANA.handle, "Ana", "Huerto urbano.", note="Met at the Valencia meetup")
    platform.push(message("n-1", clock.now()))
    refresh(store, platform, clock)
    platform.push(message("n-2", clock.now() + timedelta(hours=1)))
    clock.advance(hours=2)
    refresh(store, platform, clock)
    assert platform.lookups == 1
    with store.unit_of_work() as uow:
        contact = uow.contacts.find(ANA.handle)[0]
        facts = uow.contacts.facts(contact.id)
    assert [(f.kind.value, f.text) for f in facts if f.source == "platform_note"] == [
        ("note", "Met at the Valencia meetup")]
    clock.advance(days=1)
    platform.push(message("n-3", clock.now()))
    refresh(store, platform, clock)
    assert platform.lookups == 2
    with store.unit_of_work() as uow:
        notes = [f for f in uow.contacts.facts(contact.id) if f.source == "platform_note"]
        assert len(notes) == 1  # the same note is not imported twice


def test_a_profile_that_turns_out_to_say_nobot_gets_no_draft(store, clock) -> None:  # noqa: ANN001
    platform = FakePlatform(needs_profile_lookups=True)
    platform.profiles["u-ana"] = Person("u-ana", ANA.handle, "Ana", "Humans only #nobot")
    platform.push(message("n-1", clock.now()))
    report = refresh(store, platform, clock)
    assert (report.drafts.drafted, report.drafts.skipped) == (0, 1)


def test_what_people_share_becomes_memory_with_its_source(store, clock) -> None:  # noqa: ANN001
    platform = FakePlatform()
    runner = Person("u-eva", "eva@run.example", "Eva", "Corredora de maratones. Profe de física.")
    post = Post("p-eva", "¡La semana que viene corro mi primera maratón en Valencia! #running", "es")
    platform.push(Interaction("n-eva", InteractionKind.MENTION, clock.now(), runner, post))
    refresh(store, platform, clock)
    with store.unit_of_work() as uow:
        contact = uow.contacts.find("eva@run.example")[0]
        facts = uow.contacts.facts(contact.id)
    sources = {f.source.split(":")[0] for f in facts}
    assert {"bio", "message", "hashtag"} <= sources
    [thread] = [f for f in facts if f.kind.value == "open_thread"]
    assert "maratón" in thread.text and thread.due is not None and thread.due > clock.now()
    assert contact.counters.known_facts == len([f for f in facts if f.source != "topic"])


def test_a_new_bio_replaces_what_the_old_one_said(store, clock) -> None:  # noqa: ANN001
    platform = FakePlatform()
    platform.push(message("n-1", clock.now()))
    refresh(store, platform, clock)
    changed = Person("u-ana", ANA.handle, "Ana", "Ceramista. Vivo en Lisboa.")
    platform.push(message("n-2", clock.now() + timedelta(minutes=5), person=changed))
    refresh(store, platform, clock)
    with store.unit_of_work() as uow:
        contact = uow.contacts.find(ANA.handle)[0]
        bio_facts = [f.text for f in uow.contacts.facts(contact.id) if f.source == "bio"]
    assert any("Ceramista" in text for text in bio_facts)
    assert not any("Huerto" in text for text in bio_facts)


def test_approving_one_of_several_suggestions_retires_the_others(store, clock) -> None:  # noqa: ANN001
    platform = FakePlatform()
    platform.push(message("n-1", clock.now()))
    refresh_account(store, platform, TemplateDrafter(), "demo", clock=clock, policy=POLICY, log=RecordingLog(),
                    backfill_days=0, max_age=None, suggestions=3)
    suggestions = drafts(store)
    assert len(suggestions) == 3 and len({d.text for d in suggestions}) == 3
    approve(store, suggestions[1].id, policy=POLICY, clock=clock, actor="test")
    statuses = {d.id: d.status for d in drafts(store)}
    assert statuses[suggestions[1].id] is DraftStatus.APPROVED
    assert [statuses[d.id] for d in (suggestions[0], suggestions[2])] == [DraftStatus.REJECTED] * 2
    assert send(store, platform, clock).sent == 1


def test_refused_credentials_stop_polling_that_account(store, clock) -> None:  # noqa: ANN001
    from bot.bootstrap import App
    from bot.errors import AuthFailedError
    from bot.scheduler import Jobs

    class Refusing(FakePlatform):
        def fetch_new(self, cursor):  # noqa: ANN001, ANN201
            raise AuthFailedError("account 'demo': the token was refused (HTTP 401)")

    settings = Settings(accounts=[{"name": "demo", "platform": "sandbox", "handle": "me", "events": "x.jsonl"}])
    app = App(settings, clock=clock, log=RecordingLog(), clients={"demo": Refusing()}, store_override=store)
    paused: list[str] = []
    jobs = Jobs(app, on_auth_failure=paused.append)
    assert jobs.refresh("demo") is None
    assert paused == ["demo"]
    with store.unit_of_work() as uow:
        assert "refused" in uow.state.poll_state("demo").last_error


def test_a_question_drafts_a_slot_that_is_never_approved_or_sent(store, clock) -> None:  # noqa: ANN001
    platform = FakePlatform()
    platform.push(message("n-1", clock.now(), "¿Qué tal el huerto?"))
    refresh(store, platform, clock)
    [draft] = drafts(store)
    assert draft.status is DraftStatus.PENDING and "[tu respuesta: huerto]" in draft.text
    assert draft.decision.needs_input
    with pytest.raises(PolicyRefusedError) as refused:
        approve(store, draft.id, policy=POLICY, clock=clock, actor="test")
    assert [r.code for r in refused.value.decision.refusing] == ["needs_input"]
    # Even a draft that reached `approved` with a slot (written to the store by other means) is
    # held back by the check right before posting.
    with store.unit_of_work() as uow:
        uow.drafts.save(draft.moved_to(DraftStatus.APPROVED, clock.now()))
        uow.commit()
    report = send(store, platform, clock)
    assert (report.sent, report.blocked, platform.posted) == (0, 1, [])
    assert [d.status for d in drafts(store)] == [DraftStatus.BLOCKED]
