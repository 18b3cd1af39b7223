"""The only place rich Consoles are made: colour decisions and safe rendering of chat text."""

from __future__ import annotations

import os

from rich.console import Console
from rich.text import Text

from whatsapp_audit.report.safe import visible


def make_console(*, stderr: bool = False, color: str = "auto") -> Console:
    """A Console that never interprets markup or emoji in what we print, honouring NO_COLOR."""
    no_color = color == "never" or (color == "auto" and "NO_COLOR" in os.environ)
    return Console(
        stderr=stderr,
        force_terminal=True if color == "always" else None,
        no_color=no_color,
        color_system=None if no_color else "auto",
        markup=False,
        emoji=False,
        highlight=False,
        soft_wrap=False,
    )


def chat_text(value: str | None, style: str = "") -> Text:
    """Chat-controlled text (names, messages) as inert rich Text, invisible characters shown."""
    return Text(visible(value or ""), style=style)
