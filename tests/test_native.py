"""The C accelerator and the pure-Python parser agree (docs/native.md).

Generated exports of every header shape the field guide lists (Android, iOS, legacy iOS; 12- and
24-hour clocks; day, month or year first), with multi-line bodies, system events, media, deleted and
edited messages, quoted names, damaged headers, text before the first header, header-like lines of
another style inside a body, BOM, CRLF and bytes that are not UTF-8: both paths must give the same
messages, the same stats (unparsed regions, line counts, kinds, authors, ...) and the same `parse`
output, byte for byte.
"""

from __future__ import annotations

import functools
import io
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from export_shapes import RENDERERS
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from whatsapp_audit import native
from whatsapp_audit.ingest.export import open_export
from whatsapp_audit.ingest.openings import ascii_openings, ascii_prefixes, may_open, may_open_prefixes
from whatsapp_audit.native import PURE_VARIABLE
from whatsapp_audit.report.messages import RECORDS, write_jsonl, write_jsonl_segments

needs_native = pytest.mark.skipif(
    not native.available(),
    reason="the C accelerator is not built here (python setup.py build_ext --inplace); nothing to compare",
)

NAMES = ["Ana Pike", "Bo Reed", "+44\u00a07700\u00a0900123", "~\u202fRay Sol", "\u202a+44 7700 900456\u202c", "Zoë Ünal", "李雷"]
BODIES = [
    "Parade at 0700 tomorrow", "Sorted 👍", "Can someone swap my late?", "lol", "Location: https://maps.example/x",
    "This message was deleted", "You deleted this message", "<Media omitted>", "IMG-20210103-WA0008.jpg (file attached)",
    "\u200eimage omitted", "\u200e<attached: 00000012-PHOTO-2021-01-03-07-21-09.jpg>", "Missed voice call",
    "\u200eMissed voice call", "POLL:\nShift swap?\nOPTION: yes (1 vote)", "Moved to room 4 <This message was edited>",
    "null", "Waiting for this message. This may take a while.", "View once message", "", "  ", "\u200e",
    "Ping: \u200eAna added Bo", "Time 18:05 - on the dot", "Meet at 14/03/2022, 18:05 - the usual",
]
SYSTEM = ["Ana Pike added Bo Reed", "Bo Reed left", "Ana Pike changed this group's icon", "You joined using this group's invite link",
          'Ana Pike changed the subject from "Nights: 2" to "Days"', "Something WhatsApp never wrote"]
CONTINUATIONS = ["- kit check Monday", "crisps", "", "[14/03/2022, 18:05:09] pasted from iOS", "14/03/2022, 18:05 - pasted",
                 "3/14/23, 6:05\u202fPM - pasted", "\u202e reversed", "Bo: not a header"]
LINE = st.one_of(
    st.tuples(st.just("text"), st.sampled_from(NAMES), st.sampled_from(BODIES),
              st.lists(st.sampled_from(CONTINUATIONS), max_size=3)),
    st.tuples(st.just("free"), st.sampled_from(NAMES), st.text(max_size=12), st.lists(st.text(max_size=8), max_size=2)),
    st.tuples(st.just("system"), st.just(""), st.sampled_from(SYSTEM), st.just([])),
    st.tuples(st.just("impossible"), st.sampled_from(NAMES), st.sampled_from(BODIES), st.just([])),
    st.tuples(st.just("marks"), st.sampled_from(NAMES), st.sampled_from(BODIES), st.just([])),
    st.tuples(st.just("empty"), st.sampled_from(NAMES), st.just(""), st.just([])),
)
SUPPRESS = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


def _impossible(header: str) -> str:
    """The same header with a day no month has (32), in whatever date order."""
    return header.replace("14", "32", 1) if "14" in header else header.replace("3", "39", 1)


def _export(shape: str, lines: list[tuple[str, str, str, list[str]]], steps: list[int], preamble: bool) -> str:
    render = RENDERERS[shape][0]
    when = datetime(2022, 3, 14, 9, 5, 7)
    out = ["Some text before any header"] if preamble else []
    for (kind, name, body, more), step in zip(lines, steps, strict=False):
        when += timedelta(minutes=step)
        header = render(when)
        if kind == "system":
            out.append(header + body)
        elif kind == "impossible":
            out.append(_impossible(header) + f"{name}: {body}")
        elif kind == "marks":
            out.append("\u200e" + header + f"{name}: \u200e{body}")
        elif kind == "empty":
            out.append(header + f"{name}:")
        else:
            out.append(header + f"{name}: {body}")
        out.extend(more)
    return "\n".join(out)


def _run(path: Path, pure: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[list[object], object, bytes, bytes, object,
                                                                          tuple[int, object]]:
    """Messages, stats and records from the messages; then the records and stats as `parse --format
    jsonl` writes them (`Export.iter_record_segments`: from the text itself on the C path); then the
    count and stats of `inspect` (`Export.count_messages`: no message built on the C path)."""
    if pure:
        monkeypatch.setenv(PURE_VARIABLE, "1")
    else:
        monkeypatch.delenv(PURE_VARIABLE, raising=False)
    with open_export(path) as export:
        messages = list(export.iter_messages())
        stats = export.stats
        written = []
        for write in (lambda out: write_jsonl(iter(messages), out),
                      lambda out: write_jsonl_segments(export.iter_record_segments(RECORDS), out)):
            buffer = io.BytesIO()
            out = io.TextIOWrapper(buffer, encoding="utf-8", newline="")
            write(out)
            out.flush()
            written.append(buffer.getvalue())
        parse_stats = export.stats
        counted = export.count_messages(RECORDS)
        return messages, stats, written[0], written[1], parse_stats, (counted, export.stats)


def _same(path: Path, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    reference = _run(path, True, monkeypatch)
    fast = _run(path, False, monkeypatch)
    assert fast[0] == reference[0]
    assert [type(m.kind) for m in fast[0]] == [type(m.kind) for m in reference[0]]  # type: ignore[attr-defined]
    assert fast[1] == reference[1]
    assert fast[2] == reference[2]
    assert reference[3] == reference[2]  # the pure path's parse output is its records of the messages
    assert fast[3] == reference[2]  # the C path's, from the text, is the same bytes
    assert fast[4] == reference[1]
    assert list(fast[4].authors) == list(reference[1].authors)  # type: ignore[attr-defined]  # in the same order
    assert list(fast[4].kinds) == list(reference[1].kinds)  # type: ignore[attr-defined]
    for counted, counted_stats in (reference[5], fast[5]):  # inspect's reading: the same count and stats
        assert counted == len(reference[0])
        assert counted_stats == reference[1]
        assert list(counted_stats.authors) == list(reference[1].authors)  # type: ignore[attr-defined]
        assert list(counted_stats.kinds) == list(reference[1].kinds)  # type: ignore[attr-defined]
    return reference[0]


@needs_native
@settings(max_examples=120, deadline=None, suppress_health_check=SUPPRESS)
@given(
    shape=st.sampled_from(sorted(RENDERERS)),
    lines=st.lists(LINE, min_size=1, max_size=12),
    steps=st.lists(st.sampled_from([0, 0, 1, 7, 60 * 13, 60 * 24 * 40, -3]), min_size=12, max_size=12),
    preamble=st.booleans(),
    newline=st.sampled_from(["\n", "\r\n", "\r\r\n"]),
    bom=st.booleans(),
    damage=st.booleans(),
)
def test_both_paths_give_the_same_messages_stats_and_output(tmp_path, monkeypatch, shape, lines, steps, preamble, newline,
                                                            bom, damage):
    text = _export(shape, lines, steps, preamble).replace("\n", newline) + newline
    data = text.encode("utf-8", "surrogatepass")
    if damage:  # a byte that is not UTF-8 in the middle of the file
        middle = data.find(b"\n", len(data) // 2)
        data = data[: middle] + b" \xff\xfe" + data[middle:] if middle > 0 else data
    path = tmp_path / "exhibit" / "chat.txt"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    try:
        _same(path, monkeypatch)
    except Exception as error:  # an export both paths refuse is refused the same way
        if type(error).__name__ != "InputError":
            raise


@needs_native
@pytest.mark.parametrize("shape", sorted(RENDERERS))
def test_every_shape_is_read_by_both_paths(tmp_path, monkeypatch, shape):
    lines = [("text", name, body, []) for name, body in zip(NAMES * 4, BODIES, strict=False)]
    lines += [("system", "", body, []) for body in SYSTEM] + [("text", "Ana Pike", "Reminder:", CONTINUATIONS)]
    path = tmp_path / "exhibit" / "chat.txt"
    path.parent.mkdir()
    path.write_text(_export(shape, lines, [1] * len(lines), True), encoding="utf-8")
    messages = _same(path, monkeypatch)
    assert len(messages) >= len(lines)  # a pasted line in the export's own style is a header


@needs_native
def test_a_block_boundary_inside_a_message_and_many_blocks(tmp_path, monkeypatch):
    """Over 1 MiB of text: blocks are cut at line ends, so a message's lines may span two blocks."""
    render = RENDERERS["A1"][0]
    when = datetime(2022, 3, 14, 9, 5)
    lines = []
    for i in range(16_000):
        lines.append(render(when + timedelta(minutes=i // 3)) + f"{NAMES[i % len(NAMES)]}: {BODIES[i % len(BODIES)]}")
        if i % 5 == 0:
            lines.extend(["a continuation line of some length " * 2, "and another"])
    path = tmp_path / "exhibit" / "chat.txt"
    path.parent.mkdir()
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert len(_same(path, monkeypatch)) == 16_000


@needs_native
def test_many_authors_across_blocks_keep_their_counts_and_names(tmp_path, monkeypatch):
    """More authors than the C writer keeps at hand (it counts a recent author's messages in C and adds
    them up later): the stats, their order and the records stay those of the Python path."""
    render = RENDERERS["A1"][0]
    when = datetime(2022, 3, 14, 9, 5)
    names = [f"Officer {i:03d}" for i in range(300)] + ["Zoë Ünal", "李雷", "~\u202fRay Sol"]
    lines = []
    for i in range(20_000):
        name = names[(i * 7) % len(names)] if i % 3 else names[i % 5]  # a few regulars and many others
        lines.append(render(when + timedelta(minutes=i // 4)) + f"{name}: {BODIES[i % len(BODIES)]} {i}")
        if i % 11 == 0:
            lines.append("a continuation line, long enough to move the block boundary around a bit")
    path = tmp_path / "exhibit" / "chat.txt"
    path.parent.mkdir()
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert len(_same(path, monkeypatch)) == 20_000


# Media messages of the attached-file form, which the C loop reads itself (_native.attached_file):
# file names of every shape body.media_type_of and body._suffix read (iOS type words, extensions in
# any case, folders, dots at either end, none), every suffix of the vocabulary, and the near misses
# that classify reads otherwise (no name, a "<", an edited ">", a whole-body phrase, marks, tabs,
# text that is not ASCII, a caption on the next lines).
FILE_NAME = st.text(alphabet="aZ09-./ \tPHOTOVIDEAUSTICKRGFjpgé", max_size=14) | st.sampled_from([
    "IMG-20210103-WA0008.jpg", "00000012-PHOTO-2021-01-03-07-21-09.JPG", "x-AUDIO-.opus", "a/b/c.PDF", "a/./", ".hidden",
    "x.", "noext", "report.final.Docx", "a..webp", "STK-1.webp", "photo 📷.jpg", "\u200eIMG-3.jpg", "-sticker-.gif", "",
])
MEDIA_SUFFIX = st.sampled_from(["(file attached)", "(Datei angehängt)", "(FILE ATTACHED)", "(file attached", "attached)", ")"])


@needs_native
@settings(max_examples=40, deadline=None, suppress_health_check=SUPPRESS)
@given(rows=st.lists(st.tuples(FILE_NAME, st.sampled_from(["", " ", "  ", "\t", "\u200e"]), MEDIA_SUFFIX,
                               st.sampled_from(["", " ", "\u200e", ">", " <x>"]),
                               st.lists(st.sampled_from(["caption", "", "ends >"]), max_size=2)),
                     min_size=1, max_size=12),
       name=st.sampled_from(NAMES))
def test_attached_file_media_are_read_alike_by_both_paths(tmp_path, monkeypatch, rows, name):
    render = RENDERERS["A1"][0]
    when = datetime(2022, 3, 14, 9, 5)
    lines = []
    for k, (file_name, gap, suffix, tail, caption) in enumerate(rows):
        lines.append(render(when + timedelta(minutes=k)) + f"{name}: {file_name}{gap}{suffix}{tail}")
        lines.extend(caption)
    lines.append(render(when) + "Bo Reed: This message was deleted")
    path = tmp_path / "exhibit" / "chat.txt"
    path.parent.mkdir(exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _same(path, monkeypatch)


@needs_native
def test_the_accelerator_is_off_when_asked(monkeypatch):
    monkeypatch.setenv(PURE_VARIABLE, "1")
    assert native.accelerator() is None
    monkeypatch.setenv(PURE_VARIABLE, "0")
    assert native.accelerator() is not None


@pytest.mark.parametrize("pattern, text, can_open", [
    ("(?i:this message was deleted)", "This message was deleted", True),
    ("(?i:this message was deleted)", "Sorted", False),
    ("(?i:ſtop)", "Stop", True),  # U+017F matches "s" case-insensitively: the gate must let "S" through
    ("POLL:", "poll: x", True),  # the gate is case-blind; the regex then says no
    ("a|", "zzz", True),  # can match empty: no gate
    (".x", "zx", True),  # a wildcard: no gate
    ("(?:Missed )?(voice|video) call", "video call", True),
])
def test_the_opening_gate_never_turns_away_a_match(pattern, text, can_open):
    import re

    compiled = re.compile(pattern)
    assert may_open(text, ascii_openings(compiled)) is can_open
    if compiled.match(text):
        assert may_open(text, ascii_openings(compiled))
        assert may_open_prefixes(text, ascii_prefixes(compiled))


@pytest.mark.parametrize("pattern, text, can_open", [
    ("(?i:this message was deleted)", "That's hilarious", False),  # "th" opens both: the third letter tells
    ("(?i:this message was deleted)", "THIS", True),
    ("(?i:th)", "the", True),  # the match may end after two letters: any third one
    ("(?i:lo(?:cation|ol))", "lol", False),
    ("(?i:lo(?:cation|ol))", "loo", True),
    ("(?i:ſtop)", "Stop", True),  # U+017F matches "s" case-insensitively
    ("a|", "zzz", True),  # can match empty: no gate
    ("x.y", "xzy", True),  # a wildcard second: any third
    ("(?i:ab[^c])", "abd", True),
    ("(?:Missed )?(voice|video) call", "vie", False),
    ("(?:Missed )?(voice|video) call", "mis", True),
    ("[a-z]+:", "zq", True),  # a class repeated: every prefix of it
])
def test_the_three_letter_gate_never_turns_away_a_match(pattern, text, can_open):
    import re

    compiled = re.compile(pattern)
    assert may_open_prefixes(text, ascii_prefixes(compiled)) is can_open


SPECIAL_OPENINGS = ["Missed voice call", "missed VIDEO call", "Video call", "POLL:", "poll:", "Location: https://x", "Llamada perdida",
                    "This message was deleted by Ana", "Échec de l'appel", "Sprachanruf", "Chamada de voz", "Standort: http://"]


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(
    st.text(alphabet="MmIiSsVvOoCcAaLlPpTtEeHhUuDdſ\u212aÉé :.-\u200e", max_size=14),
    st.sampled_from(SPECIAL_OPENINGS).flatmap(lambda s: st.sampled_from([s, s.upper(), s.lower(), s.swapcase()])),
))
def test_the_special_start_gate_lets_every_match_through(text):
    from whatsapp_audit.ingest.vocabulary import load_vocabulary

    vocabulary = load_vocabulary()
    if vocabulary.special_start.match(text):
        assert may_open(text, vocabulary.special_openings)
        assert may_open_prefixes(text, ascii_prefixes(vocabulary.special_start))


@settings(max_examples=500, deadline=None)
@given(name=st.text(alphabet="ab./\\ é", max_size=12))
def test_a_file_name_suffix_is_read_as_pathlib_reads_it(name):
    from pathlib import PurePosixPath

    from whatsapp_audit.ingest.body import _suffix

    assert _suffix(name) == PurePosixPath(name).suffix


def _message(index, text, author, kind, attachments, prefix, edited, recognised, when):
    from whatsapp_audit.model import Message

    return Message(index, index + 1, index + 1 + text.count("\n"), when, "14/03/2022, 18:05 - ", author, text, kind,
                   attachments, prefix, edited, recognised)


@needs_native
@settings(max_examples=200, deadline=None, suppress_health_check=SUPPRESS)
@given(rows=st.lists(st.tuples(
    st.one_of(st.text(max_size=20), st.just("half \ud83d of an emoji")),  # control characters, quotes, emoji, a lone surrogate
    st.one_of(st.none(), st.just(""), st.sampled_from(NAMES), st.text(max_size=6)),
    st.sampled_from(["text", "media", "system", "deleted", "edited"]),
    st.lists(st.tuples(st.text(max_size=8), st.sampled_from(["image", "video", "unknown"]), st.booleans()), max_size=2),
    st.one_of(st.none(), st.text(max_size=5)),
    st.booleans(),
    st.sampled_from([None, True, False]),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)),
), max_size=6))
def test_the_c_records_are_the_python_records(rows, monkeypatch):
    from whatsapp_audit.model import Attachment, MediaType, MessageKind

    messages = [
        _message(i, text, author, MessageKind(kind), tuple(Attachment(n, MediaType(t), o) for n, t, o in files), prefix,
                 edited, recognised, when.replace(microsecond=0))
        for i, (text, author, kind, files, prefix, edited, recognised, when) in enumerate(rows)
    ]

    def written(pure: bool) -> bytes:
        monkeypatch.setenv(PURE_VARIABLE, "1" if pure else "0")
        buffer = io.BytesIO()
        out = io.TextIOWrapper(buffer, encoding="utf-8", newline="", errors="surrogatepass")
        write_jsonl(iter(messages), out)
        out.flush()
        return buffer.getvalue()

    assert written(pure=False) == written(pure=True)


NOISE = st.text(alphabet="0123456789\u0663\u0661/.-,: [\u200e\u200f\u202aAaPpMm xé", max_size=24)


@needs_native
@settings(max_examples=300, deadline=None, suppress_health_check=SUPPRESS)
@given(shape=st.sampled_from(sorted(RENDERERS)),
       rows=st.lists(st.tuples(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)),
                               st.sampled_from(["", "\u200e", "0"]), NOISE), min_size=1, max_size=8))
def test_the_survey_gate_never_turns_away_a_header_above_12(shape, rows):
    """`_native.may_hold_date` lets the survey skip a block; it must say "perhaps" wherever the
    survey's regexes find a date number above 12 (headers of every shape, marks and zeros added,
    noise lines of digits and separators)."""
    from whatsapp_audit.ingest.shapes import SHAPES, style_of
    from whatsapp_audit.ingest.survey import _evidence_searches

    render = RENDERERS[shape][0]
    header = render(rows[0][0])
    match = next((m for m in (s.regex.match(header + "Ana: x") for s in SHAPES) if m is not None), None)
    assume(match is not None)
    name = next(s.name for s in SHAPES if s.regex.match(header + "Ana: x"))
    style = style_of(match)
    lines = []
    for when, extra, noise in rows:
        text = render(when)
        lines.append(extra + text + "Ana: " + noise if extra != "0" else text.replace("/", "/0", 1) + noise)
        lines.append(noise)
    block = "\n".join(lines)
    module = native.accelerator()
    for which, pattern, after_newline in _evidence_searches(name, style):
        if pattern.match(block) or after_newline.search(block):
            assert module.may_hold_date(block, style.date_sep, which == "second"), (which, block)
            assert module.may_hold_date(block.encode("utf-8"), style.date_sep, which == "second"), (which, block)
        if module.may_hold_date(block, style.date_sep, which == "second"):  # the raw bytes' gate is the wider one
            assert module.may_hold_date(block.encode("utf-8"), style.date_sep, which == "second"), (which, block)


@needs_native
@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=64) | st.lists(st.sampled_from([b"\n", b"ab", b"\r\n", b"\xe2\x80\x8e"])).map(b"".join),
       stop=st.integers(min_value=-70, max_value=70))
def test_the_line_count_is_bytes_count(data, stop):
    """lines.count_lf: the C count of LF bytes is `bytes.count`'s, slice bounds included."""
    from whatsapp_audit.ingest.lines import count_lf

    assert native.accelerator().count_lf(data, stop) == data.count(b"\n", 0, stop)
    assert count_lf(data) == data.count(b"\n")


def test_the_names_the_package_requires_are_those_the_stub_declares() -> None:
    """`native.REQUIRED` decides whether a build is used; a name added to the C module (and its stub)
    but not there would let a stale build through to fail mid-scan."""
    stub = (Path(native.__file__).parent / "_native.pyi").read_text(encoding="utf-8")
    declared = {line.split()[1].split("(")[0].rstrip(":") for line in stub.splitlines()
                if line.startswith(("def ", "class "))}
    assert declared == set(native.REQUIRED)


def test_a_build_from_an_older_checkout_is_not_used() -> None:
    """A module without a name the package calls (an `--inplace` build older than the source) is
    treated as absent: the pure-Python path runs instead of an AttributeError."""
    import types

    stale = types.ModuleType("whatsapp_audit._native")
    stale.INTERFACE = native.INTERFACE  # type: ignore[attr-defined]
    for name in native.REQUIRED[:-1]:
        setattr(stale, name, object())
    assert not native.usable(stale)
    setattr(stale, native.REQUIRED[-1], object())
    assert native.usable(stale)


def test_a_build_whose_functions_take_other_arguments_is_not_used() -> None:
    """Same names, older calling convention (a `gate_block` that took one argument fewer): treated as
    absent, so the scan takes the pure-Python path instead of a TypeError on its first block."""
    import types

    older = types.ModuleType("whatsapp_audit._native")
    for name in native.REQUIRED:
        setattr(older, name, object())
    assert not native.usable(older)  # built before the convention had a number
    older.INTERFACE = native.INTERFACE - 1  # type: ignore[attr-defined]
    assert not native.usable(older)


def test_the_calling_convention_number_moves_with_the_stub() -> None:
    """The stub declares every signature: when it changes, `native.INTERFACE` (and `WA_INTERFACE` in
    _native.c) must be bumped and `native.STUB_SHA256` set to the new stub's hash."""
    import hashlib

    folder = Path(native.__file__).parent
    stub = (folder / "_native.pyi").read_bytes()
    assert hashlib.sha256(stub).hexdigest() == native.STUB_SHA256, (
        "the stub changed: bump native.INTERFACE and WA_INTERFACE in _native.c, then set native.STUB_SHA256")
    source = (folder / "_native.c").read_text(encoding="utf-8")
    assert f"#define WA_INTERFACE {native.INTERFACE} " in source
    if native.available():
        assert native._module is not None and native._module.INTERFACE == native.INTERFACE


# The engine's block gate (`_native.gate_block`, `Engine._run_blocks`): the same choice of messages as
# `engine.python_gate_block`, and the same findings as the per-message loop of the pure path.
GATE_TEXTS = ["Parade at 0700 tomorrow", "lol", "Night all", "Cheers all \U0001F44D", "again, in the van", "last seen",
              "Body worn on?", "Scan of the form", "AB12 CDE outside", "call 07700 900123", "DOB 01/02/1990",
              "Op Nightjar briefing", "typical Latvian", "l o o k", "a b c d", "3x5x2", "w0men", "14th", "",
              "in confidence", "IMG-20210103-WA0008.jpg (file attached)", "x" * 300, "Caf\u00e9 \u00c9t\u00e9",
              "\u200eimage omitted", "Ok\u00a0sure", "Mixed CASE Words", "Straße"]
GATE_MESSAGE = st.tuples(
    st.one_of(st.sampled_from(GATE_TEXTS), st.text(alphabet="aeinost AI0147,.-\u00e9\U0001F44D\n", max_size=30)),
    st.sampled_from(["text", "text", "text", "media", "system", "deleted"]),
    st.booleans())


def _gate_messages(rows: list[tuple[str, str, bool]]) -> list[Any]:
    from whatsapp_audit.model import Attachment, MediaType, Message, MessageKind
    when = datetime(2024, 3, 1, 9, 0)
    messages = []
    for index, (text, kind, attached) in enumerate(rows):
        attachments = (Attachment("IMG-20240301-WA0001.jpg", MediaType.IMAGE, False),) if attached else ()
        messages.append(Message(index, index + 1, index + 1, when + timedelta(minutes=index), "", "Ana Pike", text,
                                MessageKind(kind), attachments,
                                system_recognised=(index % 2 == 0) if kind == "system" else None))
    return messages


def _bundled_engine() -> Any:
    from whatsapp_audit.detect.engine import Engine
    from whatsapp_audit.rules.loader import load_patterns
    return Engine.build(load_patterns().rules)


@functools.cache
def _shared_engine() -> Any:
    """One engine for every example of a test that only reads its gates (their memo of runs is a
    cache: an answer remembered from an earlier example is the answer computed afresh)."""
    return _bundled_engine()


@needs_native
@settings(max_examples=200, deadline=None, suppress_health_check=SUPPRESS)
@given(rows=st.lists(GATE_MESSAGE, max_size=40), start=st.integers(-2, 45), stop=st.integers(-2, 45))
def test_the_c_block_gate_chooses_the_messages_the_python_gate_does(rows, start, stop):
    from whatsapp_audit import _native
    from whatsapp_audit.detect.engine import python_gate_block
    from whatsapp_audit.model import MessageKind
    engine = _shared_engine()
    messages = _gate_messages(rows)
    memo, compute, pairs, filters = engine._runs.walk_parts()
    settings_ = (MessageKind.TEXT, memo, compute, pairs, filters, engine._wake_any, engine._quiet_longest,
                 engine._woken, engine._ungated_mask, engine._waker_test())
    assert _native.gate_block(messages, start, stop, *settings_) == python_gate_block(messages, start, stop, *settings_)


@needs_native
@settings(max_examples=25, deadline=None, suppress_health_check=SUPPRESS)
@given(rows=st.lists(GATE_MESSAGE, min_size=1, max_size=600), seed=st.integers(0, 3))
def test_the_block_loop_finds_what_the_message_loop_finds(rows, seed, monkeypatch):
    """Across blocks (up to 600 messages, blocks of 256), with and without a caller's `examine`,
    which is offered every message either way."""
    engine = _bundled_engine()
    messages = _gate_messages(rows)

    def run(pure: bool, examine: Any) -> list[tuple[int, Any]]:
        if pure:
            monkeypatch.setenv(PURE_VARIABLE, "1")
        else:
            monkeypatch.delenv(PURE_VARIABLE, raising=False)
        return [(m.index, f) for m, found in engine.run_messages(messages, examine) for f in found]

    assert run(False, None) == run(True, None)
    offered: dict[bool, list[int]] = {True: [], False: []}

    def examine_for(pure: bool) -> Any:
        def examine(message: Any) -> bool:
            offered[pure].append(message.index)
            return (message.index + seed) % 3 != 0
        return examine

    assert run(False, examine_for(False)) == run(True, examine_for(True))
    assert sorted(offered[False]) == offered[True] == list(range(len(messages)))


@needs_native
def test_a_bad_message_or_gate_raises_instead_of_crashing():
    from whatsapp_audit import _native
    from whatsapp_audit.model import MessageKind
    good = _gate_messages([("hello there", "text", False)])

    class Odd:
        kind = MessageKind.TEXT
        attachments = ()
        text = b"not text"

    def failing(run: str) -> int:
        raise RuntimeError(run)

    def woken(text: str, lowered: str, combined: int) -> int:
        return 1

    with pytest.raises(TypeError):
        _native.gate_block([Odd()], 0, 1, MessageKind.TEXT, {}, len, (), (), 0, 99, woken, 0)
    with pytest.raises(AttributeError):
        _native.gate_block([object()], 0, 1, MessageKind.TEXT, {}, len, (), (), 0, 99, woken, 0)
    with pytest.raises(RuntimeError):
        _native.gate_block(good, 0, 1, MessageKind.TEXT, {}, failing, (), (), 0, 99, woken, 0)
    with pytest.raises(ValueError):
        _native.gate_block(good, 0, 1, MessageKind.TEXT, {}, len, ((1, 2, 4),) * 33, (), 0, 99, woken, 0)
    # Quiet by the AND; by `woken` giving the quiet mask; listed when it does not.
    assert _native.gate_block(good, 0, 1, MessageKind.TEXT, {}, len, (), (), 0, 99, woken, 0) == []
    assert _native.gate_block(good, 0, 1, MessageKind.TEXT, {}, len, (), (), 1 << 2, 99, woken, 1) == []
    assert _native.gate_block(good, 0, 1, MessageKind.TEXT, {}, len, (), (), 1 << 2, 99, woken, 0) == [
        (0, "hello there", 5, 1)]
