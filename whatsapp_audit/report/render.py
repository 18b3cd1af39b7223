"""One entry point for every report format, so `scan` can write several outputs from one run."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, TextIO

from whatsapp_audit.case import CaseResult
from whatsapp_audit.report.case_details import CaseDetails
from whatsapp_audit.report.json_report import write_json, write_jsonl
from whatsapp_audit.scan import ScanResult

if TYPE_CHECKING:  # rich is imported only for the text report (a scan to JSON never needs it)
    from rich.console import Console

FORMATS = ("text", "json", "jsonl", "csv", "html", "sarif")
DEFAULT_CONTEXT = {"text": 2, "html": 5, "json": 5, "jsonl": 5, "csv": 5, "sarif": 0}
FILE_WIDTH = 100  # text written to a file has a fixed width, so the same run gives the same bytes


def plain_console(out: TextIO) -> Console:
    """A Console for a file: no colour codes, no markup, fixed width."""
    from rich.console import Console

    return Console(file=out, markup=False, emoji=False, highlight=False, no_color=True, color_system=None,
                   width=FILE_WIDTH, soft_wrap=False, force_terminal=False, force_jupyter=False)


def render(fmt: str, result: ScanResult | CaseResult, out: TextIO, *, generated_at: datetime | None = None,
           context: int | None = None, console: Console | None = None,
           case: CaseDetails | dict[str, str] | None = None) -> None:
    """Write `result` as `fmt` to `out` (`console` for text on a terminal). The case details go into
    every format but JSON Lines, which holds findings only (one object per line, nothing else)."""
    size = DEFAULT_CONTEXT[fmt] if context is None else context
    details = CaseDetails.of(case)
    if fmt == "text":
        from whatsapp_audit.report.text_report import render_text

        render_text(result, console or plain_console(out), context=size, case=details)
    elif fmt == "json":
        write_json(result, out, generated_at, size, details)
    elif fmt == "jsonl":
        write_jsonl(result, out, generated_at, size)
    elif fmt == "csv":
        from whatsapp_audit.report.csv_report import write_csv  # each format's writer loads when asked for

        write_csv(result, out, size, details)
    elif fmt == "html":
        from whatsapp_audit.report.html_report import write_html  # Jinja2 is loaded only for HTML

        write_html(result, out, generated_at, context=size, case=details)
    elif fmt == "sarif":
        from whatsapp_audit.report.sarif import write_sarif

        write_sarif(result, out, details)
    else:  # pragma: no cover - click restricts the choice
        raise ValueError(fmt)
