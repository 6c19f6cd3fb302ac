"""Gathering what a policy decision needs from the store, then deciding."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.contacts import Contact
from bot.domain.decisions import Decision
from bot.domain.drafts import Draft
from bot.domain.models import Visibility
from bot.domain.pitch import PitchLexicon
from bot.domain.policy import PolicyConfig, Situation, decide, start_of_day
from bot.domain.stages import StageThresholds
from bot.store.unit_of_work import SqlUnitOfWork


@dataclass(frozen=True)
class Policy:
    """The configured rules, stage thresholds and pitch lexicon: built once, used everywhere."""

    config: PolicyConfig
    lexicon: PitchLexicon
    thresholds: StageThresholds = StageThresholds()

    def situation(
        self, uow: SqlUnitOfWork, contact: Contact, now: datetime, *,
        visibility: Visibility, answered: Visibility | None, language: str | None,
    ) -> Situation:
        since = start_of_day(now, self.config.timezone)
        return Situation(
            contact=contact, now=now, sent_today=uow.interactions.count_outbound_since(contact.id, since),
            reply_visibility=visibility, answered_visibility=answered, language=language,
        )

    def decide_text(
        self, uow: SqlUnitOfWork, contact: Contact, text: str, now: datetime, *,
        visibility: Visibility = Visibility.PUBLIC, answered: Visibility | None = None,
        language: str | None = None,
    ) -> Decision:
        situation = self.situation(uow, contact, now, visibility=visibility, answered=answered, language=language)
        return decide(text, situation, self.config, self.lexicon)

    def decide_draft(self, uow: SqlUnitOfWork, draft: Draft, now: datetime, text: str | None = None) -> Decision:
        """Decide again for a stored draft, with the contact as it is now."""
        contact = uow.contacts.get(draft.contact_id)
        assert contact is not None, "a draft's contact is deleted with it"
        answered = Visibility(draft.target.visibility) if draft.target else None
        return self.decide_text(
            uow, contact, draft.text if text is None else text, now,
            visibility=Visibility(draft.visibility), answered=answered, language=draft.language,
        )
