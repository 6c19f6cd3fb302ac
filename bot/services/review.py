"""What a person does with a draft: approve it (as is or edited), edit it, reject it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.domain.announcements import KIND as ANNOUNCEMENT, ends_with_opt_out
from bot.domain.decisions import Decision, Outcome
from bot.domain.drafts import EDITABLE, Draft, DraftStatus
from bot.errors import InvalidInputError, InvalidTransitionError, NotFoundError, PolicyRefusedError
from bot.ports import Clock
from bot.store.unit_of_work import SqlAlchemyStore, SqlUnitOfWork

if TYPE_CHECKING:  # `queue show` reads a draft here and needs no policy
    from bot.services.deciding import Policy

TextCheck = Callable[[str, str, str], None]  # (platform, text, handle to notify): raises InvalidInputError


def _no_check(platform: str, text: str, handle: str) -> None:
    return None


def get_draft(uow: SqlUnitOfWork, draft_id: str, *, for_update: bool = False) -> Draft:
    """The draft; `for_update` holds it until commit, so that no drafter folds it meanwhile."""
    draft = uow.drafts.get(draft_id.strip(), for_update=for_update)
    if draft is None:
        raise NotFoundError(f"no draft with id {draft_id!r} (see: rapport queue list --status all)")
    return draft


def approve(
    store: SqlAlchemyStore, draft_id: str, *, policy: Policy, clock: Clock, actor: str,
    text: str | None = None, check_text: TextCheck = _no_check,
) -> Draft:
    """Approve for sending. An edited text is decided again; a refusal changes nothing."""
    with store.unit_of_work() as uow:
        draft = get_draft(uow, draft_id, for_update=True)
        if draft.status is DraftStatus.APPROVED and text is None:
            raise InvalidTransitionError(f"draft {draft.id} is already approved")
        if draft.status not in EDITABLE:
            raise InvalidTransitionError(f"draft {draft.id} is {_status(draft)}; only pending, blocked,"
                                         " approved or failed drafts can be approved")
        new_text = _clean(text) if text is not None else draft.text
        check_text(draft.platform, new_text, draft.contact_handle)
        _keeps_opt_out(draft, new_text)
        now = clock.now()
        decision = policy.decide_draft(uow, draft, now, text=new_text)
        if not decision.approvable:
            uow.state.audit(now, actor, "approval_refused", account=draft.account, contact_id=draft.contact_id,
                            draft_id=draft.id, detail={"reasons": [r.code for r in decision.refusing]})
            uow.commit()
            raise PolicyRefusedError(_refusal(decision, draft.id), decision)
        approved = draft.moved_to(
            DraftStatus.APPROVED, now, text=new_text, decision=decision, pitch=decision.pitch,
            not_before=decision.not_before if decision.outcome is Outcome.DEFER else None,
            attempts=0, last_error=None, note=None,
        )
        uow.drafts.save(approved)
        for other in uow.drafts.alternatives(draft):  # a person picked this suggestion over these
            uow.drafts.save(other.moved_to(DraftStatus.REJECTED, now, note=f"{draft.id} was chosen instead"))
        uow.state.audit(now, actor, "approved", account=draft.account, contact_id=draft.contact_id,
                        draft_id=draft.id, detail={"edited": text is not None and new_text != draft.text})
        uow.commit()
        return approved


def _keeps_opt_out(draft: Draft, text: str) -> None:
    """An announcement always ends with a way to say stop; an edit may reword it, not drop it."""
    if draft.kind == ANNOUNCEMENT and not ends_with_opt_out(text):
        raise InvalidInputError('an announcement must end with its opt-out line (one that says "stop")')


def edit(
    store: SqlAlchemyStore, draft_id: str, text: str, *, policy: Policy, clock: Clock, actor: str,
    check_text: TextCheck = _no_check,
) -> Draft:
    """Replace the text and decide again; the draft becomes pending, or blocked with the reasons.

    An approved draft goes back to pending: what a person approved is not what it says now.
    """
    with store.unit_of_work() as uow:
        draft = get_draft(uow, draft_id, for_update=True)
        if draft.status not in EDITABLE:
            raise InvalidTransitionError(f"draft {draft.id} is {_status(draft)}; it can no longer be edited")
        new_text = _clean(text)
        check_text(draft.platform, new_text, draft.contact_handle)
        _keeps_opt_out(draft, new_text)
        now = clock.now()
        decision = policy.decide_draft(uow, draft, now, text=new_text)
        status = DraftStatus.PENDING if decision.allowed else DraftStatus.BLOCKED
        edited = draft.moved_to(status, now, text=new_text, decision=decision, pitch=decision.pitch, not_before=None)
        uow.drafts.save(edited)
        uow.state.audit(now, actor, "edited", account=draft.account, contact_id=draft.contact_id, draft_id=draft.id)
        uow.commit()
    if not decision.allowed:
        raise PolicyRefusedError(f"saved, but blocked: {decision.summary()}", decision)
    return edited


def reject(store: SqlAlchemyStore, draft_id: str, *, clock: Clock, actor: str, reason: str | None = None) -> Draft:
    with store.unit_of_work() as uow:
        draft = get_draft(uow, draft_id, for_update=True)
        if draft.status is DraftStatus.REJECTED:
            raise InvalidTransitionError(f"draft {draft.id} is already rejected")
        now = clock.now()
        rejected = draft.moved_to(DraftStatus.REJECTED, now, note=_clean(reason) if reason else None)
        uow.drafts.save(rejected)
        uow.state.audit(now, actor, "rejected", account=draft.account, contact_id=draft.contact_id,
                        draft_id=draft.id, detail={"reason": reason or ""})
        uow.commit()
        return rejected


def _refusal(decision: Decision, draft_id: str) -> str:
    """One line; for a slot, what to do about it: a person has to write that part."""
    if decision.allowed and decision.needs_input:
        hold = next(r for r in decision.refusing if r.code == "needs_input")
        return (f"refused: needs_input: {hold.message} (rapport queue edit {draft_id},"
                " or queue approve --text with it filled)")
    return f"refused: {decision.summary()}"


def _status(draft: Draft) -> str:
    """Its status, and why when it expired: "expired (folded into d_..., which answers ...)"."""
    if draft.status is DraftStatus.EXPIRED and draft.note:
        return f"{draft.status.value} ({draft.note})"
    return draft.status.value


def _clean(text: str) -> str:
    cleaned = text.replace("\r\n", "\n").strip()
    if not cleaned:
        raise InvalidInputError("the text is empty")
    return cleaned
