"""One person, one reply waiting for a person: a new message from them folds into it.

Forty-five mentions from one person within minutes used to make forty-five drafts to review.
Now, when their author already has a reply waiting for a person (pending or blocked), a new
message replaces that reply with one that answers the newest message and lists the earlier
ones, which get no reply of their own. The replaced drafts expire, their note naming the draft
that replaced them: an approval given to a version that is no longer what would be posted fails
loudly, instead of posting a text nobody saw.

Never folded into: a reply a person wrote (edited, or approved with their own text), so that a
drafter never overwrites their words; an approved reply, which no longer waits for a person (a
message after an approval gets its own draft); a check-in, which answers nothing new.
"""

from __future__ import annotations

from datetime import datetime

from bot.domain.drafts import Draft, DraftStatus
from bot.store.unit_of_work import SqlUnitOfWork


def waiting_group(uow: SqlUnitOfWork, contact_id: int) -> list[Draft]:
    """The replies to this person a new message of theirs folds into: the suggestions answering
    their latest message that still waits for a person, unless a person wrote one of them.
    Call it with the contact row held (`contacts.get(for_update=True)`): one writer at a time."""
    candidates = uow.drafts.waiting_replies(contact_id)
    written = uow.state.edited_drafts([d.id for d in candidates])
    groups: dict[int, list[Draft]] = {}
    for draft in candidates:
        assert draft.target is not None, "waiting_replies returns replies to a message only"
        groups.setdefault(draft.target.interaction_id, []).append(draft)
    return next((group for group in groups.values() if not any(d.id in written for d in group)), [])


def folded_with(group: list[Draft]) -> tuple[int, ...]:
    """The earlier messages a draft replacing `group` stands for: the ones `group` stood for,
    and the message it answered."""
    if not group:
        return ()
    first = group[0]
    assert first.target is not None
    return (*first.folded, first.target.interaction_id)


def fold_older(uow: SqlUnitOfWork, group: list[Draft], interaction_id: int, now: datetime) -> None:
    """Show a message in `group` without answering it: it is older than the one `group`
    answers (two drafters took a person's messages out of order), or it got no suggestion."""
    folded = group[0].folded
    if interaction_id not in folded:
        uow.drafts.set_folded([d.id for d in group], (*folded, interaction_id), now)


def retire(uow: SqlUnitOfWork, group: list[Draft], successor: Draft, now: datetime, actor: str) -> None:
    """Expire the drafts `successor` replaces, saying so where a person will look."""
    note = f"folded into {successor.id}, which answers a newer message from them"
    for draft in group:
        uow.drafts.save(draft.moved_to(DraftStatus.EXPIRED, now, note=note))
        uow.state.audit(now, actor, "folded", account=draft.account, contact_id=draft.contact_id,
                        draft_id=draft.id, detail={"into": successor.id})
