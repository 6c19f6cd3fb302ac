"""The guardrails: may this text go to this person now?

`decide` runs the pitch detector itself, so no caller (drafter, edit, flag) can skip it, and
evaluates every rule, keeping each outcome so a person can see exactly why.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.contacts import Contact
from bot.domain.decisions import Decision, Outcome, RuleResult
from bot.domain.local_time import in_quiet_hours, start_of_day
from bot.domain.models import Visibility
from bot.domain.pitch import PitchLexicon, PitchResult, Signal, classify
from bot.domain.pitch_semantic import JUDGE_UNAVAILABLE, NEIGHBOURS, SEMANTIC, PitchDetector
from bot.domain.slots import slots_in
from bot.domain.stages import Stage


@dataclass(frozen=True)
class PolicyConfig:
    min_stage: Stage = Stage.RELATIONSHIP
    cooldown: timedelta = timedelta(days=30)
    min_exchanges_between: int = 5
    max_messages_per_day: int = 3
    quiet_hours: tuple[time, time] | None = None
    timezone: str = "UTC"


@dataclass(frozen=True)
class Situation:
    """Everything about the moment a decision needs, gathered by the caller from the store."""

    contact: Contact
    now: datetime
    sent_today: int = 0  # messages already sent to this contact today, in the account's zone
    reply_visibility: Visibility = Visibility.PUBLIC
    answered_visibility: Visibility | None = None  # None: not a reply (a check-in)
    language: str | None = None
    # The sender says it is a pitch (an announcement), whatever the detector finds: the pitch
    # rules apply to it, and once sent it starts the person's cooldown.
    declared_pitch: bool = False


def decide(
    text: str, situation: Situation, config: PolicyConfig, detector: PitchLexicon | PitchDetector,
) -> Decision:
    """Every rule's outcome for `text`. `detector` is the lexicon alone (rules and word model) or
    a `PitchDetector` that adds the semantic model."""
    if isinstance(detector, PitchDetector):
        below = situation.contact.stage < config.min_stage
        pitch = detector.assess(text, situation.language, ask_judge=below)
    else:
        pitch = classify(text, detector, situation.language)
    if situation.declared_pitch and not pitch.pitch:
        pitch = replace(pitch, pitch=True, signals=(*pitch.signals, Signal("declared", "an announcement")))
    results = (
        _opted_out(situation),
        _nobot(situation),
        _contact_is_bot(situation),
        _pitch_stage(pitch, situation, config),
        _pitch_cooldown(pitch, situation, config),
        _pitch_ratio(pitch, situation, config),
        _visibility(situation),
        _contact_rate(situation, config),
        _quiet_hours(situation, config),
        _needs_input(text),
    )
    deferrals = [r for r in results if r.outcome is Outcome.DEFER]
    not_before = None
    if deferrals:
        not_before = max(_resume_time(r.code, situation, config) for r in deferrals)
    return Decision(results=results, pitch=pitch.pitch, stage=situation.contact.stage.value, not_before=not_before)


def _ok(code: str, message: str) -> RuleResult:
    return RuleResult(code, Outcome.ALLOW, message)


def _opted_out(s: Situation) -> RuleResult:
    if s.contact.opted_out:
        return RuleResult("opted_out", Outcome.BLOCK, "this person asked not to be contacted; only a person can lift it")
    return _ok("opted_out", "has not asked to stop")


def _nobot(s: Situation) -> RuleResult:
    if s.contact.nobot:
        return RuleResult("nobot", Outcome.BLOCK, "their profile says #nobot: no automated drafts")
    return _ok("nobot", "no #nobot in their profile")


def _contact_is_bot(s: Situation) -> RuleResult:
    if s.contact.bot:
        return RuleResult("contact_is_bot", Outcome.BLOCK, "the account is flagged as a bot: no bot-to-bot loops")
    return _ok("contact_is_bot", "not flagged as a bot")


def _pitch_stage(pitch: PitchResult, s: Situation, c: PolicyConfig) -> RuleResult:
    stage = s.contact.stage
    if not pitch.pitch:
        return _ok("pitch_stage", f"not a commercial pitch ({_scores(pitch)})")
    if stage < c.min_stage:
        found = ", ".join(f"{sig.kind} '{sig.text}'" for sig in pitch.signals[:3]) or "pitch signals"
        return RuleResult(
            "pitch_stage", Outcome.BLOCK,
            f"a commercial pitch ({found}) to a contact at stage {stage.value};"
            f" pitches need at least {c.min_stage.value}",
        )
    return _ok("pitch_stage", f"a pitch, and the contact is at {stage.value} (>= {c.min_stage.value})")


def _scores(pitch: PitchResult) -> str:
    """The detector's numbers, for `policy explain`: the rules' score, and the model's when asked."""
    found = {signal.kind: signal.text for signal in pitch.signals}
    text = f"score {pitch.score:.2f}"
    if SEMANTIC in found:
        text += f", semantic model {found[SEMANTIC]}"
    if NEIGHBOURS in found:
        text += f" ({found[NEIGHBOURS]})"
    if JUDGE_UNAVAILABLE in found:
        text += f"; the judge gave no verdict, the local one stands ({found[JUDGE_UNAVAILABLE]})"
    return text


def _pitch_cooldown(pitch: PitchResult, s: Situation, c: PolicyConfig) -> RuleResult:
    last = s.contact.last_pitch_at
    if not pitch.pitch or last is None:
        return _ok("pitch_cooldown", "no earlier pitch to this person" if pitch.pitch else "not a pitch")
    if s.now - last < c.cooldown:
        wait = c.cooldown - (s.now - last)
        return RuleResult(
            "pitch_cooldown", Outcome.BLOCK,
            f"last pitch to this person was {_ago(s.now - last)} ago; wait {_ago(wait)} more",
        )
    return _ok("pitch_cooldown", f"last pitch was {_ago(s.now - last)} ago")


def _pitch_ratio(pitch: PitchResult, s: Situation, c: PolicyConfig) -> RuleResult:
    if not pitch.pitch or s.contact.last_pitch_at is None:
        return _ok("pitch_ratio", "no earlier pitch to this person" if pitch.pitch else "not a pitch")
    done = s.contact.exchanges_since_pitch
    if done < c.min_exchanges_between:
        return RuleResult(
            "pitch_ratio", Outcome.BLOCK,
            f"only {done} genuine exchanges since the last pitch; {c.min_exchanges_between} needed",
        )
    return _ok("pitch_ratio", f"{done} genuine exchanges since the last pitch")


def _visibility(s: Situation) -> RuleResult:
    answered = s.answered_visibility
    if answered is not None and s.reply_visibility.rank < answered.rank:
        return RuleResult(
            "visibility", Outcome.BLOCK,
            f"a {s.reply_visibility.value} reply to a {answered.value} message would expose it",
        )
    return _ok("visibility", f"{s.reply_visibility.value}, no more public than what it answers")


def _contact_rate(s: Situation, c: PolicyConfig) -> RuleResult:
    if s.sent_today >= c.max_messages_per_day:
        return RuleResult(
            "contact_rate", Outcome.DEFER,
            f"already {s.sent_today} messages to this person today (limit {c.max_messages_per_day}); waits until tomorrow",
        )
    return _ok("contact_rate", f"{s.sent_today} of {c.max_messages_per_day} messages today")


def _quiet_hours(s: Situation, c: PolicyConfig) -> RuleResult:
    if c.quiet_hours and in_quiet_hours(s.now, c.quiet_hours, c.timezone):
        start, end = c.quiet_hours
        return RuleResult(
            "quiet_hours", Outcome.DEFER,
            f"quiet hours {start:%H:%M}-{end:%H:%M} ({c.timezone}); sending waits until {end:%H:%M}",
        )
    return _ok("quiet_hours", "outside quiet hours" if c.quiet_hours else "no quiet hours set")


def _needs_input(text: str) -> RuleResult:
    found = slots_in(text)
    if found:
        return RuleResult(
            "needs_input", Outcome.HOLD,
            f"the draft leaves {found[0]} for you to fill: edit it in before approving",
        )
    return _ok("needs_input", "no slot left to fill")


def _resume_time(code: str, s: Situation, c: PolicyConfig) -> datetime:
    tz = ZoneInfo(c.timezone)
    local = s.now.astimezone(tz)
    if code == "quiet_hours" and c.quiet_hours:
        end = c.quiet_hours[1]
        resume = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
        return resume if resume > local else resume + timedelta(days=1)
    return start_of_day(s.now, c.timezone) + timedelta(days=1)


def _ago(delta: timedelta) -> str:
    if delta >= timedelta(days=2):
        return f"{delta.days} days"
    hours = int(delta.total_seconds() // 3600)
    return f"{hours} hours" if hours >= 1 else f"{int(delta.total_seconds() // 60)} minutes"
