"""`scan --redact`: one hook that redacts a finished case before any report is rendered from it.

Every format (text, JSON, JSONL, CSV, HTML, SARIF) is rendered from the same `CaseResult`, so
redacting the case once gives the same masking in every report, and the same as `redact` gives a
copy (same policy, detectors, people and case key: `redact.loose`). Authors, message texts and
their neighbours, matched values, file names and exhibit file names are replaced; hashes, line
numbers, rules and scores stay, so a redacted report still points into the exhibit. The case gains
a `redaction` record (the JSON report's `redaction`; every report then says so first among its
limitations).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import Any

from whatsapp_audit.case import CaseResult, ExportFailure
from whatsapp_audit.discover import SkippedFile
from whatsapp_audit.model import Finding
from whatsapp_audit.redact.key import CaseKey
from whatsapp_audit.redact.loose import LooseRedactor
from whatsapp_audit.redact.names import system_event_names
from whatsapp_audit.redact.policy import load_policy
from whatsapp_audit.scan import ContextMessage, ExportScan, ScanFinding
from whatsapp_audit.triage.apply import Triage


def redact_case(case: CaseResult, key: CaseKey, keep: Sequence[str] = ()) -> CaseResult:
    """The case with its chat text redacted as `redact` redacts a copy; `key` gains any new name."""
    policy = load_policy()
    scanned = [export for _, export in case.scanned]
    messages = list(_messages(scanned))
    authors = [a for export in scanned for a in export.stats.authors]
    authors += [m.author for m in messages if m.author]
    authors += [name for m in messages if m.author is None for name in system_event_names(m.text, policy)]
    loose = LooseRedactor.build(authors, [(m.text, m.timestamp) for m in messages], key, keep, policy=policy)
    exports = tuple(_export(export, loose) for export in case.exports)
    findings = tuple(item for export in exports if isinstance(export, ExportScan) for item in export.findings)
    record: dict[str, Any] = {
        "policy": policy.record(),
        "key": None if key.path is None else str(key.path),
        "kept": list(keep),
        "pseudonyms": sorted({e.pseudonym for e in key.entries}, key=_label_order) if key.path is not None
        else sorted({p.pseudonym for p in loose.redactor.people if p.pseudonym}, key=_label_order),
    }
    search = case.search
    if search is not None and search.participants:  # typed by the examiner, but still people's names
        search = replace(search, participants=tuple(loose.names_only(name) for name in search.participants))
    return replace(case, exports=exports, findings=findings, redaction=record, search=search,
                   triage=_triage(case.triage, loose),
                   skipped=tuple(SkippedFile(loose.path(s.path), s.reason) for s in case.skipped))


def _triage(triage: Triage | None, loose: LooseRedactor) -> Triage | None:
    """Allowlist values are values from the chat (a number, a collar number): left out; reasons keep their
    words, names replaced. Review notes are redacted with the findings they belong to (`_finding`)."""
    if triage is None:
        return None
    allowlists = tuple(
        replace(allowlist, entries=tuple(replace(entry, value="[redacted]", reason=loose.names_only(entry.reason))
                                         for entry in allowlist.entries))
        for allowlist in triage.allowlists
    )
    return replace(triage, allowlists=allowlists)


def _label_order(label: str) -> tuple[str, int, str]:
    prefix, _, rest = label.partition(" ")
    return (prefix, int(rest) if rest.isdigit() else len(rest), rest)


def _messages(exports: Iterable[ExportScan]) -> Iterator[ContextMessage]:
    for export in exports:
        for item in export.findings:
            if item.message is not None:
                yield item.message
            yield from item.before
            yield from item.after


def _export(export: ExportScan | ExportFailure, loose: LooseRedactor) -> ExportScan | ExportFailure:
    if isinstance(export, ExportFailure):
        path = loose.path(export.path)
        return replace(export, path=path, error=export.error.replace(export.path, path))
    source = export.source
    path = loose.path(source.path)
    member = loose.file_name(source.chat_member) if source.chat_member else None
    record = {**export.source_record, "path": path, "chat_member": member}
    authors = export.stats.authors.__class__()
    for author, count in export.stats.authors.items():
        authors[loose.name(author) or author] += count
    return replace(
        export,
        source=replace(source, path=path, chat_member=member),
        source_record=record,
        stats=replace(export.stats, authors=authors),
        media=tuple(replace(m, name=_member(loose, m.name)) for m in export.media),
        findings=tuple(_finding(item, loose) for item in export.findings),
    )


def _member(loose: LooseRedactor, name: str) -> str:
    folder, _, base = name.replace("\\", "/").rpartition("/")
    redacted = loose.file_name(base)
    return f"{folder}/{redacted}" if folder else redacted


def _context(message: ContextMessage, loose: LooseRedactor) -> ContextMessage:
    attachments = (message.attachment,) if message.attachment else ()
    text = loose.text(message.text, message.timestamp, attachments).text
    attachment = loose.file_name(message.attachment, message.timestamp) if message.attachment else None
    return replace(message, author=loose.name(message.author), text=text, attachment=attachment)


def _finding(item: ScanFinding, loose: LooseRedactor) -> ScanFinding:
    finding = item.finding
    flagged = item.message
    if flagged is not None and finding.start is not None and finding.end is not None:
        attachments = (flagged.attachment,) if flagged.attachment else ()
        done = loose.text(flagged.text, flagged.timestamp, attachments)
        start, end = done.position(finding.start), done.position(finding.end, end=True)
        matched = done.text[start:end]
        finding = _moved(finding, start, end, matched)
    elif finding.matched is not None:  # a whole-message finding: the matched value is a file name
        matched = loose.file_name(finding.matched, item.timestamp)
        finding = _moved(finding, None, None, matched)
    explanation = finding.explanation
    details = tuple((name, loose.names_only(value)) for name, value in explanation.details)
    finding = replace(finding, explanation=replace(explanation, details=details))
    review = item.review
    if review is not None and review.note:
        review = replace(review, note=loose.text(review.note, item.timestamp).text)
    return replace(
        item, finding=finding, author=loose.name(item.author), review=review,
        message=_context(flagged, loose) if flagged is not None else None,
        before=tuple(_context(m, loose) for m in item.before), after=tuple(_context(m, loose) for m in item.after),
    )


def _moved(finding: Finding, start: int | None, end: int | None, matched: str) -> Finding:
    """The finding with its span in the redacted text; its value as the copy writes it when that changed."""
    normalised = finding.normalised if matched == finding.matched else matched
    return replace(finding, start=start, end=end, matched=matched, normalised=normalised)

