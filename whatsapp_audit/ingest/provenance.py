"""Plain records describing what was read and how: source, format survey, line coverage.

Shared by `parse --format json`, `inspect` and the scan reports, so every output describes the
exhibit in the same words. None of it contains message text.
"""

from __future__ import annotations

from typing import Any

from whatsapp_audit.ingest.export import Export
from whatsapp_audit.ingest.parser import ParseStats
from whatsapp_audit.ingest.survey import FormatSurvey


def source_record(export: Export) -> dict[str, Any]:
    info = export.source
    return {
        "path": info.path,
        "sha256": info.sha256,
        "size": info.size,
        "container": info.container,
        "chat_member": info.chat_member,
        "chat_sha256": info.chat_sha256,
        "encoding": export.encoding.name + ("-bom" if export.encoding.bom else ""),
        "format": survey_record(export.survey),
    }


def survey_record(survey: FormatSurvey) -> dict[str, Any]:
    style = survey.style
    return {
        "shape": survey.shape.name,
        "description": survey.shape.description,
        "is_export": survey.shape.is_export,
        "date_separator": style.date_sep,
        "year_digits": style.year_digits,
        "clock": style.clock,
        "seconds": style.seconds,
        "date_order": survey.date_order,
        "date_order_settled": survey.order_settled,
        "date_order_evidence": survey.order_evidence,
    }


def coverage_record(stats: ParseStats) -> dict[str, Any]:
    return {
        "total_lines": stats.total_lines,
        "message_lines": stats.message_lines,
        "system_lines": stats.system_lines,
        "unparsed_lines": stats.unparsed_lines,
        "accounted": stats.accounted,
        "messages": stats.messages,
        "by_kind": {kind: stats.kinds[kind] for kind in sorted(stats.kinds)},
        "unparsed": [{"first_line": r.first_line, "last_line": r.last_line, "reason": r.reason} for r in stats.unparsed],
        "undecodable_lines": stats.undecodable_lines[:1000],
        "system_unrecognised": len(stats.unrecognised_system),
        "system_unrecognised_lines": stats.unrecognised_system[:1000],
    }


def coverage_line(stats: ParseStats) -> str:
    """One sentence that shows the line counts add up."""
    system = stats.kinds.get("system", 0)
    verdict = "every line accounted for" if stats.accounted else "LINES UNACCOUNTED FOR: please report this"
    unrecognised = len(stats.unrecognised_system)
    unknown = f" ({unrecognised:,} not recognised, examined like messages)" if unrecognised else ""
    return (
        f"{stats.total_lines:,} lines = {stats.message_lines:,} in {stats.messages - system:,} messages"
        f" + {stats.system_lines:,} in {system:,} system events{unknown} + {stats.unparsed_lines:,} unparsed ({verdict})"
    )
