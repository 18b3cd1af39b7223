"""The allowlist: known values set aside after detection, each with a reason (docs/allowlist.md).

Linters suppress with a marker in the scanned file; here that would mean editing an exhibit, so
suppressions live in a TOML file of their own, hashed into the manifest, and every finding one sets
aside is counted against its entry in the report and the search strategy (never silently dropped):

    [[allow]]
    value = "0800 555 0199"
    rule = "OPS-PHONE"          # optional: only this rule (an id or a glob such as OPS-*)
    reason = "The force's public appeal line, published on its website"

A value matches a finding's normalised value or its matched text, ignoring case, spaces and
punctuation (`AB12CDE` is `ab12 cde`). It never matches part of a value.
"""

from __future__ import annotations

import difflib
import fnmatch
import hashlib
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whatsapp_audit.errors import UsageError
from whatsapp_audit.model import Finding
from whatsapp_audit.rules.loader import PatternSet
from whatsapp_audit.triage.files import read_bounded

ALLOWLIST_VERSION = "1"
ENTRY_KEYS = ("value", "rule", "reason", "added_by", "added")
MAX_BYTES = 4 << 20


def value_key(text: str | None) -> str:
    """What two spellings of one value have in common: letters and digits, casefolded."""
    if not text:
        return ""
    return "".join(c for c in unicodedata.normalize("NFKC", text).casefold() if c.isalnum())


@dataclass(frozen=True)
class AllowEntry:
    """One value set aside (for one rule, or rules matching a glob, or every rule)."""

    value: str
    reason: str
    rule: str | None = None
    added_by: str = ""
    added: str = ""
    key: str = ""  # value_key(value)

    def matches(self, finding: Finding) -> bool:
        if self.rule is not None and not fnmatch.fnmatchcase(finding.rule.upper(), self.rule.upper()):
            return False
        return self.key in (value_key(finding.normalised), value_key(finding.matched))


@dataclass(frozen=True)
class Allowlist:
    """A loaded allowlist file: where it came from, its hash, its entries in file order."""

    path: str
    sha256: str
    entries: tuple[AllowEntry, ...]

    def check_rules(self, patterns: PatternSet) -> None:
        """An entry for a rule that is not loaded would never match: say so before scanning."""
        ids = [rule.id.upper() for rule in patterns.rules]
        for position, entry in enumerate(self.entries):
            if entry.rule is not None and not any(fnmatch.fnmatchcase(i, entry.rule.upper()) for i in ids):
                close = difflib.get_close_matches(entry.rule.upper(), ids, n=1)
                hint = f"did you mean {close[0]}?" if close else "`whatsapp-audit rules` lists them"
                raise UsageError(f"{self.path}: allow[{position}]: rule {entry.rule} matches no rule loaded ({hint})")


def load_allowlist(path: str | Path) -> Allowlist:
    """Read and check an allowlist; UsageError (exit 2) naming the file and the entry when it is wrong."""
    name = str(path)
    raw, text = read_bounded(path, "the allowlist", MAX_BYTES)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"{name}: not valid TOML ({error})") from None
    return Allowlist(name, hashlib.sha256(raw).hexdigest(), parse_allowlist(data, name))


def parse_allowlist(data: dict[str, Any], name: str) -> tuple[AllowEntry, ...]:
    unknown = sorted(set(data) - {"allowlist_version", "allow"})
    if unknown:
        raise UsageError(f"{name}: unknown key {unknown[0]!r}: an allowlist has [[allow]] entries (docs/allowlist.md)")
    version = data.get("allowlist_version", ALLOWLIST_VERSION)
    if version != ALLOWLIST_VERSION:
        raise UsageError(f"{name}: allowlist_version {version!r} is not one this version reads ({ALLOWLIST_VERSION!r})")
    entries = data.get("allow", [])
    if not isinstance(entries, list):
        raise UsageError(f"{name}: allow must be an array of tables ([[allow]])")
    return tuple(_entry(entry, f"{name}: allow[{position}]") for position, entry in enumerate(entries))


def _entry(entry: Any, where: str) -> AllowEntry:
    if not isinstance(entry, dict):
        raise UsageError(f"{where}: each entry must be a table with value and reason")
    unknown = sorted(set(entry) - set(ENTRY_KEYS))
    if unknown:  # a misspelt `rule` would silently widen the entry to every rule
        raise UsageError(f"{where}: unknown key {unknown[0]!r} (allowed: {', '.join(ENTRY_KEYS)})")
    value, reason, rule = entry.get("value"), entry.get("reason"), entry.get("rule")
    if not isinstance(value, str) or not value_key(value):
        raise UsageError(f"{where}: value must be text with at least one letter or digit")
    if not isinstance(reason, str) or not reason.strip():
        raise UsageError(f"{where}: reason is required: say why this value is set aside")
    if rule is not None and (not isinstance(rule, str) or not rule.strip()):
        raise UsageError(f"{where}: rule must be a rule id or a glob such as OPS-*")
    texts = {}
    for key in ("added_by", "added"):
        raw = entry.get(key, "")
        texts[key] = raw.isoformat() if hasattr(raw, "isoformat") else str(raw)
    return AllowEntry(value, reason.strip(), rule.strip() if rule else None, texts["added_by"], texts["added"],
                      value_key(value))
