"""The pitch rules alone, for tests that pin what a rule does whatever the trained model adds."""

from __future__ import annotations

import dataclasses

from bot.domain.pitch import classify, load_lexicon

RULES = dataclasses.replace(load_lexicon(), model=None)


def kinds(text: str) -> set[str]:
    """The kinds of signal the rules alone find in `text`."""
    return {signal.kind for signal in classify(text, RULES).signals}
