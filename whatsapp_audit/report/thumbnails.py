"""The images an HTML report shows: the original bytes of zip members, embedded as `data:` URIs.

A reviewer has to see the picture a finding is about, and the ones posted around it. The bytes are
embedded exactly as they are in the exhibit: Python never decodes or re-encodes pixels (a decoder
is attack surface, and a re-encoded image is no longer the exhibit's). The type comes from the
file's first bytes, never its name; only JPEG, PNG, GIF and WebP are embedded (what every browser
shows). Each member is read from the zip in place, read-only, and only when the scan listed and
hashed it; its SHA-256 must still match the scan's, so the page shows the bytes that were scanned.
One image may be at most `MAX_IMAGE_BYTES`, a report at most `MAX_REPORT_BYTES` of images; past
either, the page says why the picture is not shown and names the member and its hash instead.
A redacted report (`scan --redact`) shows no pictures at all.
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from types import TracebackType

from whatsapp_audit.case import CaseResult
from whatsapp_audit.ingest.source import MediaMember
from whatsapp_audit.scan import ExportScan

MAX_IMAGE_BYTES = 1 << 20  # 1 MiB: a WhatsApp-sent photo is usually 100-400 KB
MAX_REPORT_BYTES = 32 << 20  # all images of one report together
_KINDS = (
    (b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"), (b"GIF89a", "image/gif"),
)


@dataclass(frozen=True)
class Thumbnail:
    """One media member of a zip exhibit as the page shows it: the picture, or why not."""

    name: str  # the zip member
    size: int
    sha256: str | None
    data_uri: str | None = None  # None: not embedded, see `note`
    note: str | None = None

    @property
    def mime(self) -> str | None:
        return self.data_uri[5:self.data_uri.index(";")] if self.data_uri else None


def image_type(head: bytes) -> str | None:
    """The MIME type from a file's first bytes (JPEG, PNG, GIF, WebP), or None."""
    for signature, mime in _KINDS:
        if head.startswith(signature):
            return mime
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


class ImageStore:
    """Finds and reads the media members a report shows, within the per-image and per-report caps.

    Use as a context manager: zip exhibits opened for reading are closed at the end."""

    def __init__(self, case: CaseResult, max_image: int = MAX_IMAGE_BYTES, max_report: int = MAX_REPORT_BYTES,
                 paths: Sequence[str] | None = None) -> None:
        self.case = case
        self.paths = paths  # where each exhibit is now, when not at the path the report names (verify --rescan)
        self.max_image = max_image
        self.max_report = max_report
        self.budget = max_report  # what is left
        self._zips: dict[int, zipfile.ZipFile | str] = {}  # an open zip, or why it could not be opened
        self._bytes: dict[tuple[int, str], bytes | str] = {}  # member bytes, or why they cannot be shown

    def __enter__(self) -> ImageStore:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        for archive in self._zips.values():
            if isinstance(archive, zipfile.ZipFile):
                archive.close()
        self._zips.clear()

    def thumbnail(self, source: int, attachment: str | None) -> Thumbnail | None:
        """The picture for an attachment of export `source`, or None when the export holds no such file
        (a `.txt` export, a placeholder such as `<Media omitted>`, a name not in the zip)."""
        export = self.case.exports[source] if 0 <= source < len(self.case.exports) else None
        if not attachment or not isinstance(export, ExportScan) or export.source.container != "zip":
            return None
        if self.case.redaction is not None:  # a disclosure copy (scan --redact) never carries the pictures
            return None
        member = _member(export, attachment)
        if member is None:
            return None
        shown = Thumbnail(member.name, member.size, member.sha256)
        if member.note or member.sha256 is None:
            return _note(shown, member.note or "the file was not hashed when the export was scanned")
        if member.size > self.max_image:
            return _note(shown, f"{member.size:,} bytes, more than the report's limit of {self.max_image:,} bytes per image")
        data = self._read(source, export, member)
        if isinstance(data, str):
            return _note(shown, data)
        mime = image_type(data[:16])
        if mime is None:
            return _note(shown, "not a JPEG, PNG, GIF or WebP picture (videos, HEIC and other files are not shown)")
        if len(data) > self.budget:
            return _note(shown, f"the report already holds its limit of {self.max_report:,} bytes of pictures; "
                                "open the zip member instead")
        self.budget -= len(data)
        return Thumbnail(member.name, member.size, member.sha256,
                         data_uri=f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}")

    def _read(self, source: int, export: ExportScan, member: MediaMember) -> bytes | str:
        key = (source, member.name)
        if key not in self._bytes:
            self._bytes[key] = self._read_member(source, export, member)
        return self._bytes[key]

    def _read_member(self, source: int, export: ExportScan, member: MediaMember) -> bytes | str:
        archive = self._zips.get(source)
        if archive is None:
            try:
                where = self.paths[source] if self.paths is not None else export.source.path
                archive = zipfile.ZipFile(where, "r")  # read-only, in place: nothing is extracted
            except (OSError, zipfile.BadZipFile, ValueError) as error:
                archive = f"the exhibit could not be opened again to show it ({type(error).__name__})"
            self._zips[source] = archive
        if isinstance(archive, str):
            return archive
        try:
            with archive.open(member.name, "r") as handle:
                data = handle.read(self.max_image + 1)
        except (KeyError, OSError, zipfile.BadZipFile, EOFError, RuntimeError, NotImplementedError):
            return "the file could not be read from the exhibit again"
        if len(data) > self.max_image or hashlib.sha256(data).hexdigest() != member.sha256:
            return "its SHA-256 no longer matches the one taken when the export was scanned; not shown"
        return data


def _member(export: ExportScan, attachment: str) -> MediaMember | None:
    """The zip member an attachment names: the same path, else the same file name."""
    base = PurePosixPath(attachment.replace("\\", "/")).name
    fallback = None
    for member in export.media:
        if member.name == attachment:
            return member
        if fallback is None and PurePosixPath(member.name).name == base:
            fallback = member
    return fallback


def _note(shown: Thumbnail, why: str) -> Thumbnail:
    return Thumbnail(shown.name, shown.size, shown.sha256, None, why)
