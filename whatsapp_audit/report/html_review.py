"""The HTML report's reviewer: a verdict and a note on each finding, saved as a review file.

Python draws the controls (escaped like everything else); `templates/review.js` makes them work:
keys to move between findings and give verdicts, the counts of reviewed and unreviewed findings,
and the download of the review file (docs/review.md) as a `blob:` URL made in the page, so nothing
is sent anywhere (the page's CSP still forbids every connection). The entries of the review file
given to `scan --review` travel with the page as a JSON data block (never executed), so saving
keeps what the reviewer did not change as it was (fields the page does not know included) and the
entries of findings not on the page (hidden by --hide-reviewed, set aside, another export's).

A redacted report (`scan --redact`) shows the verdicts but offers no controls: its notes are
redacted, and a review saved from it would overwrite the reviewer's words with the masks.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from whatsapp_audit import __version__
from whatsapp_audit.case import CaseResult
from whatsapp_audit.report.safe import visible
from whatsapp_audit.scan import ScanFinding
from whatsapp_audit.triage.review import VERDICT_WORDS, VERDICTS, Review
from whatsapp_audit.wording import plural

FILE_NAME = "review.json"
UNREVIEWED = "unreviewed"  # the data-verdict of a finding without one (the verdict filter's value)
BUTTONS = (("confirmed", "Confirmed", "c"), ("not_a_concern", "Not a concern", "n"), ("unsure", "Unsure", "u"),
           ("", "Clear", "x"))
KEYS_HELP = ("Keys: j / k next / previous finding · c confirmed · n not a concern · u unsure · x clear · "
             "e write a note (Esc to leave it) · s save. The review file goes to your browser's downloads; "
             "nothing is sent anywhere. Open it here again to go on with it, or re-run with scan --review FILE to see "
             "the verdicts in every report.")
READ_ONLY = ("This redacted copy shows the verdicts of the review file but cannot be used to review: "
             "review in the unredacted report.")


@dataclass(frozen=True)
class ReviewBar:
    """The page-wide part: who is reviewing, the counts, the save button, and the carried entries."""

    editable: bool  # the controls and the save button (False in a redacted copy)
    controls: bool  # per-finding verdicts shown (a redacted copy shows them only when a review file was given)
    file_name: str
    written_by: str
    reviewer: str
    counts: str
    keys_help: str
    carried: Markup  # a JSON data block's content (never executed), `<`, `>` and `&` escaped


def editable(run: CaseResult) -> bool:
    return run.redaction is None


def review_data(item: ScanFinding) -> dict[str, str]:
    """The finding's data-* attributes the reviewer (and the verdict filter) read. `review-id` is the
    id of the review file's entry that gave the verdict (another export's id when matched by
    `portable_id`), so saving knows which carried entry this finding replaces."""
    review = item.review
    return {"portable-id": item.portable_id, "verdict": review.verdict if review else UNREVIEWED,
            "review-id": review.id if review else "", "via": review.matched_by if review else "",
            "reviewer": review.reviewer if review else "", "at": (review.at or "") if review else ""}


def review_controls(item: ScanFinding, number: int, editable: bool = True) -> Markup:
    """The verdict buttons, the note and what is known of the verdict, for one finding."""
    review = item.review
    state = verdict_state(review) if review is not None else "not reviewed"
    note = visible(review.note) if review is not None else ""
    if not editable:
        return Markup('<div class="review"><span class="review-label">Verdict:</span> <span class="review-state">{}</span>'
                      '{}</div>').format(visible(state),
                                         Markup(' <span class="review-note-text">{}</span>').format(note) if note else "")
    buttons = Markup("").join(
        Markup('<button type="button" data-set="{}" aria-pressed="{}">{} <kbd>{}</kbd></button>').format(
            value, "true" if review is not None and review.verdict == value else "false", label, key)
        for value, label, key in BUTTONS)
    return Markup(
        '<div class="review" role="group" aria-label="Review of finding #{number}">'
        '<span class="review-label">Verdict:</span> <span class="review-state">{state}</span>'
        '<span class="review-buttons">{buttons}</span>'
        '<label class="review-note">Note <textarea rows="2" aria-label="Note on finding #{number}">{note}</textarea></label>'
        '<span class="review-note-print">{note}</span>'
        "</div>"
    ).format(number=number, state=visible(state), buttons=buttons, note=note)


def verdict_state(review: Review) -> str:
    """`confirmed (DC Ash, 2024-06-01T09:00:00Z)`: the words the script writes after a change, and
    whether the verdict was given on another export of the chat (matched by `portable_id`)."""
    who = ", ".join(part for part in (review.reviewer, review.at or "") if part)
    via = "; given on another export of this chat" if review.matched_by == "portable_id" else ""
    return VERDICT_WORDS[review.verdict] + (f" ({who}{via})" if who or via else "")


def review_bar(run: CaseResult, findings: Sequence[ScanFinding], reviewer: str) -> ReviewBar:
    given = Counter(item.review.verdict for item in findings if item.review is not None)
    done = sum(given.values())
    counts = (f"Reviewed {done:,} of {plural(len(findings), 'finding')}: "
              + ", ".join(f"{VERDICT_WORDS[v]} {given[v]:,}" for v in VERDICTS) + f"; not reviewed {len(findings) - done:,}.")
    given_file = run.triage is not None and run.triage.review is not None
    return ReviewBar(editable(run), editable(run) or given_file, FILE_NAME, f"whatsapp-audit {__version__} HTML report", reviewer, counts,
                     KEYS_HELP if editable(run) else READ_ONLY, carried_entries(run))


def carried_entries(run: CaseResult) -> Markup:
    """Every entry of the review file given to the scan, as JSON safe inside a
    `<script type="application/json">`. None in a redacted report (it cannot save a review)."""
    triage = run.triage
    entries = []
    if triage is not None and triage.review is not None and editable(run):
        entries = [review.record() for review in triage.review.reviews]
    text = json.dumps({"reviews": entries}, ensure_ascii=True, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def verdict_filter_choices() -> tuple[tuple[str, str], ...]:
    return ((UNREVIEWED, "not reviewed"), *((v, VERDICT_WORDS[v]) for v in VERDICTS))
