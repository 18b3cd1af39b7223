"""A minimal, valid SARIF 2.1.0 log, so findings can be loaded into tools that read static-analysis results.

Levels come from severity (high: error, medium: warning, low: note). Every exhibit is an artifact
with its SHA-256; the chat inside a zip is a nested artifact (`parentIndex`) and the locations of
its findings point at it, so line numbers refer to the chat text. An export that could not be read
is an artifact too, with an error notification. The log holds rule texts and matched values, not
message text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from whatsapp_audit import __version__
from whatsapp_audit.case import CaseResult, ExportFailure, as_case
from whatsapp_audit.report.case_details import CaseDetails
from whatsapp_audit.report.safe import json_dumps
from whatsapp_audit.report.summary import numbered, rule_texts
from whatsapp_audit.report.triage import finding_review
from whatsapp_audit.scan import ScanResult

LEVELS = {"high": "error", "medium": "warning", "low": "note"}
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def artifact_uri(path: str) -> str:
    """A URI reference for the export: relative paths stay relative, absolute ones become file: URIs."""
    given = Path(path)
    if given.is_absolute():
        return given.as_uri()
    return quote(given.as_posix())


def sarif_dict(result: ScanResult | CaseResult, case: CaseDetails | dict[str, str] | None = None) -> dict[str, Any]:
    result = as_case(result)
    fired = sorted({item.finding.rule for item in result.findings})
    index = {rule_id: position for position, rule_id in enumerate(fired)}
    rules = []
    for rule_id in fired:
        why, guidance = rule_texts(result, rule_id)
        rule = result.patterns.get(rule_id)
        rules.append({
            "id": rule_id,
            "name": result.titles.get(rule_id, rule_id),
            "shortDescription": {"text": result.titles.get(rule_id, rule_id)},
            "fullDescription": {"text": why or result.titles.get(rule_id, rule_id)},
            "help": {"text": guidance or why or rule_id},
            "defaultConfiguration": {"level": LEVELS[rule.severity.value] if rule else "warning"},
            "properties": {"category": rule.category.value if rule else ""},
        })
    artifacts, where = _artifacts(result)
    results = []
    for number, item in numbered(result):
        finding = item.finding
        region: dict[str, Any] = {"startLine": finding.line, "endLine": item.end_line}
        record: dict[str, Any] = {
            "ruleId": finding.rule,
            "ruleIndex": index[finding.rule],
            "level": LEVELS[finding.severity.value],
            "message": {"text": finding.explanation.reason},
            "locations": [{"physicalLocation": {"artifactLocation": where[item.source], "region": region}}],
            "partialFingerprints": {"whatsappAuditFingerprint/v1": item.id,
                                    "whatsappAuditPortableFingerprint/v1": item.portable_id},
            "properties": {
                "number": number, "category": finding.category.value, "severity": finding.severity.value,
                "confidence": finding.confidence.value, "score": finding.score,
                "characteristic": list(finding.characteristics),
                "matched": finding.matched, "author": item.author, "timestamp": item.timestamp.isoformat(),
            },
        }
        review = finding_review(item)
        if review is not None:
            record["properties"]["review"] = review
            if review["verdict"] == "not_a_concern":  # SARIF's own word for a result a person has set aside
                record["suppressions"] = [{"kind": "external", "status": "accepted",
                                           "justification": review["note"] or "reviewed: not a concern"}]
        results.append(record)
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "whatsapp-audit", "version": __version__, "rules": rules}},
        "artifacts": artifacts,
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": {"case": CaseDetails.of(case).record()},
    }
    if result.failed:
        run["invocations"] = [{"executionSuccessful": True, "toolExecutionNotifications": [
            {"level": "error", "message": {"text": failed.error},
             "locations": [{"physicalLocation": {"artifactLocation": where[position]}}]}
            for position, failed in result.failed
        ]}]
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def _artifacts(result: CaseResult) -> tuple[list[dict[str, Any]], dict[int, dict[str, Any]]]:
    """One artifact per exhibit (plus the chat inside each zip), and for each exhibit the
    artifactLocation its findings point at."""
    artifacts: list[dict[str, Any]] = []
    where: dict[int, dict[str, Any]] = {}
    for position, export in enumerate(result.exports):
        if isinstance(export, ExportFailure):
            uri = artifact_uri(export.path)
            artifact: dict[str, Any] = {"location": {"uri": uri}}
            if export.size is not None:
                artifact["length"] = export.size
            if export.sha256 is not None:
                artifact["hashes"] = {"sha-256": export.sha256}
            where[position] = {"uri": uri, "index": len(artifacts)}
            artifacts.append(artifact)
            continue
        source = export.source
        uri = artifact_uri(source.path)
        artifact = {"location": {"uri": uri}, "length": source.size, "hashes": {"sha-256": source.sha256}}
        where[position] = {"uri": uri, "index": len(artifacts)}
        artifacts.append(artifact)
        if source.chat_member:
            artifact["properties"] = {"chat_member": source.chat_member, "chat_sha256": source.chat_sha256}
            member = "/" + quote(source.chat_member.lstrip("/"))
            where[position] = {"uri": member, "index": len(artifacts)}
            artifacts.append({"location": {"uri": member}, "parentIndex": len(artifacts) - 1,
                              "hashes": {"sha-256": source.chat_sha256}})
    return artifacts, where


def write_sarif(result: ScanResult | CaseResult, out: TextIO, case: CaseDetails | dict[str, str] | None = None) -> None:
    out.write(json_dumps(sarif_dict(result, case), indent=2))
    out.write("\n")
