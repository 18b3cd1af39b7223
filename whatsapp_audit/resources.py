"""Where the bundled pattern files live, installed or run from a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def default_patterns_dir() -> Path:
    """The shipped `patterns/` folder: inside the installed package (pyproject maps the top-level
    folder there), else at the top of a source checkout."""
    installed = _PACKAGE / "patterns"
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / "patterns"
