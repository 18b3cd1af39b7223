"""The HTML report printed to PDF, as an investigator puts it in a case file: headless Chromium prints it
(`--print-to-pdf`), poppler's pdftotext reads the pages back, and each page is checked as a reader would.

Needs Chromium and poppler-utils (pdftotext, pdfimages), both installed by .ci/run; the tests skip,
saying why, on a machine without them. One case (a zip export with photos, and a long Android
export that runs over several pages) is printed twice: whole, and filtered through the address.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from whatsapp_audit.cli.app import main

ROOT = Path(__file__).resolve().parent.parent
BROWSER = next((shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome") if shutil.which(name)), None)
PDFTOTEXT, PDFIMAGES = shutil.which("pdftotext"), shutil.which("pdfimages")
pytestmark = pytest.mark.skipif(
    BROWSER is None or PDFTOTEXT is None or PDFIMAGES is None,
    reason="printing the HTML report needs Chromium and poppler-utils (apt-get install chromium poppler-utils; .ci/run does)",
)

CASE = ("--case-ref", "PSD-0042/24", "--exhibit-ref", "RQ/7", "--examiner", "DC Ash <ash@example.police.uk>",
        "--purpose", "Referral 17: review of the night turn's groups")
HEADINGS = {"Exhibits", "Limitations", "Summary", "Participants", "Timeline", "Findings", "Matched", "Reason",
            "Why it matters", "Guidance", "How it was found"}


def long_chat() -> str:
    """An Android group over several days with a finding in most messages, so the report runs over pages."""
    plates = ["AB12 CDE", "CD15 XYZ", "EF16 GHJ", "GH17 KLM", "KL18 MNP", "MN19 PRS", "PR20 STU", "ST21 UVW"]
    lines = []
    for day in range(1, 9):
        for hour, plate in enumerate(plates[:5], 8):
            lines.append(f"{day:02d}/06/2024, {hour:02d}:15 - Kay Lund: Stopped {plate} again on the ring road, "
                         "driver says he lives on Larch Avenue, ring 07700 900{:03d} if he shows".format(day * 10 + hour))
            lines.append(f"{day:02d}/06/2024, {hour:02d}:20 - Jo Fenn: noted, thanks")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """The case report printed whole and filtered to one rule: the text of each page, in order."""
    root = tmp_path_factory.mktemp("print")
    exhibits = root / "exhibits"
    exhibits.mkdir()
    shutil.copy(ROOT / "examples" / "ios-night-turn-with-media.zip", exhibits / "night-turn.zip")
    (exhibits / "relief.txt").write_text(long_chat(), encoding="utf-8")
    page = root / "out" / "case.html"
    page.parent.mkdir()
    assert main(["scan", str(exhibits), "--format", "html", "-o", str(page), "--no-progress", *CASE]) == 1
    pages: dict[str, list[str]] = {}
    for name, fragment in (("whole", ""), ("filtered", "#category=crime_scene_image")):
        pdf = root / f"{name}.pdf"
        command = [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                   "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={root / 'profile'}",
                   "--no-pdf-header-footer", "--virtual-time-budget=3000", f"--print-to-pdf={pdf}", page.as_uri() + fragment]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0 and pdf.is_file(), done.stderr[-2000:]
        text = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True, text=True, timeout=60).stdout
        pages[name] = [p for p in text.split("\f") if p.strip()]
        images = subprocess.run([PDFIMAGES, "-list", str(pdf)], capture_output=True, text=True, timeout=60).stdout
        pages[name + ":images"] = images.splitlines()[2:]
    return pages


def body_lines(page: str) -> list[str]:
    """A page's lines without the running header (first line) and footer (last line)."""
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    return lines[1:-1]


def test_every_page_carries_the_case_and_exhibit_references_and_its_number(printed: dict[str, list[str]]) -> None:
    pages = printed["whole"]
    assert len(pages) >= 4  # the long export runs over several pages
    for number, page in enumerate(pages, 1):
        lines = [line for line in page.splitlines() if line.strip()]
        assert "Case PSD-0042/24 · Exhibit RQ/7" in lines[0] and "WhatsApp audit report" in lines[0], number
        assert lines[-1].rstrip().endswith(f"Page {number} of {len(pages)}"), number
        assert "2 exports" in lines[-1]


def test_the_first_page_names_the_case_the_examiner_and_the_purpose(printed: dict[str, list[str]]) -> None:
    first = " ".join(printed["whole"][0].split())
    for text in ("Case reference PSD-0042/24", "Exhibit reference RQ/7", "Examiner DC Ash <ash@example.police.uk>",
                 "Purpose Referral 17: review of the night turn's groups"):
        assert text in first


def test_every_finding_is_printed_with_how_it_was_found_opened(printed: dict[str, list[str]]) -> None:
    text = "\n".join(printed["whole"])
    total = int(re.search(r"Showing all (\d+) findings \(no filter\)\.", text).group(1))
    numbers = [int(n) for n in re.findall(r"^\s*#(\d+) [A-Z]{3}-", text, flags=re.M)]
    assert numbers == list(range(1, total + 1))
    assert text.count("How it was found") == total
    assert len(re.findall(r"fingerprint\s+[0-9a-f]{32}", text)) == total  # the collapsed section is open on paper
    assert "Clear filters" not in text  # the filter form is not printed; the line saying what it shows is


def test_the_photo_and_its_exif_are_on_paper(printed: dict[str, list[str]]) -> None:
    text = " ".join("\n".join(printed["whole"]).split())
    assert "EXIF: taken 2024-05-02 01:11:58 +01:00, 1 min before it was posted; GPS 53.79618, -1.75871, 11 m from the location shared on line 5" in text
    assert "00000014-PHOTO-2024-05-02-01-12-40.jpg · 642 bytes · SHA-256" in text
    # The browser decoded and printed the embedded JPEGs (96x64 pixels, as in the zip)
    sizes = {tuple(row.split()[3:5]) for row in printed["whole:images"]}
    assert ("96", "64") in sizes


def test_no_heading_is_left_alone_at_the_foot_of_a_page(printed: dict[str, list[str]]) -> None:
    for number, page in enumerate(printed["whole"], 1):
        last = body_lines(page)[-1]
        assert last not in HEADINGS and not re.match(r"#\d+ [A-Z]{3}-", last), f"page {number} ends with {last!r}"


def test_a_filtered_print_says_what_it_shows_and_of_how_many(printed: dict[str, list[str]]) -> None:
    text = " ".join("\n".join(printed["filtered"]).split())
    whole = " ".join("\n".join(printed["whole"]).split())
    total = int(re.search(r"Showing all (\d+) findings", whole).group(1))
    assert f"Showing 1 of {total} findings. Filter: Category Crime-scene image." in text
    assert len(re.findall(r"#\d+ [A-Z]{3}-", text)) == 1 and re.search(r"#1 IMG-[A-Z]+ Media shared beside talk", text)
    assert "Findings (" not in text  # no heading that counts what the filter hides
