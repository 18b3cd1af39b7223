"""A person's message is never a system event: unsaved numbers, `~ Name` authors, text that opens
with an invisible mark, people named like system phrases, in Android and iOS shape. And a system
event in no known phrase is examined, counted and listed, never silently skipped."""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from whatsapp_audit import parse
from whatsapp_audit.cli.app import main
from whatsapp_audit.model import MediaType, MessageKind, ShownAs, author_name
from whatsapp_audit.report.json_report import report_dict
from whatsapp_audit.report.render import render

LRM, NBSP, NNBSP, NBHY = "\u200e", "\u00a0", "\u202f", "\u2011"
LRE, RLE, PDF, FSI, PDI = "\u202a", "\u202b", "\u202c", "\u2068", "\u2069"

# One header per platform, as WhatsApp writes it (Android 24 h, iOS with seconds).
HEADERS = {
    "android": lambda n: f"17/09/2022, 14:{n:02d} - ",
    "ios": lambda n: f"[17/09/2022, 14:41:{n:02d}] ",
}
PLATFORMS = sorted(HEADERS)

# Phone-number authors in the wrappings of the field guide: U+202A ... U+202C with no-break spaces
# (iOS and Android), with non-breaking hyphens, as an isolate (U+2068 ... U+2069), in a right-to-left
# embedding (U+202B ... U+202C, seen round names in Android system lines), and after U+200E.
NUMBER_AUTHORS = [
    (f"{LRE}+44{NBSP}7700{NBSP}900123{PDF}", "+44 7700 900123"),
    (f"{LRE}+44 7700 900123{PDF}", "+44 7700 900123"),
    (f"{LRE}+51{NBSP}987{NBHY}654{NBHY}321{PDF}", "+51 987-654-321"),
    (f"{FSI}+44 7700 900456{PDI}", "+44 7700 900456"),
    (f"{RLE}+972 50{NBHY}123{NBHY}4567{PDF}", "+972 50-123-4567"),
    (f"{LRM}+44 7700 900789", "+44 7700 900789"),
]


def one_message(write_export, platform: str, rest: str):
    chat = parse(write_export(HEADERS[platform](1) + rest + "\n"))
    [message] = chat.messages
    return message, chat


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize(("author", "display"), NUMBER_AUTHORS)
def test_an_unsaved_number_is_the_author_in_every_wrapping(write_export, platform, author, display):
    message, chat = one_message(write_export, platform, f"{author}: Stopped AB12 CDE near SW1A 1AA")
    assert (message.author, message.kind, message.text) == (author, MessageKind.TEXT, "Stopped AB12 CDE near SW1A 1AA")
    assert message.examined and chat.stats.authors == {author: 1} and chat.stats.system_lines == 0
    assert (author_name(author).display, author_name(author).shown_as) == (display, ShownAs.NUMBER)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_text_opening_with_a_mark_is_still_the_persons(write_export, platform):
    message, _ = one_message(write_export, platform, f"Alice Gray: {LRM}No idea, lets try it out!")
    assert (message.author, message.kind, message.text) == ("Alice Gray", MessageKind.TEXT, f"{LRM}No idea, lets try it out!")


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("space", [NNBSP, NBSP])
def test_a_tilde_author_whose_text_looks_like_whatsapps_is_a_person(write_export, platform, space):
    author = f"~{space}Michelle"
    text = f"{LRM}Open this link to join my WhatsApp Group: https://chat.whatsapp.com/AbCdEfGh"
    message, _ = one_message(write_export, platform, f"{author}: {text}")
    assert (message.author, message.text, message.system_prefix) == (author, text, None)
    assert author_name(author).display == "Michelle" and author_name(author).shown_as is ShownAs.PROFILE_NAME


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("name", ["Joined", "Deleted", "Left", "Ana Pike left", "You were added", "This message was deleted"])
def test_a_person_named_like_a_system_phrase_is_a_person(write_export, platform, name):
    message, _ = one_message(write_export, platform, f"{name}: on my way")
    assert (message.author, message.kind) == (name, MessageKind.TEXT)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_person_typing_a_system_phrase_without_whatsapps_mark_is_a_person(write_export, platform):
    message, _ = one_message(write_export, platform, "Bo Reed: Cal Moss left")
    assert (message.author, message.kind, message.text) == ("Bo Reed", MessageKind.TEXT, "Cal Moss left")


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("prefix", ["Night Turn", f"{LRE}+44{NBSP}7700{NBSP}900123{PDF}"])
def test_whatsapps_prefixed_events_stay_system_events(write_export, platform, prefix):
    event = f"{LRM}Ana Pike added {LRE}+44{NBSP}7700{NBSP}900124{PDF}"
    message, chat = one_message(write_export, platform, f"{prefix}: {event}")
    assert (message.author, message.system_prefix, message.kind) == (None, prefix, MessageKind.SYSTEM)
    assert message.system_recognised and not message.examined
    assert chat.stats.authors == {} and chat.stats.unrecognised_system == []


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("body", [
    f"{LRM}2015-08-04-PHOTO-00004762.jpg {LRM}<attached>",
    f"2015-08-04-PHOTO-00004762.jpg <{LRM}attached>",
    f"2015-08-04-PHOTO-00004762.jpg \u2039{LRM}attached>",
    f"<{LRM}attached: 00000012-PHOTO-2022-09-17-14-41-01.jpg>",
])
def test_old_ios_attachments_with_marks_in_the_brackets_are_attachments(write_export, platform, body):
    message, _ = one_message(write_export, platform, f"Ana Pike: {body}")
    assert message.kind is MessageKind.MEDIA and message.author == "Ana Pike"
    assert message.attachment.media_type is MediaType.IMAGE and not message.attachment.omitted
    assert message.attachment.name.endswith(".jpg") and LRM not in message.attachment.name


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("body", [
    "This message was deleted by Sgt Cole because it had AB12 CDE in it and the whole plan for the warrant",
    "Voice call, " + LRM + "12 sec\nand the address is 14 Acacia Road",
    "Waiting for this message. This may take a while.\nAB12 CDE was the car",
])
def test_text_that_only_opens_like_a_whatsapp_stub_is_examined(write_export, platform, body):
    lines = body.split("\n")
    chat = parse(write_export(HEADERS[platform](1) + f"Ana Pike: {lines[0]}\n" + "".join(f"{line}\n" for line in lines[1:])))
    [message] = chat.messages
    assert message.kind in (MessageKind.TEXT, MessageKind.EDITED) and message.examined


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_system_event_in_no_known_phrase_is_counted_listed_and_examined(write_export, platform):
    header = HEADERS[platform]
    chat = parse(write_export(
        f"{header(1)}{LRM}Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.\n"
        f"{header(2)}{LRM}Ana Pike zmieni\u0142a ikon\u0119 tej grupy\n"
        f"{header(3)}Ana Pike hat Bo Reed hinzugef\u00fcgt.\n"
        f"{header(4)}Bo Reed: hi\n"
    ))
    system = [m for m in chat.messages if m.kind is MessageKind.SYSTEM]
    assert [m.system_recognised for m in system] == [True, False, True]
    assert [m.examined for m in chat.messages] == [False, True, False, True]
    assert chat.stats.unrecognised_system == [2] and chat.stats.accounted
    assert any("1 system event is not a known WhatsApp phrase" in note and "(lines 2)" in note for note in chat.warnings)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_system_event_with_lines_after_it_is_not_recognised(write_export, platform):
    chat = parse(write_export(f"{HEADERS[platform](1)}Ana Pike left\nPNC 24/123456F\n"))
    assert chat.messages[0].kind is MessageKind.SYSTEM and chat.messages[0].system_recognised is False


@pytest.mark.parametrize("platform", PLATFORMS)
def test_inspect_counts_what_whatsapp_wrote_and_shows_clean_names(capsys, write_export, platform):
    header = HEADERS[platform]
    number = f"{LRE}+44{NBSP}7700{NBSP}900123{PDF}"
    prefix = "Night Turn: " if platform == "ios" else ""
    mark = LRM if platform == "ios" else ""
    path = write_export(
        f"{header(1)}{prefix}{mark}Ana Pike added {number}\n"
        f"{header(2)}{number}: {mark}Stopped AB12 CDE\n"
        f"{header(3)}~{NNBSP}Michelle: {LRM}all quiet\n"
        f"{header(4)}{mark}Bo Reed zmieni\u0142 ikon\u0119 tej grupy\n"
    )
    assert main(["inspect", str(path), "--format", "json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["coverage"]["by_kind"] == {"system": 2, "text": 2}
    assert (record["coverage"]["system_unrecognised"], record["coverage"]["system_unrecognised_lines"]) == (1, [4])
    people = {p["display_name"]: (p["name"], p["shown_as"]) for p in record["participants"]}
    assert people == {"+44 7700 900123": (number, "number"), "Michelle": (f"~{NNBSP}Michelle", "profile_name")}
    assert main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert "+44 7700 900123" in out and "no (number)" in out and "no (~ profile name)" in out and "U+202A" not in out
    assert "1 system event not recognised" in out and "lines 4" in out


@pytest.mark.parametrize("platform", PLATFORMS)
def test_parse_output_keeps_the_verbatim_author_and_adds_its_display_form(capsys, write_export, platform):
    number = f"{LRE}+44{NBSP}7700{NBSP}900123{PDF}"
    path = write_export(f"{HEADERS[platform](1)}{number}: hello\n{HEADERS[platform](2)}{LRM}Ana Pike left\n")
    assert main(["parse", str(path)]) == 0
    person, event = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert (person["author"], person["author_display"], person["author_shown_as"]) == (number, "+44 7700 900123", "number")
    assert person["system_recognised"] is None
    assert (event["author"], event["author_display"], event["system_recognised"]) == (None, None, True)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_file_whose_only_headers_are_unreadable_is_an_input_error(capsys, write_export, platform):
    header = "45/45/2022, 14:01 - " if platform == "android" else "[45/45/2022, 14:41:01] "
    path = write_export(f"{header}Ana Pike: hello\n{header}Bo Reed: hi\n")
    assert main(["inspect", str(path)]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "impossible date" in err and str(path) in err and "Traceback" not in err


def test_an_impossible_time_alone_is_an_input_error_too(capsys, write_export):
    path = write_export("17/09/2022, 25:61 - Ana Pike: hello\n")
    assert main(["parse", str(path)]) == 3
    assert "impossible date or time" in capsys.readouterr().err


# Names as people set them: any letters, marks, emoji, "~", no-break spaces and the bidi marks
# WhatsApp wraps them in. A name cannot hold a line break or ": " (WhatsApp's own separator).
NAME_CHARACTERS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r")
NAMES = st.tuples(
    st.sampled_from(["", "~" + NNBSP, "~" + NBSP, LRM, LRE, FSI, RLE]),
    st.text(NAME_CHARACTERS, min_size=1, max_size=30),
    st.sampled_from(["", PDF, PDI, "\U0001f46e\u200d\u2642\ufe0f", " \U0001f1ec\U0001f1e7"]),
).map("".join).filter(lambda name: ": " not in name and name.strip() != "")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=NAMES, platform=st.sampled_from(PLATFORMS), mark=st.sampled_from(["", LRM]))
def test_any_participant_name_round_trips_as_a_person(name, platform, mark):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "chat.txt"
        path.write_text(f"{HEADERS[platform](1)}{name}: {mark}on my way, ETA 10\n", encoding="utf-8")
        chat = parse(path)
    [message] = chat.messages
    assert (message.author, message.text, message.kind) == (name, f"{mark}on my way, ETA 10", MessageKind.TEXT)
    assert message.examined and chat.stats.authors == {name: 1}
    shown = author_name(name).display  # for people: no wrapping marks (unless the name is nothing else)
    assert shown == name or (shown and not set(shown) & {LRM, LRE, PDF, FSI, PDI, RLE, NBSP, NNBSP})


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    """Each platform's export with an unsaved number's report, scanned once (detectors load once)."""
    from whatsapp_audit import scan

    results = {}
    for platform in PLATFORMS:
        header = HEADERS[platform]
        prefix, mark = ("Night Turn: ", LRM) if platform == "ios" else ("", "")
        path = tmp_path_factory.mktemp(platform) / "chat.txt"
        path.write_text(
            f"{header(1)}{prefix}{mark}Ana Pike added {LRE}+44{NBSP}7700{NBSP}900123{PDF}\n"
            f"{header(2)}{LRE}+44{NBSP}7700{NBSP}900123{PDF}: Stopped AB12 CDE near SW1A 1AA, PNC 24/123456F\n"
            f"{header(3)}~{NNBSP}Michelle: {LRM}call me on 07700 900456\n"
            f"{header(4)}{mark}Ana Pike hat das Kennzeichen XY19 ZZT ge\u00e4ndert\n",
            encoding="utf-8",
        )
        results[platform] = scan(path)
    return results


@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_detectors_see_the_unsaved_numbers_message(scanned, platform):
    result = scanned[platform]
    by_line = {(item.finding.line, item.finding.rule): item for item in result.findings}
    assert {rule for line, rule in by_line if line == 2} >= {"OPS-VRM", "OPS-POSTCODE", "OPS-PNC"}
    assert by_line[(2, "OPS-VRM")].author == f"{LRE}+44{NBSP}7700{NBSP}900123{PDF}"
    assert not any(line == 1 for line, _ in by_line)  # the recognised event naming a number is not examined
    assert (4, "OPS-VRM") in by_line and by_line[(4, "OPS-VRM")].author is None  # an unknown event is
    assert result.counts.examined == 3 and result.counts.messages == 4


@pytest.mark.parametrize("platform", PLATFORMS)
def test_reports_show_the_clean_name_and_that_the_number_is_not_saved(scanned, platform):
    result = scanned[platform]
    report = report_dict(result)
    people = {p["display_name"]: p for p in report["participants"]}
    assert people["+44 7700 900123"]["shown_as"] == "number" and people["Michelle"]["shown_as"] == "profile_name"
    assert report["coverage"]["system_unrecognised_lines"] == [4]
    assert any("(lines 4)" in note for note in report["limitations"])
    flagged = next(f for f in report["findings"] if f["line"] == 2)
    assert flagged["author"] == f"{LRE}+44{NBSP}7700{NBSP}900123{PDF}" and flagged["author_display"] == "+44 7700 900123"
    flagged_line = {"text": " +44 7700 900123: Stopped", "html": '<span class="a">+44 7700 900123</span>: Stopped',
                    "csv": ""}
    for fmt, in_context in flagged_line.items():
        out = io.StringIO()
        render(fmt, result, out)
        shown = out.getvalue()
        assert "+44 7700 900123 (number, not saved in the phone)" in shown, fmt
        assert in_context in shown, fmt  # the message itself, in its context block: the clean name


def test_participants_who_would_read_the_same_are_shown_as_written(capsys, write_export):
    path = write_export(
        "[17/09/2022, 14:41:01] Ana Pike: one\n"
        f"[17/09/2022, 14:41:02] ~{NNBSP}Ana Pike: two\n"
        f"[17/09/2022, 14:41:03] {LRM}Ana Pike: three\n"
        f"[17/09/2022, 14:41:04] {LRE}+44{NBSP}7700{NBSP}900123{PDF}: four\n"
    )
    assert main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"~{NNBSP}Ana Pike" in out and "⟨U+200E⟩Ana Pike" in out  # three rows that can be told apart
    assert "+44 7700 900123" in out and "⟨U+202A⟩" not in out  # no clash: the clean form
