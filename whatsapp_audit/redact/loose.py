"""The redaction of `redact`, for loose pieces of an export: what reports show of it.

A report holds an author here, a message and its neighbours there, a file name, a matched value.
`LooseRedactor` redacts each the way `redact` redacts the copy (same policy, same detectors run on
the text, same people and case key), so a report made with `scan --redact` masks exactly what the
redacted copy masks, and says where a finding's span went (`Redacted.position`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from whatsapp_audit.detect.engine import Engine
from whatsapp_audit.model import Attachment, MediaType, Message, MessageKind
from whatsapp_audit.redact.copy import operational_patterns, redaction_engine
from whatsapp_audit.redact.key import CaseKey
from whatsapp_audit.redact.people import cast
from whatsapp_audit.redact.policy import PERSON, RedactionPolicy, load_policy
from whatsapp_audit.redact.redactor import Redactor
from whatsapp_audit.redact.spans import Replacement, apply
from whatsapp_audit.rules.loader import PatternSet


@dataclass(frozen=True)
class Redacted:
    """A redacted text, and the replacements made in it (offsets into the original)."""

    text: str
    replacements: tuple[Replacement, ...] = ()
    spans: tuple[tuple[int, int, int], ...] = ()  # (start, end) in the original, length written

    @classmethod
    def of(cls, text: str, replacements: Sequence[Replacement]) -> Redacted:
        spans = tuple((r.start, r.end, len(r.text) + text.count("\n", r.start, r.end)) for r in replacements)
        return cls(apply(text, replacements), tuple(replacements), spans)

    def position(self, offset: int, *, end: bool = False) -> int:
        """Where an offset of the original text is in the redacted one; inside a replaced span, the
        start (or, with `end`, the end) of what replaced it."""
        shift = 0
        for start, stop, written in self.spans:
            if offset <= start:
                break
            if offset < stop:
                return start + shift + (written if end else 0)
            shift += written - (stop - start)
        return offset + shift


@dataclass
class LooseRedactor:
    """Redacts texts, names and file names of one case consistently."""

    redactor: Redactor
    engine: Engine
    _texts: dict[tuple[str, datetime | None, tuple[str, ...]], Redacted] = field(default_factory=dict)

    @classmethod
    def build(cls, authors: Iterable[str], texts: Iterable[tuple[str, datetime]], key: CaseKey, keep: Sequence[str] = (),
              patterns: PatternSet | None = None, policy: RedactionPolicy | None = None) -> LooseRedactor:
        """People from `authors` and from the people the detectors name in `texts`; pseudonyms from
        `key` (which gains any new name)."""
        policy = policy or load_policy()
        engine = redaction_engine(patterns or operational_patterns(policy=policy))
        persons = []
        for text, when in texts:
            for finding in engine.examine(_message(text, when), (), ()):
                masking = policy.masking_for(finding.rule)
                if masking is not None and masking.span == PERSON and finding.normalised:
                    persons.append(finding.normalised)
        people = cast(authors, persons, key, keep, policy)
        redactor = Redactor(policy, people.people, lambda text, when: engine.examine(_message(text, when), (), ()))
        return cls(redactor, engine)

    def text(self, text: str, when: datetime | None, attachments: Sequence[str] = ()) -> Redacted:
        """A message text redacted as in the copy (attachment names in it as `file_name` does)."""
        cache_key = (text, when, tuple(attachments))
        done = self._texts.get(cache_key)
        if done is None:
            findings = self.engine.examine(_message(text, when), (), ()) if when is not None else []
            files = [Attachment(name, MediaType.UNKNOWN, False) for name in attachments]
            done = self._texts[cache_key] = Redacted.of(text, self.redactor.text(text, findings, files, when))
        return done

    def name(self, author: str | None) -> str | None:
        """An author (or any participant name) as the copy writes it."""
        if author is None:
            return None
        return apply(author, self.redactor.author(author))

    def names_only(self, text: str) -> str:
        """People's names replaced, nothing else (for explanations that quote a file name or a name)."""
        for name, redacted in self._file_names().items():
            text = text.replace(name, redacted)
        return apply(text, self.redactor.matcher.find(text))

    def _file_names(self) -> dict[str, str]:
        return {name: done[0] for name, done in self.redactor.files.items() if done[0] != name}

    def file_name(self, name: str, when: datetime | None = None) -> str:
        return self.redactor.file_name(name, when)[0]

    def path(self, path: str) -> str:
        """An export's path with its file name redacted (a one-to-one chat's file names the person)."""
        folder, _, base = path.replace("\\", "/").rpartition("/")
        redacted = self.file_name(base)
        return path if redacted == base else (str(Path(path).with_name(redacted)) if folder else redacted)


def _message(text: str, when: datetime | None) -> Message:
    return Message(-1, 0, 0, when or datetime(2000, 1, 1), "", None, text, MessageKind.TEXT)
