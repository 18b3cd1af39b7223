"""The cyclic garbage collector held off while a run builds what it keeps to the end.

Start-up allocates the objects a run keeps until it exits: the modules' classes and functions, the
pattern packs' rules, and the engine read back from the build cache (over 100,000 dicts, lists,
tuples and sets). None of them is garbage, yet every 700 new container objects the collector walks
the youngest, and at each older generation's turn all of them, to find none. `paused` holds it off
for those steps (reference counting still frees everything at once). In a run's own process (the
CLI, a scan's worker: `keep_for_the_run`) what a pause built is then frozen, moved where the
collector no longer looks, instead of walked once more when it wakes and at every full collection
of the scan that follows; a library caller's objects (a test's engines) are left to the collector.
`parse` and `inspect` hold it off for their whole run: the messages they parse hold no cycles, and
the collector's passes over each block's new messages were a sixth of the parse's time.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_RUN: dict[str, bool] = {"freeze": False}  # set once per process (`keep_for_the_run`)


def keep_for_the_run() -> None:
    """This process is one run: what start-up builds lives until it exits (the CLI, a worker)."""
    _RUN["freeze"] = True


@contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection inside; the collector is left as it was found (nested uses keep it off),
    after freezing what exists when this process is one run (`keep_for_the_run`)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            if _RUN["freeze"]:
                gc.freeze()
            gc.enable()
