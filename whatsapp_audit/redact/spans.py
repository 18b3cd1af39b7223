"""Replacements inside a piece of text: where, by what, and why; and applying them safely.

A replacement never removes a line break (a value that runs over two lines is masked on the first
and the rest of it removed), so a redacted message spans exactly the lines it spanned before.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import regex

from whatsapp_audit.model import Finding
from whatsapp_audit.redact.names import name_key
from whatsapp_audit.redact.policy import PERSON, RedactionPolicy

PARTICIPANT = "participant"
NAME = "name"  # a word that is part of several people's names: replaced by [NAME]
MARKER = "marker"
AMBIGUOUS = "[NAME]"

_DIGIT_WORD = regex.compile(r"\S*\d\S*")
_PLACE = regex.compile(r"\b(?:of|from|lives at)\s+")  # where a person-and-place finding's place starts


@dataclass(frozen=True, slots=True)
class Replacement:
    """Replace text[start:end] with `text`; `kind` is participant, person, name or marker,
    `label` the pseudonym or marker name, `rule` the detector rule behind a marker or person."""

    start: int
    end: int
    text: str
    kind: str
    label: str
    rule: str | None = None

    def shifted(self, offset: int) -> Replacement:
        return Replacement(self.start + offset, self.end + offset, self.text, self.kind, self.label, self.rule)


def resolve(candidates: Iterable[Replacement]) -> list[Replacement]:
    """Non-overlapping replacements in text order: the earliest wins, then the longest, then
    detector findings over names (a phone number over a participant's digits inside it)."""
    order = {MARKER: 0, PERSON: 1, PARTICIPANT: 2, NAME: 3}
    ranked = sorted(candidates, key=lambda r: (r.start, -(r.end - r.start), order.get(r.kind, 9), r.text))
    kept: list[Replacement] = []
    for item in ranked:
        if item.end <= item.start:
            continue
        if kept and item.start < kept[-1].end:
            continue
        kept.append(item)
    return kept


def apply(text: str, replacements: Sequence[Replacement]) -> str:
    """`text` with the (resolved) replacements made; line breaks inside a replaced span are kept."""
    out: list[str] = []
    position = 0
    for item in replacements:
        out.append(text[position:item.start])
        out.append(item.text + "\n" * text.count("\n", item.start, item.end))
        position = item.end
    out.append(text[position:])
    return "".join(out)


def uncovered(text_length: int, taken: Sequence[Replacement]) -> list[tuple[int, int]]:
    """The stretches of a text that no replacement covers."""
    free = []
    position = 0
    for item in sorted(taken, key=lambda r: r.start):
        if item.start > position:
            free.append((position, item.start))
        position = max(position, item.end)
    if position < text_length:
        free.append((position, text_length))
    return free


def finding_span(finding: Finding, text: str, span: str) -> tuple[int, int] | None:
    """Where in `text` a finding's value is, for a masking `span` ("value", "match" or "person")."""
    start, end = finding.start, finding.end
    if start is None or end is None or not 0 <= start < end <= len(text):
        return None
    if span == "value":
        found = _DIGIT_WORD.search(text, start, end)
        return (found.start(), end) if found else (start, end)
    if span == PERSON:
        name = finding.normalised or ""
        words = [regex.escape(word) for word in name.split()]
        if not words:
            return None
        found = regex.compile(r"[\s\-]+".join(words)).search(text, start, end)
        return (found.start(), found.end()) if found else None
    return start, end


def marker_text(marker: str) -> str:
    return f"[{marker}]"


def finding_replacements(findings: Iterable[Finding], text: str, policy: RedactionPolicy,
                         person_pseudonym: dict[str, str]) -> list[Replacement]:
    """Replacements for the detector findings on a text: typed markers, and pseudonyms for the
    people a finding names (`person_pseudonym`: name key -> pseudonym; a kept person is absent)."""
    out: list[Replacement] = []
    for finding in findings:
        masking = policy.masking_for(finding.rule)
        if masking is None:
            continue
        where = finding_span(finding, text, masking.span)
        if where is None:
            continue
        if masking.span == PERSON:
            pseudonym = person_pseudonym.get(name_key(finding.normalised or ""))
            if pseudonym is not None:
                out.append(Replacement(where[0], where[1], pseudonym, PERSON, pseudonym, finding.rule))
            place = _PLACE.search(text, where[1], finding.end or where[1]) if masking.place_marker else None
            if place is not None and place.end() < (finding.end or 0):
                out.append(Replacement(place.end(), finding.end or 0, marker_text(masking.place_marker), MARKER,
                                       masking.place_marker, finding.rule))
            continue
        out.append(Replacement(where[0], where[1], marker_text(masking.marker), MARKER, masking.marker, finding.rule))
    return out
