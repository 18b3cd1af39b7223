"""search-strategy.md: a readable record of how the material was searched, for disclosure.

Answers "what was searched for, with which rules and thresholds" (CPIA / Attorney General's
Guidelines: record the manner and extent of the search). Holds rule metadata and pack hashes,
never message text; the full terms are in the pack files, identified by their SHA-256.
"""

from __future__ import annotations

from typing import Any

from whatsapp_audit.case import CaseResult, ExportFailure, as_case
from whatsapp_audit.report.summary import CATEGORY_LABELS, case_limitations
from whatsapp_audit.report.triage import search_record, selected_rules
from whatsapp_audit.scan import ExportScan, ScanResult
from whatsapp_audit.triage.review import VERDICT_WORDS
from whatsapp_audit.wording import plural

# Options about presentation or where files go: they do not change what was searched for.
NOT_SEARCH_OPTIONS = frozenset({"color", "no_progress", "generated_at", "reports", "fmt", "output", "force", "pack_dir",
                                "case_ref", "exhibit_ref", "examiner", "purpose", "context", "cluster"})
# Options with a section of their own below (narrowed search, allowlist, review).
OWN_SECTION_OPTIONS = frozenset({"categories", "rule_globs", "participants", "since", "until", "review_file",
                                 "hide_reviewed", "allowlists"})
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


def _run(rule_id: str, skipped: set[str], searched: set[str]) -> str:
    if rule_id in skipped:
        return "no: no detector registered"
    return "yes" if rule_id in searched else "no: outside the narrowed search"


def _extent(result: CaseResult) -> list[str]:
    """What was and was not searched (CPIA: the manner and extent of the search)."""
    scope = result.search
    if scope is None or not scope.narrowed:
        return [("Not narrowed: every rule loaded was searched for, in every message a person may have written, "
                "over the whole period of each export.")]
    record = search_record(result, names=False)
    searched, outside = record["rules_searched"], record["rules_not_searched"]
    lines = []
    if scope.narrows_rules:
        given = ", ".join([*(f"`--category {_md(c)}`" for c in scope.categories), *(f"`--rule {_md(r)}`" for r in scope.rules)])
        lines += [f"- Rules searched for: {len(searched)} of {len(result.patterns.rules)} ({given}): "
                  + ", ".join(f"`{r}`" for r in searched),
                  f"- Not searched for: {len(outside)} rules (their findings were neither kept nor counted): "
                  + ", ".join(f"`{r}`" for r in outside)]
    else:
        lines.append(f"- Rules searched for: all {len(result.patterns.rules)}")
    if scope.participants:
        lines.append("- Messages examined: only those by " + ", ".join(f"`{_md(p)}`" for p in scope.participants)
                     + " (the name or number as given, matched to the export's authors ignoring case and WhatsApp's "
                       "invisible marks)")
        for index, export in result.scanned:
            where = "" if result.single is not None else f" in exhibit {index + 1}"
            for given, authors in scope.authors_matched(export.stats.authors).items():
                lines.append(f"  - `{_md(given)}` matched {plural(len(authors), 'author')}{where}")
    else:
        lines.append("- Messages examined: by every participant")
    if scope.since or scope.until:
        bounds = [f"from {_md(scope.since)}" if scope.since else "", f"until {_md(scope.until)}" if scope.until else ""]
        lines.append(f"- Period: {' '.join(b for b in bounds if b)}, inclusive (the export's local time; a date "
                     "alone covers the whole day)")
    else:
        lines.append("- Period: the whole of each export")
    if scope.narrows_messages:
        lines.append(f"- Not examined: {plural(record['messages_not_examined'], 'message')} a person wrote outside these "
                     "bounds; they were read, hashed and kept as context around findings (context may undermine or "
                     "support a finding), but no finding was made on them")
    return lines


def _allowlist(result: CaseResult) -> list[str]:
    triage = result.triage
    if triage is None or not triage.allowlists:
        return []
    lines = ["", "## Allowlist", "",
             ("Values set aside after detection, each with its reason; the findings they matched are counted here "
             "and listed by id in findings.json (`allowlist`). The evidence itself is never marked."), ""]
    for file_index, allowlist in enumerate(triage.allowlists):
        lines += [f"- File: `{_md(allowlist.path)}` (SHA-256 `{allowlist.sha256}`)", "",
                  "| value | rule | reason | added by | findings set aside |", "|---|---|---|---|---|"]
        lines += [f"| `{_md(e.value)}` | {_md(e.rule or 'any')} | {_md(e.reason)} | {_md(e.added_by)} | "
                  f"{len(triage.suppressed_by(file_index, i))} |" for i, e in enumerate(allowlist.entries)]
        lines.append("")
    lines.append(f"- Findings set aside in all: {triage.suppressed_total}")
    return lines


def _review(result: CaseResult) -> list[str]:
    triage = result.triage
    if triage is None or triage.review is None:
        return []
    review = triage.review
    verdicts = ", ".join(f"{VERDICT_WORDS[v]} {n}" for v, n in triage.by_verdict.items())
    lines = ["", "## Review", "",
             f"- Review file: `{_md(review.path)}` (SHA-256 `{review.sha256}`), {plural(len(review.reviews), 'entry', 'entries')}",
             f"- Findings with a verdict: {sum(triage.by_verdict.values())} ({verdicts}); without one: {triage.unreviewed}"]
    if triage.by_portable_id:
        lines.append(f"- Of those, {triage.by_portable_id} were given on another export of the chat (matched by `portable_id`)")
    if triage.hide:
        lines.append("- Left out of the reports at the examiner's request (`--hide-reviewed`): "
                     + ", ".join(f"{plural(triage.hidden.get(v, 0), 'finding')} marked {VERDICT_WORDS[v]}" for v in triage.hide))
    if triage.unmatched:
        lines.append(f"- Review entries that matched no finding of this run: {triage.unmatched}")
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
        f"- Context kept around each finding: {plural(result.context, 'message')} each side",
    ]
    lines += [f"- `{_md(value.get('flag', name) if isinstance(value, dict) else name)}`: `{_md(value.get('value') if isinstance(value, dict) else value)}`"
              f" ({_md(value.get('source', '')) if isinstance(value, dict) else 'given'})"
              for name, value in sorted(options.items()) if name not in NOT_SEARCH_OPTIONS | OWN_SECTION_OPTIONS]
    lines += ["", "## Extent of the search", ""] + _extent(result)
    lines += _allowlist(result) + _review(result)
    lines += ["", "## Pattern packs", "", "| file | origin | pack | version | SHA-256 | rules |", "|---|---|---|---|---|---|"]
    lines += [f"| `{_md(p.relative)}` | {_md(p.origin)} | {_md(p.name)} | {_md(p.version)} | `{p.sha256}` | {len(p.rule_ids)} |"
              for p in result.patterns.files]
    skipped = set(result.skipped_rules)
    searched = set(selected_rules(result))
    lines += ["", "## Rules", "",
              "Each rule's full terms, patterns and context words are in its pack file, identified above by its hash.", "",
              "| rule | title | category | severity | base confidence | detector | looks for | run |",
              "|---|---|---|---|---|---|---|---|"]
    for rule in result.patterns.rules:
        kinds = ", ".join(f"{len(v) if isinstance(v, (list, tuple)) else 1} {k}" for k, v in sorted(rule.match.items())) or "options"
        lines.append(f"| `{rule.id}` | {_md(rule.title)} | {_md(CATEGORY_LABELS.get(rule.category.value, ''))} | "
                     f"{rule.severity.value} | {rule.confidence.value} | {_md(rule.detector)} | {_md(kinds)} | "
                     f"{_run(rule.id, skipped, searched)} |")
    lines += ["", "## Limitations", ""]
    lines += [f"- {_md(note)}" for note in case_limitations(result)] or ["- none recorded"]
    lines += ["- Only text, file names and image metadata were searched; the content of pictures, audio and video was not analysed.",
              "- A rule finds what it was written to find: absence of findings is not proof that nothing of concern is present.",
              ""]
    return "\n".join(lines)
