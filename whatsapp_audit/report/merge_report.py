"""The merge report (docs/merge.md): JSON, plain text and one offline HTML page, from a MergeResult.

No run time is written, so the same exports give the same bytes. Chat text goes through
`safe` in every format: invisible characters shown (text, HTML) or escaped (JSON), HTML escaped.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TextIO

from whatsapp_audit import __version__
from whatsapp_audit.ingest.provenance import survey_record
from whatsapp_audit.merge.model import Gaps, MergedExport, MergedMessage, MergeResult
from whatsapp_audit.report.safe import html_text as esc
from whatsapp_audit.report.safe import json_dumps, visible

SCHEMA_VERSION = "1"
FORMATS = ("text", "json", "html")


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def explanations(export: MergedExport, gaps: Gaps) -> dict[str, str]:
    """Plain sentences on why an export lacks messages before its first or after its last."""
    notes: dict[str, str] = {}
    if gaps.before_first:
        if export.joined_at is not None:
            notes["before_first"] = f"this phone joined the group at {export.joined_at:%Y-%m-%d %H:%M}: earlier messages never reached it"
        elif export.near_cap:
            notes["before_first"] = "this export is near WhatsApp's export cap: the oldest messages were left out by WhatsApp"
        elif export.created_group:
            notes["before_first"] = "this phone created the group, so it should hold these: deleted, or the export was cut"
        else:
            notes["before_first"] = ("before this export's first message: the phone joined later, WhatsApp's export cap "
                                     "cut them, or they were deleted")
    if gaps.after_last:
        if export.left_at is not None:
            notes["after_last"] = f"this phone left the group at {export.left_at:%Y-%m-%d %H:%M}: later messages never reached it"
        else:
            notes["after_last"] = ("after this export's last message: the phone left the group, or was exported "
                                   "earlier, or they were deleted")
    if gaps.within:
        notes["within_period"] = ("within the period this export covers: deleted on this phone ('delete for me'), "
                                  "or never received by it")
    return notes


def export_record(export: MergedExport, gaps: Gaps) -> dict[str, Any]:
    source = export.source
    fmt = survey_record(export.survey)
    if export.date_order_note:  # the order was set by merge, not by the export's own dates
        fmt["date_order_settled"] = False
        fmt["date_order_evidence"] = f"chosen by merge: {export.date_order_note}"
    return {
        "index": export.index,
        "path": source.path,
        "sha256": source.sha256,
        "size": source.size,
        "container": source.container,
        "chat_member": source.chat_member,
        "chat_sha256": source.chat_sha256,
        "format": fmt,
        "date_order_chosen_by_merge": export.date_order_note,
        "first_message": _time(export.first_message),
        "last_message": _time(export.last_message),
        "messages": export.stats.messages,
        "clock_offset_minutes": export.clock_offset_minutes,
        "shared_anchors": export.anchors,
        "created_group": export.created_group,
        "joined_at": _time(export.joined_at),
        "left_at": _time(export.left_at),
        "near_export_cap": export.near_cap,
        "limitations": list(export.limitations),
        "lacks": {
            "before_first": list(gaps.before_first),
            "within_period": list(gaps.within),
            "after_last": list(gaps.after_last),
        },
        "deleted_placeholders": list(gaps.placeholders),
        "differs": list(gaps.differs),
        "explanations": explanations(export, gaps),
    }


def message_record(message: MergedMessage) -> dict[str, Any]:
    return {
        "id": message.id,
        "timestamp": message.timestamp.isoformat(),
        "author": message.author,
        "kind": message.kind,
        "text": message.text,
        "sources": list(message.sources),
        "comparable": message.comparable,
        "copies": [
            {"export": c.export, "line": c.line, "end_line": c.end_line, "timestamp": c.timestamp.isoformat(),
             "author": c.author, "kind": c.kind, "text": c.text, "edited": c.edited}
            for c in message.copies
        ],
    }


def merge_header(result: MergeResult) -> dict[str, Any]:
    """Everything but the messages, in the order it is written."""
    everywhere = sum(1 for m in result.messages if len(m.sources) == len(result.exports))
    return {
        "schema_version": SCHEMA_VERSION,
        "report": "merge",
        "tool": {"name": "whatsapp-audit", "version": __version__},
        "exports": [export_record(e, g) for e, g in zip(result.exports, result.gaps, strict=True)],
        "authors": [{"name": a.name, "names": [{"export": e, "name": n} for e, n in a.names]} for a in result.authors],
        "summary": {
            "messages": len(result.messages),
            "in_every_export": everywhere,
            "in_some_exports": len(result.messages) - everywhere,
            "comparable": sum(1 for m in result.messages if m.comparable),
        },
        "warnings": list(result.warnings),
    }


def merge_dict(result: MergeResult) -> dict[str, Any]:
    """The merge report as a dict: exactly what `merge --format json` prints."""
    return {**merge_header(result), "messages": [message_record(m) for m in result.messages]}


def write_json(result: MergeResult, out: TextIO) -> None:
    """The header indented, then one message per line, so a long timeline is never one string."""
    head = json_dumps(merge_header(result), indent=2)
    out.write(head[:-2] + ',\n  "messages": [')
    for position, message in enumerate(result.messages):
        out.write(("," if position else "") + "\n    " + json_dumps(message_record(message)))
    out.write(("\n  " if result.messages else "") + "]\n}\n")


# ---- text ---------------------------------------------------------------------------------------

def _columns(message: MergedMessage, count: int, gaps_by_export: Sequence[Gaps]) -> str:
    marks = []
    for export in range(count):
        if export not in message.sources:
            marks.append("-")
        elif message.id in gaps_by_export[export].placeholders:
            marks.append("x")
        elif message.id in gaps_by_export[export].differs:
            marks.append("~")
        else:
            marks.append(str(export))
    return " ".join(marks)


def _line(message: MergedMessage, width: int = 120) -> str:
    text = visible(message.text).replace("\n", " ⏎ ")
    if len(text) > width:
        text = text[: width - 1] + "…"
    who = visible(message.author) if message.author else "(system)"
    return f"#{message.id} {message.timestamp:%Y-%m-%d %H:%M:%S} {who}: {text}"


def _export_head(export: MergedExport) -> list[str]:
    survey = export.survey
    order = survey.date_order + ("" if survey.order_settled else " (not settled by its own dates)")
    seconds = "with seconds" if survey.style.seconds else "minutes only"
    span = (f"{export.first_message:%Y-%m-%d %H:%M:%S} to {export.last_message:%Y-%m-%d %H:%M:%S}"
            if export.first_message and export.last_message else "no messages")
    lines = [
        f"[{export.index}] {visible(export.source.path)}",
        f"    sha256 {export.source.sha256}",
        f"    {survey.shape.description.split(':')[0]}, date order {order}, {seconds}; {span}, {export.stats.messages} messages",
    ]
    facts = []
    if export.created_group:
        facts.append("this phone created the group")
    if export.joined_at:
        facts.append(f"this phone joined at {export.joined_at:%Y-%m-%d %H:%M}")
    if export.left_at:
        facts.append(f"this phone left at {export.left_at:%Y-%m-%d %H:%M}")
    if export.near_cap:
        facts.append("near WhatsApp's export cap")
    if export.clock_offset_minutes:
        facts.append(f"clock shifted by {export.clock_offset_minutes:+d} minutes to align")
    if export.date_order_note:
        facts.append(export.date_order_note)
    if facts:
        lines.append("    " + "; ".join(facts))
    lines += [f"    limitation: {note}" for note in export.limitations]
    return lines


def render_text(result: MergeResult, out: TextIO) -> None:
    messages = {m.id: m for m in result.messages}
    count = len(result.exports)
    title = f"whatsapp-audit {__version__} merge: {count} exports of one chat, {len(result.messages)} messages in one timeline"
    lines = [title, "", "Exports"]
    for export in result.exports:
        lines += ["  " + line for line in _export_head(export)]
    renamed = [a for a in result.authors if len({n for _, n in a.names}) > 1]
    if renamed:
        lines += ["", "People named differently by different exports"]
        lines += ["  " + visible(a.name) + ": " + ", ".join(f"[{e}] {visible(n)}" for e, n in a.names) for a in renamed]
    lines += ["", "What each export lacks or shows differently"]
    for export, gaps in zip(result.exports, result.gaps, strict=True):
        lines.append(f"  [{export.index}] {visible(export.source.path)}")
        notes = explanations(export, gaps)
        sections = [
            ("within_period", "missing within the period it covers", gaps.within),
            ("before_first", "missing before its first message", gaps.before_first),
            ("after_last", "missing after its last message", gaps.after_last),
            ("", "shows a deleted placeholder where another export holds the message", gaps.placeholders),
            ("", "holds the message with other words (edited, or rendered differently)", gaps.differs),
        ]
        shown = False
        for key, title, ids in sections:
            if not ids:
                continue
            shown = True
            why = f" ({notes[key]})" if key in notes else ""
            lines.append(f"    {title}: {len(ids)}{why}")
            for number in ids:
                message = messages[number]
                lines.append("      " + _line(message))
                if number in gaps.differs or number in gaps.placeholders:
                    for copy in message.copies:
                        text = visible(copy.text).replace("\n", " ⏎ ")
                        lines.append(f"        [{copy.export}] line {copy.line}: {text}")
        if not shown:
            lines.append("    nothing: it holds every message of the others within and around its period")
    if result.warnings:
        lines += ["", "Warnings"] + [f"  {visible(w)}" for w in result.warnings]
    legend = "digit: held by that export; -: not held; x: deleted placeholder there; ~: other words there"
    lines += ["", f"Timeline ({legend})"]
    for message in result.messages:
        lines.append(f"  {_columns(message, count, result.gaps)}  {_line(message)}")
    out.write("\n".join(lines) + "\n")


# ---- HTML ---------------------------------------------------------------------------------------

_CSS = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #1b1f24;
       margin: 0 auto; max-width: 1200px; padding: 1rem 1.5rem 4rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #d5d9de; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .2rem .5rem;
  border-bottom: 1px solid #e3e6ea; vertical-align: top; }
td.text { white-space: pre-wrap; overflow-wrap: anywhere; } td.mark { text-align: center; font-family: ui-monospace, monospace; }
tr.partial { background: #fff8e1; } tr.system td { color: #5b6470; }
td.absent { background: #fde2e1; color: #b3261e; } td.deleted { background: #fbe3c8; } td.differs { background: #e7eefb; }
code, .mono { font-family: ui-monospace, Consolas, monospace; font-size: .9em; overflow-wrap: anywhere; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; } dt { color: #5b6470; }
.notice { background: #eef3f8; border: 1px solid #d5d9de; padding: .5rem .8rem; }
ul.copies { margin: .2rem 0 0; padding-left: 1.2rem; color: #5b6470; font-size: .9em; }
"""


def _csp() -> str:
    digest = base64.b64encode(hashlib.sha256(_CSS.encode("utf-8")).digest()).decode("ascii")
    return (f"default-src 'none'; style-src 'sha256-{digest}'; img-src 'none'; script-src 'none'; "
            "connect-src 'none'; base-uri 'none'; form-action 'none'")


def write_html(result: MergeResult, out: TextIO) -> None:
    count = len(result.exports)
    page = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_csp()}">', '<meta name="referrer" content="no-referrer">',
        f"<title>whatsapp-audit merge of {count} exports</title><style>{_CSS}</style></head><body>",
        f"<h1>Merged timeline of {count} exports of one chat</h1>",
        (f'<p class="notice">Made by whatsapp-audit {esc(__version__)}. Times are as written in the reference export '
         "(local phone time). A message one export lacks is an indicator for review: it may have been deleted on that "
         "phone, or never reached it.</p>"),
        "<h2>Exports</h2>",
    ]
    for export, gaps in zip(result.exports, result.gaps, strict=True):
        rows = [("Export", f"[{export.index}] {export.source.path}"), ("SHA-256", export.source.sha256),
                ("Format", survey_record(export.survey)["description"]),
                ("Period", f"{_time(export.first_message)} to {_time(export.last_message)}"),
                ("Messages", str(export.stats.messages)),
                ("Lacks within its period", str(len(gaps.within))), ("Lacks before its first", str(len(gaps.before_first))),
                ("Lacks after its last", str(len(gaps.after_last))), ("Deleted placeholders", str(len(gaps.placeholders))),
                ("Other words", str(len(gaps.differs)))]
        membership = [text for flag, text in (
            (export.created_group, "this phone created the group"),
            (export.joined_at is not None, f"this phone joined at {_time(export.joined_at)}"),
            (export.left_at is not None, f"this phone left at {_time(export.left_at)}"),
            (export.near_cap, "near WhatsApp's export cap"),
            (bool(export.clock_offset_minutes), f"clock shifted by {export.clock_offset_minutes:+d} minutes to align")) if flag]
        if membership:
            rows.append(("This phone", "; ".join(membership)))
        rows += [(key.replace("_", " ").capitalize(), text) for key, text in explanations(export, gaps).items()]
        if export.date_order_note:
            rows.append(("Date order", export.date_order_note))
        rows += [("Limitation", note) for note in export.limitations]
        page.append("<dl>" + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in rows) + "</dl>")
    renamed = [a for a in result.authors if len({n for _, n in a.names}) > 1]
    if renamed:
        page.append("<h2>People named differently</h2><ul>" + "".join(
            f"<li>{esc(a.name)}: " + ", ".join(f"[{e}] {esc(n)}" for e, n in a.names) + "</li>" for a in renamed) + "</ul>")
    if result.warnings:
        page.append("<h2>Warnings</h2><ul>" + "".join(f"<li>{esc(w)}</li>" for w in result.warnings) + "</ul>")
    heads = "".join(f"<th>[{i}]</th>" for i in range(count))
    page.append(f"<h2>Timeline</h2><table><tr><th>#</th><th>Time</th><th>Author</th>{heads}<th>Message</th></tr>")
    for message in result.messages:
        classes = ["partial"] if message.comparable and len(message.sources) < count else []
        if not message.comparable:
            classes.append("system")
        cells = []
        for index, held in enumerate(result.gaps):
            if index not in message.sources:
                cells.append('<td class="mark absent">missing</td>' if message.comparable else '<td class="mark">-</td>')
            elif message.id in held.placeholders:
                cells.append('<td class="mark deleted">deleted</td>')
            elif message.id in held.differs:
                cells.append('<td class="mark differs">other words</td>')
            else:
                line = next(c.line for c in message.copies if c.export == index)
                cells.append(f'<td class="mark">line {line}</td>')
        shown = esc(message.text)
        variants = [c for c in message.copies if c.text != message.text]
        if variants:
            shown += '<ul class="copies">' + "".join(
                f"<li>[{c.export}] line {c.line}: {esc(c.text)}</li>" for c in variants) + "</ul>"
        page.append(f'<tr class="{" ".join(classes)}"><td>{message.id}</td><td class="mono">{message.timestamp:%Y-%m-%d %H:%M:%S}</td>'
                    f'<td>{esc(message.author or "(system)")}</td>{"".join(cells)}<td class="text">{shown}</td></tr>')
    page.append("</table></body></html>\n")
    out.write("\n".join(page))


def render_merge(fmt: str, result: MergeResult, out: TextIO) -> None:
    if fmt == "json":
        write_json(result, out)
    elif fmt == "html":
        write_html(result, out)
    else:
        render_text(result, out)
