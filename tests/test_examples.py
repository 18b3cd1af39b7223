"""The bundled examples stay true: the zip rebuilds byte for byte, the committed reports are what the
tool produces now, and together the examples exercise every detector (and its false-positive traps)."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_zip_example_rebuilds_byte_for_byte(tmp_path: Path) -> None:
    built = load("build_zip_example").build(tmp_path / "again.zip")
    assert built.read_bytes() == (EXAMPLES / "ios-night-turn-with-media.zip").read_bytes()


def test_committed_reports_are_what_the_tool_produces_now(tmp_path: Path) -> None:
    written = load("make_reports").make_reports(tmp_path)
    committed = sorted(p.name for p in (EXAMPLES / "reports").iterdir())
    assert sorted(p.name for p in written) == committed
    library = re.compile(rb"exifread \d+(?:\.\d+)*")  # the EXIF reader's version is recorded; it may differ per machine
    stale = [p.name for p in written
             if library.sub(b"exifread", p.read_bytes()) != library.sub(b"exifread", (EXAMPLES / "reports" / p.name).read_bytes())]
    assert not stale, f"examples/reports is out of date ({stale}); run: python examples/make_reports.py"


def test_examples_exercise_every_detector_and_keep_their_traps_quiet() -> None:
    rules: set[str] = set()
    matched: list[str] = []
    for report in sorted((EXAMPLES / "reports").glob("*.json")):
        if report.name.endswith((".merge.json", ".redaction-log.json")):
            continue  # not scan reports
        findings = json.loads(report.read_text(encoding="utf-8"))["findings"]
        rules |= {f["rule"] for f in findings}
        matched += [f["matched"] or "" for f in findings]
    assert {rule.split("-")[0] for rule in rules} == {"OPS", "IMG", "DIS"}
    assert "IMG-SCENE" in rules and "IMG-BODY" in rules
    assert not any(word in m for m in matched for word in ("Scunthorpe", "Penistone", "sunrise"))


def test_the_media_example_uses_exif_from_the_zip() -> None:
    report = json.loads((EXAMPLES / "reports" / "ios-night-turn-with-media.json").read_text(encoding="utf-8"))
    scene = next(f for f in report["findings"] if f["matched"] == "00000014-PHOTO-2024-05-02-01-12-40.jpg")
    assert "exif_gps_place" in scene["explanation"]["details"]
    assert {m["name"] for m in report["media"]} == {"00000014-PHOTO-2024-05-02-01-12-40.jpg", "00000015-PHOTO-2024-05-02-05-45-00.jpg"}


@pytest.mark.parametrize("persona", ["investigator", "officer"])
def test_readme_walkthroughs_use_the_examples(persona: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("```", 2)[1].strip().splitlines()
    assert len(quick) == 3 and quick[1].startswith("pip install . && whatsapp-audit check examples/")
    assert (ROOT / quick[1].split()[-1]).is_file()
    assert quick[2] == "pip install '.[test]' && python -m pytest -q"
    command = {"investigator": "whatsapp-audit scan examples/ios-night-turn-with-media.zip --out",
               "officer": "whatsapp-audit check examples/"}[persona]
    assert command in readme
