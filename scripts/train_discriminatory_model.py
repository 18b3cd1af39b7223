"""Train the discriminatory detector's linear model and write it as a pattern file.

    python scripts/train_discriminatory_model.py /path/to/dev/hate/dev.jsonl \\
        --output patterns/discriminatory/model.toml

Reads the hate dev set (shared/data/dev/hate, not in this repository) and trains on its TRAINING splits
only (HateXplain `train`, EDOS `train`, HatemojiBuild `train`; Davidson with `--davidson`): the
validation splits stay back for the figures reported. One logistic regression with L2 per protected
characteristic (one-vs-rest: the row is discriminatory and names that characteristic), over binary
unigram and bigram features of the detector's own normalised tokens (linear.py), fitted by
full-batch Nesterov gradient descent in numpy: no randomness, so the same data and options give a
byte-identical file.

Steps: 5-fold cross-validation (folds fixed by a hash of each row's id and `--seed`) gives every
training row an out-of-fold probability; the `medium` threshold is the lowest that keeps the flag rate
on normal training rows holding no slur of the project's lexicon at or under `--medium-fpr`, the `low`
threshold likewise with `--low-fpr`. Then a fit on every training row, pruned to the `--keep`
heaviest weights and refitted on those, is written with its gate: the words whose weight alone makes
a finding possible, so a message holding none of them is not scored.

numpy is needed here only (spaCy brings it); scanning reads the weights in pure Python.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from whatsapp_audit.detect.discriminatory.detector import DiscriminatoryDetector  # noqa: E402
from whatsapp_audit.detect.discriminatory.linear import MODEL_FORMAT, features  # noqa: E402
from whatsapp_audit.detect.text.graphemes import is_emoji  # noqa: E402
from whatsapp_audit.errors import PatternError  # noqa: E402
from whatsapp_audit.rules.examples import build_example  # noqa: E402
from whatsapp_audit.rules.loader import load_patterns  # noqa: E402
from whatsapp_audit.rules.optional import choose_model, is_model_rule  # noqa: E402

CHARACTERISTICS = ("race", "religion_or_belief", "sex", "sexual_orientation", "gender_reassignment", "disability")
TRAINING = {("hatexplain", "train"), ("edos", "train"), ("hatemojibuild", "train")}
FOLDS = 5
# Invented messages, for the rule's examples: those the trained model flags (and no rule already
# flags at its tier) become `match` examples, the ordinary ones it leaves alone `no_match`.
EXAMPLE_CANDIDATES = (
    "the gays 🏳️‍🌈 and their parades every bloody weekend",
    "the jews ✡ are behind all of it again",
    "more muslims moving onto the estate, 🧕 everywhere",
    "trans 🏳️‍🌈 nonsense again on the news",
    "♿ day out again for the disabled lot",
    "women are just too emotional to be put in charge of anything",
    "feminism ruined women, they used to know their place",
    "the jews own everything, open your eyes",
)
ORDINARY_CANDIDATES = (
    "who's on the van tomorrow morning?",
    "great result for the lads at the football last night",
    "can someone cover my shift on saturday",
    "briefing is at 7 in the main room, bring your notebooks",
)
# Placeholders and handles of the sources (HateXplain's <user>, Davidson's @names, links): no chat has them.
_NOISE = re.compile(r"<user>|<number>|<url>|https?://\S+|(?<![\w@])@\w+|&amp;|#(?=\w)", re.IGNORECASE)


@dataclass(frozen=True)
class Params:
    l2: float
    rate: float
    iterations: int
    min_df: int
    keep: int
    medium_fpr: float
    low_fpr: float
    seed: int
    davidson: bool
    enabled: bool = False
    gate_keep: float = 0.99


@dataclass
class Data:
    ids: list[str]
    feats: list[list[str]]
    labels: np.ndarray  # (rows, characteristics) of 0/1
    clean_normal: np.ndarray  # rows labelled normal that hold no slur of the project's lexicon


def load_rows(path: Path, davidson: bool) -> list[dict[str, Any]]:
    rows = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            row = json.loads(line)
            if (row["source"], row["split"]) in TRAINING or (davidson and row["source"] == "davidson"):
                if row["discriminatory"] and not set(row["characteristics"]) & set(CHARACTERISTICS):
                    continue  # hateful, but at no protected characteristic: no head to teach
                rows.append(row)
    rows.sort(key=lambda r: r["id"])
    return rows


def build_data(rows: Sequence[dict[str, Any]], detector: DiscriminatoryDetector) -> Data:
    feats, labels, clean = [], [], []
    featuriser = detector.featuriser
    for row in rows:
        text = _NOISE.sub(" ", row["text"])
        norm = featuriser.normalise(text)
        feats.append(sorted(features(featuriser.tokens(norm.text))))
        labels.append([1.0 if row["discriminatory"] and c in row["characteristics"] else 0.0 for c in CHARACTERISTICS])
        clean.append(row["label"] == "normal" and not detector._lexicon.scan(text.lower()))
    return Data([r["id"] for r in rows], feats, np.array(labels), np.array(clean, dtype=bool))


def vocabulary(feats: Sequence[Sequence[str]], min_df: int) -> list[str]:
    counts: dict[str, int] = {}
    for row in feats:
        for f in row:
            counts[f] = counts.get(f, 0) + 1
    return sorted(f for f, n in counts.items() if n >= min_df)


def design(feats: Sequence[Sequence[str]], vocab: Sequence[str]) -> tuple[np.ndarray, np.ndarray, int]:
    """The sparse binary design matrix as (row index, column index) arrays, sorted by row."""
    column = {f: i for i, f in enumerate(vocab)}
    rows, cols = [], []
    for r, row in enumerate(feats):
        for f in row:
            c = column.get(f)
            if c is not None:
                rows.append(r)
                cols.append(c)
    return np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64), len(feats)


def fit(rows: np.ndarray, cols: np.ndarray, n: int, width: int, y: np.ndarray, p: Params) -> tuple[np.ndarray, np.ndarray]:
    """L2 logistic regression per column of `y`, full-batch Adam (no sampling: deterministic): (weights, biases)."""
    heads = y.shape[1]
    w = np.zeros((width, heads))
    b = np.log((y.mean(axis=0) + 1e-3) / (1 - y.mean(axis=0) + 1e-3))
    mw, vw, mb, vb = np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for t in range(1, p.iterations + 1):
        z = _scores(rows, cols, n, w, b)
        r = (1.0 / (1.0 + np.exp(-z)) - y) / n
        gw = np.stack([np.bincount(cols, weights=r[rows, k], minlength=width) for k in range(heads)], axis=1) + p.l2 * w
        gb = r.sum(axis=0)
        mw = beta1 * mw + (1 - beta1) * gw
        vw = beta2 * vw + (1 - beta2) * gw * gw
        mb = beta1 * mb + (1 - beta1) * gb
        vb = beta2 * vb + (1 - beta2) * gb * gb
        scale = p.rate * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
        w -= scale * mw / (np.sqrt(vw) + eps)
        b -= scale * mb / (np.sqrt(vb) + eps)
    return w, b


def _scores(rows: np.ndarray, cols: np.ndarray, n: int, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    z = np.tile(b, (n, 1))
    for k in range(w.shape[1]):
        z[:, k] += np.bincount(rows, weights=w[cols, k], minlength=n)
    return z


def fit_pruned(data: Data, index: np.ndarray, p: Params) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Fit on the rows in `index`, keep the `p.keep` heaviest (feature, head) weights, refit on those."""
    feats = [data.feats[i] for i in index]
    y = data.labels[index]
    vocab = vocabulary(feats, p.min_df)
    rows, cols, n = design(feats, vocab)
    w, _ = fit(rows, cols, n, len(vocab), y, p)
    flat = np.abs(w).ravel()
    order = np.lexsort((np.arange(flat.size), -flat))[: p.keep]
    mask = np.zeros(flat.size, dtype=bool)
    mask[order] = True
    mask = mask.reshape(w.shape)
    kept = [f for i, f in enumerate(vocab) if mask[i].any()]
    rows, cols, n = design(feats, kept)
    w, b = fit(rows, cols, n, len(kept), y, p)
    w[~mask[[vocab.index(f) for f in kept]]] = 0.0  # only the chosen (feature, head) pairs carry weight
    return kept, np.round(w, 4), np.round(b, 4)


def predict(data: Data, index: np.ndarray, vocab: Sequence[str], w: np.ndarray, b: np.ndarray) -> np.ndarray:
    rows, cols, n = design([data.feats[i] for i in index], vocab)
    return 1.0 / (1.0 + np.exp(-_scores(rows, cols, n, w, b)))


def fold_of(row_id: str, seed: int) -> int:
    return int(hashlib.sha256(f"{seed}:{row_id}".encode()).hexdigest(), 16) % FOLDS


def threshold(best: np.ndarray, clean: np.ndarray, rate: float) -> float:
    """The lowest probability (to 3 places) that flags at most `rate` of the clean normal rows."""
    negatives = np.sort(best[clean])[::-1]
    allowed = int(rate * len(negatives))
    edge = negatives[allowed] if allowed < len(negatives) else 0.0
    return float(np.ceil(edge * 1000 + 1e-9) / 1000)


def report(name: str, best: np.ndarray, data: Data, cut: float, positive: np.ndarray) -> str:
    flagged = best >= cut
    clean = data.clean_normal
    return (f"{name} >= {cut:.3f}: recall {flagged[positive].mean():.1%} ({flagged[positive].sum()}/{positive.sum()}), "
            f"clean normal flagged {flagged[clean].mean():.2%} ({flagged[clean].sum()}/{clean.sum()})")


def gate_words(data: Data, flagged: np.ndarray, vocab: Sequence[str], w: np.ndarray, keep: float) -> tuple[list[str], float]:
    """The gate: words of the features whose weight reaches a floor, the floor chosen as high as it
    can be while `keep` of the rows the model flags still hold one of them. For a bigram, its rarer
    word (fewer training rows) stands for it. Returns the words and the floor."""
    strongest = w.max(axis=1)
    weight = {f: float(strongest[i]) for i, f in enumerate(vocab)}
    best = sorted(max((weight.get(f, 0.0) for f in data.feats[i]), default=0.0) for i in np.flatnonzero(flagged))
    floor = best[int((1 - keep) * len(best))] if best else 0.0
    df: dict[str, int] = {}
    for row in data.feats:
        for f in row:
            if " " not in f:
                df[f] = df.get(f, 0) + 1
    words: set[str] = set()
    for feature, value in weight.items():
        if value >= floor:
            parts = [part for part in feature.split(" ") if _WORDISH.fullmatch(part) or is_emoji(part)]
            if parts:
                words.add(min(parts, key=lambda part: (df.get(part, 0), part)))
    return sorted(words), floor


_WORDISH = re.compile(r"[^\W_][\w'*]*")


def toml_string(text: str) -> str:
    out = json.dumps(text, ensure_ascii=False)
    if any(ord(ch) < 0x20 or 0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        raise ValueError(f"feature {text!r} cannot be written to TOML")
    return out


def pick_examples(path: Path, rules: Sequence[Any]) -> tuple[list[str], list[str]]:
    """The candidates the model (written at `path`) flags beside the rules, and the ordinary ones it leaves alone."""
    model_rules = choose_model(load_patterns([path], include_default=False), True).rules
    detector = DiscriminatoryDetector()
    detector.configure([*rules, *model_rules])

    def fires(text: str) -> bool:
        message, window = build_example(text)
        return any(f.rule == model_rules[0].id for f in detector.detect(message, window))

    return [t for t in EXAMPLE_CANDIDATES if fires(t)][:4], [t for t in ORDINARY_CANDIDATES if not fires(t)]


def render(vocab: Sequence[str], w: np.ndarray, b: np.ndarray, low: float, medium: float, gate: Sequence[str],
           data_path: Path, data_sha: str, p: Params, cv_lines: Sequence[str],
           examples: tuple[Sequence[str], Sequence[str]]) -> str:
    lines = [
        "# The discriminatory detector's linear model (whatsapp_audit/detect/discriminatory/linear.py).",
        "# GENERATED by scripts/train_discriminatory_model.py: do not edit by hand, retrain instead.",
        f"# Data: {data_path.name} of the hate dev set, SHA-256 {data_sha}",
        "# Trained on the training splits only: " + ", ".join(f"{s} {sp}" for s, sp in sorted(TRAINING))
        + (", davidson" if p.davidson else "") + "; validation splits held back.",
        "# Cross-validated on the training rows (5 folds):",
        *(f"#   {line}" for line in cv_lines),
        "# Words below are features of abusive messages from the public research datasets (content warning).",
        "",
        "[pack]",
        'name = "discriminatory-model"',
        'version = "1"',
        'description = "Linear model over words; off unless --model."',
        "",
        "[[rule]]",
        'id = "DIS-MODEL"',
        'title = "Discriminatory language (statistical model)"',
        'category = "discriminatory_language"',
        'detector = "discriminatory"',
        'severity = "medium"',
        'confidence = "medium"',
        ('why = "Words typical of messages that demean people for a protected characteristic, scored by a linear '
        'model trained on labelled posts: a lead for review, to be read in context."'),
        ('guidance = "Standards of Professional Behaviour: Equality and Diversity; Authority, Respect and Courtesy '
        '(Police (Conduct) Regulations 2020, Sch. 2); Equality Act 2010."'),
        "",
        "[rule.examples]",
        "match = [" + ", ".join(toml_string(t) for t in examples[0]) + "]",
        "no_match = [" + ", ".join(toml_string(t) for t in examples[1]) + "]",
        "",
        "[rule.options.model]",
        f"format = {MODEL_FORMAT}",
        "# Off unless `--model` is given (or this says true): see patterns/discriminatory/README.md for the",
        "# validation figures with and without it.",
        f"enabled = {'true' if p.enabled else 'false'}",
        "characteristics = [" + ", ".join(toml_string(c) for c in CHARACTERISTICS) + "]",
        f"low = {low}",
        f"medium = {medium}",
        "gate = [" + ", ".join(toml_string(g) for g in gate) + "]",
        "",
        "[rule.options.model.training]",
        'script = "scripts/train_discriminatory_model.py"',
        f"data = {toml_string(data_path.name)}",
        f'data_sha256 = "{data_sha}"',
        "splits = [" + ", ".join(toml_string(f"{s}:{sp}") for s, sp in sorted(TRAINING))
        + (', "davidson:hatesonar_train70"' if p.davidson else "") + "]",
        f"l2 = {p.l2}",
        f"rate = {p.rate}",
        f"iterations = {p.iterations}",
        f"min_df = {p.min_df}",
        f"keep = {p.keep}",
        f"medium_fpr = {p.medium_fpr}",
        f"low_fpr = {p.low_fpr}",
        f"seed = {p.seed}",
        f"gate_keep = {p.gate_keep}",
        f"folds = {FOLDS}",
        "",
        "[rule.options.model.bias]",
        *(f"{c} = {float(b[k])}" for k, c in enumerate(CHARACTERISTICS)),
    ]
    for k, c in enumerate(CHARACTERISTICS):
        lines += ["", f"[rule.options.model.weights.{c}]"]
        lines += [f"{toml_string(f)} = {float(w[i, k])}" for i, f in enumerate(vocab) if w[i, k] != 0.0]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="dev.jsonl of the hate dev set")
    parser.add_argument("--output", type=Path, required=True, help="the model pattern file to write")
    parser.add_argument("--l2", type=float, default=1e-4)
    parser.add_argument("--rate", type=float, default=0.05, help="Adam step size")
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--min-df", type=int, default=3)
    parser.add_argument("--keep", type=int, default=3000, help="(feature, characteristic) weights kept")
    parser.add_argument("--medium-fpr", type=float, default=0.001)
    parser.add_argument("--low-fpr", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--davidson", action="store_true", help="also train on Davidson's rows")
    parser.add_argument("--enable", action="store_true", help="write the model enabled (runs without --model)")
    args = parser.parse_args(argv)
    p = Params(args.l2, args.rate, args.iterations, args.min_df, args.keep, args.medium_fpr, args.low_fpr, args.seed,
               args.davidson, args.enable)
    raw = args.data.read_bytes()
    detector = DiscriminatoryDetector()
    problems: list[PatternError] = []  # an out-of-date model file must not stop its own retraining
    bundled = load_patterns(problems=problems)
    rules = [r for r in bundled.rules_for("discriminatory") if not is_model_rule(r)]
    detector.configure(rules)
    rows = load_rows(args.data, p.davidson)
    data = build_data(rows, detector)
    everything = np.arange(len(rows))
    folds = np.array([fold_of(i, p.seed) for i in data.ids])
    oof = np.zeros(data.labels.shape)
    for k in range(FOLDS):
        train, held = everything[folds != k], everything[folds == k]
        vocab, w, b = fit_pruned(data, train, p)
        oof[held] = predict(data, held, vocab, w, b)
    best = oof.max(axis=1)
    positive = data.labels.max(axis=1) > 0
    medium = threshold(best, data.clean_normal, p.medium_fpr)
    low = min(medium, threshold(best, data.clean_normal, p.low_fpr))
    cv_lines = [f"rows {len(rows)}, positives {int(positive.sum())}, clean normal rows {int(data.clean_normal.sum())}",
                report("medium", best, data, medium, positive), report("low", best, data, low, positive)]
    vocab, w, b = fit_pruned(data, everything, p)
    final = predict(data, everything, vocab, w, b).max(axis=1) >= low
    gate, floor = gate_words(data, final, vocab, w, p.gate_keep)
    words = set(gate)
    missed = sum(1 for i in np.flatnonzero(final) if not words & {part for f in data.feats[i] for part in f.split(" ")})
    cv_lines.append(f"gate: {len(gate)} words (weight >= {floor:.2f}); training rows the final model flags "
                    f"that hold none: {missed}/{int(final.sum())}")
    cv_lines.append(f"final: {len(vocab)} features, {int((w != 0).sum())} weights")
    for line in cv_lines:
        print(line, file=sys.stderr)
    digest = hashlib.sha256(raw).hexdigest()
    draft = render(vocab, w, b, low, medium, gate, args.data, digest, p, cv_lines, (EXAMPLE_CANDIDATES[:1], ()))
    args.output.write_text(draft, encoding="utf-8", newline="\n")
    examples = pick_examples(args.output, rules)
    if not examples[0]:
        print("none of the invented examples is flagged by the model: add one to EXAMPLE_CANDIDATES", file=sys.stderr)
        return 1
    text = render(vocab, w, b, low, medium, gate, args.data, digest, p, cv_lines, examples)
    args.output.write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
