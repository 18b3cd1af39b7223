"""Generate realistic, invented WhatsApp exports of any size for benchmarking.

    python benchmarks/generate.py --messages 1000000 --platform android --output /tmp/bench-1m.txt

Deterministic (seeded): the same arguments give the same bytes. About 1% of messages carry
something a detector should flag (a registration, a postcode, a crime reference, scene talk next to
a photo), as in a real seized group; the rest is ordinary shift chat, with multi-line messages,
media, system events, edits and deletions. Every name and word is invented.
"""

from __future__ import annotations

import argparse
import random
from datetime import datetime, timedelta
from pathlib import Path

NAMES = ["Ana Pike", "Bo Reed", "Cal Moss", "Dee Hart", "Eli Frost", "Fay Lund", "Gus Dorn", "Hal Vance", "Ivy Shaw", "Jo Quill",
         "Kit Arden", "Lou Marsh", "Mo Penn", "Ned Orme", "Ola Birch", "Pip Rook", "+44 7700 900123", "~\u202fRay Sol"]
ORDINARY = [
    "Anyone fancy a brew before briefing?", "On my way, 10 mins", "Who's got the keys for the van", "lol",
    "Can someone swap my Saturday late for the Sunday early?", "Cheers all 👍", "Parade at 0700 tomorrow",
    "Did anyone see the match last night? 3-1 what a game", "Canteen's shut again", "Happy birthday Dee!! 🎂🎉",
    "Traffic on the ring road is awful", "I'll bring the cakes Friday", "Training moved to room 4",
    "Has anyone got a phone charger in the office", "Night all", "Running 5 late sorry",
    "Who's on the rota for the bank holiday?", "Gym after shift anyone?", "The new printer is jammed again 🙄",
    "Remember overtime forms by Thursday", "Ha ha brilliant", "That's hilarious", "Nice one", "Sorted",
]
MULTILINE = [
    "Reminder for everyone:\n- kit check Monday\n- fitness test Wednesday\nThanks",
    "Shopping list for the social\ncrisps\ndrinks\nballoons",
]
FLAGGABLE = [
    "Stopped a car reg AB12 CDE on the high street, driver known to us",
    "Address is 14 Larkspur Road, BD7 1AZ if anyone is passing",
    "Crime ref 13/45678/24 for the burglary this morning",
    "Body found at the scene, cordon in place on the canal path",
    "Log 1234 of 14/03 has the details",
    "Can someone PNC 24/123456F for me",
]
SYSTEM = ["{a} added {b}", "{a} left", "{a} changed this group's icon", "{a} changed the group description"]


def render_header(platform: str, when: datetime) -> str:
    if platform == "ios":
        return when.strftime("[%d/%m/%Y, %H:%M:%S] ")
    return when.strftime("%d/%m/%Y, %H:%M - ")


def generate(messages: int, platform: str, seed: int = 7) -> str:
    """The whole export as text (use `write` for big ones)."""
    return "".join(iter_lines(messages, platform, seed))


def iter_lines(messages: int, platform: str, seed: int = 7):  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    when = datetime(2021, 1, 3, 7, 0, 0)
    encryption = "Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them. Tap to learn more."
    if platform == "ios":
        yield f"[03/01/2021, 07:00:00] Night Turn: \u200e{encryption}\n"
    else:
        yield f"03/01/2021, 07:00 - {encryption}\n"
    for i in range(1, messages):
        when += timedelta(seconds=rng.randint(5, 400))
        header = render_header(platform, when)
        author = NAMES[rng.randrange(len(NAMES))]
        roll = rng.random()
        if roll < 0.01:
            body = FLAGGABLE[rng.randrange(len(FLAGGABLE))]
        elif roll < 0.02:
            event = SYSTEM[rng.randrange(len(SYSTEM))].format(a=author, b=NAMES[rng.randrange(len(NAMES))])
            yield (f"{header}Night Turn: \u200e{event}\n" if platform == "ios" else f"{header}{event}\n")
            continue
        elif roll < 0.06:
            if platform == "ios":
                yield f"\u200e{header}{author}: \u200e<attached: {i:08d}-PHOTO-{when:%Y-%m-%d-%H-%M-%S}.jpg>\n"
            else:
                yield f"{header}{author}: IMG-{when:%Y%m%d}-WA{i % 10000:04d}.jpg (file attached)\n"
            continue
        elif roll < 0.09:
            body = MULTILINE[rng.randrange(len(MULTILINE))]
        elif roll < 0.095:
            body = "This message was deleted"
        else:
            body = ORDINARY[rng.randrange(len(ORDINARY))]
        yield f"{header}{author}: {body}\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--platform", choices=("android", "ios"), default="android")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args()
    with open(args.output, "w", encoding="utf-8", newline="") as out:
        buffer: list[str] = []
        for line in iter_lines(args.messages, args.platform, args.seed):
            buffer.append(line)
            if len(buffer) >= 10_000:
                out.write("".join(buffer))
                buffer.clear()
        out.write("".join(buffer))


if __name__ == "__main__":
    main()
