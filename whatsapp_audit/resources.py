"""Where the bundled pattern files live, installed or run from a checkout; the hash of the code."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def default_patterns_dir() -> Path:
    """The shipped `patterns/` folder: inside the installed package (pyproject maps the top-level
    folder there), else at the top of a source checkout."""
    installed = _PACKAGE / "patterns"
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / "patterns"


def package_sha256() -> str:
    """One hash over the tool's own Python files (sorted by path), so a manifest pins the code that
    ran and a cluster can check that its workers run the same code as the client. Every run asks
    (the build cache's key), so it walks with os rather than pathlib: half the time, same digest."""
    root = os.fspath(_PACKAGE)
    found: list[tuple[str, ...]] = []  # each file's path parts: sorted as pathlib sorts paths
    for folder, _, names in os.walk(root):
        inside = os.path.relpath(folder, root)
        parts = () if inside == os.curdir else tuple(inside.split(os.sep))
        found.extend((*parts, name) for name in names if name.endswith(".py"))
    digest = hashlib.sha256()
    for parts in sorted(found):
        with open(os.path.join(root, *parts), "rb") as source:
            digest.update("/".join(parts).encode() + b"\0" + source.read() + b"\0")
    return digest.hexdigest()
