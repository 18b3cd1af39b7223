"""Line-structure variants: system events, media, special messages, multi-line bodies, line ends,
encodings, and the accounting of every line."""

from __future__ import annotations

import codecs
from datetime import datetime

import pytest

from whatsapp_audit import parse
from whatsapp_audit.model import MediaType, MessageKind

LRM, NNBSP, NBSP = "\u200e", "\u202f", "\u00a0"


def kinds(chat):
    return [(m.author, m.kind, m.text) for m in chat.messages]


def test_android_system_events_have_no_author(write_export):
    chat = parse(write_export(
        "14/03/2022, 18:05 - Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them. Tap to learn more.\n"
        '14/03/2022, 18:05 - Ana Pike created group "Nights: Team 2"\n'
        '14/03/2022, 18:06 - Ana Pike changed the subject from "Nights: Team 2" to "Lates: Team 2"\n'
        "14/03/2022, 18:06 - Ana Pike added Bo Reed\n"
        f"14/03/2022, 18:07 - {LRM}Bo Reed criou o grupo \"Turno\"\n"
        "14/03/2022, 18:08 - Bo Reed: real message: with a colon\n"
    ))
    assert [m.author for m in chat.messages] == [None, None, None, None, None, "Bo Reed"]
    assert [m.kind for m in chat.messages][:5] == [MessageKind.SYSTEM] * 5
    assert chat.messages[1].text == 'Ana Pike created group "Nights: Team 2"'
    assert chat.messages[5].text == "real message: with a colon"


def test_ios_system_event_with_group_name_prefix_is_not_a_person(write_export):
    chat = parse(write_export(
        f"[14/03/2022, 18:05:09] Night Turn: {LRM}Messages and calls are end-to-end encrypted.\n"
        f"[14/03/2022, 18:05:10] Night Turn: {LRM}Ana Pike added Bo Reed\n"
        f"[14/03/2022, 18:05:11] Ana Pike: {LRM}Cal Moss joined using this group's invite link\n"
        f"[14/03/2022, 18:05:12] {LRM}Bo Reed left\n"
        "[14/03/2022, 18:05:13] Bo Reed: an ordinary message\n"
    ))
    prefixed = chat.messages[1]
    assert (prefixed.author, prefixed.system_prefix, prefixed.text, prefixed.kind) == (
        None, "Night Turn", f"{LRM}Ana Pike added Bo Reed", MessageKind.SYSTEM)
    assert chat.messages[2].system_prefix == "Ana Pike" and chat.messages[2].author is None
    assert chat.messages[3].author is None and chat.messages[3].system_prefix is None
    assert chat.messages[4].author == "Bo Reed"
    assert chat.stats.system_lines == 4 and chat.stats.message_lines == 1


@pytest.mark.parametrize(("body", "name", "media_type", "omitted"), [
    ("<Media omitted>", "<Media omitted>", MediaType.UNKNOWN, True),
    ("<Medien ausgeschlossen>", "<Medien ausgeschlossen>", MediaType.UNKNOWN, True),
    ("<Mídia omitida>", "<Mídia omitida>", MediaType.UNKNOWN, True),
    ("IMG-20220314-WA0001.jpg (file attached)", "IMG-20220314-WA0001.jpg", MediaType.IMAGE, False),
    ("VID-20220314-WA0002.mp4 (file attached)", "VID-20220314-WA0002.mp4", MediaType.VIDEO, False),
    ("PTT-20220314-WA0003.opus (file attached)", "PTT-20220314-WA0003.opus", MediaType.AUDIO, False),
    ("Briefing notes.pdf (file attached)", "Briefing notes.pdf", MediaType.DOCUMENT, False),
    ("Ana Pike.vcf (file attached)", "Ana Pike.vcf", MediaType.CONTACT, False),
    ("IMG-20220314-WA0004.jpg (Datei angehängt)", "IMG-20220314-WA0004.jpg", MediaType.IMAGE, False),
    (f"{LRM}<attached: 00000012-PHOTO-2022-03-14-18-05-09.jpg>", "00000012-PHOTO-2022-03-14-18-05-09.jpg", MediaType.IMAGE, False),
    ("<attached: 00000013-VIDEO-2022-03-14-18-05-09.mp4>", "00000013-VIDEO-2022-03-14-18-05-09.mp4", MediaType.VIDEO, False),
    ("<attached: 00000014-AUDIO-2022-03-14-18-05-09.opus>", "00000014-AUDIO-2022-03-14-18-05-09.opus", MediaType.AUDIO, False),
    ("<attached: 00000015-STICKER-2022-03-14-18-05-09.webp>", "00000015-STICKER-2022-03-14-18-05-09.webp", MediaType.STICKER, False),
    ("<attached: 00000016-GIF-2022-03-14-18-05-09.mp4>", "00000016-GIF-2022-03-14-18-05-09.mp4", MediaType.GIF, False),
    ("<anexado: 00000017-PHOTO-2022-03-14-18-05-09.jpg>", "00000017-PHOTO-2022-03-14-18-05-09.jpg", MediaType.IMAGE, False),
    ("<adjunto: 00000018-PHOTO-2022-03-14-18-05-09.jpg>", "00000018-PHOTO-2022-03-14-18-05-09.jpg", MediaType.IMAGE, False),
    ("<Anhang: 00000019-PHOTO-2022-03-14-18-05-09.jpg>", "00000019-PHOTO-2022-03-14-18-05-09.jpg", MediaType.IMAGE, False),
    (f"{LRM}image omitted", "image omitted", MediaType.IMAGE, True),
    (f"{LRM}video omitted", "video omitted", MediaType.VIDEO, True),
    (f"{LRM}audio omitted", "audio omitted", MediaType.AUDIO, True),
    (f"{LRM}sticker omitted", "sticker omitted", MediaType.STICKER, True),
    (f"{LRM}GIF omitted", "GIF omitted", MediaType.GIF, True),
    (f"{LRM}Contact card omitted", "Contact card omitted", MediaType.CONTACT, True),
    (f"{LRM}imagen omitida", "imagen omitida", MediaType.IMAGE, True),
    (f"{LRM}Bild weggelassen", "Bild weggelassen", MediaType.IMAGE, True),
    (f"{LRM}Rota March.docx {LRM}document omitted", "Rota March.docx", MediaType.DOCUMENT, True),
    (f"{LRM}Statement.pdf • 3 pages {LRM}document omitted", "Statement.pdf", MediaType.DOCUMENT, True),
    (f"<{LRM}immagine omessa>", f"<{LRM}immagine omessa>", MediaType.IMAGE, True),
])
def test_media_forms_are_recognised_with_their_type(write_export, body, name, media_type, omitted):
    prefix = "\u200e" if body.startswith(LRM) else ""
    chat = parse(write_export(f"{prefix}[14/03/2022, 18:05:09] Ana Pike: {body}\n"))
    [message] = chat.messages
    assert message.kind is MessageKind.MEDIA
    assert message.attachment.name == name
    assert (message.attachment.media_type, message.attachment.omitted) == (media_type, omitted)
    assert message.author == "Ana Pike"


def test_captions_stay_with_their_media(write_export):
    android = parse(write_export("14/03/2022, 18:05 - Ana Pike: IMG-20220314-WA0001.jpg (file attached)\nlook at this\nsecond caption line\n"))
    [message] = android.messages
    assert message.text == "IMG-20220314-WA0001.jpg (file attached)\nlook at this\nsecond caption line"
    assert (message.line, message.end_line, message.kind) == (1, 3, MessageKind.MEDIA)
    ios = parse(write_export(f"[14/03/2022, 18:05:09] Ana Pike: look at this {LRM}<attached: 00000012-PHOTO-2022-03-14-18-05-09.jpg>\n"))
    assert ios.messages[0].kind is MessageKind.MEDIA and ios.messages[0].text.startswith("look at this")
    german = parse(write_export("[14.03.22, 18:05:09] Ana Pike: schau mal Bild weggelassen\n"))
    assert german.messages[0].attachment.media_type is MediaType.IMAGE


@pytest.mark.parametrize(("body", "kind"), [
    ("This message was deleted", MessageKind.DELETED),
    ("You deleted this message.", MessageKind.DELETED),
    ("Diese Nachricht wurde gelöscht.", MessageKind.DELETED),
    ("Se eliminó este mensaje.", MessageKind.DELETED),
    ("Mensagem apagada por um admin (você)", MessageKind.DELETED),
    ("Un admin., Ana Pike, eliminó este mensaje.", MessageKind.DELETED),
    ("Waiting for this message. This may take a while.", MessageKind.PENDING),
    ("Warte auf diese Nachricht. Das kann einen Moment dauern.", MessageKind.PENDING),
    ("You sent a view once message. For added privacy, you can only open it on your phone.", MessageKind.VIEW_ONCE),
    ("null", MessageKind.VIEW_ONCE),
    ("Location: https://maps.google.com/?q=51.5,-0.12", MessageKind.LOCATION),
    ("live location shared", MessageKind.LOCATION),
    (f"{LRM}POLL:\nShift swap?\n{LRM}OPTION: yes (2 votes)\n{LRM}OPTION: no (0 votes)", MessageKind.POLL),
    (f"Missed voice call. {LRM}Click to call back", MessageKind.CALL),
    (f"Voice call, {LRM}12 sec", MessageKind.CALL),
    (f"Appel vocal{NNBSP} {LRM}5{NBSP}min", MessageKind.CALL),
    ("see you at 6 <This message was edited>", MessageKind.EDITED),
    ("vejo-te às 6 <Mensagem editada>", MessageKind.EDITED),
    ("voice call me later", MessageKind.TEXT),  # typed words, not a call line (no U+200E)
    ("POLL: who wants pizza", MessageKind.TEXT),  # typed on one line, not a WhatsApp poll
    ("the message was deleted by accident lol", MessageKind.TEXT),
])
def test_special_messages_keep_author_and_get_their_kind(write_export, body, kind):
    lines = body.split("\n")
    chat = parse(write_export(f"[14/03/2022, 18:05:09] Ana Pike: {lines[0]}\n" + "".join(f"{line}\n" for line in lines[1:])))
    [message] = chat.messages
    assert (message.author, message.kind, message.text) == ("Ana Pike", kind, body)


def test_edited_media_caption_stays_media(write_export):
    chat = parse(write_export("14/03/2022, 18:05 - Ana Pike: IMG-20220314-WA0001.jpg (file attached)\nfixed caption <This message was edited>\n"))
    assert chat.messages[0].kind is MessageKind.MEDIA and chat.messages[0].edited


def test_mentions_phone_numbers_and_tilde_names_keep_their_marks(write_export):
    chat = parse(write_export(
        f"14/03/2022, 18:05 - ~{NNBSP}Ray Sol: hi @\u2068Ana Pike\u2069\n"
        f"14/03/2022, 18:06 - \u202a+44\u00a07700\u00a0900123\u202c: call \u202a+44 7700 900123\u202c\n"
    ))
    assert chat.messages[0].author == f"~{NNBSP}Ray Sol"
    assert chat.messages[0].text == "hi @\u2068Ana Pike\u2069"
    assert chat.messages[1].author == "\u202a+44\u00a07700\u00a0900123\u202c"


def test_empty_bodies_keep_their_author(write_export):
    ios = parse(write_export("[14/03/2022, 18:05:09] Ana Pike:\n[14/03/2022, 18:05:10] Bo Reed: next\n"))
    assert [(m.author, m.text) for m in ios.messages] == [("Ana Pike", ""), ("Bo Reed", "next")]
    android = parse(write_export("14/03/2022, 18:05 - Ana Pike: \n14/03/2022, 18:06 - Bo Reed: next\n"))
    assert [(m.author, m.text) for m in android.messages] == [("Ana Pike", ""), ("Bo Reed", "next")]


def test_multiline_body_with_a_pasted_header_of_another_style_stays_one_message(write_export):
    chat = parse(write_export(
        "[14/03/2022, 18:05:09] Ana Pike: forwarding what he sent:\n"
        "14/03/2022, 17:00 - Bo Reed: meet at the usual place\n"
        "\n"
        "anyway\n"
        "[14/03/2022, 18:06:09] Bo Reed: ok\n"
    ))
    first, second = chat.messages
    assert (first.line, first.end_line) == (1, 4)
    assert first.text == "forwarding what he sent:\n14/03/2022, 17:00 - Bo Reed: meet at the usual place\n\nanyway"
    assert (second.line, second.author) == (5, "Bo Reed")
    assert chat.stats.header_like_lines == 1
    assert "1 line inside messages looks like a header in another format and was kept as message text" in chat.warnings


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r\r\n"])
def test_line_ends_are_counted_like_an_editor(write_export, newline):
    text = newline.join(["[14/03/2022, 18:05:09] Ana Pike: one", "two", "[14/03/2022, 18:06:09] Bo Reed: three"]) + newline
    chat = parse(write_export(text))
    assert [(m.line, m.end_line, m.text) for m in chat.messages] == [(1, 2, "one\ntwo"), (3, 3, "three")]
    assert chat.stats.total_lines == 3 and chat.stats.accounted


def test_a_lone_cr_inside_a_line_is_text_not_a_line_break(write_export):
    chat = parse(write_export("14/03/2022, 18:05 - Ana Pike: odd\rstill line one\n14/03/2022, 18:06 - Bo Reed: ok"))
    assert chat.messages[0].text == "odd\rstill line one"
    assert [m.line for m in chat.messages] == [1, 2] and chat.stats.total_lines == 2


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le"])
def test_encodings(write_export, encoding):
    text = "14/03/2022, 18:05 - Ana Pike: héllo 👋\n14/03/2022, 18:06 - Bo Reed: ok\n"
    chat = parse(write_export(codecs.encode(text, encoding)))
    assert [m.text for m in chat.messages] == ["héllo 👋", "ok"]
    assert chat.messages[0].header == "14/03/2022, 18:05 - "


def test_invalid_utf8_is_replaced_and_reported_without_stopping(write_export):
    data = b"14/03/2022, 18:05 - Ana Pike: caf\xe9\n14/03/2022, 18:06 - Bo Reed: fine\n"
    chat = parse(write_export(data))
    assert chat.messages[0].text == "caf\ufffd" and chat.messages[1].text == "fine"
    assert chat.stats.undecodable_lines == [1]


def test_lines_before_the_first_header_are_reported_unparsed(write_export):
    chat = parse(write_export("Chat export of the night shift\n\n14/03/2022, 18:05 - Ana Pike: hi\n"))
    assert [(r.first_line, r.last_line) for r in chat.unparsed] == [(1, 2)]
    assert chat.stats.unparsed_lines == 2 and chat.stats.accounted
    assert chat.messages[0].line == 3


def test_a_header_with_an_impossible_date_is_unparsed_not_merged(write_export):
    chat = parse(write_export(
        "14/03/2022, 18:05 - Ana Pike: one\n"
        "31/02/2022, 18:06 - Bo Reed: impossible date\n"
        "continued\n"
        "15/03/2022, 18:07 - Cal Moss: three\n"
    ))
    assert [m.text for m in chat.messages] == ["one", "three"]
    assert [(r.first_line, r.last_line) for r in chat.unparsed] == [(2, 3)]
    assert chat.stats.accounted


def test_no_final_newline_and_very_long_lines(write_export):
    long = "x" * 200_000
    chat = parse(write_export(f"14/03/2022, 18:05 - Ana Pike: {long}\n14/03/2022, 18:06 - Bo Reed: end"))
    assert len(chat.messages[0].text) == 200_000 and chat.messages[1].text == "end"


def test_counts_add_up_and_out_of_order_times_are_kept(write_export):
    chat = parse(write_export(
        "15/03/2022, 18:05 - Ana Pike created group \"Lates\"\n"
        "14/03/2022, 09:00 - Ana Pike: dated before the group\n"
        "more\n"
        "16/03/2022, 09:00 - Bo Reed: later\n"
    ))
    assert chat.stats.backward_steps == 1
    assert chat.stats.total_lines == 4 == chat.stats.message_lines + chat.stats.system_lines + chat.stats.unparsed_lines
    assert chat.messages[1].timestamp == datetime(2022, 3, 14, 9, 0)
