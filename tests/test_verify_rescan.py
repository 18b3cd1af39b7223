"""`verify --rescan`: an evidence pack whose reports were edited and re-hashed passes a hash check, and
fails when its recorded scan is run again on the exhibits; an honest pack passes, wherever the exhibits
are now, with its review file, allowlist and narrowed search re-applied as recorded."""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from whatsapp_audit.cli.app import main

ROOT = Path(__file__).resolve().parent.parent
CHAT = """\
02/05/2024, 22:00 - Jo Fenn: Evening all
02/05/2024, 22:05 - Kay Lund: Stop check on AB12 CDE, ring the appeal line 0800 555 0199
02/05/2024, 22:06 - Jo Fenn: and call his mum on 07911 234567 after
03/05/2024, 09:00 - Ned Rowe: CD15 XYZ again outside the school
"""
ALLOWLIST = """\
[[allow]]
value = "08005550199"
rule = "OPS-PHONE"
reason = "The force's public appeal line"
"""


def verify(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["verify", *args])
    return code, capsys.readouterr().out


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A pack of two exhibits (a .txt and the zip example) made with a review file, an allowlist and a
    narrowed search; then the exhibits copied elsewhere, as when a pack is checked on another machine."""
    root = tmp_path_factory.mktemp("rescan")
    (root / "exhibits").mkdir()
    (root / "exhibits" / "chat.txt").write_text(CHAT, encoding="utf-8")
    shutil.copy(ROOT / "examples" / "ios-night-turn-with-media.zip", root / "exhibits" / "night.zip")
    (root / "case").mkdir()
    allow = root / "case" / "allow.toml"
    allow.write_text(ALLOWLIST, encoding="utf-8")
    review = root / "case" / "review.json"
    review.write_text(json.dumps({"reviews": []}), encoding="utf-8")
    pack = root / "pack"
    with contextlib.chdir(root / "case"):  # relative paths, as typed in the case folder
        assert main(["scan", str(root / "exhibits"), "--out", str(pack), "--no-progress", "--case-ref", "PSD-7",
                     "--rule", "OPS-*", "--rule", "IMG-*", "--allowlist", "allow.toml", "--review", "review.json",
                     "--context", "3"]) == 1
    moved = root / "elsewhere"
    shutil.copytree(root / "exhibits", moved)
    return {"root": root, "pack": pack, "moved": moved, "review": review}


def copy_of(case: dict[str, Path], name: str) -> Path:
    target = case["root"] / name
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(case["pack"], target)
    return target


def rehash(pack: Path, **command: str) -> None:
    """What someone covering an edit would do: new hashes in manifest.json and SHA256SUMS."""
    def sha(name: str) -> str:
        return hashlib.sha256((pack / name).read_bytes()).hexdigest()

    manifest = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
    manifest["command"].update(command)
    for output in manifest["outputs"]:
        output["sha256"], output["size"] = sha(output["name"]), (pack / output["name"]).stat().st_size
    (pack / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    names = sorted(p.name for p in pack.iterdir() if p.name != "SHA256SUMS")
    (pack / "SHA256SUMS").write_text("".join(f"{sha(n)}  {n}\n" for n in names), encoding="utf-8")


def test_an_honest_pack_passes_the_rescan_from_wherever_the_exhibits_are(case, capsys) -> None:
    code, out = verify(capsys, str(case["pack"]), "--rescan", str(case["moved"]))
    assert code == 0, out
    assert ("OK: re-ran the recorded scan of 2 exhibits with" in out
            and "findings.json, report.html, findings.csv, search-strategy.md are exactly what it gives" in out)


def test_an_edited_and_rehashed_pack_fails_naming_what_changed(case, capsys) -> None:
    pack = copy_of(case, "edited")
    findings = json.loads((pack / "findings.json").read_text(encoding="utf-8"))
    dropped = findings["findings"].pop(0)
    findings["findings"][0]["severity"] = "low"
    (pack / "findings.json").write_text(json.dumps(findings, indent=2), encoding="utf-8")
    rehash(pack)
    assert main(["verify", str(pack)]) == 0  # the hashes alone cannot tell, and verify says so
    assert "--rescan EXPORT runs the recorded scan again" in capsys.readouterr().err
    code, out = verify(capsys, str(pack), "--rescan", str(case["moved"]))
    assert code == 4
    assert "FAILED: findings.json: not what the recorded scan gives when run again on the exhibits" in out
    assert f"#{dropped['number']} {dropped['rule']} line {dropped['line']}" in out and "found by the re-run, not in the pack" in out
    assert "severity \"low\" in the pack, \"" in out


def test_a_pack_made_by_other_code_says_so_when_it_differs(case, capsys) -> None:
    pack = copy_of(case, "other-code")
    manifest = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
    manifest["tool"]["package_sha256"] = "0" * 64
    (pack / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    rehash(pack)
    assert verify(capsys, str(pack), "--rescan", str(case["moved"]))[0] == 0  # same reports: no note needed
    (pack / "findings.csv").write_text("edited\n", encoding="utf-8")
    rehash(pack)
    code, out = verify(capsys, str(pack), "--rescan", str(case["moved"]))
    assert code == 4 and "the pack was made by other code of whatsapp-audit" in out and "0000000000000000..." in out


def test_a_finding_cut_from_the_html_is_caught(case, capsys) -> None:
    pack = copy_of(case, "html")
    page = (pack / "report.html").read_text(encoding="utf-8")
    start = page.index('<article class="finding')
    end = page.index("</article>", start) + len("</article>")
    (pack / "report.html").write_text(page[:start] + page[end:], encoding="utf-8")
    rehash(pack)
    code, out = verify(capsys, str(pack), "--rescan", str(case["moved"]))
    assert code == 4 and "FAILED: report.html: not what the recorded scan gives" in out
    assert "findings.json" not in out.split("FAILED")[1]  # the other reports still match


def test_a_missing_or_changed_exhibit_is_a_problem_not_a_partial_check(case, capsys) -> None:
    code, out = verify(capsys, str(case["pack"]), "--rescan", str(case["moved"] / "chat.txt"))
    assert code == 4 and "exhibit 2" in out and "not among the exports given to --rescan" in out
    changed = case["root"] / "changed"
    shutil.copytree(case["moved"], changed)
    (changed / "chat.txt").write_text(CHAT.replace("CD15 XYZ", "CD15 XYY"), encoding="utf-8")
    code, out = verify(capsys, str(case["pack"]), "--rescan", str(changed))
    assert code == 4 and "exhibit 1" in out and "(or changed since)" in out


def test_a_review_file_changed_since_is_named(case, capsys) -> None:
    before = case["review"].read_bytes()
    try:
        case["review"].write_text(json.dumps({"reviews": [{"id": "0" * 32, "verdict": "unsure"}]}), encoding="utf-8")
        code, out = verify(capsys, str(case["pack"]), "--rescan", str(case["moved"]))
        assert code == 4 and "the review file changed since the pack was made" in out
    finally:
        case["review"].write_bytes(before)


def test_relative_paths_lead_from_the_folder_the_scan_ran_in_or_the_problem_says_where(case, capsys,
                                                                                      monkeypatch) -> None:
    # the scan ran in case/ with --allowlist allow.toml; verify runs elsewhere (the fixtures above pass too)
    monkeypatch.chdir(case["root"])
    assert verify(capsys, str(case["pack"]), "--rescan", str(case["moved"]))[0] == 0
    pack = copy_of(case, "other-machine")
    rehash(pack, cwd=str(case["root"] / "not-on-this-machine"))
    code, out = verify(capsys, str(pack), "--rescan", str(case["moved"]))
    assert code == 4 and "review.json: the review file cannot be read" in out
    assert "not-on-this-machine) is not here, so relative paths were taken from here" in out
    monkeypatch.chdir(case["root"] / "case")  # where they lead to the same files
    assert verify(capsys, str(pack), "--rescan", str(case["moved"]))[0] == 0


def test_an_exhibit_that_could_not_be_read_is_tried_again_where_it_was(tmp_path: Path, capsys, monkeypatch) -> None:
    """A pack of a folder holding one chat and one file that is not a chat: the readable exhibit is given
    from elsewhere; the unreadable one is tried where it was (relative to the folder the scan ran in), and
    is a problem once it is gone."""
    (tmp_path / "ex").mkdir()
    (tmp_path / "ex" / "chat.txt").write_text(CHAT, encoding="utf-8")
    (tmp_path / "ex" / "notes.txt").write_text("shopping list\nnot a chat at all\n", encoding="utf-8")
    with contextlib.chdir(tmp_path):
        assert main(["scan", "ex", "--out", "pack", "--no-progress"]) == 1
    shutil.copytree(tmp_path / "ex", tmp_path / "copy")
    monkeypatch.chdir(ROOT)
    code, out = verify(capsys, str(tmp_path / "pack"), "--rescan", str(tmp_path / "copy" / "chat.txt"))
    assert code == 0 and "re-ran the recorded scan of 2 exhibits" in out, out
    (tmp_path / "ex" / "notes.txt").unlink()
    code, out = verify(capsys, str(tmp_path / "pack"), "--rescan", str(tmp_path / "copy" / "chat.txt"))
    assert code == 4 and "exhibit 2 (ex/notes.txt" in out
