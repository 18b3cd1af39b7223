"""The optional C accelerator (`whatsapp_audit._native`, built from `_native.c`), when it can be used.

The pure-Python parser and record writer are the reference; the accelerator only does the same work
faster for the common header styles. It is absent when the package was installed without a C
compiler, and `WHATSAPP_AUDIT_PURE=1` turns it off for one run (tests compare both paths; the
benchmark times both). See docs/native.md.
"""

from __future__ import annotations

import os
from types import ModuleType

PURE_VARIABLE = "WHATSAPP_AUDIT_PURE"

# What the package calls in the module (`_native.pyi` declares the same names; a test holds them
# together). A build left over from an older checkout (`build_ext --inplace`, then a `git pull`) lacks
# the newer ones: it is then not used, so the run takes the pure-Python path instead of stopping with
# an AttributeError on its first message.
REQUIRED = ("Scanner", "feed_jsonl", "encode_jsonl", "may_hold_date", "count_lf", "or_runs", "Cover", "gate_block",
            "media_vocabulary")
# The calling convention the package speaks (`WA_INTERFACE` in _native.c): a build whose functions
# take other arguments (same names, older checkout) would raise a TypeError on every scan instead of
# falling back. Bump both when a signature changes; a test ties this number to the stub's text
# (`STUB_SHA256`), so an edited stub cannot pass with the old number.
INTERFACE = 2
STUB_SHA256 = "354b23af926a03a8b41b1fd821a8a2cc8e0774532ecee351bc627b900edda5ad"


def usable(module: ModuleType) -> bool:
    """Whether `module` has everything the package calls in the accelerator, in this calling convention."""
    return getattr(module, "INTERFACE", None) == INTERFACE and all(hasattr(module, name) for name in REQUIRED)


try:
    from whatsapp_audit import _native as _loaded
except ImportError:  # built without a compiler, or a source tree without `build_ext --inplace`
    _module: ModuleType | None = None
else:
    _module = _loaded if usable(_loaded) else None


def accelerator() -> ModuleType | None:
    """The C module, or None when it is not built or `WHATSAPP_AUDIT_PURE` is set (read on every
    call, so one process can run both paths)."""
    if _module is None or os.environ.get(PURE_VARIABLE, "") not in ("", "0"):
        return None
    return _module


def available() -> bool:
    """Whether the C module is built (whatever `WHATSAPP_AUDIT_PURE` says)."""
    return _module is not None
