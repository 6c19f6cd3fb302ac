"""Training the semantic model and its fusion with the rules, shared by the trainer and the
held-out benchmarks so that what is measured is what ships.

- The semantic model is a logistic regression over sentence embeddings, trained on the sector
  corpus (weighted CORPUS_WEIGHT times: it is where pitches across sectors and same-word talk
  are) and on the word model's training split (ordinary chat and spam, once).
- The fusion is a logistic regression over three features: the semantic logit, the rules'
  score as a logit, and whether the rules called it. It is fitted on the sector corpus with
  writer-held-out semantic probabilities: scores the model gives text it never saw, as in use.
  The rules were never tuned on the corpus, so their scores there are unseen too.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from _logistic import fit, probability

CORPUS_WEIGHT = 3
SEMANTIC_L2 = 1.0
FUSION_L2 = 0.1


def fit_semantic(corpus: np.ndarray, corpus_labels: np.ndarray, extra: np.ndarray, extra_labels: np.ndarray) -> np.ndarray:
    features = np.vstack([extra, *([corpus] * CORPUS_WEIGHT)])
    labels = np.concatenate([extra_labels, *([corpus_labels] * CORPUS_WEIGHT)])
    return fit(features, labels.astype(float), SEMANTIC_L2)


def held_out_semantic(
    folds: Sequence[str], corpus: np.ndarray, corpus_labels: np.ndarray, extra: np.ndarray, extra_labels: np.ndarray,
) -> np.ndarray:
    """Each corpus row's semantic probability from a model trained without its fold."""
    folds = np.asarray(folds)
    out = np.zeros(len(folds))
    for fold in sorted(set(folds)):
        held = folds == fold
        weights = fit_semantic(corpus[~held], corpus_labels[~held], extra, extra_labels)
        out[held] = probability(weights, corpus[held])
    return out


def fusion_features(semantic: np.ndarray, rules_score: np.ndarray, rules_pitch: np.ndarray) -> np.ndarray:
    """Must match `bot.domain.pitch_semantic.Fusion.probability`."""
    return np.column_stack([_logit(semantic), _logit(np.clip(rules_score, 0.01, 0.99)), rules_pitch.astype(float)])


def fit_fusion(features: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """(semantic, rules, rules_pitch, bias)."""
    return fit(features, labels.astype(float), FUSION_L2)


def held_out_fusion(folds: Sequence[str], features: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Each row's fused probability from a fusion fitted without its fold."""
    folds = np.asarray(folds)
    out = np.zeros(len(folds))
    for fold in sorted(set(folds)):
        held = folds == fold
        out[held] = probability(fit_fusion(features[~held], labels[~held]), features[held])
    return out


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))
