"""Train the word model behind the pitch rules and write `bot/domain/data/pitch_model.json`.

    python benchmarks/train_pitch_model.py [--eval-dir DIR]

Standard library only, deterministic (fixed seed, ordered features, sorted output).

Split (`pitch_eval.TRAINING_SPLIT`; the benchmark reports the other rows apart as held out):
- TubeSpam files 01 (Psy) and 02 (KatyPerry), spam = pitch;
- own labelled rows with odd ids, English and Spanish, and the blind batches the rules were
  tuned on after their first measurement (`TRAINED_BATCHES`); later batches are never trained on;
- the own training corpus (`tests/data/pitch_{en,es}_train.jsonl`): offers of one's own service
  in ordinary words, engagement asks, and ordinary replies that use the same words, written
  blind for the model; the rules were never tuned on it, so it is measured out of fold honestly;
- the replies rapport's own template drafter composes (`drafter_replies`), as negatives: they
  are the texts the detector judges most often, genuine by construction, and openers such as
  "buena pregunta" also start many subtle offers;
- the first half, in file order, of the SMS ham rows (negatives) and of the SMS spam rows.

Model: logistic regression over `bot.domain.pitch.model_features` (words and pairs of words;
links are left to the rules), fitted by stochastic gradient descent with AdaGrad steps and L2,
then pruned to the heaviest `KEEP` weights, rounded.

Threshold: chosen on the training split alone, from out-of-fold predictions of two folds that
each hold one TubeSpam video (so that the choice sees a video the model has not) and half of
the other rows. The highest recall on TubeSpam and own pitches wins among the thresholds whose
combined verdict (rules plus model, with `classify`'s own arithmetic) keeps the false-positive rate
at most `MAX_OWN_FPR` on all our own negatives together and `MAX_HAM_FPR` on SMS ham: stricter
than the targets, to leave room for rows the model has never seen. Recall out of fold on the
first set and the tuned batches says little (the rules were tuned on them); on the training
corpus, which no rule was tuned on, it is the honest figure.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import random
import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pitch_eval import (  # noqa: E402
    DEFAULT_EVAL_DIR, PROJECT, TRAIN_VIDEOS, TRAINED_BATCHES, TRAINING_SPLIT, Example,
    blind_batches, own, sms_halves, training_corpus, tubespam_videos,
)

from bot.domain.pitch import (  # noqa: E402
    PitchLexicon, PitchModel, RuleEvidence, combined_score, load_lexicon, model_features,
    model_probability, model_weight, rule_evidence,
)
from bot.drafting.template import load_templates  # noqa: E402

OUTPUT = PROJECT / "bot" / "domain" / "data" / "pitch_model.json"
SEED = 20240611
EPOCHS = 30
STEP = 0.1
L2 = 0.005
KEEP = 30000
DIGITS = 3
# Model evidence lighter than the lightest rule signal (a bare link) is noise.
FLOOR = 0.15
OWN_FAMILIES = ("own", "batch", "corpus")
THRESHOLDS = [round(0.30 + 0.01 * step, 2) for step in range(69)]  # 0.30 .. 0.98
MAX_OWN_FPR = 0.025  # over all our own negatives together: first set, batches, corpus
MAX_HAM_FPR = 0.01


@dataclasses.dataclass(frozen=True)
class Row:
    group: str  # "tubespam 01", "own en", "corpus es", "sms ham", "sms spam", ...
    example: Example
    features: tuple[str, ...]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL_DIR)
    args = parser.parse_args(argv)
    rules = dataclasses.replace(load_lexicon(), model=None)
    rows = _training_rows(args.eval_dir, rules)
    print(TRAINING_SPLIT)
    print(f"training rows: {len(rows)}")
    threshold = _choose_threshold(rows, rules)
    weights, bias = _fit(rows)
    _write(weights, bias, threshold)
    print(f"wrote {OUTPUT.relative_to(PROJECT)}: {len(weights)} weights, threshold {threshold}")
    return 0


def _training_rows(eval_dir: Path, rules: PitchLexicon) -> list[Row]:
    groups: list[tuple[str, list[Example]]] = [
        (f"tubespam {video}", examples)
        for video, examples in tubespam_videos(eval_dir).items() if video in TRAIN_VIDEOS
    ]
    for language in ("en", "es"):
        groups.append((f"own {language}", [e for n, e in own(language) if n % 2 == 1]))
        batches = blind_batches(language)
        groups += [(f"batch {language} {n}", batches[n]) for n in TRAINED_BATCHES]
        groups.append((f"corpus {language}", training_corpus(language)))
    for language, replies in drafter_replies().items():
        groups.append((f"drafts {language}", replies))
    groups.append(("sms ham", sms_halves(eval_dir, pitch=False)[0]))
    groups.append(("sms spam", sms_halves(eval_dir, pitch=True)[0]))
    return [
        Row(group, example, tuple(model_features(example.text, rules)))
        for group, examples in groups for example in examples
    ]


NAMES = ("Ana", "Tom", "P1", "Lu", "Marta", "Sam")
TOPICS = {"es": ("el huerto", "la mudanza a Lisboa", "tu libro"),
          "en": ("the pottery class", "the marathon plan", "your book")}


def drafter_replies() -> dict[str, list[Example]]:
    """Every reply variant of the packaged templates, after each greeting of its kind, with a
    follow-up; and every check-in. Names and topics rotate through fixed lists."""
    replies: dict[str, list[Example]] = {}
    for language, parts in load_templates().items():
        topics = TOPICS.get(language, TOPICS["en"])
        texts: list[str] = []
        follow_ups = [v for variants in parts["follow_up"].values() for v in variants]
        for kind, variants in parts["reply"].items():
            greetings = parts["greeting"].get(kind, parts["greeting"]["default"])
            for reply in variants:
                texts += [f"{greeting} {reply}" for greeting in greetings]
        texts += [f"{texts[n]} {follow}" for n, follow in enumerate(follow_ups)]
        texts += [v for variants in parts["check_in"].values() for v in variants]
        replies[language] = [
            Example(text.format(name=NAMES[n % len(NAMES)], topic=topics[n % len(topics)]), False)
            for n, text in enumerate(dict.fromkeys(texts))
        ]
    return replies


def _fit(rows: Sequence[Row]) -> tuple[dict[str, float], float]:
    """Logistic regression by SGD with AdaGrad step sizes; returns pruned, rounded weights."""
    weights: dict[str, float] = {}
    squares: dict[str, float] = {}
    bias, bias_squares = 0.0, 1e-8
    order = list(range(len(rows)))
    shuffler = random.Random(SEED)
    for _ in range(EPOCHS):
        shuffler.shuffle(order)
        for index in order:
            row = rows[index]
            z = bias + sum(weights.get(feature, 0.0) for feature in row.features)
            error = _sigmoid(z) - row.example.pitch
            for feature in row.features:
                gradient = error + L2 * weights.get(feature, 0.0)
                squares[feature] = squares.get(feature, 1e-8) + gradient * gradient
                weights[feature] = weights.get(feature, 0.0) - STEP * gradient / math.sqrt(
                    squares[feature]
                )
            bias_squares += error * error
            bias -= STEP * error / math.sqrt(bias_squares)
    return _prune(weights), round(bias, DIGITS)


def _prune(weights: dict[str, float]) -> dict[str, float]:
    heaviest = sorted(weights.items(), key=lambda item: (-abs(item[1]), item[0]))[:KEEP]
    rounded = {feature: round(value, DIGITS) for feature, value in heaviest}
    return {feature: value for feature, value in sorted(rounded.items()) if value}


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def _choose_threshold(rows: Sequence[Row], rules: PitchLexicon) -> float:
    """The model threshold that catches most out of fold, within the false-positive bounds."""
    folds = _folds(rows)
    fitted = [_fit([row for row, fold in zip(rows, folds) if fold != k]) for k in (0, 1)]
    # The rules' findings and each row's out-of-fold probability do not depend on the
    # threshold: only how that probability weighs does, so each is worked out once.
    judged = []
    for row, fold in zip(rows, folds):
        evidence = rule_evidence(row.example.text, rules)
        weights, bias = fitted[fold]
        probability = model_probability(evidence.unexplained, PitchModel(weights, bias, THRESHOLDS[0], FLOOR))
        judged.append((row, fold, evidence, probability))
    best: tuple[int, float] | None = None
    print("out of fold, on the training split:")
    for threshold in THRESHOLDS:
        models = [PitchModel(weights, bias, threshold, FLOOR) for weights, bias in fitted]
        counts = _out_of_fold_counts(judged, models, rules)
        ours = [sum(cells) for cells in zip(*(counts[family] for family in OWN_FAMILIES))]
        caught = counts["tubespam"][0] + ours[0]
        within = _rate(ours, 2) <= MAX_OWN_FPR and _rate(counts["sms ham"], 2) <= MAX_HAM_FPR
        if within and (best is None or caught >= best[0]):  # ties go to the higher threshold
            best = (caught, threshold)
        print(f"  {threshold:.2f}{'' if within else ' (over bounds)'}: {_describe(counts)}")
    if best is None:
        raise SystemExit("no threshold keeps the false-positive rates within bounds")
    return best[1]


def _folds(rows: Sequence[Row]) -> list[int]:
    """Fold 0 holds TubeSpam 01, fold 1 TubeSpam 02; the other rows are dealt at random."""
    dealt = [index % 2 for index in range(len(rows))]
    random.Random(SEED).shuffle(dealt)
    named = {"tubespam 01": 0, "tubespam 02": 1}
    return [named.get(row.group, deal) for row, deal in zip(rows, dealt)]


def _out_of_fold_counts(
    judged: Sequence[tuple[Row, int, RuleEvidence, float]], models: Sequence[PitchModel],
    rules: PitchLexicon,
) -> dict[str, list[int]]:
    """[caught, missed, false alarms, true negatives] per family of groups, each verdict the
    one `classify` gives with the row's out-of-fold model (`models[fold]`)."""
    counts: dict[str, list[int]] = {}
    for row, fold, evidence, probability in judged:
        score = combined_score(evidence, model_weight(probability, models[fold], rules.threshold))
        predicted = score >= rules.threshold
        family = row.group if row.group.startswith("sms") else row.group.split()[0]
        cell = (0 if predicted else 1) if row.example.pitch else (2 if predicted else 3)
        counts.setdefault(family, [0, 0, 0, 0])[cell] += 1
    return counts


def _rate(count: Sequence[int], first: int) -> float:
    whole = count[first] + count[first + 1]
    return count[first] / whole if whole else 0.0


def _describe(counts: dict[str, list[int]]) -> str:
    parts = []
    for family, count in sorted(counts.items()):
        recall = f" recall {_rate(count, 0):.3f}" if count[0] + count[1] else ""
        fpr = f" FPR {_rate(count, 2):.3f}" if count[2] + count[3] else ""
        parts.append(family + recall + fpr)
    return ", ".join(parts)


def _write(weights: dict[str, float], bias: float, threshold: float) -> None:
    document = {
        "about": "Written by benchmarks/train_pitch_model.py; do not edit by hand.",
        "split": TRAINING_SPLIT.replace("\n", " "),
        "seed": SEED,
        "threshold": threshold,
        "floor": FLOOR,
        "bias": bias,
        "weights": weights,
    }
    text = json.dumps(document, ensure_ascii=False, indent=0, sort_keys=False)
    OUTPUT.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
