"""The cycle collector held off during start-up (collector.py): state restored, frozen only in a run."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest

from whatsapp_audit import collector

ROOT = Path(__file__).resolve().parents[1]


def test_a_pause_leaves_the_collector_as_it_found_it() -> None:
    assert gc.isenabled()
    with collector.paused():
        assert not gc.isenabled()
        with collector.paused():  # nested: still off, and not switched on by the inner one
            pass
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), collector.paused():
        raise ValueError("a pack that fails to load")
    assert gc.isenabled()
    gc.disable()
    try:
        with collector.paused():
            pass
        assert not gc.isenabled()  # a caller who had it off keeps it off
    finally:
        gc.enable()


def test_a_library_caller_keeps_its_objects_collectable() -> None:
    frozen = gc.get_freeze_count()
    with collector.paused():
        kept = [[index] for index in range(5_000)]
    assert gc.get_freeze_count() == frozen  # nothing pinned in a process that is not one run
    assert len(kept) == 5_000


def test_a_run_freezes_what_its_start_up_built() -> None:
    program = (
        "import gc\n"
        "from whatsapp_audit import collector\n"
        "collector.keep_for_the_run()\n"
        "before = gc.get_freeze_count()\n"
        "with collector.paused():\n"
        "    kept = [[index] for index in range(5_000)]\n"
        "print(gc.get_freeze_count() - before >= 5_000, gc.isenabled())\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    shown = subprocess.run([sys.executable, "-c", program], env=env, capture_output=True, text=True, check=True)
    assert shown.stdout.split() == ["True", "True"]
