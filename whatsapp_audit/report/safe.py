"""Make hostile chat text inert in every output: CSV cells, terminal text, HTML.

Every reporter passes chat text through here; nothing else in the package escapes text itself.
"""

from __future__ import annotations

import html
import re

from whatsapp_audit.report import encode

# A spreadsheet runs a cell as a formula when it starts with one of these (OWASP CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# C0/C1 controls (but tab and newline), bidi overrides and isolates, zero-width characters.
_INVISIBLE = re.compile("[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


# Kinds whose text iOS starts with a left-to-right mark: attachments, locations and its own notices.
_WHATSAPP_MARKED = frozenset({"media", "location", "view_once", "system", "deleted", "call", "pending"})


def whatsapp_mark(text: str, kind: str) -> int:
    """How many characters at the start of `text` are WhatsApp's own formatting, not the sender's: the
    left-to-right mark iOS writes before an attachment, a location or one of its notices
    (`\u200e<attached: ...>`). Shown as ⟨U+200E⟩ on every photo line it only alarms, so the human
    reports leave it out (1); a person's text keeps it, shown, as does any other invisible character
    (0). The JSON keeps the text exactly as written."""
    return 1 if text.startswith("\u200e") and kind in _WHATSAPP_MARKED else 0


def csv_cell(value: object) -> str:
    """A CSV cell that no spreadsheet will evaluate: formula-like text gets a leading apostrophe.
    Booleans are `true`/`false`, as in the JSON outputs (not Python's `True`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
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


def csv_text(value: object) -> str:
    """A CSV cell for chat text: invisible characters shown and formulas disarmed (line breaks kept)."""
    return csv_cell(visible("" if value is None else str(value)))


# A phone number as people write one: + or 0, then 9-14 more digits with spaces, dots, dashes or brackets.
_PHONE = re.compile(r"(?<![\w+/-])(?:\+|\(?0)(?:[\s().-]{0,2}\d){9,14}(?![\w-])")


def mask_phone_numbers(text: str) -> str:
    """Hide all but the last three digits of each phone-number-shaped run (for private output)."""

    def mask(match: re.Match[str]) -> str:
        digits = [c for c in match.group() if c.isdigit()]
        return "•" * (len(digits) - 3) + "".join(digits[-3:])

    return _PHONE.sub(mask, text)


def json_dumps(value: object, indent: int | None = None) -> str:
    """JSON with readable non-ASCII text, but controls, bidi and zero-width characters as \\uXXXX escapes,
    so a report printed in a terminal cannot be reordered or restyled; the decoded text is unchanged.

    Compact (no spaces after `,` and `:`) unless `indent` is 2 (the only indent the reports use)."""
    if indent not in (None, 2):
        raise ValueError("indent must be None or 2")
    text = encode.dumps(value, indent=indent is not None)
    if text.isascii() and "\x7f" not in text:
        return text  # the encoder escaped C0 controls; every other character to hide is not ASCII
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
