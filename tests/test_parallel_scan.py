"""`scan --jobs N` gives exactly the single-process report, whatever N."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from generate import generate

from whatsapp_audit.cli.app import main
from whatsapp_audit.scan import scan


@pytest.fixture(scope="module")
def big_export(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("exhibit")
    path = folder / "chat.txt"
    path.write_text(generate(6_000, "ios", seed=11), encoding="utf-8", newline="")
    return path


def _fields(result):
    return (
        [(i.id, i.finding, i.message, i.before, i.after, i.author, i.timestamp) for i in result.findings],
        result.stats, result.coverage, result.limitations, result.counts,
    )


@pytest.mark.parametrize("jobs", [2, 3])
def test_parallel_scan_equals_single_process(big_export, jobs, monkeypatch):
    from whatsapp_audit import parallel

    monkeypatch.setattr(parallel, "MARGIN_BYTES", 4096)  # small parts: many cuts in a small file
    single = scan(big_export, jobs=1)
    many = scan(big_export, jobs=jobs)
    assert len(single.findings) > 20
    assert _fields(many) == _fields(single)


def test_progress_moves_while_the_workers_scan(big_export, monkeypatch):
    """The progress bar follows the parts as workers finish them, not only at the end of the scan."""
    from whatsapp_audit import parallel

    monkeypatch.setattr(parallel, "MARGIN_BYTES", 4096)  # small parts: many cuts in a small file
    seen: list[tuple[int, int]] = []
    result = scan(big_export, jobs=2, progress=lambda messages, lines: seen.append((messages, lines)))
    total = (result.stats.messages, result.stats.total_lines)
    assert seen[-1] == total
    partial = [point for point in seen if point != total]
    assert partial, "progress was only reported once the whole export was done"
    assert partial == sorted(partial) and all(0 < messages < total[0] for messages, _ in partial)


def test_cli_json_report_is_identical_with_jobs(big_export, tmp_path, capsys):
    out = tmp_path / "reports"
    out.mkdir()
    for jobs in ("1", "2"):
        code = main(["scan", str(big_export), "--format", "json", "--output", str(out / f"j{jobs}.json"),
                     "--generated-at", "2026-01-01T00:00:00Z", "--jobs", jobs, "--no-progress"])
        assert code == 1
    capsys.readouterr()
    one, two = (out / "j1.json").read_text(), (out / "j2.json").read_text()
    assert one == two


def _wait_for_workers(pid: int, timeout: float = 120.0) -> None:
    """Block until the process `pid` has a child (a pool worker): a fixed sleep raced the start-up on a
    loaded machine, sending Ctrl-C before the main process had installed its handler."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                time.sleep(0.5)
                return
        time.sleep(0.1)
    raise AssertionError("no worker process started")


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to see the pool's workers")
def test_ctrl_c_during_a_parallel_scan_exits_130_with_one_line(tmp_path):
    """Ctrl-C reaches the whole process group: workers ignore it, the main process says one line."""
    import signal
    import subprocess

    folder = tmp_path / "exhibit"
    folder.mkdir()
    path = folder / "chat.txt"
    path.write_text(generate(300_000, "android", seed=5), encoding="utf-8", newline="")
    child = subprocess.Popen(
        [sys.executable, "-m", "whatsapp_audit", "scan", str(path), "--jobs", "2", "--no-progress"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True,
        preexec_fn=_ctrl_c_as_a_shell_leaves_it,  # noqa: PLW1509 - before exec, nothing else runs
    )
    _wait_for_workers(child.pid)  # the pool is up, so the scan is under way whatever the machine's load
    os.killpg(child.pid, signal.SIGINT)
    err = child.communicate(timeout=120)[1]
    assert child.returncode == 130, err
    assert err.strip() == "whatsapp-audit: interrupted"


def _ctrl_c_as_a_shell_leaves_it() -> None:
    """A child's Ctrl-C as an interactive shell starts it: the default action, not blocked. The test
    worker running the suite may hold it otherwise (in CI's full parallel run it was inherited ignored or
    blocked from something outside these tests), and a child inherits both."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


_DEFERRED_CTRL_C = """
import os, signal
from whatsapp_audit.processes import sigint_deferred
reached = False
try:
    with sigint_deferred():
        os.kill(os.getpid(), signal.SIGINT)
        assert signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, [])
        reached = True
except KeyboardInterrupt:
    assert reached, "interrupted inside the window"
    assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, [])
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    print("interrupted after the window")
"""


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="signals cannot be blocked here")
def test_a_ctrl_c_while_the_workers_spawn_is_acted_on_afterwards_not_lost():
    """Spawning the workers holds Ctrl-C back (they must start with it blocked); one that comes then
    still stops the scan once they are up: ignoring it let a 300k-message scan run on to the end.
    Run in a fresh interpreter, with Ctrl-C as a shell leaves it, not in the test worker's own state."""
    import subprocess

    done = subprocess.run([sys.executable, "-c", _DEFERRED_CTRL_C], capture_output=True, text=True, timeout=60,
                          preexec_fn=_ctrl_c_as_a_shell_leaves_it)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "interrupted after the window"


def test_renumbering_a_part_moves_each_shared_neighbour_once_and_keeps_every_other_field():
    """A part's findings get whole-file numbers in place (`parallel._renumber`): a neighbour two
    findings share must move once, not twice, and nothing but the numbers may change."""
    from dataclasses import fields, replace
    from datetime import datetime

    from whatsapp_audit.model import Category, Confidence, Explanation, Finding, Severity
    from whatsapp_audit.parallel import _renumber
    from whatsapp_audit.scan import ContextMessage, ScanFinding

    values = {"index": 7, "line": 40, "end_line": 42, "timestamp": datetime(2024, 3, 1, 9, 5), "author": "Dee Hart",
              "kind": "text", "text": "see you at the nick", "attachment": "IMG-20240301-WA0003.jpg"}
    assert {f.name for f in fields(ContextMessage)} == set(values), "a new field: give it a value here"
    shared = ContextMessage(**values)
    expected = replace(shared, index=1207)
    flagged = [ContextMessage(**{**values, "index": i, "line": 40 + i}) for i in (6, 8)]
    items = [ScanFinding(id=f"f{i}", finding=Finding(rule="OPS-TEST", category=Category.OPERATIONAL_DATA,
                                                     severity=Severity.MEDIUM, confidence=Confidence.MEDIUM, score=0.6,
                                                     line=m.line, message_index=m.index, start=0, end=3, matched="see", normalised=None,
                                                     explanation=Explanation("a test")),
                         author="Dee Hart", timestamp=m.timestamp, end_line=m.end_line, message=m,
                         before=(shared,) if i else (), after=() if i else (shared,))
             for i, m in enumerate(flagged)]
    moved = _renumber(items, 1200)
    assert shared == expected
    assert [item.message.index for item in moved if item.message] == [1206, 1208]
    assert [item.finding.message_index for item in moved] == [1206, 1208]
    assert moved[0].after[0] is moved[1].before[0] is shared


def test_a_part_whose_worker_stopped_is_scanned_by_the_main_process(big_export, monkeypatch):
    """A worker killed mid-scan (out of memory) must not lose its parts: the main process scans them,
    and the report is that of one process."""
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    from whatsapp_audit import parallel
    from whatsapp_audit.ingest.export import open_export
    from whatsapp_audit.scan import EngineCache, ScanOptions, scan_export

    class StoppedPool:
        """A pool whose only worker has died: every part sent to it fails as a dead worker's does."""

        def submit(self, *args, **kwargs):
            future: Future[bytes] = Future()
            future.set_exception(BrokenProcessPool("a worker stopped"))
            return future

        def shutdown(self, wait: bool = True, **kwargs) -> None:
            pass

    monkeypatch.setattr(parallel, "MARGIN_BYTES", 4096)
    single = scan(big_export, jobs=1)
    engine = EngineCache(single.patterns)
    with open_export(big_export) as export:
        parts = export.plan_parts(4, parallel.MARGIN_BYTES)
    assert len(parts) == 4
    shared = scan_export(big_export, ScanOptions(), engine, pool=StoppedPool(), workers=2)  # type: ignore[arg-type]
    assert [(i.id, i.finding, i.message, i.before, i.after) for i in shared.findings] == \
        [(i.id, i.finding, i.message, i.before, i.after) for i in single.findings]
    assert shared.stats == single.stats


def test_the_workers_end_before_the_main_process_gathers_the_findings(big_export, monkeypatch):
    """A million-message export's findings, gathered in the main process, are the run's memory
    peak: the workers (each holding an engine) must be gone by then, not idle beside it."""
    from whatsapp_audit import parallel

    monkeypatch.setattr(parallel, "MARGIN_BYTES", 4096)
    events: list[str] = []
    start_pool = parallel.start_pool

    def recording_pool(jobs, patterns):
        pool = start_pool(jobs, patterns)
        shutdown = pool.shutdown

        def recorded_shutdown(*args, **kwargs):
            events.append("shutdown")
            shutdown(*args, **kwargs)

        pool.shutdown = recorded_shutdown  # type: ignore[method-assign]
        return pool

    unpack = parallel._Packer.unpack

    def recording_unpack(packed):
        """Each part's findings as the merge reads them back."""
        events.append("merge")
        return unpack(packed)

    monkeypatch.setattr(parallel, "start_pool", recording_pool)
    monkeypatch.setattr(parallel._Packer, "unpack", staticmethod(recording_unpack))
    shared = scan(big_export, jobs=2)
    assert "merge" in events and "shutdown" in events
    assert events.index("shutdown") < events.index("merge")
    assert _fields(shared) == _fields(scan(big_export, jobs=1))


def test_a_ctrl_c_held_back_while_the_workers_spawn_leaves_no_pool_running(monkeypatch):
    """The Ctrl-C that `sigint_deferred` holds back is raised inside `start_pool`, before the caller
    holds the pool: the pool must be shut down there, or its workers and manager thread outlive the
    run and the exit prints a traceback ("Bad file descriptor") after "interrupted"."""
    import contextlib
    import multiprocessing

    from whatsapp_audit import parallel
    from whatsapp_audit.rules.loader import load_patterns

    @contextlib.contextmanager
    def ctrl_c_at_the_end():
        yield
        raise KeyboardInterrupt

    monkeypatch.setattr(parallel, "sigint_deferred", ctrl_c_at_the_end)
    with pytest.raises(KeyboardInterrupt):
        parallel.start_pool(2, load_patterns())
    assert multiprocessing.active_children() == []


def test_a_parts_findings_cross_the_process_boundary_unchanged_and_neighbours_stay_shared():
    """What a worker sends back (`PartResult`: findings, their messages and neighbours) is pickled and
    unpickled: every field must come back equal, of the same classes, a neighbour two findings share
    must arrive as one object (`_renumber` moves it once), and a field that is not an `__init__`
    argument cannot be added to the classes pickled by their fields without this failing."""
    import pickle
    from dataclasses import dataclass, field, fields
    from datetime import datetime

    import pytest

    from whatsapp_audit.model import (
        Attachment,
        Category,
        Confidence,
        Explanation,
        Finding,
        MediaType,
        Severity,
        pickled_by_fields,
    )
    from whatsapp_audit.scan import ContextMessage, ScanFinding

    shared = ContextMessage(index=7, line=40, end_line=42, timestamp=datetime(2024, 3, 1, 9, 5), author="Dee Hart",
                            kind="media", text="IMG-20240301-WA0003.jpg (file attached)",
                            attachment="IMG-20240301-WA0003.jpg")
    explanation = Explanation("a plate beside a name", pattern="OPS-PLATE", validator="DVLA format",
                              context_words=("plate",), adjustments=(("named person", 0.1),),
                              details=(("neighbour", "line 41"),))
    items = [ScanFinding(id=f"f{i}", finding=Finding(
        rule="OPS-TEST", category=Category.OPERATIONAL_DATA, severity=Severity.HIGH, confidence=Confidence.LOW,
        score=0.61, message_index=8 + i, line=43 + i, start=None if i else 2, end=None if i else 9,
        matched="AB12 CDE", normalised="AB12CDE", explanation=explanation, extra=(("kind", "plate"),),
        characteristics=("race",) if i else ()), author=None, timestamp=shared.timestamp, end_line=44 + i,
        message=shared, before=(shared,), after=()) for i in range(2)]
    back = pickle.loads(pickle.dumps(items, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == items
    assert [type(item.finding.explanation) for item in back] == [Explanation, Explanation]
    assert back[0].before[0] is back[1].message is back[1].before[0]
    attachment = Attachment("VID-20240301-WA0004.mp4", MediaType.VIDEO, omitted=False)
    assert pickle.loads(pickle.dumps(attachment)) == attachment
    assert {f.name for f in fields(Finding)} >= {"characteristics", "extra"}

    with pytest.raises(TypeError, match="__init__ argument"):
        @pickled_by_fields
        @dataclass(frozen=True, slots=True)
        class Derived:
            value: int
            twice: int = field(init=False, default=0)


def test_a_part_packed_as_its_findings_are_made_unpacks_to_the_same_result(big_export, monkeypatch):
    """A worker pickles its part's findings a batch at a time as they are made (`_Packer`): unpacked,
    the part is the `PartResult` that `scan_part` gives with the findings kept as objects, in order,
    whatever the batch size (a batch of 3 cuts between findings of one message and their shared
    neighbours, which then arrive as equal copies)."""
    from whatsapp_audit import parallel
    from whatsapp_audit.ingest.export import open_export
    from whatsapp_audit.rules.loader import load_patterns
    from whatsapp_audit.scan import EngineCache, scan_options

    monkeypatch.setattr(parallel._Packer, "BATCH", 3)
    _options, patterns = scan_options(load_patterns(), None, None, 5, "low")
    engine = EngineCache(patterns)()
    with open_export(big_export) as export:
        part = export.plan_parts(2, 4096)[1]
        engine.begin_export({})
        kept = parallel.scan_part(engine, export, part, 5, None)
        engine.begin_export({})
        packer = parallel._Packer()
        streamed = parallel.scan_part(engine, export, part, 5, None, packer.add)
    assert streamed.findings == [] and len(kept.findings) > 6
    assert parallel._Packer.unpack(packer.close(streamed)) == kept
