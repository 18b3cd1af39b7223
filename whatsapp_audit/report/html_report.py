"""The HTML report: one self-contained offline file an investigator can open in any browser.

Inline CSS and script only, a Content-Security-Policy that forbids every remote load (the script
and style are allowed by their SHA-256), and every piece of chat text through `safe.html_text`.
Findings carry their context; filters by exhibit (when there are several), category, rule,
participant and date hide and show them (also from the URL fragment, e.g.
`report.html#rule=OPS-VRM&source=2`). Rendered from a finished `ScanResult` or `CaseResult`.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime
from typing import TextIO

from whatsapp_audit import __version__
from whatsapp_audit.case import CaseResult, ExportFailure, as_case
from whatsapp_audit.ingest.provenance import coverage_line
from whatsapp_audit.report.authors import display, distinct_displays, label, unsaved
from whatsapp_audit.report.html_assets import CSS, JS
from whatsapp_audit.report.json_report import stamp
from whatsapp_audit.report.safe import html_text as esc
from whatsapp_audit.report.summary import CATEGORY_LABELS, case_limitations, participants, rule_texts, timeline, trimmed
from whatsapp_audit.report.text_report import in_time_order
from whatsapp_audit.scan import ContextMessage, ScanFinding, ScanResult


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


CSP = (f"default-src 'none'; style-src {_csp_hash(CSS)}; script-src {_csp_hash(JS)}; img-src 'none'; "
       "connect-src 'none'; base-uri 'none'; form-action 'none'")


def _message(m: ContextMessage, cls: str, start: int | None = None, end: int | None = None) -> str:
    body = m.text
    if start is not None and end is not None and 0 <= start <= end <= len(body):
        shown = f"{esc(body[:start])}<mark>{esc(body[start:end])}</mark>{esc(body[end:])}"
    else:
        shown = esc(body)
    if m.attachment and m.attachment not in body:
        shown = f'<span class="mono">{esc(m.attachment)}</span>' + ("\n" + shown if body else "")
    return (f'<li class="{cls}"><span class="t">{m.timestamp:%Y-%m-%d %H:%M:%S}</span> '
            f'<span class="mono">line {m.line}</span> <span class="a">{esc(display(m.author))}</span>: {shown}</li>')


def _finding(result: CaseResult, item: ScanFinding, number: int, context: int) -> str:
    f = item.finding
    why, guidance = rule_texts(result, f.rule)
    before, after = trimmed(item, context)
    rows = [_message(m, "before") for m in before]
    if item.message is not None:
        rows.append(_message(item.message, "flagged", f.start, f.end))
    rows += [_message(m, "after") for m in after]
    explain = f.explanation
    extra = [("pattern", explain.pattern), ("validator", explain.validator),
             ("context words", ", ".join(explain.context_words) or None),
             ("score adjustments", "; ".join(f"{r} ({d:+.2f})" for r, d in explain.adjustments) or None),
             *((key, value) for key, value in explain.details), ("normalised", f.normalised),
             ("fingerprint", item.id)]
    lines = "line " + (f"{f.line}" if item.end_line == f.line else f"{f.line}-{item.end_line}")
    if result.single is None:
        lines += f' of exhibit {item.source + 1} <span class="mono">{esc(result.label(item.source))}</span>'
    return "\n".join([
        (f'<article class="finding sev-{f.severity.value}" id="f{number}" data-source="{item.source}" '
        f'data-category="{f.category.value}" data-rule="{esc(f.rule)}" data-author="{esc(item.author or "")}" '
        f'data-date="{item.timestamp:%Y-%m-%d}">'),
        f'<h3>#{number} <code>{esc(f.rule)}</code> {esc(result.titles.get(f.rule, ""))}</h3>',
        (f'<p class="who"><span class="sev {f.severity.value}">severity {f.severity.value}</span> · confidence '
         f'{f.confidence.value} ({f.score:.2f}) · {esc(CATEGORY_LABELS.get(f.category.value, ""))} · '
         f'<b>{esc(label(item.author))}</b> · {item.timestamp:%Y-%m-%d %H:%M:%S} · {lines}</p>'),
        f'<ol class="context">{"".join(rows)}</ol>',
        '<dl class="explain">',
        f'<dt>Matched</dt><dd><code>{esc(f.matched) if f.matched is not None else "(the message as a whole)"}</code></dd>',
        f'<dt>Reason</dt><dd>{esc(explain.reason)}</dd>',
        f'<dt>Why it matters</dt><dd>{esc(why)}</dd>' if why else "",
        f'<dt>Guidance</dt><dd>{esc(guidance)}</dd>' if guidance else "",
        '</dl>',
        '<details><summary>How it was found</summary><dl class="meta">'
        + "".join(f"<dt>{esc(k)}</dt><dd><code>{esc(str(v))}</code></dd>" for k, v in extra if v)
        + "</dl></details>",
        "</article>",
    ])


def _options(values: list[tuple[str, str]], name: str, label: str) -> str:
    options = "".join(f'<option value="{esc(v)}">{esc(text)}</option>' for v, text in values)
    return f'<label>{label}<select name="{name}"><option value="">all</option>{options}</select></label>'


def _summary(result: CaseResult) -> list[str]:
    counts = result.counts
    several = result.single is None
    out = ['<h2>Summary</h2><table><tr><th>Category</th><th class="n">Findings</th></tr>']
    out += [f'<tr><td>{esc(CATEGORY_LABELS.get(c, c))}</td><td class="n">{n}</td></tr>' for c, n in counts.by_category.items()]
    out.append('</table><table><tr><th>Rule</th><th>Title</th><th class="n">Findings</th></tr>')
    out += [f'<tr><td><code>{esc(r)}</code></td><td>{esc(result.titles.get(r, ""))}</td><td class="n">{n}</td></tr>'
            for r, n in counts.by_rule.items()]
    out.append('</table><h2>Participants</h2><table><tr>' + ('<th class="n">Exhibit</th>' if several else "")
               + '<th>Participant</th><th class="n">Messages</th>'
               '<th class="n">Findings</th><th class="n">Operational</th><th class="n">Images</th>'
               '<th class="n">Discriminatory</th><th>Highest severity</th></tr>')
    rows = participants(result)
    names = distinct_displays(p.name for p in rows)
    for p in rows:
        cells = "".join(f'<td class="n">{v}</td>' for v in p.by_category.values())
        how = unsaved(p.name)
        shown = f"{names[p.name]} ({how}, not saved in the phone)" if how else names[p.name]
        exhibit = f'<td class="n">{p.source + 1}</td>' if several else ""
        out.append(f'<tr>{exhibit}<td>{esc(shown)}</td><td class="n">{p.messages}</td>'
                   f'<td class="n">{p.findings}</td>{cells}<td>{p.highest or "-"}</td></tr>')
    out.append('</table><h2>Timeline</h2>')
    days = timeline(result.findings)
    if days:
        largest = max(d.findings for d in days)
        out.append('<table><tr><th>Date</th><th class="n">Findings</th><th>Per day</th></tr>')
        out += [f'<tr><td>{d.date}</td><td class="n">{d.findings}</td>'
                f'<td class="bar" aria-hidden="true">{"█" * max(1, round(40 * d.findings / largest))}</td></tr>' for d in days]
        out.append("</table>")
    else:
        out.append("<p>No findings.</p>")
    return out


def _exhibits(result: CaseResult) -> list[str]:
    """The table of every exhibit of a case: path, chat in the zip, hash, size, lines, findings."""
    out = [('<h2>Exhibits</h2><table><tr><th class="n">#</th><th>Export</th><th>Chat in zip</th><th>SHA-256</th>'
           '<th class="n">Size</th><th>Lines</th><th class="n">Findings</th></tr>')]
    for index, export in enumerate(result.exports):
        if isinstance(export, ExportFailure):
            size = f"{export.size:,} bytes" if export.size is not None else ""
            out.append(f'<tr><td class="n">{index + 1}</td><td class="mono">{esc(export.path)}</td><td></td>'
                       f'<td class="mono">{esc(export.sha256 or "")}</td><td class="n">{size}</td>'
                       f'<td colspan="2"><b>Not scanned:</b> {esc(export.reason)}</td></tr>')
            continue
        source = export.source
        out.append(f'<tr><td class="n">{index + 1}</td><td class="mono">{esc(source.path)}</td>'
                   f'<td class="mono">{esc(source.chat_member or "")}</td><td class="mono">{source.sha256}</td>'
                   f'<td class="n">{source.size:,} bytes</td><td>{esc(coverage_line(export.stats))}</td>'
                   f'<td class="n">{export.counts.findings}</td></tr>')
    out.append("</table>")
    if result.skipped:
        out.append(f"<details><summary>{len(result.skipped)} file(s) in the folders given were not read</summary><ul>"
                   + "".join(f'<li><span class="mono">{esc(s.path)}</span>: {esc(s.reason)}</li>' for s in result.skipped)
                   + "</ul></details>")
    return out


def write_html(result: ScanResult | CaseResult, out: TextIO, generated_at: datetime | None = None, context: int = 5,
               case: dict[str, str] | None = None) -> None:
    """Write the whole page to `out`."""
    run = as_case(result)
    single = run.single
    findings = in_time_order(run)
    meta: list[tuple[str, str]]
    if single is not None:
        source = single.source
        title = source.path
        meta = [("Export", source.path), ("SHA-256", source.sha256), ("Size", f"{source.size:,} bytes"),
                ("Chat in zip", source.chat_member or ""), ("Lines", coverage_line(single.stats))]
    else:
        failed = len(run.failed)
        title = f"{len(run.exports)} exports"
        meta = [("Exhibits", f"{len(run.exports)} exports: {len(run.scanned)} scanned"
                 + (f", {failed} not scanned" if failed else "") + " (listed below)")]
    meta += [("Generated", f"{stamp(generated_at)} (UTC) by whatsapp-audit {__version__}"),
             ("Shown", f"findings of {run.min_confidence} confidence and above, {context} message(s) of context each side"),
             *((k.replace("_", " ").capitalize(), v) for k, v in (case or {}).items() if v)]
    authors = sorted({item.author or "" for item in findings})
    rules = sorted(run.counts.by_rule)
    limitations = case_limitations(run)
    page = [
        '<!DOCTYPE html>', '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">', '<meta name="referrer" content="no-referrer">',
        f'<title>whatsapp-audit report: {esc(title)}</title>', f"<style>{CSS}</style></head><body>",
        '<h1>WhatsApp audit report</h1><dl class="meta">'
        + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in meta if v) + "</dl>",
        ('<p class="notice">Findings are indicators for human review, not determinations. Times are as written in the '
         'export (the phone\'s local time). Line numbers refer to the chat file of the exhibit.</p>'),
    ]
    if single is None:
        page += _exhibits(run)
    if limitations:
        page.append("<h2>Limitations</h2><ul>" + "".join(f"<li>{esc(n)}</li>" for n in limitations) + "</ul>")
    page += _summary(run)
    exhibit_filter = [] if single is not None else [
        _options([(str(i), f"{i + 1}. {run.label(i)}") for i, _ in run.scanned], "source", "Exhibit")]
    page += [
        f'<h2>Findings (<span id="shown"><span id="shown-count">{len(findings)}</span> of </span>{len(findings)})</h2>',
        '<form id="filters">',
        *exhibit_filter,
        _options([(c, CATEGORY_LABELS[c]) for c, n in run.counts.by_category.items() if n], "category", "Category"),
        _options([(r, f"{r} {run.titles.get(r, '')}") for r in rules], "rule", "Rule"),
        _options([(a, label(a)) for a in authors], "author", "Participant"),
        '<label>From<input type="date" name="from"></label><label>To<input type="date" name="to"></label>',
        '<button type="reset">Clear filters</button></form>',
    ]
    page += [_finding(run, item, number, context) for number, item in enumerate(findings, 1)]
    if not findings:
        page.append("<p>No findings.</p>")
    page.append(f"<script>{JS}</script></body></html>\n")
    out.write("\n".join(page))
