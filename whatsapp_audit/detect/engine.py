"""The detection pipeline: configured detectors, one keyword pre-filter pass, a sliding window.

Messages stream through once. For each, a lower-cased copy (text plus attachment names) is searched
with a single compiled alternation of every detector's keywords (built as a trie so the regex
engine does not try each keyword in turn); a detector with keywords runs only when one of them is
present, a detector without keywords sees every message. Neighbours come from two deques (history
behind, look-ahead in front), so an export never has to be held in memory as a whole. spaCy is
not loaded here: a detector with `needs_tokens` asks `nlp.load_nlp` for it (once per process) when
a message first needs tokens, so a scan of chat that never does starts without it.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import re
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import islice

from whatsapp_audit import build_cache, collector, native
from whatsapp_audit.detect.base import Detector, Rule, Window
from whatsapp_audit.detect.registry import DETECTORS, create_detectors
from whatsapp_audit.detect.text.guard import RegexTimeout
from whatsapp_audit.detect.text.keywords import KeywordIndex, owners_in
from whatsapp_audit.detect.text.runs import RunTable, python_walk
from whatsapp_audit.model import WHATSAPP_WORDS, Finding, Message, MessageKind

# Recognised system lines name participants (often as phone numbers) and deleted/call/pending lines
# carry no user text: they stay in the window as neighbours but are never examined themselves. A
# system event in no known phrase is examined as a text message (see `Message.examined`).
NOT_EXAMINED = WHATSAPP_WORDS


class KeywordFilter:
    """Which keyword-gated detectors a message needs, read run by run (`text.keywords`)."""

    def __init__(self, keywords: Sequence[frozenset[str]], table: RunTable | None = None) -> None:
        owners: dict[str, tuple[int, ...]] = {}
        for position, words in enumerate(keywords):
            for word in words:
                owners[word] = (*owners.get(word, ()), position)
        self.gated = frozenset(i for i, words in enumerate(keywords) if words)
        self._index = KeywordIndex(owners, table) if owners else None

    def mask(self, lowered: str) -> int:
        """Bit n set when detector n's keywords occur in `lowered` (overlapping ones too: "ca" and
        "ac" in "cac"; "op" inside "operation")."""
        return 0 if self._index is None else self._index.mask(lowered)

    def mask_of(self, lowered: str, combined: int) -> int:
        """`mask(lowered)`, given the run table's combined bits of `lowered`."""
        return 0 if self._index is None else self._index.mask_of(lowered, combined)

    def field_bits(self) -> int | None:
        """The run table's bits (laid out) of the keyword field: a text whose runs give none of them
        holds no keyword. None: the filter also searches texts regardless of their runs."""
        return 0 if self._index is None else self._index.field_bits()

    def wanted(self, lowered: str) -> set[int]:
        return set(owners_in(self.mask(lowered)))


@dataclass
class Engine:
    """Configured detectors ready to run over a stream of messages."""

    detectors: list[Detector]
    skipped_rules: tuple[Rule, ...] = ()  # rules whose detector is not registered
    _filter: KeywordFilter = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # One memo of runs for every gate that reads runs (text/runs.py): the engine's keyword filter
        # and the detectors' own gates (their optional `share_runs`) read their fields from one walk.
        self._runs = RunTable()
        self._filter = KeywordFilter([detector.keywords() for detector in self.detectors], self._runs)
        for detector in self.detectors:
            share_runs = getattr(detector, "share_runs", None)
            if share_runs is not None:
                share_runs(self._runs)
        self._context_size = max((detector.context_size for detector in self.detectors), default=0)
        self._runs.lay_out()
        # A detector without keywords may offer `run_gate() -> (bits, longest)`: a message of at most
        # `longest` characters, whose whitespace is ASCII and whose runs give none of `bits`, is one it
        # finds nothing in (discriminatory: its quick gates' fields, and its runs of non-ASCII text it
        # cannot read as ASCII), so it is not called for it. Its optional
        # `might_find(text, lowered, combined)` then turns away more of the texts that gate lets through.
        run_gates: dict[int, tuple[int, int]] = {}
        for position, detector in enumerate(self.detectors):
            run_gate = getattr(detector, "run_gate", None)
            if position not in self._filter.gated and run_gate is not None and (found := run_gate()) is not None:
                run_gates[position] = found
        self._run_gates = tuple((position, bits, longest, getattr(self.detectors[position], "might_find", None))
                                for position, (bits, longest) in sorted(run_gates.items()))
        self._gates = bool(self._filter.gated or run_gates)
        everyone = frozenset(range(len(self.detectors)))
        self._ungated = everyone - self._filter.gated - run_gates.keys()
        # (detector, window size, optional `wants`) in registry order. `wants(message) -> bool` lets a
        # detector that sees every message turn most of them away before the engine builds its
        # neighbour window; an optional `wanted_kinds` (the message kinds it can find anything in:
        # imagery, media only) lets the engine leave it out for other kinds without a call at all.
        self._entries = tuple((detector, detector.context_size, getattr(detector, "wants", None))
                              for detector in self.detectors)
        self._kinds: tuple[frozenset[MessageKind] | None, ...] = tuple(
            getattr(detector, "wanted_kinds", None) for detector in self.detectors)
        self._everyone = (1 << len(self.detectors)) - 1
        self._ungated_mask = sum(1 << i for i in self._ungated)
        # A keyword-gated detector may also be woken by its optional `wakes(text)`, asked only when
        # none of its keywords is present (operational: a plate or phone number holds no keyword), and
        # when its optional `wake_bits()` (bits of the run table; None: any text) are in the text's.
        # `wakes_bits(text, lowered, combined)`, when offered, is the same question given what the
        # engine has already read of the text.
        self._wakers = tuple((position, getattr(detector, "wakes_bits", None) or _ignoring_bits(wakes),
                              _wake_bits(detector))
                             for position, detector in enumerate(self.detectors)
                             if position in self._filter.gated and (wakes := getattr(detector, "wakes", None)))
        self._by_mask: dict[tuple[int, MessageKind], tuple[_Entry, ...]] = {}
        self._wake_any, self._quiet_longest = self._quiet_bits()

    def _quiet_bits(self) -> tuple[int, int]:
        """(bits, longest): a text without attachments, at most `longest` characters long, whose
        whitespace is ASCII (`ascii_spaced`) and whose runs give none of `bits`, wakes no gated
        detector: no keyword occurs in it (the keyword field is zero, including its "a keyword holding
        a space may begin here" bit), no `wakes` is asked (none of its `wake_bits`) and no run gate
        passes it (their bits cover non-ASCII runs too: emoji chat is decided here, not by
        `might_find`). `examine` then needs one AND instead of asking each gate. Longest -1: no such
        test (a gate reads more than runs)."""
        keyword_bits = self._filter.field_bits()
        if keyword_bits is None or any(bits is None for _, _, bits in self._wakers):
            return 0, -1
        bits = keyword_bits
        for _, _, wake_bits in self._wakers:
            bits |= wake_bits or 0
        longest = sys.maxsize
        for _, gate_bits, gate_longest, _might_find in self._run_gates:
            bits |= gate_bits
            longest = min(longest, gate_longest)
        return bits, longest

    @classmethod
    @collector.paused()
    def build(cls, rules: Sequence[Rule], entries: Sequence[str] = DETECTORS) -> Engine:
        """Instantiate the registered detectors and configure each with its rules: read back as a
        run with the same rules and code left it when it can be (`build_cache`), else built and kept."""
        cache_key = cls.cache_key(rules, entries)
        cached = cls.cached(cache_key)
        if cached is not None:
            return cached
        engine = cls.configured(rules, entries)
        engine.prepare()
        build_cache.store("engine", cache_key, engine)
        return engine

    @staticmethod
    def cache_key(rules: Sequence[Rule], entries: Sequence[str] = DETECTORS) -> str:
        """The build cache's key for the engine of `rules` (what `build` looks up)."""
        return build_cache.key(*entries, "\0", rules_digest(rules))

    @staticmethod
    @collector.paused()
    def cached(cache_key: str) -> Engine | None:
        """The engine a run stored under `cache_key`, if any: a worker process asks this before it
        reads the rules at all, so it never holds them and the engine at once."""
        cached = build_cache.load("engine", cache_key)
        return cached if isinstance(cached, Engine) else None

    @classmethod
    def configured(cls, rules: Sequence[Rule], entries: Sequence[str] = DETECTORS) -> Engine:
        """Instantiate the registered detectors and configure each with its rules (no cache)."""
        detectors = create_detectors(entries)
        known = {detector.name for detector in detectors}
        for detector in detectors:
            detector.configure([rule for rule in rules if rule.detector == detector.name])
        skipped = tuple(rule for rule in rules if rule.detector not in known)
        return cls(detectors=detectors, skipped_rules=skipped)

    def prepare(self) -> None:
        """Compile now what the detectors would compile when a message first needs it (their optional
        `prepare`), so that an engine read back from the cache has it ready: ordinary chat reaches
        some of it (the discriminatory detector's second gates) within its first few messages."""
        for detector in self.detectors:
            prepare = getattr(detector, "prepare", None)
            if prepare is not None:
                prepare()

    def provide_media(self, facts: Mapping[str, object]) -> None:
        """Hand facts read from a zip's media files (hashes, EXIF) to detectors that use them;
        detectors stay pure, the reading is done beforehand by `ingest.media`."""
        for detector in self.detectors:
            setter = getattr(detector, "set_media_facts", None)
            if setter is not None:
                setter(facts)

    def begin_export(self, facts: Mapping[str, object]) -> None:
        """Start a new export with this engine: detectors forget what the last one left behind
        (`reset`, an optional hook: time-outs, media facts), then get this export's media facts.
        One engine then scans many exports exactly as fresh engines would."""
        for detector in self.detectors:
            reset = getattr(detector, "reset", None)
            if reset is not None:
                reset()
        self.provide_media(facts)

    @property
    def context_size(self) -> int:
        return self._context_size

    @property
    def lookahead(self) -> int:
        """How many messages `run_messages` may read past a message before it yields that message's
        findings (its window's look-ahead, plus a block of the block gate: `_run_blocks`); a caller
        keeping the context of findings keeps this many more."""
        return self._context_size + _BLOCK

    @property
    def timeouts(self) -> tuple[RegexTimeout, ...]:
        """Every (line, rule, pattern) where a regex from a pattern file ran out of time, so that
        rule was not applied to that message (see guard.py); sorted by line, then rule."""
        found: set[RegexTimeout] = set()
        for detector in self.detectors:
            found.update(getattr(detector, "timeouts", ()))
        return tuple(sorted(found))

    def run(self, messages: Iterable[Message]) -> Iterator[Finding]:
        """Findings for every message, in message order (within a message: by offset, then rule)."""
        for _message, findings in self.run_messages(messages):
            yield from findings

    def run_messages(self, messages: Iterable[Message],
                     examine: Callable[[Message], bool] | None = None) -> Iterator[tuple[Message, list[Finding]]]:
        """Each message that has findings, with them (for callers that need the message too).

        `examine` is for a worker given one part of a large export with margins of neighbours
        (see `parallel`): only messages it accepts are examined, the rest serve as neighbours.
        Together the parts give exactly the findings of one run over the whole export."""
        gate = self._block_gate()
        if gate is not None:
            yield from self._run_blocks(messages, examine, gate)
            return
        size = self.context_size
        history: deque[Message] = deque(maxlen=size)
        ahead: deque[Message] = deque()
        look = self.examine  # one bound method for the whole stream: the loop below runs per message
        for message in messages:
            ahead.append(message)
            if len(ahead) > size:
                current = ahead.popleft()
                found = look(current, history, ahead) if examine is None or examine(current) else None
                history.append(current)
                if found:
                    yield current, found
        while ahead:
            current = ahead.popleft()
            found = look(current, history, ahead) if examine is None or examine(current) else None
            history.append(current)
            if found:
                yield current, found

    def _block_gate(self) -> _BlockGate | None:
        """The accelerator's `gate_block`, when this engine's quiet test is one it can make: the
        gates read runs (`_quiet_bits` found a test) and no detector wants a quiet text message
        (the ungated ones want other kinds). None: every message goes through `examine`."""
        accelerator = native.accelerator()
        if accelerator is None or not self._gates or self._quiet_longest < 0 or not self._runs.walks_natively() \
                or self._chosen(self._ungated_mask, MessageKind.TEXT):
            return None
        gate: _BlockGate = accelerator.gate_block
        return gate

    def _waker_test(self) -> _WakerTest | None:
        """The block gate's own answer for a text only a waker's bits kept from the one AND (a digit
        woke the operational detector): `(others, words, longest, floor, searches)` from the one waker's
        optional `quiet_test()`, which says when its `wakes_bits` is False (`_native.gate_block`'s
        `waker_quiet`). Then `_woken` would find no keyword (the keyword field is clear), no run gate
        woken (their bits are clear, the text short and ASCII-spaced: the gate checks) and the waker
        not woken: the quiet mask. None: no such test (several wakers, none offering one, or bits
        shared with another gate)."""
        if len(self._wakers) != 1:
            return None
        position, _wakes, bits = self._wakers[0]
        quiet_test = getattr(self.detectors[position], "quiet_test", None)
        found = quiet_test() if quiet_test is not None else None
        if found is None or not bits:
            return None
        words, searches, floor, longest = found
        others = self._wake_any & ~bits
        gate_bits = (self._filter.field_bits() or 0) | sum(gate for _, gate, _, _ in self._run_gates)
        if gate_bits & bits:
            return None
        return others, words, longest, floor, searches

    def _run_blocks(self, messages: Iterable[Message], examine: Callable[[Message], bool] | None,
                    gate: _BlockGate) -> Iterator[tuple[Message, list[Finding]]]:
        """`run_messages` a block of messages at a time: one call of `gate` (C) makes `examine`'s
        choice of detectors for each text message (its walk, its one AND, else `_woken`) and turns
        away those that need none (most of ordinary chat: each cost the interpreter a window step, an
        `examine` call and a walk); only the others reach the detectors, with the same windows and in
        the same order, so the findings are those of the per-message loop.

        `kept` holds up to `context_size` messages already passed (the history), then those not yet
        passed; a message is passed once its look-ahead is complete (or the stream has ended)."""
        size = self.context_size
        runs = self._runs
        text_kind = MessageKind.TEXT
        memo, compute, pairs, filters = runs.walk_parts()
        settings = (text_kind, memo, compute, pairs, filters, self._wake_any, self._quiet_longest, self._woken,
                    self._ungated_mask, self._waker_test())
        look, detect = self.examine, self._detect
        kept: list[Message] = []
        done = 0  # kept[:done] is the history
        source = iter(messages)
        while True:
            block = list(islice(source, _BLOCK))
            kept.extend(block)
            ready = len(kept) - size if block else len(kept)  # kept[done:ready] can be passed now
            if ready > done:
                # Only the spans `examine` accepts are gated (a part's margins, read as neighbours, are
                # not walked); every message is still offered to it (a caller may count what it accepts).
                spans = ((done, ready),) if examine is None else _accepted_spans(kept, done, ready, examine)
                for first, stop in spans:
                    for position, lowered, combined, mask in gate(kept, first, stop, *settings):
                        current = kept[position]
                        before, after = kept[max(position - size, 0):position], kept[position + 1:position + 1 + size]
                        if mask is None or lowered is None or combined is None:
                            found = look(current, before, after)
                        else:
                            runs.remember(current.text, lowered, combined)  # the detectors' own gates read it again
                            found = detect(current, text_kind, mask, before, after)
                        if found:
                            yield current, found
                done = ready
            if not block:
                return
            if done > size:  # keep only the history the next messages' windows need
                del kept[:done - size]
                done = size

    def examine(self, message: Message, before: Sequence[Message] | deque[Message],
                after: Sequence[Message] | deque[Message]) -> list[Finding]:
        """Run the detectors that this message needs, each with its own window size.

        A message with an attachment goes to every detector (files are judged by their names and
        context, not by keywords in the text)."""
        kind = message.kind
        if kind is not MessageKind.TEXT and kind in NOT_EXAMINED:
            if not message.examined:
                return []
            # Not WhatsApp's words as far as the vocabulary knows: maybe a person's. Every detector
            # sees it as a text message; findings still point at its line and index.
            message = replace(message, kind=MessageKind.TEXT)
            kind = MessageKind.TEXT
        if message.attachments or not self._gates:
            mask = self._everyone
        else:
            text = message.text
            lowered, combined = self._runs.of_text(text)
            if combined & self._wake_any or not (len(text) <= self._quiet_longest and ascii_spaced(text)):
                mask = self._woken(text, lowered, combined)
            else:
                # The common case, decided by one AND: no run holds a bit any gate reads (keyword,
                # `wakes` or run gate), so no gated detector is woken (see `_quiet_bits`).
                mask = self._ungated_mask
        return self._detect(message, kind, mask, before, after)

    def _detect(self, message: Message, kind: MessageKind, mask: int, before: Sequence[Message] | deque[Message],
                after: Sequence[Message] | deque[Message]) -> list[Finding]:
        """`examine` once it knows which detectors (`mask`) the message of this kind needs."""
        chosen = self._by_mask.get((mask, kind))
        if chosen is None:
            chosen = self._by_mask[mask, kind] = self._chosen(mask, kind)
        if not chosen:
            return []  # most chat: no gated detector woken, and the others want other kinds
        findings: list[Finding] = []
        for detector, n, wants in chosen:
            if wants is not None and not wants(message):
                continue
            if n:
                # Only the neighbours this detector asked for, not the widest window of any detector.
                have = len(before)
                window = Window(before=tuple(islice(before, max(0, have - n), have)), after=tuple(islice(after, n)))
            else:
                window = _NO_WINDOW
            found = detector.detect(message, window)
            if found:
                findings.extend(found)
        if len(findings) > 1:
            findings.sort(key=_finding_order)
        return findings

    def _chosen(self, mask: int, kind: MessageKind) -> tuple[_Entry, ...]:
        """The entries of the detectors in `mask` that want messages of this kind, in registry order."""
        chosen = []
        for position, entry in enumerate(self._entries):
            kinds = self._kinds[position]
            if mask >> position & 1 and (kinds is None or kind in kinds):
                chosen.append(entry)
        return tuple(chosen)

    def _woken(self, text: str, lowered: str, combined: int) -> int:
        """The detectors (bits) a text without attachments needs: those its keywords, their `wakes`
        or their run gates wake, and those without a gate."""
        mask = self._filter.mask_of(lowered, combined)
        for position, wakes, bits in self._wakers:
            if not mask >> position & 1 and (bits is None or combined & bits) and wakes(text, lowered, combined):
                mask |= 1 << position
        if self._run_gates:
            plain = ascii_spaced(text)
            for position, bits, longest, might_find in self._run_gates:
                if (not plain or len(text) > longest or combined & bits) and (
                        might_find is None or might_find(text, lowered, combined)):
                    mask |= 1 << position
        return mask | self._ungated_mask


# Whitespace outside ASCII (a no-break space, an ideographic space): it separates runs, so no run's
# bits say what the normaliser makes of it (it turns most of it into a space).
_WIDE_SPACE = re.compile(r"[^\S\x00-\x7f]")


def ascii_spaced(text: str) -> bool:
    """Whether every whitespace character of `text` is ASCII: then the run gates' bits speak for all
    of it (each of its characters lies in some run or is ASCII whitespace: `Engine._quiet_bits`)."""
    return text.isascii() or _WIDE_SPACE.search(text) is None


def _ignoring_bits(wakes: Callable[[str], bool]) -> Callable[[str, str, int], bool]:
    """A detector's `wakes(text)` asked as `wakes_bits(text, lowered, combined)` (a partial, not a
    lambda: the engine is kept in the build cache, pickled)."""
    return partial(_ask_wakes, wakes)


def _ask_wakes(wakes: Callable[[str], bool], text: str, _lowered: str, _combined: int) -> bool:
    return wakes(text)


def _wake_bits(detector: Detector) -> int | None:
    """The run-table bits a detector's `wakes` needs in a text (None: it asks about any text)."""
    wake_bits = getattr(detector, "wake_bits", None)
    return wake_bits() if wake_bits is not None else None


def rules_digest(rules: Sequence[Rule]) -> bytes:
    """The rules' content as bytes: pickled without the memo, so equal rules give equal bytes
    however their objects happen to be shared (a key for `build_cache`, not a stored value)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True  # no memo: shared and unshared equal values pickle alike
    pickler.dump(tuple(rules))
    return hashlib.sha256(buffer.getvalue()).digest()


_BLOCK = 256  # messages read per call of the block gate (`Engine._run_blocks`)
# gate_block(messages, start, stop, text_kind, memo, compute, pairs, filters, wake_any, longest)
_Gated = tuple[int, str | None, int | None, int | None]  # (position, lowered, combined, mask)
# (others, words, longest, floor, searches): `Engine._waker_test`
_WakerTest = tuple[int, int, int, int, tuple[Callable[[str], object], ...]]
# gate_block(messages, start, stop, text_kind, memo, compute, pairs, filters, wake_any, longest, woken, quiet,
#            waker)
_BlockGate = Callable[[list[Message], int, int, MessageKind, dict[str, int], Callable[[str], int],
                       tuple[tuple[int, int, int], ...], tuple[Callable[[int], int], ...], int, int,
                       Callable[[str, str, int], int], int, _WakerTest | None], list[_Gated]]


def _accepted_spans(messages: list[Message], start: int, stop: int,
                    examine: Callable[[Message], bool]) -> list[tuple[int, int]]:
    """The runs of consecutive positions in [start, stop) whose messages `examine` accepts, in order
    (each message asked once)."""
    spans: list[tuple[int, int]] = []
    first = -1
    for position in range(start, stop):
        if examine(messages[position]):
            if first < 0:
                first = position
        elif first >= 0:
            spans.append((first, position))
            first = -1
    if first >= 0:
        spans.append((first, stop))
    return spans


def python_gate_block(messages: list[Message], start: int, stop: int, text_kind: MessageKind,
                      memo: dict[str, int], compute: Callable[[str], int], pairs: tuple[tuple[int, int, int], ...],
                      filters: tuple[Callable[[int], int], ...], wake_any: int, longest: int,
                      woken: Callable[[str, str, int], int], quiet: int,
                      waker: _WakerTest | None = None) -> list[_Gated]:
    """The reference of `_native.gate_block` (tests/test_native.py holds both to one answer): the
    messages of messages[start:stop] that are not quiet, as (position, lowered, combined, mask). A
    text message without attachments is walked and filtered as `RunTable.of_text` does; it is quiet
    when its text of at most `longest` characters, whose whitespace is ASCII (`ascii_spaced`), gives no
    bit of `wake_any` (`Engine._quiet_bits`),
    or else when `woken(text, lowered, combined)` (`Engine._woken`) gives `quiet`. Any other message
    is listed with None for the three values. `waker` (`Engine._waker_test`) is the C loop's way of
    answering some texts without `woken`; this reference asks `woken` of them all, so a test holding
    the two to one answer holds that shortcut to `woken`'s."""
    del waker
    loud: list[_Gated] = []
    for position in range(max(start, 0), min(stop, len(messages))):
        message = messages[position]
        if message.kind is not text_kind or message.attachments:
            loud.append((position, None, None, None))
            continue
        text = message.text
        lowered = text.lower()
        combined = python_walk(lowered, memo, compute, pairs)
        for keep in filters:
            combined = keep(combined)
        if not combined & wake_any and len(text) <= longest and ascii_spaced(text):
            continue
        mask = woken(text, lowered, combined)
        if mask != quiet:
            loud.append((position, lowered, combined, mask))
    return loud


_Entry = tuple[Detector, int, Callable[[Message], bool] | None]  # (detector, window size, optional `wants`)
_NO_WINDOW = Window()  # frozen and empty: shared by every detector that wants no neighbours


def _finding_order(finding: Finding) -> tuple[int, str]:
    return (-1 if finding.start is None else finding.start, finding.rule)
