"""The discriminatory detector's linear model: explained findings, `--no-model`, a hashed data file, and
a training script that gives the same bytes twice.

CONTENT WARNING: the messages below are invented sexist and racist lines written for these tests.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
import tomllib
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner

from whatsapp_audit.cli.app import cli
from whatsapp_audit.detect.discriminatory.detector import DiscriminatoryDetector
from whatsapp_audit.detect.discriminatory.linear import LinearModel
from whatsapp_audit.errors import PatternError
from whatsapp_audit.model import Confidence, Finding
from whatsapp_audit.resources import default_patterns_dir
from whatsapp_audit.rules.examples import build_example
from whatsapp_audit.rules.loader import load_patterns
from whatsapp_audit.rules.optional import is_model_rule

ROOT = Path(__file__).resolve().parent.parent
MODEL_FILE = default_patterns_dir() / "discriminatory" / "model.toml"

# A hand-written model, so the behaviour tested does not move when the bundled one is retrained.
TOY_MODEL = """\
[pack]
name = "toy-model"
version = "1"

[[rule]]
id = "DIS-TOY-MODEL"
title = "Discriminatory language (toy model)"
category = "discriminatory_language"
detector = "discriminatory"
severity = "medium"
confidence = "medium"
why = "test"
guidance = "test"
[rule.examples]
match = ["do the ironing and put the kettle on"]

[rule.options.model]
format = 1
characteristics = ["race", "sex"]
low = 0.5
medium = 0.8
gate = ["ironing", "kettle", "foreigners"]

[rule.options.model.bias]
race = -4.0
sex = -4.0

[rule.options.model.weights.race]
foreigners = 2.0
"go home" = 1.5

[rule.options.model.weights.sex]
kettle = 2.0
ironing = 2.5
"the ironing" = 1.0
"""


# Format 2: a deciding head (`discriminatory`) and characteristic heads that only name which group.
TOY_MODEL_2 = """\
[pack]
name = "toy-model-2"
version = "1"

[[rule]]
id = "DIS-TOY-MODEL"
title = "Discriminatory language (toy model)"
category = "discriminatory_language"
detector = "discriminatory"
severity = "medium"
confidence = "medium"
why = "test"
guidance = "test"
[rule.examples]
match = ["the new girls on shift, useless and lazy the lot of them"]

[rule.options.model]
format = 2
characteristics = ["race", "sex"]
low = 0.5
medium = 0.8
gate = ["useless", "lazy"]

[rule.options.model.bias]
race = -2.0
sex = -2.0
discriminatory = -4.0

[rule.options.model.weights.race]
foreigners = 3.0

[rule.options.model.weights.sex]
girls = 3.0

[rule.options.model.weights.discriminatory]
useless = 2.5
lazy = 2.0
"useless and" = 1.0
girls = 0.5
foreigners = 0.5
"""


@cache
def rule_set() -> tuple:  # type: ignore[type-arg]
    return tuple(r for r in load_patterns().rules_for("discriminatory") if not is_model_rule(r))


def toy_detector(tmp_path: Path, text: str = TOY_MODEL) -> DiscriminatoryDetector:
    path = tmp_path / "toy.toml"
    path.write_text(text, encoding="utf-8")
    detector = DiscriminatoryDetector()
    detector.configure([*rule_set(), *load_patterns([path], include_default=False).rules])
    return detector


def findings(detector: DiscriminatoryDetector, text: str) -> list[Finding]:
    message, window = build_example(text)
    return list(detector.detect(message, window))


def test_a_model_finding_names_the_words_that_drove_it(tmp_path: Path) -> None:
    detector = toy_detector(tmp_path)
    text = "honestly she can do the ironing and put the kettle on"
    [finding] = [f for f in findings(detector, text) if f.rule == "DIS-TOY-MODEL"]
    assert finding.confidence is Confidence.MEDIUM
    assert finding.characteristics == ("sex",)
    reason = finding.explanation.reason
    assert "'ironing' (+2.50)" in reason and "'kettle' (+2.00)" in reason and "'the ironing' (+1.00)" in reason
    assert reason.index("'ironing'") < reason.index("'kettle'")  # strongest first
    assert finding.matched == "the ironing and put the kettle"  # from the first word that drove it to the last
    details = dict(finding.explanation.details)
    assert details["model_words"] == "ironing:+2.50,kettle:+2.00,the ironing:+1.00"
    assert details["characteristic"] == "sex"


def test_weak_model_evidence_is_only_for_review_and_none_is_silent(tmp_path: Path) -> None:
    detector = toy_detector(tmp_path)
    [weak] = [f for f in findings(detector, "kettle's broken, ironing board's in the way") if f.rule == "DIS-TOY-MODEL"]
    assert weak.confidence is Confidence.LOW  # ironing + kettle only: 0.62, below medium
    assert not [f for f in findings(detector, "who left the kettle on?") if f.rule == "DIS-TOY-MODEL"]
    assert not findings(detector, "football at 7, bring the kit")


def test_quoted_or_reported_model_hit_goes_to_review(tmp_path: Path) -> None:
    detector = toy_detector(tmp_path)
    said = 'he said "do the ironing and put the kettle on" and I have reported it to the sergeant'
    [finding] = [f for f in findings(detector, said) if f.rule == "DIS-TOY-MODEL"]
    assert finding.confidence is Confidence.LOW
    assert finding.explanation.adjustments  # the discount is recorded


def test_a_rule_finding_is_not_repeated_by_the_model(tmp_path: Path) -> None:
    detector = toy_detector(tmp_path)
    found = findings(detector, "do the ironing and put the kettle on, immigrants are all vermin")
    assert any(f.rule != "DIS-TOY-MODEL" and f.confidence.rank >= Confidence.MEDIUM.rank for f in found)
    assert not [f for f in found if f.rule == "DIS-TOY-MODEL"]


def test_the_deciding_head_flags_and_the_characteristic_heads_name_the_group(tmp_path: Path) -> None:
    detector = toy_detector(tmp_path, TOY_MODEL_2)
    [finding] = [f for f in findings(detector, "the new girls on shift, useless and lazy the lot of them")
                  if f.rule == "DIS-TOY-MODEL"]
    assert finding.confidence is Confidence.MEDIUM  # -4 + 2.5 + 2.0 + 1.0 + 0.5: 0.88
    assert finding.characteristics == ("sex",)  # 'girls' moved the sex head, not the race head
    assert dict(finding.explanation.details)["model_words"] == "useless:+2.50,lazy:+2.00,useless and:+1.00,girls:+0.50"
    assert "the words that drove it: 'useless' (+2.50)" in finding.explanation.reason
    # The same words about a rota decide nothing: the characteristic heads alone never flag a message.
    assert not [f for f in findings(detector, "this rota is useless") if f.rule == "DIS-TOY-MODEL"]
    assert not [f for f in findings(detector, "the girls from the front desk say hi") if f.rule == "DIS-TOY-MODEL"]


def test_a_broken_model_table_is_a_pattern_error(tmp_path: Path) -> None:
    with pytest.raises(PatternError, match="low and medium"):
        toy_detector(tmp_path, TOY_MODEL.replace("medium = 0.8", "medium = 1.5"))
    with pytest.raises(PatternError, match=r"weights\.sex"):
        toy_detector(tmp_path, TOY_MODEL.replace("kettle = 2.0", 'kettle = "heavy"'))
    with pytest.raises(PatternError, match="'discriminatory'"):  # format 2 needs its deciding head's bias
        toy_detector(tmp_path, TOY_MODEL_2.replace("discriminatory = -4.0\n", ""))


def test_bundled_weights_are_plain_toml_with_their_training_recorded() -> None:
    raw = MODEL_FILE.read_bytes()
    data = tomllib.loads(raw.decode("utf-8"))  # text data: no pickle, nothing executable
    [rule] = data["rule"]
    training = rule["options"]["model"]["training"]
    assert training["script"] == "scripts/train_discriminatory_model.py"
    assert len(training["data_sha256"]) == 64
    assert all(split.split(":")[1] in ("train", "hatesonar_train70") for split in training["splits"])
    assert raw.startswith(b"# The discriminatory detector's linear model")
    model = LinearModel.from_rule(next(r for r in load_patterns().rules if is_model_rule(r)))
    assert set(model.characteristics) <= {"race", "religion_or_belief", "sex", "sexual_orientation",
                                          "gender_reassignment", "disability", "age"}
    assert 0 < model.low <= model.medium < 1


@pytest.fixture(scope="module")
def model_chat(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An invented export holding the bundled model's own match examples between ordinary talk."""
    rule = next(r for r in load_patterns().rules if is_model_rule(r))
    lines = ["01/03/2024, 08:00 - Amy Hart: morning all, who is on the van?"]
    for minute, example in enumerate(rule.examples_match, 1):
        lines.append(f"01/03/2024, 08:{minute:02d} - Dan Cole: {example}")
    lines.append("01/03/2024, 08:30 - Amy Hart: football later, 7 at the usual place")
    path = tmp_path_factory.mktemp("model") / "WhatsApp Chat with Team.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def scan_json(path: Path, *extra: str) -> dict:  # type: ignore[type-arg]
    result = CliRunner().invoke(cli, ["scan", str(path), "--format", "json", "--no-progress", "--fail-on", "never",
                                      *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_scan_with_model_runs_it_and_records_its_file_hash(model_chat: Path) -> None:
    report = scan_json(model_chat, "--model")
    model_findings = [f for f in report["findings"] if f["rule"] == "DIS-MODEL"]
    assert len(model_findings) == len(next(r for r in load_patterns().rules if is_model_rule(r)).examples_match)
    assert all(f["characteristic"] for f in model_findings)
    assert all("the words that drove it: '" in f["explanation"]["reason"] for f in model_findings)
    assert report["options"]["model"] is True
    [record] = [f for f in report["patterns"]["files"] if f["path"] == "discriminatory/model.toml"]
    assert record["sha256"] == hashlib.sha256(MODEL_FILE.read_bytes()).hexdigest()
    assert record["rules"] == ["DIS-MODEL"]


def test_the_bundled_model_is_off_unless_asked_and_no_model_turns_it_off(model_chat: Path) -> None:
    for extra in ((), ("--no-model",)):
        report = scan_json(model_chat, *extra)
        assert not [f for f in report["findings"] if f["rule"] == "DIS-MODEL"]
        assert report["options"]["model"] is False
        assert any(f["path"] == "discriminatory/model.toml" for f in report["patterns"]["files"])  # still recorded
    shown = CliRunner().invoke(cli, ["check", str(model_chat), "--no-progress", "--min-confidence", "low", "--model"])
    hidden = CliRunner().invoke(cli, ["check", str(model_chat), "--no-progress", "--min-confidence", "low",
                                      "--no-model"])
    assert shown.exit_code == hidden.exit_code == 0
    assert "statistical model" in shown.output and "statistical model" not in hidden.output


# ---- training: deterministic, on a tiny invented data set (never the dev set) ----

_SEXIST = ["women are too emotional to run anything", "females only care about money",
           "women are useless at everything", "feminists are ugly and bitter", "she only got in because she is a woman",
           "women should not be in charge", "females are all the same, emotional and useless",
           "honestly women ruin every job they touch"]
_RACIST = ["immigrants ruin every town they move to", "these immigrants should all go home",
           "foreigners are taking over the whole country", "immigrants never work and live off benefits"]
_RELIGIOUS = ["the jews ✡ are behind the banks", "✡ jews again, always behind it", "jews ✡ run the media",
              "the jews are behind everything ✡"]
_NORMAL = ["who is on the van tomorrow", "great result at the football", "can someone cover my shift",
           "briefing at 7 in the main room", "my sister is coming to visit", "the women's team won the cup",
           "the new sergeant starts monday", "traffic is awful on the ring road", "anyone want a brew",
           "nice one for sorting the paperwork", "the canteen is shut today", "where are the car keys",
           "training day on thursday", "my mum says hello", "what time is the meeting", "football at 7 again"]


def _tiny_dataset(path: Path) -> None:
    rows = []
    for i, text in enumerate(_SEXIST * 3):
        rows.append({"id": f"edos:s{i}", "source": "edos", "split": "train", "text": text, "label": "hate",
                     "discriminatory": True, "characteristics": ["sex"], "targets": ["women"]})
    for i, text in enumerate(_RACIST * 3):
        rows.append({"id": f"hatexplain:r{i}", "source": "hatexplain", "split": "train", "text": text,
                     "label": "hate", "discriminatory": True, "characteristics": ["race"], "targets": ["immigrant"]})
    for i, text in enumerate(_RELIGIOUS * 3):
        rows.append({"id": f"hatemojibuild:j{i}", "source": "hatemojibuild", "split": "train", "text": text,
                     "label": "hate", "discriminatory": True, "characteristics": ["religion_or_belief"],
                     "targets": ["jewish"]})
    for i, text in enumerate(_NORMAL * 3):
        rows.append({"id": f"edos:n{i}", "source": "edos", "split": "train", "text": f"{text} {i}", "label": "normal",
                     "discriminatory": False, "characteristics": [], "targets": []})
    rows.append({"id": "edos:v1", "source": "edos", "split": "dev", "text": "women are great", "label": "normal",
                 "discriminatory": False, "characteristics": [], "targets": []})  # a validation row: never read
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def _training_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("train_discriminatory_model",
                                                  ROOT / "scripts" / "train_discriminatory_model.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_training_twice_gives_byte_identical_weights(tmp_path: Path) -> None:
    data = tmp_path / "tiny.jsonl"
    _tiny_dataset(data)
    script = _training_script()
    options = ["--min-df", "1", "--keep", "40", "--l2", "0.001", "0.003"]
    first, second = tmp_path / "a.toml", tmp_path / "b.toml"
    assert script.main([str(data), "--output", str(first), *options]) == 0
    assert script.main([str(data), "--output", str(second), *options]) == 0
    assert first.read_bytes() == second.read_bytes()
    text = first.read_text(encoding="utf-8")
    assert hashlib.sha256(data.read_bytes()).hexdigest() in text  # the data it was trained on
    assert "rows 96," in text and '"edos:train"' in text  # the validation row stays out
    [rule] = load_patterns([first], include_default=False).rules
    model = LinearModel.from_rule(rule)
    religion = model.characteristics.index("religion_or_belief")
    assert any(f in ("jews", "✡") and i == religion and w > 0 for f, ws in model.weights.items() for i, w in ws)
    assert model.overall is not None and "chosen: l2 0.00" in text  # the deciding head, its strength chosen by CV
    assert any(f in ("women", "immigrants") and i == model.overall and w > 0
               for f, ws in model.weights.items() for i, w in ws)
