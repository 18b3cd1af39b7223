"""The HTML report in a real headless browser: it renders offline under its own CSP, and its filters work.

Uses Chromium from the Debian packages (installed by .ci/run). Filters are driven through the URL
fragment (`report.html#rule=OPS-VRM`), which the page applies on load, so no browser-automation
library is needed: the test reads the DOM Chromium dumps after the page's script has run.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from whatsapp_audit.cli.app import main

BROWSER = next((shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome") if shutil.which(name)), None)
pytestmark = pytest.mark.skipif(
    BROWSER is None, reason="no Chromium on this machine: install it (apt-get install chromium; .ci/run does) to test the HTML report in a browser"
)

CHAT = """\
02/05/2024, 22:05 - Kay Lund: Stop check on AB12 CDE by the Co-op, driver's mob is 07911 234567
03/05/2024, 01:10 - Kay Lund: Sudden death on Wren Close, scene guard till CID arrive
03/05/2024, 01:11 - Kay Lund: IMG-20240503-WA0004.jpg (file attached)
body in the hallway
03/05/2024, 02:30 - Ned Rowe: stop being a spaz and bring the kit bag <img src=x onerror=document.title='pwned'>
04/05/2024, 09:00 - Ned Rowe: new plate is CD15 XYZ
"""


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("browser")
    (root / "exhibit").mkdir()
    export = root / "exhibit" / "chat.txt"
    export.write_text(CHAT, encoding="utf-8")
    target = root / "out" / "report.html"
    target.parent.mkdir()
    assert main(["scan", str(export), "--format", "html", "-o", str(target), "--no-progress"]) == 1
    return target


def dump(page: Path, fragment: str = "") -> str:
    profile = page.parent / "profile"
    command = [
        BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
        "--virtual-time-budget=3000", "--dump-dom", page.as_uri() + fragment,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0 and "<html" in done.stdout, done.stderr[-2000:]
    return done.stdout


def visible_rules(dom: str) -> list[str]:
    return [m.group(2) for m in re.finditer(r'<article class="finding[^"]*"([^>]*?)data-rule="([^"]+)"([^>]*)>', dom)
            if "hidden" not in m.group(1) + m.group(3)]


def shown(dom: str) -> str:
    """The line that says how many findings are shown and by which filter (what a printed page says)."""
    match = re.search(r'<p class="filter-state" id="filter-state" role="status">([^<]*)</p>', dom)
    assert match, "no filter-state line"
    return html.unescape(match.group(1))


def test_page_renders_and_its_script_runs_under_the_csp(report: Path) -> None:
    dom = dump(report)
    assert 'data-filters-ready="yes"' in dom  # the inline script ran: its CSP hash is right
    assert visible_rules(dom) == ["OPS-VRM", "OPS-PHONE", "IMG-BODY", "DIS-DIS-SPASTIC", "OPS-VRM"]
    assert shown(dom) == "Showing all 5 findings (no filter)."
    assert "pwned" not in dom.split("<body")[0] and "&lt;img src=x onerror=" in dom  # chat HTML stayed text


@pytest.mark.parametrize(("fragment", "expected", "said"), [
    ("#rule=OPS-VRM", ["OPS-VRM", "OPS-VRM"], "Rule OPS-VRM Vehicle registration mark"),
    ("#author=Ned%20Rowe", ["DIS-DIS-SPASTIC", "OPS-VRM"], "Participant Ned Rowe"),
    ("#from=2024-05-03&to=2024-05-03", ["IMG-BODY", "DIS-DIS-SPASTIC"], "From 2024-05-03; To 2024-05-03"),
    ("#rule=OPS-VRM&author=Kay%20Lund", ["OPS-VRM"], "Rule OPS-VRM Vehicle registration mark; Participant Kay Lund"),
    ("#severity=high", ["IMG-BODY", "DIS-DIS-SPASTIC"], "Severity high (2)"),
    ("#severity=medium%2B", ["OPS-VRM", "OPS-PHONE", "IMG-BODY", "DIS-DIS-SPASTIC", "OPS-VRM"], "Severity medium or higher (5)"),
    ("#confidence=medium", ["IMG-BODY", "DIS-DIS-SPASTIC"], "Confidence medium (2)"),
    ("#q=KIT%20bag", ["DIS-DIS-SPASTIC"], "Text KIT bag"),  # free text, any case, in the flagged message ...
    ("#q=07911", ["OPS-VRM", "OPS-PHONE"], "Text 07911"),  # ... not in its neighbours (every finding has them)
    ("#q=ned%20rowe", ["DIS-DIS-SPASTIC", "OPS-VRM"], "Text ned rowe"),  # or who, and the rule's words
])
def test_filters_show_only_matching_findings_and_say_so(report: Path, fragment: str, expected: list[str], said: str) -> None:
    dom = dump(report, fragment)
    assert visible_rules(dom) == expected
    assert shown(dom) == f"Showing {len(expected)} of 5 findings. Filter: {said}."


def test_the_summary_links_to_its_filters(report: Path) -> None:
    """Every count in the summary links to the filter that shows those findings, and the link works."""
    page = report.read_text(encoding="utf-8")
    links = set(re.findall(r'href="(#[a-z]+=[^"&]+(?:&amp;[a-z]+=[^"&]+)*)"', page))
    assert {"#rule=OPS-VRM", "#category=crime_scene_image", "#severity=high", "#confidence=medium",
            "#author=Ned%20Rowe", "#from=2024-05-03&amp;to=2024-05-03"} <= links
    rows = re.findall(r'<td><code>OPS-VRM</code></td><td>[^<]*</td><td class="n"><a href="([^"]+)">(\d+)</a>', page)
    assert rows == [("#rule=OPS-VRM", "2")]
    assert len(visible_rules(dump(report, rows[0][0]))) == 2


def test_a_case_report_filters_by_exhibit(tmp_path: Path) -> None:
    """Two exports in one report: the exhibit filter shows one exhibit's findings, and combines with the others."""
    (tmp_path / "exhibits").mkdir()
    (tmp_path / "exhibits" / "a.txt").write_text(CHAT, encoding="utf-8")
    (tmp_path / "exhibits" / "b.txt").write_text("05/05/2024, 10:00 - Jo Fenn: plate EF16 GHJ at the garage\n",
                                                 encoding="utf-8")
    target = tmp_path / "out" / "case.html"
    target.parent.mkdir()
    assert main(["scan", str(tmp_path / "exhibits"), "--format", "html", "-o", str(target), "--no-progress"]) == 1
    dom = dump(target, "#source=1")
    assert 'data-filters-ready="yes"' in dom and visible_rules(dom) == ["OPS-VRM"]
    assert '<option value="1">2. b.txt</option>' in dom
    dom = dump(target, "#source=0&rule=OPS-VRM")
    assert visible_rules(dom) == ["OPS-VRM", "OPS-VRM"]
