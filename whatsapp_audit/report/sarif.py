"""A minimal, valid SARIF 2.1.0 log, so findings can be loaded into tools that read static-analysis results.

Levels come from severity (high: error, medium: warning, low: note); locations are the export file
with the flagged message's lines. The log holds rule texts and matched values, not message text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from whatsapp_audit import __version__
from whatsapp_audit.report.safe import json_dumps
from whatsapp_audit.report.summary import rule_texts
from whatsapp_audit.scan import ScanResult

LEVELS = {"high": "error", "medium": "warning", "low": "note"}
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def artifact_uri(path: str) -> str:
    """A URI reference for the export: relative paths stay relative, absolute ones become file: URIs."""
    given = Path(path)
    if given.is_absolute():
        return given.as_uri()
    return quote(given.as_posix())


def sarif_dict(result: ScanResult) -> dict[str, Any]:
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
    uri = artifact_uri(result.source.path)
    results = []
    for item in result.findings:
        finding = item.finding
        region: dict[str, Any] = {"startLine": finding.line, "endLine": item.end_line}
        results.append({
            "ruleId": finding.rule,
            "ruleIndex": index[finding.rule],
            "level": LEVELS[finding.severity.value],
            "message": {"text": finding.explanation.reason},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri, "index": 0}, "region": region}}],
            "partialFingerprints": {"whatsappAuditFingerprint/v1": item.id},
            "properties": {
                "category": finding.category.value, "severity": finding.severity.value,
                "confidence": finding.confidence.value, "score": finding.score,
                "matched": finding.matched, "author": item.author, "timestamp": item.timestamp.isoformat(),
            },
        })
    artifact: dict[str, Any] = {
        "location": {"uri": uri}, "length": result.source.size, "hashes": {"sha-256": result.source.sha256},
    }
    if result.source.chat_member:
        artifact["properties"] = {"chat_member": result.source.chat_member, "chat_sha256": result.source.chat_sha256}
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "whatsapp-audit", "version": __version__, "rules": rules}},
            "artifacts": [artifact],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }


def write_sarif(result: ScanResult, out: TextIO) -> None:
    out.write(json_dumps(sarif_dict(result), indent=2))
    out.write("\n")
