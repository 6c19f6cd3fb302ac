"""A queue of mentions waiting for drafts, as the drafting tests start from."""

from __future__ import annotations

from bot.domain.models import Interaction, InteractionKind, Person, Post
from bot.services.deciding import Policy
from bot.services.ingest import poll_account
from bot.store.unit_of_work import SqlAlchemyStore
from tests.fakes import FakeClock, FakePlatform, RecordingLog


def seed_mentions(store: SqlAlchemyStore, clock: FakeClock, count: int, *, policy: Policy) -> None:
    """`count` people each ask one question ("¿Qué tal el huerto número N?") on account "demo"."""
    platform = FakePlatform()
    platform.push(*[
        Interaction(f"n-{i}", InteractionKind.MENTION, clock.now(), Person(f"u-{i}", f"p{i}@x.example", f"P{i}"),
                    Post(f"p-{i}", f"¿Qué tal el huerto número {i}?", "es"))
        for i in range(count)
    ])
    poll_account(store, platform, "demo", clock=clock, policy=policy, log=RecordingLog())
