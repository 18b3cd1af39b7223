"""The build cache: a later run starts faster, and finds exactly what a run without it finds.

What the packs compile to (each pack's rules, the configured detectors) is kept between runs in
the user's cache folder (whatsapp_audit/build_cache.py). These tests scan invented chats with the
cache off, cold (empty: the run builds and stores) and warm (the run reads back what was stored),
and with damaged entries, an edited pack and a cache folder inside an exhibit's folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from whatsapp_audit.cli.app import main
from whatsapp_audit.rules.loader import _LOADED as loaded_packs
from whatsapp_audit.scan import scan

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
LABELLED = ROOT / "tests" / "labelled" / "discriminatory.tsv"


def labelled_chat(folder: Path) -> Path:
    """Every line of the invented discriminatory labelled set as one Android export (slurs, disguised
    spellings, emoji, constructions that need spaCy, traps, ordinary chat)."""
    rows = [line.split("\t")[3].strip() for line in LABELLED.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]
    lines = [f"14/03/2024, {9 + i // 60:02d}:{i % 60:02d} - PC Example {i % 7}: {text}" for i, text in enumerate(rows)]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "labelled-chat.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def findings(path: Path, patterns_dirs: tuple[Path, ...] = ()) -> list[tuple[object, ...]]:
    result = scan(path, patterns_dirs=patterns_dirs, jobs=1)
    return [(item.id, item.finding) for item in result.findings]


@pytest.fixture(autouse=True)
def fresh_process_memory() -> None:
    """Each test starts as a new process does: no pack loaded in memory, so the disk cache is what is read."""
    loaded_packs.clear()


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("WHATSAPP_AUDIT_CACHE_DIR", str(folder))
    return folder


def test_findings_are_the_same_with_the_cache_off_cold_and_warm(
        tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every detector's work: the labelled chat (the discriminatory detector, spaCy's constructions), an
    # Android shift chat (operational data) and an iOS zip with its photos (scene images, media facts).
    # With the cache off each scan configures the engine afresh, so more exports only cost time.
    exports = [labelled_chat(tmp_path / "exhibit"), EXAMPLES / "android-b-relief.txt",
               EXAMPLES / "ios-night-turn-with-media.zip"]
    monkeypatch.setenv("WHATSAPP_AUDIT_CACHE_DIR", "off")
    off = [findings(path) for path in exports]
    assert not cache_dir.exists()
    monkeypatch.setenv("WHATSAPP_AUDIT_CACHE_DIR", str(cache_dir))
    loaded_packs.clear()  # each run below starts as a new process does: nothing loaded in memory yet
    cold = [findings(exports[0])]
    stored = sorted(p.name.split("-")[0] for p in cache_dir.rglob("*.pickle"))
    assert "engine" in stored and stored.count("pack") >= 10
    loaded_packs.clear()
    warm = [findings(path) for path in exports]
    assert cold[0] == off[0] == warm[0]
    assert warm == off
    assert sum(map(len, off)) > 100  # a real comparison: the labelled chat alone has many findings


def test_damaged_entries_are_rebuilt_not_fatal(tmp_path: Path, cache_dir: Path) -> None:
    chat = labelled_chat(tmp_path / "exhibit")
    first = findings(chat)
    entries = list(cache_dir.rglob("*.pickle"))
    assert entries
    for entry in entries:
        entry.write_bytes(b"not a pickle")
    loaded_packs.clear()
    assert findings(chat) == first
    assert all(entry.read_bytes() != b"not a pickle" for entry in entries)  # stored again, whole


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions")
def test_an_entry_others_could_have_written_is_never_loaded(cache_dir: Path) -> None:
    """A cache entry is code the tool loads: one in a folder (or a file) writable by group or others
    is ignored, so another account cannot change what a scan runs."""
    from whatsapp_audit import build_cache

    build_cache.store("probe", "k", {"rules": 3})
    folder = build_cache.folder()
    assert folder is not None and build_cache.load("probe", "k") == {"rules": 3}
    entry = folder / "probe-k.pickle"
    folder.chmod(0o777)
    assert build_cache.load("probe", "k") is None
    folder.chmod(0o700)
    entry.chmod(0o666)
    assert build_cache.load("probe", "k") is None
    entry.chmod(0o600)
    assert build_cache.load("probe", "k") == {"rules": 3}


def test_an_edited_pack_is_read_again_not_taken_from_the_cache(tmp_path: Path, cache_dir: Path) -> None:
    pack = tmp_path / "force" / "ops.toml"
    pack.parent.mkdir()
    rule = """[[rule]]
id = "XYZ-OPNAME"
title = "Operation name"
category = "operational_data"
detector = "operational"
severity = "medium"
confidence = "medium"
why = "Operation names are restricted."
guidance = "Check whether the operation was live."
[rule.match]
regex = ['\\b{word}\\b']
[rule.examples]
match = ["{word} at noon"]
no_match = ["nothing here"]
"""
    chat = tmp_path / "exhibit" / "chat.txt"
    chat.parent.mkdir()
    chat.write_text("14/03/2024, 09:00 - PC Example: briefing for kestrel then falcon at noon\n", encoding="utf-8")
    pack.write_text(rule.format(word="kestrel"), encoding="utf-8")
    first = [f.finding.matched for f in scan(chat, patterns_dirs=(pack.parent,), jobs=1).findings
             if f.finding.rule == "XYZ-OPNAME"]
    pack.write_text(rule.format(word="falcon"), encoding="utf-8")
    second = [f.finding.matched for f in scan(chat, patterns_dirs=(pack.parent,), jobs=1).findings
              if f.finding.rule == "XYZ-OPNAME"]
    assert [m.lower() for m in first] == ["kestrel"]
    assert [m.lower() for m in second] == ["falcon"]


def test_the_cache_is_never_written_inside_an_exhibit_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chat = labelled_chat(tmp_path / "exhibit")
    inside = chat.parent / "cache"
    monkeypatch.setenv("WHATSAPP_AUDIT_CACHE_DIR", str(inside))
    out = tmp_path / "out" / "report.json"
    out.parent.mkdir()
    code = main(["scan", str(chat), "--format", "json", "--output", str(out), "--no-progress", "--fail-on", "never"])
    assert code == 0 and json.loads(out.read_text(encoding="utf-8"))["findings"]
    assert sorted(p.name for p in chat.parent.iterdir()) == ["labelled-chat.txt"]


def test_a_warm_scan_of_ordinary_chat_does_not_load_spacy(tmp_path: Path) -> None:
    """Chat whose words open the detector's second gates ("anyone" is a phrase rule's word) but
    that needs no tokens: with the engine read back from the cache, spaCy is still not imported."""
    chat = tmp_path / "exhibit" / "chat.txt"
    chat.parent.mkdir()
    chat.write_text("14/03/2024, 09:00 - PC Example: gym after shift anyone?\n"
                    "14/03/2024, 09:01 - PC Other: on my way, 10 mins \U0001F44D\n", encoding="utf-8")
    probe = (
        "import json, sys\n"
        "from whatsapp_audit.scan import scan\n"
        f"result = scan({str(chat)!r}, jobs=1)\n"
        "print(json.dumps([len(result.findings), 'spacy' in sys.modules]))\n"
    )
    env = {**os.environ, "WHATSAPP_AUDIT_CACHE_DIR": str(tmp_path / "cache")}
    runs = [json.loads(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                                      cwd=ROOT, env=env).stdout.splitlines()[-1]) for _ in range(2)]
    assert runs == [[0, False], [0, False]]  # cold, then warm
    assert list((tmp_path / "cache").rglob("engine-*.pickle"))


def test_a_worker_takes_its_engine_from_the_cache_without_reading_the_rules(cache_dir: Path) -> None:
    """A `--jobs` worker holds one engine, not the rules beside it: when the cache has the engine
    for the key the main process sends, the rules sent with it are never unpickled."""
    from whatsapp_audit import parallel
    from whatsapp_audit.detect.engine import Engine
    from whatsapp_audit.rules.loader import load_patterns

    rules = load_patterns().rules
    stored = Engine.build(rules)  # a cold build stores it
    with pytest.raises(zlib.error):  # the bytes are no compressed rules: read only without a cached engine
        parallel.worker_engine("no engine is stored under this key", b"not the rules")
    worker_engine = parallel.worker_engine(Engine.cache_key(rules), b"not the rules: never read when the cache answers")
    assert isinstance(worker_engine, Engine) and worker_engine is not stored
    assert [type(d) for d in worker_engine.detectors] == [type(d) for d in stored.detectors]


def test_the_phrase_matchers_word_sets_are_held_once_each() -> None:
    """Slot fills repeat across hundreds of expanded phrase patterns; one object per distinct set
    keeps each worker's engine (and the cache entry it reads) a fraction of the size."""
    from whatsapp_audit.detect.discriminatory.detector import DiscriminatoryDetector
    from whatsapp_audit.rules.loader import load_patterns

    detector = DiscriminatoryDetector()
    detector.configure([rule for rule in load_patterns().rules if rule.detector == "discriminatory"])
    sets = [words for pattern in detector._phrases._required for words in pattern]
    assert len(sets) > 2 * len(set(sets))  # the packs do repeat them
    assert len({id(words) for words in sets}) == len(set(sets))


def test_the_code_hash_covers_every_python_file_of_the_package_by_its_path() -> None:
    """The build cache's key and the evidence pack's manifest pin the code with it."""
    import hashlib

    from whatsapp_audit.resources import _PACKAGE, package_sha256

    expected = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*.py")):  # the definition: pathlib's order of the paths
        expected.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    assert package_sha256() == expected.hexdigest()
