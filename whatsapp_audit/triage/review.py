"""The review file: a reviewer's verdict on each finding, kept outside the evidence (docs/review.md).

`{"reviews": [{"id", "verdict", "note", "reviewer", "at"}, ...]}`, one entry per finding id, verdict
`confirmed`, `not_a_concern` or `unsure`; other fields are allowed and kept. An entry may carry the
finding's `portable_id` (the HTML report writes it), so a verdict also finds its finding in an
export of the same chat from a phone on the other platform. A broken file is one UsageError naming
the file and the entry, never a traceback.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from whatsapp_audit.errors import UsageError
from whatsapp_audit.triage.files import read_bounded

REVIEW_VERSION = "1"
VERDICTS = ("confirmed", "not_a_concern", "unsure")
VERDICT_WORDS = {"confirmed": "confirmed", "not_a_concern": "not a concern", "unsure": "unsure"}
KNOWN = ("id", "verdict", "note", "reviewer", "at", "portable_id", "rule", "category")
_ID = re.compile(r"[0-9a-f]{32}")
MAX_BYTES = 64 << 20  # a review of a hundred thousand findings is a few tens of MB


@dataclass(frozen=True)
class Review:
    """One verdict on one finding."""

    id: str
    verdict: str
    note: str = ""
    reviewer: str = ""
    at: str | None = None  # when the verdict was given, ISO 8601 (UTC with Z when the HTML writes it)
    portable_id: str | None = None
    rule: str | None = None  # the finding's rule and category, when the writer recorded them (for stats)
    category: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)  # any other fields, kept as they were
    matched_by: str = "id"  # set when applied to a finding: "id", or "portable_id" (another export's id)

    def record(self) -> dict[str, Any]:
        """The entry as a review file writes it: known fields first, then the others."""
        out: dict[str, Any] = {"id": self.id, "verdict": self.verdict, "note": self.note, "reviewer": self.reviewer,
                               "at": self.at}
        for name in ("portable_id", "rule", "category"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        return {**out, **{k: v for k, v in self.extra.items() if k not in out}}


@dataclass(frozen=True)
class ReviewFile:
    """A loaded review file: where it came from, its hash, and its entries in file order."""

    path: str
    sha256: str
    reviews: tuple[Review, ...]

    def index(self) -> tuple[dict[str, Review], dict[str, Review]]:
        """Entries by id, and by portable id (the first entry that gives one)."""
        by_portable: dict[str, Review] = {}
        for review in self.reviews:
            if review.portable_id is not None:
                by_portable.setdefault(review.portable_id, review)
        return {review.id: review for review in self.reviews}, by_portable


class Reviews:
    """Finds the verdict for a finding: by its id, else by its portable id."""

    def __init__(self, file: ReviewFile) -> None:
        self.by_id, self.by_portable = file.index()

    def find(self, finding_id: str, portable_id: str) -> Review | None:
        review = self.by_id.get(finding_id)
        if review is not None:
            return review
        review = self.by_portable.get(portable_id) if portable_id else None
        return replace(review, matched_by="portable_id") if review is not None else None


def load_review(path: str | Path) -> ReviewFile:
    """Read and check a review file; UsageError (exit 2) naming the file and entry when it is not one."""
    name = str(path)
    raw, text = read_bounded(path, "the review file", MAX_BYTES)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise UsageError(f"{name}:{error.lineno}: not valid JSON ({error.msg})") from None
    return ReviewFile(name, hashlib.sha256(raw).hexdigest(), parse_reviews(data, name))


def parse_reviews(data: Any, name: str) -> tuple[Review, ...]:
    """The entries of a review file's JSON value, checked (one entry per id)."""
    if not isinstance(data, dict) or not isinstance(data.get("reviews"), list):
        raise UsageError(f'{name}: not a review file: expected {{"reviews": [...]}} (docs/review.md)')
    version = data.get("review_version", REVIEW_VERSION)
    if version != REVIEW_VERSION:
        raise UsageError(f"{name}: review_version {version!r} is not one this version of whatsapp-audit reads "
                         f"({REVIEW_VERSION!r})")
    reviews: list[Review] = []
    first: dict[str, int] = {}
    for position, entry in enumerate(data["reviews"]):
        review = _entry(entry, f"{name}: reviews[{position}]")
        if review.id in first:
            raise UsageError(f"{name}: reviews[{position}]: id {review.id} already has a verdict in "
                             f"reviews[{first[review.id]}]; one entry per finding (`whatsapp-audit review merge` "
                             "combines two reviewers' files)")
        first[review.id] = position
        reviews.append(review)
    return tuple(reviews)


def _entry(entry: Any, where: str) -> Review:
    if not isinstance(entry, dict):
        raise UsageError(f"{where}: each review must be an object with at least id and verdict")
    finding_id = entry.get("id")
    if not isinstance(finding_id, str) or not _ID.fullmatch(finding_id):
        raise UsageError(f"{where}: id must be a finding id (32 hex digits, the `id` of a finding in the JSON report)")
    verdict = entry.get("verdict")
    if verdict not in VERDICTS:
        raise UsageError(f"{where}: verdict {verdict!r} must be one of {', '.join(VERDICTS)}")
    texts = {}
    for key in ("note", "reviewer"):
        value = entry.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise UsageError(f"{where}: {key} must be text")
        texts[key] = value
    at = entry.get("at")
    if at is not None:
        if not isinstance(at, str):
            raise UsageError(f"{where}: at must be an ISO 8601 time such as 2024-06-01T09:00:00Z")
        try:
            datetime.fromisoformat(at.replace("Z", "+00:00"))
        except ValueError:
            raise UsageError(f"{where}: at {at!r} is not an ISO 8601 time such as 2024-06-01T09:00:00Z") from None
    portable = entry.get("portable_id")
    if portable is not None and (not isinstance(portable, str) or not _ID.fullmatch(portable)):
        raise UsageError(f"{where}: portable_id must be 32 hex digits (a finding's `portable_id`)")
    optional = {}
    for key in ("rule", "category"):
        value = entry.get(key)
        if value is not None and not isinstance(value, str):
            raise UsageError(f"{where}: {key} must be text")
        optional[key] = value or None
    extra = {k: v for k, v in entry.items() if k not in KNOWN}
    return Review(finding_id, verdict, texts["note"], texts["reviewer"], at, portable, optional["rule"],
                  optional["category"], extra)


def review_document(reviews: Iterable[Review], **fields: Any) -> dict[str, Any]:
    """A review file's JSON value: `review_version`, any other top-level fields, then `reviews`."""
    return {"review_version": REVIEW_VERSION, **fields, "reviews": [review.record() for review in reviews]}
