"""search-strategy.md: a readable record of how the material was searched, for disclosure.

Answers "what was searched for, with which rules and thresholds" (CPIA / Attorney General's
Guidelines: record the manner and extent of the search). Holds rule metadata and pack hashes,
never message text; the full terms are in the pack files, identified by their SHA-256.
"""

from __future__ import annotations

from typing import Any

from whatsapp_audit.case import CaseResult, ExportFailure, as_case
from whatsapp_audit.report.summary import CATEGORY_LABELS, case_limitations
from whatsapp_audit.scan import ExportScan, ScanResult

# Options about presentation or where files go: they do not change what was searched for.
NOT_SEARCH_OPTIONS = frozenset({"color", "no_progress", "generated_at", "reports", "fmt", "output", "force", "pack_dir",
                                "case_ref", "exhibit_ref", "examiner", "purpose", "context", "cluster"})
NOT_EXAMINED = ("system events in WhatsApp's own words, deleted-message stubs, call records and pending messages "
                "(kept only as context; a system event in no known WhatsApp phrase is examined)")


def _md(text: object) -> str:
    """Text safe inside a Markdown table cell or line (no pipes, no line breaks, no HTML)."""
    return " ".join(str(text).split()).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _material(export: ExportScan) -> list[str]:
    source = export.source
    lines = [f"- Export: `{_md(source.path)}` ({source.container}, {source.size:,} bytes)",
             f"- SHA-256: `{source.sha256}`"]
    if source.chat_member:
        lines.append(f"- Chat inside the zip: `{_md(source.chat_member)}` (SHA-256 `{source.chat_sha256}`)")
    if export.media:
        lines.append(f"- Media files in the zip: {len(export.media)} (names, sizes and hashes in manifest.json); "
                     "photos are judged from their names, neighbouring messages and EXIF metadata, not from the picture itself")
    return lines


def search_strategy(result: ScanResult | CaseResult, options: dict[str, Any], case: dict[str, str]) -> str:
    result = as_case(result)
    single = result.single
    what = "this exhibit was" if single is not None else "these exhibits were"
    lines = ["# Search strategy", "",
             f"How {what} searched by whatsapp-audit. Findings are indicators for human review, not determinations.", ""]
    if any(case.values()):
        lines += ["## Case", ""] + [f"- {_md(k.replace('_', ' ').capitalize())}: {_md(v)}" for k, v in case.items() if v] + [""]
    lines += ["## Material searched", ""]
    if single is not None:
        lines += _material(single)
    else:
        lines += [f"{len(result.exports)} exports, {len(result.scanned)} scanned, {len(result.failed)} not scanned:", ""]
        for index, export in enumerate(result.exports):
            lines += [f"### Exhibit {index + 1}", ""]
            if isinstance(export, ExportFailure):
                lines += [f"- Export: `{_md(export.path)}`" + (f" ({export.size:,} bytes)" if export.size is not None else ""),
                          f"- SHA-256: `{export.sha256}`" if export.sha256 else "- SHA-256: not taken (the file could not be read)",
                          f"- NOT SCANNED: {_md(export.reason)}", ""]
            else:
                lines += _material(export) + [(f"- Messages: {export.counts.messages:,}, of which "
                                              f"{export.counts.examined:,} were examined"), ""]
    if result.skipped:
        lines += [f"- Files in the folders given that were not read: {len(result.skipped)}"]
        lines += [f"  - `{_md(item.path)}`: {_md(item.reason)}" for item in result.skipped]
    lines += [
        f"- Messages: {result.counts.messages:,}, of which {result.counts.examined:,} were examined; not examined: {NOT_EXAMINED}",
        "", "## Thresholds and options", "",
        f"- Minimum confidence reported: {result.min_confidence}",
        "- Confidence from score: high at 0.75 and above, medium at 0.50 and above, low below",
        f"- Context kept around each finding: {result.context} message(s) each side",
    ]
    lines += [f"- `{_md(value.get('flag', name) if isinstance(value, dict) else name)}`: `{_md(value.get('value') if isinstance(value, dict) else value)}`"
              f" ({_md(value.get('source', '')) if isinstance(value, dict) else 'given'})"
              for name, value in sorted(options.items()) if name not in NOT_SEARCH_OPTIONS]
    lines += ["", "## Pattern packs", "", "| file | origin | pack | version | SHA-256 | rules |", "|---|---|---|---|---|---|"]
    lines += [f"| `{_md(p.relative)}` | {_md(p.origin)} | {_md(p.name)} | {_md(p.version)} | `{p.sha256}` | {len(p.rule_ids)} |"
              for p in result.patterns.files]
    skipped = set(result.skipped_rules)
    lines += ["", "## Rules", "",
              "Each rule's full terms, patterns and context words are in its pack file, identified above by its hash.", "",
              "| rule | title | category | severity | base confidence | detector | looks for | run |",
              "|---|---|---|---|---|---|---|---|"]
    for rule in result.patterns.rules:
        kinds = ", ".join(f"{len(v) if isinstance(v, (list, tuple)) else 1} {k}" for k, v in sorted(rule.match.items())) or "options"
        lines.append(f"| `{rule.id}` | {_md(rule.title)} | {_md(CATEGORY_LABELS.get(rule.category.value, ''))} | "
                     f"{rule.severity.value} | {rule.confidence.value} | {_md(rule.detector)} | {_md(kinds)} | "
                     f"{'no: no detector registered' if rule.id in skipped else 'yes'} |")
    lines += ["", "## Limitations", ""]
    lines += [f"- {_md(note)}" for note in case_limitations(result)] or ["- none recorded"]
    lines += ["- Only text, file names and image metadata were searched; the content of pictures, audio and video was not analysed.",
              "- A rule finds what it was written to find: absence of findings is not proof that nothing of concern is present.",
              ""]
    return "\n".join(lines)
