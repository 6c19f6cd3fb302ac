"""Gathering what a policy decision needs from the store, then deciding."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from datetime import datetime

from bot.domain.announcements import KIND as ANNOUNCEMENT, AnnounceRules
from bot.domain.contacts import Contact
from bot.domain.decisions import Decision
from bot.domain.drafts import Draft
from bot.domain.models import Visibility
from bot.domain.pitch import PitchLexicon, PitchResult, classify
from bot.domain.pitch_semantic import PitchDetector
from bot.domain.local_time import start_of_day
from bot.domain.policy import PolicyConfig, Situation, decide
from bot.domain.stages import Stage, StageThresholds
from bot.store.unit_of_work import SqlUnitOfWork


@dataclass(frozen=True)
class Policy:
    """The configured rules, stage thresholds and pitch lexicon: built once, used everywhere."""

    config: PolicyConfig
    lexicon: PitchLexicon
    thresholds: StageThresholds = StageThresholds()
    detector: PitchDetector | None = None  # the outgoing guardrail with the semantic model, when on
    incoming: PitchDetector | None = None  # incoming messages through the semantic cascade, when on
    announce: AnnounceRules = AnnounceRules()  # when approved announcement messages may go out

    def prepare_incoming(self, texts: Iterable[tuple[str, str | None]]) -> None:
        """Classify a page of incoming texts ahead of storing it, outside any transaction: the
        encoder reads the unsure ones in one batch and `classify_incoming` finds them ready."""
        if self.incoming is not None:
            self.incoming.prepare(texts)

    def classify_incoming(self, text: str, language: str | None = None) -> PitchResult:
        """Is this incoming message a pitch? (It then gets no draft and no place in memory.)"""
        if self.incoming is not None:
            return self.incoming.assess(text, language)
        return classify(text, self.lexicon, language)

    def prepare_outgoing(self, texts: Iterable[tuple[str, str | None]]) -> None:
        """Read a batch of drafts' texts ahead of their `assess` calls, outside any transaction:
        the encoder reads them all in one call (a judge, if any, is still asked in `assess`)."""
        self.outgoing.prepare(texts)

    def assess(self, text: str, language: str | None = None, stage: Stage | None = None) -> PitchResult:
        """The outgoing verdict on `text` to someone at `stage`. Call it before opening a unit of
        work: the encoder takes tens of milliseconds and a judge is a network call, and `decide`
        then finds the verdict cached."""
        below = stage is not None and stage < self.config.min_stage
        return self.outgoing.assess(text, language, ask_judge=below)

    @cached_property
    def outgoing(self) -> PitchDetector:
        """The outgoing detector: with the semantic model when on, else the rules alone (whose
        verdicts are cached too, so that `assess` and `decide` classify a text once)."""
        return self.detector or PitchDetector(self.lexicon)

    def day_start(self, now: datetime) -> datetime:
        """Where "today" began for the per-day limits, in the account's time zone."""
        return start_of_day(now, self.config.timezone)

    def situation(
        self, uow: SqlUnitOfWork, contact: Contact, now: datetime, *,
        visibility: Visibility, answered: Visibility | None, language: str | None,
        declared_pitch: bool = False, sent_today: int | None = None,
    ) -> Situation:
        """`sent_today`: what was sent them since `day_start(now)`, when the caller counted it
        (for several people at once)."""
        if sent_today is None:
            sent_today = uow.interactions.count_outbound_since(contact.id, self.day_start(now))
        return Situation(
            contact=contact, now=now, sent_today=sent_today,
            reply_visibility=visibility, answered_visibility=answered, language=language,
            declared_pitch=declared_pitch,
        )

    def decide_text(
        self, uow: SqlUnitOfWork, contact: Contact, text: str, now: datetime, *,
        visibility: Visibility = Visibility.PUBLIC, answered: Visibility | None = None,
        language: str | None = None, declared_pitch: bool = False, sent_today: int | None = None,
    ) -> Decision:
        situation = self.situation(uow, contact, now, visibility=visibility, answered=answered, language=language,
                                   declared_pitch=declared_pitch, sent_today=sent_today)
        return decide(text, situation, self.config, self.outgoing)

    def decide_draft(self, uow: SqlUnitOfWork, draft: Draft, now: datetime, text: str | None = None) -> Decision:
        """Decide again for a stored draft, with the contact as it is now."""
        contact = uow.contacts.get(draft.contact_id)
        assert contact is not None, "a draft's contact is deleted with it"
        answered = Visibility(draft.target.visibility) if draft.target else None
        return self.decide_text(
            uow, contact, draft.text if text is None else text, now,
            visibility=Visibility(draft.visibility), answered=answered, language=draft.language,
            declared_pitch=draft.kind == ANNOUNCEMENT,
        )
