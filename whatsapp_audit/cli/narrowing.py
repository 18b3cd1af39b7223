"""Options `scan` and `check` share for a search narrowed to the allegation, and for what is done
with findings afterwards (a review file, allowlists); everything is read and checked before the
scan starts, so a long run never ends in a refusal."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from whatsapp_audit.errors import UsageError
from whatsapp_audit.rules.loader import PatternSet
from whatsapp_audit.scope import CATEGORIES, SearchScope
from whatsapp_audit.triage.allowlist import Allowlist, load_allowlist
from whatsapp_audit.triage.review import VERDICTS, ReviewFile, load_review

F = TypeVar("F", bound=Callable[..., Any])
_FILE = click.Path(path_type=Path, dir_okay=False, exists=True)


def search_options(command: F) -> F:
    """--category, --rule, --participant, --since, --until."""
    for option in reversed((
        click.option("--category", "categories", multiple=True, type=click.Choice(CATEGORIES),
                     help="Only this category's findings (repeatable). Rules of other categories are not run."),
        click.option("--rule", "rule_globs", multiple=True, metavar="ID|GLOB",
                     help="Only these rules' findings, e.g. --rule OPS-VRM --rule 'OPS-MARKING-*' (repeatable)."),
        click.option("--participant", "participants", multiple=True, metavar="NAME",
                     help="Only examine messages by this person: the name or number as the export shows it, "
                          "case and invisible marks ignored (repeatable). Other messages stay as context."),
        click.option("--since", metavar="DATE[THH:MM]", default=None,
                     help="Only examine messages from this date (or time), in the export's local time."),
        click.option("--until", metavar="DATE[THH:MM]", default=None,
                     help="Only examine messages up to this date (the whole day) or time, inclusive."),
    )):
        command = option(command)
    return command


def triage_options(command: F) -> F:
    """--review, --hide-reviewed, --allowlist."""
    for option in reversed((
        click.option("--review", "review_file", type=_FILE, default=None, metavar="FILE",
                     help="A review file (docs/review.md): each finding's verdict and note is shown in every report."),
        click.option("--hide-reviewed", "hide_reviewed", multiple=True, type=click.Choice(VERDICTS),
                     help="Leave out findings with this verdict in the --review file (repeatable); they are "
                          "counted, and the search strategy says so."),
        click.option("--allowlist", "allowlists", multiple=True, type=_FILE, metavar="FILE",
                     help="Set aside known values listed in this TOML file, each with a reason (docs/allowlist.md); "
                          "counted per entry. Repeatable."),
    )):
        command = option(command)
    return command


@dataclass(frozen=True)
class Narrowing:
    """The search scope and the triage inputs of a run, read and checked."""

    search: SearchScope | None
    review: ReviewFile | None
    hide: tuple[str, ...]
    allowlists: tuple[Allowlist, ...]

    def check_against(self, patterns: PatternSet) -> None:
        """Errors that need the rules loaded: a --rule glob or allowlist rule that names none."""
        if self.search is not None:
            self.search.selected_rules(patterns)
        for allowlist in self.allowlists:
            allowlist.check_rules(patterns)


def read_narrowing(categories: Sequence[str], rule_globs: Sequence[str], participants: Sequence[str],
                   since: str | None, until: str | None, review_file: Path | None, hide_reviewed: Sequence[str],
                   allowlists: Sequence[Path]) -> Narrowing:
    search = SearchScope(tuple(categories), tuple(rule_globs), tuple(participants), since, until)
    if hide_reviewed and review_file is None:
        raise UsageError("--hide-reviewed needs --review FILE: the verdicts come from a review file")
    review = load_review(review_file) if review_file is not None else None
    return Narrowing(search if search.narrowed else None, review, tuple(dict.fromkeys(hide_reviewed)),
                     tuple(load_allowlist(path) for path in allowlists))
