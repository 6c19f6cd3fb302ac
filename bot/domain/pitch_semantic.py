"""The semantic pitch model, and the detector that joins it to the rules at one operating point.

Rules and the word model read words; writers nobody here has read pitch in words nobody listed
("who signs off on tooling spend on your side?"). A logistic regression over a multilingual
sentence embedding reads what a message is for, in Spanish and English alike
(`benchmarks/train_pitch_semantic.py` trains it; `benchmarks/pitch_generalisation.py` measures it
on writers and sectors left out). A message is a pitch when the rules say so or when the semantic
probability reaches the operating point's threshold: the rules stay the explainable evidence,
and the model's probability is shown beside them as a `semantic` signal.

The encoder is handed in (`bot.ports.SentenceEncoder`), so this module imports no model library.
"""

from __future__ import annotations

import json
import math
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from threading import Lock
from typing import TYPE_CHECKING

from bot.domain.pitch import PitchLexicon, PitchResult, Signal, classify

if TYPE_CHECKING:
    from bot.ports import PitchJudge, SentenceEncoder

DATA = Path(__file__).with_name("data") / "pitch_semantic.json"
SEMANTIC = "semantic"  # the signal kind that carries the model's probability
JUDGE = "judge"  # a judge called it a pitch; the signal carries its reason
JUDGE_UNAVAILABLE = "judge_unavailable"  # the judge was asked and gave no verdict: the local one stands


@dataclass(frozen=True)
class SemanticModel:
    encoder: str  # the encoder the weights were trained on: any other would be meaningless
    weights: tuple[float, ...]
    bias: float
    outgoing_threshold: float
    incoming_threshold: float


def load_semantic_model(path: Path = DATA) -> SemanticModel:
    data = json.loads(path.read_text(encoding="utf-8"))
    return SemanticModel(
        encoder=data["encoder"], weights=tuple(float(w) for w in data["weights"]), bias=float(data["bias"]),
        outgoing_threshold=float(data["outgoing_threshold"]), incoming_threshold=float(data["incoming_threshold"]),
    )


def semantic_probability(vector: Sequence[float], model: SemanticModel) -> float:
    if len(vector) != len(model.weights):
        raise ValueError(f"the encoder gave {len(vector)} dimensions; the model expects {len(model.weights)}")
    z = model.bias + math.fsum(w * x for w, x in zip(model.weights, vector))
    return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))


class PitchDetector:
    """Rules and word model, plus the semantic model when an encoder is given.

    `threshold` is the operating point. `unsure_from` makes a cascade: the encoder is asked only
    when the rules' score is at least that (and below their own threshold), so a stream of
    messages pays for encoding only in the unsure middle. Results are cached per text, so a
    caller may assess a text before opening a transaction and `decide` then finds it ready.
    """

    def __init__(
        self, lexicon: PitchLexicon, model: SemanticModel | None = None,
        encoder: SentenceEncoder | None = None, *, threshold: float | None = None,
        unsure_from: float = 0.0, cache_size: int = 512, judge: PitchJudge | None = None,
    ) -> None:
        if encoder is not None and model is not None and encoder.name != model.encoder:
            raise ValueError(f"the semantic model was trained on {model.encoder}, not {encoder.name}")
        self.lexicon = lexicon
        self._model = model if encoder is not None else None
        self._encoder = encoder
        self._judge = judge
        self._threshold = threshold if threshold is not None else (model.outgoing_threshold if model else 1.0)
        self._unsure_from = unsure_from
        self._cache: OrderedDict[tuple[str, str | None, bool], PitchResult] = OrderedDict()
        self._cache_size = cache_size
        self._lock = Lock()

    @property
    def semantic(self) -> bool:
        return self._model is not None

    def assess(self, text: str, language: str | None = None, *, ask_judge: bool = False) -> PitchResult:
        """The verdict on `text`. `ask_judge`: a draft to someone below the pitch stage, which the
        judge (when there is one) also reads if the local detector passes it."""
        key = (text, language, ask_judge and self._judge is not None)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        result = self._assess(text, language)
        if key[2] and not result.pitch and text.strip():
            result = self._judged(result, text, language)
        with self._lock:
            self._cache[key] = result
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return result

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

    def _assess(self, text: str, language: str | None) -> PitchResult:
        rules = classify(text, self.lexicon, language)
        if self._model is None or self._encoder is None or not text.strip():
            return rules
        if not rules.pitch and rules.score < self._unsure_from:
            return rules  # the cascade: confidently ordinary for the rules
        [vector] = self._encoder.encode([text])
        probability = semantic_probability(vector, self._model)
        signal = Signal(SEMANTIC, f"{probability:.2f}")
        pitch = rules.pitch or probability >= self._threshold
        # The deciding evidence first: `policy explain` names the first few signals.
        signals = (signal, *rules.signals) if probability >= self._threshold else (*rules.signals, signal)
        return replace(rules, pitch=pitch, score=round(max(rules.score, probability), 2), signals=signals)
