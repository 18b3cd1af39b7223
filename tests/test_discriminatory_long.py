"""A message of any length: every match is found, exactly once, wherever it sits.

The detector reads a long message in overlapping chunks cut between words, its lexicon scan and
phrase matcher look only at windows a pre-filter accepts, and phrase patterns run over windows of
tokens. None of it uses a time limit, so what is found does not depend on how fast the machine is.
These tests plant abuse across every kind of boundary of a 10 MB message and count what comes back.
CONTENT WARNING: planted lines are invented abusive chat.
"""

from __future__ import annotations

from collections import Counter

from discriminatory_detector import scan as findings

from whatsapp_audit.detect.discriminatory import detector as dis_detector
from whatsapp_audit.detect.discriminatory.phrases import WINDOW_TOKENS

FILLER = "shift went fine, back at the nick by ten and the van needs fuel. "
# What is planted, and the rule that must find it (one finding each).
PLANTS = [
    ("oi p4ki", "DIS-RACE-PAKI"),
    ("honestly immigrants are all vermin", "DIS-PHRASE-DEHUMANISE"),
    ("🏳️‍🌈🤮", "DIS-EMOJI-DISGUST"),
    ("what a f a g g o t", "DIS-SO-FAGGOT"),
    ("the kikey lot upstairs", "DIS-REL-KIKE"),
    ("I'd happily rape you", "DIS-PHRASE-SEXUAL-VIOLENCE"),
]


def planted_message(size: int) -> tuple[str, list[tuple[int, str, str]]]:
    """Filler with plants laid so that the chunk boundaries the detector chooses fall inside them
    (between their words), and more plants in the middle of chunks."""
    pieces: list[str] = []
    placed: list[tuple[int, str, str]] = []
    tail = ""  # the last characters written, to work out where the detector will cut
    length = 0
    core_lo = 0
    number = 0

    def write(piece: str) -> None:
        nonlocal length, tail
        pieces.append(piece)
        length += len(piece)
        tail = (tail + piece)[-4 * dis_detector.OVERLAP_CHARS:]

    def plant() -> None:
        nonlocal number
        text, rule = PLANTS[number % len(PLANTS)]
        placed.append((length, text, rule))
        write(text + " ")
        number += 1

    chunk = 0
    while length < size:
        target = core_lo + dis_detector.CHUNK_CHARS
        plant_text = PLANTS[number % len(PLANTS)][0]
        busy = chunk < 12 or chunk % 40 == 0  # plants across the first boundaries, then now and then
        while length + len(FILLER) < target - len(plant_text) // 2:
            write(FILLER)
            if busy and number % 3 == 0 and length < target - 4 * len(FILLER) - len(plant_text):
                plant()  # one in the middle of the chunk too
        if busy:
            write(" " * (target - len(plant_text) // 2 - length))
            plant()
        while length <= target:
            write(FILLER)
        offset = length - len(tail)
        core_lo = offset + dis_detector._cut(tail, target - offset)
        chunk += 1
    return "".join(pieces), placed


def test_every_plant_in_a_ten_megabyte_message_is_found_once_in_place() -> None:
    text, placed = planted_message(10_000_000)
    assert len(text) >= 10_000_000
    found = findings(text)
    by_start = Counter((f.rule, f.start) for f in found)
    assert all(n == 1 for n in by_start.values()), "a match found twice"
    for position, plant, rule in placed:
        hits = [f for f in found if f.rule == rule and position <= (f.start or 0) < position + len(plant)]
        assert len(hits) == 1, (position, plant)
        assert plant.replace(" ", "").find((hits[0].matched or "").replace(" ", "")) >= 0
    assert len(found) == len(placed)
    # The plants really straddle chunk cores: the test exercises the boundaries it is about.
    cores = [core_hi for _, _, _, core_hi in dis_detector.chunks(text)][:-1]
    crossing = [p for p, plant, _ in placed if any(p < cut < p + len(plant) for cut in cores)]
    assert len(crossing) >= 8


def test_an_ordinary_long_message_gives_nothing() -> None:
    assert findings(FILLER * (2_000_000 // len(FILLER) + 1)) == []


def test_constructions_packed_across_token_windows_are_each_found_once() -> None:
    # Dense enough that one region holds thousands of tokens, so the Matcher's windows of
    # WINDOW_TOKENS tokens (overlapping) are crossed by matches: each is still counted once.
    line = "muslims are all vermin . "
    repeats = 2 * WINDOW_TOKENS // 5 + 300
    found = findings(line * repeats)
    starts = sorted(f.start or 0 for f in found if f.rule == "DIS-PHRASE-DEHUMANISE")
    assert starts == [i * len(line) for i in range(repeats)]
