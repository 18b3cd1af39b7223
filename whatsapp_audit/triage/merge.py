"""`review merge`: two (or more) reviewers' files as one, and where they disagree.

Entries are joined by finding id. An id only one file has is taken as it is; where the files agree
on the verdict the entry keeps it, with every reviewer and distinct note; where they disagree the
merged entry is `unsure`, its note names each reviewer's verdict, and `disagreement` keeps their
entries, so the finding stays in front of a person until someone decides. Order: the first file's
entries, then each later file's new ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from whatsapp_audit.triage.review import VERDICT_WORDS, Review, ReviewFile


@dataclass(frozen=True)
class Disagreement:
    """One finding the files give different verdicts: each file's entry, in the order given."""

    id: str
    entries: tuple[tuple[str, Review], ...]  # (file path, entry)


def merge_reviews(files: Sequence[ReviewFile]) -> tuple[list[Review], list[Disagreement]]:
    groups: dict[str, list[tuple[str, Review]]] = {}
    for file in files:
        for review in file.reviews:
            groups.setdefault(review.id, []).append((file.path, review))
    merged: list[Review] = []
    disagreements: list[Disagreement] = []
    for finding_id, entries in groups.items():
        reviews = [review for _, review in entries]
        if len(reviews) == 1:
            merged.append(reviews[0])
            continue
        agreed = len({review.verdict for review in reviews}) == 1
        if not agreed:
            disagreements.append(Disagreement(finding_id, tuple(entries)))
        merged.append(_joined(entries, agreed))
    return merged, disagreements


def _joined(entries: list[tuple[str, Review]], agreed: bool) -> Review:
    reviews = [review for _, review in entries]
    first = reviews[0]
    reviewers = list(dict.fromkeys(r.reviewer for r in reviews if r.reviewer))
    times = [r.at for r in reviews if r.at]
    extra: dict[str, object] = {}
    for review in reversed(reviews):  # the first file's value wins
        extra.update(review.extra)
    if agreed:
        notes = list(dict.fromkeys((r.reviewer, r.note) for r in reviews if r.note))
        note = notes[0][1] if len(notes) == 1 else "; ".join(f"{who or 'a reviewer'}: {text}" for who, text in notes)
        verdict = first.verdict
    else:
        parts = [f"{r.reviewer or path}: {VERDICT_WORDS[r.verdict]}" + (f" ({r.note})" if r.note else "")
                 for path, r in entries]
        note = "reviewers disagree: " + "; ".join(parts)
        verdict = "unsure"
        extra["disagreement"] = [{"file": path, **r.record()} for path, r in entries]
    return Review(first.id, verdict, note, ", ".join(reviewers), max(times) if times else None,
                  next((r.portable_id for r in reviews if r.portable_id), None),
                  next((r.rule for r in reviews if r.rule), None),
                  next((r.category for r in reviews if r.category), None), extra)
