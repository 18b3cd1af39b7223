"""`redact_export`: a disclosure copy of an export, in the same format, with people pseudonymised and
operational values masked, plus the log of what was replaced.

Two passes over the export. The first finds the people (authors, people named by system events,
people the detectors find in the text) and the detector findings on every message, system events
included, since "Ana changed to +44 ..." names a number. The second writes the copy line by line:
a line where nothing was replaced keeps its bytes. The copy is then parsed again and must give the
same lines, messages and kinds as the exhibit, and it is scanned again: any masked kind of value or
any replaced name still in it is reported as residual.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import zipfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

import regex

from whatsapp_audit import __version__, build_cache
from whatsapp_audit.detect.engine import Engine
from whatsapp_audit.detect.registry import DETECTORS, detector_classes
from whatsapp_audit.detect.text.guard import RegexTimeout
from whatsapp_audit.errors import ExitCode, InputError, UsageError, WhatsAuditError
from whatsapp_audit.ingest.export import Export, open_export
from whatsapp_audit.ingest.source import Source, open_source
from whatsapp_audit.model import Category, Finding, Message, MessageKind
from whatsapp_audit.redact.key import CaseKey
from whatsapp_audit.redact.names import clean_name, is_phone_name, system_event_names
from whatsapp_audit.redact.people import cast
from whatsapp_audit.redact.policy import PERSON, RedactionPolicy, load_policy
from whatsapp_audit.redact.redactor import Redactor
from whatsapp_audit.redact.segments import Segment, codec_errors, iter_segments
from whatsapp_audit.redact.spans import MARKER, Replacement, apply, marker_text
from whatsapp_audit.rules.loader import PatternSet, load_patterns
from whatsapp_audit.wording import plural

LOG_SCHEMA = "whatsapp-audit/redaction-log/1"
_NO_TIME = datetime(2000, 1, 1)  # date for lines before the first message when there is no message


class RedactionCheckError(WhatsAuditError):
    """The redacted copy would not parse like the exhibit; nothing is written."""

    exit_code = ExitCode.INTERNAL


@dataclass(frozen=True)
class LogEntry:
    """One replacement: where (line, column of the exhibit's chat text), in what part, what kind of
    thing, and what replaced it. The original value is only in the sealed record."""

    line: int | None  # None for a zip member's name
    column: int
    where: str  # author, system prefix, text, system event, file name, unparsed, zip member
    kind: str  # participant, person, name (shared word) or a marker type (PHONE, VRM ...)
    replacement: str
    rule: str | None
    original: str

    def record(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "where": self.where, "type": self.kind,
                "replacement": self.replacement, "rule": self.rule}


@dataclass
class Redaction:
    """What `redact_export` did: the log as a dict (`log`), the sealed originals, and notes."""

    log: dict[str, Any]
    entries: list[LogEntry]
    warnings: list[str] = field(default_factory=list)
    output_sha256: str = ""

    def sealed(self) -> dict[str, Any]:
        """The original value behind every log entry, for a sealed record (never for disclosure)."""
        return {
            "schema": "whatsapp-audit/redaction-sealed/1",
            "notice": "SENSITIVE: the original values behind a redacted copy. Keep sealed; never disclose.",
            "source_sha256": self.log["source"]["sha256"],
            "output_sha256": self.output_sha256,
            "entries": [{**entry.record(), "original": entry.original} for entry in self.entries],
        }


def operational_patterns(patterns_dirs: Sequence[Path] = (), include_default: bool = True,
                         policy: RedactionPolicy | None = None) -> PatternSet:
    """The rules whose findings a redaction masks: every operational-data rule loaded, with the
    policy's option overrides (`[rule_options]`: no score floor, drama-range numbers masked ...)."""
    policy = policy or load_policy()
    loaded = load_patterns(list(patterns_dirs), include_default=include_default)
    rules = tuple(replace(r, options={**r.options, **policy.options_for(r.id)})
                  for r in loaded.rules if r.category is Category.OPERATIONAL_DATA)
    ids = {r.id for r in rules}
    return PatternSet(rules, tuple(f for f in loaded.files if ids.intersection(f.rule_ids)))


def redaction_engine(patterns: PatternSet) -> Engine:
    """An engine with only the detectors these rules need (no spaCy for regex rules)."""
    wanted = {rule.detector for rule in patterns.rules}
    entries = tuple(entry for entry, cls in zip(DETECTORS, detector_classes(), strict=True) if cls.name in wanted)
    return Engine.build(patterns.rules, entries)


def redact_export(path: Path, output: Path, *, key: CaseKey, keep: Sequence[str] = (), include_media: bool = False,
                  date_order: str | None = None, patterns: PatternSet | None = None,
                  policy: RedactionPolicy | None = None) -> Redaction:
    """Write a redacted copy of the export at `path` to `output` (.zip: a zip; else the chat text).

    `key` gains the pseudonyms of new names (the caller saves it). Raises InputError for an
    unreadable export, RedactionCheckError if the copy would not parse like the exhibit.
    """
    build_cache.keep_out_of([path.parent])
    policy = policy or load_policy()
    patterns = patterns or operational_patterns(policy=policy)
    engine = redaction_engine(patterns)
    with open_export(path, date_order) as export:
        vocabulary = export.vocabulary
        with open_source(path, (vocabulary.chat_names, vocabulary.chat_prefixes)) as raw:
            if raw.info.sha256 != export.source.sha256:
                raise InputError(f"{path}: the file changed while it was being read; hash it again and re-run")
            survey = _first_pass(export, raw, engine, policy)
            people = cast(survey.participants, survey.persons, key, keep, policy)
            redactor = Redactor(policy, people.people, _text_detector(engine))
            writer = _Writer(export, redactor, survey.findings)
            chat_file = _temporary(output)
            try:
                with open(chat_file, "wb") as out:
                    writer.write(iter_segments(export, raw), out)
                check = _check_copy(chat_file, export, date_order, engine, redactor, policy)
                member_name, media = _container(export, raw, output, chat_file, writer, redactor, include_media)
            except BaseException:
                chat_file.unlink(missing_ok=True)
                raise
            source = export.source
            stats = export.stats
    sha = _sha256(output)
    entries = writer.entries + media.entries
    counts = Counter(entry.kind for entry in entries)
    log = {
        "schema": LOG_SCHEMA,
        "tool": {"name": "whatsapp-audit", "version": __version__},
        "policy": policy.record(),
        "patterns": [{"path": f.relative, "origin": f.origin, "sha256": f.sha256, "version": f.version}
                     for f in patterns.files],
        "source": {"path": source.path, "sha256": source.sha256, "container": source.container,
                   "chat_member": source.chat_member, "chat_sha256": source.chat_sha256},
        "output": {"path": str(output), "sha256": sha, "container": "zip" if _is_zip(output) else "txt",
                   "chat_member": member_name, "media": media.records, "media_left_out": media.left_out},
        "options": {"keep": list(keep), "include_media": include_media,
                    "key": None if key.path is None else {"path": str(key.path), "created": key.created}},
        "people": {"participants": people.participants, "persons": people.persons, "kept": len(people.kept),
                   "pseudonyms": sorted({p.pseudonym for p in people.people[:people.participants + people.persons]
                                         if p.pseudonym is not None}, key=_label_order)},
        "check": {"lines": stats.total_lines, "messages": stats.messages,
                  "same_lines_and_messages": True, "by_kind": {k: stats.kinds[k] for k in sorted(stats.kinds)},
                  "residual": check.residual, "not_applied": check.not_applied},
        "counts": {k: counts[k] for k in sorted(counts)},
        "replacements": [entry.record() for entry in entries],
    }
    warnings = list(check.warnings)
    warnings += [f"--keep {name!r} matches nobody in this export" for name in people.unmatched_keep]
    if media.left_out:
        warnings.append(f"{plural(media.left_out, 'media file')} of the zip {'was' if media.left_out == 1 else 'were'} left out of the copy "
                        "(--include-media to copy them)")
    if include_media and media.records:
        warnings.append("media files were copied as they are: images, video and documents are NOT redacted; review them before disclosure")
    return Redaction(log, entries, warnings, sha)


def _label_order(label: str) -> tuple[str, int, str]:
    prefix, _, rest = label.partition(" ")
    return (prefix, int(rest) if rest.isdigit() else len(rest), rest)


@dataclass
class _Survey:
    participants: list[str] = field(default_factory=list)
    persons: list[str] = field(default_factory=list)
    findings: dict[int, list[Finding]] = field(default_factory=dict)  # first line -> findings


def _first_pass(export: Export, raw: Source, engine: Engine, policy: RedactionPolicy) -> _Survey:
    survey = _Survey()
    for message, found in engine.run_messages(_examined(export, raw, survey, policy)):
        survey.findings[message.line] = found
        for finding in found:
            masking = policy.masking_for(finding.rule)
            if masking is not None and masking.span == PERSON and finding.normalised:
                survey.persons.append(finding.normalised)
    return survey


def _examined(export: Export, raw: Source, survey: _Survey, policy: RedactionPolicy) -> Iterator[Message]:
    """Every message as the detectors should see it for a redaction (system events examined like
    text, lines outside any message as one text each), noting the participants on the way."""
    last: datetime | None = None
    waiting: list[Segment] = []
    for segment in iter_segments(export, raw):
        message = segment.message
        if message is None:
            waiting.append(segment)
            continue
        for stray in waiting:
            yield _loose(stray, last or message.timestamp)
        waiting = []
        last = message.timestamp
        if message.kind is MessageKind.SYSTEM:
            if message.system_prefix and is_phone_name(clean_name(message.system_prefix)):
                survey.participants.append(message.system_prefix)  # an actor shown by number
            survey.participants.extend(system_event_names(message.text, policy))
            yield replace(message, kind=MessageKind.TEXT)
        else:
            if message.author:
                survey.participants.append(message.author)
            yield message
    for stray in waiting:
        yield _loose(stray, last or _NO_TIME)


def _loose(segment: Segment, when: datetime) -> Message:
    return Message(-segment.first_line, segment.first_line, segment.last_line, when, "", None, segment.text,
                   MessageKind.TEXT)


def _text_detector(engine: Engine) -> Any:
    def detect(text: str, when: datetime) -> list[Finding]:
        return engine.examine(Message(-1, 0, 0, when, "", None, text, MessageKind.TEXT), (), ())

    return detect


class _Writer:
    """Writes the redacted chat text segment by segment and records every replacement."""

    def __init__(self, export: Export, redactor: Redactor, findings: dict[int, list[Finding]]) -> None:
        self.encoding = export.encoding
        self.redactor = redactor
        self.findings = findings
        self.entries: list[LogEntry] = []
        self.rewritten_undecodable: list[int] = []
        self.last_time: datetime = _NO_TIME

    def write(self, segments: Iterator[Segment], out: BinaryIO) -> None:
        errors = codec_errors(self.encoding)
        if self.encoding.bom:
            out.write("\ufeff".encode(self.encoding.name))
        for segment in segments:
            if segment.message is not None:
                self.last_time = segment.message.timestamp
            for line, new_text in zip(segment.lines, self._redacted(segment), strict=True):
                if new_text is None:
                    out.write((line.original + line.ending).encode(self.encoding.name, errors))
                else:
                    out.write((new_text + line.ending).encode(self.encoding.name, errors))

    def _redacted(self, segment: Segment) -> list[str | None]:
        """The new text of each line of the segment (None: unchanged, write the original bytes)."""
        text = segment.text
        replacements = self._replacements(segment, text)
        if not replacements:
            return [None] * len(segment.lines)
        for replacement, where in replacements:
            line, column = _position(text, replacement.start, segment.first_line)
            self.entries.append(LogEntry(line, column, where, replacement.label if replacement.kind == MARKER else replacement.kind,
                                         replacement.text, replacement.rule, text[replacement.start:replacement.end]))
        new_lines = apply(text, [r for r, _ in replacements]).split("\n")
        out: list[str | None] = []
        for number, (old, new) in enumerate(zip(segment.lines, new_lines, strict=True)):
            if new == old.text:
                out.append(None)
            else:
                if not old.clean:
                    self.rewritten_undecodable.append(segment.first_line + number)
                out.append(new)
        return out

    def _replacements(self, segment: Segment, text: str) -> list[tuple[Replacement, str]]:
        message = segment.message
        findings = self.findings.get(segment.first_line, [])
        if message is None:
            found = self.redactor.text(text, findings, when=self.last_time)
            return [(r, "unparsed") for r in found]
        header_end = len(message.header) if text.startswith(message.header) else 0
        # The body is the end of the message's lines; if the parser ever trims it, it is still inside them.
        if text.endswith(message.text) and len(text) - len(message.text) >= header_end:
            body_start = len(text) - len(message.text)
        else:
            body_start = text.find(message.text, header_end) if message.text else -1
        aligned = body_start >= 0
        body_start = body_start if aligned else header_end
        out: list[tuple[Replacement, str]] = []
        speaker = text[header_end:body_start]
        if message.author and speaker.startswith(message.author):
            out += [(r.shifted(header_end), "author") for r in self.redactor.author(message.author)]
        elif speaker:
            out += [(r, "system prefix") for r in self.redactor.matcher.find(text, header_end, body_start)]
        where = "system event" if message.kind is MessageKind.SYSTEM else "text"
        body = self.redactor.text(text, findings if aligned else (), message.attachments, message.timestamp, body_start)
        for replacement in body:
            inside_file = any(replacement.start >= at and replacement.end <= at + len(a.name)
                              for a in message.attachments if a.name
                              for at in _all(text, a.name, body_start))
            out.append((replacement, "file name" if inside_file else where))
        return out


def _all(text: str, needle: str, start: int) -> Iterator[int]:
    at = text.find(needle, start)
    while at >= 0:
        yield at
        at = text.find(needle, at + len(needle))


def _position(text: str, offset: int, first_line: int) -> tuple[int, int]:
    line = first_line + text.count("\n", 0, offset)
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


@dataclass
class _Check:
    residual: dict[str, Any]
    not_applied: list[dict[str, Any]]
    warnings: list[str]


def _check_copy(chat_file: Path, export: Export, date_order: str | None, engine: Engine, redactor: Redactor,
                policy: RedactionPolicy) -> _Check:
    """Parse the copy: same lines, messages and kinds as the exhibit, or no copy. Then look for what
    should not be there any more: values of a masked kind, and names of replaced people."""
    expected = export.stats
    values: Counter[str] = Counter()
    value_lines: set[int] = set()
    name_lines: set[int] = set()
    names = 0

    # The markers are taken out before the detectors look again: "[VRM]" is itself a context word
    # for plates, and would make a number beside it look like one that was missed.
    markers = regex.compile("|".join(regex.escape(marker_text(m)) for m in sorted(policy.marker_names())))

    def examined(messages: Iterator[Message]) -> Iterator[Message]:
        nonlocal names
        for message in messages:
            for part in (message.author, message.system_prefix, message.text):
                found_names = redactor.matcher.names_in(part) if part else []
                names += len(found_names)
                if found_names:
                    name_lines.add(message.line)
            kind = MessageKind.TEXT if message.kind is MessageKind.SYSTEM else message.kind
            yield replace(message, kind=kind, text=markers.sub("[]", message.text))

    with open_export(chat_file, date_order or export.survey.date_order) as copy:
        for _message, found in engine.run_messages(examined(copy.iter_messages())):
            for finding in found:
                masking = policy.masking_for(finding.rule)
                if masking is None:
                    continue
                if masking.span == PERSON:
                    person = redactor.person(finding.normalised or "")
                    if person is None or person.pseudonym is None:
                        continue  # a kept person, or a name the export never had (a pseudonym)
                owner = redactor.matcher.number_owner(finding.matched or "")
                if owner is not None and owner.pseudonym is None:
                    continue  # a kept person's own number
                values[finding.rule] += 1
                value_lines.add(finding.line)
        got = copy.stats
    if (got.total_lines, got.messages, got.unparsed_lines) != (expected.total_lines, expected.messages, expected.unparsed_lines) \
            or got.kinds != expected.kinds:
        raise RedactionCheckError(
            f"{export.source.path}: the redacted copy would not parse like the export ({got.total_lines} lines and "
            f"{got.messages} messages against {expected.total_lines} and {expected.messages}); nothing was written. "
            "Please report this with the log of the run")
    timeouts: tuple[RegexTimeout, ...] = engine.timeouts
    not_applied = [{"line": t.line, "rule": t.rule} for t in timeouts]
    warnings = []
    if values:
        warnings.append(f"the copy still holds {plural(sum(values.values()), 'value')} of a masked kind "
                        f"(lines {_lines(value_lines)}); check them by hand")
    if names:
        warnings.append(f"the copy still names replaced people {plural(names, 'time')} (lines {_lines(name_lines)}); "
                        "check them by hand")
    if not_applied:
        warnings.append(f"{plural(len(not_applied), 'rule')} ran out of time on some lines and {'was' if len(not_applied) == 1 else 'were'} "
                        "not applied there "
                        f"(lines {_lines({t.line for t in timeouts})}); check those lines by hand")
    residual = {"values": dict(sorted(values.items())), "value_lines": sorted(value_lines),
                "names": names, "name_lines": sorted(name_lines)}
    return _Check(residual, not_applied, warnings)


def _lines(numbers: set[int]) -> str:
    shown = sorted(numbers)
    text = ", ".join(str(n) for n in shown[:20])
    return text + (f" and {len(shown) - 20} more" if len(shown) > 20 else "")


@dataclass
class _Media:
    records: list[dict[str, Any]] = field(default_factory=list)
    entries: list[LogEntry] = field(default_factory=list)
    left_out: int = 0


def _container(export: Export, raw: Source, output: Path, chat_file: Path, writer: _Writer, redactor: Redactor,
               include_media: bool) -> tuple[str | None, _Media]:
    """Move the checked chat text into place: as the file itself, or inside a new zip."""
    members = export.media_members()
    media = _Media()
    if not _is_zip(output):
        media.left_out = len(members)
        os.replace(chat_file, output)
        return None, media
    chat_name = export.source.chat_member or Path(export.source.path).name
    member, _ = redactor.file_name(PurePosixPath(chat_name).name, writer.last_time)
    zip_file = _temporary(output)
    try:
        with zipfile.ZipFile(zip_file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            _add(archive, member, chat_file.read_bytes())
            for item in members:
                if not include_media or item.note is not None:
                    media.left_out += 1
                    continue
                data = raw.read_media(item.name, item.size)
                if data is None:
                    media.left_out += 1
                    continue
                folder, _, base = item.name.replace("\\", "/").rpartition("/")
                new_base, inside = redactor.file_name(base, writer.last_time)
                new_name = f"{folder}/{new_base}" if folder else new_base
                _add(archive, new_name, data)
                media.records.append({"name": new_name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                                      "renamed": new_name != item.name})
                for r in inside:
                    media.entries.append(LogEntry(None, r.start + 1, "zip member", r.label if r.kind == MARKER else r.kind,
                                                  r.text, r.rule, base[r.start:r.end]))
        os.replace(zip_file, output)
    except BaseException:
        zip_file.unlink(missing_ok=True)
        raise
    finally:
        chat_file.unlink(missing_ok=True)
    return member, media


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # fixed: same input, same bytes
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def _is_zip(path: Path) -> bool:
    return path.suffix.lower() == ".zip"


def _temporary(output: Path) -> Path:
    """A new empty file beside `output` (so the final rename stays on one file system), created
    with the usual permissions: the copy is meant to be shared."""
    folder = output.parent if str(output.parent) else Path(".")
    for _ in range(100):
        path = folder / f".wa-audit-{secrets.token_hex(6)}.part"
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            return path
        except FileExistsError:
            continue
        except OSError as error:
            raise UsageError(f"{output}: cannot be written ({(error.strerror or '').lower()})") from None
    raise UsageError(f"{output}: cannot make a temporary file beside it")


def _sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()

