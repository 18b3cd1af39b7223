"""Make hostile chat text inert in every output: CSV cells, terminal text, HTML.

Every reporter passes chat text through here; nothing else in the package escapes text itself.
"""

from __future__ import annotations

import html
import re

# A spreadsheet runs a cell as a formula when it starts with one of these (OWASP CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# C0/C1 controls (but tab and newline), bidi overrides and isolates, zero-width characters.
_INVISIBLE = re.compile("[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def csv_cell(value: object) -> str:
    """A CSV cell that no spreadsheet will evaluate: formula-like text gets a leading apostrophe."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def visible(text: str) -> str:
    """Show control, bidi and zero-width characters as `⟨U+202E⟩` so they cannot reorder or hide text."""
    return _INVISIBLE.sub(lambda m: f"⟨U+{ord(m.group()):04X}⟩", text)


def html_text(text: str) -> str:
    """Escape for HTML element content and attribute values, with invisible characters made visible."""
    return html.escape(visible(text), quote=True)
