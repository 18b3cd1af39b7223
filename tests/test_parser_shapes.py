"""Every header shape of the export field guide reads to the right time, author and text."""

from __future__ import annotations

from datetime import datetime

import pytest

from whatsapp_audit import parse

NNBSP, NBSP, LRM, RLM = "\u202f", "\u00a0", "\u200e", "\u200f"

# fmt: off
SHAPES = [
    # (id, one header line + body, expected shape, date order, timestamp, author, text)
    ("A1", "14/03/2022, 18:05 - Ana Pike: hello", "android", "dmy", "2022-03-14 18:05:00", "Ana Pike", "hello"),
    ("A2", "14/03/17, 6:05 PM - Ana Pike: hello", "android", "dmy", "2017-03-14 18:05:00", "Ana Pike", "hello"),
    ("A2 lower", "14/03/19, 6:05 pm - Ana Pike: hello", "android", "dmy", "2019-03-14 18:05:00", "Ana Pike", "hello"),
    ("A3", f"14/03/2024, 6:05{NNBSP}pm - Ana Pike: hello", "android", "dmy", "2024-03-14 18:05:00", "Ana Pike", "hello"),
    ("A4", "3/14/21, 6:05 PM - Ana Pike: hello", "android", "mdy", "2021-03-14 18:05:00", "Ana Pike", "hello"),
    ("A5", f"3/14/23, 6:05{NNBSP}PM - Ana Pike: hello", "android", "mdy", "2023-03-14 18:05:00", "Ana Pike", "hello"),
    ("A6", "3/14/20, 18:05 - Ana Pike: hello", "android", "mdy", "2020-03-14 18:05:00", "Ana Pike", "hello"),
    ("A7", f"2024-03-14, 6:05{NNBSP}p.m. - Ana Pike: hello", "android", "ymd", "2024-03-14 18:05:00", "Ana Pike", "hello"),
    ("A8", "2024/03/14, 6:05 pm - Ana Pike: hello", "android", "ymd", "2024-03-14 18:05:00", "Ana Pike", "hello"),
    ("A9", "14.03.22, 18:05 - Ana Pike: hallo", "android", "dmy", "2022-03-14 18:05:00", "Ana Pike", "hallo"),
    ("A10", "14/03/22, 18:05 - Ana Pike: olá", "android", "dmy", "2022-03-14 18:05:00", "Ana Pike", "olá"),
    ("A11", "14/03/2022, 9.05 - Ana Pike: moi", "android", "dmy", "2022-03-14 09:05:00", "Ana Pike", "moi"),
    ("A11 no comma", "14/03/22 18.05 - Ana Pike: halo", "android", "dmy", "2022-03-14 18:05:00", "Ana Pike", "halo"),
    ("A12", "14/03/2022 à 18:05 - Ana Pike: salut", "android", "dmy", "2022-03-14 18:05:00", "Ana Pike", "salut"),
    ("A13", f"14/3/2022 6:05{NBSP}p.{NBSP}m. - Ana Pike: hola", "android", "dmy", "2022-03-14 18:05:00", "Ana Pike", "hola"),
    ("klo", "14.3.2022 klo 18.05 - Ana Pike: moi", "android", "dmy", "2022-03-14 18:05:00", "Ana Pike", "moi"),
    ("I1", "[14/03/2022, 18:05:09] Ana Pike: hello", "ios", "dmy", "2022-03-14 18:05:09", "Ana Pike", "hello"),
    ("I2", "[14/03/22, 18:05:09] Ana Pike: hola", "ios", "dmy", "2022-03-14 18:05:09", "Ana Pike", "hola"),
    ("I3", "[14/3/22, 8:05:09] Ana Pike: hola", "ios", "dmy", "2022-03-14 08:05:09", "Ana Pike", "hola"),
    ("I4", "[14/03/2022 18:05:09] Ana Pike: oi", "ios", "dmy", "2022-03-14 18:05:09", "Ana Pike", "oi"),
    ("I5", "[14-03-2022, 18:05:09] Ana Pike: hoi", "ios", "dmy", "2022-03-14 18:05:09", "Ana Pike", "hoi"),
    ("I6", "[14.03.22, 18:05:09] Ana Pike: hallo", "ios", "dmy", "2022-03-14 18:05:09", "Ana Pike", "hallo"),
    ("I7", "[14/03/22 18.05.09] Ana Pike: halo", "ios", "dmy", "2022-03-14 18:05:09", "Ana Pike", "halo"),
    ("I8", "[3/14/20, 6:05:09 PM] Ana Pike: hello", "ios", "mdy", "2020-03-14 18:05:09", "Ana Pike", "hello"),
    ("I9", f"[3/14/24, 6:05:09{NNBSP}PM] Ana Pike: hello", "ios", "mdy", "2024-03-14 18:05:09", "Ana Pike", "hello"),
    ("I10", f"[14/3/2026, 6:05:09{NNBSP}pm] Ana Pike: hello", "ios", "dmy", "2026-03-14 18:05:09", "Ana Pike", "hello"),
    ("I11", "[14.03.18, 6:05:09 PM] Ana Pike: ciao", "ios", "dmy", "2018-03-14 18:05:09", "Ana Pike", "ciao"),
    ("I12", "[14/03/2019, 6:05:09 p.m.] Ana Pike: hi", "ios", "dmy", "2019-03-14 18:05:09", "Ana Pike", "hi"),
    ("I13", "[2024/3/14 18:05:09] Ana Pike: 你好", "ios", "ymd", "2024-03-14 18:05:09", "Ana Pike", "你好"),
    ("I13 no space", "[2024/3/14 18:05:09] 李:你好", "ios", "ymd", "2024-03-14 18:05:09", "李", "你好"),
    ("I13 CJK pm", "[2024/3/14 下午6:05:09] Ana Pike: 你好", "ios", "ymd", "2024-03-14 18:05:09", "Ana Pike", "你好"),
    ("I13 ja am", "[2024/3/14 午前6:05:09] Ana Pike: こんにちは", "ios", "ymd", "2024-03-14 06:05:09", "Ana Pike", "こんにちは"),
    ("I14", "[03-14-2018, 18:05:09] Ana Pike: hi", "ios", "mdy", "2018-03-14 18:05:09", "Ana Pike", "hi"),
    ("I15", "[14.03.2025, 18:05:09] Ana Pike: merhaba", "ios", "dmy", "2025-03-14 18:05:09", "Ana Pike", "merhaba"),
    ("L1", "14/03/14, 18:05:09: Ana Pike: olá", "ios-legacy", "dmy", "2014-03-14 18:05:09", "Ana Pike", "olá"),
    ("L2", "3/14/12, 6:05:09 PM: Ana Pike: ciao", "ios-legacy", "mdy", "2012-03-14 18:05:09", "Ana Pike", "ciao"),
    ("L3", "14/03/13 18:05:09: Ana Pike: hi", "ios-legacy", "dmy", "2013-03-14 18:05:09", "Ana Pike", "hi"),
    ("X1", "[18:05, 14/03/2021] Ana Pike: hallo", "chat-view", "dmy", "2021-03-14 18:05:00", "Ana Pike", "hallo"),
    ("X2", "14.03.2015 - 18:05:09; Ana Pike: hallo", "whatsapp-viewer", "dmy", "2015-03-14 18:05:09", "Ana Pike", "hallo"),
    ("X3 Arabic", f"١٤{RLM}/٣{RLM}/٢٠٢٤، ٦:٠٥ م - Ana Pike: مرحبا", "android", "dmy", "2024-03-14 18:05:00", "Ana Pike", "مرحبا"),
    ("LRM start", f"{LRM}14/03/2022, 18:05 - Ana Pike: hello", "android", "dmy", "2022-03-14 18:05:00", "Ana Pike", "hello"),
]
# fmt: on


@pytest.mark.parametrize(("case", "line", "shape", "order", "when", "author", "text"), SHAPES, ids=[s[0] for s in SHAPES])
def test_every_header_shape_reads_exactly(write_export, case, line, shape, order, when, author, text):
    chat = parse(write_export(line + "\n"))
    assert chat.survey.shape.name == shape
    assert chat.survey.date_order == order
    [message] = chat.messages
    assert message.timestamp == datetime.fromisoformat(when)
    assert (message.author, message.text, message.line, message.end_line) == (author, text, 1, 1)
    assert line.startswith(message.header) and line[len(message.header) :].startswith(author)


def test_non_export_shapes_are_flagged_as_such(write_export):
    chat = parse(write_export("[18:05, 14/03/2021] Ana Pike: copied from the screen\n"))
    assert not chat.survey.shape.is_export
    assert any("not a WhatsApp export" in note for note in chat.warnings)


def test_midnight_and_noon_on_twelve_hour_clocks(write_export):
    chat = parse(write_export("[3/14/20, 12:05:09 AM] Ana Pike: late\n[3/14/20, 12:05:09 PM] Ana Pike: lunch\n"))
    assert [m.timestamp.hour for m in chat.messages] == [0, 12]
