"""The officer's private answer (`whatsapp-audit check`): plain words, context, and what to do next.

Wording is explanatory, never a verdict ("could be seen as ..."), each finding names the guidance it
touches, phone numbers are masked, and the advice is to seek advice: it never tells anyone to delete
anything, because removing material can itself be a problem if there is an investigation.
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from whatsapp_audit.case import CaseResult, ExportFailure, as_case
from whatsapp_audit.report.authors import label
from whatsapp_audit.report.image_evidence import exif_evidence
from whatsapp_audit.report.safe import mask_phone_numbers
from whatsapp_audit.report.summary import characteristic_text, rule_texts, time_format, trimmed
from whatsapp_audit.report.terminal import context_line, inert
from whatsapp_audit.report.triage import search_lines, triage_lines, verdict_line
from whatsapp_audit.scan import ExportScan, ScanFinding, ScanResult
from whatsapp_audit.wording import plural

COULD_BE = {
    "operational_data": "sharing police information outside police systems",
    "crime_scene_image": "sharing an image from a crime scene or incident",
    "discriminatory_language": "discriminatory language about a protected characteristic",
}
NEXT_STEPS = (
    ("Talk to your supervisor or line manager about what was found, or ask your Professional Standards "
     "Department (PSD) for advice."),
    ("If personal data of the public or colleagues may have been shared, your force's data protection officer can "
     "tell you what to do next."),
    "Do not forward, screenshot or re-share the messages listed above while you seek advice.",
    "Each finding is an indicator for a person to look at, not a judgement: context matters, and some will be harmless.",
)
SENSITIVE = ("This check ran privately on this computer: nothing was saved or sent anywhere. If you save or copy "
             "this output, treat it as sensitive, like the chat itself.")


def by_message(findings: list[ScanFinding]) -> list[list[ScanFinding]]:
    """Findings grouped by the message they are about, in time order (one block per message)."""
    groups: dict[tuple[int, int], list[ScanFinding]] = {}
    for item in findings:
        groups.setdefault((item.source, item.finding.message_index), []).append(item)
    return list(groups.values())


def render_check(result: ScanResult | CaseResult, console: Console, context: int = 2) -> None:
    """Print the plain-words report for an officer checking their own group (or several)."""
    mask = mask_phone_numbers
    case = as_case(result)
    several = case.single is None
    if several:
        console.print(Text(f"Checking {len(case.exports)} chats", style="bold"))
        for index, export in enumerate(case.exports):
            line = Text(f" {index + 1}. ") + inert(_chat_name(case, index), clean=mask)
            if isinstance(export, ExportFailure):
                line += Text(" could not be read: ", style="bold") + inert(export.reason, clean=mask)
            console.print(line)
    else:
        console.print(Text("Checking ", style="bold") + inert(_chat_name(case, 0), style="bold", clean=mask))
    console.print(Text(f"{case.counts.examined:,} messages looked at. Only findings of {case.min_confidence} "
                       "confidence or above are shown; phone numbers are partly hidden."))
    for sentence in search_lines(case) + triage_lines(case):
        console.print(Text("Note: ") + inert(sentence[:1].upper() + sentence[1:], clean=mask))
    console.print()
    findings = list(case.findings)
    if not findings:
        console.print(Text(f"Nothing in {'these chats' if several else 'this chat'} matched the rules for "
                           "operational data, crime-scene images or discriminatory language.", style="bold green"))
        console.print(Text("The check cannot see everything (for example what is in a photo), so if you are "
                           "unsure about something, ask."))
    else:
        groups = len(by_message(findings))
        console.print(Text(f"{plural(groups, 'message')} could be a problem:", style="bold"))
        console.print()
    for number, group in enumerate(by_message(findings), 1):
        first = group[0]
        clock = time_format(case, first.source)
        head = Text(f"{number}. ", style="bold") + inert(label(first.author), style="bold", clean=mask)
        head.append(f", {first.timestamp:%d %b %Y %H:%M} (line {first.finding.line}")
        if several:
            head.append(f" of chat {first.source + 1}")
        head.append(")")
        console.print(head)
        before, after = trimmed(first, context)
        for message in before:
            console.print(context_line(message, clean=mask, clock=clock))
        if first.message is not None:
            spans = [(i.finding.start, i.finding.end) for i in group if i.finding.start is not None]
            start, end = spans[0] if len(spans) == 1 else (None, None)
            console.print(context_line(first.message, clean=mask, marker="> ", style="", start=start, end=end, clock=clock))
        for message in after:
            console.print(context_line(message, clean=mask, clock=clock))
        for item in group:
            finding = item.finding
            why, guidance = rule_texts(case, finding.rule)
            title = case.titles.get(finding.rule, finding.rule)
            could = COULD_BE.get(finding.category.value, "a problem")
            console.print(Text(f"   This could be seen as {could}: {in_sentence(title)}", style="bold")
                          + (Text(" (") + inert(finding.matched, clean=mask) + Text(")") if finding.matched else Text("")))
            exif = exif_evidence(item)
            if exif is not None:
                console.print(Text(f"   {exif.plain()}"))
            if finding.characteristics:
                console.print(Text(f"   Protected characteristic: {characteristic_text(finding.characteristics)}"))
            if why:
                console.print(Text(f"   Why it matters: {why}"))
            if guidance:
                console.print(Text(f"   Which guidance it touches: {guidance}"))
            if item.review is not None:
                console.print(Text("   Review: ", style="bold") + inert(verdict_line(item.review), clean=mask))
        console.print()
    console.print(Text("What to do next", style="bold"))
    for step in NEXT_STEPS if findings else NEXT_STEPS[-1:]:
        console.print(Text(f" - {step}"))
    console.print()
    console.print(Text(SENSITIVE, style="italic"))


def in_sentence(title: str) -> str:
    """A rule title inside a sentence: "Vehicle registration mark" -> "vehicle registration mark", but
    "PNC ID" and "OFFICIAL-SENSITIVE marking" keep their capitals (a first word in capitals is a name)."""
    first = title.split(" ", 1)[0]
    if len(first) > 1 and first[1:2].isupper():
        return title
    return title[:1].lower() + title[1:]


def _chat_name(case: CaseResult, index: int) -> str:
    export = case.exports[index]
    member = export.source.chat_member if isinstance(export, ExportScan) else None
    return case.path(index) + (f" (chat {member})" if member else "")
