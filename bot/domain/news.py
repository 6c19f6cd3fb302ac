"""Real news to ask about: a plan they announced whose day has now passed.

A plan stays worth asking about until `lookback` after its day, however long before that they
announced it: "I start at the city library next month", said 45 days ago, is news today. A new
job, a move, an exam, a race or a launch is the best of it: it changed something for them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone

from bot.domain.memory import Fact, FactKind
from bot.domain.normalize import fold

# Words that name a life event, folded (lower case, accents off), Spanish and English.
_LIFE_EVENT = re.compile(
    r"\b(?:jobs?|new role|position|interview|promotion|hired|contract|moving|move|moved|relocat\w*|new (?:house"
    r"|flat|home|apartment)|exams?|finals|thesis|dissertation|viva|defen[cs]e|bar exam|driving test|race"
    r"|marathon|half marathon|triathlon|ultra|launch\w*|release|opening|premiere|wedding|married|baby|graduat\w*"
    r"|trabajo|empleo|puesto|curro|entrevista|ascenso|contrato|mudanza|mudo|mudamos|piso nuevo|casa nueva"
    r"|examen(?:es)?|oposicion(?:es)?|selectividad|tesis|tfg|tfm|defensa|carnet|carrera|maraton|media maraton"
    r"|triatlon|lanzamiento|lanzo|lanzamos|estreno|estrenamos|inauguracion|inauguramos|apertura|abrimos|boda"
    r"|me caso|nos casamos|bebe|parto|graduacion|empiezo|empezamos|incorporo)\b"
)


def is_life_event(text: str) -> bool:
    """A new job, a move, an exam, a race, a launch, a wedding or a baby, in either language."""
    return bool(_LIFE_EVENT.search(fold(text).plain))


def passed_plans(facts: Iterable[Fact], now: datetime, lookback: timedelta) -> list[Fact]:
    """Open threads whose day has come within `lookback`, life events first, then the most recent."""
    passed = [
        f for f in facts
        if f.kind is FactKind.OPEN_THREAD and f.due is not None and timedelta(0) <= now - _aware(f.due) <= lookback
    ]
    return sorted(passed, key=lambda f: (not is_life_event(f.text), now - _aware(f.due or now)))


def news_rank(facts: Iterable[Fact], now: datetime, lookback: timedelta) -> int:
    """0: a life event whose day passed within `lookback`; 1: another plan whose day passed; 2: none."""
    passed = passed_plans(facts, now, lookback)
    if not passed:
        return 2
    return 0 if is_life_event(passed[0].text) else 1


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
