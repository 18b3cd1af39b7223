"""Where the bundled pattern files live, installed or run from a checkout."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def default_patterns_dir() -> Path:
    """The shipped `patterns/` folder: inside the installed package, or at the top of a checkout."""
    try:
        installed = Path(str(resources.files("whatsapp_audit.patterns")))
        if installed.is_dir():
            return installed
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parent.parent / "patterns"
