"""Train the semantic pitch model and write `bot/domain/data/pitch_semantic.json`.

    python benchmarks/train_pitch_semantic.py

A logistic regression over sentence embeddings (`bot/encoders/usem.py`: the multilingual
Universal Sentence Encoder, 512 dimensions), fitted by Newton's method (`_logistic.py`):
deterministic, the same data always gives the same weights.

Trained on the sector corpus and the first headline set (every writer, weighted: see
`_fusion.py`), on ordinary professional messages (`tests/data/interests/`, the drafting
scenarios' development messages) and on the word model's training split (`pitch_eval.TRAINING_SPLIT`: TubeSpam 01-02, own odd ids, blind batches 1-2, the
training corpus, the first halves of SMS ham and spam, the template drafter's replies). The corpus teaches what pitches and same-word talk
look like across sectors; the older rows teach what ordinary chat looks like, without which the
model calls a third of SMS chat a pitch. The fusion with the rules is then fitted on the corpus
with writer-held-out semantic scores and neighbour shares (`_fusion.py`). Every training row's
vector, labelled, is written to `bot/domain/data/pitch_neighbours.npz` (int8, unit length) for the
neighbours' share.

2026-12-08: the neighbours' share joined the fusion, with four new training writers
(`pitch_sectors/*-w5`, `*-w6`, ordinary messages that look like selling among their rows) and the
first headline set, scored once before, as training data. Chosen writer-held-out over all
sixteen writers, looking at the first headline set's writers too (so it no longer estimates
anything): at 0.5 the outgoing verdict kept recall while false positives on hard negatives and
ordinary replies fell by about a third. The second headline set (`pitch_headline2/`) was
written before this and sealed until the model was frozen.

Operating points, on the fused probability, chosen on 2026-12-08 writer-held-out over sixteen
writers (`pitch_generalisation.py`), with TubeSpam 03-05 and SMS ham's second half beside them:
those no longer estimate unseen text; the headline set (`pitch_operating_points.py --headline`)
does. No setting met every target at once:
- OUTGOING (the guardrail) favours recall: a missed pitch reaches a first contact, a false block
  costs one edit. At 0.55: recall 0.933 en / 0.940 es, false positives 0.043 / 0.037 on hard
  negatives and 0.042 / 0.075 on ordinary messages written to look like selling (at 0.4: 0.949 /
  0.960, 0.062 / 0.057, 0.075 / 0.108; at 0.6: 0.928 / 0.934, 0.040 / 0.033, 0.037 / 0.058;
  those two before shouted texts were read in lower case).
  TubeSpam 03-05 0.822, SMS chat 0.004.
- INCOMING favours precision: a message called a pitch loses its draft suggestion and its place
  in the contact's memory, a false one loses a conversation. 0.7, with the cascade sending rules
  scores from UNSURE_FROM up to CERTAIN to the encoder (18% of the mixed benchmark stream, 4% of
  everyday chat): 0.816 en / 0.873 es at 0.027 / 0.017; SMS chat 0.002.
- CERTAIN: rules evidence this strong is a pitch whatever the model says; it keeps disguised
  offers that the encoder cannot read ("p r o m o", digits for letters). At 0.7 it also passed
  warnings about scams ("it's a 'link in bio' investment scam") as pitches; 0.9 keeps the
  disguises (57/58 obfuscated en and es, writer held out).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _corpus import training_corpus_rows  # noqa: E402
from _embeddings import embed  # noqa: E402
from _fusion import (  # noqa: E402
    NEIGHBOURS_K, fit_fusion, fit_semantic, fusion_features, held_out_neighbours, held_out_semantic,
)
from train_pitch_model import drafter_replies  # noqa: E402
from pitch_eval import (  # noqa: E402
    DEFAULT_EVAL_DIR, TRAIN_VIDEOS, TRAINED_BATCHES, blind_batches, own, sms_halves, training_corpus,
    tubespam_videos,
)

from bot.domain.pitch import classify, load_lexicon  # noqa: E402
from bot.encoders.usem import NAME  # noqa: E402

PROJECT = Path(__file__).resolve().parents[1]
OUTPUT = PROJECT / "bot" / "domain" / "data" / "pitch_semantic.json"
NEIGHBOURS_OUTPUT = PROJECT / "bot" / "domain" / "data" / "pitch_neighbours.npz"
OUTGOING = 0.55
INCOMING = 0.7
CERTAIN = 0.9
UNSURE_FROM = 0.1
DECIMALS = 5


def extra_rows() -> list[tuple[str, bool]]:
    """The word model's training split: every training row outside the sector corpus."""
    rows: list[tuple[str, bool]] = []
    for language in ("en", "es"):
        rows += [(e.text, e.pitch) for e in training_corpus(language)]
        rows += [(e.text, e.pitch) for number, e in own(language) if number % 2 == 1]
        rows += [(e.text, e.pitch) for batch, examples in blind_batches(language).items()
                 if batch in TRAINED_BATCHES for e in examples]
    videos = tubespam_videos(DEFAULT_EVAL_DIR)
    rows += [(e.text, e.pitch) for video in TRAIN_VIDEOS for e in videos[video]]
    rows += [(e.text, e.pitch) for e in sms_halves(DEFAULT_EVAL_DIR, pitch=False)[0]]
    rows += [(e.text, e.pitch) for e in sms_halves(DEFAULT_EVAL_DIR, pitch=True)[0]]
    # The outgoing guardrail reads rapport's own drafts first of all: without them the model
    # read the template's "¿Tienes algún ejemplo?" as a qualifying question.
    rows += [(e.text, e.pitch) for replies in drafter_replies().values() for e in replies]
    rows += [(text, False) for text in ordinary_messages()]
    rows += [(text, False) for text in scenario_drafts()]
    return rows


def scenario_drafts() -> list[str]:
    """The template drafter's every suggestion for the drafting development scenarios: answers
    that share a link the person asked for or say what the account holder does, which the model
    read as offers when links and "what I do" appeared mostly in pitches. The held-out scenarios
    (`heldout-*.jsonl`) stay out, so `draft_eval.py` still measures the guardrail on drafts it
    never saw."""
    from draft_eval import FixedClock, build_drafter, call_for, load_scenarios

    texts = []
    for language in ("en", "es"):
        for number, scenario in enumerate(load_scenarios(language), start=1):
            drafter = build_drafter("template", scenario.get("about"), clock=FixedClock())
            texts += [suggestion.text for suggestion in drafter.suggest(*call_for(number, scenario))]
    return list(dict.fromkeys(texts))


def ordinary_messages() -> list[str]:
    """Messages people send to professional contacts, none of them a pitch: the interest
    extractor's labelled set and the drafting scenarios' development messages."""
    texts = []
    for language in ("en", "es"):
        for path in (PROJECT / "tests" / "data" / "interests" / f"{language}.jsonl",
                     PROJECT / "benchmarks" / "data" / "draft_scenarios" / f"{language}.jsonl"):
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    record = json.loads(line)
                    texts.append(record.get("text") or record["message"])
    return texts


def main() -> int:
    corpus = training_corpus_rows()
    extra = extra_rows()
    corpus_vectors = embed([row.text for row in corpus])
    corpus_labels = np.array([row.pitch for row in corpus], dtype=float)
    extra_vectors = embed([text for text, _ in extra])
    extra_labels = np.array([pitch for _, pitch in extra], dtype=float)
    weights = fit_semantic(corpus_vectors, corpus_labels, extra_vectors, extra_labels)
    folds = [row.writer for row in corpus]
    held_out = held_out_semantic(folds, corpus_vectors, corpus_labels, extra_vectors, extra_labels)
    shares = held_out_neighbours(folds, corpus_vectors, corpus_labels, extra_vectors, extra_labels)
    lexicon = load_lexicon()
    rules = [classify(row.text, lexicon) for row in corpus]
    fusion = fit_fusion(fusion_features(held_out, np.array([r.score for r in rules]),
                                        np.array([r.pitch for r in rules]), shares), corpus_labels)
    model = {
        "encoder": NAME,
        "trained_on": (f"{len(corpus) + len(extra)} rows: the sector corpus, the first headline set, ordinary"
                       " messages and the word model's training split"),
        "outgoing_threshold": OUTGOING,
        "incoming_threshold": INCOMING,
        "certain_rules": CERTAIN,
        "incoming_unsure_from": UNSURE_FROM,
        "neighbours_k": NEIGHBOURS_K,
        "fusion": {name: round(float(value), DECIMALS) for name, value
                   in zip(("semantic", "rules", "rules_pitch", "neighbours", "bias"), fusion, strict=True)},
        "bias": round(float(weights[-1]), DECIMALS),
        "weights": [round(float(w), DECIMALS) for w in weights[:-1]],
    }
    OUTPUT.write_text(json.dumps(model, indent=None, separators=(",", ":")) + "\n", encoding="utf-8")
    write_neighbours(np.vstack([corpus_vectors, extra_vectors]), np.concatenate([corpus_labels, extra_labels]))
    print(f"wrote {OUTPUT.relative_to(OUTPUT.parents[3])}: {model['trained_on']}, fusion {model['fusion']}")
    return 0


def write_neighbours(vectors: np.ndarray, labels: np.ndarray) -> None:
    """Unit-length vectors as int8 with one scale, and their labels (see `bot/encoders/neighbours.py`)."""
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    scale = float(np.abs(unit).max()) / 127.0
    np.savez_compressed(
        NEIGHBOURS_OUTPUT, vectors=np.round(unit / scale).astype(np.int8), labels=labels.astype(np.uint8),
        scale=np.float32(scale), encoder=np.str_(NAME),
    )


if __name__ == "__main__":
    sys.exit(main())
