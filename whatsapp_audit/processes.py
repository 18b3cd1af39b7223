"""Helper processes for one run: how many to start, and Ctrl-C while they start.

Kept apart from `parallel` (the scan's workers, which import the detection engine) so that
`parse --jobs` starts its helpers without loading any detector.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

MIN_PART_BYTES = 4 << 20  # below this, starting processes costs more than it saves


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def jobs_for(path: str | os.PathLike[str], jobs: int | None) -> int:
    """Processes to use: `jobs` if given, else one per core once the export is big enough to pay
    for starting them (judged by its size on disk)."""
    if jobs is not None:
        return max(1, jobs)
    try:
        size = os.path.getsize(path)
    except OSError:
        return 1  # opening it will report the problem
    return max(1, min(cores(), size // MIN_PART_BYTES))


@contextmanager
def sigint_deferred() -> Iterator[None]:
    """Ctrl-C held back for the moment, then acted on as if it came now: processes started inside
    start with it blocked, and one that arrives meanwhile is not lost (a Ctrl-C ignored while the
    workers were spawning used to let the whole scan run on). Only the main thread handles signals;
    where signals cannot be blocked (Windows), Ctrl-C is ignored for the moment instead."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    if not hasattr(signal, "pthread_sigmask"):
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)
        return
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()  # starting the tracker unblocks SIGINT in the thread that starts it
    arrived: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, frame: arrived.append(number))
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a held-back Ctrl-C reaches the handler above here
        signal.signal(signal.SIGINT, previous)
    if arrived:
        signal.raise_signal(signal.SIGINT)  # as the usual handler would have taken it


def give_back_memory() -> None:
    """Hand the memory this process has freed back to the system (glibc's `malloc_trim`; elsewhere
    nothing). A scan's worker calls it after building its engine and after each part: freeing
    objects returns their memory to the allocator, which keeps most of it for later, so a worker's
    resident size stayed at its high water for the rest of the run (and counted in the machine's)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        pass


def ignore_sigint() -> None:
    """In a helper process: Ctrl-C is the main process's to handle (exit 130, one line); a helper
    that took it too would print a traceback of its own. Unblocks it (blocked since spawning)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
