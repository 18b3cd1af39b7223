"""The evidence pack of `scan --out DIR`: reports, manifest, processing log, search strategy, SHA256SUMS.

File contents are deterministic apart from run timestamps (and the run id derived from them). The
processing log and the manifest never hold message text or participants' names: counts, hashes,
file names and options only. A run that does not finish still leaves a manifest marked INCOMPLETE.
"""

from __future__ import annotations

import hashlib
import platform
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from whatsapp_audit import __version__
from whatsapp_audit.case import CaseResult, ExportFailure, as_case
from whatsapp_audit.errors import UsageError
from whatsapp_audit.fingerprint import PORTABLE_FINGERPRINT_VERSION
from whatsapp_audit.report.csv_report import write_csv
from whatsapp_audit.report.json_report import SCHEMA_VERSION, header, stamp, write_json
from whatsapp_audit.report.safe import json_dumps
from whatsapp_audit.report.strategy import search_strategy
from whatsapp_audit.report.triage import search_record
from whatsapp_audit.report.verify import SUMS, file_sha256
from whatsapp_audit.resources import package_sha256
from whatsapp_audit.scan import FINGERPRINT_VERSION, ScanResult

MANIFEST_VERSION = "1"
REPORTS = ("findings.json", "report.html", "findings.csv", "search-strategy.md")  # rendered from the result
LOG = "audit.log.jsonl"
PACK_FILES = (*REPORTS, LOG, "manifest.json", SUMS)
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def prepare_folder(folder: Path, force: bool) -> list[str]:
    """Create `folder`, or reuse it when empty; with `force`, replace an earlier pack's files.

    Returns the names replaced (for the log). Files that are not pack files are never deleted."""
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder}: exists and is not a folder")
    existing = sorted(p.name for p in folder.iterdir()) if folder.exists() else []
    if existing and not force:
        raise UsageError(f"{folder}: folder is not empty; choose a new folder or pass --force to replace an earlier pack")
    replaced = [name for name in existing if name in PACK_FILES]
    for name in replaced:
        (folder / name).unlink()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"{folder}: cannot be created ({error.strerror})") from None
    return replaced


def event_time() -> str:
    """Now, by the machine's clock: UTC, ISO 8601 to the millisecond, with `Z`."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class EvidencePack:
    """Writes one pack. `log` events as the run goes, then `finish(result)` or `abort(reason)`.

    The processing log is written line by line as events happen, each with the time it was logged by
    the machine's clock, never the frozen report time (`--generated-at`): if the run is killed the
    log says how far it got, and when."""

    folder: Path
    argv: Sequence[str]
    options: dict[str, Any]
    case: dict[str, str]
    clock: Clock = utc_now  # the report time: the CLI passes a frozen clock for reproducible reports
    started: datetime = field(init=False)
    _log: TextIO | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.started = self.clock()
        self._log = open(self.folder / LOG, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed in _close

    def log(self, event: str, **fields: Any) -> None:
        """One processing-log entry, written at once: an event name, counts, hashes and file names; never chat text."""
        if self._log is None:
            raise RuntimeError("the evidence pack is closed")
        self._log.write(json_dumps({"time": event_time(), "event": event, **fields}) + "\n")
        self._log.flush()

    def _write(self, name: str, text: str, bom: bool = False) -> None:
        with open(self.folder / name, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
            handle.write(text)

    def finish(self, result: ScanResult | CaseResult, context: int | None = None) -> None:
        """Write the reports, the strategy, the log, the manifest (COMPLETE) and SHA256SUMS.

        `context`: messages each side in every report (default: all kept for JSON/CSV, 5 in HTML)."""
        result = as_case(result)
        for name in REPORTS:
            with open(self.folder / name, "w", encoding="utf-8-sig" if name == "findings.csv" else "utf-8",
                      newline="") as handle:
                write_report(name, result, handle, self.started, context, self.case, self.options)
            self.log("wrote", file=name, sha256=file_sha256(self.folder / name))
        self._close("COMPLETE", result)

    def abort(self, reason: str) -> None:
        """The run stopped early: keep what is known, marked INCOMPLETE, so nobody mistakes it for a result."""
        self.log("stopped", reason=reason)
        self._close("INCOMPLETE", None)

    def _close(self, status: str, result: CaseResult | None) -> None:
        self.log("finished", status=status)
        if self._log is not None:
            self._log.close()
            self._log = None
        self._write("manifest.json", json_dumps(self.manifest(status, result), indent=2) + "\n")
        names = sorted(p.name for p in self.folder.iterdir() if p.name in PACK_FILES and p.name != SUMS)
        self._write(SUMS, "".join(f"{file_sha256(self.folder / name)}  {name}\n" for name in names))

    def manifest(self, status: str, result: CaseResult | None) -> dict[str, Any]:
        finished = self.clock()
        run_id = hashlib.sha256(f"{stamp(self.started)}\x1f{' '.join(self.argv)}".encode()).hexdigest()[:16]
        record: dict[str, Any] = {
            "manifest_version": MANIFEST_VERSION,
            "status": status,
            "run": {"id": run_id, "started_at": stamp(self.started), "finished_at": stamp(finished),
                    "times": "UTC; message times in the reports are as written in the export (local time)"},
            "tool": {"name": "whatsapp-audit", "version": __version__, "package_sha256": package_sha256(),
                     "report_schema_version": SCHEMA_VERSION, "fingerprint_version": FINGERPRINT_VERSION,
                     "portable_fingerprint_version": PORTABLE_FINGERPRINT_VERSION,
                     "python": platform.python_version(), "platform": platform.platform(terse=True)},
            "command": {"argv": list(self.argv), "options": self.options, "cwd": str(Path.cwd())},
            "case": self.case,
        }
        if result is not None:
            head = header(result, self.started)
            single = result.single
            inputs = inputs_record(result, head["media"])
            record.update({
                "patterns": {**head["patterns"], "set_sha256": hashlib.sha256(
                    "".join(p.sha256 for p in result.patterns.files).encode()).hexdigest()},
                "input": {**single.source_record, "media": inputs[0]["media"]} if single is not None else None,
                "inputs": inputs,
                "skipped": head["skipped"],
                "counts": head["summary"],
                "coverage": head["coverage"],
                "limitations": head["limitations"],
                "search": search_record(result, names=False),
                "allowlist": head["allowlist"],
                "review": head["review"],
            })
        outputs = [name for name in REPORTS if (self.folder / name).is_file()]
        record["outputs"] = [{"name": name, "size": (self.folder / name).stat().st_size,
                              "sha256": file_sha256(self.folder / name)} for name in outputs]
        record["not_in_outputs"] = ("audit.log.jsonl and manifest.json are covered by SHA256SUMS; "
                                    "run `whatsapp-audit verify DIR` to re-check every hash")
        return record


def write_report(name: str, result: CaseResult, out: TextIO, started: datetime, context: int | None,
                 case: dict[str, str], options: dict[str, Any], exhibit_paths: Sequence[str] | None = None) -> None:
    """One report of a pack, as `finish` writes it (and `verify --rescan` writes it again to compare).

    `context`: messages each side (default: all kept for JSON and CSV, 5 in HTML); `exhibit_paths`:
    where the exhibits are now, when not where the reports say (the HTML reads a zip's pictures)."""
    if name == "findings.json":
        write_json(result, out, started, context, case)
    elif name == "report.html":
        from whatsapp_audit.report.html_report import write_html  # Jinja2 is loaded only when a pack is written

        write_html(result, out, started, context=5 if context is None else context, case=case,
                   exhibit_paths=exhibit_paths)
    elif name == "findings.csv":
        write_csv(result, out, context, case)
    elif name == "search-strategy.md":
        out.write(search_strategy(result, options, case))
    else:  # pragma: no cover - REPORTS lists the names
        raise ValueError(name)


def inputs_record(result: CaseResult, media: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every exhibit of the run, read or not, with its hashes (and its zip members')."""
    records: list[dict[str, Any]] = []
    for index, export in enumerate(result.exports):
        if isinstance(export, ExportFailure):
            records.append({"index": index, "status": "failed", "error": export.error, "path": export.path,
                            "sha256": export.sha256, "size": export.size})
        else:
            members = [{k: v for k, v in m.items() if k != "source"} for m in media if m["source"] == index]
            records.append({"index": index, "status": "scanned", "error": None, **export.source_record,
                            "media": members})
    return records


def python_argv() -> list[str]:
    """The command line as typed (program name shortened to the tool's name)."""
    return ["whatsapp-audit", *sys.argv[1:]]
