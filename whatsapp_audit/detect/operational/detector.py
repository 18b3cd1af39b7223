"""The operational-data detector: plates, postcodes, phone numbers, police ids and references.

Every rule is data (patterns/operational/*.toml): regexes find candidates, a named validator
(`checks.py`) checks and normalises them, and context words near the match raise or lower the
score. Rules that are only meaningful with context (`options.require_context`) need a boost word
within `context.window` tokens. Cheap gates (a keyword or a digit in the message) keep the regexes
off the many messages that cannot match.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence

import regex

from whatsapp_audit.detect.base import Rule, Window
from whatsapp_audit.detect.operational.checks import Check, collapse
from whatsapp_audit.detect.operational.compile import (
    CONTEXT_CHARS,
    DIGITS,
    HAS_DIGIT,
    Compiled,
    compile_rule,
    window_text,
)
from whatsapp_audit.detect.text.firsts import skipping
from whatsapp_audit.detect.text.guard import SHORT_TEXT, Guarded, RegexTimeout, TimeoutLog
from whatsapp_audit.detect.text.keywords import KeywordIndex, owners_in
from whatsapp_audit.detect.text.runs import RunTable, every_shape
from whatsapp_audit.model import Category, Confidence, Explanation, Finding, Message

_NO_FLOOR = 1 << 62  # digits no text has: no rule without a prefilter
MAX_BOOST = 0.3  # context words can add at most this much: they support a match, never make one


class OperationalDetector:
    """Operational and personal data in message text, and police documents sent as files."""

    name = "operational"
    category = Category.OPERATIONAL_DATA
    needs_tokens = False
    context_size = 1

    def __init__(self) -> None:
        self.configure(())

    @property
    def timeouts(self) -> list[RegexTimeout]:
        """Rules skipped on a message because a regex from their pattern file ran out of time."""
        return self._timeouts.items

    def reset(self) -> None:
        """Forget the last export's time-outs before the next one (one engine scans many exports)."""
        self._timeouts = TimeoutLog()

    def configure(self, rules: Sequence[Rule]) -> None:
        self._timeouts = TimeoutLog()
        self._rules = tuple(compile_rule(rule) for rule in rules)
        self._text_rules = tuple(c for c in self._rules if not c.on_attachment)
        self._file_rules = tuple(c for c in self._rules if c.on_attachment)
        owners: dict[str, list[int]] = {}
        for position, compiled in enumerate(self._text_rules):
            for word in compiled.gate_words:
                owners.setdefault(word, []).append(position)
        self._runs = RunTable()
        self._words = KeywordIndex(owners, self._runs) if owners else None
        self._always = tuple(n for n, c in enumerate(self._text_rules) if not c.gate_words and not c.requires_digit)
        self._digit_positions = frozenset(n for n, c in enumerate(self._text_rules) if c.requires_digit)
        self._digit_always = tuple(n for n, c in enumerate(self._text_rules) if not c.gate_words and c.requires_digit)
        # The engine's filter holds the words of the rules that need no digit. The rules that need one
        # are asked about by `wakes`, not woken by any digit: "running 5 late" or "room 4" holds
        # neither such a rule's word nor a digit shape one of them needs, and ran them all for nothing.
        # (A pack with no rule of the first kind keeps the digits as its keywords: the engine gates a
        # detector only on keywords, and `wakes` then has nothing to add.)
        words = frozenset(word for c in self._text_rules if not c.requires_digit for word in c.gate_words)
        self._keywords: frozenset[str] = frozenset() if self._always else words or (
            DIGITS if self._digit_positions else frozenset())
        digit_words = {word: [0] for c in self._text_rules if c.requires_digit for word in c.gate_words}
        self._digit_words = KeywordIndex(digit_words, self._runs) if digit_words else None
        self._digit_field = self._runs.add(_run_has_digit, 1, blind=every_shape)
        self._quiet: tuple[tuple[re.Pattern[str], ...], int] | None = None
        self._quiet_known = False  # `_quiet` worked out (on first use)
        self._groups = {c.rule.id: c.group for c in self._rules}

    def share_runs(self, table: RunTable) -> None:
        """Read runs through the engine's table (text/runs.py): the keyword, digit-word and digit
        tests of `wakes` and `_active` come from the walk the engine's own gate made."""
        self._runs = table
        for index in (self._words, self._digit_words):
            if index is not None:
                index.share(table)
        self._digit_field = table.add(_run_has_digit, 1, blind=every_shape)

    def keywords(self) -> frozenset[str]:
        return self._keywords

    def wake_bits(self) -> int | None:
        """The bits of the run table (laid out) without which `wakes` says no: a digit in some run
        (none at all when no rule needs a digit); the engine then need not ask."""
        return self._digit_field.mask << self._digit_field.shift if self._digit_positions else 0

    def wakes(self, text: str) -> bool:
        """Whether a message with none of `keywords` needs this detector (asked by the engine): it has
        a digit and a word of a rule that needs a digit, or some rule gated on a digit alone could
        match it. For those rules that is the test `_active` makes (the digits the rule asks of a
        message, its prefilter), then a search of the rule's own regexes, for bundled rules: with none
        matching, `detect` finds nothing (a finding is a match of one of them). A pack's own rules,
        whose regexes run with a time limit, are left to `detect`, which reports a time-out; so is a
        prefilter that runs out of time here."""
        if not self._digit_positions:
            return False
        lowered, combined = self._runs.of_text(text)
        return self.wakes_bits(text, lowered, combined)

    def wakes_bits(self, text: str, lowered: str, combined: int) -> bool:
        """`wakes(text)`, given `text.lower()` and its bits in the shared table (what the engine has
        already read of it)."""
        if not self._digit_positions or not self._digit_field.read(combined):
            return False  # no digit (digits have no case, and are never spaces)
        if self._digit_words is not None and self._digit_words.mask_of(lowered, combined):
            return True  # a word of a rule that needs a digit as well: `_active` chooses that rule
        short = len(text) <= SHORT_TEXT
        count = _DigitCount(text)
        if short:
            quiet = self._quiet if self._quiet_known else self._quiet_gate()
            if quiet is not None:
                searches, floor = quiet
                digits = count()
                if digits < floor and searches[min(digits, len(searches) - 1)].search(text) is None:
                    return False  # no rule below passes its gates: too few digits, or its prefilter fails
        for position in self._digit_always:
            compiled = self._text_rules[position]
            passes = _passes_gates(compiled, text, short, count)
            if passes is None:
                return True  # the prefilter ran out of time: `detect` runs it again and reports it
            if not passes:
                continue
            if not all(pattern.trusted for pattern in compiled.patterns):
                return True
            if any(next(iter(pattern.finditer(text)), None) is not None for pattern in compiled.patterns):
                return True
        return False

    def quiet_test(self) -> tuple[int, tuple[Callable[[str], object], ...], int, int] | None:
        """`(words, searches, floor, longest)`: a text with a digit of at most `longest` characters
        whose run bits (the shared table's, laid out) hold none of `words` (this detector's words of
        rules that need a digit), with n decimal digits, fewer than `floor`, in which `searches[n]` (the
        last one past their end) finds nothing is one `wakes_bits` says no to (its short-text test,
        `_quiet_gate`): the engine's block gate then answers it in C (`Engine._waker_test`). None: no
        such test."""
        quiet = self._quiet_gate() if self._digit_positions else None
        if quiet is None:
            return None
        words = self._digit_words.field_bits() if self._digit_words is not None else 0
        if words is None:
            return None
        searches, floor = quiet
        return words, tuple(pattern.search for pattern in searches), floor, SHORT_TEXT

    def _quiet_gate(self) -> tuple[tuple[re.Pattern[str], ...], int] | None:
        """For a short text: (searches, floor). searches[n] (the last for more digits) searches at once
        every prefilter of the rules gated on a digit alone that ask a message for at most n digits;
        floor is the fewest digits a rule of theirs without a prefilter asks for. A text with n digits,
        fewer than floor, in which searches[n] finds nothing passes no such rule's gates
        (`_passes_gates`: the digits it asks of a message, then its prefilter), so `wakes` answers it
        with one search instead of one per rule (half of the messages with a digit: "10 min",
        "room 4"), and one of fewer prefilters where it has few digits ("room 4" cannot hold a
        crime reference). None when a prefilter has no standard-library twin, or holds a group (one
        pattern of them all could number a backreference differently). Worked out when first asked."""
        if not self._quiet_known:
            self._quiet_known = True
            rules = [self._text_rules[n] for n in self._digit_always]
            gated = [(c.message_digits, c.prefilter) for c in rules if c.prefilter is not None]
            plains = [gate.plain for _, gate in gated]
            floors = [c.message_digits for c in rules if c.prefilter is None]
            usable = [p for p in plains if p is not None and not p.groups]
            self._quiet = None
            if usable and len(usable) == len(plains) and len({p.flags for p in usable}) == 1:
                flags = usable[0].flags
                searches: list[re.Pattern[str]] = []
                for most in range(max(digits for digits, _ in gated) + 1):
                    sources = [gate.pattern for digits, gate in gated if digits <= most]
                    # Led by the class of the first characters any prefilter can match at (firsts.py):
                    # the same answer, without trying every alternative at every character.
                    either = "|".join(f"(?:{source})" for source in sources) if sources else "(?!)"
                    searches.append(re.compile(skipping(either, flags), flags))
                self._quiet = (tuple(searches), min(floors, default=_NO_FLOOR))
        return self._quiet

    def _active(self, text: str, line: int, digits_in_files: bool = False) -> list[Compiled]:
        """The rules whose cheap gates (keywords, digits, prefilter) this text passes, in rule order.

        `digits_in_files`: every digit of the text is in a file name it spells, where a match
        holding a digit is dropped (`detect`), so a rule whose every match holds one is left out."""
        lowered, combined = self._runs.of_text(text)
        has_digit = bool(self._digit_field.read(combined))
        chosen: set[int] = set(self._always)
        if has_digit:
            chosen.update(self._digit_always)
        if self._words is not None:
            chosen.update(owners_in(self._words.mask_of(lowered, combined)))  # overlapping keywords too
            if not has_digit:
                chosen -= self._digit_positions
        count = _DigitCount(text)
        short = len(text) <= SHORT_TEXT
        active: list[Compiled] = []
        for position in sorted(chosen):
            compiled = self._text_rules[position]
            if digits_in_files and compiled.match_digits:
                continue
            passes = _passes_gates(compiled, text, short, count)
            if passes is None:
                self._timeouts.record(line, compiled.rule.id, "options.prefilter")
            elif passes:
                active.append(compiled)
        return active

    def detect(self, message: Message, window: Window) -> Iterable[Finding]:
        text = message.text
        found: list[Finding] = []
        if message.attachments:
            for compiled in self._file_rules:
                try:
                    found.extend(list(self._attachments(compiled, message)))
                except TimeoutError:
                    self._timeouts.record(message.line, compiled.rule.id, "match.regex/allow on a file name")
        # Digits inside file names in the text (<attached: 00000008-PHOTO-2021-01-03-07-21-57.jpg>)
        # are dates and counters, not phone numbers or references; words there (an operation
        # name in "Briefing - Op Nightjar.pdf") still count.
        files = _file_name_spans(message) if message.attachments else ()
        active = self._active(text, message.line, bool(files) and not _digit_outside(text, files)) if text else []
        if not active and not found:
            return found
        neighbours = (*window.before[-1:], *window.after[:1])
        # On ASCII text a regex none of whose necessary words is here is not run (text/literals.py):
        # "Anyone fancy a brew before briefing?" wakes the shared-material rule by "briefing", and
        # an address line the personal-details rules by its digits, and most of their regexes want
        # words ("briefing pack", "date of birth", "years old") the text does not hold.
        lowered = self._runs.of_text(text)[0] if text.isascii() else None
        for compiled in active:
            number = 0
            try:
                own: list[Finding] = []
                for number, pattern in enumerate(compiled.patterns, 1):
                    if pattern.ruled_out(lowered):
                        continue
                    for match in pattern.finditer(text):
                        if files and _inside_file_name(match, files):
                            continue
                        finding = self._candidate(compiled, number, match, message, neighbours)
                        if finding is not None:
                            own.append(finding)
            except TimeoutError:  # the rule is skipped on this message, and the report says so
                self._timeouts.record(message.line, compiled.rule.id, f"match.regex #{number} or allow")
                continue
            found.extend(own)
        return _resolve_overlaps(found, self._groups) if len(found) > 1 else found

    def _candidate(self, compiled: Compiled, number: int, match: regex.Match[str],
                   message: Message, neighbours: Sequence[Message]) -> Finding | None:
        matched = match.group(0)
        if any(allowed.fullmatch(matched)
               or allowed.fullmatch(matched.replace(" ", "")) for allowed in compiled.allow):
            return None
        if compiled.min_digits:
            group = compiled.options.get("digits_group")
            groups = match.groupdict()
            token = (groups[group] or "") if group in groups else matched  # a regex without the group: all of it
            if sum(ch.isdigit() for ch in token or "") < compiled.min_digits:
                return None
        if compiled.validator is None:
            check = Check(collapse(matched))
        else:
            validated = compiled.validator(match, message, compiled.options, neighbours)
            if validated is None:
                return None
            check = validated
        around = window_text(message.text, match.start(), match.end(), compiled.window)
        if compiled.options.get("context_neighbours"):
            around += " \u2063 " + " \u2063 ".join(m.text[:CONTEXT_CHARS] for m in neighbours
                                                   if m.author == message.author)
        boosts = compiled.boost.hits(around)
        reduces = compiled.reduce.hits(around)
        if compiled.require_context and not boosts:
            return None
        if compiled.allow and check.normalised and any(a.fullmatch(check.normalised)
                                                       for a in compiled.allow):
            return None
        return _finding(compiled, number, message, match.start(), match.end(), matched, check, boosts, reduces)

    def _attachments(self, compiled: Compiled, message: Message) -> Iterable[Finding]:
        # A bundled rule's allowlist (a fullmatch led by ".*", about 8 µs on every file name) is asked
        # only of a name one of its patterns finds something in: most names ("IMG-20190101-WA0014.jpg")
        # have nothing, and the answer is the same. A pack's own allowlist is asked first, as before,
        # so a time-out in it is reported whatever the patterns say.
        # On an ASCII name, a bundled pattern none of whose necessary words is there (text/literals.py)
        # is not run either: OPS-DOC-FILE's regex cost about 20 µs on every photo name, all for nothing.
        allow_first = not all(allowed.trusted for allowed in compiled.allow)
        for attachment in message.attachments:
            if attachment.omitted or (allow_first and _allowed(compiled, attachment.name)):
                continue
            name = attachment.name
            lowered = name.lower() if name.isascii() else None
            if not allow_first and (not any(_finds(pattern, name, lowered) for pattern in compiled.patterns)
                                    or _allowed(compiled, name)):
                continue
            for number, pattern in enumerate(compiled.patterns, 1):
                if _finds(pattern, name, lowered):
                    check = Check(attachment.name, f"{attachment.media_type.value} file name")
                    boosts = compiled.boost.hits(message.text)
                    reduces = compiled.reduce.hits(message.text)
                    finding = _finding(compiled, number, message, None, None, attachment.name, check, boosts, reduces)
                    if finding is not None:
                        yield finding
                    break


def _finds(pattern: Guarded, name: str, lowered: str | None) -> bool:
    """Whether a rule's pattern finds something in a file name (`lowered`: the name lower-cased when it
    is ASCII, else None): not run where its necessary words say it cannot."""
    return not pattern.ruled_out(lowered) and pattern.search(name) is not None


def _allowed(compiled: Compiled, name: str) -> bool:
    """Whether a rule's allowlist takes this file name out."""
    return any(allowed.fullmatch(name) for allowed in compiled.allow)


def _finding(compiled: Compiled, number: int, message: Message, start: int | None, end: int | None,
             matched: str, check: Check, boosts: list[str], reduces: list[str]) -> Finding | None:
    rule = compiled.rule
    adjustments = list(check.adjustments)
    boost_total = 0.0
    for word in boosts:
        weight = compiled.boost.weights.get(word, 0.15)
        boost_total += weight
        adjustments.append((f"context word '{word}'", weight))
    if boost_total > MAX_BOOST:
        adjustments.append((f"context boosts capped at +{MAX_BOOST}", MAX_BOOST - boost_total))
    for word in reduces:
        adjustments.append((f"context word '{word}'", -compiled.reduce.weights.get(word, 0.3)))
    score = round(max(0.0, min(1.0, compiled.base + sum(delta for _, delta in adjustments))), 3)
    if score < compiled.min_score:
        return None
    confidence = Confidence.HIGH if score >= 0.75 else Confidence.MEDIUM if score >= 0.5 else Confidence.LOW
    return Finding(
        rule=rule.id, category=rule.category, severity=check.severity or rule.severity,
        confidence=confidence, score=score, message_index=message.index, line=message.line,
        start=start, end=end, matched=matched, normalised=check.normalised,
        explanation=Explanation(
            reason=f"{rule.title}: {check.validator}." if check.validator else f"{rule.title}.",
            pattern=f"{rule.id} match.regex #{number}: {compiled.patterns[number - 1].pattern[:200]}",
            validator=check.validator, context_words=tuple(boosts + reduces),
            adjustments=tuple(adjustments),
        ),
    )


def _resolve_overlaps(found: list[Finding], groups: Mapping[str, str | None]) -> list[Finding]:
    """Keep one finding where a rule's matches overlap, and within one `options.group` drop a
    candidate inside a stronger one's span (so 'AB12' is not reported again inside 'AB12 CDE').

    In order of start (longest first), a kept finding's start is never after the current one's, so
    the furthest end kept so far per rule and per group decides: linear in the number of findings."""
    found.sort(key=lambda f: (f.start if f.start is not None else -1, -((f.end or 0) - (f.start or 0)), -f.score, f.rule))
    kept: list[Finding] = []
    rule_end: dict[str, int] = {}
    group_end: dict[str, int] = {}
    files: set[tuple[str, str | None]] = set()
    for finding in found:
        if finding.start is None or finding.end is None:
            key = (finding.rule, finding.matched)
            if key not in files:
                files.add(key)
                kept.append(finding)
            continue
        group = groups.get(finding.rule)
        if finding.start < rule_end.get(finding.rule, -1):
            continue
        if group is not None and finding.end <= group_end.get(group, -1):
            continue
        kept.append(finding)
        rule_end[finding.rule] = max(rule_end.get(finding.rule, -1), finding.end)
        if group is not None:
            group_end[group] = max(group_end.get(group, -1), finding.end)
    kept.sort(key=lambda f: (f.start if f.start is not None else -1, f.rule))
    return kept


def _inside_file_name(match: regex.Match[str], files: tuple[tuple[int, int], ...]) -> bool:
    if not HAS_DIGIT.search(match.group(0)):
        return False
    return any(start < match.end() and match.start() < end for start, end in files)


def _digit_outside(text: str, spans: tuple[tuple[int, int], ...]) -> bool:
    """Whether `text` has a digit outside the given spans."""
    position = 0
    for start, end in sorted(spans):
        if start > position and HAS_DIGIT.search(text, position, start) is not None:
            return True
        position = max(position, end)
    return HAS_DIGIT.search(text, position) is not None


def _file_name_spans(message: Message) -> tuple[tuple[int, int], ...]:
    """Where the message text spells its attachments' file names."""
    spans = []
    text = message.text
    for attachment in message.attachments:
        name = attachment.name
        start = text.find(name) if name else -1
        while start >= 0:
            spans.append((start, start + len(name)))
            start = text.find(name, start + len(name))
    return tuple(spans)


def _run_has_digit(run: str) -> int:
    """A run's field in the table: 1 when it holds a digit (`HAS_DIGIT`): the same for every run of a shape."""
    return 0 if HAS_DIGIT.search(run) is None else 1


class _DigitCount:
    """The number of digits in a text, counted once when a rule first asks (by the regex engine: a
    loop over matches costs 7 us on a file name)."""

    __slots__ = ("_text", "_count")

    def __init__(self, text: str) -> None:
        self._text = text
        self._count = -1

    def __call__(self) -> int:
        if self._count < 0:
            self._count = len(HAS_DIGIT.findall(self._text))
        return self._count


def _passes_gates(compiled: Compiled, text: str, short: bool, digits: _DigitCount) -> bool | None:
    """Whether `text` passes a rule's cheap gates: the digits it asks of a message, then its prefilter
    (None when the prefilter ran out of time). One test for `wakes` and `_active`, so the engine is
    woken exactly for the messages in which `detect` would run some rule."""
    if compiled.message_digits and digits() < compiled.message_digits:
        return False
    gate = compiled.prefilter
    if gate is None:
        return True
    if short and gate.plain is not None:  # tame gate, short text: no timer needed (guard.py)
        return gate.plain.search(text) is not None
    try:
        return gate.search(text) is not None
    except TimeoutError:
        return None
