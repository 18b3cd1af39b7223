"""Counted nouns in plain English ("1 finding", "3 findings"), never "finding(s)".

Shared by the library's messages (limitations, errors) and every report, so a count reads the
same wherever it is printed. Imports nothing from the package.
"""

from __future__ import annotations

# Nouns whose plural is not the singular plus "s".
_IRREGULAR = {
    "hash": "hashes", "match": "matches", "person": "people", "category": "categories",
    "entry": "entries", "reply": "replies", "copy": "copies", "property": "properties",
}


def plural(count: int, singular: str, many: str | None = None) -> str:
    """`count` and the noun in the right number: plural(1, "rule") == "1 rule"; thousands get commas."""
    noun = singular if count == 1 else (many or _IRREGULAR.get(singular) or singular + "s")
    return f"{count:,} {noun}"


def noun(count: int, singular: str, many: str | None = None) -> str:
    """The noun alone, in the right number for `count` ("finding" or "findings")."""
    return plural(count, singular, many).split(" ", 1)[1]
