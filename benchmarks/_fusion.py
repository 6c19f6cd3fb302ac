"""Training the semantic model and its fusion with the rules, shared by the trainer and the
held-out benchmarks so that what is measured is what ships.

- The semantic model is a logistic regression over sentence embeddings, trained on the sector
  corpus (weighted CORPUS_WEIGHT times: it is where pitches across sectors and same-word talk
  are) and on the word model's training split (ordinary chat and spam, once).
- The neighbours: every training row's vector, labelled; a text's share is the fraction of its
  NEIGHBOURS_K most similar rows (cosine) that are pitches.
- The fusion is a logistic regression over four features: the semantic logit, the rules' score
  as a logit, whether the rules called it, and the neighbours' share. It is fitted on the corpus
  with writer-held-out semantic probabilities and shares: what the model gives text it never saw,
  as in use. The rules were never tuned on the corpus, so their scores there are unseen too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from _logistic import fit, probability

CORPUS_WEIGHT = 3
SEMANTIC_L2 = 1.0
FUSION_L2 = 0.1
NEIGHBOURS_K = 10


def fit_semantic(corpus: np.ndarray, corpus_labels: np.ndarray, extra: np.ndarray, extra_labels: np.ndarray) -> np.ndarray:
    features = np.vstack([extra, *([corpus] * CORPUS_WEIGHT)])
    labels = np.concatenate([extra_labels, *([corpus_labels] * CORPUS_WEIGHT)])
    return fit(features, labels.astype(float), SEMANTIC_L2)


def by_fold(folds: Sequence[str], score: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Every row's score from `score(held)`, called once per fold with that fold's mask: whatever
    it fits must be fitted on the other rows only."""
    folds = np.asarray(folds)
    out = np.zeros(len(folds))
    for fold in sorted(set(folds)):
        held = folds == fold
        out[held] = score(held)
    return out


def held_out_semantic(
    folds: Sequence[str], corpus: np.ndarray, corpus_labels: np.ndarray, extra: np.ndarray, extra_labels: np.ndarray,
) -> np.ndarray:
    """Each corpus row's semantic probability from a model trained without its fold."""
    return by_fold(folds, lambda held: probability(
        fit_semantic(corpus[~held], corpus_labels[~held], extra, extra_labels), corpus[held]))


def neighbour_shares(
    queries: np.ndarray, pool: np.ndarray, pool_labels: np.ndarray, k: int = NEIGHBOURS_K,
) -> np.ndarray:
    """Each query's share of pitches among its k most similar pool rows (cosine)."""
    pool = pool / np.linalg.norm(pool, axis=1, keepdims=True)
    out = np.zeros(len(queries))
    for start in range(0, len(queries), 1024):
        block = queries[start:start + 1024]
        similarity = (block / np.linalg.norm(block, axis=1, keepdims=True)) @ pool.T
        nearest = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
        out[start:start + len(block)] = pool_labels[nearest].mean(axis=1)
    return out


def held_out_neighbours(
    folds: Sequence[str], corpus: np.ndarray, corpus_labels: np.ndarray, extra: np.ndarray, extra_labels: np.ndarray,
) -> np.ndarray:
    """Each corpus row's share among the examples, its own fold left out."""
    return by_fold(folds, lambda held: neighbour_shares(
        corpus[held], np.vstack([corpus[~held], extra]), np.concatenate([corpus_labels[~held], extra_labels])))


def fusion_features(
    semantic: np.ndarray, rules_score: np.ndarray, rules_pitch: np.ndarray, share: np.ndarray,
) -> np.ndarray:
    """Must match `bot.domain.pitch_semantic.Fusion.probability`."""
    return np.column_stack([_logit(semantic), _logit(np.clip(rules_score, 0.01, 0.99)), rules_pitch.astype(float),
                            share])


def fit_fusion(features: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """(semantic, rules, rules_pitch, neighbours, bias)."""
    return fit(features, labels.astype(float), FUSION_L2)


def held_out_fusion(folds: Sequence[str], features: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Each row's fused probability from a fusion fitted without its fold."""
    return by_fold(folds, lambda held: probability(fit_fusion(features[~held], labels[~held]), features[held]))


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))
