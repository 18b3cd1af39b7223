"""What the `review` commands print: the validation table of `review stats`, its JSON, the merged
review file of `review merge` and its list of disagreements."""

from __future__ import annotations

from typing import Any, TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from whatsapp_audit.report.safe import json_dumps
from whatsapp_audit.report.summary import CATEGORY_LABELS
from whatsapp_audit.report.terminal import inert
from whatsapp_audit.triage.merge import Disagreement
from whatsapp_audit.triage.review import VERDICT_WORDS, Review, review_document
from whatsapp_audit.triage.stats import ReviewStats, Tally
from whatsapp_audit.wording import plural

SHORT = {"operational_data": "operational", "crime_scene_image": "image", "discriminatory_language": "discriminatory"}


def _precision(tally: Tally) -> str:
    bounds = tally.interval()
    if tally.precision is None or bounds is None:
        return "-"
    return f"{tally.precision:.0%} ({bounds[0] * 100:.0f}-{bounds[1]:.0%})"


def _row(tally: Tally) -> list[str]:
    unreviewed = "-" if tally.unreviewed is None else str(tally.unreviewed)
    return [str(tally.confirmed), str(tally.not_a_concern), str(tally.unsure), str(tally.disagreed), unreviewed,
            _precision(tally)]


def _table(title: str, first: list[str]) -> Table:
    table = Table(title=title, title_justify="left", show_edge=False)
    for name in first:
        table.add_column(name)
    for name in ("confirmed", "not a concern", "unsure", "disagreed", "unreviewed", "precision (95% interval)"):
        table.add_column(name, justify="right")
    return table


def render_stats(stats: ReviewStats, console: Console) -> None:
    """Per category, per rule and overall; the method under the tables, so a reader can quote it."""
    for file in stats.files:
        console.print(Text("review file   ") + inert(file.path) + Text(f"  {len(file.reviews)} entries  sha256 {file.sha256}"))
    for report in stats.reports:
        console.print(Text("report        ") + inert(report.path) + Text(f"  {len(report.findings)} findings"))
    console.print()
    by_category = _table("By category", ["category"])
    for name, tally in sorted(stats.by_category.items()):
        by_category.add_row(CATEGORY_LABELS.get(name, name), *_row(tally))
    by_category.add_row("all", *_row(stats.total), style="bold")
    console.print(by_category)
    by_rule = _table("By rule", ["rule", "category"])
    for name, tally in sorted(stats.by_rule.items()):
        category = stats.rule_category.get(name, "")
        by_rule.add_row(inert(name), SHORT.get(category, category), *_row(tally))
    console.print(by_rule)
    console.print(Text("precision = confirmed / (confirmed + not a concern); unsure and disagreed verdicts are left "
                       "out of it. The range is the 95% Wilson score interval: with few verdicts it is wide."))
    if stats.unattributed:
        console.print(Text(f"{plural(stats.unattributed, 'verdict')} could not be put against a rule: give the JSON report "
                           "they were made on with --report."))
    if any(tally.disagreed for tally in stats.by_rule.values()):
        console.print(Text("Reviewers disagree on some findings: `whatsapp-audit review merge` lists them."))


def write_stats_json(stats: ReviewStats, out: TextIO) -> None:
    out.write(json_dumps(stats.record(), indent=2) + "\n")


def write_review_file(reviews: list[Review], out: TextIO, **fields: Any) -> None:
    out.write(json_dumps(review_document(reviews, **fields), indent=2) + "\n")


def render_disagreements(disagreements: list[Disagreement], console: Console) -> None:
    """One block per finding the files disagree on: its id, then each file's verdict and note."""
    for item in disagreements:
        console.print(Text(f"{item.id}", style="bold"))
        for path, review in item.entries:
            line = Text("  ") + inert(review.reviewer or path) + Text(f": {VERDICT_WORDS[review.verdict]}")
            if review.note:
                line += Text(" (") + inert(review.note) + Text(")")
            console.print(line)
