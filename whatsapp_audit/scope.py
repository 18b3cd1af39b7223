"""A search narrowed to the allegation: which rules' findings are kept, and which messages are examined.

Proportionality asks for a search no wider than the allegation, recorded as such (what was and was
not searched). Narrowing works at two levels, chosen so that a narrowed search finds exactly what a
full search would have found within its bounds, never something different:

- Rules (`--category`, `--rule`): detectors share vocabulary and scoring settings across their
  rules (the imagery scoring table, the discriminatory vocabulary), so a detector with at least one
  selected rule runs with all of its rules and only the selected rules' findings are kept; the
  others are dropped unseen and uncounted. A detector with no selected rule is not run at all.
- Messages (`--participant`, `--since`, `--until`): only messages inside the bounds are examined.
  Every other message is still read, hashed and counted, and stays in the detectors' neighbour
  windows and in the reports' context (context may undermine or support a finding), but no finding
  is ever made on it.
"""

from __future__ import annotations

import difflib
import fnmatch
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from whatsapp_audit.errors import UsageError
from whatsapp_audit.model import Category, Message, author_name
from whatsapp_audit.rules.loader import PatternSet

CATEGORIES = tuple(category.value for category in Category)
_PHONE = re.compile(r"\+?[\d ()\-.]{7,24}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _name_key(name: str) -> str:
    return author_name(name).display.casefold()


def _phone_digits(name: str) -> str | None:
    """A phone number's digits in international form (UK national `07...` read as `447...`), or None."""
    clean = author_name(name).display
    if not _PHONE.fullmatch(clean):
        return None
    digits = "".join(c for c in clean if c.isdigit())
    if len(digits) < 7:
        return None
    if digits.startswith("00"):
        return digits[2:]
    if digits.startswith("0") and not clean.startswith("+"):
        return "44" + digits[1:]
    return digits


def author_matches(given: str, author: str) -> bool:
    """Whether the participant named on the command line is this author: the verbatim author as the
    export writes it, its display name (WhatsApp's invisible marks and the `~ ` of a profile name
    left out, case ignored), or the same phone number however it is spaced (`07700 900461` is
    `+44 7700 900461`)."""
    if given == author or _name_key(given) == _name_key(author):
        return True
    digits = _phone_digits(given)
    return digits is not None and digits == _phone_digits(author)


def parse_bound(text: str, *, end: bool, flag: str) -> datetime:
    """`--since`/`--until` as a zone-less local time (the export's clock). A date alone covers the
    whole day; a time covers the whole minute (or second) given, so both bounds are inclusive.
    For `end`, the first moment after the bound is returned (compared with `<`)."""
    value = text.strip()
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{flag} {text}: not a date or time such as 2024-03-02 or 2024-03-02T21:15") from None
    if when.tzinfo is not None:
        raise UsageError(f"{flag} {text}: give the time as the export shows it, without a time zone "
                         "(exports carry the phone's local time)")
    if not end:
        return when
    if _DATE.fullmatch(value):
        return when + timedelta(days=1)
    has_seconds = value.count(":") >= 2
    return when + (timedelta(seconds=1) if has_seconds else timedelta(minutes=1))


@dataclass(frozen=True)
class MessageScope:
    """Which messages the detectors examine; every other message is still context (picklable, so it
    travels with the scan options to worker processes and cluster workers)."""

    participants: tuple[str, ...] = ()
    since: datetime | None = None  # inclusive
    before: datetime | None = None  # exclusive: the first moment after --until
    _authors: dict[str | None, bool] = field(default_factory=dict, compare=False, repr=False)

    def author_in_scope(self, author: str | None) -> bool:
        if not self.participants:
            return True
        known = self._authors.get(author)
        if known is None:
            known = self._authors[author] = author is not None and any(
                author_matches(given, author) for given in self.participants)
        return known

    def accepts(self, message: Message) -> bool:
        if self.since is not None and message.timestamp < self.since:
            return False
        if self.before is not None and message.timestamp >= self.before:
            return False
        return self.author_in_scope(message.author)


@dataclass(frozen=True)
class SearchScope:
    """The narrowing given on the command line, as given (each tuple empty when not narrowed)."""

    categories: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()  # rule ids or globs (`OPS-*`), case-insensitive
    participants: tuple[str, ...] = ()
    since: str | None = None  # as typed; see `parse_bound`
    until: str | None = None

    def __post_init__(self) -> None:
        unknown = [c for c in self.categories if c not in CATEGORIES]
        if unknown:
            raise UsageError(f"--category {unknown[0]}: must be one of {', '.join(CATEGORIES)}")
        for name in self.participants:
            if not name.strip():
                raise UsageError("--participant: give a name or number as the export shows it")
        bounds = self.message_scope()
        if bounds is not None and bounds.since is not None and bounds.before is not None and bounds.since >= bounds.before:
            raise UsageError(f"--since {self.since} is after --until {self.until}")

    @property
    def narrows_rules(self) -> bool:
        return bool(self.categories or self.rules)

    @property
    def narrows_messages(self) -> bool:
        return bool(self.participants or self.since or self.until)

    @property
    def narrowed(self) -> bool:
        return self.narrows_rules or self.narrows_messages

    def message_scope(self) -> MessageScope | None:
        """The message bounds (None when every message is examined)."""
        if not self.narrows_messages:
            return None
        since = parse_bound(self.since, end=False, flag="--since") if self.since else None
        before = parse_bound(self.until, end=True, flag="--until") if self.until else None
        return MessageScope(tuple(self.participants), since, before)

    def selected_rules(self, patterns: PatternSet) -> frozenset[str] | None:
        """Ids of the rules whose findings are kept (None: every rule). A glob that matches no rule
        loaded, or a narrowing that leaves no rule at all, is a UsageError (a search for nothing)."""
        if not self.narrows_rules:
            return None
        ids = [rule.id for rule in patterns.rules]
        for glob in self.rules:
            if not any(fnmatch.fnmatchcase(rule_id.upper(), glob.upper()) for rule_id in ids):
                close = difflib.get_close_matches(glob.upper(), ids, n=1)
                hint = f"; did you mean {close[0]}?" if close else "; `whatsapp-audit rules` lists them"
                raise UsageError(f"--rule {glob}: matches no rule loaded{hint}")
        chosen = frozenset(
            rule.id for rule in patterns.rules
            if (not self.categories or rule.category.value in self.categories)
            and (not self.rules or any(fnmatch.fnmatchcase(rule.id.upper(), g.upper()) for g in self.rules))
        )
        if not chosen:
            raise UsageError("--category and --rule together select no rule: nothing would be searched")
        return chosen

    def engine_patterns(self, patterns: PatternSet, selected: frozenset[str] | None) -> PatternSet:
        """The rules the engine is built with: all rules of every detector with a selected rule."""
        if selected is None:
            return patterns
        detectors = {rule.detector for rule in patterns.rules if rule.id in selected}
        return PatternSet(rules=tuple(r for r in patterns.rules if r.detector in detectors), files=patterns.files)

    def authors_matched(self, authors: Iterable[str]) -> dict[str, list[str]]:
        """For each participant given, the authors of an export it names (verbatim), in name order."""
        names = sorted(authors)
        return {given: [a for a in names if author_matches(given, a)] for given in self.participants}


def unmatched_participants(scope: SearchScope, authors: Mapping[str, int]) -> list[str]:
    """Participants given that name no author of an export (a typo would otherwise read as "nothing found")."""
    return [given for given, found in scope.authors_matched(authors).items() if not found]
