"""Context scoring for discriminatory-language hits: who is it aimed at, and is it being used or reported?

Presidio-style: a base score from the rule, then named adjustments from the words around the hit,
each recorded so an investigator can see why a hit is high or low. Quoted and reported abuse is
evidence for PSD, so it is discounted and labelled, never dropped. All word lists come from the
`vocabulary` table in `patterns/discriminatory/` (see its README).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import regex

_WORD = regex.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_QUOTE_PAIRS = (('"', '"'), ("“", "”"), ("‘", "’"), ("«", "»"))
_SINGLE_OPEN = regex.compile(r"(?<![^\s(\[:;,\-—–])'(?=[^\W_])")
_SINGLE_CLOSE = regex.compile(r"(?<=[^\s'])'(?![^\W_])")
_QUOTE_MARKS = regex.compile("[" + "".join(sorted({ch for pair in _QUOTE_PAIRS for ch in pair})) + "]")

DEFAULT_DELTAS: Mapping[str, float] = {
    "addressed": 0.15, "derogatory modifier": 0.1, "disguised spelling": 0.05,
    "quoted": -0.3, "reported": -0.3, "counter-speech": -0.3, "homonym": -0.45, "in-group": -0.3,
    "mentioned": -0.3,
}
DELTA_REASONS: Mapping[str, str] = {
    "addressed": "aimed at someone",
    "derogatory modifier": "with an insulting word beside it",
    "disguised spelling": "spelling disguised to get past filters",
    "quoted": "inside quotation marks (quoted, not necessarily used)",
    "reported": "after a reporting word (someone reporting what was said)",
    "counter-speech": "the message objects to or reports the language",
    "homonym": "words nearby suggest the harmless meaning",
    "in-group": "reclaimed or in-group use is possible",
    "mentioned": "named as a word, not used (\"... is a slur\")",
    "rule context": "a context word of this rule raises it",
    "rule context (lowers)": "a context word of this rule lowers it",
}


def phrase_pattern(items: Iterable[str]) -> regex.Pattern[str] | None:
    """One whole-word pattern for a list of words and phrases (spaces match any whitespace)."""
    parts = sorted({regex.escape(i.strip().lower()).replace(r"\ ", r"\s+") for i in items if i.strip()},
                   key=len, reverse=True)
    if not parts:
        return None
    return regex.compile(r"(?<![^\W_])(?:" + "|".join(parts) + r")(?![^\W_])")


@dataclass(frozen=True)
class ContextVocab:
    """Compiled context vocabularies and weights."""

    reporting: regex.Pattern[str] | None
    counter: regex.Pattern[str] | None
    address: frozenset[str]
    modifiers: frozenset[str]
    in_group: frozenset[str]
    deltas: Mapping[str, float]
    window: int = 6
    # Reporting-scope narrowing (issue 13 recall pass): who speaks the reporting verb.
    first_person: frozenset[str] = frozenset()
    not_reporting: regex.Pattern[str] | None = None
    gerund_links: frozenset[str] = frozenset()
    topic_links: frozenset[str] = frozenset()
    other_persons: frozenset[str] = frozenset()
    speaker_auxiliaries: frozenset[str] = frozenset()
    # Issue 13 false-alarm pass 3: someone else's belief ("they're convinced women are ...") and a
    # named person as the subject of a reported act ("Dave beat ... her"); see `believed`, `named_subject`.
    belief: regex.Pattern[str] | None = None
    belief_holders: frozenset[str] = frozenset()
    not_names: frozenset[str] = frozenset()
    # Issue 13 false-alarm pass 4: an officer relaying an incident ("IP says the suspect shouted ...");
    # see `incident_report` below.
    incident_frame: regex.Pattern[str] | None = None
    incident_reporting: regex.Pattern[str] | None = None
    incident_speakers: frozenset[str] = frozenset()
    incident_utterance: frozenset[str] = frozenset()
    incident_own_voice: frozenset[str] = frozenset()
    incident_referring: frozenset[str] = frozenset()
    incident_open: frozenset[str] = frozenset()
    incident_window: int = 6
    # Issue 13 false-alarm pass 4: a slur named as a word ("[slur] is a slur"); see `mentioned`.
    counter_in_sentence: frozenset[str] = frozenset()
    mention_nouns: frozenset[str] = frozenset()
    mention_copulas: frozenset[str] = frozenset()
    mention_fillers: frozenset[str] = frozenset()

    @classmethod
    def from_options(cls, vocab: Mapping[str, Any]) -> ContextVocab:
        words = vocab.get("words", {})

        def word_set(name: str) -> frozenset[str]:
            """A word list of the pack, lower-cased, for membership tests."""
            return frozenset(w.lower() for w in words.get(name, []))

        deltas = {**DEFAULT_DELTAS, **vocab.get("adjust", {})}
        return cls(
            reporting=phrase_pattern(words.get("reporting", [])),
            counter=phrase_pattern(words.get("counter", [])),
            address=word_set("address"),
            modifiers=word_set("derogatory_modifiers"),
            in_group=word_set("in_group"),
            deltas=deltas,
            window=int(vocab.get("context_window", 6)),
            not_reporting=phrase_pattern(words.get("not_reporting", [])),
            topic_links=word_set("topic_links"),
            gerund_links=word_set("gerund_links"),
            other_persons=word_set("other_persons"),
            first_person=word_set("first_person"),
            speaker_auxiliaries=word_set("speaker_auxiliaries"),
            belief=phrase_pattern(words.get("belief", [])),
            belief_holders=word_set("belief_holders"),
            not_names=word_set("not_names"),
            incident_frame=phrase_pattern(words.get("incident_frame", [])),
            incident_reporting=phrase_pattern(words.get("incident_reporting", [])),
            incident_speakers=word_set("incident_speakers"),
            incident_utterance=word_set("incident_utterance"),
            incident_own_voice=word_set("incident_own_voice"),
            incident_referring=word_set("incident_referring"),
            incident_open=word_set("incident_open"),
            incident_window=int(vocab.get("incident_window", vocab.get("context_window", 6))),
            counter_in_sentence=frozenset(" ".join(w.lower().split())
                                          for w in words.get("counter_in_sentence", [])),
            mention_nouns=word_set("mention_nouns"),
            mention_copulas=word_set("mention_copulas"),
            mention_fillers=word_set("mention_fillers"),
        )


@dataclass(frozen=True)
class Assessment:
    """The adjustments found around one hit (label, delta) and the words that caused them."""

    adjustments: tuple[tuple[str, float], ...]
    context_words: tuple[str, ...]

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(label for label, _ in self.adjustments)

    @property
    def discounted(self) -> bool:
        return any(delta < 0 for _, delta in self.adjustments)


NEAR_CHARS = 500  # counter-speech, homonym, in-group and rule words count within this many characters
WORD_CHARS = 200  # the words just before and after a hit are looked for within this many characters


class MessageContext:
    """One normalised message read for context scoring, so each hit costs a bounded amount of work.

    Quote marks and counter-speech phrases are found in one pass each (positions only); words are read
    in a bounded stretch around each hit (NEAR_CHARS for topic words, WORD_CHARS for the words next to
    it: the whole message for ordinary chat), so scoring every hit of a message of any length takes
    time and memory linear in the message.
    """

    def __init__(self, text: str, vocab: ContextVocab) -> None:
        self.text = text
        self.vocab = vocab
        self.counter = [(m.start(), m.group()) for m in vocab.counter.finditer(text)] if vocab.counter else []
        self.counter_starts = [c[0] for c in self.counter]
        self.quotes: dict[str, list[int]] = {ch: [] for pair in _QUOTE_PAIRS for ch in pair}
        for m in _QUOTE_MARKS.finditer(text):
            self.quotes[m.group()].append(m.start())
        # Straight single quotes open and close a quotation only at word edges ('...'), never
        # inside a word (don't); a lone closing one (the lads' van) just ends nothing.
        self.single_open = [m.start() for m in _SINGLE_OPEN.finditer(text)]
        self.single_close = [m.start() for m in _SINGLE_CLOSE.finditer(text)]
        # The police word that makes the message an incident report ("ip", "suspect", "s4a"), if any.
        frame = vocab.incident_frame.search(text) if vocab.incident_frame is not None else None
        self.incident = frame.group() if frame is not None else None

    def _words(self, lo: int, hi: int) -> list[tuple[int, str]]:
        """(start, word) of the whole words inside text[lo:hi]."""
        lo, hi = max(0, lo), min(len(self.text), hi)
        found = [(m.start(), m.group()) for m in _WORD.finditer(self.text, lo, hi)]
        if found and found[0][0] == lo and lo > 0 and _WORD.match(self.text, lo - 1):
            found.pop(0)  # cut by the window's left edge
        if found and hi < len(self.text) and found[-1][0] + len(found[-1][1]) == hi and _WORD.match(self.text, hi):
            found.pop()  # cut by the right edge
        return found

    def before(self, start: int, count: int) -> list[str]:
        """Up to `count` words ending at or before `start`, nearest last."""
        return [w for _, w in self._words(start - WORD_CHARS, start)[-count:]]

    def word_start_before(self, start: int, count: int) -> int:
        """Where the `count`-th word before `start` begins (the window for reporting words)."""
        words = self._words(start - WORD_CHARS, start)
        return words[-count][0] if len(words) >= count else max(0, start - WORD_CHARS)

    def after(self, end: int, count: int) -> list[str]:
        return [w for _, w in self._words(end, end + WORD_CHARS)[:count]]

    def near(self, start: int, end: int) -> set[str]:
        """The words within NEAR_CHARS of a hit (the whole message when it is short)."""
        return {w for _, w in self._words(start - NEAR_CHARS, end + NEAR_CHARS)}

    def countered(self, start: int, end: int) -> str | None:
        """The first counter-speech cue near the hit. A `counter_in_sentence` cue (a police topic such
        as "hate crime", "complaint", "PSD") counts only in the hit's own sentence: "IP reports racist
        abuse. tbh the [slur] deserved it" is the officer's own comment after the report."""
        i = bisect.bisect_left(self.counter_starts, start - NEAR_CHARS)
        while i < len(self.counter) and self.counter[i][0] <= end + NEAR_CHARS:
            at, cue = self.counter[i]
            i += 1
            if " ".join(cue.split()) in self.vocab.counter_in_sentence and (
                    _SENTENCE_BREAK.search(self.text, at + len(cue), start) if at < start
                    else _SENTENCE_BREAK.search(self.text, end, at)):
                continue
            return cue
        return None

    def quoted(self, start: int, end: int) -> str | None:
        """The quote mark around the hit, when the hit sits inside a quotation in this message."""
        for open_q, close_q in _QUOTE_PAIRS:
            opens = self.quotes[open_q]
            if open_q == close_q:
                if bisect.bisect_left(opens, start) % 2 == 1 and bisect.bisect_left(opens, end) < len(opens):
                    return open_q
                continue
            closes = self.quotes[close_q]
            last_open = _last_before(opens, start)
            if last_open > _last_before(closes, start) and bisect.bisect_left(closes, end) < len(closes):
                return open_q
        last_open = _last_before(self.single_open, start)
        if last_open >= 0 and last_open > _last_before(self.single_close, start) and \
                bisect.bisect_left(self.single_close, end) < len(self.single_close):
            return "'"
        return None


def _last_before(positions: Sequence[int], limit: int) -> int:
    i = bisect.bisect_left(positions, limit)
    return positions[i - 1] if i else -1


def assess(
    text: str | MessageContext,
    start: int,
    end: int,
    vocab: ContextVocab,
    *,
    homonyms: frozenset[str] = frozenset(),
    reclaimable: bool = False,
    disguised: bool = False,
    rule_words: Sequence[tuple[str, float]] = (),
    construction: bool = False,
    named_subject: str | None = None,
) -> Assessment:
    """Score the context of the hit `text[start:end]` (normalised, lower-case text).

    `rule_words` are a rule's own `[rule.context]` words with their score change (see `rule_context`).
    `construction`: the hit is a phrase or emoji rule's statement about a group, not a slur. When the
    message objects to the language, a "you" before such a statement is the person argued with ("you
    really think [group] should be ...?"), not a target, so it does not raise the score.
    `named_subject`: a person's name just before the hit (`named_subject` below), for a rule that reads
    it as a report of what that person did.
    Pass a `MessageContext` when scoring several hits of one message.
    """
    ctx = text if isinstance(text, MessageContext) else MessageContext(text, vocab)
    raw = ctx.text
    found: list[tuple[str, str]] = []  # (label, word that triggered it)
    before = ctx.before(start, vocab.window)
    after = ctx.after(end, 3)
    near_before = before[-3:]
    hit_address = next((w for w in near_before if w in vocab.address), None)
    if hit_address is None and raw.lstrip().startswith("@"):
        hit_address = "@mention"
    if hit_address is None and _vocative(raw, start, end, before, after):
        hit_address = "vocative"
    countered = ctx.countered(start, end)
    if hit_address and not (construction and countered):
        found.append(("addressed", hit_address))
    modifier = next((w for w in before[-1:] if w in vocab.modifiers), None)
    if modifier:
        found.append(("derogatory modifier", modifier))
    if disguised:
        found.append(("disguised spelling", ""))
    quote = ctx.quoted(start, end)
    if quote:
        found.append(("quoted", quote))
    if vocab.reporting is not None:
        reported = _governing_report(ctx, start, vocab, construction=construction)
        if not reported and ctx.incident is not None:
            reported = incident_report(ctx, start, end, vocab, quoted=quote is not None)
        elif not reported and quote is not None:
            reported = _reported_after(ctx, end, vocab)  # '"[slur] go home" was what he said'

        if reported:
            found.append(("reported", reported))
        elif construction and (belief := believed(ctx, ctx.word_start_before(start, vocab.window), start,
                                                  vocab)) is not None:
            found.append(("reported", belief))
        elif named_subject:
            found.append(("reported", named_subject))
    if countered:
        found.append(("counter-speech", countered))
    if not construction and vocab.mention_nouns and before[-1:] != [hit_address] and \
            (named := mentioned(ctx, start, end, vocab)) is not None:
        found.append(("mentioned", named))
    words: set[str] | None = None
    if homonyms:
        words = ctx.near(start, end)
        shared = sorted(words & homonyms)
        if shared:
            found.append(("homonym", shared[0]))
    if reclaimable:
        words = words if words is not None else ctx.near(start, end)
        shared = sorted(words & vocab.in_group)
        if shared:
            found.append(("in-group", shared[0]))
    if ctx.incident is not None and any(label in ("quoted", "reported") for label, _ in found):
        # In an incident report the address, the insulting word beside the slur and the asterisks are
        # the reported speaker's words or the officer's own censoring, not the writer's aim.
        found = [(label, word) for label, word in found if label not in _INCIDENT_SPEECH]
    adjustments = [(label, vocab.deltas.get(label, 0.0)) for label, _ in found]
    if rule_words:
        words = words if words is not None else ctx.near(start, end)
        for word, delta in rule_words:
            if word in words:
                found.append(("rule context", word))
                adjustments.append(("rule context" if delta >= 0 else "rule context (lowers)", delta))
    return Assessment(tuple(adjustments), tuple(word for _, word in found if word))


# --- Reporting scope (issue 13 recall pass) ---------------------------------------------------------
# A reporting word lowers a hit only where it governs it: in the same sentence, and spoken by someone
# other than the writer, and not inside an idiom that reports no one ("so called", "that said").
# "He said it. Paki cunt." and "i'd say he's a paki" are the writer's own words;
# "he said paki", "I said he called me a paki" (the nearer "called" is his) stay reported.
_SENTENCE_BREAK = regex.compile(r"[!?;\n]|(?<!\.)\.(?![.\w])")  # a full stop, not an ellipsis or "3.5"


def _governing_report(ctx: MessageContext, start: int, vocab: ContextVocab, *, construction: bool = False) -> str | None:
    """The reporting word that governs the hit (see `_governing_match`), if any."""
    found = _governing_match(ctx, start, vocab, construction=construction)
    return found.group() if found is not None else None


def _governing_match(ctx: MessageContext, start: int, vocab: ContextVocab, *, construction: bool = False,
                     words: regex.Pattern[str] | None = None, window: int | None = None) -> regex.Match[str] | None:
    """The reporting word (nearest first) within the window before the hit that governs it, if any.
    The writer's own "I said" reports no one; but before a construction, the writer's "I posted
    about ..." (a `topic_links` word after the verb) names a topic, not the writer's words.
    `words`: another list of reporting words than `vocab.reporting` (the incident report's);
    `window`: words looked back, instead of `vocab.window`."""
    words = words if words is not None else vocab.reporting
    assert words is not None
    raw = ctx.text
    window_start = ctx.word_start_before(start, window or vocab.window)
    matches = list(words.finditer(raw, window_start, start, overlapped=True))
    for match in sorted(matches, key=lambda m: m.end(), reverse=True):
        if vocab.not_reporting is not None and any(
                m.start() <= match.start() and match.end() <= m.end()
                for m in vocab.not_reporting.finditer(raw, max(0, match.start() - 30), match.end() + 30)):
            continue  # an idiom that reports no one ("so called", "needless to say")
        if _SENTENCE_BREAK.search(raw, match.end(), start):
            continue  # another sentence: the report ended before the hit
        if _writer_speaks(ctx, match.start(), vocab) and not (
                construction and any(w in vocab.topic_links for w in ctx.after(match.end(), 1))):
            continue
        if _writer_answers(ctx, match.end(), start, vocab):
            continue
        return match
    return None


_CLAUSE_COMMA = regex.compile(r"[,;]")


def _writer_answers(ctx: MessageContext, report_end: int, start: int, vocab: ContextVocab) -> bool:
    """"Alex asked to be called they/them now, I'm going with ...": after the reported words, a comma and a
    first-person subject open the writer's own clause, which the report does not govern. A comma straight
    after the reporting verb ("he said, I'll ...") introduces the reported words themselves."""
    if not vocab.first_person:
        return False
    raw = ctx.text
    for comma in _CLAUSE_COMMA.finditer(raw, report_end, start):
        if not _WORD.search(raw, report_end, comma.start()):
            continue
        first = ctx._words(comma.end(), start)[:1]
        if first and first[0][1] in vocab.first_person:
            return True
    return False


def _writer_speaks(ctx: MessageContext, verb_start: int, vocab: ContextVocab) -> bool:
    """"I said", "we'd call", "i would have said", "im just gonna say": the writer is the speaker.
    Only auxiliaries and adverbs may stand between the pronoun and the verb; a negation ("I never
    said", "I didn't call") or anything else leaves it a report."""
    if not vocab.first_person:
        return False
    words = ctx.before(verb_start, 5)
    if words and words[-1] in vocab.gerund_links:
        return _writer_is_subject(ctx, verb_start, vocab)
    for word in reversed(words):
        if word in vocab.first_person:
            return True
        if word not in vocab.speaker_auxiliaries:
            return False
    return False


def _writer_is_subject(ctx: MessageContext, verb_start: int, vocab: ContextVocab) -> bool:
    """"I got banned for calling ...": within 8 words before "for", in its sentence, a first-person word
    comes before any other person word (which, like "my mate", makes the gerund someone else's)."""
    lo = max(0, verb_start - WORD_CHARS)
    sentence = max((m.end() for m in _SENTENCE_BREAK.finditer(ctx.text, lo, verb_start)), default=lo)
    for _, word in reversed(ctx._words(sentence, verb_start)[-9:]):
        if word in vocab.other_persons:
            return False
        if word in vocab.first_person:
            return True
    return False
# ----------------------------------------------------------------------------------------------
# Issue 13 false-alarm pass 4: incident reports as officers write them.
# A message with a police reporting word (`words.incident_frame`: "IP", "victim", "suspect", "s4A",
# "crime report") relays an incident. There, beyond the ordinary reporting scope above, the slur is
# the reported speaker's when
#   - an `incident_reporting` word governs it ("witness heard him shout ...", "male kept repeating ...");
#   - it is quoted ('IP: "go home you ..."');
#   - a speaker and a reporting word follow it in its sentence ("... go home, he shouted");
#   - it is in an utterance in the sentence after an open report ("Neighbour shouted at IP. [slur] go
#     home."): the sentence holds an `incident_utterance` word ("you", "go", "back"), and holds no frame word, no `incident_own_voice` word ("tbh", "lol", "deserved") and no referring
#     word just before the hit ("the [slur] deserved it" is the officer's own comment).
# The officer's own words beside such a frame ("the IP is a [slur] lol") are not reports and stay.
_INCIDENT_SPEECH = frozenset({"addressed", "derogatory modifier", "disguised spelling"})
_AFTER_CHARS = 80  # a speaker and reporting word after the hit count within this many characters


def incident_report(ctx: MessageContext, start: int, end: int, vocab: ContextVocab, *, quoted: bool) -> str | None:
    """The word that makes the hit `text[start:end]` reported speech in an incident report, if any."""
    # An officer's report is indirect speech to the end of its sentence ("suspect said he's not racist,
    # he just hates ..."): reporting words govern further back than in chat (`incident_window`).
    # Beyond the ordinary window only when nothing between the report and the hit is the officer's own
    # ("IP says he called him a ..., the IP is a ... too tbh": a frame or own-voice word ends the report).
    for words in _reporting_words(vocab):
        found = _governing_match(ctx, start, vocab, words=words, window=vocab.incident_window)
        if found is not None and not _officer_speaks_between(ctx, found.end(), start, vocab):
            return found.group()
    if quoted:
        return ctx.incident
    return _reported_after(ctx, end, vocab) or _utterance_after_report(ctx, start, end, vocab)


def _officer_speaks_between(ctx: MessageContext, lo: int, hi: int, vocab: ContextVocab) -> bool:
    """A frame word ("the IP is ...") in `text[lo:hi]`, or an own-voice word ("tbh") from `lo` to the end
    of the sentence of `hi`."""
    stop = _SENTENCE_BREAK.search(ctx.text, hi, min(len(ctx.text), hi + WORD_CHARS))
    if any(w in vocab.incident_own_voice for _, w in ctx._words(lo, stop.start() if stop else hi + WORD_CHARS)):
        return True
    return vocab.incident_frame is not None and vocab.incident_frame.search(ctx.text, lo, hi) is not None


def _reporting_words(vocab: ContextVocab) -> tuple[regex.Pattern[str], ...]:
    return tuple(p for p in (vocab.reporting, vocab.incident_reporting) if p is not None)


def _reported_after(ctx: MessageContext, end: int, vocab: ContextVocab) -> str | None:
    """"[slur] go home, he shouted", "... was what the male said": a speaker, then a reporting word,
    after the hit in its sentence."""
    text = ctx.text
    stop = _SENTENCE_BREAK.search(text, end, min(len(text), end + _AFTER_CHARS))
    hi = stop.start() if stop is not None else min(len(text), end + _AFTER_CHARS)
    for words in _reporting_words(vocab):
        for found in words.finditer(text, end, hi):
            if any(w in vocab.incident_speakers for w in ctx.before(found.start(), 3)) and \
                    ctx._words(end, found.start()) and _open_report(ctx, found.end(), vocab):
                return found.group()
    return None


def _open_report(ctx: MessageContext, verb_end: int, vocab: ContextVocab) -> bool:
    """Whether the reporting word ending at `verb_end` leaves its words unsaid, to be read beside it:
    it ends its sentence ("... he said."), or an `incident_open` word follows it ("shouted at IP",
    "yelled abuse", "said twice"). "she said she was assaulted" reports other words."""
    nxt = ctx._words(verb_end, verb_end + WORD_CHARS)[:1]
    if not nxt or _SENTENCE_BREAK.search(ctx.text, verb_end, nxt[0][0]) or ":" in ctx.text[verb_end:nxt[0][0]]:
        return True
    return nxt[0][1] in vocab.incident_open


def _utterance_after_report(ctx: MessageContext, start: int, end: int, vocab: ContextVocab) -> str | None:
    """"Neighbour shouted at IP. [slur] go home.": the hit's sentence is what the report before it said."""
    text = ctx.text
    lo = max(0, start - WORD_CHARS)
    breaks = list(_SENTENCE_BREAK.finditer(text, lo, start))
    if not breaks:
        return None
    sentence_start = breaks[-1].end()
    stop = _SENTENCE_BREAK.search(text, end)
    sentence = [w for _, w in ctx._words(sentence_start, stop.start() if stop is not None else len(text))]
    opens = not ctx._words(sentence_start, start)
    if not any(w in vocab.incident_utterance for w in sentence):
        return None  # "IP shouted at me. [slur] prick." is the officer's own name for the IP
    if any(w in vocab.incident_own_voice for w in sentence) or (
            vocab.incident_frame is not None and vocab.incident_frame.search(text, sentence_start, stop.start()
                                                                           if stop is not None else len(text))):
        return None
    before = ctx.before(start, 1)
    if before and not opens and before[0] in vocab.incident_referring:
        return None
    report: regex.Match[str] | None = None
    for words in _reporting_words(vocab):
        for found in words.finditer(text, lo, breaks[-1].start()):
            if report is None or found.end() > report.end():
                if vocab.not_reporting is not None and vocab.not_reporting.search(
                        text, max(0, found.start() - 30), found.end() + 30):
                    continue
                if not _writer_speaks(ctx, found.start(), vocab) and _open_report(ctx, found.end(), vocab):
                    report = found
    return report.group() if report is not None else None


def mentioned(ctx: MessageContext, start: int, end: int, vocab: ContextVocab) -> str | None:
    """"[slur] is a slur", "... is an offensive term", "isn't [slur] a racist word?": the words after a
    slur, in its sentence, name it as a word: they open with a `mention_copulas` word (or one stands just
    before the slur) and reach a `mention_nouns` word through `mention_fillers` only. "the [slur] word"
    and "[slur] words" (no copula) are not mentions. Returns the naming noun."""
    after = ctx._words(end, end + WORD_CHARS)[:6]
    if not after or not (after[0][1] in vocab.mention_copulas or
                         any(w in vocab.mention_copulas for w in ctx.before(start, 1))):
        return None
    for at, word in after:
        if _SENTENCE_BREAK.search(ctx.text, end, at):
            return None
        if word in vocab.mention_nouns:
            return word
        if word not in vocab.mention_fillers:
            return None
    return None


# ----------------------------------------------------------------------------------------------
# Issue 13 false-alarm pass 3 (training splits): reported beliefs and named subjects.


_SENTENCE_END = regex.compile(r"[.!?;\n]")


def believed(ctx: MessageContext, lo: int, start: int, vocab: ContextVocab) -> str | None:
    """A belief word (`words.belief`: "convinced", "believe") in `text[lo:start]` held by someone else.

    "they're convinced all women are ...", "some countries believe [group] = ..." report a view: a
    `words.belief_holders` word ("they", "people", "countries" ...) is within the three words before
    the belief word. Without one ("I'm convinced ...", "honestly believe ...", "you think ...?") the
    view is the writer's or the one argued with, left to the other rules. Only within the hit's
    sentence ("they think tall guys are fit. women are [insult]" owns the second), and only for
    constructions: a slur after "they think" is still the writer's word."""
    if vocab.belief is None:
        return None
    last = None
    for found in vocab.belief.finditer(ctx.text, lo, start):
        last = found
    if last is None or _SENTENCE_END.search(ctx.text, last.end(), start):
        return None
    if not any(w in vocab.belief_holders for w in ctx.before(last.start(), 3)):
        return None
    return last.group()


_RAW_WORD_BEFORE = regex.compile(r"([^\W\d_][^\W_]*(?:['’][^\W_]+)?)[ \t]+$")


def named_subject(raw: str, start: int, vocab: ContextVocab) -> str | None:
    """The person's name written just before `raw[start:]` ("Dave" in "Dave beat ..."), if any.

    A capitalised word (first letter upper, the rest lower) other than an everyday sentence opener
    (`words.not_names`: "Someone", "Just", "I'd" ...), separated from the hit by spaces only, is read
    as a name. Only on the raw text: normalising lower-cases it."""
    found = _RAW_WORD_BEFORE.search(raw, max(0, start - 40), start)
    if found is None or found.end() != start:
        return None
    word = found.group(1)
    if len(word) < 2 or not word[0].isupper() or not word[1:].replace("'", "").replace("’", "").islower():
        return None
    return None if word.lower() in vocab.not_names else word


def rule_context(context: Mapping[str, Any]) -> tuple[tuple[str, float], ...]:
    """A rule's `[rule.context]` boost/reduce words as (word, score change); defaults +0.1 and -0.3."""
    out: list[tuple[str, float]] = []
    for key, default in (("boost", 0.1), ("reduce", -0.3)):
        for item in context.get(key, []):
            if isinstance(item, str):
                out.append((item.strip().lower(), default))
            else:
                weight = abs(float(item.get("weight", abs(default))))
                out.append((str(item["word"]).strip().lower(), weight if key == "boost" else -weight))
    return tuple(out)


def _vocative(text: str, start: int, end: int, before: Sequence[str], after: Sequence[str]) -> bool:
    """The hit is a form of address: "..., <hit>" closing the message or "<hit>, ..." opening it.
    Only a word or two is a form of address: a clause before a comma ("X should be Y, ...") is not."""
    if len(_WORD.findall(text, start, end)) > 2:
        return False
    if not after and before and text[:start].rstrip().endswith(","):
        return True
    return not before and text[end:].lstrip().startswith(",")


def reason_for(label: str) -> str:
    """Plain words for an adjustment label, for the explanation."""
    return DELTA_REASONS.get(label, label)
