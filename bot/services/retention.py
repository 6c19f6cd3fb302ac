"""Keeping less: message text older than the retention period is erased, counts stay."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.ports import Clock
from bot.store.unit_of_work import SqlAlchemyStore


def apply_retention(store: SqlAlchemyStore, *, days: float, clock: Clock, log: Any) -> int:
    """Erase the text of interactions older than `days` (0: keep everything); how many were erased."""
    if not days:
        return 0
    with store.unit_of_work() as uow:
        erased = uow.interactions.forget_text_before(clock.now() - timedelta(days=days))
        uow.commit()
    if erased:
        log.info("retention.applied", erased=erased, days=days)
    return erased
