"""One redaction, applied the same way to every piece of an export: authors, message text, system
events, attachment file names.

Detector findings come first (typed markers, and pseudonyms for the people a finding names); the
people of the export are then found in what is left. `Redactor` is built once per export (or per
case, for several reports) and is pure: the same text gives the same result every time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

import regex

from whatsapp_audit.model import Attachment, Finding
from whatsapp_audit.redact.matcher import KEPT, NameMatcher, Person
from whatsapp_audit.redact.names import name_key
from whatsapp_audit.redact.policy import PERSON, RedactionPolicy
from whatsapp_audit.redact.spans import MARKER, PARTICIPANT, Replacement, apply, finding_replacements, resolve

# Finds the operational findings in a bare piece of text (a file name) dated `when`.
TextDetector = Callable[[str, datetime], list[Finding]]

_LEAD = regex.compile(r"^[\s~\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u061c]*")
_TRAIL = regex.compile(r"[\s\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u061c]*$")


class Redactor:
    """Replaces people by pseudonyms and masks values, for one set of people and one policy."""

    def __init__(self, policy: RedactionPolicy, people: Sequence[Person], detect_text: TextDetector | None = None) -> None:
        self.policy = policy
        self.people = tuple(people)
        self.matcher = NameMatcher(self.people, policy)
        self._by_key = {name_key(p.name): p for p in self.people}
        self._person_pseudonyms = {key: p.pseudonym for key, p in self._by_key.items() if p.pseudonym is not None}
        self._detect_text = detect_text
        self._files: dict[str, tuple[str, tuple[Replacement, ...]]] = {}
        self._authors: dict[str, list[Replacement]] = {}

    @property
    def files(self) -> dict[str, tuple[str, tuple[Replacement, ...]]]:
        """The file names redacted so far, and how."""
        return self._files

    def person(self, name: str) -> Person | None:
        return self._by_key.get(name_key(name))

    def author(self, author: str) -> list[Replacement]:
        """The replacement of an author as written (marks and a leading `~ ` kept around the name)."""
        cached = self._authors.get(author)
        if cached is None:
            cached = self._authors[author] = self._author(author)
        return cached

    def _author(self, author: str) -> list[Replacement]:
        person = self.person(author)
        if person is None:
            return self.matcher.find(author)
        if person.pseudonym is None:
            return []
        lead, trail = _LEAD.match(author), _TRAIL.search(author)
        lo = lead.end() if lead else 0
        hi = trail.start() if trail else len(author)
        if lo >= hi:
            return []
        return [Replacement(lo, hi, person.pseudonym, PARTICIPANT if person.kind == PARTICIPANT else PERSON, person.pseudonym)]

    def text(self, text: str, findings: Iterable[Finding] = (), attachments: Sequence[Attachment] = (),
             when: datetime | None = None, start: int = 0) -> list[Replacement]:
        """Replacements for text[start:] (finding offsets are relative to `start`): findings first,
        attachment file names as `file_name` redacts them, then the people named in the rest."""
        files = self._file_spans(text, start, attachments, when)
        blocked = [(r.start, r.end) for r in files]
        found: list[Replacement] = []
        for item in finding_replacements(findings, text[start:], self.policy, self._person_pseudonyms):
            replacement = self._own_number(item.shifted(start), text)
            if replacement is not None:
                found.append(replacement)
        found = [r for r in found if not any(r.start < hi and lo < r.end for lo, hi in blocked)]
        chosen = resolve([*found, *files])
        names = self.matcher.find(text, start, taken=chosen)
        return [r for r in resolve([*chosen, *names]) if r.kind != KEPT]

    def _own_number(self, replacement: Replacement, text: str) -> Replacement | None:
        """A participant's own number found by the phone rule: their pseudonym, not [PHONE] (the
        mention `@447911234567` reads `@Participant C`); left as it is for a kept person."""
        if replacement.kind != MARKER:
            return replacement
        owner = self.matcher.number_owner(text[replacement.start:replacement.end])
        if owner is None:
            return replacement
        if owner.pseudonym is None:
            return None
        return Replacement(replacement.start, replacement.end, owner.pseudonym, owner.kind, owner.pseudonym, replacement.rule)

    def file_name(self, name: str, when: datetime | None = None) -> tuple[str, tuple[Replacement, ...]]:
        """A file name redacted like message text (the extension kept); names WhatsApp made up stay."""
        cached = self._files.get(name)
        if cached is not None:
            return cached
        if self.policy.is_generated_file(name):
            result: tuple[str, tuple[Replacement, ...]] = (name, ())
        else:
            stem_end = name.rfind(".") if "." in name[1:] else len(name)
            stem = name[:stem_end]
            findings = self._detect_text(stem, when) if self._detect_text is not None and when is not None else []
            found = resolve(finding_replacements(findings, stem, self.policy, self._person_pseudonyms))
            replacements = tuple(r for r in resolve([*found, *self.matcher.find(stem, taken=found)]) if r.kind != KEPT)
            result = (apply(stem, replacements) + name[stem_end:], replacements)
        self._files[name] = result
        return result

    def _file_spans(self, text: str, start: int, attachments: Sequence[Attachment],
                    when: datetime | None) -> list[Replacement]:
        """Where the text spells its attachments' names: the replacements inside them, plus an inert
        span over each so that nothing else touches a file name."""
        spans: list[Replacement] = []
        for attachment in attachments:
            if attachment.omitted or not attachment.name:
                continue
            _, inside = self.file_name(attachment.name, when)
            at = text.find(attachment.name, start)
            while at >= 0:
                end = at + len(attachment.name)
                spans.extend(r.shifted(at) for r in inside)
                covered = at
                for r in sorted(inside, key=lambda r: r.start):
                    if r.start + at > covered:
                        spans.append(Replacement(covered, r.start + at, text[covered:r.start + at], KEPT, KEPT))
                    covered = r.end + at
                if covered < end:
                    spans.append(Replacement(covered, end, text[covered:end], KEPT, KEPT))
                at = text.find(attachment.name, end)
        return spans
