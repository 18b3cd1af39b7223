"""The case key: which real name stands behind each pseudonym, shared by every export of a case.

Created on first use and extended after, so the same name gets the same pseudonym in every redacted
copy made with it. It re-identifies everyone in a disclosure, so it is written owner-only (0600 on
POSIX), replaced atomically, and its message errors never quote a name. It is plain JSON that an
investigator may edit: a person shown by name in one export and by number in another can be
made one entry by listing both under `names`.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whatsapp_audit.errors import UsageError
from whatsapp_audit.redact.names import clean_name, name_key, pseudonym_label

KEY_SCHEMA = "whatsapp-audit/redaction-key/1"
KINDS = ("participant", "person")
NOTICE = ("SENSITIVE: this case key links pseudonyms to real names and re-identifies every redacted copy made "
          "with it. Keep it sealed with the case papers; never disclose it.")


@dataclass
class KeyEntry:
    pseudonym: str
    kind: str  # "participant" or "person"
    names: list[str]


@dataclass
class CaseKey:
    """Pseudonyms by name; `path` is None for a key used for one run only (no --key)."""

    path: Path | None = None
    entries: list[KeyEntry] = field(default_factory=list)
    created: bool = False  # True when this run made the key file
    changed: bool = False  # True when this run added a name
    _by_key: dict[str, KeyEntry] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for entry in self.entries:
            self._index(entry)

    def _index(self, entry: KeyEntry) -> None:
        for name in entry.names:
            key = name_key(name)
            other = self._by_key.get(key)
            if other is not None and other is not entry:
                raise UsageError(f"{self.path}: the case key gives one name two pseudonyms "
                                 f"({other.pseudonym} and {entry.pseudonym}); fix the key file")
            self._by_key[key] = entry

    def lookup(self, name: str) -> KeyEntry | None:
        return self._by_key.get(name_key(name))

    def pseudonym_for(self, name: str, kind: str) -> str:
        """The name's pseudonym, adding the name to the key with the next free label if it is new."""
        entry = self.lookup(name)
        if entry is not None:
            return entry.pseudonym
        taken = {e.pseudonym for e in self.entries}
        prefix, letters = ("Participant", True) if kind == "participant" else ("Person", False)
        number = sum(1 for e in self.entries if e.kind == kind)
        label = pseudonym_label(prefix, number, letters)
        while label in taken:
            number += 1
            label = pseudonym_label(prefix, number, letters)
        entry = KeyEntry(label, kind, [clean_name(name)])
        self.entries.append(entry)
        self._index(entry)
        self.changed = True
        return label

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": KEY_SCHEMA,
            "notice": NOTICE,
            "entries": [{"pseudonym": e.pseudonym, "kind": e.kind, "names": list(e.names)} for e in self.entries],
        }


def load_key(path: Path | None) -> CaseKey:
    """The key at `path` (a new, empty one if the file does not exist yet), or a throw-away key."""
    if path is None:
        return CaseKey()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return CaseKey(path, created=True)
    except OSError as error:
        raise UsageError(f"{path}: the case key cannot be read ({(error.strerror or '').lower()})") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UsageError(f"{path}: not a case key (invalid JSON: {type(error).__name__})") from None
    return CaseKey(path, _entries(path, data))


def _entries(path: Path, data: object) -> list[KeyEntry]:
    if not isinstance(data, dict) or data.get("schema") != KEY_SCHEMA or not isinstance(data.get("entries"), list):
        raise UsageError(f"{path}: not a case key (expected \"schema\": \"{KEY_SCHEMA}\" and an \"entries\" list)")
    entries: list[KeyEntry] = []
    pseudonyms: set[str] = set()
    for number, item in enumerate(data["entries"], 1):
        if not (isinstance(item, dict) and isinstance(item.get("pseudonym"), str) and item.get("kind") in KINDS
                and isinstance(item.get("names"), list) and item["names"]
                and all(isinstance(n, str) and clean_name(n) for n in item["names"])):
            raise UsageError(f"{path}: entry {number} of the case key needs a pseudonym, a kind "
                             f"({' or '.join(KINDS)}) and a non-empty list of names")
        if item["pseudonym"] in pseudonyms:
            raise UsageError(f"{path}: entry {number} repeats the pseudonym {item['pseudonym']!r}")
        pseudonyms.add(item["pseudonym"])
        entries.append(KeyEntry(item["pseudonym"], item["kind"], [clean_name(n) for n in item["names"]]))
    return entries


def key_permission_problem(path: Path) -> str | None:
    """Why the key file's permissions are unsafe (readable or writable by others), or None."""
    if os.name != "posix":
        return None
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        return f"{path}: the case key can be read by other users (mode {stat.S_IMODE(mode):04o}); run: chmod 600 {path}"
    return None


def write_private_json(path: Path, data: dict[str, Any]) -> None:
    """Write JSON readable by the owner only (0600), atomically: a crash leaves the old file whole."""
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    folder = path.parent if str(path.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(prefix=".wa-audit-", suffix=".tmp", dir=folder)
    except OSError as error:
        raise UsageError(f"{path}: cannot be written ({(error.strerror or '').lower()})") from None
    try:
        if os.name == "posix":
            os.fchmod(handle, 0o600)
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise UsageError(f"{path}: cannot be written ({(error.strerror or '').lower()})") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def save_key(key: CaseKey) -> None:
    """Write the key if it is new or gained names (an unchanged key file is left untouched)."""
    if key.path is not None and (key.created or key.changed):
        write_private_json(key.path, key.to_dict())
