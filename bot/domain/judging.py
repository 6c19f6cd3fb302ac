"""What a pitch judge answered about one outgoing draft.

A judge is a second opinion (a language model, say) asked whether a draft is a commercial pitch.
The policy keeps the rules as its explainable evidence and adds the verdict beside them, so the
verdict carries its own reason and who gave it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class JudgeVerdict:
    """`reason` is short and already cleaned by the judge, so a decision can show it as it is;
    `judge` names who answered, e.g. "openai:llama3.1"."""

    pitch: bool
    reason: str
    judge: str
