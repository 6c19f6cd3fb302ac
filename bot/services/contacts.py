"""A person's judgement about a contact: trust, notes, lifting an opt-out, forgetting them."""

from __future__ import annotations

import hashlib
from dataclasses import replace

from bot.domain.contacts import Contact
from bot.domain.memory import Fact, FactKind
from bot.domain.stage_history import Cause
from bot.errors import InvalidInputError, NotFoundError
from bot.ports import Clock
from bot.services.deciding import Policy
from bot.services.recording import recompute_stage
from bot.store.unit_of_work import SqlAlchemyStore, SqlUnitOfWork


def find_contact(uow: SqlUnitOfWork, handle: str, account: str | None = None) -> Contact:
    found = uow.contacts.find(handle, account)
    if not found:
        where = f" in account {account!r}" if account else ""
        raise NotFoundError(f"no contact {handle!r}{where} (see: rapport contacts list)")
    if len(found) > 1:
        accounts = ", ".join(sorted({c.account for c in found}))
        raise InvalidInputError(f"{handle!r} is a contact of several accounts ({accounts}): pass --account")
    return found[0]


def set_trust(
    store: SqlAlchemyStore, handle: str, trusted: bool, *, account: str | None, policy: Policy,
    clock: Clock, actor: str,
) -> Contact:
    """Only a person makes a contact `trusted`; the change is in the audit log with who and when."""
    with store.unit_of_work() as uow:
        contact = find_contact(uow, handle, account)
        counters = replace(contact.counters, trusted=trusted)
        contact = replace(contact, counters=counters)
        uow.contacts.update_flags(contact.id, trusted=trusted)
        updated = recompute_stage(uow, contact, policy.thresholds, at=clock.now(),
                                  cause=Cause.TRUSTED if trusted else Cause.UNTRUSTED)
        uow.state.audit(clock.now(), actor, "trusted" if trusted else "untrusted", account=contact.account,
                        contact_id=contact.id, detail={"stage": updated.stage.value})
        uow.commit()
        return updated


def add_note(
    store: SqlAlchemyStore, handle: str, text: str, *, account: str | None, policy: Policy, clock: Clock,
    actor: str,
) -> Contact:
    text = text.strip()
    if not text:
        raise InvalidInputError("the note is empty")
    with store.unit_of_work() as uow:
        contact = find_contact(uow, handle, account)
        uow.contacts.add_fact(contact.id, Fact(FactKind.NOTE, text, "user", clock.now()))
        updated = recompute_stage(uow, contact, policy.thresholds, at=clock.now())
        uow.state.audit(clock.now(), actor, "note_added", account=contact.account, contact_id=contact.id)
        uow.commit()
        return updated


def lift_opt_out(store: SqlAlchemyStore, handle: str, *, account: str | None, clock: Clock, actor: str) -> Contact:
    with store.unit_of_work() as uow:
        contact = find_contact(uow, handle, account)
        if not contact.opted_out:
            raise InvalidInputError(f"{contact.handle} has not opted out")
        uow.contacts.update_flags(contact.id, opted_out=False, opted_out_at=None)
        uow.state.audit(clock.now(), actor, "opt_out_lifted", account=contact.account, contact_id=contact.id)
        uow.commit()
        updated = uow.contacts.get(contact.id)
        assert updated is not None
        return updated


def forget(store: SqlAlchemyStore, handle: str, *, account: str | None, clock: Clock, actor: str) -> str:
    """Erase everything stored about a person; audit entries keep only a tombstone."""
    with store.unit_of_work() as uow:
        contact = find_contact(uow, handle, account)
        draft_ids = [d.id for d in uow.drafts.for_contact(contact.id)]
        tombstone = "t_" + hashlib.sha256(f"{contact.account}:{contact.id}".encode()).hexdigest()[:12]
        uow.state.scrub_audit(contact.id, draft_ids, tombstone)
        uow.contacts.delete(contact.id)  # interactions, conversations, drafts and facts go with it
        uow.state.audit(clock.now(), actor, "forgotten", account=contact.account, detail={"tombstone": tombstone})
        uow.commit()
        return tombstone
