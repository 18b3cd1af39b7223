"""Building blocks of the terminal reports: chat text as inert rich Text, highlighted matches, bars.

Chat text never reaches rich as markup: it is wrapped in `Text` after `safe.visible` (or the phone
mask for private output), so `[red]`, `:emoji:`, ANSI escapes and bidi overrides print literally.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from rich.text import Text

from whatsapp_audit.report.authors import display
from whatsapp_audit.report.safe import visible, whatsapp_mark
from whatsapp_audit.scan import ContextMessage

MAX_CHARS = 600  # a longer message is cut here with a "(+N chars)" marker
Clean = Callable[[str], str]


def inert(value: str | None, style: str = "", clean: Clean = visible) -> Text:
    """Chat-controlled text as rich Text that renders literally."""
    return Text(clean(visible(value or "")), style=style)


def message_text(message: ContextMessage, start: int | None = None, end: int | None = None,
                 clean: Clean = visible, indent: str = "      ") -> Text:
    """The message body (or its attachment), the matched span highlighted, long text cut."""
    body = message.text if message.text else (message.attachment or "")
    if message.text and message.attachment and message.attachment not in message.text:
        body = f"{message.attachment}\n{message.text}"
        if start is not None:
            start, end = start + len(message.attachment) + 1, (end or start) + len(message.attachment) + 1
    cut = len(body) - MAX_CHARS if len(body) > MAX_CHARS else 0
    if start is not None and end is not None and cut:
        window_start = max(0, min(start - 100, len(body) - MAX_CHARS))
        body, start, end = body[window_start:window_start + MAX_CHARS], start - window_start, end - window_start
    elif cut:
        body = body[:MAX_CHARS]
    pieces: list[tuple[str, str]]
    if start is None or end is None or not 0 <= start <= end <= len(body):
        pieces = [(body, "")]
    else:
        pieces = [(body[:start], ""), (body[start:end], "bold reverse"), (body[end:], "")]
    text = Text()
    for piece, style in pieces:
        text.append(clean(visible(piece)).replace("\n", "\n" + indent), style=style)
    if cut:
        text.append(f" (+{cut} chars)", style="dim")
    return text


def context_line(message: ContextMessage, clean: Clean = visible, marker: str = "  ", style: str = "dim",
                 start: int | None = None, end: int | None = None, clock: str = "%H:%M:%S") -> Text:
    """One message in a context block: time (`clock`: no seconds for an export without them), author, text
    (without WhatsApp's own mark before an attachment or notice, `safe.whatsapp_mark`)."""
    cut = whatsapp_mark(message.text, message.kind)
    if cut:
        message = replace(message, text=message.text[cut:])
        start, end = (None, None) if start is None or end is None else (max(0, start - cut), max(0, end - cut))
    head = Text(f"    {marker}{message.timestamp.strftime(clock)} ", style=style)
    head.append_text(inert(display(message.author), style=f"{style} bold".strip(), clean=clean))
    head.append(": ", style=style)
    body = message_text(message, start, end, clean=clean)
    if style:
        body.stylize(style)
    return head + body


def bar(value: int, largest: int, width: int = 30) -> str:
    """A plain bar of block characters, long enough to compare days at a glance."""
    if largest <= 0 or value <= 0:
        return ""
    return "█" * max(1, round(width * value / largest))
