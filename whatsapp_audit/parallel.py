"""Several processes for one run (`scan --jobs N`), with exactly the one-process result.

Many exports (`scan_exports`): each worker builds its engine once and scans whole exports, the
largest first so the run does not end waiting on one big export started last; results are put
back in input order. One large export (`scan_parts`) is shared between the workers as follows.

The main process surveys the file (format, date order, hash) while the N workers start and build
their engines; the chat text is then cut at header lines into parts (`ingest.ranges`), and each
worker takes the next part nobody has taken, parses and scans it with a margin of messages either
side, and keeps only the findings of messages that start in its own span. The main process joins the parts in file order
and gives the messages their whole-file numbers back, so the report is the same, byte for byte,
as with one process.
"""

from __future__ import annotations

import io
import os
import pickle
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whatsapp_audit import build_cache, collector
from whatsapp_audit.detect.engine import Engine
from whatsapp_audit.detect.text.guard import RegexTimeout
from whatsapp_audit.ingest.export import Export, reopen_export
from whatsapp_audit.ingest.parser import ParseStats, merge_stats
from whatsapp_audit.ingest.ranges import Part
from whatsapp_audit.model import Message
from whatsapp_audit.processes import MIN_PART_BYTES, cores, give_back_memory, ignore_sigint
from whatsapp_audit.processes import jobs_for as jobs_for  # scan and case ask this module
from whatsapp_audit.processes import sigint_deferred as sigint_deferred
from whatsapp_audit.rules.loader import PatternSet
from whatsapp_audit.scan import ContextCapture, EngineCache, ScanFinding, ScanOptions
from whatsapp_audit.scope import MessageScope

if TYPE_CHECKING:  # the pool's modules are imported by a run that starts one (see start_pool)
    from concurrent.futures import Future, ProcessPoolExecutor

    from whatsapp_audit.case import BatchProgress, ExportTask, Finished, Outcome

MARGIN_BYTES = 1 << 20  # context each side of a part: thousands of messages, far above any window
PARTS_PER_JOB = 2  # a few more parts than processes keeps both cores busy to the end


@dataclass(frozen=True)
class PartResult:
    """What a worker sends back for one part."""

    findings: list[ScanFinding]
    stats: ParseStats
    first_index: int | None  # the part-local index of the first message in its own span
    timeouts: tuple[RegexTimeout, ...]  # rules not applied to messages of its own span
    examined: int = 0  # messages of its own span the detectors examined (inside a narrowed search)


_WORKER: dict[str, Any] = {}


def batch_jobs(paths: Sequence[Path], jobs: int | None) -> int:
    """Processes for a run over several exports: `jobs` if given, else one per core (at most one
    per export) once the exports together are big enough to pay for starting them."""
    if jobs is not None:
        return max(1, min(jobs, len(paths)))
    total = 0
    for path in paths:
        try:
            total += os.path.getsize(path)
        except OSError:
            pass  # reading it will report the problem
    return max(1, min(cores(), len(paths), total // MIN_PART_BYTES))


def scan_exports(jobs: int, patterns: PatternSet, tasks: Sequence[ExportTask], options: ScanOptions,
                 progress: BatchProgress | None = None, finished: Finished | None = None) -> list[Outcome]:
    """Every task's outcome, in task order, scanned by `jobs` worker processes (`finished` is told
    each one as it arrives)."""
    from concurrent.futures import as_completed
    from concurrent.futures.process import BrokenProcessPool

    from whatsapp_audit.case import failure, messages_read

    outcomes: list[Outcome | None] = [None] * len(tasks)
    pool = start_pool(jobs, patterns)
    try:
        futures: dict[Future[Outcome], ExportTask] = {
            pool.submit(_scan_export, task, options): task for task in sorted(tasks, key=_largest_first)
        }
        for done, future in enumerate(as_completed(futures), 1):
            task = futures[future]
            try:
                outcome = future.result()
            except BrokenProcessPool:
                outcome = failure(task, f"{task.shown}: the worker process scanning it stopped unexpectedly "
                                        "(out of memory?)")
            outcomes[task.index] = outcome
            if finished is not None:
                finished(task.index, outcome)
            if progress is not None:
                progress(done, len(tasks), messages_read(outcomes))
    finally:
        pool.shutdown(cancel_futures=True)
    return [outcome for outcome in outcomes if outcome is not None]


def _largest_first(task: ExportTask) -> tuple[int, int]:
    try:
        size = os.path.getsize(task.path)
    except OSError:
        size = 0
    return (-size, task.index)


def start_pool(jobs: int, patterns: PatternSet) -> ProcessPoolExecutor:
    """Start the workers now, so they build their engines while the main process surveys.

    Workers are spawned, not forked: the main process may be running a progress-bar thread, and
    a fork copies its locks without the thread that would release them. They are spawned with
    Ctrl-C blocked, which a new interpreter keeps until `_init_worker` ignores it: a Ctrl-C while
    one is still importing (seconds on a busy machine) would otherwise print its traceback. The
    main process handles it (exit 130), even when it comes while the workers are being spawned.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # The rules go compressed: spawning writes them into a pipe, and above the pipe's 64 KB buffer the
    # write waits for the new interpreter to start and read them, all inside the Ctrl-C-deferred window.
    # With them, the folders the build cache must keep out of (the exports' own): workers store their engines too.
    # A worker reads them only when the build cache has no engine for them under the key sent with them.
    packed = zlib.compress(pickle.dumps(patterns, protocol=pickle.HIGHEST_PROTOCOL), 6)
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init_worker,
                               initargs=(Engine.cache_key(patterns.rules), build_cache.avoided(), packed))
    try:
        with sigint_deferred():
            for _ in range(jobs):
                pool.submit(_ready)  # makes the pool start every worker now
    except BaseException:
        # A Ctrl-C held back while they spawned is raised here, before the caller has the pool to shut
        # down: left running, its manager thread raced the interpreter's exit ("Bad file descriptor").
        pool.shutdown(cancel_futures=True)
        raise
    return pool


def scan_parts(pool: ProcessPoolExecutor, export: Export, parts: list[Part], context: int,
               media_facts: Mapping[str, Any], progress: Any, messages: MessageScope | None,
               engine: Callable[[], Engine], helpers: int = 1,
               ) -> tuple[list[ScanFinding], ParseStats, tuple[RegexTimeout, ...], int]:
    """Findings, whole-file stats, regex time-outs and the number of messages examined of `export`,
    scanned part by part by the `helpers` processes of `pool` (only the messages inside `messages`,
    when given, are examined).

    Every worker takes the next part nobody has taken as soon as it is free (one thread here hands
    each its next part), so a worker slowed by other work on the machine is not waited for while
    parts are left. The main process only waits: scanning a share here as well let a Ctrl-C land
    inside a finaliser of the engine's, where Python drops it (the scan ran on), or end the run
    killed by the signal instead of exiting 130 with one line. A part whose worker stopped (out of
    memory, killed) is scanned here with `engine()`: the report is still complete. The pool is shut
    down once every part is scanned: it serves one export."""
    from concurrent.futures.process import BrokenProcessPool

    job = (str(export._source.path), export.encoding, export.survey, export.source.sha256,
           export.source.chat_sha256, context, dict(media_facts), messages)
    results: list[PartResult | bytes | None] = [None] * len(parts)  # a worker's answer stays packed until the merge
    counted: list[tuple[int, int] | None] = [None] * len(parts)  # messages and lines of each part done, for `progress`
    claimed = iter(range(len(parts)))
    lock = threading.Lock()
    stopped = threading.Event()
    failed: list[BaseException] = []

    def claim() -> int | None:
        with lock:
            return None if stopped.is_set() else next(claimed, None)

    def feed() -> None:
        try:
            while (index := claim()) is not None:
                counted[index], results[index] = pool.submit(_scan_part_pickled, (job, parts[index])).result()
        except BrokenProcessPool:
            pass  # its part, and those left, are scanned by the main process
        except BaseException as error:  # noqa: BLE001 - handed to the main thread, which raises it
            failed.append(error)
            stopped.set()

    local: Engine | None = None

    def scan_here(index: int) -> None:
        nonlocal local
        if local is None:
            local = engine()
            local.begin_export(media_facts)
        result = results[index] = scan_part(local, export, parts[index], context, messages)
        counted[index] = (result.stats.messages, result.stats.total_lines)
        report_progress()

    shown = 0

    def report_progress() -> None:
        """The parts done so far, to `progress` (here, in the main thread, as it waits), when more are."""
        nonlocal shown
        done = [count for count in counted if count is not None]
        if progress is not None and len(done) > shown:
            shown = len(done)
            progress(sum(messages for messages, _ in done), sum(lines for _, lines in done))

    feeders = [threading.Thread(target=feed, name=f"part feeder {n}", daemon=True) for n in range(max(1, helpers))]
    for feeder in feeders:
        feeder.start()
    try:
        for feeder in feeders:
            while feeder.is_alive():
                feeder.join(0.1)  # in steps: Ctrl-C still reaches the main thread
                report_progress()
        if failed:
            raise failed[0]
        for index in [index for index, answer in enumerate(results) if answer is None]:
            scan_here(index)  # its worker stopped
    except BaseException:
        stopped.set()  # the feeders hand out no more parts; the caller shuts the pool down
        raise
    local = None
    # Every part is scanned and the pool has no other use (one export per pool): its workers end
    # before the findings are gathered here, so the run's memory at that peak is this process's alone.
    pool.shutdown(wait=True)
    if isinstance(engine, EngineCache):
        engine.forget()  # its memory goes to the findings gathered next
    findings: list[ScanFinding] = []
    all_stats: list[ParseStats] = []
    timeouts: set[RegexTimeout] = set()
    offset = examined = 0
    for position, answer in enumerate(results):
        assert answer is not None  # every part was claimed and scanned, or an error was raised
        part = _Packer.unpack(answer) if isinstance(answer, bytes) else answer  # our workers' own
        results[position] = None  # the packed bytes go now
        examined += part.examined
        if part.first_index is not None:
            findings.extend(_renumber(part.findings, offset - part.first_index))
        offset += part.stats.messages
        all_stats.append(part.stats)
        timeouts.update(part.timeouts)
    if progress is not None:
        progress(offset, sum(s.total_lines for s in all_stats))
    stats = merge_stats(all_stats)
    export.check_readable(stats)
    return findings, stats, tuple(sorted(timeouts)), examined


def _ready() -> None:
    """A no-op task: submitting one per worker starts the workers at once."""


def _init_worker(engine_key: str, avoided: tuple[Path, ...], packed: bytes) -> None:
    # Ctrl-C is the main process's to handle (exit 130, one line); a worker that took it too
    # would print a traceback of its own.
    ignore_sigint()  # blocked since spawning (start_pool)
    collector.keep_for_the_run()
    build_cache.keep_out_of(avoided)
    _WORKER["engine"] = worker_engine(engine_key, packed)
    _WORKER["exports"] = {}
    give_back_memory()  # what reading the engine back took beyond the engine itself


def worker_engine(engine_key: str, packed: bytes) -> Engine:
    """The engine the build cache holds under `engine_key`, else one built from the rules in
    `packed` (our own, from the main process): they are unpickled only then, so a worker never
    holds the rules and the engine at once."""
    engine = Engine.cached(engine_key)
    if engine is not None:
        return engine
    patterns: PatternSet = pickle.loads(zlib.decompress(packed))
    return Engine.build(patterns.rules)


def _scan_export(task: ExportTask, options: ScanOptions) -> Outcome:
    from whatsapp_audit.case import run_task

    engine: Engine = _WORKER["engine"]
    return run_task(lambda: engine, task, options)


def _scan_part_pickled(task: tuple[tuple[Any, ...], Part]) -> tuple[tuple[int, int], bytes]:
    """`_scan_part`'s messages and lines (for the progress shown while the others run), and the part
    packed here (`_Packer`): the main process holds each part so until the merge, then unpacks them
    one at a time, rather than holding every part's findings as objects while the workers run."""
    packer = _Packer()
    result = _scan_part(task, packer.add)
    counted = (result.stats.messages, result.stats.total_lines)
    packed = packer.close(result)
    del result
    give_back_memory()  # the part's messages: the next part starts from the engine's size again
    return counted, packed


class _Packer:
    """A part's findings pickled a few at a time as the scan makes them, into one compressed stream,
    then the rest of its `PartResult` (without findings): `unpack` gives the `PartResult` back.

    A worker so holds none of its part's findings as objects (a large part's findings and their
    neighbours were most of its growth while it ran) and never pickles them all at once (the
    pickler's memo of every object was as large again, at the end of each part). Neighbours shared
    by findings of different batches are pickled once per batch: the main process holds equal
    copies of those few (`_renumber` moves each copy once); a report shows the same values."""

    BATCH = 200  # findings per pickle: a few kilobytes compressed

    def __init__(self) -> None:
        self._zip = zlib.compressobj(1)
        self._chunks: list[bytes] = []
        self._batch: list[ScanFinding] = []

    def add(self, item: ScanFinding) -> None:
        self._batch.append(item)
        if len(self._batch) >= self.BATCH:
            self._put(self._batch)
            self._batch = []

    def close(self, result: PartResult) -> bytes:
        if self._batch:
            self._put(self._batch)
            self._batch = []
        self._put(result)
        self._chunks.append(self._zip.flush())
        return b"".join(self._chunks)

    def _put(self, value: object) -> None:
        self._chunks.append(self._zip.compress(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)))

    @staticmethod
    def unpack(packed: bytes) -> PartResult:
        stream = io.BytesIO(zlib.decompress(packed))
        findings: list[ScanFinding] = []
        while not isinstance(value := pickle.load(stream), PartResult):
            findings.extend(value)
        return replace(value, findings=findings)


def _scan_part(task: tuple[tuple[Any, ...], Part], keep: Callable[[ScanFinding], None] | None = None) -> PartResult:
    (path, encoding, survey, sha256, chat_sha256, context, media_facts, scope), part = task
    engine: Engine = _WORKER["engine"]
    key = (path, sha256)
    export = _WORKER["exports"].get(key)
    if export is None:
        export = _WORKER["exports"][key] = reopen_export(path, encoding, survey, sha256, chat_sha256)
        engine.provide_media(media_facts)
    return scan_part(engine, export, part, context, scope, keep)


def scan_part(engine: Engine, export: Export, part: Part, context: int, scope: MessageScope | None,
              keep: Callable[[ScanFinding], None] | None = None) -> PartResult:
    """One part of `export` scanned with `engine` (in a worker, or in the main process). Its findings
    are in the result, or, given `keep`, handed to it one by one as they are made (the result then
    has none)."""
    stats = ParseStats()
    first: list[int] = []
    capture = ContextCapture(context, engine.lookahead, None)
    messages = _note_first(export.iter_part(part, stats), part, first)

    def own(message: Message) -> bool:
        return part.first_line <= message.line < part.end_line and (scope is None or scope.accepts(message))

    findings: list[ScanFinding] = []
    for item in capture.collect(engine, messages, own):
        if keep is None:
            findings.append(item)
        else:
            keep(item)
    timeouts = tuple(t for t in engine.timeouts if part.first_line <= t.line < part.end_line)
    return PartResult(findings, stats, first[0] if first else None, timeouts, capture.selected)


def _note_first(messages: Iterable[Message], part: Part, first: list[int]) -> Iterator[Message]:
    for message in messages:
        if not first and part.first_line <= message.line < part.end_line:
            first.append(message.index)
        yield message


def _renumber(items: Sequence[ScanFinding], shift: int) -> list[ScanFinding]:
    """Part-local message numbers to whole-file ones, in place: a part's findings are this process's
    own (unpickled from a worker's answer, or made here by `scan_part` and held by nothing else), and
    copies would hold every finding and neighbour of a large export twice at the main process's peak
    (a million-message export's findings carry about ten neighbours each). Objects shared by
    several findings (neighbours, as the worker sent them) are moved once."""
    if shift == 0:
        return list(items)
    moved: set[int] = set()  # ids of objects already moved (all alive: the items hold them)
    for item in items:
        finding = item.finding
        if id(finding) not in moved:
            moved.add(id(finding))
            object.__setattr__(finding, "message_index", finding.message_index + shift)
        for message in (item.message, *item.before, *item.after):
            if message is not None and id(message) not in moved:
                moved.add(id(message))
                object.__setattr__(message, "index", message.index + shift)
    return list(items)
