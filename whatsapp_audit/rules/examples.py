"""Turn a rule's examples into messages and windows, so every example runs as a test.

Used by the auto-generated example tests and by `patterns validate`. An example is a string (one
text message) or a table with `text`, optional `attachment` (making it a media message), `author`,
and `before`/`after` neighbours; neighbours are one minute apart and by the same author unless
they name one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from whatsapp_audit.detect.base import Rule, Window
from whatsapp_audit.model import Attachment, MediaType, Message, MessageKind

BASE_TIME = datetime(2024, 3, 14, 9, 0)

_EXTENSIONS = {
    MediaType.IMAGE: (".jpg", ".jpeg", ".png", ".heic", ".webp", ".bmp", ".tif", ".tiff"),
    MediaType.VIDEO: (".mp4", ".mov", ".3gp", ".avi", ".mkv"),
    MediaType.AUDIO: (".opus", ".ogg", ".m4a", ".mp3", ".aac", ".wav"),
    MediaType.DOCUMENT: (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".txt", ".csv", ".rtf"),
    MediaType.CONTACT: (".vcf",),
}
_PLACEHOLDER_WORDS = {
    "image": MediaType.IMAGE, "photo": MediaType.IMAGE, "video": MediaType.VIDEO,
    "audio": MediaType.AUDIO, "sticker": MediaType.STICKER, "gif": MediaType.GIF,
    "document": MediaType.DOCUMENT, "contact": MediaType.CONTACT,
}


@dataclass(frozen=True)
class ExampleCase:
    """One example of one rule, ready to run: `expect` is True for `match`, False for `no_match`."""

    rule: Rule
    expect: bool
    position: int
    example: Any

    @property
    def label(self) -> str:
        return f"{self.rule.id}-{'match' if self.expect else 'no_match'}-{self.position}"


def attachment_for(name: str) -> Attachment:
    """An `Attachment` from a file name or a placeholder such as "<Media omitted>"."""
    lowered = name.lower().strip()
    if "omitted" in lowered or lowered.startswith("<"):
        kind = next((t for word, t in _PLACEHOLDER_WORDS.items() if word in lowered), MediaType.UNKNOWN)
        return Attachment(name=name, media_type=kind, omitted=True)
    for kind, extensions in _EXTENSIONS.items():
        if lowered.endswith(extensions):
            if kind is MediaType.IMAGE and lowered.startswith("stk-"):
                return Attachment(name=name, media_type=MediaType.STICKER, omitted=False)
            return Attachment(name=name, media_type=kind, omitted=False)
    return Attachment(name=name, media_type=MediaType.UNKNOWN, omitted=False)


def _message(index: int, author: str, text: str, attachment: str | None) -> Message:
    when = BASE_TIME + timedelta(minutes=index)
    header = f"{when:%d/%m/%Y, %H:%M} - {author}: "
    attachments = (attachment_for(attachment),) if attachment else ()
    return Message(
        index=index, line=index + 1, end_line=index + 1 + text.count("\n"), timestamp=when,
        header=header, author=author, text=text,
        kind=MessageKind.MEDIA if attachments else MessageKind.TEXT, attachments=attachments,
    )


def _neighbour(item: str | Mapping[str, Any], author: str) -> tuple[str, str, str | None]:
    if isinstance(item, str):
        return author, item, None
    return item.get("author", author), item["text"], item.get("attachment")


def build_example(example: str | Mapping[str, Any], *, author: str = "Example Author") -> tuple[Message, Window]:
    """The message an example describes, with its neighbours as a `Window`."""
    if isinstance(example, str):
        return _message(0, author, example, None), Window()
    author = example.get("author", author)
    before_raw: Sequence[Any] = example.get("before", ())
    after_raw: Sequence[Any] = example.get("after", ())
    before = [_message(i, *_neighbour(item, author)) for i, item in enumerate(before_raw)]
    index = len(before)
    target = _message(index, author, example["text"], example.get("attachment"))
    after = [_message(index + 1 + i, *_neighbour(item, author)) for i, item in enumerate(after_raw)]
    return target, Window(before=tuple(before), after=tuple(after))


def example_cases(rules: Iterable[Rule]) -> list[ExampleCase]:
    """Every example of every rule, in rule order."""
    cases: list[ExampleCase] = []
    for rule in rules:
        cases.extend(ExampleCase(rule, True, n, ex) for n, ex in enumerate(rule.examples_match, 1))
        cases.extend(ExampleCase(rule, False, n, ex) for n, ex in enumerate(rule.examples_no_match, 1))
    return cases


@dataclass(frozen=True)
class ExampleFailure:
    """An example that did not behave as its rule says (never quotes the example's text)."""

    source: str
    line: int
    rule: str
    problem: str


def check_examples(patterns: Any, detectors: Mapping[str, Any]) -> list[ExampleFailure]:
    """Configure each detector with its rules and run every example; rules whose detector is not in
    `detectors` are skipped (the caller warns about them)."""
    from whatsapp_audit.detect.nlp import load_nlp

    if any(detector.needs_tokens for detector in detectors.values()):
        load_nlp()
    for name, detector in detectors.items():
        detector.configure(patterns.rules_for(name))
    failures: list[ExampleFailure] = []
    for case in example_cases(rule for rule in patterns.rules if rule.detector in detectors):
        message, window = build_example(case.example)
        fired = {finding.rule for finding in detectors[case.rule.detector].detect(message, window)}
        if (case.rule.id in fired) != case.expect:
            kind = "match" if case.expect else "no_match"
            verb = "did not fire" if case.expect else "fired"
            failures.append(ExampleFailure(case.rule.source, case.rule.source_line, case.rule.id,
                                           f"examples.{kind} #{case.position} {verb}"))
    return failures
