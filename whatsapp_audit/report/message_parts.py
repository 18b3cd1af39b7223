"""`parse --format jsonl` shared by several processes (`parse --jobs N`): the same bytes, in file order.

The main process surveys the export while N - 1 helper processes start; the chat text is then cut
at header lines into parts of about 2 MB (`ingest.ranges`, with no margin: a message is read from its
own lines alone, so a part parses exactly as it does inside the whole file). The helpers take
parts in file order and send their records back encoded (about six times the chat text's size);
the main process writes every part in its turn, and while the part whose turn it is is still with a
helper it parses the next part nobody has taken, held until its turn. Each process so takes work as
it frees up, and a helper slowed by other work on the machine is not waited for while work is
left. The output is that of one process; no process holds more than a few parts' output.

The main process parses a share itself because writing the helpers' output costs it little, and
one process fewer to start and feed is worth more on a two-core machine than a main process that
only writes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TextIO

from whatsapp_audit import collector
from whatsapp_audit.errors import InputError, WhatsAuditError
from whatsapp_audit.ingest.export import Export, reopen_export
from whatsapp_audit.ingest.lines import Encoding
from whatsapp_audit.ingest.parser import ParseStats, Segment, merge_stats
from whatsapp_audit.ingest.ranges import Part
from whatsapp_audit.ingest.source import Source, open_source
from whatsapp_audit.ingest.survey import FormatSurvey
from whatsapp_audit.ingest.vocabulary import Vocabulary, load_vocabulary
from whatsapp_audit.report.messages import RECORDS, put_segment, utf8_buffer

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

PART_BYTES = 2 << 20  # chat text per part: ~12 MB of output, about a tenth of a second of parsing
WAITING_PER_HELPER = 2  # parts sent to each helper ahead of the one being written
HELD_HERE = 2  # parts the main process parses ahead of their turn while it waits for a helper's

_HELPER: dict[tuple[str, str], Export] = {}  # in a helper: the export, by path and SHA-256
_OPENED: dict[str, tuple[Source, Vocabulary]] = {}  # in a helper: the export at its path, opened on starting


@contextmanager
def helpers(count: int, path: str | os.PathLike[str]) -> Iterator[ProcessPoolExecutor | None]:
    """`count` helper processes, started now so that they import and hash the export at `path`
    while the main process surveys it (None when `count` is 0). Spawned with Ctrl-C deferred, as
    the scan's workers are (`processes.sigint_deferred`); shut down on leaving, waiting parts
    cancelled."""
    if count < 1:
        yield None
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from whatsapp_audit.processes import sigint_deferred

    pool = ProcessPoolExecutor(max_workers=count, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init_helper, initargs=(os.fspath(path),))
    try:
        with sigint_deferred():
            for _ in range(count):
                pool.submit(_ready)  # makes the pool start every helper now
        yield pool
    finally:
        pool.shutdown(cancel_futures=True)


def plan(export: Export, jobs: int) -> list[Part]:
    """The parts `export` is cut into for `jobs` processes: at least `jobs`, one for every few MB
    of chat text (one part, nothing to share, when the text is UTF-16)."""
    return export.plan_parts(max(jobs, round(export.chat_size() / PART_BYTES)), margin=0)


def write_jsonl_parts(pool: ProcessPoolExecutor, export: Export, parts: list[Part], jobs: int, out: TextIO) -> int:
    """Write the messages of `export` to `out` as JSON Lines, part by part in file order, parsed
    here and in `pool` (`jobs` processes in all); `export.stats` then covers the whole file (as
    after `iter_messages`). Returns the number of records written.

    The helpers take the parts in file order, at most `WAITING_PER_HELPER` each at a time. While
    the part whose turn it is to be written is still with a helper, this process parses the next
    part nobody has taken and holds its output until its turn (at most `HELD_HERE` parts): each
    process takes work as it frees up, so a helper slowed by other work on the machine is not
    waited for while there is work left."""
    from concurrent.futures.process import BrokenProcessPool

    job = (export.source.path, export.encoding, export.survey, export.source.sha256, export.source.chat_sha256)
    binary = utf8_buffer(out)
    sent: dict[int, Future[tuple[list[Segment], ParseStats]]] = {}
    held: dict[int, tuple[list[Segment], ParseStats]] = {}
    ahead = WAITING_PER_HELPER * (jobs - 1)
    free = 0  # the first part no process has taken
    all_stats: list[ParseStats] = []
    count = 0

    def top_up() -> None:
        nonlocal free
        while len(sent) < ahead and free < len(parts):
            sent[free] = pool.submit(_encode_part, job, parts[free])
            free += 1

    try:
        for turn in range(len(parts)):
            top_up()
            if turn in held:
                segments, stats = held.pop(turn)
            else:
                future = sent.pop(turn)
                top_up()
                while not future.done() and free < len(parts) and len(held) < HELD_HERE:
                    stats = ParseStats()
                    held[free] = ([segment for segment, _records in export.iter_part_segments(parts[free], stats, RECORDS)],
                                  stats)
                    free += 1
                segments, stats = future.result()
            for segment in segments:
                put_segment(segment, out, binary)
            count += stats.messages
            all_stats.append(stats)
    except BrokenProcessPool:
        raise WhatsAuditError(f"{export.source.path}: a helper process parsing it stopped unexpectedly (out of memory?); "
                              "run again with --jobs 1") from None
    if binary is not None:
        binary.flush()
    export.stats = merge_stats(all_stats)
    export.check_readable(export.stats)
    return count


def _ready() -> None:
    """A no-op task: submitting one per helper starts the helpers at once."""


def _init_helper(path: str) -> None:
    from whatsapp_audit.processes import ignore_sigint

    ignore_sigint()
    vocabulary = load_vocabulary()
    try:
        _OPENED[path] = (open_source(path, (vocabulary.chat_names, vocabulary.chat_prefixes)), vocabulary)
    except WhatsAuditError:
        pass  # the main process reports it; a part sent here opens it again (reopen_export)


def _encode_part(job: tuple[Any, ...], part: Part) -> tuple[list[Segment], ParseStats]:
    """In a helper: the JSON Lines of one part's messages, and the part's stats."""
    path, encoding, survey, sha256, chat_sha256 = job
    export = _HELPER.get((path, sha256))
    if export is None:
        export = _HELPER[(path, sha256)] = _export(path, encoding, survey, sha256, chat_sha256)
    stats = ParseStats()
    with collector.paused():
        segments = [segment for segment, _records in export.iter_part_segments(part, stats, RECORDS)]
    return segments, stats


def _export(path: str, encoding: Encoding, survey: FormatSurvey, sha256: str, chat_sha256: str) -> Export:
    """The export the main process surveyed: as opened and hashed while it surveyed, if it has the
    same SHA-256 (`reopen_export`'s check), else opened and checked now."""
    opened = _OPENED.pop(path, None)
    if opened is None:
        return reopen_export(path, encoding, survey, sha256, chat_sha256)
    source, vocabulary = opened
    if source.info.sha256 != sha256:
        source.close()
        raise InputError(f"{path}: the file changed while it was being read; hash it again and re-run")
    source.info = replace(source.info, chat_sha256=chat_sha256)
    return Export(source, encoding, survey, vocabulary)
