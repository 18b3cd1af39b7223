"""What every report says about a narrowed search, the allowlists and the review file.

One place builds the JSON records (report, manifest) and the plain sentences (terminal, `check`,
search strategy, stderr), so every output states the same scope and the same counts.
"""

from __future__ import annotations

from typing import Any

from whatsapp_audit.case import CaseResult
from whatsapp_audit.scan import ScanFinding, examinable
from whatsapp_audit.scope import SearchScope
from whatsapp_audit.triage.review import VERDICT_WORDS, Review


def _scope(case: CaseResult) -> SearchScope:
    return case.search if case.search is not None else SearchScope()


def selected_rules(case: CaseResult) -> list[str]:
    """Ids of the rules whose findings were kept, in load order."""
    chosen = _scope(case).selected_rules(case.patterns)
    return [rule.id for rule in case.patterns.rules if chosen is None or rule.id in chosen]


def messages_not_examined(case: CaseResult) -> int:
    """Messages a person may have written that the narrowed search left out (kept as context)."""
    return sum(examinable(export.stats) - export.counts.examined for _, export in case.scanned)


def search_record(case: CaseResult, *, names: bool = True) -> dict[str, Any]:
    """The JSON `search` object: what was and was not searched. `names=False` (the manifest) leaves out
    which authors each --participant matched (the participants' names as the export writes them)."""
    scope = _scope(case)
    searched = selected_rules(case)
    record: dict[str, Any] = {
        "narrowed": scope.narrowed,
        "categories": list(scope.categories),
        "rules": list(scope.rules),
        "participants": list(scope.participants),
        "since": scope.since,
        "until": scope.until,
        "rules_searched": searched,
        "rules_not_searched": [rule.id for rule in case.patterns.rules if rule.id not in set(searched)],
        "messages_not_examined": messages_not_examined(case),
    }
    if names:
        record["participants_matched"] = [
            {"participant": given, "source": index, "authors": authors}
            for index, export in case.scanned
            for given, authors in scope.authors_matched(export.stats.authors).items()
        ]
    return record


def allowlist_record(case: CaseResult) -> dict[str, Any]:
    """The JSON `allowlist` object: every file given, with each entry and the findings it set aside."""
    triage = case.triage
    files = []
    for file_index, allowlist in enumerate(triage.allowlists if triage is not None else ()):
        entries = []
        for entry_index, entry in enumerate(allowlist.entries):
            ids = list(triage.suppressed_by(file_index, entry_index)) if triage is not None else []
            entries.append({"value": entry.value, "rule": entry.rule, "reason": entry.reason,
                            "added_by": entry.added_by, "added": entry.added, "suppressed": len(ids), "ids": ids})
        files.append({"path": allowlist.path, "sha256": allowlist.sha256, "entries": entries})
    return {"files": files, "suppressed": triage.suppressed_total if triage is not None else 0}


def review_record(case: CaseResult) -> dict[str, Any] | None:
    """The JSON `review` object (null without --review)."""
    triage = case.triage
    if triage is None or triage.review is None:
        return None
    return {
        "path": triage.review.path, "sha256": triage.review.sha256, "entries": len(triage.review.reviews),
        "by_verdict": triage.by_verdict, "matched_by_portable_id": triage.by_portable_id,
        "unreviewed": triage.unreviewed, "unmatched_entries": triage.unmatched,
        "hide": list(triage.hide), "hidden": triage.hidden,
    }


def finding_review(item: ScanFinding) -> dict[str, Any] | None:
    """A finding's `review` in the JSON report: its entry in the review file, and how it was found."""
    review = item.review
    if review is None:
        return None
    return {"id": review.id, "verdict": review.verdict, "note": review.note, "reviewer": review.reviewer,
            "at": review.at, "matched_by": review.matched_by}


def verdict_line(review: Review) -> str:
    """`not a concern (DC Ash, 2024-06-01T09:00:00Z): the force's own number` (chat-safe by the caller)."""
    who = ", ".join(part for part in (review.reviewer, review.at or "") if part)
    via = "; verdict given on another export of this chat" if review.matched_by == "portable_id" else ""
    head = VERDICT_WORDS[review.verdict] + (f" ({who}{via})" if who or via else "")
    return f"{head}: {review.note}" if review.note else head


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def search_lines(case: CaseResult) -> list[str]:
    """The narrowed search in plain sentences (empty for a full search)."""
    scope = case.search
    if scope is None or not scope.narrowed:
        return []
    lines = []
    if scope.narrows_rules:
        searched = selected_rules(case)
        asked = [*(f"category {c}" for c in scope.categories), *(f"rule {r}" for r in scope.rules)]
        lines.append(f"search narrowed to {' and '.join(asked)}: findings of {_plural(len(searched), 'rule')} "
                     f"of {len(case.patterns.rules)} kept; other rules' findings were not kept or counted")
    if scope.participants:
        matched = [(index, scope.authors_matched(export.stats.authors)) for index, export in case.scanned]
        for given in scope.participants:
            where = [_plural(len(found[given]), "author") + ("" if case.single is not None else f" in exhibit {index + 1}")
                     for index, found in matched]
            if not any(found[given] for _, found in matched):
                lines.append(f"search narrowed to messages by participant {given!r}, who matched no author: "
                             "no message of theirs was examined (check the name as the export shows it)")
            else:
                lines.append(f"search narrowed to messages by participant {given!r} (matched {', '.join(where)})")
    if scope.since or scope.until:
        span = (f"from {scope.since} " if scope.since else "") + (f"until {scope.until} " if scope.until else "")
        lines.append(f"search narrowed to messages {span}(inclusive, the export's local time)")
    if scope.narrows_messages:
        lines.append(f"{_plural(messages_not_examined(case), 'message')} outside the search were read and kept as "
                     "context, not examined")
    return lines


def triage_lines(case: CaseResult) -> list[str]:
    """What the allowlists and the review file did, in plain sentences (empty when neither was given)."""
    triage = case.triage
    if triage is None:
        return []
    lines = []
    for file_index, allowlist in enumerate(triage.allowlists):
        total = sum(len(triage.suppressed_by(file_index, i)) for i in range(len(allowlist.entries)))
        unused = sum(1 for i in range(len(allowlist.entries)) if not triage.suppressed_by(file_index, i))
        lines.append(f"allowlist {allowlist.path}: {_plural(total, 'finding')} set aside by "
                     f"{_plural(len(allowlist.entries), 'entry', 'entries')}"
                     + (f" ({unused} matched nothing)" if unused else ""))
    if triage.review is not None:
        reviewed = sum(triage.by_verdict.values())
        verdicts = ", ".join(f"{VERDICT_WORDS[v]} {n}" for v, n in triage.by_verdict.items())
        line = f"review {triage.review.path}: {reviewed} of {reviewed + triage.unreviewed} findings have a verdict ({verdicts})"
        if triage.by_portable_id:
            line += f", {triage.by_portable_id} of them given on another export of the chat"
        lines.append(line)
        if triage.hidden:
            lines.append("left out of the reports: " + ", ".join(
                f"{_plural(n, 'finding')} marked {VERDICT_WORDS[v]}" for v, n in triage.hidden.items()))
        if triage.unmatched:
            lines.append(f"{_plural(triage.unmatched, 'review entry', 'review entries')} matched no finding of this run")
    return lines


def search_log(case: CaseResult) -> dict[str, Any]:
    """The processing log's `search_narrowed` event (counts, no participants' names)."""
    record = search_record(case, names=False)
    return {"categories": record["categories"], "rules": record["rules"], "participants": len(record["participants"]),
            "since": record["since"], "until": record["until"], "rules_searched": len(record["rules_searched"]),
            "messages_not_examined": record["messages_not_examined"]}
