"""Train the discriminatory detector's linear model and write it as a pattern file.

    python scripts/train_discriminatory_model.py /path/to/dev/hate/dev.jsonl \\
        --output patterns/discriminatory/model.toml

Reads the hate dev set (shared/data/dev/hate, not in this repository) and trains on its TRAINING splits
only (HateXplain `train`, EDOS `train`, HatemojiBuild `train`, Davidson's HateSonar training part): the
validation splits stay back for the figures reported. The model is for what the rules miss, so it is
built and judged beside them:

- one L2 logistic regression decides (`discriminatory`: the row attacks a protected group at all), one
  per protected characteristic names which, all over binary unigram and bigram features of the
  detector's own normalised tokens (linear.py); normal rows holding no slur of the project's lexicon
  ("clean normal") weigh `--clean-weight` times a row, since a false alarm on them is the cost that counts;
- the deciding head's L2 strength is chosen among `--l2` by 5-fold cross-validation (folds fixed by a
  hash of each row id and `--seed`): the `medium` threshold of each fold's out-of-fold probabilities is
  the lowest that adds at most `--medium-fpr` of the clean normal rows to what the rules already flag
  (the rules are run on every row: the model only speaks where they found nothing), and the strength that
  then adds the most discriminatory rows the rules miss wins; `low` likewise with `--low-fpr`;
- the final fit on every training row keeps the `--keep` heaviest features of the deciding head,
  refits on them, and fits each characteristic head on the same features; the gate is the words whose
  weight alone makes a finding possible, so a message holding none of them is not scored.

Fitting is L-BFGS (scipy, needed here only; scanning reads the weights in pure Python) from zeros, with
no sampling, and weights are rounded to 4 places, so the same data and options give the same file.
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
from scipy import sparse
from scipy.optimize import minimize

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from whatsapp_audit.detect.discriminatory.detector import DiscriminatoryDetector  # noqa: E402
from whatsapp_audit.detect.discriminatory.linear import MODEL_FORMAT, OVERALL, features  # noqa: E402
from whatsapp_audit.detect.text.graphemes import is_emoji  # noqa: E402
from whatsapp_audit.errors import PatternError  # noqa: E402
from whatsapp_audit.rules.examples import build_example  # noqa: E402
from whatsapp_audit.rules.loader import load_patterns  # noqa: E402
from whatsapp_audit.rules.optional import choose_model, is_model_rule  # noqa: E402

CHARACTERISTICS = ("race", "religion_or_belief", "sex", "sexual_orientation", "gender_reassignment", "disability")
TRAINING = {("hatexplain", "train"), ("edos", "train"), ("hatemojibuild", "train"), ("davidson", "hatesonar_train70")}
FOLDS = 5
# Invented messages, for the rule's examples: those the trained model flags (and no rule already
# flags at its tier) become `match` examples, the ordinary ones it leaves alone `no_match`.
EXAMPLE_CANDIDATES = (
    "women are fat, ugly and filthy, i hate the lot of them",
    "♿ fat ugly 🤮 filthy",
    "the 👳‍♂️ lot are filthy 💩 ugly",
    "filthy 🏿 🤮 ugly fat and lazy",
    "filthy 🏿 people ruining the high street 🤮",
    "the gays 🏳️‍🌈 and their parades every bloody weekend",
    "the jews ✡ are behind all of it again",
    "more muslims moving onto the estate, 🧕 everywhere",
    "trans 🏳️‍🌈 nonsense again on the news",
    "♿ day out again for the disabled lot",
    "women are just too emotional to be put in charge of anything",
    "feminism ruined women, they used to know their place",
    "the jews own everything, open your eyes",
    "islam is a disease and the muslims spread it",
    "women belong in the kitchen not on the front line",
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
    l2: tuple[float, ...]
    clean_weight: float
    min_df: int
    keep: int
    medium_fpr: float
    low_fpr: float
    seed: int
    enabled: bool = False
    gate_keep: float = 0.99


@dataclass
class Data:
    ids: list[str]
    sources: list[str]
    feats: list[list[str]]
    labels: np.ndarray  # (rows, heads): the characteristics, then the deciding head, 0/1
    clean_normal: np.ndarray  # rows labelled normal that hold no slur of the project's lexicon
    ruled: np.ndarray  # rows the rules flag at all (the model adds only where they find nothing)


def load_rows(path: Path) -> list[dict[str, Any]]:
    rows = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                if (row["source"], row["split"]) in TRAINING:
                    rows.append(row)
    rows.sort(key=lambda r: r["id"])
    return rows


def build_data(rows: Sequence[dict[str, Any]], detector: DiscriminatoryDetector) -> Data:
    feats, labels, clean, ruled = [], [], [], []
    featuriser = detector.featuriser
    for row in rows:
        text = _NOISE.sub(" ", row["text"])
        norm = featuriser.normalise(text)
        feats.append(sorted(features(featuriser.tokens(norm.text))))
        labels.append([1.0 if row["discriminatory"] and c in row["characteristics"] else 0.0 for c in CHARACTERISTICS]
                      + [1.0 if row["discriminatory"] else 0.0])
        clean.append(row["label"] == "normal" and not detector._lexicon.scan(text.lower()))
        message, window = build_example(text)
        ruled.append(bool(list(detector.detect(message, window))))
    return Data([r["id"] for r in rows], [r["source"] for r in rows], feats, np.array(labels),
                np.array(clean, dtype=bool), np.array(ruled, dtype=bool))


def vocabulary(feats: Sequence[Sequence[str]], min_df: int) -> list[str]:
    counts: dict[str, int] = {}
    for row in feats:
        for f in row:
            counts[f] = counts.get(f, 0) + 1
    return sorted(f for f, n in counts.items() if n >= min_df)


def design(feats: Sequence[Sequence[str]], vocab: Sequence[str]) -> sparse.csr_matrix:
    """The sparse binary design matrix of the rows over `vocab`."""
    column = {f: i for i, f in enumerate(vocab)}
    rows, cols = [], []
    for r, row in enumerate(feats):
        for f in row:
            c = column.get(f)
            if c is not None:
                rows.append(r)
                cols.append(c)
    return sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(feats), len(vocab)))


def fit(x: sparse.csr_matrix, y: np.ndarray, weight: np.ndarray, l2: float) -> tuple[np.ndarray, float]:
    """L2 logistic regression (weighted mean log-loss, unpenalised bias) by L-BFGS from zeros: (weights, bias)."""
    d = x.shape[1]
    total = weight.sum()

    def loss(wb: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = wb[:d], wb[d]
        z = x @ w + b
        g = weight * (1.0 / (1.0 + np.exp(-z)) - y) / total
        value = float((weight * (np.logaddexp(0.0, z) - y * z)).sum() / total + 0.5 * l2 * w @ w)
        return value, np.concatenate([x.T @ g + l2 * w, [g.sum()]])

    result = minimize(loss, np.zeros(d + 1), jac=True, method="L-BFGS-B", options={"maxiter": 1000})
    return result.x[:d], float(result.x[d])


def fit_model(data: Data, index: np.ndarray, p: Params, l2: float,
              heads: bool = True) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Fit on the rows in `index`: the deciding head, pruned to its `p.keep` heaviest features and refitted,
    then (with `heads`) each characteristic head on those features. Weights (features, heads) and biases,
    rounded; a characteristic head left unfitted has zero weights."""
    feats = [data.feats[i] for i in index]
    weight = np.where(data.clean_normal[index], p.clean_weight, 1.0)
    y = data.labels[index]
    vocab = vocabulary(feats, p.min_df)
    w, _ = fit(design(feats, vocab), y[:, -1], weight, l2)
    order = np.lexsort((np.arange(w.size), -np.abs(w)))[: p.keep]
    kept = [vocab[i] for i in sorted(order)]
    x = design(feats, kept)
    weights = np.zeros((len(kept), y.shape[1]))
    bias = np.zeros(y.shape[1])
    for k in range(y.shape[1]) if heads else (y.shape[1] - 1,):
        weights[:, k], bias[k] = fit(x, y[:, k], weight, l2)
    return kept, np.round(weights, 4), np.round(bias, 4)


def predict(data: Data, index: np.ndarray, vocab: Sequence[str], w: np.ndarray, b: np.ndarray) -> np.ndarray:
    z = design([data.feats[i] for i in index], vocab) @ w + b
    return 1.0 / (1.0 + np.exp(-z))


def fold_of(row_id: str, seed: int) -> int:
    return int(hashlib.sha256(f"{seed}:{row_id}".encode()).hexdigest(), 16) % FOLDS


def threshold(score: np.ndarray, data: Data, rate: float) -> float:
    """The lowest probability (to 3 places) at which the clean normal rows the rules leave alone and the
    model flags are at most `rate` of all clean normal rows."""
    negatives = np.sort(score[data.clean_normal & ~data.ruled])[::-1]
    allowed = int(rate * int(data.clean_normal.sum()))
    edge = negatives[allowed] if allowed < len(negatives) else 0.0
    return float(min(0.999, np.ceil(edge * 1000 + 1e-9) / 1000))


def report(name: str, score: np.ndarray, data: Data, cut: float) -> str:
    """What the model adds to the rules at `cut`, per source: discriminatory rows, and clean normal rows."""
    added = (score >= cut) & ~data.ruled
    positive = data.labels[:, -1] > 0
    clean = data.clean_normal
    sources = np.array(data.sources)
    per = ", ".join(f"{s} +{int((added & positive & (sources == s)).sum())}/{int((positive & (sources == s)).sum())}"
                    for s in sorted(set(data.sources)))
    return (f"{name} >= {cut:.3f} adds: discriminatory rows the rules miss {int((added & positive).sum())} ({per}); "
            f"clean normal rows {int((added & clean).sum())}/{int(clean.sum())} "
            f"({(added & clean).sum() / max(1, clean.sum()):.2%})")


def gate_words(data: Data, flagged: np.ndarray, vocab: Sequence[str], w: np.ndarray, keep: float) -> tuple[list[str], float]:
    """The gate: words of the features whose deciding weight reaches a floor, the floor chosen as high as
    it can be while `keep` of the rows the model flags still hold one of them. For a bigram, its rarer
    word (fewer training rows) stands for it. Returns the words and the floor."""
    strongest = w[:, -1]
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
        if value >= floor and value > 0:
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
           data_path: Path, data_sha: str, p: Params, l2: float, cv_lines: Sequence[str],
           examples: tuple[Sequence[str], Sequence[str]]) -> str:
    heads = (*CHARACTERISTICS, OVERALL)
    lines = [
        "# The discriminatory detector's linear model (whatsapp_audit/detect/discriminatory/linear.py).",
        "# GENERATED by scripts/train_discriminatory_model.py: do not edit by hand, retrain instead.",
        f"# Data: {data_path.name} of the hate dev set, SHA-256 {data_sha}",
        "# Trained on the training splits only: " + ", ".join(f"{s} {sp}" for s, sp in sorted(TRAINING))
        + "; validation splits held back.",
        "# Cross-validated on the training rows (5 folds), beside the rules (what the model adds to them):",
        *(f"#   {line}" for line in cv_lines),
        "# Words below are features of abusive messages from the public research datasets (content warning).",
        "",
        "[pack]",
        'name = "discriminatory-model"',
        'version = "2"',
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
        f"# Thresholds on the `{OVERALL}` head's probability.",
        f"low = {low}",
        f"medium = {medium}",
        "gate = [" + ", ".join(toml_string(g) for g in gate) + "]",
        "",
        "[rule.options.model.training]",
        'script = "scripts/train_discriminatory_model.py"',
        f"data = {toml_string(data_path.name)}",
        f'data_sha256 = "{data_sha}"',
        "splits = [" + ", ".join(toml_string(f"{s}:{sp}") for s, sp in sorted(TRAINING)) + "]",
        "l2_tried = [" + ", ".join(str(v) for v in p.l2) + "]",
        f"l2 = {l2}",
        f"clean_weight = {p.clean_weight}",
        f"min_df = {p.min_df}",
        f"keep = {p.keep}",
        f"medium_fpr = {p.medium_fpr}",
        f"low_fpr = {p.low_fpr}",
        f"seed = {p.seed}",
        f"gate_keep = {p.gate_keep}",
        f"folds = {FOLDS}",
        "",
        "[rule.options.model.bias]",
        *(f"{c} = {float(b[k])}" for k, c in enumerate(heads)),
    ]
    for k, c in enumerate(heads):
        lines += ["", f"[rule.options.model.weights.{c}]"]
        lines += [f"{toml_string(f)} = {float(w[i, k])}" for i, f in enumerate(vocab) if w[i, k] != 0.0]
    return "\n".join(lines) + "\n"


def cross_validate(data: Data, p: Params, l2: float) -> np.ndarray:
    """Out-of-fold probabilities of the deciding head for every training row."""
    everything = np.arange(len(data.ids))
    folds = np.array([fold_of(i, p.seed) for i in data.ids])
    oof = np.zeros(len(everything))
    for k in range(FOLDS):
        train, held = everything[folds != k], everything[folds == k]
        vocab, w, b = fit_model(data, train, p, l2, heads=False)
        oof[held] = predict(data, held, vocab, w, b)[:, -1]
    return oof


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="dev.jsonl of the hate dev set")
    parser.add_argument("--output", type=Path, required=True, help="the model pattern file to write")
    parser.add_argument("--l2", type=float, nargs="+", default=[3e-4, 1e-3],
                        help="L2 strengths to choose among by cross-validation")
    parser.add_argument("--clean-weight", type=float, default=10.0, help="weight of a clean normal row")
    parser.add_argument("--min-df", type=int, default=2)
    parser.add_argument("--keep", type=int, default=6000, help="features of the deciding head kept")
    parser.add_argument("--medium-fpr", type=float, default=0.001)
    parser.add_argument("--low-fpr", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--enable", action="store_true", help="write the model enabled (runs without --model)")
    args = parser.parse_args(argv)
    p = Params(tuple(args.l2), args.clean_weight, args.min_df, args.keep, args.medium_fpr, args.low_fpr, args.seed,
               args.enable)
    raw = args.data.read_bytes()
    detector = DiscriminatoryDetector()
    problems: list[PatternError] = []  # an out-of-date model file must not stop its own retraining
    bundled = load_patterns(problems=problems)
    rules = [r for r in bundled.rules_for("discriminatory") if not is_model_rule(r)]
    detector.configure(rules)
    rows = load_rows(args.data)
    data = build_data(rows, detector)
    positive = data.labels[:, -1] > 0
    cv_lines = [(f"rows {len(rows)}, discriminatory {int(positive.sum())} (the rules flag "
                 f"{int((positive & data.ruled).sum())}), clean normal {int(data.clean_normal.sum())} (the rules flag "
                 f"{int((data.clean_normal & data.ruled).sum())})")]
    chosen: tuple[int, float, float, float] | None = None
    for l2 in p.l2:
        oof = cross_validate(data, p, l2)
        medium = threshold(oof, data, p.medium_fpr)
        low = min(medium, threshold(oof, data, p.low_fpr))
        gain = int(((oof >= medium) & ~data.ruled & positive).sum())
        cv_lines += [f"l2 {l2}: " + report("medium", oof, data, medium), f"l2 {l2}: " + report("low", oof, data, low)]
        if chosen is None or gain > chosen[0]:
            chosen = (gain, l2, low, medium)
    assert chosen is not None
    _, l2, low, medium = chosen
    everything = np.arange(len(rows))
    vocab, w, b = fit_model(data, everything, p, l2)
    final = predict(data, everything, vocab, w, b)[:, -1] >= low
    gate, floor = gate_words(data, final, vocab, w, p.gate_keep)
    words = set(gate)
    missed = sum(1 for i in np.flatnonzero(final) if not words & {part for f in data.feats[i] for part in f.split(" ")})
    cv_lines.append(f"chosen: l2 {l2}, low {low}, medium {medium}")
    cv_lines.append(f"gate: {len(gate)} words (weight >= {floor:.2f}); training rows the final model flags "
                    f"that hold none: {missed}/{int(final.sum())}")
    cv_lines.append(f"final: {len(vocab)} features, {int((w != 0).sum())} weights")
    for line in cv_lines:
        print(line, file=sys.stderr)
    digest = hashlib.sha256(raw).hexdigest()
    draft = render(vocab, w, b, low, medium, gate, args.data, digest, p, l2, cv_lines, (EXAMPLE_CANDIDATES[:1], ()))
    args.output.write_text(draft, encoding="utf-8", newline="\n")
    examples = pick_examples(args.output, rules)
    if not examples[0]:
        print("none of the invented examples is flagged by the model: add one to EXAMPLE_CANDIDATES", file=sys.stderr)
        return 1
    text = render(vocab, w, b, low, medium, gate, args.data, digest, p, l2, cv_lines, examples)
    args.output.write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
