"""Day/month order is settled from the whole file, with the evidence recorded, or flagged as unsettled."""

from __future__ import annotations

import json
from datetime import datetime

from whatsapp_audit import parse
from whatsapp_audit.cli.app import main


def _android(dates: list[str]) -> str:
    return "".join(f"{d}, 18:0{i % 10} - Ana Pike: message {i}\n" for i, d in enumerate(dates))


def test_a_day_above_12_late_in_the_file_settles_day_first(write_export):
    # The first 2,500 headers are ambiguous; only the last one shows the day.
    dates = ["01/02/2022"] * 2_500 + ["13/02/2022"]
    chat = parse(write_export(_android(dates)))
    assert chat.survey.date_order == "dmy" and chat.survey.order_settled
    assert "line 2501" in chat.survey.order_evidence


def test_a_second_number_above_12_settles_month_first(write_export):
    chat = parse(write_export(_android(["3/4/22", "3/14/22"])))
    assert chat.survey.date_order == "mdy"
    assert chat.messages[1].timestamp == datetime(2022, 3, 14, 18, 1)


def test_time_running_forwards_decides_when_no_day_is_above_12(write_export):
    # 01/02 .. 12/02 then 01/03: as day-first this runs forwards; as month-first it jumps back.
    dates = [f"{d:02d}/02/2022" for d in range(1, 13)] + ["01/03/2022"]
    chat = parse(write_export(_android(dates)))
    assert chat.survey.date_order == "dmy" and chat.survey.order_settled
    assert "time runs forwards" in chat.survey.order_evidence


def test_undecidable_order_is_said_and_assumed_day_first(write_export):
    chat = parse(write_export(_android(["05/05/2022", "05/05/2022"])))
    assert not chat.survey.order_settled
    assert any("pass --date-order" in note for note in chat.warnings)


def test_date_order_option_overrides(write_export, capsys):
    path = write_export(_android(["05/06/2022"]))
    assert parse(path, date_order="mdy").messages[0].timestamp == datetime(2022, 5, 6, 18, 0)
    assert main(["parse", str(path), "--date-order", "mdy"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[0])["timestamp"] == "2022-05-06T18:00:00"


def test_contradictory_dates_are_reported_and_the_minority_left_unparsed(write_export):
    dates = ["14/03/2022", "15/03/2022", "16/03/2022", "03/17/2022"]
    chat = parse(write_export(_android(dates)))
    assert chat.survey.date_order == "dmy" and not chat.survey.order_settled
    assert "contradictory" in chat.survey.order_evidence
    assert [(r.first_line, r.last_line) for r in chat.unparsed] == [(4, 4)]


def test_media_file_names_settle_an_order_the_headers_cannot(write_export):
    ios = (
        "[05/02/2024, 01:12:40] Tom Vale: \u200e<attached: 00000014-PHOTO-2024-05-02-01-12-40.jpg>\n"
        "[05/02/2024, 01:13:00] Sam Orr: ok\n"
    )
    chat = parse(write_export(ios))
    assert chat.survey.date_order == "mdy" and chat.survey.order_settled
    assert "media file names carry their dates" in chat.survey.order_evidence
    assert chat.messages[0].timestamp == datetime(2024, 5, 2, 1, 12, 40)
    android = "02/05/2024, 01:12 - Tom Vale: IMG-20240502-WA0007.jpg (file attached)\n"
    assert parse(write_export(android)).survey.date_order == "dmy"


def test_file_names_from_another_year_do_not_vote(write_export):
    chat = parse(write_export("[05/05/2024, 01:12:40] Tom Vale: forwarded IMG-20190304-WA0007.jpg\n"))
    assert not chat.survey.order_settled
