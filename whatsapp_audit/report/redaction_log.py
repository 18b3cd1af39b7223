"""The redaction log as a file, and the few lines `redact` prints about it.

The log holds no original value (docs/redaction.md), so it can travel with the redacted copy; it
is written with the same JSON escaping as every report, so invisible characters stay visible.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from whatsapp_audit.errors import UsageError
from whatsapp_audit.redact.key import CaseKey
from whatsapp_audit.report.safe import json_dumps
from whatsapp_audit.wording import plural


def write_log(path: Path, log: dict[str, Any]) -> None:
    try:
        with open(path, "w", encoding="utf-8", newline="\n") as out:
            out.write(json_dumps(log, indent=2) + "\n")
    except OSError as error:
        raise UsageError(f"{path}: cannot be written ({(error.strerror or '').lower()})") from None


def summary_lines(log: dict[str, Any], log_path: Path, key: CaseKey, sealed: Path | None) -> list[str]:
    """What was written and replaced, in counts only (the terminal is not evidence-handled)."""
    output, check, people = log["output"], log["check"], log["people"]
    counts: dict[str, int] = log["counts"]
    names = sum(counts.get(k, 0) for k in ("participant", "person", "name"))
    markers = {k: v for k, v in counts.items() if k not in ("participant", "person", "name")}
    shown = ", ".join(f"[{k}] {v}" for k, v in markers.items()) or "none"
    written = (f"redacted copy written to {output['path']} (sha256 {output['sha256'][:16]}...): {check['lines']:,} "
               f"lines, {check['messages']:,} messages, parsed again: same lines, messages and kinds as the export")
    replaced = (f"replaced {plural(names, 'name')} ({plural(people['participants'], 'participant')}, "
                f"{plural(people['persons'], 'other person', 'other people')}, {people['kept']} kept) and masked "
                f"{plural(sum(markers.values()), 'value')}: {shown}")
    lines = [written, replaced, f"redaction log: {log_path}"]
    if key.path is not None:
        state = "created" if key.created else ("updated" if key.changed else "unchanged")
        lines.append(f"case key {state}: {key.path} (sensitive: it re-identifies every copy made with it)")
    if sealed is not None:
        lines.append(f"sealed originals: {sealed} (sensitive: never disclose)")
    return lines
