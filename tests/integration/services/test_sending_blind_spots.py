"""When the platform cannot rule out that an earlier attempt went out (a followers-only or direct
post that answers nothing, on a server that hides such posts from our own statuses), the sender
posts again all the same, and says so: in the log and in the draft's note, which `queue show`
prints. On SQLite and on PostgreSQL."""

from __future__ import annotations

from typing import Any

from bot.bootstrap import policy_from_settings
from bot.cli.render import draft_json
from bot.config import Settings
from bot.domain.drafts import DraftStatus
from bot.domain.models import Interaction, InteractionKind, OutgoingReply, Person, Post, PostedReply
from bot.drafting.template import TemplateDrafter
from bot.errors import TransientError
from bot.services.drafting import draft_replies
from bot.services.ingest import poll_account
from bot.services.review import approve
from bot.services.sending import SendOptions, send_approved
from tests.fakes import FakePlatform, RecordingLog

POLICY = policy_from_settings(Settings(), semantic=False)
REASON = "an earlier attempt at this direct post cannot be ruled out: it answers no post whose replies could be read"


class BlindPlatform(FakePlatform):
    """Posts go out, the first answer is lost, and `find_posted` can see none of them."""

    def __init__(self, blind: bool) -> None:
        super().__init__(errors_after_posting=[TransientError("HTTP 502")])
        self.blind = blind

    def find_posted(self, reply: OutgoingReply) -> PostedReply | None:
        return None if self.blind else super().find_posted(reply)

    def earlier_attempt_blind_spot(self, reply: OutgoingReply) -> str | None:
        return REASON if self.blind else None


def approved_draft(store: Any, platform: FakePlatform, clock: Any) -> str:
    platform.push(Interaction("n-1", InteractionKind.MENTION, clock.now(), Person("u-1", "ana@x.example", "Ana"),
                              Post("p-1", "¡Qué bien va el huerto!", "es")))
    poll_account(store, platform, "demo", clock=clock, policy=POLICY, log=RecordingLog())
    draft_replies(store, TemplateDrafter(), "demo", "sandbox", clock=clock, policy=POLICY, log=RecordingLog())
    with store.unit_of_work() as uow:
        [draft] = uow.drafts.list(DraftStatus.PENDING)
    approve(store, draft.id, policy=POLICY, clock=clock, actor="test")
    return draft.id


def send_twice(store: Any, platform: FakePlatform, clock: Any, log: RecordingLog) -> Any:
    options = SendOptions(owner="test")
    send_approved(store, {"demo": platform}, policy=POLICY, clock=clock, options=options, log=log)
    clock.advance(hours=1)
    send_approved(store, {"demo": platform}, policy=POLICY, clock=clock, options=options, log=log)
    with store.unit_of_work() as uow:
        [draft] = uow.drafts.list(None)
    return draft


def test_a_retry_the_platform_cannot_confirm_is_posted_with_a_note_saying_so(store, clock) -> None:
    platform, log = BlindPlatform(blind=True), RecordingLog()
    draft_id = approved_draft(store, platform, clock)
    draft = send_twice(store, platform, clock, log)
    assert draft.status is DraftStatus.SENT and len(platform.posted) == 2
    assert draft_json(draft)["note"] == f"posted again unconfirmed: {REASON}"
    [logged] = log.named("send.earlier_attempt_unconfirmed")
    assert (logged["draft"], logged["reason"]) == (draft_id, REASON)


def test_a_retry_the_platform_can_confirm_finds_the_post_and_notes_nothing(store, clock) -> None:
    platform, log = BlindPlatform(blind=False), RecordingLog()
    approved_draft(store, platform, clock)
    draft = send_twice(store, platform, clock, log)
    assert draft.status is DraftStatus.SENT and len(platform.posted) == 1
    assert draft.note is None and log.named("send.earlier_attempt_unconfirmed") == []
