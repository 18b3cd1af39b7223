"""Every attachment and placeholder form of the export guide, parsed end to end and judged.

Each line is written with the invisible marks real exports carry (U+200E as an escape), so the test
proves the parser and the imagery detector agree on what is a photo, a video, a placeholder of
unknown type, or something the detector leaves alone (voice notes, stickers, PDFs, screenshots).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from whatsapp_audit import parse
from whatsapp_audit.detect.base import Window
from whatsapp_audit.detect.imagery.detector import ImageryDetector
from whatsapp_audit.model import MediaType, MessageKind
from whatsapp_audit.rules.loader import load_patterns

LRM = "\u200e"
ANDROID = "14/03/2024, 02:41 - Sam Hollis: "
IOS = f"{LRM}[14/03/2024, 02:41:07] Sam Hollis: "

# (body after the header, expected attachment name, media type, omitted, judged by the imagery detector)
ANDROID_FORMS = [
    ("IMG-20240314-WA0012.jpg (file attached)", "IMG-20240314-WA0012.jpg", MediaType.IMAGE, False, True),
    ("VID-20240314-WA0003.mp4 (file attached)", "VID-20240314-WA0003.mp4", MediaType.VIDEO, False, True),
    ("IMG-20240314-WA0013.jpg (Datei angehängt)", "IMG-20240314-WA0013.jpg", MediaType.IMAGE, False, True),
    ("PTT-20240314-WA0001.opus (file attached)", "PTT-20240314-WA0001.opus", MediaType.AUDIO, False, False),
    ("STK-20240314-WA0001.webp (file attached)", "STK-20240314-WA0001.webp", MediaType.STICKER, False, False),
    ("IMG_20240314_023512.jpg (file attached)", "IMG_20240314_023512.jpg", MediaType.IMAGE, False, True),
    ("PXL_20240314_023512345.jpg (file attached)", "PXL_20240314_023512345.jpg", MediaType.IMAGE, False, True),
    ("DSC01234.JPG (file attached)", "DSC01234.JPG", MediaType.IMAGE, False, True),
    ("IMG_1234.HEIC (file attached)", "IMG_1234.HEIC", MediaType.IMAGE, False, True),
    ("Screenshot_20240314-024400.png (file attached)", "Screenshot_20240314-024400.png", MediaType.IMAGE, False, False),
    ("statement.pdf (file attached)", "statement.pdf", MediaType.DOCUMENT, False, False),
    ("<Media omitted>", "<Media omitted>", MediaType.UNKNOWN, True, True),
    ("<Medien ausgeschlossen>", "<Medien ausgeschlossen>", MediaType.UNKNOWN, True, True),
    ("<Mídia omitida>", "<Mídia omitida>", MediaType.UNKNOWN, True, True),
    ("<multimedia omitido>", "<multimedia omitido>", MediaType.UNKNOWN, True, True),
    ("<médias omis>", "<médias omis>", MediaType.UNKNOWN, True, True),
    ("<media weggelaten>", "<media weggelaten>", MediaType.UNKNOWN, True, True),
]
IOS_FORMS = [
    (f"{LRM}<attached: 00000012-PHOTO-2024-03-14-02-40-51.jpg>", "00000012-PHOTO-2024-03-14-02-40-51.jpg",
     MediaType.IMAGE, False, True),
    (f"look at this {LRM}<attached: 00000013-PHOTO-2024-03-14-02-40-52.jpg>", "00000013-PHOTO-2024-03-14-02-40-52.jpg",
     MediaType.IMAGE, False, True),
    (f"{LRM}<attached: 00000014-VIDEO-2024-03-14-02-40-53.mp4>", "00000014-VIDEO-2024-03-14-02-40-53.mp4",
     MediaType.VIDEO, False, True),
    (f"{LRM}<anexado: 00000015-PHOTO-2024-03-14-02-41-02.jpg>", "00000015-PHOTO-2024-03-14-02-41-02.jpg",
     MediaType.IMAGE, False, True),
    (f"{LRM}<adjunto: 00000016-PHOTO-2024-03-14-02-41-03.jpg>", "00000016-PHOTO-2024-03-14-02-41-03.jpg",
     MediaType.IMAGE, False, True),
    (f"{LRM}<Anhang: 00000017-VIDEO-2024-03-14-02-41-04.mp4>", "00000017-VIDEO-2024-03-14-02-41-04.mp4",
     MediaType.VIDEO, False, True),
    (f"{LRM}image omitted", "image omitted", MediaType.IMAGE, True, True),
    (f"{LRM}video omitted", "video omitted", MediaType.VIDEO, True, True),
    (f"{LRM}GIF omitted", "GIF omitted", MediaType.GIF, True, True),
    (f"{LRM}sticker omitted", "sticker omitted", MediaType.STICKER, True, False),
    (f"{LRM}audio omitted", "audio omitted", MediaType.AUDIO, True, False),
    (f"report.pdf • 2 pages {LRM}document omitted", "report.pdf", MediaType.DOCUMENT, True, False),
    (f"{LRM}imagen omitida", "imagen omitida", MediaType.IMAGE, True, True),
    (f"{LRM}imagem ocultada", "imagem ocultada", MediaType.IMAGE, True, True),
    (f"{LRM}Bild weggelassen", "Bild weggelassen", MediaType.IMAGE, True, True),
    (f"look {LRM}Bild weggelassen", "Bild weggelassen", MediaType.IMAGE, True, True),
    (f"{LRM}afbeelding weggelaten", "afbeelding weggelaten", MediaType.IMAGE, True, True),
    (f"{LRM}<image omitted>", "<image omitted>", MediaType.IMAGE, True, True),
    (f"{LRM}<media omitted>", "<media omitted>", MediaType.UNKNOWN, True, True),
    (f"<{LRM}immagine omessa>", f"<{LRM}immagine omessa>", MediaType.IMAGE, True, True),
]


@pytest.fixture(scope="module")
def detector() -> ImageryDetector:
    d = ImageryDetector()
    d.configure(load_patterns().rules_for("imagery"))
    return d


def _parse_one(tmp_path: Path, header: str, body: str, first: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "chat.txt"
    path.write_text(f"{first}\n{header}{body}\n", encoding="utf-8")
    messages = parse(path).messages
    assert len(messages) == 2
    return messages


def _check(detector: ImageryDetector, messages, name, media_type, omitted, judged) -> None:  # type: ignore[no-untyped-def]
    talk, media = messages
    assert media.kind is MessageKind.MEDIA
    att = media.attachment
    assert (att.name, att.media_type, att.omitted) == (name, media_type, omitted)
    assert (detector.judged_attachment(media) is not None) is judged
    found = list(detector.detect(media, Window(before=(talk,))))
    assert bool(found) is judged
    if judged:
        assert found[0].line == 2 and found[0].matched == name


@pytest.mark.parametrize(("body", "name", "media_type", "omitted", "judged"), ANDROID_FORMS)
def test_android_forms(tmp_path: Path, detector: ImageryDetector, body: str, name: str,
                       media_type: MediaType, omitted: bool, judged: bool) -> None:
    messages = _parse_one(tmp_path, ANDROID, body, "14/03/2024, 02:40 - Sam Hollis: sudden death, dead body in the bath")
    _check(detector, messages, name, media_type, omitted, judged)


@pytest.mark.parametrize(("body", "name", "media_type", "omitted", "judged"), IOS_FORMS)
def test_ios_forms(tmp_path: Path, detector: ImageryDetector, body: str, name: str,
                   media_type: MediaType, omitted: bool, judged: bool) -> None:
    messages = _parse_one(tmp_path, IOS, body, "[14/03/2024, 02:40:10] Sam Hollis: sudden death, dead body in the bath")
    _check(detector, messages, name, media_type, omitted, judged)


def test_ios_italian_placeholder_with_mark_before_bracket(tmp_path: Path, detector: ImageryDetector) -> None:
    messages = _parse_one(tmp_path, IOS, f"{LRM}<immagine omessa>",
                          "[14/03/2024, 02:40:10] Sam Hollis: sudden death, dead body in the bath")
    _check(detector, messages, "<immagine omessa>", MediaType.IMAGE, True, True)


def test_android_caption_on_the_next_line_is_the_caption(tmp_path: Path, detector: ImageryDetector) -> None:
    path = tmp_path / "chat.txt"
    path.write_text("14/03/2024, 02:40 - Sam Hollis: IMG-20240314-WA0012.jpg (file attached)\n"
                    "stab wounds to the chest\n", encoding="utf-8")
    (media,) = parse(path).messages
    (finding,) = detector.detect(media, Window())
    assert finding.rule == "IMG-INJURY" and "caption: 'stab wounds'" in finding.explanation.adjustments[0][0]


def test_ios_album_header_then_attachments_share_the_caption(tmp_path: Path, detector: ImageryDetector) -> None:
    path = tmp_path / "chat.txt"
    path.write_text(
        "[17/03/2024, 23:24:41] Ash Rowe: stab wounds to the back\n"
        "[17/03/2024, 23:25:10] Ash Rowe:\n"
        f"{LRM}[17/03/2024, 23:25:10] Ash Rowe: {LRM}<attached: 00000032-PHOTO-2024-03-17-23-25-10.jpg>\n"
        f"{LRM}[17/03/2024, 23:25:11] Ash Rowe: {LRM}<attached: 00000033-PHOTO-2024-03-17-23-25-11.jpg>\n",
        encoding="utf-8")
    messages = parse(path).messages
    lines = []
    for i, m in enumerate(messages):
        lines += [f.line for f in detector.detect(m, Window(tuple(messages[:i]), tuple(messages[i + 1:])))]
    assert lines == [3, 4]


def test_runs_inside_the_engine_on_a_labelled_export(detector: ImageryDetector) -> None:
    """Registered by entry (the lead adds it to the registry): the engine's windows give the same result."""
    from whatsapp_audit.detect.engine import Engine

    engine = Engine.build(load_patterns().rules_for("imagery"), entries=("whatsapp_audit.detect.imagery:ImageryDetector",))
    chat = Path(__file__).parent / "labelled" / "imagery_android_nights.txt"
    findings = list(engine.run(parse(chat).messages))
    assert [(f.line, f.rule) for f in findings] == [(4, "IMG-SCENE"), (11, "IMG-SCENE"), (12, "IMG-SCENE")]
    assert all(f.explanation.reason.startswith("indicator for human review") for f in findings)
