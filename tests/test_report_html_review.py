"""Reviewing in the HTML report, as an investigator does it in a browser: move through the findings
with the keyboard, give verdicts and notes, filter by verdict, save the review file (a download made
in the page), and feed it back to `scan --review`, which shows the verdicts; a second round in the
page keeps what it did not change. Chromium is driven over its DevTools pipe (tests/browser_pipe.py);
one browser serves the whole module. The rest of the checks need no browser."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_pipe import BROWSER, Browser
from jsonschema import Draft202012Validator

from whatsapp_audit.cli.app import main

CHAT = """\
02/05/2024, 07:58 - Rob Ellery: Morning all, who has the car keys
02/05/2024, 08:02 - Priya Lanham: Stop check on KM19 TOV outside the bakery
02/05/2024, 08:03 - Sam Okoro: his mob was 07911 234567 if you need it
02/05/2024, 08:04 - Rob Ellery: Cheers, our appeal line is 0800 555 0199
02/05/2024, 08:10 - Priya Lanham: Custody ref is 12/3456/24 for the handover </textarea><script>document.title='pwned'</script>
02/05/2024, 08:15 - Sam Okoro: second car was LM68 PXR parked on the verge
"""
HOSTILE_NOTE = "</textarea><img src=x onerror=\"document.title='pwned'\"> appeal line, not a concern"


def scan(*argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["scan", *argv, "--no-progress"])
    out, err = capsys.readouterr()
    return code, out, err


def findings_of(export: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> list[dict[str, Any]]:
    code, out, err = scan(str(export), "--format", "json", *extra, capsys=capsys)
    assert code == 1, err
    findings: list[dict[str, Any]] = json.loads(out)["findings"]
    return findings


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("exhibit")
    path = folder / "chat.txt"
    path.write_text(CHAT, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    if BROWSER is None:
        pytest.skip("no Chromium on this machine: install it (apt-get install chromium; .ci/run does) "
                    "to test the HTML reviewer in a browser")
    with Browser(tmp_path_factory.mktemp("profile")) as chromium:
        yield chromium


def text(browser: Browser, element_id: str) -> str:
    value: str = browser.evaluate(f"document.getElementById({element_id!r}).textContent")
    return value


def states(browser: Browser) -> list[str]:
    """What each finding says of its verdict, without the time it was given."""
    said = browser.evaluate("Array.from(document.querySelectorAll('article.finding .review-state'), e => e.textContent)")
    return [re.sub(r",? \d{4}-\d\d-\d\dT[\d:]+Z", "", s) for s in said]


def verdict_filter(browser: Browser, value: str) -> None:
    """Choose in the Verdict filter, as a user does with the mouse."""
    browser.evaluate(f"var s = document.querySelector('select[name=verdict]'); s.value = {value!r};"
                     "s.dispatchEvent(new Event('change', {bubbles: true}))")


def save(browser: Browser, folder: Path) -> dict[str, Any]:
    browser.allow_downloads(folder)
    browser.press("s")
    name = browser.downloaded()
    assert name is not None
    saved: dict[str, Any] = json.loads((folder / name).read_text(encoding="utf-8"))
    return saved


def test_a_reviewer_marks_findings_by_keyboard_saves_and_the_cli_reads_it_back(export, browser, tmp_path, capsys) -> None:
    page = tmp_path / "report.html"
    code, _, _ = scan(str(export), "--format", "html", "-o", str(page), "--examiner", "DC Ash", capsys=capsys)
    assert code == 1
    rules = [f["rule"] for f in findings_of(export, capsys)]
    assert rules == ["OPS-VRM", "OPS-PHONE", "OPS-PHONE", "OPS-CUSTODY-REF", "OPS-VRM"]

    browser.open(page.as_uri())
    assert browser.evaluate("document.documentElement.dataset.reviewReady") == "yes"  # ran under the page's CSP
    assert text(browser, "review-counts") == ("Reviewed 0 of 5 findings: confirmed 0, not a concern 0, unsure 0; "
                                              "not reviewed 5.")
    for key in "jcjjne":  # #1 confirmed, #3 not a concern, and a note on it
        browser.press(key)
    browser.type(HOSTILE_NOTE)
    browser.press("Escape")
    for key in "ju":  # #4 unsure
        browser.press(key)
    assert states(browser) == ["confirmed (DC Ash)", "not reviewed", "not a concern (DC Ash)", "unsure (DC Ash)",
                               "not reviewed"]
    assert text(browser, "review-counts") == ("Reviewed 3 of 5 findings: confirmed 1, not a concern 1, unsure 1; "
                                              "not reviewed 2. Changes not saved yet.")
    # The note stayed text: no element was made from it, nothing ran.
    assert browser.evaluate("document.querySelectorAll('img').length") == 0
    assert browser.evaluate("document.title").startswith("whatsapp-audit report")

    # Filter to what is left; a verdict takes a finding out of that view and j goes on to the next.
    verdict_filter(browser, "unreviewed")
    assert text(browser, "filter-state") == "Showing 2 of 5 findings. Filter: Verdict not reviewed."
    for key in "jc":  # #5, the next not reviewed after #4
        browser.press(key)
    assert text(browser, "filter-state") == "Showing 1 of 5 findings. Filter: Verdict not reviewed."
    for key in "jc":  # none further down: back to #2
        browser.press(key)
    assert text(browser, "filter-state") == "Showing 0 of 5 findings. Filter: Verdict not reviewed."
    verdict_filter(browser, "")
    browser.press("x")  # changed my mind on #2
    assert states(browser) == ["confirmed (DC Ash)", "not reviewed", "not a concern (DC Ash)", "unsure (DC Ash)",
                               "confirmed (DC Ash)"]

    saved = save(browser, tmp_path / "downloads")
    assert "Saved 4 verdicts as review.json" in text(browser, "review-saved")
    schema = json.loads((Path(__file__).parent.parent / "docs/schemas/review-file.schema.json").read_text("utf-8"))
    assert list(Draft202012Validator(schema).iter_errors(saved)) == []
    entries = saved["reviews"]
    assert [e["verdict"] for e in entries] == ["confirmed", "not_a_concern", "unsure", "confirmed"]
    assert {e["reviewer"] for e in entries} == {"DC Ash"} and all(e["at"].endswith("Z") for e in entries)
    assert entries[1]["note"] == HOSTILE_NOTE and entries[1]["rule"] == "OPS-PHONE"

    # The CLI reads the downloaded file as it is: every verdict on its finding.
    review = tmp_path / "downloads" / "review.json"
    reviewed = findings_of(export, capsys, "--review", str(review))
    assert [(f["review"] or {}).get("verdict") for f in reviewed] == [
        "confirmed", None, "not_a_concern", "unsure", "confirmed"]
    assert reviewed[2]["review"]["note"] == HOSTILE_NOTE and reviewed[0]["review"]["reviewer"] == "DC Ash"

    # Round two: the report made with that file shows the verdicts (one hidden on request); a change
    # in the page keeps the other entries, the hidden one included, as they were.
    again = tmp_path / "again.html"
    scan(str(export), "--review", str(review), "--hide-reviewed", "not_a_concern", "--format", "html", "-o", str(again),
         capsys=capsys)
    browser.open(again.as_uri())
    assert text(browser, "review-counts") == ("Reviewed 3 of 4 findings: confirmed 2, not a concern 0, unsure 1; "
                                              "not reviewed 1.")
    assert "left out of the reports: 1 finding marked not a concern" in text(browser, "search")
    for key in "jjjce":  # #4 (unsure) is confirmed after all, with a note
        browser.press(key)
    browser.type("same ref as the custody record")
    browser.press("Escape")
    second = save(browser, tmp_path / "downloads2")["reviews"]
    assert [(e["id"], e["verdict"]) for e in second] == [
        (entries[0]["id"], "confirmed"), (entries[2]["id"], "confirmed"), (entries[3]["id"], "confirmed"),
        (entries[1]["id"], "not_a_concern")]
    assert second[0] == entries[0] and second[2] == entries[3] and second[3] == entries[1]  # untouched: as they were
    assert second[1]["note"] == "same ref as the custody record" and second[1]["at"] >= entries[2]["at"]


def test_verdicts_and_notes_in_the_page_stay_text_and_a_redacted_copy_offers_no_review(export, tmp_path, capsys) -> None:
    """Without a browser: what Python writes into the page for a review file with hostile notes."""
    first = findings_of(export, capsys)
    review = tmp_path / "review.json"
    review.write_text(json.dumps({"reviews": [
        {"id": first[0]["id"], "verdict": "confirmed", "note": "</script><script>alert(1)</script>", "reviewer": "DC Ash"},
        {"id": "f" * 32, "verdict": "unsure", "note": "another export's </script>", "team": "PSD 2"},
    ]}), encoding="utf-8")
    page = tmp_path / "report.html"
    scan(str(export), "--review", str(review), "--format", "html", "-o", str(page), capsys=capsys)
    html = page.read_text(encoding="utf-8")
    assert html.count("<script") == 2  # the report's own script, and the data block
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the note, shown as text
    assert "<script>alert(1)" not in html
    carried = re.search(r'<script type="application/json" id="review-carried">([^<]*)</script>', html)
    assert carried and json.loads(carried.group(1))["reviews"][1]["team"] == "PSD 2"  # kept for the next save
    assert '<span class="review-state">confirmed (DC Ash)</span>' in html
    assert "1 review entry matched no finding of this run" in html  # said in the page's "Search and review"

    redacted = tmp_path / "redacted.html"
    scan(str(export), "--review", str(review), "--redact", "--format", "html", "-o", str(redacted), capsys=capsys)
    html = redacted.read_text(encoding="utf-8")
    assert 'id="review-bar"' not in html and "data-set=" not in html and "<textarea" not in html
    assert "<script>alert(1)" not in html
    assert "cannot be used to review" in html and '<span class="review-state">confirmed' in html


def open_file(browser: Browser, path: Path) -> str:
    """Choose a file in the page's "Open a review file" field, as a user does, and read what the page says."""
    root = browser.send("DOM.getDocument", session=True)["root"]["nodeId"]
    node = browser.send("DOM.querySelector", session=True, nodeId=root, selector="#review-open")["nodeId"]
    browser.send("DOM.setFileInputFiles", session=True, nodeId=node, files=[str(path)])
    for _ in range(100):  # the page reads the file asynchronously
        said = text(browser, "review-saved")
        if said:
            return said
        browser.send("Runtime.evaluate", session=True, expression="new Promise(r => setTimeout(r, 20))",
                     awaitPromise=True)
    return ""


def test_a_review_file_opened_in_the_page_goes_on_where_it_left_off(export, browser, tmp_path, capsys) -> None:
    first = findings_of(export, capsys)
    page = tmp_path / "report.html"
    scan(str(export), "--format", "html", "-o", str(page), capsys=capsys)
    broken = tmp_path / "broken.json"
    broken.write_text('{"reviews": [{"id": "%s", "verdict": "maybe"}]}' % first[0]["id"], encoding="utf-8")
    earlier = tmp_path / "earlier.json"
    elsewhere = {"id": "e" * 32, "verdict": "confirmed", "note": "from the other phone", "reviewer": "PS Birch"}
    earlier.write_text(json.dumps({"reviews": [
        {"id": first[1]["id"], "verdict": "not_a_concern", "note": "<marquee>appeal line</marquee>", "reviewer": "PS Birch",
         "at": "2024-06-01T09:00:00Z"},
        elsewhere,
    ]}), encoding="utf-8")

    browser.open(page.as_uri())
    said = open_file(browser, broken)
    assert said == "broken.json: reviews[0]: verdict must be confirmed, not_a_concern or unsure"
    assert states(browser) == ["not reviewed"] * 5

    browser.evaluate("document.getElementById('review-saved').textContent = ''")
    said = open_file(browser, earlier)
    assert said == ("Opened earlier.json: 1 verdict on findings of this page; 1 entry for findings not on it, "
                    "kept when you save.")
    assert states(browser)[1] == "not a concern (PS Birch)"
    assert browser.evaluate("document.querySelectorAll('textarea')[1].value") == "<marquee>appeal line</marquee>"
    assert browser.evaluate("document.querySelectorAll('marquee').length") == 0
    for key in "jc":
        browser.press(key)
    saved = save(browser, tmp_path / "downloads")["reviews"]
    assert [(e["id"], e["verdict"]) for e in saved] == [
        (first[0]["id"], "confirmed"), (first[1]["id"], "not_a_concern"), (elsewhere["id"], "confirmed")]
    assert saved[2] == elsewhere
