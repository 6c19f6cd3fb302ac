"""Drafts are assessed in batches: the encoder reads a page of suggestions in one call, outside
any transaction, and `decide` finds every verdict ready; a slow drafter's replies are still
recorded one by one, and a failing drafter keeps what was drafted before it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pytest

from bot.bootstrap import policy_from_settings
from bot.config import Settings
from bot.domain.pitch_semantic import PitchDetector, load_semantic_model
from bot.drafting.template import TemplateDrafter
from bot.services import drafting
from bot.services.deciding import Policy
from bot.services.drafting import draft_replies
from tests.fakes import RecordingLog
from tests.integration.services.mentions import seed_mentions

RULES_ONLY = policy_from_settings(Settings())
MODEL = load_semantic_model()


class CountingEncoder:
    """Reads every text as the same neutral vector, and counts the calls and texts."""

    name = MODEL.encoder
    dimensions = len(MODEL.weights)

    def __init__(self) -> None:
        self.calls: list[int] = []

    def encode(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls.append(len(texts))
        return [[0.0] * self.dimensions for _ in texts]


class CountingNeighbours:
    """The model's labelled examples, faked: every vector sits among chat; counts the calls."""

    encoder = MODEL.encoder
    k = MODEL.neighbours_k

    def __init__(self) -> None:
        self.calls: list[int] = []

    def pitch_share(self, vectors: Sequence[Sequence[float]]) -> list[float]:
        self.calls.append(len(vectors))
        return [0.0 for _ in vectors]


class Distinct:
    """The template's reply, made unique to the message it answers: no verdict comes from the cache."""

    name = "distinct"

    def __init__(self) -> None:
        self.inner = TemplateDrafter()

    def suggest(self, contact, target, language, memory):  # noqa: ANN001, ANN201
        return [replace(s, text=f"{s.text} ({target.post_id})") for s in self.inner.suggest(contact, target, language,
                                                                                            memory)]


def semantic_policy(encoder: CountingEncoder) -> Policy:
    detector = PitchDetector(RULES_ONLY.lexicon, MODEL, encoder, threshold=MODEL.outgoing_threshold,
                             neighbours=CountingNeighbours())
    return Policy(RULES_ONLY.config, RULES_ONLY.lexicon, RULES_ONLY.thresholds, detector=detector)


def seed(store: SqlAlchemyStore, clock, count: int) -> None:  # noqa: ANN001
    seed_mentions(store, clock, count, policy=RULES_ONLY)


def draft(store, clock, policy: Policy, drafter=None):  # noqa: ANN001, ANN201
    return draft_replies(store, drafter or Distinct(), "demo", "sandbox", clock=clock, policy=policy,
                         log=RecordingLog())


def test_a_page_of_drafts_is_read_by_the_encoder_in_one_call(store, clock) -> None:  # noqa: ANN001
    seed(store, clock, 12)
    encoder = CountingEncoder()
    assert draft(store, clock, semantic_policy(encoder)).drafted == 12
    assert encoder.calls == [12]  # and none more: each decision found its verdict cached
    with store.unit_of_work() as uow:
        drafts = uow.drafts.list(None)
    pitch_rules = [r for d in drafts for r in d.decision.results if r.code == "pitch_stage"]
    assert len(pitch_rules) == 12 and all("semantic model" in r.message for r in pitch_rules)


def test_more_waiting_messages_than_a_batch_take_one_call_a_batch(store, clock) -> None:  # noqa: ANN001
    seed(store, clock, drafting.OUTGOING_BATCH + 3)
    encoder = CountingEncoder()
    assert draft(store, clock, semantic_policy(encoder)).drafted == drafting.OUTGOING_BATCH + 3
    assert encoder.calls == [drafting.OUTGOING_BATCH, 3]


def test_a_slow_drafter_has_each_reply_recorded_before_it_drafts_the_next(
    store, clock, monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
) -> None:
    monkeypatch.setattr(drafting, "OUTGOING_BATCH_SECONDS", 0.0)  # every call as slow as a model's

    class Watching:
        name = "watching"

        def __init__(self) -> None:
            self.inner, self.seen = Distinct(), []

        def suggest(self, contact, target, language, memory):  # noqa: ANN001, ANN201
            with store.unit_of_work(read_only=True) as uow:
                self.seen.append(len(uow.drafts.list(None)))
            return self.inner.suggest(contact, target, language, memory)

    seed(store, clock, 3)
    watching, encoder = Watching(), CountingEncoder()
    assert draft(store, clock, semantic_policy(encoder), watching).drafted == 3
    assert watching.seen == [0, 1, 2]
    assert encoder.calls == [1, 1, 1]


def test_a_drafter_that_fails_keeps_the_drafts_made_before_it_and_gives_the_rest_back(
    store, clock,  # noqa: ANN001
) -> None:
    class FailingThird:
        name = "failing-third"

        def __init__(self) -> None:
            self.inner, self.asked = Distinct(), 0

        def suggest(self, contact, target, language, memory):  # noqa: ANN001, ANN201
            self.asked += 1
            if self.asked == 3:
                raise RuntimeError("the model crashed")
            return self.inner.suggest(contact, target, language, memory)

    seed(store, clock, 5)
    with pytest.raises(RuntimeError):
        draft(store, clock, semantic_policy(CountingEncoder()), FailingThird())
    with store.unit_of_work() as uow:
        assert len(uow.drafts.list(None)) == 2
    assert draft(store, clock, RULES_ONLY).drafted == 3  # nothing was left claimed


def test_an_encoder_that_fails_leaves_the_batch_to_the_next_pass(store, clock) -> None:  # noqa: ANN001
    class Broken(CountingEncoder):
        def encode(self, texts: Sequence[str]) -> list[list[float]]:
            raise RuntimeError("out of memory")

    seed(store, clock, 4)
    with pytest.raises(RuntimeError):
        draft(store, clock, semantic_policy(Broken()))
    assert draft(store, clock, RULES_ONLY).drafted == 4
