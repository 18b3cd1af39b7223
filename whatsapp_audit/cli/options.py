"""Options shared by several commands, and the guard that keeps output away from the evidence."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import click

from whatsapp_audit import build_cache
from whatsapp_audit.errors import UsageError
from whatsapp_audit.ingest.survey import DATE_ORDERS

export_argument = click.argument("export", type=click.Path(path_type=Path, dir_okay=True, exists=False))
# Several exports and folders (searched recursively for .txt and .zip exports): one case report.
def _evidence_folders(ctx: click.Context, param: click.Parameter, value: tuple[Path, ...]) -> tuple[Path, ...]:
    """The exports' folders (a folder given: itself) are no place for the build cache: told before any
    pack is loaded, since loading one stores it there (build_cache)."""
    build_cache.keep_out_of(path if path.is_dir() else path.parent for path in value)
    return value


exports_argument = click.argument("exports", nargs=-1, required=True, metavar="PATH...",
                                  type=click.Path(path_type=Path, dir_okay=True, exists=False),
                                  callback=_evidence_folders)

date_order_option = click.option(
    "--date-order",
    type=click.Choice(("auto", *DATE_ORDERS)),
    default="auto",
    show_default=True,
    help="Day/month order of the header dates; auto settles it from the whole file and says how.",
)


model_option = click.option(
    "--model/--no-model", "model", default=None,
    help="Run (or leave out) the discriminatory detector's statistical model, rule DIS-MODEL "
         "[default: as its pattern file says; the bundled one is off].",
)


jobs_option = click.option(
    "--jobs", "-j", type=click.IntRange(0, 64), default=0, show_default=True,
    help="Processes to use: with one export they share it, with several each scans whole exports; "
         "0: one per core once the input is big enough. The report is the same whatever the number.",
)


def chosen_jobs(value: int) -> int | None:
    return None if value == 0 else value


def chosen_date_order(value: str) -> str | None:
    return None if value == "auto" else value


def refuse_beside_evidence(output: Path, exports: Sequence[Path], folders: Sequence[Path] = ()) -> None:
    """Refuse to write into an exhibit's folder (or over the exhibit), or anywhere inside a folder of
    exhibits given on the command line: the evidence stays untouched."""
    target = output.expanduser().resolve()
    for folder in folders:
        if target.is_relative_to(folder.expanduser().resolve()):
            raise UsageError(
                f"{output}: refusing to write inside the folder of exports {folder} "
                "(the evidence is read-only); choose another folder"
            )
    for export in exports:
        source = export.expanduser().resolve()
        folder = source.parent
        if target == source or target.is_relative_to(folder):
            raise UsageError(
                f"{output}: refusing to write inside the folder of the export {export} "
                "(the evidence is read-only); choose another folder"
            )


@contextmanager
def output_stream(output: Path | None, exports: Sequence[Path], *, bom: bool = False,
                  folders: Sequence[Path] = ()) -> Iterator[TextIO]:
    """stdout, or a new file at `output` (after `refuse_beside_evidence`)."""
    if output is None:
        yield sys.stdout
        return
    refuse_beside_evidence(output, exports, folders)
    try:
        handle = open(output, "w", encoding="utf-8-sig" if bom else "utf-8", newline="")  # noqa: SIM115 - `with` below
    except OSError as error:
        raise UsageError(f"{output}: cannot be written ({error.strerror})") from None
    with handle:
        yield handle


cluster_option = click.option(
    "--cluster", metavar="tcp://HOST:PORT", default=None,
    help="Scan the exports on this Dask scheduler's workers (needs whatsapp-audit[cluster]; the workers "
         "must see the exports at the same absolute paths). See docs/cluster.md.",
)
