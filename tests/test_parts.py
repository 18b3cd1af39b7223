"""Cutting one export into parts for separate processes gives exactly the single-pass result."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from whatsapp_audit import open_export
from whatsapp_audit.ingest import export as export_module
from whatsapp_audit.ingest.parser import ParseStats, merge_stats


def _by_parts(path, parts: int, margin: int, chunk: int | None = None):
    with open_export(path) as export, patch.object(export_module, "PART_CHUNK", chunk or export_module.PART_CHUNK):
        single = [(m.line, m.end_line, m.timestamp, m.author, m.text, m.kind) for m in export.iter_messages()]
        whole = export.stats
        plan = export.plan_parts(parts, margin)
        merged, stats = [], []
        for part in plan:
            part_stats = ParseStats()
            merged += [
                (m.line, m.end_line, m.timestamp, m.author, m.text, m.kind)
                for m in export.iter_part(part, part_stats) if part.first_line <= m.line < part.end_line
            ]
            stats.append(part_stats)
    return single, whole, plan, merged, stats


def _assert_same(single, whole, plan, merged, stats):
    assert merged == single
    assert [p.first_line for p in plan][0] == 1 and all(a.end_line == b.first_line for a, b in pairwise(plan))
    assert sum(s.total_lines for s in stats) == whole.total_lines
    assert sum((s.kinds for s in stats), Counter()) == whole.kinds
    assert sum((s.authors for s in stats), Counter()) == whole.authors
    assert [r for s in stats for r in s.unparsed] == whole.unparsed
    assert [n for s in stats for n in s.undecodable_lines] == whole.undecodable_lines
    assert all(s.accounted for s in stats)
    assert merge_stats(stats) == whole


LINES = [
    "14/03/2022, 18:05 - Ana Pike: hello",
    "a second line",
    "",
    "14/03/2022, 18:06 - Ana Pike added Bo Reed",
    "31/02/2022, 18:07 - Bo Reed: impossible date",
    "still the damaged region",
    "15/03/2022, 09:00 - Bo Reed: IMG-20220315-WA0001.jpg (file attached)",
    "caption",
    "15/03/2022, 09:01 - Cal Moss: caf\udcff",
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    picks=st.lists(st.integers(0, len(LINES) - 1), min_size=1, max_size=60),
    newline=st.sampled_from(["\n", "\r\n", "\r\r\n"]),
    bom=st.booleans(),
    final_newline=st.booleans(),
    parts=st.integers(2, 6),
    margin=st.integers(0, 300),
    chunk=st.none() | st.integers(1, 120),
)
def test_any_cut_gives_the_single_pass_result(write_export, picks, newline, bom, final_newline, parts, margin, chunk):
    """`chunk`: a part read in blocks of any size (a line longer than one is read whole) parses alike."""
    text = "Exported chat\n" + newline.join(LINES[i] for i in [0, *picks]) + (newline if final_newline else "")
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8", "surrogateescape")
    _assert_same(*_by_parts(write_export(data), parts, margin, chunk))


@pytest.mark.parametrize("parts", [2, 3, 8])
def test_examples_split_the_same(parts):
    _assert_same(*_by_parts("examples/android-b-relief.txt", parts, 200))
    _assert_same(*_by_parts("examples/ios-response-team.txt", parts, 200, chunk=333))


def test_utf16_is_not_cut_and_its_one_part_reads_everything(write_export):
    path = write_export(("14/03/2022, 18:05 - Ana Pike: hi\n" * 50).encode("utf-16"))
    with open_export(path) as export:
        [part] = export.plan_parts(4)
        stats = ParseStats()
        assert len(list(export.iter_part(part, stats))) == 50 and stats.kinds["text"] == 50
        assert stats.total_lines == 50 and stats.accounted
