"""Issue 13 "Done when", as a new user meets it: a response team's group chat over three months
(examples/android-response-4.txt, invented) where officers joke, generalise and harass, mixed with the
talk that must stay quiet. Every discriminatory message is flagged at medium or above with the right
protected characteristic and a plain reason; every ordinary message (banter, swearing at a mate, shift
logistics, place names, relayed incident reports, counter-speech, quoted guidance, an innocent 🙈)
has no discriminatory finding a user would see.

CONTENT WARNING: the example and the lines below are invented abuse, kept to what the test needs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from whatsapp_audit.model import Category, Confidence, Finding
from whatsapp_audit.scan import scan

EXPORT = Path(__file__).resolve().parent.parent / "examples" / "android-response-4.txt"

# A piece of each discriminatory message -> the characteristic its finding must name.
FLAGGED = {
    "typical Romanians, four of them": "race",
    "w0men shouldn't be on response": "sex",  # leet spelling in a construction
    "whatever he's calling himself this week": "gender_reassignment",
    "I'm not calling it she": "gender_reassignment",
    "Somalis are all the same, lying scrotes": "race",
    "difference between a gyppo and a bin bag": "race",
    "that lot are all bum bandits": "sexual_orientation",
    "only got promoted because she's a woman": "sex",
    "she only made sergeant because she shagged the super": "sex",
    "I'd bend her over the bonnet": "sex",
    "nice arse on her": "sex",
    "muslims are a cancer on this town": "religion_or_belief",
    "enjoy your shift with the he-she": "gender_reassignment",
    "I'll stamp on his head": "race",  # "another Albanian gave me lip ..."
    "are you autistic or what": "disability",
    "them Polish don't belong here": "race",
    "senile old bat": "age",
    "the gypsies on the field by the tip need gassing": "race",
    "proper f@ggot": "sexual_orientation",
    "that spaz from the council": "disability",
    "the one in the wheelchair? mong": "disability",
    "typical pakis blocking the road": "race",
    "🇷🇴 are all 🐀": "race",
    "women are useless in a fight": "sex",
    "control room girls are all slags": "sex",
    "typical jews, they'll want a PCSO": "religion_or_belief",
    "old codgers on the neighbourhood watch": "age",
    "what do you call a Nigerian in a suit": "race",
    "you're so gay for that haircut": "sexual_orientation",
    "she's only here to tick the diversity box": "sex",
    "pikeys robbing pikeys": "race",
    "i'd happily slap her": "sex",
    "the Asian lads on the Moorside are all drug dealers": "race",
    "🏳️‍🌈🤮": "sexual_orientation",
    "the muzzies in the flats": "religion_or_belief",
    "refugees should all be put on a boat and sunk": "race",
    # the trial chat's leftovers (issue 13): formerly strict xfails
    "I'm going with \"it\"": "gender_reassignment",
    "what's black and blue and hates sex": "sex",
    "make sure she doesn't have a heart attack": "age",
}

# Still missed (left for review by a person): none since the leftovers pass. If a line is missed again,
# list it here: it is then a strict xfail, and the ordinary-message test ignores it.
KNOWN_MISSES: tuple[str, ...] = ()


@pytest.fixture(scope="module")
def messages() -> dict[int, str]:
    """Line number -> the line's text, for every message line of the export."""
    return {number: line for number, line in enumerate(EXPORT.read_text(encoding="utf-8").splitlines(), 1)
            if " - " in line and ": " in line.partition(" - ")[2]}


@pytest.fixture(scope="module")
def seen(messages: dict[int, str]) -> dict[int, list[Finding]]:
    """Discriminatory findings at medium and above (what `check` shows), by line."""
    found: dict[int, list[Finding]] = {}
    for item in scan(EXPORT).findings:
        finding = item.finding
        if finding.category is Category.DISCRIMINATORY_LANGUAGE and finding.confidence.rank >= Confidence.MEDIUM.rank:
            found.setdefault(finding.line, []).append(finding)
    return found


def _line_of(piece: str, messages: dict[int, str]) -> int:
    lines = [number for number, text in messages.items() if piece in text]
    assert len(lines) == 1, f"{piece!r} should be in exactly one message of the example"
    return lines[0]


@pytest.mark.parametrize("piece", sorted(FLAGGED))
def test_each_discriminatory_message_is_flagged_with_its_characteristic(
        piece: str, messages: dict[int, str], seen: dict[int, list[Finding]]) -> None:
    findings = seen.get(_line_of(piece, messages), [])
    assert findings, f"not flagged at medium or above: {piece!r}"
    assert FLAGGED[piece] in {c for f in findings for c in f.characteristics}
    if piece == "I'll stamp on his head":  # the member's group, named outside the threat, is in the reason
        assert all("'albanian'" in f.explanation.reason for f in findings)
    for finding in findings:  # a reason an officer can read: one plain line naming what it concerns
        reason = finding.explanation.reason
        assert reason and "\n" not in reason and len(reason) < 400


def test_every_ordinary_message_stays_quiet(messages: dict[int, str], seen: dict[int, list[Finding]]) -> None:
    abusive = {_line_of(piece, messages) for piece in (*FLAGGED, *KNOWN_MISSES)}
    noisy = [messages[line] for line in sorted(seen) if line not in abusive]
    assert noisy == []
    # the traps the issue names are in the example, so this quiet is earned
    for trap in ("the Scunthorpe lot", "Penistone job closed", "smoked a fag", "women need to get out of abusive marriages sooner",
                 "forgot my pocket notebook again 🙈", "useless bunch of donkeys", "you absolute bellend",
                 "shouted \"go back to your own country\"", "that's racist, not having it in here",
                 "PSD guidance", "all you Muslims should be gassed", "both Somali women in their twenties"):
        assert _line_of(trap, messages) not in seen, trap


@pytest.mark.parametrize("piece", KNOWN_MISSES or [pytest.param("", marks=pytest.mark.skip(reason="no known miss"))])
@pytest.mark.xfail(strict=True, reason="known miss (issue 13): no construction reads it yet")
def test_known_misses(piece: str, messages: dict[int, str], seen: dict[int, list[Finding]]) -> None:
    assert _line_of(piece, messages) in seen
