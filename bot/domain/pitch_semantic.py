"""The semantic pitch model, and the detector that fuses it with the rules at an operating point.

Rules and the word model read words; writers nobody here has read pitch in words nobody listed
("who signs off on tooling spend on your side?"). A logistic regression over a multilingual
sentence embedding reads what a message is for, in Spanish and English alike
(`benchmarks/train_pitch_semantic.py` trains it; `benchmarks/pitch_generalisation.py` measures it
on writers and sectors left out).

A linear boundary through the encoder's space cannot tell "congrats on the new office!" from a
compliment that opens an offer, so the model also consults labelled examples by meaning
(`bot.ports.LabelledNeighbours`): the share of the nearest training rows that are pitches.

The evidence is fused rather than OR-ed: a second logistic regression over (the semantic logit,
the rules' score as a logit, whether the rules called it, the neighbours' pitch share) gives one
probability, fitted on writer-held-out scores. "My free trial ran out" trips the rules, and the
fusion lets the sentence's meaning outvote a word; rules evidence at or above `certain_rules` (a
price with a call to action, "p r o m o" in disguise) stays a pitch whatever the model says. The
rules stay the explainable evidence; the semantic probability and the neighbours' share are shown
beside them as `semantic` and `neighbours` signals.

Two operating points use the same model: outgoing drafts (the guardrail) favour recall, incoming
messages (does this get a draft?) favour precision and speed, and send only the rules' unsure
middle to the encoder (`incoming_unsure_from` up to `certain_rules`).

The encoder is handed in (`bot.ports.SentenceEncoder`), so this module imports no model library.
"""

from __future__ import annotations

import json
import math
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from threading import Lock
from typing import TYPE_CHECKING

from bot.domain.pitch import PitchLexicon, PitchResult, Signal, classify

if TYPE_CHECKING:
    from bot.ports import LabelledNeighbours, PitchJudge, SentenceEncoder

DATA = Path(__file__).with_name("data") / "pitch_semantic.json"
SEMANTIC = "semantic"  # the signal kind that carries the model's probability
NEIGHBOURS = "neighbours"  # the signal kind that carries the nearest examples' pitch share
JUDGE = "judge"  # a judge called it a pitch; the signal carries its reason
JUDGE_UNAVAILABLE = "judge_unavailable"  # the judge was asked and gave no verdict: the local one stands


@dataclass(frozen=True)
class Fusion:
    """Weights of the fused logistic regression; see the module's docstring."""

    semantic: float = 1.0
    rules: float = 0.0
    rules_pitch: float = 0.0
    bias: float = 0.0
    neighbours: float = 0.0

    def probability(self, semantic: float, rules_score: float, rules_pitch: bool, share: float = 0.0) -> float:
        z = (self.bias + self.semantic * _logit(semantic) + self.rules * _logit(min(max(rules_score, 0.01), 0.99))
             + self.rules_pitch * rules_pitch + self.neighbours * share)
        return _sigmoid(z)


@dataclass(frozen=True)
class SemanticModel:
    encoder: str  # the encoder the weights were trained on: any other would be meaningless
    weights: tuple[float, ...]
    bias: float
    outgoing_threshold: float
    incoming_threshold: float
    fusion: Fusion = Fusion()  # the default passes the semantic probability through
    certain_rules: float = 0.9  # a rules score from here on is a pitch whatever the model says
    incoming_unsure_from: float = 0.1  # below this rules score, incoming messages skip the encoder
    neighbours_k: int = 0  # the fusion reads the pitch share of this many nearest examples; 0: none

    @property
    def uses_neighbours(self) -> bool:
        return self.neighbours_k > 0 and self.fusion.neighbours != 0.0


def load_semantic_model(path: Path = DATA) -> SemanticModel:
    data = json.loads(path.read_text(encoding="utf-8"))
    return SemanticModel(
        encoder=data["encoder"], weights=tuple(float(w) for w in data["weights"]), bias=float(data["bias"]),
        outgoing_threshold=float(data["outgoing_threshold"]), incoming_threshold=float(data["incoming_threshold"]),
        fusion=Fusion(**{key: float(value) for key, value in data["fusion"].items()}),
        certain_rules=float(data["certain_rules"]), incoming_unsure_from=float(data["incoming_unsure_from"]),
        neighbours_k=int(data.get("neighbours_k", 0)),
    )


def semantic_probability(vector: Sequence[float], model: SemanticModel) -> float:
    if len(vector) != len(model.weights):
        raise ValueError(f"the encoder gave {len(vector)} dimensions; the model expects {len(model.weights)}")
    return _sigmoid(model.bias + math.fsum(w * x for w, x in zip(model.weights, vector)))


def readable(text: str) -> str:
    """What the encoder reads: the text's start (a post is short; a megabyte-long one would cost
    seconds, and the rules read all of it), without control and format characters (escape
    codes, zero-width and bidi marks), which the encoder never saw in training and would read
    as words. A shouted text is read in lower case: "CHECK OUT MY CHANNEL" means what "check out
    my channel" means, but the encoder, trained mostly on ordinary case, reads it as noise."""
    start = text[:ENCODED_CHARACTERS]
    kept = "".join(ch for ch in start if ch in "\n\t" or unicodedata.category(ch) not in _UNREADABLE)
    return kept.lower() if _shouted(kept) else kept


def _shouted(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= _SHOUTED_LETTERS and sum(ch.isupper() for ch in letters) >= 0.8 * len(letters)


_SHOUTED_LETTERS = 8  # "OK", "NYC" and "FYI" are not shouting


ENCODED_CHARACTERS = 2_000

_UNREADABLE = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"})


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1.0 - 1e-6)
    return math.log(p / (1.0 - p))


class PitchDetector:
    """Rules and word model, plus the semantic model when an encoder is given.

    `threshold` is the operating point on the fused probability. `unsure_from` makes a cascade:
    the encoder is asked only when the rules' score is at least that and below the model's
    `certain_rules`, so a stream of messages pays for encoding only in the unsure middle.
    Results are cached per text, so a caller may assess texts before opening a transaction
    (`prepare` encodes a whole page at once) and `decide` or the ingester then finds them ready.
    """

    def __init__(
        self, lexicon: PitchLexicon, model: SemanticModel | None = None,
        encoder: SentenceEncoder | None = None, *, threshold: float | None = None,
        unsure_from: float | None = None, cache_size: int = 512, judge: PitchJudge | None = None,
        neighbours: LabelledNeighbours | None = None,
    ) -> None:
        if encoder is not None and model is not None:
            _check_inputs(model, encoder, neighbours)
        self.lexicon = lexicon
        self._model = model if encoder is not None else None
        self._encoder = encoder
        self._neighbours = neighbours if self._model is not None and self._model.uses_neighbours else None
        self._judge = judge
        self._threshold = threshold if threshold is not None else (model.outgoing_threshold if model else 1.0)
        self._unsure_from = unsure_from
        # Keyed by (text, judged): the language is only reported back, never read.
        self._cache: OrderedDict[tuple[str, bool], PitchResult] = OrderedDict()
        self._cache_size = cache_size
        self._lock = Lock()

    @classmethod
    def incoming(
        cls, lexicon: PitchLexicon, model: SemanticModel, encoder: SentenceEncoder | None, *,
        threshold: float | None = None, cache_size: int = 512, neighbours: LabelledNeighbours | None = None,
    ) -> PitchDetector:
        """The incoming operating point: the model's stricter threshold, and the cascade."""
        return cls(
            lexicon, model, encoder, threshold=model.incoming_threshold if threshold is None else threshold,
            unsure_from=model.incoming_unsure_from, cache_size=cache_size, neighbours=neighbours,
        )

    @property
    def semantic(self) -> bool:
        return self._model is not None

    def assess(self, text: str, language: str | None = None, *, ask_judge: bool = False) -> PitchResult:
        """The verdict on `text`. `ask_judge`: a draft to someone below the pitch stage, which the
        judge (when there is one) also reads if the local detector passes it."""
        judged = ask_judge and self._judge is not None
        key = (text, judged)
        result = self._cached(key)
        if result is None:
            local = self._cached((text, False)) if judged else None
            result = local or self._assess(text, language)
            if judged and not result.pitch and text.strip():
                result = self._judged(result, text, language)
            self._remember(key, result)
        return result if result.language == language else replace(result, language=language)

    def _cached(self, key: tuple[str, bool]) -> PitchResult | None:
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        return None

    def _judged(self, local: PitchResult, text: str, language: str | None) -> PitchResult:
        from bot.errors import RapportError

        assert self._judge is not None
        try:
            verdict = self._judge.judge(text, language)
        except RapportError as error:
            return replace(local, signals=(*local.signals, Signal(JUDGE_UNAVAILABLE, str(error)[:200])))
        if not verdict.pitch:
            return local
        reason = f"{verdict.judge}: {verdict.reason}" if verdict.reason else verdict.judge
        return replace(local, pitch=True, signals=(Signal(JUDGE, reason), *local.signals))

    def prepare(self, items: Iterable[tuple[str, str | None]]) -> None:
        """Assess many texts ahead of their `assess` calls, encoding those that need the model
        in one batch: a poll's page costs one encoder call, made outside any transaction."""
        pending: list[tuple[tuple[str, bool], PitchResult]] = []
        for text, language in items:
            key = (text, False)
            with self._lock:
                if key in self._cache:
                    continue
            rules = classify(text, self.lexicon, language)
            if self._needs_encoder(rules, text):
                pending.append((key, rules))
            else:
                self._remember(key, rules)
        if pending:
            assert self._encoder is not None
            vectors = self._encoder.encode([readable(key[0]) for key, _ in pending])
            for (key, rules), vector, share in zip(pending, vectors, self._shares(vectors), strict=True):
                self._remember(key, self._fused(rules, vector, share))

    def _remember(self, key: tuple[str, bool], result: PitchResult) -> None:
        with self._lock:
            self._cache[key] = result
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)

    def _needs_encoder(self, rules: PitchResult, text: str) -> bool:
        if self._model is None or self._encoder is None or not text.strip():
            return False
        if self._unsure_from is None:
            return True  # every outgoing text: `policy explain` shows the model's reading too
        return self._unsure_from <= rules.score < self._model.certain_rules

    def _assess(self, text: str, language: str | None) -> PitchResult:
        rules = classify(text, self.lexicon, language)
        if not self._needs_encoder(rules, text):
            return rules
        assert self._encoder is not None
        [vector] = self._encoder.encode([readable(text)])
        [share] = self._shares([vector])
        return self._fused(rules, vector, share)

    def _shares(self, vectors: Sequence[Sequence[float]]) -> list[float | None]:
        if self._neighbours is None:
            return [None] * len(vectors)
        return list(self._neighbours.pitch_share(vectors))

    def _fused(self, rules: PitchResult, vector: Sequence[float], share: float | None) -> PitchResult:
        assert self._model is not None
        probability = semantic_probability(vector, self._model)
        certain = rules.score >= self._model.certain_rules
        fused = self._model.fusion.probability(probability, rules.score, rules.pitch, share or 0.0)
        model_signals: tuple[Signal, ...] = (Signal(SEMANTIC, f"{probability:.2f}"),)
        if share is not None:
            model_signals += (Signal(NEIGHBOURS, f"{share:.0%} of the nearest examples are pitches"),)
        # The deciding evidence first: `policy explain` names the first few signals.
        model_decided = fused >= self._threshold and not certain
        signals = (*model_signals, *rules.signals) if model_decided else (*rules.signals, *model_signals)
        return replace(
            rules, pitch=certain or fused >= self._threshold,
            score=rules.score if certain else round(fused, 2), signals=signals,
        )


def _check_inputs(model: SemanticModel, encoder: SentenceEncoder, neighbours: LabelledNeighbours | None) -> None:
    if encoder.name != model.encoder:
        raise ValueError(f"the semantic model was trained on {model.encoder}, not {encoder.name}")
    if not model.uses_neighbours:
        return
    if neighbours is None:
        raise ValueError("the semantic model reads its labelled examples: hand the detector `neighbours`")
    if neighbours.encoder != model.encoder or neighbours.k != model.neighbours_k:
        raise ValueError(f"the labelled examples ({neighbours.encoder}, k={neighbours.k}) do not match the"
                         f" semantic model ({model.encoder}, k={model.neighbours_k})")
