"""Pattern packs: a force writing its own pack gets errors that name the file, the line and the rule."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from whatsapp_audit.errors import ExitCode, PatternError
from whatsapp_audit.model import Category, Confidence, Severity
from whatsapp_audit.rules.examples import build_example
from whatsapp_audit.rules.loader import load_patterns

HEAD = """\
[pack]
name = "force-pack"
version = "3"

[defaults]
category = "operational_data"
detector = "operational"
guidance = "Force information security policy."
"""

RULE = """\
[[rule]]
id = "FRC-CALLSIGN"
title = "Force call sign"
severity = "low"
confidence = "medium"
why = "Call signs identify a unit on duty."
[rule.match]
regex = ['\\bKILO\\d{2}\\b']
[rule.examples]
match = ["KILO12 to attend"]
no_match = ["kilo of flour"]
"""


def write(folder: Path, text: str, name: str = "pack.toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def load_error(tmp_path: Path, text: str) -> tuple[PatternError, Path]:
    path = write(tmp_path / "force", text)
    with pytest.raises(PatternError) as caught:
        load_patterns([tmp_path / "force"], include_default=False)
    return caught.value, path


def test_valid_pack_loads_with_defaults_hash_and_version(tmp_path: Path) -> None:
    path = write(tmp_path / "force", HEAD + RULE)
    patterns = load_patterns([tmp_path / "force"], include_default=False)
    (rule,) = patterns.rules
    assert rule.category is Category.OPERATIONAL_DATA and rule.detector == "operational"
    assert rule.guidance == "Force information security policy."
    assert (rule.severity, rule.confidence) == (Severity.LOW, Confidence.MEDIUM)
    assert rule.source == str(path) and rule.source_line == line_of(HEAD + RULE, 'id = "FRC-CALLSIGN"')
    (pack,) = patterns.files
    assert pack.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (pack.name, pack.version, pack.rule_ids) == ("force-pack", "3", ("FRC-CALLSIGN",))
    assert patterns.rules_for("operational") == (rule,) and patterns.rules_for("imagery") == ()


def test_rule_keys_win_over_defaults(tmp_path: Path) -> None:
    text = HEAD + RULE.replace('why = "', 'guidance = "Own guidance."\nwhy = "')
    write(tmp_path / "force", text)
    (rule,) = load_patterns([tmp_path / "force"], include_default=False).rules
    assert rule.guidance == "Own guidance."


def test_bundled_packs_load_and_include_operational_rules() -> None:
    patterns = load_patterns()
    ids = {rule.id for rule in patterns.rules_for("operational")}
    assert {"OPS-VRM", "OPS-POSTCODE", "OPS-PHONE", "OPS-PNC", "OPS-NINO"} <= ids
    assert all(not pack.relative.startswith("export/") for pack in patterns.files)


def test_toml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    text = HEAD + RULE.replace('title = "Force call sign"', 'title = "Force call sign')
    error, path = load_error(tmp_path, text)
    assert error.source == str(path)
    assert error.line == line_of(text, 'title = "Force call sign')
    assert "invalid TOML" in error.problem
    assert error.exit_code == ExitCode.USAGE


@pytest.mark.parametrize(
    ("old", "new", "needle", "problem"),
    [
        ('severity = "low"', 'severity = "critical"', "severity =", "'severity' must be one of"),
        ('confidence = "medium"', 'confidence = "sure"', "confidence =", "'confidence' must be one of"),
        ('id = "FRC-CALLSIGN"', 'id = "FRC-CALLSIGN"\nlevel = 3', "level = 3", "unknown key 'level'"),
        ("regex = ['\\bKILO\\d{2}\\b']", "regex = ['KILO(\\d']", "regex =", "does not compile"),
        ('why = "Call signs identify a unit on duty."', 'why = ""', 'why = ""', "'why' must be a non-empty string"),
        ('why = "Call signs identify a unit on duty."\n', "", 'id = "FRC-CALLSIGN"', "missing required key 'why'"),
        ('no_match = ["kilo of flour"]', 'no_match = [{ txt = "kilo" }]', "no_match", "must be a string or a table with 'text'"),
        ('match = ["KILO12 to attend"]', "match = []", "match = []", "at least one 'match' example"),
        ("[rule.match]", '[rule.context]\nboost = [3]\n[rule.match]', "boost = [3]", "context.boost entries"),
        ('id = "FRC-CALLSIGN"', 'id = "frc callsign"', 'id = "frc callsign"', "PREFIX-NAME"),
    ],
)
def test_invalid_rule_names_file_line_and_rule(tmp_path: Path, old: str, new: str, needle: str, problem: str) -> None:
    text = HEAD + RULE.replace(old, new)
    error, path = load_error(tmp_path, text)
    assert error.source == str(path)
    assert error.line == line_of(text, needle)
    assert error.rule in {"FRC-CALLSIGN", "frc callsign"}
    assert problem in error.problem
    assert str(path) in str(error) and f":{error.line}:" in str(error)


def test_missing_examples_table_is_an_error(tmp_path: Path) -> None:
    text = HEAD + RULE.split("[rule.examples]")[0]
    error, _ = load_error(tmp_path, text)
    assert error.rule == "FRC-CALLSIGN" and "examples" in error.problem


def test_rule_without_id_is_named_by_position_and_header_line(tmp_path: Path) -> None:
    text = HEAD + RULE + RULE.replace('id = "FRC-CALLSIGN"\n', "")
    error, _ = load_error(tmp_path, text)
    assert error.rule == "#2"
    assert error.line == [n for n, line in enumerate(text.splitlines(), 1) if line == "[[rule]]"][1]
    assert "missing 'id'" in error.problem


def test_unknown_top_level_and_defaults_keys(tmp_path: Path) -> None:
    error, _ = load_error(tmp_path, "rules_version = 2\n" + HEAD + RULE)
    assert error.line == 1 and "unknown top-level key" in error.problem
    text = HEAD.replace('detector = "operational"', 'detector = "operational"\nid = "X-Y"') + RULE
    error, _ = load_error(tmp_path, text)
    assert error.line == line_of(text, 'id = "X-Y"') and "not allowed in [defaults]" in error.problem


def test_duplicate_id_in_one_file(tmp_path: Path) -> None:
    text = HEAD + RULE + RULE
    error, _ = load_error(tmp_path, text)
    assert error.rule == "FRC-CALLSIGN" and "duplicate" in error.problem


def test_duplicate_id_across_packs_names_both_files(tmp_path: Path) -> None:
    write(tmp_path / "force", HEAD + RULE, "a.toml")
    second = write(tmp_path / "force", HEAD + RULE, "b.toml")
    with pytest.raises(PatternError) as caught:
        load_patterns([tmp_path / "force"], include_default=False)
    assert caught.value.source == str(second)
    assert "a.toml" in caught.value.problem and "duplicate rule id" in caught.value.problem


def test_duplicate_of_a_bundled_rule_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "force", HEAD + RULE.replace("FRC-CALLSIGN", "OPS-VRM"))
    with pytest.raises(PatternError, match="duplicate rule id"):
        load_patterns([tmp_path / "force"])


def test_unregistered_detector_loads_for_later(tmp_path: Path) -> None:
    write(tmp_path / "force", HEAD.replace('detector = "operational"', 'detector = "force_own"') + RULE)
    patterns = load_patterns([tmp_path / "force"], include_default=False)
    assert patterns.rules_for("force_own")[0].id == "FRC-CALLSIGN"


def test_export_vocabulary_folder_and_missing_folder(tmp_path: Path) -> None:
    write(tmp_path / "force" / "export", "not = 'a pack'")
    write(tmp_path / "force", HEAD + RULE)
    assert len(load_patterns([tmp_path / "force"], include_default=False).files) == 1
    with pytest.raises(PatternError, match="pattern folder not found"):
        load_patterns([tmp_path / "nowhere"], include_default=False)


def test_not_utf8_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "force"
    folder.mkdir()
    (folder / "pack.toml").write_bytes(b"title = '\xff'\n")
    with pytest.raises(PatternError, match="not UTF-8"):
        load_patterns([folder], include_default=False)


def test_build_example_makes_media_message_with_neighbours() -> None:
    message, window = build_example({
        "text": "caption", "attachment": "IMG-20240314-WA0001.jpg",
        "before": ["earlier", {"author": "Other", "text": "reply"}], "after": ["later"],
    })
    assert message.text == "caption" and message.attachments[0].name == "IMG-20240314-WA0001.jpg"
    assert [m.text for m in window.before] == ["earlier", "reply"]
    assert [m.author for m in window.before] == ["Example Author", "Other"]
    assert [m.text for m in window.after] == ["later"]
    assert window.before[0].timestamp < message.timestamp < window.after[0].timestamp
    omitted, _ = build_example({"text": "", "attachment": "<Media omitted>"})
    assert omitted.attachments[0].omitted


def test_the_example_pack_in_the_patterns_readme_is_valid(tmp_path: Path) -> None:
    import re

    from whatsapp_audit.detect.registry import create_detectors
    from whatsapp_audit.rules.examples import check_examples

    readme = (Path(__file__).resolve().parent.parent / "patterns" / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```toml\n(.*?)```", readme, re.S)
    assert block is not None
    write(tmp_path / "force", block.group(1))
    patterns = load_patterns([tmp_path / "force"], include_default=False)
    detectors = {detector.name: detector for detector in create_detectors()}
    assert [rule.id for rule in patterns.rules] == ["FRC-CALLSIGN"]
    assert check_examples(patterns, detectors) == []
