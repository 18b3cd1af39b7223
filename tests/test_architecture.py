"""The layers point one way (docs/architecture.md): a change that makes them point back fails here.

Every `import` in the package is read from its source, function-level ones included, so a lazy
import cannot slip a dependency past the rule.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "whatsapp_audit"
DETECTOR_PACKAGES = sorted(p.parent.name for p in (PACKAGE / "detect").glob("*/detector.py"))


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(source: str, module: str, is_package: bool = False) -> set[str]:
    """Every package module the source of `module` imports, relative imports resolved."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package[: len(package) - node.level + 1]) if node.level else ""
            imported = ".".join(part for part in (base, node.module or "") if part)
            found.add(imported)
            found.update(f"{imported}.{alias.name}" for alias in node.names)  # `from pkg import submodule`
    return {name for name in found if name == "whatsapp_audit" or name.startswith("whatsapp_audit.")}


MODULES = {_module(path): _imports(path.read_text(encoding="utf-8"), _module(path), path.name == "__init__.py")
           for path in sorted(PACKAGE.rglob("*.py"))}


def _in(module: str, *packages: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def _offending(importers: list[str], forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    found = {m: sorted(i for i in MODULES[m] if _in(i, *forbidden)) for m in importers}
    return {m: names for m, names in found.items() if names}


def test_the_package_was_read() -> None:
    assert "whatsapp_audit.scan" in MODULES and "whatsapp_audit.ingest.parser" in MODULES
    assert {"operational", "imagery", "discriminatory"} <= set(DETECTOR_PACKAGES)
    assert "whatsapp_audit.detect.engine" in MODULES["whatsapp_audit.scan"]  # the reader sees real imports


def test_the_library_never_imports_report_or_cli() -> None:
    outer = ("whatsapp_audit.report", "whatsapp_audit.cli", "whatsapp_audit.__main__")
    library = [m for m in MODULES if not _in(m, *outer)]
    assert _offending(library, outer) == {}


def test_reporters_never_import_the_cli() -> None:
    reporters = [m for m in MODULES if _in(m, "whatsapp_audit.report")]
    assert _offending(reporters, ("whatsapp_audit.cli", "whatsapp_audit.__main__")) == {}


def test_ingest_knows_no_detector_or_rule() -> None:
    ingest = [m for m in MODULES if _in(m, "whatsapp_audit.ingest")]
    assert _offending(ingest, ("whatsapp_audit.detect", "whatsapp_audit.rules", "whatsapp_audit.scan")) == {}


@pytest.mark.parametrize("detector", DETECTOR_PACKAGES)
def test_a_detector_imports_no_other_detector(detector: str) -> None:
    own = [m for m in MODULES if _in(m, f"whatsapp_audit.detect.{detector}")]
    others = tuple(f"whatsapp_audit.detect.{d}" for d in DETECTOR_PACKAGES if d != detector)
    assert _offending(own, others) == {}


def test_shared_text_utilities_and_the_engine_name_no_detector_package() -> None:
    shared = [m for m in MODULES if _in(m, "whatsapp_audit.detect.text")]
    shared += ["whatsapp_audit.detect.base", "whatsapp_audit.detect.engine", "whatsapp_audit.detect.registry"]
    detectors = tuple(f"whatsapp_audit.detect.{d}" for d in DETECTOR_PACKAGES)
    assert _offending(shared, detectors) == {}  # the registry names detectors as strings, imported on demand


def test_model_and_errors_stand_alone() -> None:
    assert MODULES["whatsapp_audit.model"] == set()
    assert MODULES["whatsapp_audit.errors"] == set()


def test_lazy_and_relative_imports_are_seen() -> None:
    source = "from . import base\nfrom ..report import json_report\n\ndef f():\n    import whatsapp_audit.cli.app\n"
    found = _imports(source, "whatsapp_audit.detect.engine")
    assert {"whatsapp_audit.detect.base", "whatsapp_audit.report.json_report", "whatsapp_audit.cli.app"} <= found
    assert _in("whatsapp_audit.report.json_report", "whatsapp_audit.report")
    assert not _in("whatsapp_audit.reporting", "whatsapp_audit.report")
