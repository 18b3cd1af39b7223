"""Open an export (the `.txt`, or the `.zip` with media) read-only, hash it, and find the chat text.

Evidence rules: the input is only ever opened for reading, nothing is extracted beside it, and its
SHA-256 is taken once from the bytes on disk. Zip members are read in place through `zipfile`,
with limits on member count, sizes and compression ratio so a hostile zip cannot exhaust the
machine; member names that would escape a folder (`../`, absolute paths, links) are reported,
never followed.
"""

from __future__ import annotations

import hashlib
import os
import stat
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from whatsapp_audit.errors import InputError

MAX_MEMBERS = 100_000
MAX_CHAT_BYTES = 4 << 30
MAX_TOTAL_BYTES = 64 << 30
MAX_RATIO = 1000  # text compresses ~10x, media ~1x; a bomb compresses thousands of times
RATIO_FLOOR = 10 << 20  # small members may compress well without being a threat


@dataclass(frozen=True)
class MediaMember:
    """A file inside a zip export other than the chat text."""

    name: str
    size: int
    compressed_size: int
    sha256: str | None  # None when not hashed (see `note`)
    note: str | None = None  # why a member is unsafe or was not read


@dataclass(frozen=True)
class SourceInfo:
    """What was read: enough to prove later that it was this exhibit and nothing else."""

    path: str
    sha256: str
    size: int
    container: str  # "txt" or "zip"
    chat_member: str | None = None  # the chat's name inside a zip
    chat_sha256: str | None = None  # hash of the chat text itself (same as sha256 for a .txt)


class Source:
    """An opened export. Use `open_source`; close it (or use `with`) when done."""

    def __init__(self, path: Path, info: SourceInfo, archive: zipfile.ZipFile | None) -> None:
        self.path = path
        self.info = info
        self._archive = archive
        self._media: tuple[MediaMember, ...] | None = None

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._archive is not None:
            self._archive.close()
            self._archive = None

    @contextmanager
    def open_chat(self) -> Iterator[HashingReader]:
        """The chat text as a binary stream that hashes what it reads."""
        with self._chat_bytes() as raw:
            yield HashingReader(raw)

    @contextmanager
    def open_chat_at(self, offset: int) -> Iterator[IO[bytes]]:
        """The chat text from byte `offset` on, not hashed: for one part of a text whose hash is
        known (`ingest.ranges`). A plain file seeks; a zip member decompresses up to `offset`."""
        with self._chat_bytes() as raw:
            raw.seek(offset)
            yield raw

    @contextmanager
    def _chat_bytes(self) -> Iterator[IO[bytes]]:
        """The chat text's bytes as stored (the file, or the zip member), closed afterwards; a read
        error while they are open becomes one line naming the export."""
        if self._archive is None:
            raw: IO[bytes] = open(self.path, "rb")  # noqa: SIM115 - read-only, closed below
        else:
            assert self.info.chat_member is not None
            raw = self._archive.open(self.info.chat_member, "r")
        try:
            yield raw
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            raise InputError(f"{self.path}: the chat text could not be read ({_reason(error)})") from None
        finally:
            raw.close()

    def chat_size(self) -> int:
        """Bytes of chat text: the file, or the zip member once decompressed."""
        if self._archive is None:
            return self.info.size
        assert self.info.chat_member is not None  # open_source names the chat of every zip it opens
        return self._archive.getinfo(self.info.chat_member).file_size

    def media_members(self) -> tuple[MediaMember, ...]:
        """Every zip member but the chat, with size and SHA-256 (hashed once, on first call)."""
        if self._media is None:
            self._media = tuple(self._describe(info) for info in self._members() if info.filename != self.info.chat_member)
        return self._media

    def read_media(self, name: str, limit: int) -> bytes | None:
        """The first `limit` bytes of a media member (matched by full or base name), or None."""
        info = self._find_member(name)
        if self._archive is None or info is None or _unsafe(info) or _looks_like_bomb(info):
            return None
        try:
            with self._archive.open(info, "r") as member:
                return member.read(limit)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
            return None

    def _members(self) -> list[zipfile.ZipInfo]:
        if self._archive is None:
            return []
        return [info for info in self._archive.infolist() if not info.is_dir()]

    def _find_member(self, name: str) -> zipfile.ZipInfo | None:
        base = PurePosixPath(name.replace("\\", "/")).name
        fallback = None
        for info in self._members():
            if info.filename == name:
                return info
            if fallback is None and PurePosixPath(info.filename).name == base:
                fallback = info
        return fallback

    def _describe(self, info: zipfile.ZipInfo) -> MediaMember:
        note = _unsafe(info) or ("not hashed: its compression ratio suggests a zip bomb" if _looks_like_bomb(info) else None)
        digest = None
        if note is None and self._archive is not None:
            try:
                digest = _hash_member(self._archive, info)
            except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as error:
                note = f"not hashed: {_reason(error)}"
        return MediaMember(info.filename, info.file_size, info.compress_size, digest, note)


class HashingReader:
    """A read-only stream that feeds every byte it passes on into SHA-256."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._hash = hashlib.sha256()
        self.bytes_read = 0

    def read(self, size: int = -1, /) -> bytes:
        data = self._raw.read(size)
        self._hash.update(data)
        self.bytes_read += len(data)
        return data

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


ChatNames = tuple[tuple[str, ...], tuple[str, ...]]  # (exact names, prefixes), casefolded


def open_source(path: str | os.PathLike[str], chat_names: ChatNames = ((), ())) -> Source:
    """Open an export read-only; raise InputError with a one-line reason if it can't be used.

    `chat_names` tells the chat text apart when a zip holds several .txt files (see the export
    vocabulary's [zip] table)."""
    path = Path(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({_reason(error)})") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"{path}: is a folder; give the exported chat's .txt or .zip file")
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{path}: is not a regular file")
    if st.st_size == 0:
        raise InputError(f"{path}: is empty")
    try:
        with open(path, "rb") as handle:
            head = handle.read(4)
            handle.seek(0)
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({_reason(error)})") from None
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _open_zip(path, digest, st.st_size, chat_names)
    return Source(path, SourceInfo(str(path), digest, st.st_size, "txt"), None)


def _open_zip(path: Path, digest: str, size: int, chat_names: ChatNames) -> Source:
    try:
        archive = zipfile.ZipFile(path, "r")
        infos = [info for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
        raise InputError(f"{path}: is not a readable zip file ({_reason(error)})") from None
    if len(infos) > MAX_MEMBERS:
        raise InputError(f"{path}: holds {len(infos)} files, more than the limit of {MAX_MEMBERS}")
    if sum(info.file_size for info in infos) > MAX_TOTAL_BYTES:
        raise InputError(f"{path}: would expand to more than {MAX_TOTAL_BYTES >> 30} GiB; refusing (zip bomb?)")
    chat = _pick_chat(path, infos, chat_names)
    if chat.flag_bits & 0x1:
        raise InputError(f"{path}: the chat text {chat.filename!r} is encrypted")
    if _unsafe(chat):
        raise InputError(f"{path}: the chat text member {chat.filename!r} is unsafe ({_unsafe(chat)})")
    if chat.file_size > MAX_CHAT_BYTES or _looks_like_bomb(chat):
        raise InputError(f"{path}: the chat text {chat.filename!r} is too large or too compressed; refusing (zip bomb?)")
    info = SourceInfo(str(path), digest, size, "zip", chat_member=chat.filename)
    return Source(path, info, archive)


def _pick_chat(path: Path, infos: list[zipfile.ZipInfo], chat_names: ChatNames) -> zipfile.ZipInfo:
    texts = [i for i in infos if i.filename.lower().endswith(".txt") and not i.filename.startswith("__MACOSX/")]
    if not texts:
        raise InputError(f"{path}: the zip holds no chat text (.txt file)")
    if len(texts) == 1:
        return texts[0]
    names, prefixes = chat_names
    named = [i for i in texts if _is_chat_name(PurePosixPath(i.filename).name, names, prefixes)]
    if len(named) == 1:
        return named[0]
    raise InputError(
        f"{path}: the zip holds {len(texts)} text files and {len(named)} named like a WhatsApp chat; "
        "cannot tell which is the chat"
    )


def _is_chat_name(name: str, names: tuple[str, ...], prefixes: tuple[str, ...]) -> bool:
    folded = name.casefold()
    return folded in names or folded.startswith(prefixes)


def _unsafe(info: zipfile.ZipInfo) -> str | None:
    name = info.filename.replace("\\", "/")
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return "a symbolic link; not followed"
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "an absolute path; not followed"
    if ".." in PurePosixPath(name).parts:
        return "a path that climbs out of the folder (..); not followed"
    if info.flag_bits & 0x1:
        return "encrypted; not read"
    return None


def _looks_like_bomb(info: zipfile.ZipInfo) -> bool:
    return info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1)


def _hash_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> str:
    digest = hashlib.sha256()
    with archive.open(info, "r") as member:
        while block := member.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror.lower()
    return type(error).__name__
