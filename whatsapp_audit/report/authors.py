"""How every human-facing output names an author: the clean display form, and a note when the
exporting phone did not have them saved (a bare number, or a `~ Name` profile name).

The verbatim author (bidi isolates, `~` and its no-break space included) stays in the records
(JSON, `parse`, fingerprints); only what a person reads goes through here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from whatsapp_audit.model import ShownAs, author_name
from whatsapp_audit.report.safe import visible

SYSTEM = "(system)"
_UNSAVED = {ShownAs.NUMBER: "number", ShownAs.PROFILE_NAME: "~ profile name"}


def display(author: str | None) -> str:
    """The author as a person reads it: `+44 7700 900123`, `Ana`; "(system)" for a system event."""
    return author_name(author).display if author else SYSTEM


def unsaved(author: str | None) -> str | None:
    """How a participant the phone had not saved is shown ("number", "~ profile name"), or None."""
    return _UNSAVED.get(author_name(author).shown_as) if author else None


def saved_column(author: str | None) -> str:
    """A participants table's "saved in phone" cell: "no (number)", "no (~ profile name)" or ""."""
    how = unsaved(author)
    return f"no ({how})" if how else ""


def label(author: str | None) -> str:
    """The display form with a note: `+44 7700 900123 (number not saved in the phone)`."""
    how = unsaved(author)
    return f"{display(author)} ({how}, not saved in the phone)" if how else display(author)


def distinct_displays(authors: Iterable[str]) -> dict[str, str]:
    """Display forms for a list of participants. Two that would read the same (`Ana` and `~ Ana`,
    or names that differ only in invisible marks) are shown as written instead, marks as codes,
    so a table never has two rows that look alike."""
    shown = {author: display(author) for author in authors}
    count = Counter(shown.values())
    return {author: visible(author) if count[name] > 1 else name for author, name in shown.items()}
