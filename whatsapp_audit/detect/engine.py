"""The detection pipeline: configured detectors, one keyword pre-filter pass, a sliding window.

Messages stream through once. For each, a lower-cased copy (text plus attachment names) is searched
with a single compiled alternation of every detector's keywords (built as a trie so the regex
engine does not try each keyword in turn); a detector with keywords runs only when one of them is
present, a detector without keywords sees every message. Neighbours come from two deques (history
behind, look-ahead in front), so an export never has to be held in memory as a whole. spaCy is
loaded once, and only when a configured detector has `needs_tokens`.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice

from whatsapp_audit.detect.base import Detector, Rule, Window
from whatsapp_audit.detect.nlp import load_nlp
from whatsapp_audit.detect.registry import DETECTORS, create_detectors
from whatsapp_audit.model import Finding, Message, MessageKind

# System lines name participants (often as phone numbers) and deleted/call/pending lines carry no
# user text: they stay in the window as neighbours but are never examined themselves.
NOT_EXAMINED = frozenset({MessageKind.SYSTEM, MessageKind.DELETED, MessageKind.CALL, MessageKind.PENDING})


def trie_pattern(words: Iterable[str]) -> str:
    """One regex alternation for many literal words, factored by common prefixes."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def render(node: dict[str, dict]) -> str:
        ends = "" in node
        branches = [re.escape(char) + render(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        singles = [b for b in branches if len(b) == 1 or (len(b) == 2 and b[0] == "\\")]
        if len(singles) == len(branches) and len(branches) > 1:
            body = "[" + "".join(branches) + "]"
        elif len(branches) == 1:
            body = branches[0]
        else:
            body = "(?:" + "|".join(branches) + ")"
        if ends:
            return f"(?:{body})?" if len(branches) > 1 or len(body) > 1 else f"{body}?"
        return body

    return render(trie)


class KeywordFilter:
    """Which keyword-gated detectors a message needs, from one regex pass."""

    def __init__(self, keywords: Sequence[frozenset[str]]) -> None:
        self.owners: dict[str, tuple[int, ...]] = {}
        for position, words in enumerate(keywords):
            for word in words:
                self.owners[word] = (*self.owners.get(word, ()), position)
        self.gated = frozenset(i for i, words in enumerate(keywords) if words)
        # Literal words only, so the standard library's engine (faster on plain alternations) is exact.
        self.pattern = re.compile(trie_pattern(self.owners)) if self.owners else None

    def wanted(self, lowered: str) -> set[int]:
        found: set[int] = set()
        if self.pattern is None:
            return found
        for match in self.pattern.finditer(lowered):
            found.update(self.owners.get(match.group(0), ()))
            if len(found) == len(self.gated):
                break
        return found


@dataclass
class Engine:
    """Configured detectors ready to run over a stream of messages."""

    detectors: list[Detector]
    skipped_rules: tuple[Rule, ...] = ()  # rules whose detector is not registered
    _filter: KeywordFilter = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._filter = KeywordFilter([detector.keywords() for detector in self.detectors])
        self._context_size = max((detector.context_size for detector in self.detectors), default=0)
        everyone = frozenset(range(len(self.detectors)))
        self._ungated = everyone - self._filter.gated
        self._all_gated = bool(everyone) and not self._ungated

    @classmethod
    def build(cls, rules: Sequence[Rule], entries: Sequence[str] = DETECTORS) -> Engine:
        """Instantiate the registered detectors and configure each with its rules."""
        detectors = create_detectors(entries)
        if any(detector.needs_tokens for detector in detectors):
            load_nlp()
        known = {detector.name for detector in detectors}
        for detector in detectors:
            detector.configure([rule for rule in rules if rule.detector == detector.name])
        skipped = tuple(rule for rule in rules if rule.detector not in known)
        return cls(detectors=detectors, skipped_rules=skipped)

    def provide_media(self, facts: Mapping[str, object]) -> None:
        """Hand facts read from a zip's media files (hashes, EXIF) to detectors that use them;
        detectors stay pure, the reading is done beforehand by `ingest.media`."""
        for detector in self.detectors:
            setter = getattr(detector, "set_media_facts", None)
            if setter is not None:
                setter(facts)

    @property
    def context_size(self) -> int:
        return self._context_size

    def run(self, messages: Iterable[Message]) -> Iterator[Finding]:
        """Findings for every message, in message order (within a message: by offset, then rule)."""
        for _message, findings in self.run_messages(messages):
            yield from findings

    def run_messages(self, messages: Iterable[Message]) -> Iterator[tuple[Message, list[Finding]]]:
        """Each message that has findings, with them (for callers that need the message too)."""
        size = self.context_size
        history: deque[Message] = deque(maxlen=size)
        ahead: deque[Message] = deque()
        for message in messages:
            ahead.append(message)
            if len(ahead) > size:
                current = ahead.popleft()
                found = self.examine(current, history, ahead)
                if found:
                    yield current, found
                history.append(current)
        while ahead:
            current = ahead.popleft()
            found = self.examine(current, history, ahead)
            if found:
                yield current, found
            history.append(current)

    def examine(self, message: Message, before: Sequence[Message] | deque[Message],
                after: Sequence[Message] | deque[Message]) -> list[Finding]:
        """Run the detectors that this message needs, each with its own window size.

        A message with an attachment goes to every detector (files are judged by their names and
        context, not by keywords in the text)."""
        if message.kind in NOT_EXAMINED:
            return []
        gated = self._filter.gated
        if message.attachments or not gated:
            wanted: set[int] | frozenset[int] = frozenset(range(len(self.detectors)))
        else:
            lowered = message.text.lower()
            if self._all_gated and self._filter.pattern is not None and self._filter.pattern.search(lowered) is None:
                return []  # the common case: nothing any detector is looking for
            wanted = self._filter.wanted(lowered) | self._ungated
        findings: list[Finding] = []
        cached: tuple[tuple[Message, ...], tuple[Message, ...]] | None = None
        for position, detector in enumerate(self.detectors):
            if position not in wanted:
                continue
            n = detector.context_size
            if n:
                if cached is None:
                    cached = (tuple(before), tuple(islice(after, self._context_size)))
                window = Window(before=cached[0][-n:], after=cached[1][:n])
            else:
                window = Window()
            findings.extend(detector.detect(message, window))
        if len(findings) > 1:
            findings.sort(key=lambda f: (-1 if f.start is None else f.start, f.rule))
        return findings
