"""Where the bundled pattern files live, installed or run from a checkout; the hash of the code."""

from __future__ import annotations

import hashlib
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
    ran and a cluster can check that its workers run the same code as the client."""
    digest = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
