"""Run a case's exports on a Dask distributed cluster (`scan --cluster tcp://HOST:PORT`).

The unit of work is the same as on one machine: one export in, its `ExportScan` (or an
`ExportFailure`) out, made by `case.run_task` with an engine each worker thread builds once. The
client sends the pattern set it loaded (so every worker applies exactly the client's rules),
checks first that every worker runs the same tool code, and puts the outcomes back in input order,
so the report is byte for byte the one a local run gives.

Shared storage is assumed: workers open each export at the client's absolute path (a share
mounted at the same place on every machine). A worker hashes the file it read; the client hashes
its own view of the same path, and a difference makes that export a failure: the report is never
built from a file the investigator cannot see. `dask.distributed` is an optional extra
(`whatsapp-audit[cluster]`); nothing here imports it until a cluster is asked for.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from whatsapp_audit import __version__
from whatsapp_audit.case import (
    BatchProgress,
    ExportFailure,
    ExportTask,
    Finished,
    Outcome,
    failure,
    hash_file,
    run_task,
)
from whatsapp_audit.errors import UsageError
from whatsapp_audit.resources import package_sha256
from whatsapp_audit.rules.loader import PatternSet
from whatsapp_audit.scan import EngineCache, ExportScan, ScanOptions

CONNECT_TIMEOUT = "20s"
INSTALL_HINT = "install the optional extra on this machine and every worker: pip install 'whatsapp-audit[cluster]'"

_LOCAL = threading.local()  # per worker thread: {pattern-set digest: EngineCache}


def scan_on_cluster(address: str, tasks: Sequence[ExportTask], patterns: PatternSet, options: ScanOptions,
                    progress: BatchProgress | None = None, finished: Finished | None = None) -> list[Outcome]:
    """Every task's outcome, in task order, scanned by the workers of the scheduler at `address`
    (`finished` is told each one as it arrives)."""
    try:  # an optional, untyped dependency: imported by name, used as Any
        distributed: Any = importlib.import_module("distributed")
    except ImportError:
        raise UsageError(f"--cluster needs dask.distributed; {INSTALL_HINT}") from None
    with _quiet_distributed():
        return _run(distributed, address, tasks, patterns, options, progress, finished)


def _run(distributed: Any, address: str, tasks: Sequence[ExportTask], patterns: PatternSet, options: ScanOptions,
         progress: BatchProgress | None, finished: Finished | None) -> list[Outcome]:
    try:
        client = distributed.Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except Exception as error:  # noqa: BLE001 - distributed raises OSError, TimeoutError or ValueError by transport
        raise UsageError(f"--cluster {address}: cannot reach the Dask scheduler ({type(error).__name__})") from None
    try:
        try:
            fingerprints = client.run(worker_fingerprint)
        except Exception as error:  # noqa: BLE001 - whatever a worker raised: it cannot run the tool
            raise UsageError(f"--cluster {address}: the workers cannot run whatsapp-audit ({_cause(error)}); "
                             f"{INSTALL_HINT}") from None
        _check_workers(fingerprints)
        shared = client.scatter(patterns, broadcast=True)
        remote = {task.index: replace(task, path=os.path.abspath(task.path)) for task in tasks}
        order = sorted(tasks, key=lambda task: (-_size(task.path), task.index))
        futures = {client.submit(scan_on_worker, remote[task.index], shared, options, pure=False): task
                   for task in order}
        here = {task.index: hash_file(task.path) for task in tasks}  # while the workers work
        outcomes: list[Outcome | None] = [None] * len(tasks)
        for done, future in enumerate(distributed.as_completed(list(futures), loop=client.loop), 1):
            task = futures[future]
            try:
                outcome: Outcome = future.result()
            except Exception as error:  # noqa: BLE001 - a worker died or the task was lost: that export fails, not the run
                outcome = failure(task, f"{task.shown}: the cluster could not scan it ({type(error).__name__})")
            outcomes[task.index] = checked = _checked(task, outcome, *here[task.index])
            if finished is not None:
                finished(task.index, checked)
            if progress is not None:
                progress(done, len(tasks), sum(o.counts.messages for o in outcomes if isinstance(o, ExportScan)))
    finally:
        client.close()
    return [outcome for outcome in outcomes if outcome is not None]


@contextmanager
def _quiet_distributed() -> Iterator[None]:
    """distributed logs its own errors (with tracebacks) to stderr; the tool reports each problem as
    one line instead, so its loggers are silenced while the run lasts."""
    logger = logging.getLogger("distributed")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        logger.setLevel(level)


def _cause(error: BaseException) -> str:
    """A worker's exception arrives wrapped; its own type and message (a module name, never chat text)."""
    text = str(error)
    return text if len(text) < 200 and "\n" not in text else type(error).__name__


def scan_on_worker(task: ExportTask, patterns: PatternSet, options: ScanOptions) -> Outcome:
    """One export, on a worker: its thread's engine for this pattern set is built on first use."""
    return run_task(_engine_for(patterns), task, options)


def worker_fingerprint() -> tuple[str, str]:
    """The tool version and code hash a worker runs (compared with the client's before any work)."""
    return __version__, package_sha256()


def _check_workers(fingerprints: dict[str, Any]) -> None:
    if not fingerprints:
        raise UsageError("--cluster: the scheduler has no workers; start some with `dask worker ADDRESS`")
    mine = worker_fingerprint()
    for worker, theirs in sorted(fingerprints.items()):
        if tuple(theirs) != mine:
            raise UsageError(
                f"--cluster: worker {worker} runs whatsapp-audit {theirs[0]} (code {theirs[1][:12]}), this machine "
                f"{mine[0]} (code {mine[1][:12]}); install the same version on every worker"
            )


def _checked(task: ExportTask, outcome: Outcome, sha256: str | None, size: int | None) -> Outcome:
    """The worker's outcome, checked against this machine's view of the same file."""
    if isinstance(outcome, ExportFailure):
        error = outcome.error
        if sha256 is not None and error.endswith(": no such file"):
            error += " on a worker (is the shared storage mounted at the same path on every worker?)"
        return ExportFailure(outcome.path, error, sha256, size)
    if outcome.source.sha256 != sha256:
        theirs = outcome.source.sha256[:12]
        ours = sha256[:12] if sha256 else "unreadable"
        return ExportFailure(task.shown, f"{task.shown}: SHA-256 on the worker ({theirs}...) differs from this "
                                         f"machine's ({ours}...): the workers see another file at this path; "
                                         "not scanned", sha256, size)
    return outcome


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _engine_for(patterns: PatternSet) -> EngineCache:
    engines: dict[str, EngineCache] | None = getattr(_LOCAL, "engines", None)
    if engines is None:
        engines = _LOCAL.engines = {}
    key = hashlib.sha256("\x1f".join(f"{p.origin}\x1e{p.relative}\x1e{p.sha256}" for p in patterns.files)
                         .encode()).hexdigest()
    if key not in engines:
        engines[key] = EngineCache(patterns)
    return engines[key]
