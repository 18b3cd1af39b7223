"""When an export's own phone joined, left or created the group (`patterns/merge/membership.toml`).

Messages from before a phone joined are missing from its export for an innocent reason; the merge
report says so instead of listing them as deleted.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import regex

from whatsapp_audit.errors import PatternError
from whatsapp_audit.merge.normalise import plain
from whatsapp_audit.model import Message, MessageKind
from whatsapp_audit.resources import default_patterns_dir


@dataclass(frozen=True)
class Membership:
    created: bool
    joined_at: datetime | None  # the last time the phone joined
    left_at: datetime | None  # the last time it left (None if it rejoined after)


@dataclass(frozen=True)
class MembershipPhrases:
    joined: tuple[regex.Pattern[str], ...]
    left: tuple[regex.Pattern[str], ...]
    created: tuple[regex.Pattern[str], ...]


@lru_cache(maxsize=2)
def load_phrases(path: Path | None = None) -> MembershipPhrases:
    path = path or default_patterns_dir() / "merge" / "membership.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))

        def compiled(section: str) -> tuple[regex.Pattern[str], ...]:
            return tuple(regex.compile(p, regex.IGNORECASE) for p in data[section]["events"])

        return MembershipPhrases(compiled("joined"), compiled("left"), compiled("created"))
    except OSError as error:
        raise PatternError(str(path), None, None, f"cannot be read ({error.strerror})") from None
    except (tomllib.TOMLDecodeError, KeyError, TypeError, regex.error) as error:
        raise PatternError(str(path), None, None, f"invalid membership phrases ({type(error).__name__}: {error})") from None


def membership(messages: Iterable[Message], phrases: MembershipPhrases) -> Membership:
    created = False
    joined: datetime | None = None
    left: datetime | None = None
    for message in messages:
        if message.kind is not MessageKind.SYSTEM:
            continue
        text = plain(message.text)
        if any(p.match(text) for p in phrases.created):
            created = True
        elif any(p.match(text) for p in phrases.joined):
            joined, left = message.timestamp, None
        elif any(p.match(text) for p in phrases.left):
            left = message.timestamp
    return Membership(created, joined, left)
