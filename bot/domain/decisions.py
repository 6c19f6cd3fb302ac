"""What a policy decision looks like: an outcome and, for every rule evaluated, why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum


class Outcome(str, Enum):
    ALLOW = "allow"
    BLOCK = "block"
    DEFER = "defer"  # allowed, but not now (quiet hours)
    HOLD = "hold"  # may stay in the queue, but cannot be approved or sent until a person edits it


@dataclass(frozen=True)
class RuleResult:
    """One rule's verdict. `code` is a stable reason code from INTERFACES.md."""

    code: str
    outcome: Outcome
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "outcome": self.outcome.value, "message": self.message}


@dataclass(frozen=True)
class Decision:
    results: tuple[RuleResult, ...]
    pitch: bool = False
    stage: str | None = None
    not_before: datetime | None = None  # set when deferred

    @property
    def outcome(self) -> Outcome:
        outcomes = {result.outcome for result in self.results}
        if Outcome.BLOCK in outcomes:
            return Outcome.BLOCK
        if Outcome.HOLD in outcomes:
            return Outcome.HOLD
        if Outcome.DEFER in outcomes:
            return Outcome.DEFER
        return Outcome.ALLOW

    @property
    def allowed(self) -> bool:
        """Allowed to exist and be sent eventually; a deferral is still allowed, and so is a
        draft held for the owner's input (it waits in the queue, pending, for an edit)."""
        return self.outcome is not Outcome.BLOCK

    @property
    def needs_input(self) -> bool:
        """The text holds a slot only the account holder can fill: no approval until an edit fills it."""
        return any(r.outcome is Outcome.HOLD for r in self.results)

    @property
    def approvable(self) -> bool:
        """May a person approve it now (to be sent now or, when deferred, later)?"""
        return self.outcome in (Outcome.ALLOW, Outcome.DEFER)

    @property
    def refusing(self) -> tuple[RuleResult, ...]:
        """What stands in the way of an approval: the blocks, and the holds."""
        return tuple(r for r in self.results if r.outcome in (Outcome.BLOCK, Outcome.HOLD))

    @property
    def blocking(self) -> tuple[RuleResult, ...]:
        return tuple(r for r in self.results if r.outcome is Outcome.BLOCK)

    @property
    def reasons(self) -> tuple[RuleResult, ...]:
        """The results worth showing: those that block or defer, else every rule that passed."""
        notable = tuple(r for r in self.results if r.outcome is not Outcome.ALLOW)
        return notable or self.results

    def summary(self) -> str:
        if self.allowed and self.outcome is Outcome.ALLOW:
            return "allowed"
        return "; ".join(f"{r.code}: {r.message}" for r in self.reasons)

    def to_dict(self) -> dict[str, object]:
        return {
            "allowed": self.allowed,
            "outcome": self.outcome.value,
            "needs_input": self.needs_input,
            "pitch": self.pitch,
            "stage": self.stage,
            "not_before": self.not_before.isoformat() if self.not_before else None,
            "reasons": [r.to_dict() for r in self.reasons],
            "rules": [r.to_dict() for r in self.results],
        }

    @classmethod
    def from_dict(cls, data: dict) -> Decision:
        rules = data.get("rules") or data.get("reasons") or []
        not_before = data.get("not_before")
        return cls(
            results=tuple(
                RuleResult(r["code"], Outcome(r.get("outcome", "allow")), r.get("message", ""))
                for r in rules
            ),
            pitch=bool(data.get("pitch", False)),
            stage=data.get("stage"),
            not_before=datetime.fromisoformat(not_before) if not_before else None,
        )
