"""The only place rich Consoles are made: colour decisions, safe rendering of chat text, progress.

rich is imported when a Console is first made, so a scan written to a file (JSON, CSV ...) from a
script or a pipe never loads it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from whatsapp_audit.case import BatchProgress
from whatsapp_audit.report.safe import visible
from whatsapp_audit.scan import ProgressCallback

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

color_option = click.option(
    "--color", type=click.Choice(("auto", "always", "never")), default="auto", show_default=True,
    help="Colour in the terminal; auto honours NO_COLOR and turns colour off when not a terminal.",
)
progress_option = click.option("--no-progress", is_flag=True, help="No progress bar on stderr (none is shown off a terminal anyway).")


def make_console(*, stderr: bool = False, color: str = "auto") -> Console:
    """A Console that never interprets markup or emoji in what we print, honouring NO_COLOR."""
    from rich.console import Console

    no_color = color == "never" or (color == "auto" and "NO_COLOR" in os.environ)
    return Console(
        stderr=stderr,
        force_terminal=True if color == "always" else None,
        no_color=no_color,
        color_system=None if no_color else ("truecolor" if color == "always" else "auto"),
        markup=False,
        emoji=False,
        highlight=False,
        soft_wrap=False,
    )


def chat_text(value: str | None, style: str = "") -> Text:
    """Chat-controlled text (names, messages) as inert rich Text, invisible characters shown."""
    from rich.text import Text

    return Text(visible(value or ""), style=style)


@contextmanager
def progress_bar(enabled: bool, color: str = "auto") -> Iterator[ProgressCallback | None]:
    """A transient progress display on stderr while scanning, only when stderr is a terminal."""
    interactive = sys.stderr is not None and sys.stderr.isatty()  # --color always must not force a bar into a log
    console = make_console(stderr=True, color=color) if enabled and interactive else None
    if console is None or console.is_dumb_terminal:
        yield None
        return
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn  # only with a bar

    columns = (SpinnerColumn(), TextColumn("scanning"), BarColumn(bar_width=None),
               TextColumn("{task.fields[messages]:,} messages, line {task.fields[line]:,}"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("scan", total=None, messages=0, line=0)

        def update(messages: int, line: int) -> None:
            progress.update(task, messages=messages, line=line)

        yield update


@contextmanager
def batch_progress_bar(enabled: bool, total: int, color: str = "auto") -> Iterator[BatchProgress | None]:
    """Exports done out of `total` on stderr while a run over several exports goes on (terminal only)."""
    interactive = sys.stderr is not None and sys.stderr.isatty()
    console = make_console(stderr=True, color=color) if enabled and interactive else None
    if console is None or console.is_dumb_terminal:
        yield None
        return
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn  # only with a bar

    columns = (SpinnerColumn(), TextColumn("scanning"), BarColumn(bar_width=None),
               TextColumn("{task.completed:,}/{task.total:,} exports, {task.fields[messages]:,} messages"),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("scan", total=total, messages=0)

        def update(done: int, _total: int, messages: int) -> None:
            progress.update(task, completed=done, messages=messages)

        yield update
