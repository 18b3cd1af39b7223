"""Weights, windows and media policy of the imagery detector, read from pattern data.

They live in `patterns/imagery/*.toml` (`options.scoring`, `options.media`) so a force can retune
them from its own labelled reviews without touching code; this module only checks them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from functools import cached_property
from typing import Any

import regex

from whatsapp_audit.detect.base import Rule
from whatsapp_audit.detect.text.guard import Guarded, compile_rule_regex
from whatsapp_audit.errors import PatternError


@dataclass(frozen=True)
class Scoring:
    """Every number the scorer uses; see the comments in patterns/imagery/scene.toml."""

    strong_caption: float
    weak_caption: float
    strong_neighbour: float
    weak_neighbour: float
    removal_reply: float
    weak_reply: float
    scene_prior: float
    prior_other_sender: float
    camera_original: float
    negative: float
    deleted_after_alarm: float
    unsupported_weak: float
    several_weak: float
    window_minutes: float
    decay_minutes: float
    explain_minutes: float
    message_step_minutes: float
    burst_minutes: float
    reply_minutes: float
    prior_minutes: float
    prior_messages: int
    quiet_gap_minutes: float
    context_messages: int
    exif_recent_capture: float
    exif_recent_minutes: float
    exif_old_days: float
    exif_gps_near: float
    exif_gps_metres: float
    high_tier: float
    medium_tier: float
    report_threshold: float


@dataclass(frozen=True)
class MediaPolicy:
    """Which attachments are judged, and which names are camera originals or screenshots."""

    judged_types: frozenset[str]
    image_extensions: frozenset[str]
    camera_original: tuple[Guarded, ...]
    screenshot: tuple[Guarded, ...]
    owner: str = ""  # the rule whose options.media these are (named when a regex times out)

    # Both raise TimeoutError when a pattern-file regex runs out of time (guard.Guarded); callers record it.
    def is_camera_original(self, name: str) -> bool:
        return _any_finds(self.camera_original, name)

    def is_screenshot(self, name: str) -> bool:
        # Every media line asks this of its file name: the patterns' necessary words are searched
        # together first (`_needs_of`), one search where each pattern's own was one each.
        gate = self._screenshot_needs
        if gate is not None and name.isascii() and gate.search(name.lower()) is None:
            return False  # each pattern is ruled out (`_any_finds` would run none of them)
        return _any_finds(self.screenshot, name)

    @cached_property
    def _screenshot_needs(self) -> re.Pattern[str] | None:
        return _needs_of(self.screenshot)

    def has_image_extension(self, name: str) -> bool:
        return name.rpartition(".")[2].casefold() in self.image_extensions


def _needs_of(patterns: Sequence[Guarded]) -> re.Pattern[str] | None:
    """One search for the necessary words of all `patterns` (`Guarded.needs`), which finds nothing in
    a lower-cased ASCII name exactly when every pattern is ruled out there; None when some pattern
    has no such words (it is always run), or there are no patterns."""
    wanted = [pattern.needs for pattern in patterns]
    if not wanted or any(needs is None for needs in wanted):
        return None
    return re.compile("|".join(f"(?:{needs.search.pattern})" for needs in wanted if needs is not None))


def _any_finds(patterns: Sequence[Guarded], name: str) -> bool:
    """Whether one of the patterns finds something in a file name. On an ASCII name, a bundled
    pattern none of whose necessary words is in it ("screenshot" for `^Screenshot`) is not run
    (text/literals.py): every media line asks whether its file is a screenshot."""
    lowered = name.lower() if name.isascii() else None
    return any(not pattern.ruled_out(lowered) and pattern.search(name) for pattern in patterns)


def _merged_table(rules: Sequence[Rule], key: str) -> tuple[dict[str, Any], Rule]:
    """One options table shared by the pack: defined by any rule; rules that repeat a key must agree."""
    merged: dict[str, Any] = {}
    owner: Rule | None = None
    for rule in rules:
        table = rule.options.get(key)
        if table is None:
            continue
        if not isinstance(table, Mapping):
            raise PatternError(rule.source, rule.source_line, rule.id, f"options.{key} must be a table")
        for k, v in table.items():
            if k in merged and merged[k] != v:
                raise PatternError(rule.source, rule.source_line, rule.id,
                                   f"options.{key}.{k} disagrees with another imagery rule")
            merged[k] = v
        owner = owner or rule
    if owner is None:
        where = rules[0] if rules else None
        raise PatternError(where.source if where else "patterns/imagery", where.source_line if where else None,
                           None, f"no imagery rule defines options.{key}")
    return merged, owner


def load_scoring(rules: Sequence[Rule]) -> Scoring:
    table, owner = _merged_table(rules, "scoring")
    values: dict[str, Any] = {}
    for f in fields(Scoring):
        raw = table.get(f.name)
        if isinstance(raw, bool) or not isinstance(raw, int | float) or raw < 0:
            raise PatternError(owner.source, owner.source_line, owner.id,
                               f"options.scoring.{f.name} must be a number >= 0")
        values[f.name] = int(raw) if f.type == "int" else float(raw)
    unknown = set(table) - set(values)
    if unknown:
        raise PatternError(owner.source, owner.source_line, owner.id, f"unknown options.scoring keys: {sorted(unknown)}")
    return Scoring(**values)


def load_media_policy(rules: Sequence[Rule]) -> MediaPolicy:
    table, owner = _merged_table(rules, "media")

    def strings(key: str) -> list[str]:
        value = table.get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise PatternError(owner.source, owner.source_line, owner.id, f"options.media.{key} must be a list of strings")
        return value

    def regexes(key: str) -> tuple[Guarded, ...]:
        try:
            return tuple(compile_rule_regex(p, regex.IGNORECASE, trusted=owner.bundled) for p in strings(key))
        except regex.error as exc:
            raise PatternError(owner.source, owner.source_line, owner.id, f"options.media.{key}: bad regex ({exc})") from None

    return MediaPolicy(
        judged_types=frozenset(t.casefold() for t in strings("judged_types")),
        image_extensions=frozenset(e.casefold().lstrip(".") for e in strings("image_extensions")),
        camera_original=regexes("camera_original_names"),
        screenshot=regexes("screenshot_names"),
        owner=owner.id,
    )
