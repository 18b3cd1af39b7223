"""Which optional rules a run uses: the discriminatory detector's linear model (`options.model`).

Kept apart from the detector's package so the CLI, the reports and the scan entry points can decide
without importing the detector (and spaCy): pool workers import those modules while Ctrl-C is held off.
"""

from __future__ import annotations

from dataclasses import replace

from whatsapp_audit.detect.base import Rule
from whatsapp_audit.rules.loader import PatternSet


def is_model_rule(rule: Rule) -> bool:
    """Whether a rule carries the discriminatory detector's linear model (`options.model`)."""
    return rule.detector == "discriminatory" and "model" in rule.options


def model_enabled(rule: Rule) -> bool:
    """Whether a model rule runs: its file's `enabled` (default true) unless `--model`/`--no-model` said."""
    spec = rule.options.get("model")
    return is_model_rule(rule) and isinstance(spec, dict) and spec.get("enabled", True) is True


def choose_model(patterns: PatternSet, use: bool | None) -> PatternSet:
    """The pattern set as `--model` (True), `--no-model` (False) or neither (None: as the model file says).

    Off (or None with the file's `enabled = false`), the model's rule is left out, so the run's rules are
    the rules that ran (search-strategy.md lists them); its file stays recorded, with its SHA-256. On, it
    runs even when its file ships it disabled."""
    if not use:
        return replace(patterns, rules=tuple(rule for rule in patterns.rules
                                             if not is_model_rule(rule) or (use is None and model_enabled(rule))))
    return replace(patterns, rules=tuple(
        replace(rule, options={**rule.options, "model": {**rule.options["model"], "enabled": True}})
        if is_model_rule(rule) and isinstance(rule.options.get("model"), dict) else rule
        for rule in patterns.rules))


def model_in_use(patterns: PatternSet) -> bool:
    """Whether a scan with these patterns runs the linear model (the report's `options.model`)."""
    return any(model_enabled(rule) for rule in patterns.rules)
