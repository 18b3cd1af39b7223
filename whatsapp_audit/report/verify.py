"""Check an evidence pack: every file listed in SHA256SUMS is present and unchanged, nothing added.

One plain line per problem, so `whatsapp-audit verify DIR` can print them and exit 4.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SUMS = "SHA256SUMS"
_LINE = re.compile(r"^([0-9a-f]{64}) [ *](.+)$")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class Verdict:
    checked: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_pack(folder: Path, exports: Sequence[Path] = ()) -> Verdict:
    """Recompute every hash in `folder/SHA256SUMS`; check each of `exports` against the exhibits
    recorded in the manifest."""
    verdict = Verdict()
    sums = folder / SUMS
    if not sums.is_file():
        verdict.problems.append(f"{SUMS}: missing; this is not an evidence pack or it is incomplete")
        return verdict
    listed: dict[str, str] = {}
    for number, raw in enumerate(sums.read_text(encoding="utf-8").splitlines(), 1):
        match = _LINE.match(raw)
        if not match or "/" in match.group(2) or match.group(2) in (".", ".."):
            verdict.problems.append(f"{SUMS}:{number}: not a 'sha256  name' line")
            continue
        listed[match.group(2)] = match.group(1)
    for name, expected in sorted(listed.items()):
        path = folder / name
        if not path.is_file():
            verdict.problems.append(f"{name}: missing")
        elif file_sha256(path) != expected:
            verdict.problems.append(f"{name}: SHA-256 does not match {SUMS} (the file was changed)")
        else:
            verdict.checked.append(name)
    for path in sorted(folder.iterdir()):
        if path.name != SUMS and path.name not in listed:
            verdict.problems.append(f"{path.name}: extra file, not listed in {SUMS}")
    manifest = folder / "manifest.json"
    if manifest.is_file() and "manifest.json" in verdict.checked:
        _check_manifest(manifest, folder, exports, verdict)
    elif "manifest.json" not in listed:
        verdict.problems.append("manifest.json: not listed in SHA256SUMS")
    return verdict


def _check_manifest(manifest: Path, folder: Path, exports: Sequence[Path], verdict: Verdict) -> None:
    try:
        record = json.loads(manifest.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        verdict.problems.append("manifest.json: not valid JSON")
        return
    if record.get("status") != "COMPLETE":
        verdict.problems.append(f"manifest.json: status is {record.get('status')!s}, not COMPLETE (the run did not finish)")
    for output in record.get("outputs", []):
        name = str(output.get("name", ""))
        if name in verdict.checked and file_sha256(folder / name) != output.get("sha256"):
            verdict.problems.append(f"{output.get('name')}: SHA-256 does not match manifest.json")
    recorded = _recorded_inputs(record)
    for export in exports:
        if not export.is_file():
            verdict.problems.append(f"{export}: export not found")
            continue
        digest = file_sha256(export)
        if digest not in recorded:
            verdict.problems.append(f"{export}: SHA-256 does not match the input recorded in manifest.json"
                                    if len(recorded) == 1 else
                                    f"{export}: SHA-256 matches none of the {len(recorded)} exhibits recorded in manifest.json")
        else:
            verdict.checked.append(f"export {export.name}" + (f" (exhibit {recorded[digest]})" if len(recorded) > 1 else ""))


def _recorded_inputs(record: dict[str, Any]) -> dict[str, str]:
    """SHA-256 -> exhibit path of every exhibit in the manifest (`inputs`, or an older pack's `input`)."""
    inputs = record.get("inputs")
    if not isinstance(inputs, list):
        single = record.get("input")
        inputs = [single] if isinstance(single, dict) else []
    return {str(item["sha256"]): str(item.get("path", "")) for item in inputs
            if isinstance(item, dict) and item.get("sha256")}
