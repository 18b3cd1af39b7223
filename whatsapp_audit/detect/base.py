"""The contract between the engine and each detector.

A detector is pure: it gets validated rules once (`configure`), then one message at a time with a
read-only window of neighbours, and yields findings. No I/O, no printing, no clocks, no randomness,
so the same export always gives the same findings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from whatsapp_audit.model import Category, Confidence, Finding, Message, Severity


@dataclass(frozen=True)
class Rule:
    """One validated rule from a pattern file in `patterns/` (or a force's own pack).

    `match`, `context` and `options` are the rule's own tables, checked by the detector that runs
    it (`detector`), which raises `PatternError` naming `source`, `source_line` and `id`.
    """

    id: str
    category: Category
    title: str
    severity: Severity
    confidence: Confidence
    why: str
    guidance: str
    detector: str
    source: str
    source_line: int
    references: tuple[str, ...] = ()
    match: Mapping[str, Any] = field(default_factory=dict)
    context: Mapping[str, Any] = field(default_factory=dict)
    allow: tuple[str, ...] = ()
    options: Mapping[str, Any] = field(default_factory=dict)
    # An example is a message text, or a table with `text`, `attachment`, `before`, `after`.
    examples_match: tuple[str | Mapping[str, Any], ...] = ()
    examples_no_match: tuple[str | Mapping[str, Any], ...] = ()
    # Shipped in `patterns/` and tested with the tool: its regexes run without a time limit (guard.py).
    bundled: bool = False


@dataclass(frozen=True)
class Window:
    """Neighbours of the message being examined, in file order: `before` ends with the nearest."""

    before: Sequence[Message] = ()
    after: Sequence[Message] = ()


@runtime_checkable
class Detector(Protocol):
    """What the engine needs of a detector."""

    name: str  # matches `detector = "..."` in pattern files
    category: Category
    needs_tokens: bool  # True: uses the shared spaCy pipeline (`nlp.load_nlp`: loaded on first use, once)
    context_size: int  # how many neighbours each side the detector wants in its Window

    def configure(self, rules: Sequence[Rule]) -> None:
        """Compile this detector's rules; raise PatternError on a bad rule."""

    def keywords(self) -> frozenset[str]:
        """Lower-case strings for the shared pre-filter; empty means 'look at every message'."""

    def detect(self, message: Message, window: Window) -> Iterable[Finding]:
        """Findings for one message; must not mutate anything it is given."""
