"""What the pattern packs compile to, kept between runs: a scan starts without redoing it.

Reading the packs (about twenty TOML files) and configuring the detectors (the discriminatory
detector's phrase expansion, lexicon and one-pass gates, each a regex of tens of thousands of
characters for Python's own compiler) was most of a scan's start-up, and it gives the same result
every time for the same packs and the same code. So each result is stored once, as a pickle, and
read back by later runs:

- `pack`: one pack file's validated rules, keyed by the file's bytes, path and origin;
- `engine`: the configured detectors, keyed by the exact rules they were built from.

Every key also holds what the result is derived from beyond its input: the cache format, this
Python (the stored regexes are its compiled code, `_sre`'s, which `re` has no public way to save)
and the tool's own source (`resources.package_sha256`), so a changed detector, pack or interpreter
never meets an old entry. A stored value is therefore exactly what a fresh build gives, and the
findings are the same with the cache cold, warm or off (tests/test_build_cache.py).

Where: `$WHATSAPP_AUDIT_CACHE_DIR`, else `$XDG_CACHE_HOME/whatsapp-audit`, else
`~/.cache/whatsapp-audit`; `WHATSAPP_AUDIT_CACHE_DIR=off` (or empty) turns it off. It is never
written inside the folder of an export being scanned (`keep_out_of`), holds nothing from any chat
(only what the packs compile to), is safe to delete at any time, and is trimmed as it grows. Any
problem reading or writing it (a damaged entry, a read-only home) only means building afresh: the
cache can make a run faster, never different or failed. Like the interpreter's own `.pyc` files,
the entries are code the tool loads: the folder must be writable by its user only.
"""

from __future__ import annotations

import _sre  # type: ignore[import-not-found]  # the regex engine under `re` (built in)
import hashlib
import io
import os
import pickle
import re
import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

FORMAT = b"whatsapp-audit build cache 1"
ENV = "WHATSAPP_AUDIT_CACHE_DIR"
_OFF = frozenset({"", "0", "off", "no", "false"})
_KEPT_PER_VERSION = 64  # entries kept in one version's folder (oldest removed first)
_VERSIONS_KEPT = 6  # folders of other code/Python versions kept (worktrees and installs side by side)
_AVOID: list[Path] = []  # folders of the exports being scanned: never written into


def folder() -> Path | None:
    """The cache folder for this code and Python (None: turned off)."""
    configured = os.environ.get(ENV)
    if configured is not None:
        if configured.strip().lower() in _OFF:
            return None
        root = Path(configured).expanduser()
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        root = (Path(xdg) if xdg else Path.home() / ".cache") / "whatsapp-audit"
    return root / _version_key()[:24]


@cache
def _version_key() -> str:
    """What every stored value depends on beyond its own input: format, interpreter, `_sre`, tool source."""
    import regex

    from whatsapp_audit.resources import package_sha256

    digest = hashlib.sha256(FORMAT)
    for part in (sys.version, sys.implementation.cache_tag, str(_sre.MAGIC), str(_sre.CODESIZE),
                 str(sys.maxunicode), regex.__version__, package_sha256()):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()


def key(*parts: str | bytes) -> str:
    """A key for the given input parts (each one length-prefixed, so no two part lists collide)."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def keep_out_of(folders: Iterable[str | os.PathLike[str]]) -> None:
    """Never write the cache inside these folders (the exports' own: the evidence is read-only)."""
    for item in folders:
        try:
            _AVOID.append(Path(item).resolve())
        except OSError:
            continue


def avoided() -> tuple[Path, ...]:
    """The folders given to `keep_out_of` so far (handed on to worker processes)."""
    return tuple(_AVOID)


def load(kind: str, name: str) -> Any | None:
    """The value stored under `kind` and key `name`, or None (none stored, unreadable, off)."""
    where = folder()
    if where is None:
        return None
    entry = where / f"{kind}-{name}.pickle"
    try:
        if not (_private(where) and _private(entry)):
            return None
        return pickle.loads(entry.read_bytes())
    except Exception:  # noqa: BLE001 - a missing or damaged entry only means building afresh
        return None


def _private(path: Path) -> bool:
    """Whether only this user can have written `path`: owned by the user, not writable by group or others.

    A pickle is code the tool runs, so an entry anyone else could have placed or changed is never
    loaded (the run builds afresh instead), whatever the folder's history."""
    status = path.stat()
    if hasattr(os, "geteuid") and status.st_uid != os.geteuid():
        return False
    return not status.st_mode & 0o022


def store(kind: str, name: str, value: Any) -> None:
    """Store `value` (written to a temporary file, then renamed: a reader never sees half of it)."""
    where = folder()
    if where is None or _inside_avoided(where):
        return
    try:
        buffer = io.BytesIO()
        _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
        fresh = not where.is_dir()
        where.mkdir(parents=True, exist_ok=True, mode=0o700)
        target = where / f"{kind}-{name}.pickle"
        temporary = where / f".{kind}-{name}.{os.getpid()}.tmp"
        temporary.write_bytes(buffer.getvalue())
        temporary.chmod(0o600)  # private whatever the umask: `load` reads only private entries
        os.replace(temporary, target)
        _trim(where, fresh)
    except Exception:  # noqa: BLE001 - unpicklable, read-only, full disk: the run goes on uncached
        return


def _inside_avoided(where: Path) -> bool:
    try:
        resolved = where.resolve()
    except OSError:
        return True
    return any(resolved == avoided or avoided in resolved.parents for avoided in _AVOID)


def _trim(where: Path, fresh: bool) -> None:
    """Keep the newest entries of this version, and (when it is new) the newest other versions."""
    entries = sorted(where.glob("*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[_KEPT_PER_VERSION:]:
        old.unlink(missing_ok=True)
    if fresh:
        others = sorted((p for p in where.parent.iterdir() if p.is_dir() and p != where),
                        key=lambda p: p.stat().st_mtime, reverse=True)
        for old_version in others[_VERSIONS_KEPT:]:
            for item in old_version.iterdir():
                item.unlink(missing_ok=True)
            old_version.rmdir()


def _restore_pattern(pattern: str | bytes, flags: int, code: list[int], groups: int,
                     groupindex: dict[str, int], indexgroup: tuple[str | None, ...]) -> re.Pattern[Any]:
    """A compiled `re` pattern from its stored code: what `re.compile` ends with, without its
    pure-Python parser and compiler (a tenth of a second for the discriminatory gates)."""
    compiled: re.Pattern[Any] = _sre.compile(pattern, flags, code, groups, groupindex, indexgroup)
    return compiled


def _pattern_code(compiled: re.Pattern[Any]) -> tuple[Any, ...] | None:
    """The arguments `_restore_pattern` needs, compiled again here exactly as `re.compile` does
    (None when this Python's internals differ: the pattern is then stored as its source)."""
    try:
        from re import _compiler, _parser  # type: ignore[attr-defined]

        parsed = _parser.parse(compiled.pattern, compiled.flags)
        code = [int(op) for op in _compiler._code(parsed, compiled.flags)]
        groupindex = dict(parsed.state.groupdict)
        indexgroup: list[str | None] = [None] * parsed.state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        arguments = (compiled.pattern, compiled.flags | parsed.state.flags, code, parsed.state.groups - 1,
                     groupindex, tuple(indexgroup))
        restored = _restore_pattern(*arguments)
    except Exception:  # noqa: BLE001 - another Python's internals: fall back to the source
        return None
    if (restored.pattern, restored.flags, restored.groups, restored.groupindex) != (
            compiled.pattern, compiled.flags, compiled.groups, compiled.groupindex):
        return None
    return arguments


class _Pickler(pickle.Pickler):
    """Stores `re` patterns as their compiled code (the default pickles the source, compiled again on load)."""

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, re.Pattern):
            arguments = _pattern_code(obj)
            if arguments is not None:
                return _restore_pattern, arguments
        return NotImplemented
