"""`verify --rescan`: run an evidence pack's scan again, as the manifest recorded it, on the exhibits.

The manifest holds every option with its value, the pattern files with their hashes, each exhibit's
SHA-256, the review file's and allowlists' hashes, the case details and the report time. The
exports given are matched to the recorded exhibits by SHA-256 (wherever they are now), the same
options are read back the way `scan` reads them, and the reports are written again and compared
(`report/rescan.py`). Anything that prevents a faithful re-run (an exhibit not given, patterns or a
review file that changed) is a problem, never a silent best effort.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from whatsapp_audit import __version__, build_cache
from whatsapp_audit.case import scan_case
from whatsapp_audit.cli.narrowing import Narrowing, read_narrowing
from whatsapp_audit.cli.options import chosen_date_order
from whatsapp_audit.discover import Inputs, SkippedFile, find_exports
from whatsapp_audit.errors import WhatsAuditError
from whatsapp_audit.report.rescan import compare_reports
from whatsapp_audit.resources import package_sha256
from whatsapp_audit.rules.loader import PatternSet, load_patterns
from whatsapp_audit.rules.optional import choose_model
from whatsapp_audit.scan import DEFAULT_CONTEXT
from whatsapp_audit.triage.apply import apply_triage
from whatsapp_audit.wording import plural


@dataclass
class Rescan:
    """What `verify --rescan` found: problems, each followed by its details (lines starting with spaces)."""

    matched: list[str] = field(default_factory=list)  # reports the re-run gives byte for byte
    problems: list[str] = field(default_factory=list)
    summary: str = ""


def rescan_pack(folder: Path, given: Sequence[Path]) -> Rescan:
    """Re-run the scan recorded in `folder/manifest.json` on the exports in `given` (files or folders)."""
    outcome = Rescan()
    build_cache.keep_out_of(path if path.is_dir() else path.parent for path in given)
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        outcome.problems.append("manifest.json: missing or not valid JSON; the scan cannot be re-run")
        return outcome
    if manifest.get("status") != "COMPLETE":
        outcome.problems.append("manifest.json: the run did not finish, so there are no reports to re-run")
        return outcome
    options: dict[str, Any] = manifest.get("command", {}).get("options", {})

    def value(name: str, default: Any = None) -> Any:
        entry = options.get(name)
        return entry.get("value", default) if isinstance(entry, dict) else default

    paths = _exhibits(manifest, given, outcome)
    with _recorded_folder(manifest) as where:  # relative --patterns, --review, --allowlist lead where they led
        patterns = _patterns(manifest, value, outcome, where)
        narrowing = _narrowing(manifest, value, outcome, where)
    if outcome.problems or paths is None or patterns is None or narrowing is None:
        return outcome
    context: int | None = value("context")
    recorded = _recorded_inputs(manifest)
    inputs = Inputs(exports=tuple(Path(p) for p in paths), folders=(),
                    skipped=tuple(SkippedFile(str(s.get("path")), str(s.get("reason"))) for s in manifest.get("skipped") or []))
    try:
        result = scan_case([], inputs=inputs, patterns=patterns, date_order=chosen_date_order(value("date_order", "auto")),
                           context=max(DEFAULT_CONTEXT, context or 0), min_confidence=value("min_confidence", "low"),
                           search=narrowing.search, shown=[str(item.get("path")) for item in recorded])
    except WhatsAuditError as error:
        outcome.problems.append(f"the recorded scan could not be run again: {error}")
        return outcome
    result = apply_triage(result, narrowing.allowlists, narrowing.review, narrowing.hide)
    started = datetime.fromisoformat(str(manifest["run"]["started_at"]).replace("Z", "+00:00"))
    case = {key: str(v) for key, v in (manifest.get("case") or {}).items()}
    outcome.matched, problems = compare_reports(folder, result, started, context, case, options, paths)
    tool = manifest.get("tool", {})
    if problems and tool.get("version") != __version__:
        problems.append(f"  the pack was made by whatsapp-audit {tool.get('version')}, the re-run used {__version__}: "
                        "reports may legitimately differ between versions")
    elif problems and tool.get("package_sha256") != package_sha256():
        problems.append(f"  the pack was made by other code of whatsapp-audit {__version__} (package SHA-256 "
                        f"{str(tool.get('package_sha256'))[:16]}..., the re-run's {package_sha256()[:16]}...): "
                        "reports may legitimately differ")
    outcome.problems += problems
    outcome.summary = (f"re-ran the recorded scan of {plural(len(paths), 'exhibit')} with "
                       f"{plural(len(patterns.files), 'pattern file')}: {result.counts.findings} "
                       f"{'finding' if result.counts.findings == 1 else 'findings'}")
    return outcome


@contextlib.contextmanager
def _recorded_folder(manifest: dict[str, Any]) -> Iterator[str]:
    """Run in the folder the scan ran in, when the manifest records it and it is still there (else here);
    yields a note for problems: where relative paths were looked for."""
    recorded = manifest.get("command", {}).get("cwd")
    if isinstance(recorded, str) and Path(recorded).is_dir():
        with contextlib.chdir(recorded):
            yield f"relative paths were taken from {recorded}, where the scan ran"
        return
    missing = f"the folder the scan ran in ({recorded}) is not here" if isinstance(recorded, str) else \
        "the pack does not record the folder the scan ran in"
    yield (f"{missing}, so relative paths were taken from here ({Path.cwd()}): run verify where they lead to "
           "the same files")


def _recorded_inputs(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    inputs = manifest.get("inputs")
    if not isinstance(inputs, list):
        single = manifest.get("input")
        inputs = [single] if isinstance(single, dict) else []
    return [item for item in inputs if isinstance(item, dict)]


def _sha256(path: Path) -> str | None:
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


def _exhibits(manifest: dict[str, Any], given: Sequence[Path], outcome: Rescan) -> list[str] | None:
    """The path of each recorded exhibit now, in recorded order, found among `given` by SHA-256."""
    here: dict[str, str] = {}
    for path in find_exports(list(given)).exports:
        digest = _sha256(path)
        if digest is not None:
            here.setdefault(digest, str(path))
    paths = []
    for index, item in enumerate(_recorded_inputs(manifest)):
        digest = item.get("sha256")
        if digest in here:
            paths.append(here[digest])
        elif item.get("status") == "failed" and _unchanged(where := _where_it_was(manifest, item), digest):
            paths.append(where)  # it could not be read then: it is tried again where it was
        else:
            outcome.problems.append(f"exhibit {index + 1} ({item.get('path')}, SHA-256 {str(digest)[:16]}...): "
                                    "not among the exports given to --rescan (or changed since)")
    return None if outcome.problems else paths


def _where_it_was(manifest: dict[str, Any], item: dict[str, Any]) -> str:
    """The exhibit's recorded path, from the folder the scan ran in when it was relative."""
    path = Path(str(item.get("path")))
    base = manifest.get("command", {}).get("cwd")
    return str(path if path.is_absolute() or not isinstance(base, str) else Path(base) / path)


def _unchanged(path: str, digest: Any) -> bool:
    """An exhibit that could not be hashed then (no digest) is tried as it is; one that was, only if the same."""
    return digest is None or _sha256(Path(path)) == digest


def _patterns(manifest: dict[str, Any], value: Any, outcome: Rescan, where: str) -> PatternSet | None:
    try:
        patterns = load_patterns([Path(p) for p in value("patterns_dirs", [])],
                                 include_default=not value("no_default_patterns", False))
        patterns = choose_model(patterns, value("model"))
    except WhatsAuditError as error:
        outcome.problems.append(f"the recorded pattern files cannot be loaded again: {error} ({where})")
        return None
    recorded = [(f.get("path"), f.get("sha256")) for f in manifest.get("patterns", {}).get("files", [])]
    now = [(f.relative, f.sha256) for f in patterns.files]
    if recorded != now:
        changed = sorted({str(p) for p, _ in set(recorded) ^ set(now)})
        outcome.problems.append(f"the pattern files differ from those the pack records ({', '.join(changed[:5])}"
                                f"{' ...' if len(changed) > 5 else ''}); the scan cannot be re-run as it was")
        return None
    return patterns


def _narrowing(manifest: dict[str, Any], value: Any, outcome: Rescan, where: str) -> Narrowing | None:
    review = value("review_file")
    allowlists = [Path(p) for p in value("allowlists", [])]
    try:
        narrowing = read_narrowing(value("categories", []), value("rule_globs", []), value("participants", []),
                                   value("since"), value("until"), Path(review) if review else None,
                                   value("hide_reviewed", []), allowlists)
    except WhatsAuditError as error:
        outcome.problems.append(f"the recorded review file or allowlist cannot be read again: {error} ({where})")
        return None
    recorded_review = (manifest.get("review") or {}).get("sha256")
    if narrowing.review is not None and narrowing.review.sha256 != recorded_review:
        outcome.problems.append(f"{review}: the review file changed since the pack was made; the scan cannot be "
                                "re-run as it was")
    recorded_allowlists = [f.get("sha256") for f in (manifest.get("allowlist") or {}).get("files", [])]
    if [a.sha256 for a in narrowing.allowlists] != recorded_allowlists:
        outcome.problems.append("an allowlist changed since the pack was made; the scan cannot be re-run as it was")
    return narrowing
