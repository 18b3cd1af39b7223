"""Splitting an export for worker processes changes nothing a user sees: an engine built from
pickled rules, run part by part with neighbour margins, finds exactly what one whole run finds."""

from __future__ import annotations

import pickle
from dataclasses import replace
from pathlib import Path

from whatsapp_audit import parse
from whatsapp_audit.detect.engine import Engine
from whatsapp_audit.rules.loader import load_patterns

LABELLED = Path(__file__).parent / "labelled"


def test_parts_with_margins_give_the_findings_of_one_whole_run() -> None:
    messages = [m for name in ("imagery_android_nights.txt", "imagery_android_traps.txt")
                for m in parse(LABELLED / name).messages]
    messages = [replace(m, index=i) for i, m in enumerate(messages)]  # one chat
    rules = tuple(load_patterns().rules)
    whole = [(m.index, f) for m, found in Engine.build(rules).run_messages(messages) for f in found]
    assert {f.category.value for _, f in whole} >= {"crime_scene_image", "operational_data"}

    worker = Engine.build(pickle.loads(pickle.dumps(rules)))  # what a worker process would do
    margin, size, parts = worker.context_size, 7, []
    for start in range(0, len(messages), size):
        chunk = messages[max(0, start - margin):start + size + margin]
        span = range(start, start + size)
        parts += [(m.index, f) for m, found in worker.run_messages(chunk, lambda m, span=span: m.index in span)
                  for f in found]
    assert parts == whole
