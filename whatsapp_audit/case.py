"""Many exports in one run: `scan_case(paths)` scans every export given or found in the folders
given and returns one `CaseResult`.

The unit of work is one export (`ExportTask` in, `ExportScan` or `ExportFailure` out), so the same
run goes through one of three runners with nothing else changed: this process (one engine, built
once), a local process pool (`--jobs`), or a Dask cluster (`--cluster`, see `cluster.py`). Results
are put back in input order whatever order they finish in, so the case report is the same bytes
whichever runner made it. One export that cannot be read is recorded as a failure and the others
are still scanned.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whatsapp_audit import build_cache
from whatsapp_audit.detect.engine import Engine
from whatsapp_audit.discover import Inputs, SkippedFile, find_exports
from whatsapp_audit.errors import InputError
from whatsapp_audit.model import Severity
from whatsapp_audit.rules.loader import PatternSet, load_patterns
from whatsapp_audit.scan import (
    DEFAULT_CONTEXT,
    Counts,
    EngineCache,
    ExportScan,
    ProgressCallback,
    ScanFinding,
    ScanOptions,
    ScanResult,
    count,
    rules_not_run,
    scan_export,
    scan_options,
)
from whatsapp_audit.scope import SearchScope
from whatsapp_audit.wording import plural

if TYPE_CHECKING:
    from whatsapp_audit.triage.apply import Triage

# Called as exports finish with (exports done, exports in the run, messages read so far).
BatchProgress = Callable[[int, int, int], None]
# Called with (export's index, its outcome) as each export finishes, in the order they finish.
Finished = Callable[[int, "Outcome"], None]


@dataclass(frozen=True)
class ExportTask:
    """One export to scan: its place in the case, the path to open, and the path reports show."""

    index: int
    path: str  # opened by whoever runs the task (absolute for a cluster worker)
    shown: str  # as given on the command line or found in a folder given


@dataclass(frozen=True)
class ExportFailure:
    """An export that could not be scanned, and why (one line, never message text)."""

    path: str
    error: str  # the whole one-line error, starting with the path
    sha256: str | None = None  # of the file as it is, when it could be read at all
    size: int | None = None

    @property
    def reason(self) -> str:
        """The error without the path in front."""
        prefix = f"{self.path}: "
        return self.error[len(prefix):] if self.error.startswith(prefix) else self.error


Outcome = ExportScan | ExportFailure


def run_task(engine: Callable[[], Engine], task: ExportTask, options: ScanOptions) -> Outcome:
    """Scan one export; an input problem (or a bug, unless WA_AUDIT_DEBUG is set) becomes a failure."""
    try:
        return scan_export(task.path, options, engine, index=task.index, shown=task.shown)
    except InputError as error:
        return failure(task, str(error))
    except Exception as error:  # one export's bug must not lose the others (re-raised under WA_AUDIT_DEBUG)
        if os.environ.get("WA_AUDIT_DEBUG"):
            raise
        return failure(task, f"{task.path}: internal error while scanning ({type(error).__name__}); "
                             "set WA_AUDIT_DEBUG=1 to see the traceback")


def failure(task: ExportTask, error: str) -> ExportFailure:
    """The failure record, with the file's hash and size when it can be read (it is an exhibit too)."""
    if task.path != task.shown:
        error = error.replace(task.path, task.shown)
    if not error.startswith(f"{task.shown}: "):
        error = f"{task.shown}: {error}"
    sha256, size = hash_file(task.path)
    return ExportFailure(task.shown, error, sha256, size)


def hash_file(path: str | os.PathLike[str]) -> tuple[str | None, int | None]:
    """SHA-256 and size of a regular file, or (None, None) if it cannot be read."""
    if not os.path.isfile(path):
        return None, None
    try:
        with open(path, "rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
            return digest, os.fstat(handle.fileno()).st_size
    except OSError:
        return None, None


@dataclass(frozen=True)
class CaseResult:
    """One run over one or more exports: every export's outcome in input order, and the findings of
    all of them (each with `source`, its export's index), ordered by export, then place in the file."""

    exports: tuple[Outcome, ...]
    skipped: tuple[SkippedFile, ...]
    patterns: PatternSet
    skipped_rules: tuple[str, ...]
    titles: dict[str, str]
    context: int
    min_confidence: str
    findings: tuple[ScanFinding, ...]
    counts: Counts  # totals over the exports scanned
    redaction: dict[str, Any] | None = None  # set by `scan --redact` (report/redaction.py): how the case was redacted
    search: SearchScope | None = None  # the narrowing given (None: a full search)
    triage: Triage | None = None  # allowlists and review applied after detection (triage.apply)

    @classmethod
    def build(cls, exports: Sequence[Outcome], skipped: Sequence[SkippedFile], patterns: PatternSet,
              options: ScanOptions, search: SearchScope | None = None) -> CaseResult:
        scanned = [export for export in exports if isinstance(export, ExportScan)]
        findings = tuple(item for export in scanned for item in export.findings)
        messages = sum(export.counts.messages for export in scanned)
        examined = sum(export.counts.examined for export in scanned)
        return cls(tuple(exports), tuple(skipped), patterns, rules_not_run(patterns),
                   {rule.id: rule.title for rule in patterns.rules}, options.context, options.min_confidence,
                   findings, count(findings, messages, examined),
                   search=search if search is not None and search.narrowed else None)

    @classmethod
    def of(cls, result: ScanResult) -> CaseResult:
        """A case of one export (how every report renders a single `scan`)."""
        options = ScanOptions(None, result.context, result.min_confidence)
        return cls.build([result], (), result.patterns, options)

    @property
    def scanned(self) -> list[tuple[int, ExportScan]]:
        return [(i, e) for i, e in enumerate(self.exports) if isinstance(e, ExportScan)]

    @property
    def failed(self) -> list[tuple[int, ExportFailure]]:
        return [(i, e) for i, e in enumerate(self.exports) if isinstance(e, ExportFailure)]

    @property
    def single(self) -> ExportScan | None:
        """The export, when the run had exactly one (reports then keep their one-export shape)."""
        if len(self.exports) == 1 and isinstance(self.exports[0], ExportScan):
            return self.exports[0]
        return None

    def path(self, index: int) -> str:
        export = self.exports[index]
        return export.source.path if isinstance(export, ExportScan) else export.path

    def label(self, index: int) -> str:
        """A short name for an exhibit in human reports: its file name, and the chat inside a zip."""
        name = self.path(index).replace("\\", "/").rsplit("/", 1)[-1]
        export = self.exports[index]
        if isinstance(export, ExportScan) and export.source.chat_member:
            name += f" ({export.source.chat_member})"
        return name

    def at_or_above(self, severity: Severity) -> int:
        return sum(1 for item in self.findings if item.finding.severity.rank >= severity.rank)


def as_case(result: ScanResult | CaseResult) -> CaseResult:
    return result if isinstance(result, CaseResult) else CaseResult.of(result)


def scan_case(
    paths: Sequence[str | os.PathLike[str]],
    *,
    patterns_dirs: Sequence[Path] = (),
    include_default_patterns: bool = True,
    date_order: str | None = None,
    patterns: PatternSet | None = None,
    context: int = DEFAULT_CONTEXT,
    min_confidence: str = "low",
    jobs: int | None = None,
    cluster: str | None = None,
    progress: BatchProgress | None = None,
    part_progress: ProgressCallback | None = None,
    inputs: Inputs | None = None,
    search: SearchScope | None = None,
    finished: Finished | None = None,
    shown: Sequence[str] | None = None,
) -> CaseResult:
    """Scan every export in `paths` (files, or folders searched recursively) as one case.

    One export: `jobs` processes share it, as in `scan`. Several: `jobs` processes (None: one per
    core when the exports are big enough) each scan whole exports, the largest first; an export is
    not split inside a batch. `cluster` (a Dask scheduler address) runs the exports on a cluster
    instead. `search` narrows the search to some rules and some messages (`scope.py`). Raises
    InputError when no export was found (UsageError for a narrowing that selects no rule); a run
    where none could be read still returns, with every export a failure (the CLI then exits 3).
    `finished` is told each export's outcome as soon as it is known (the evidence pack's processing
    log); `shown` names the exports in the reports instead of their paths (`verify --rescan`
    re-runs a pack's scan from wherever the exhibits are now, under the names it recorded).
    """
    from whatsapp_audit import parallel  # the pool's worker imports this module

    found = inputs or find_exports([Path(p) for p in paths])
    build_cache.keep_out_of([*(p for p in paths if Path(p).is_dir()), *(Path(p).parent for p in found.exports)])
    if not found.exports:
        given = ", ".join(str(p) for p in paths)
        raise InputError(f"{given}: no .txt or .zip export found"
                         + (f" ({plural(len(found.skipped), 'other file')} skipped)" if found.skipped else ""))
    # The model file's own default (off for the bundled one) applies: the run's rules are those that run.
    # Imported here: pool workers import this module, and must not pay for the detector's imports at start-up.
    from whatsapp_audit.rules.optional import choose_model

    pattern_set = patterns or choose_model(load_patterns(list(patterns_dirs), include_default=include_default_patterns),
                                           None)
    options, engine_set = scan_options(pattern_set, search, date_order, context, min_confidence)
    names = list(shown) if shown is not None else [str(path) for path in found.exports]
    tasks = [ExportTask(i, str(path), names[i]) for i, path in enumerate(found.exports)]
    if cluster is not None:
        from whatsapp_audit.cluster import scan_on_cluster

        outcomes = scan_on_cluster(cluster, tasks, engine_set, options, progress, finished)
    elif len(tasks) == 1:
        outcomes = [_scan_alone(tasks[0], engine_set, options, jobs, part_progress)]
        if finished is not None:
            finished(0, outcomes[0])
    else:
        workers = parallel.batch_jobs(found.exports, jobs)
        if workers > 1:
            outcomes = parallel.scan_exports(workers, engine_set, tasks, options, progress, finished)
        else:
            engine = EngineCache(engine_set)
            outcomes = []
            for task in tasks:
                outcomes.append(run_task(engine, task, options))
                if finished is not None:
                    finished(task.index, outcomes[-1])
                if progress is not None:
                    progress(len(outcomes), len(tasks), messages_read(outcomes))
    return CaseResult.build(outcomes, found.skipped, pattern_set, options, search)


def _scan_alone(task: ExportTask, patterns: PatternSet, options: ScanOptions, jobs: int | None,
                progress: ProgressCallback | None) -> Outcome:
    """The one export of a run: `jobs` processes may share it, as `scan --jobs` always did."""
    from whatsapp_audit import parallel

    workers = parallel.jobs_for(task.path, jobs)
    pool = parallel.start_pool(workers, patterns) if workers > 1 else None
    try:
        return scan_export(task.path, options, EngineCache(patterns), index=task.index, shown=task.shown,
                           pool=pool, workers=workers, progress=progress)
    except InputError as error:
        return failure(task, str(error))
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def messages_read(outcomes: Sequence[Outcome | None]) -> int:
    return sum(o.counts.messages for o in outcomes if isinstance(o, ExportScan))
