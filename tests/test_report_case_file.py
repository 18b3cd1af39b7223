"""What makes a report fit for a case file, in every format: the case details, one finding number
shared by all formats, a photo's EXIF beside the reason, the photos themselves in the HTML (bytes of
the exhibit, capped, never decoded), a timeline that scales to a year, and `--out` refusing a file name.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import shutil
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest

from whatsapp_audit.case import scan_case
from whatsapp_audit.cli.app import main
from whatsapp_audit.report.html_report import css_string, write_html
from whatsapp_audit.report.thumbnails import ImageStore, image_type

ROOT = Path(__file__).resolve().parent.parent
ZIP = ROOT / "examples" / "ios-night-turn-with-media.zip"
PHOTO = "00000014-PHOTO-2024-05-02-01-12-40.jpg"
CASE = ["--case-ref", "PSD-0042/24", "--exhibit-ref", "RQ/7", "--examiner", "DC Ash", "--purpose", "Referral 17"]
EXIF_LINE = ("EXIF: taken 2024-05-02 01:11:58 +01:00, 1 min before it was posted; GPS 53.79618, -1.75871, "
             "11 m from the location shared on line 5")


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every format of one scan of the zip example with case details, from one run."""
    root = tmp_path_factory.mktemp("formats")
    (root / "exhibit").mkdir()
    export = root / "exhibit" / "night-turn.zip"
    shutil.copy(ZIP, export)
    out = root / "out"
    out.mkdir()
    formats = {"json": "json", "csv": "csv", "html": "html", "sarif": "sarif", "text": "txt", "jsonl": "jsonl"}
    args = ["scan", str(export), "--no-progress", *CASE]
    for fmt, ext in formats.items():
        args += ["--report", f"{fmt}:{out / ('report.' + ext)}"]
    assert main(args) == 1
    texts = {fmt: (out / f"report.{ext}").read_text(encoding="utf-8-sig") for fmt, ext in formats.items()}
    texts["exhibit"] = str(export)
    return texts


def test_case_details_are_in_every_report_format(reports: dict[str, str]) -> None:
    report = json.loads(reports["json"])
    assert report["case"] == {"case_ref": "PSD-0042/24", "exhibit_ref": "RQ/7", "examiner": "DC Ash", "purpose": "Referral 17"}
    assert json.loads(reports["sarif"])["runs"][0]["properties"]["case"] == report["case"]
    rows = list(csv.DictReader(io.StringIO(reports["csv"])))
    assert rows and all((r["case_ref"], r["exhibit_ref"], r["examiner"], r["purpose"]) ==
                        ("PSD-0042/24", "RQ/7", "DC Ash", "Referral 17") for r in rows)
    for heading in ("Case ref      PSD-0042/24", "Exhibit ref   RQ/7", "Examiner      DC Ash", "Purpose       Referral 17"):
        assert heading in reports["text"]
    page = reports["html"]
    assert "<dt>Case reference</dt><dd>PSD-0042/24</dd>" in page and "<dt>Purpose</dt><dd>Referral 17</dd>" in page
    assert f"@top-left {{ content: {css_string('Case PSD-0042/24 · Exhibit RQ/7')};" in page  # on every printed page


def test_case_details_cannot_break_out_of_the_page_or_its_style_sheet(tmp_path: Path, write_export) -> None:
    export = write_export("02/05/2024, 22:05 - Kay Lund: plate AB12 CDE\n")
    hostile = '"; } </style><script>alert(1)</script> \u202e'
    target = tmp_path / "out.html"
    assert main(["scan", str(export), "--format", "html", "-o", str(target), "--no-progress", "--case-ref", hostile]) == 1
    page = target.read_text(encoding="utf-8")
    style = page.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "<script>alert(1)" not in page and '"; }' not in style and "\u202e" not in page
    assert "&lt;/style&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page and "⟨U+202E⟩" in page
    assert css_string('a"b</style>\n') == '"a\\000022b\\00003c/style\\00003e\\00000a"'


def test_one_finding_number_in_json_csv_html_text_and_sarif(reports: dict[str, str]) -> None:
    findings = json.loads(reports["json"])["findings"]
    by_number = {f["number"]: f["id"] for f in findings}
    assert sorted(by_number) == list(range(1, len(findings) + 1))
    assert {int(r["number"]): r["id"] for r in csv.DictReader(io.StringIO(reports["csv"]))} == by_number
    html_numbers = re.findall(r'<article class="finding[^"]*" id="f(\d+)"[^>]*data-id="([0-9a-f]{32})"', reports["html"])
    assert {int(n): i for n, i in html_numbers} == by_number
    assert {json.loads(line)["number"]: json.loads(line)["id"] for line in reports["jsonl"].splitlines()} == by_number
    results = json.loads(reports["sarif"])["runs"][0]["results"]
    assert {r["properties"]["number"]: r["partialFingerprints"]["whatsappAuditFingerprint/v1"] for r in results} == by_number
    text_order = re.findall(r"^#(\d+) (\S+)", reports["text"], flags=re.M)
    assert [(int(n), rule) for n, rule in text_order] == [(f["number"], f["rule"]) for f in findings]


def test_exif_is_beside_the_reason_in_every_format(reports: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert EXIF_LINE in " ".join(reports["text"].split())
    assert f'<span class="exif">{EXIF_LINE}</span>' in reports["html"]
    scene = next(r for r in csv.DictReader(io.StringIO(reports["csv"])) if r["category"] == "Crime-scene image")
    assert scene["exif_taken"] == "2024-05-02 01:11:58 +01:00, 1 min before it was posted"
    assert scene["exif_gps"] == "53.79618, -1.75871, 11 m from the location shared on line 5"
    others = [r for r in csv.DictReader(io.StringIO(reports["csv"])) if r["category"] != "Crime-scene image"]
    assert others and all(r["exif_taken"] == r["exif_gps"] == "" for r in others)
    assert main(["check", reports["exhibit"], "--no-progress"]) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert ("The photo's own data (EXIF) says it was taken 1 min before it was posted, "
            "11 m from the location shared on line 5.") in said
    assert "53.79618" not in said  # no coordinates in the officer's private answer


def test_the_html_shows_the_photo_as_the_bytes_in_the_zip(reports: dict[str, str], tmp_path: Path) -> None:
    page = reports["html"]
    assert "img-src data:;" in page  # pictures only as data: URIs; nothing else may load
    sources = re.findall(r'<img src="([^"]+)"', page)
    assert sources and all(s.startswith("data:image/jpeg;base64,") for s in sources)
    with zipfile.ZipFile(ZIP) as archive:
        original = archive.read(PHOTO)
    assert base64.b64decode(sources[0].split(",", 1)[1]) == original
    assert f"{PHOTO} · 642 bytes · SHA-256" in page


def test_a_redacted_report_shows_no_picture_and_no_coordinates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "ex").mkdir()
    export = tmp_path / "ex" / "night.zip"
    shutil.copy(ZIP, export)
    assert main(["scan", str(export), "--redact", "--format", "html", "--no-progress"]) == 1
    page = capsys.readouterr().out
    assert "<img" not in page and "img-src 'none'" in page and "53.79618" not in page.split("How it was found")[0]
    assert "EXIF: taken 2024-05-02 01:11:58 +01:00, 1 min before it was posted; GPS (coordinates redacted), 11 m" in page


def test_a_text_export_has_no_pictures_and_forbids_images(write_export, capsys: pytest.CaptureFixture[str]) -> None:
    export = write_export("03/05/2024, 01:10 - Kay Lund: Sudden death, scene guard on\n"
                          "03/05/2024, 01:11 - Kay Lund: IMG-20240503-WA0004.jpg (file attached)\n")
    main(["scan", str(export), "--format", "html", "--no-progress"])
    page = capsys.readouterr().out
    assert "img-src 'none'" in page and "<img" not in page


def zip_with(tmp_path: Path, name: str, replace: dict[str, bytes]) -> Path:
    """A copy of the example zip with some members' bytes replaced."""
    target = tmp_path / name
    with zipfile.ZipFile(ZIP) as source, zipfile.ZipFile(target, "w") as copy:
        for info in source.infolist():
            copy.writestr(info, replace.get(info.filename, source.read(info.filename)))
    return target


def test_pictures_over_the_cap_or_not_pictures_are_named_not_embedded(tmp_path: Path) -> None:
    (tmp_path / "ex").mkdir()
    not_a_picture = zip_with(tmp_path / "ex", "odd.zip", {PHOTO: b"\x00\x00\x00\x18ftypheic" + bytes(200)})
    case = scan_case([ZIP, not_a_picture])
    with ImageStore(case, max_image=600) as small:
        capped = small.thumbnail(0, PHOTO)
        assert capped is not None and capped.data_uri is None and "642 bytes, more than the report's limit of 600" in (capped.note or "")
    with ImageStore(case, max_report=700) as budget:
        first = budget.thumbnail(0, PHOTO)
        assert first is not None and first.mime == "image/jpeg"
        second = budget.thumbnail(0, "00000015-PHOTO-2024-05-02-05-45-00.jpg")
        assert second is not None and second.data_uri is None and "limit of 700 bytes of pictures" in (second.note or "")
    with ImageStore(case) as images:
        odd = images.thumbnail(1, PHOTO)
        assert odd is not None and odd.data_uri is None and "not a JPEG, PNG, GIF or WebP" in (odd.note or "")
        assert images.thumbnail(0, "IMG-not-in-the-zip.jpg") is None and images.thumbnail(0, None) is None
    assert image_type(b"\x89PNG\r\n\x1a\n....") == "image/png" and image_type(b"RIFF\0\0\0\0WEBPVP8 ") == "image/webp"
    assert image_type(b"<svg onload=alert(1)>") is None  # an SVG is a document, not a picture: never embedded


def test_a_photo_changed_after_the_scan_is_not_shown(tmp_path: Path) -> None:
    (tmp_path / "ex").mkdir()
    export = tmp_path / "ex" / "night.zip"
    shutil.copy(ZIP, export)
    case = scan_case([export])
    with zipfile.ZipFile(ZIP) as archive:
        changed = archive.read(PHOTO).replace(b"Examplecam", b"Othercam!!")
    zip_with(tmp_path / "ex", "night.zip.new", {PHOTO: changed}).replace(export)
    out = io.StringIO()
    write_html(case, out)
    page = out.getvalue()
    assert "<img" not in page and "its SHA-256 no longer matches the one taken when the export was scanned" in page


def test_writing_the_html_leaves_the_exhibit_as_it_was(tmp_path: Path) -> None:
    (tmp_path / "ex").mkdir()
    export = tmp_path / "ex" / "night.zip"
    shutil.copy(ZIP, export)
    before = [(p.name, p.stat().st_mtime_ns, p.read_bytes()) for p in sorted((tmp_path / "ex").iterdir())]
    target = tmp_path / "report.html"
    assert main(["scan", str(export), "--format", "html", "-o", str(target), "--no-progress"]) == 1
    assert "<img src=" in target.read_text(encoding="utf-8")
    assert [(p.name, p.stat().st_mtime_ns, p.read_bytes()) for p in sorted((tmp_path / "ex").iterdir())] == before


def test_a_year_of_chat_is_one_chart_of_weeks(tmp_path: Path, write_export, capsys: pytest.CaptureFixture[str]) -> None:
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    lines = []
    for day in range(0, 364, 2):
        plate = f"{letters[day % 23]}{letters[(day // 23) % 23]}12 {letters[(day * 7) % 23]}DE"
        lines.append(f"{date(2023, 1, 2) + timedelta(days=day):%d/%m/%Y}, 09:00 - Kay Lund: stopped {plate} again")
    export = write_export("\n".join(lines) + "\n")
    main(["scan", str(export), "--format", "html", "--no-progress"])
    page = capsys.readouterr().out
    chart = page.split('<figure class="timeline">')[1].split("</svg>")[0]
    bars = re.findall(r'<a href="#from=(\d{4}-\d\d-\d\d)&amp;to=(\d{4}-\d\d-\d\d)">', chart)
    assert "Findings per week" in chart and len(bars) == 52
    assert bars[0] == ("2023-01-02", "2023-01-08")  # weeks from Monday to Sunday
    assert not re.search(r"<td>\d{4}-\d\d-\d\d</td>", page)  # no table row per day


@pytest.mark.parametrize(("name", "says"), [
    ("report.html", "--output report.html --format html"),
    ("findings.json", "--output findings.json --format json"),
    ("case.pdf", "print it from a browser"),
])
def test_out_given_a_report_file_name_is_refused_with_the_option_meant(
        name: str, says: str, write_export, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    export = write_export("02/05/2024, 22:05 - Kay Lund: plate AB12 CDE\n")
    monkeypatch.chdir(tmp_path)
    assert main(["scan", str(export), "--out", name, "--no-progress"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "--out makes an evidence pack folder, not a report file" in err and says in err
    assert not (tmp_path / name).exists()


def test_whatsapps_own_mark_is_not_shown_but_a_persons_is(write_export, tmp_path: Path, capsys) -> None:
    """iOS writes U+200E before every attachment, location and notice; shown as ⟨U+200E⟩ on each such line
    it reads like tampering. The human reports leave that one mark out (the highlight still lands on the
    match); a person's text that opens with it keeps it shown; the JSON keeps the text as written."""
    chat = ("[02/05/2024, 01:05:10] Rae Quill: \u200eLocation: https://maps.google.com/?q=53.79610,-1.75880\n"
            "[02/05/2024, 01:06:00] Tom Vale: \u200e<attached: 00000014-PHOTO-2024-05-02-01-06-00.jpg>\n"
            "[02/05/2024, 01:06:30] Tom Vale: \u200eStop check on AB12 CDE, blood all over the scene\n")
    export = write_export(chat)
    out = tmp_path / "out"
    out.mkdir()
    assert main(["scan", str(export), "--no-progress", "--report", f"text:{out / 'r.txt'}",
                 "--report", f"html:{out / 'r.html'}", "--report", f"json:{out / 'r.json'}"]) == 1
    text, page = (out / "r.txt").read_text(encoding="utf-8"), (out / "r.html").read_text(encoding="utf-8")
    assert "Tom Vale: <attached: 00000014-PHOTO-2024-05-02-01-06-00.jpg>" in text
    assert "Rae Quill: Location: https://maps" in " ".join(text.split())
    assert "⟨U+200E⟩Stop check on" in text  # the sender's own character stays visible
    assert "&lt;attached: 00000014-PHOTO" in page and "⟨U+200E⟩&lt;attached" not in page
    assert "⟨U+200E⟩Location" not in page and "⟨U+200E⟩Stop check on <mark>AB12 CDE</mark>" in page
    main(["check", str(export)])
    checked = " ".join(capsys.readouterr().out.split())
    assert "Rae Quill: Location:" in checked and "⟨U+200E⟩Location" not in checked
    report = json.loads((out / "r.json").read_text(encoding="utf-8"))
    texts = [m["text"] for f in report["findings"] for m in f["context_before"] + f["context_after"]]
    assert "\u200e<attached: 00000014-PHOTO-2024-05-02-01-06-00.jpg>" in texts  # as written
