"""Which files a run reads: the exports given, and every `.txt`/`.zip` found in the folders given.

Folders are searched recursively and their files taken in a stable order (by path, compared part
by part), so the same folder gives the same list of exhibits, in the same order, on any machine.
Files that are not exports are listed as skipped with the reason, never silently left out: what
was not searched is part of the record. Symbolic links inside a folder are not followed (a link
can point outside the exhibit); a path given on the command line is always read.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

EXPORT_SUFFIXES = (".txt", ".zip")
NOT_AN_EXPORT = "not a .txt or .zip export"


@dataclass(frozen=True)
class SkippedFile:
    """A file in a folder given that was not read, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class Inputs:
    """The exports to read, in order, and what was passed over."""

    exports: tuple[Path, ...]
    skipped: tuple[SkippedFile, ...]
    folders: tuple[Path, ...]  # folders given: evidence too, so outputs must stay out of them


def find_exports(paths: Sequence[Path]) -> Inputs:
    """Expand folders into their exports; keep files as given (a missing one fails when read)."""
    exports: list[Path] = []
    skipped: list[SkippedFile] = []
    folders: list[Path] = []
    seen: dict[Path, Path] = {}
    for given in paths:
        if given.is_dir():
            folders.append(given)
            found, passed_over = _search(given)
            skipped += passed_over
        else:
            found = [given]
        for path in found:
            key = _identity(path)
            if key in seen:
                skipped.append(SkippedFile(str(path), f"the same file as {seen[key]} (given more than once)"))
                continue
            seen[key] = path
            exports.append(path)
    return Inputs(tuple(exports), tuple(skipped), tuple(folders))


def _search(folder: Path) -> tuple[list[Path], list[SkippedFile]]:
    files: list[tuple[tuple[str, ...], Path]] = []
    skipped: list[tuple[tuple[str, ...], SkippedFile]] = []

    def unreadable(error: OSError) -> None:
        name = Path(error.filename or folder)
        skipped.append((_key(folder, name), SkippedFile(str(name), f"cannot be read ({(error.strerror or 'error').lower()})")))

    for root, dirs, names in os.walk(folder, onerror=unreadable, followlinks=False):
        base = Path(root)
        for name in dirs:
            if (base / name).is_symlink():
                skipped.append((_key(folder, base / name), SkippedFile(str(base / name), "a symbolic link to a folder; not followed")))
        for name in names:
            path = base / name
            reason = _not_readable_reason(path)
            if reason is None and not name.lower().endswith(EXPORT_SUFFIXES):
                reason = NOT_AN_EXPORT
            if reason is None:
                files.append((_key(folder, path), path))
            else:
                skipped.append((_key(folder, path), SkippedFile(str(path), reason)))
    files.sort(key=lambda pair: pair[0])
    skipped.sort(key=lambda pair: pair[0])
    return [path for _, path in files], [item for _, item in skipped]


def _key(folder: Path, path: Path) -> tuple[str, ...]:
    """Sort key: the path inside the folder, part by part (so `a/b` sorts with `a`, not after `a-b`)."""
    try:
        return path.relative_to(folder).parts
    except ValueError:
        return path.parts


def _not_readable_reason(path: Path) -> str | None:
    try:
        mode = path.lstat().st_mode
    except OSError as error:
        return f"cannot be read ({(error.strerror or 'error').lower()})"
    if stat.S_ISLNK(mode):
        return "a symbolic link; not followed"
    if not stat.S_ISREG(mode):
        return "not a regular file"
    return None


def _identity(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path.absolute()
