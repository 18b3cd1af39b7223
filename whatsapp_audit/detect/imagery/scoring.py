"""Scores one media message from what surrounds it: caption, sender's nearby talk, replies, prior talk.

The sketch is crime-scene-images.md §4: strong and weak scene terms in the caption and in the same
sender's messages within a few minutes (weighted by distance), removal replies from others, the
group's recent scene talk, minus ordinary contexts (gym, cake, TV ...) that explain the words away.
Every contribution is kept with its reason so a reviewer can see how the score was reached.
"""

from __future__ import annotations

import math
import re
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from operator import attrgetter, is_

from whatsapp_audit.detect.imagery.lexicon import ROLE_REPLY, ROLE_TALK, Hit, Scanner
from whatsapp_audit.detect.imagery.settings import Scoring
from whatsapp_audit.model import Message, MessageKind

_SKIPPED = (MessageKind.SYSTEM, MessageKind.CALL, MessageKind.POLL, MessageKind.PENDING)
_RAISING = frozenset({"strong", "weak"})  # hit strengths that can raise a score (negative ones lower it)
_TEXT_OF = attrgetter("text")
_RAISING_KEPT = 4096  # answers of `Assessor.raising` kept before the memo starts again (bounds memory only)


@dataclass(frozen=True)
class Contribution:
    """One signal that moved the score: plain reason, signed weight, and the rule it speaks for."""

    reason: str
    delta: float
    rule_id: str | None
    kind: str  # caption | neighbour | reply | prior | negative | camera | exif | deleted
    strong: bool = False  # carried by a strong phrase (or a removal reply)


@dataclass
class Context:
    """The media message's surroundings, cut from the engine's window in file order."""

    seq: list[Message]
    first: int  # index in seq of the first message of the media group (burst/album)
    last: int
    author: str | None

    @property
    def group(self) -> list[Message]:
        return self.seq[self.first:self.last + 1]


@dataclass
class Evidence:
    """What the scorer found, before it is turned into a finding."""

    contributions: list[Contribution] = field(default_factory=list)
    details: list[tuple[str, str]] = field(default_factory=list)
    words: dict[str, None] = field(default_factory=dict)
    removal_reply: bool = False
    strong: bool = False  # a strong term in the caption or the sender's nearby talk
    neighbour: tuple[int, float] | None = None  # the best same-sender neighbour: (message index, value)
    described: bool = False  # the sender's own words go with the photo (a caption, or talk within a minute or two)

    def add(self, c: Contribution) -> None:
        self.contributions.append(c)

    @property
    def positive(self) -> float:
        return sum(c.delta for c in self.contributions if c.delta > 0)


def minutes(a: Message, b: Message) -> float:
    return abs((a.timestamp - b.timestamp).total_seconds()) / 60.0


def quote(terms: Sequence[str]) -> str:
    return ", ".join(f"'{t}'" for t in terms)


def build_context(message: Message, before: Sequence[Message], after: Sequence[Message],
                  is_media: Callable[[Message], bool], s: Scoring) -> Context:
    """Place the message among its neighbours and grow its burst or album (one sender, within a minute)."""
    seq = [*before, message, *after]
    first = last = len(before)
    author = message.author

    def joins(i: int, j: int) -> bool:
        m = seq[i]
        return m.author == author and minutes(m, seq[j]) <= s.burst_minutes and (
            is_media(m) or (m.kind == MessageKind.TEXT and not m.text.strip()))  # iOS album header: empty body

    while first > 0 and joins(first - 1, first):
        first -= 1
    while last + 1 < len(seq) and joins(last + 1, last) and is_media(seq[last + 1]):
        last += 1
    return Context(seq, first, last, author)


class Assessor:
    """Turns a media message's context into scored, explained evidence."""

    def __init__(self, scanner: Scanner, scoring: Scoring) -> None:
        self.scanner = scanner
        self.s = scoring
        self._raising: dict[str, bool] = {}  # `raising` per text: chat repeats its short replies

    def could_score(self, message: Message, before: Sequence[Message], after: Sequence[Message]) -> bool:
        """Whether any text in the window holds a scene or reply term (strong or weak). Every signal
        that raises the score (caption, the sender's talk, replies, earlier talk) is such a term in
        a text of the window, as `scanner.scan` finds it, and ordinary contexts only lower it; so
        without one `assess` finds nothing above zero and the photo is not reported. The detector
        then skips building the context and scoring it (most photos in a chat). The texts are the
        ones `assess` would scan, so the scanner's cache serves both."""
        for text in (message.text, *(m.text for m in before), *(m.text for m in after)):
            if any(hit.strength in _RAISING for hit in self.scanner.scan(text)):
                return True
        return False

    @property
    def known_raising(self) -> Mapping[str, bool]:
        """`raising`'s memo: the texts it has answered, with their answers."""
        return self._raising

    def raising(self, text: str) -> bool:
        """Whether `text` holds a scene or reply term that can raise a score (`could_score`'s test of one text)."""
        known = self._raising.get(text)
        if known is None:
            if len(self._raising) >= _RAISING_KEPT:
                self._raising.clear()
            # Most new texts (a file name, short talk) hold no token a raising term begins with: one
            # search says so, without a scan (`Scanner.may_raise`).
            known = self._raising[text] = self.scanner.may_raise(text) and any(
                hit.strength in _RAISING for hit in self.scanner.scan(text))
        return known

    def assess(self, ctx: Context) -> Evidence:
        ev = Evidence()
        caption = [h for m in ctx.group for h in self.scanner.scan(m.text)]
        local = self._local(ctx)
        replies = self._replies(ctx)
        # Ordinary contexts (crime-scene-images.md §3.2) come from the sender's own caption and nearby
        # talk, and explain away only the words said close to them: a flat battery mentioned four
        # minutes later says nothing about the smell described with the photo.
        said = [(ctx.group[0], caption), *((m, list(hs)) for m, _, hs in local)]

        def near(at: Message) -> list[list[Hit]]:
            return [hs for m, hs in said if minutes(m, at) <= self.s.explain_minutes]

        def cancelling(at: Message) -> set[str]:
            return {h.rule_id for hs in near(at) for h in hs if h.strength == "negative" and h.role == ROLE_TALK}

        ev.described = any(_captioned(m) for m in ctx.group) or any(
            m.kind == MessageKind.TEXT and m.text.strip() and minutes(m, ctx.group[0]) <= self.s.explain_minutes
            for m, _, _ in local)
        self._caption(ev, caption, cancelling(ctx.group[0]))
        self._neighbours(ev, ctx, local, cancelling)
        self._reply(ev, ctx, replies)
        self._support(ev)  # before the prior: earlier talk raises a score, it does not support a lone word
        self._prior(ev, ctx, replies)
        # The penalty applies where an ordinary context speaks to scene words of its own rule said
        # near it ("cake" beside a "crime scene" party theme).
        relevant: dict[str, Hit] = {}
        for m, hits in said:
            spoken = {h.rule_id for hs in near(m) for h in hs if h.role == ROLE_TALK and h.strength in ("strong", "weak")}
            relevant.update((h.term, h) for h in hits
                            if h.strength == "negative" and h.role == ROLE_TALK and h.rule_id in spoken)
        if relevant and ev.positive > 0:
            labels = sorted({h.label for h in relevant.values()})
            ev.add(Contribution(f"ordinary context explains the words away ({', '.join(labels)}): "
                                f"{quote(sorted(relevant))}", -self.s.negative, None, "negative"))
        return ev

    # --- the signals -------------------------------------------------------------------------------
    def _caption(self, ev: Evidence, hits: list[Hit], cancelling: set[str]) -> None:
        strong = [h for h in hits if h.role == ROLE_TALK and h.strength == "strong"]
        weak = [h for h in hits if h.role == ROLE_TALK and h.strength == "weak"]
        if strong:
            ev.strong = True
            ev.add(Contribution(f"caption: {quote(_terms(strong))}", self.s.strong_caption, strong[0].rule_id,
                                "caption", strong=True))
        live = self._cancel(ev, weak, cancelling, "caption")
        if live:
            ev.add(Contribution(f"caption (weak): {quote(_terms(live))}", self.s.weak_caption * self._several(live),
                                live[0].rule_id, "caption"))
        ev.words.update(dict.fromkeys(_terms(strong + live)))

    def _neighbours(self, ev: Evidence, ctx: Context, local: list[tuple[Message, float, tuple[Hit, ...]]],
                    cancelling: Callable[[Message], set[str]]) -> None:
        best: Contribution | None = None
        for m, dist, hits in local:
            strong = [h for h in hits if h.role == ROLE_TALK and h.strength == "strong"]
            live = self._cancel(ev, [h for h in hits if h.role == ROLE_TALK and h.strength == "weak"],
                                cancelling(m), f"line {m.line}")
            if not strong and not live:
                continue
            ev.strong = ev.strong or bool(strong)
            weight = math.exp(-dist / self.s.decay_minutes)
            value = weight * (self.s.strong_neighbour * bool(strong) + self.s.weak_neighbour * self._several(live))
            side = "before" if m.timestamp <= ctx.group[0].timestamp and m.index < ctx.group[0].index else "after"
            reason = f"same sender {_ago(dist)} {side}, line {m.line}: {quote(_terms(strong + live))}"
            ev.details.append(("neighbour", f"{reason} (weight {weight:.2f})"))
            ev.words.update(dict.fromkeys(_terms(strong + live)))
            if best is None or value > best.delta:
                best = Contribution(reason, value, (strong or live)[0].rule_id, "neighbour")
                ev.neighbour = (m.index, value)
        if best is not None:
            ev.add(best)

    def _several(self, weak: list[Hit]) -> float:
        """Weak words add up a little: two different ones in a message weigh more than one."""
        distinct = len(set(_terms(weak)))
        return 0.0 if distinct == 0 else (self.s.several_weak if distinct > 1 else 1.0)

    def _reply(self, ev: Evidence, ctx: Context, replies: list[tuple[Message, tuple[Hit, ...]]]) -> None:
        best: Contribution | None = None
        for m, hits in replies:
            strong = [h for h in hits if h.role == ROLE_REPLY and h.strength == "strong"]
            banter = any(h.role == ROLE_REPLY and h.strength == "negative" for h in hits)
            weak = [] if banter else [h for h in hits if h.role == ROLE_REPLY and h.strength == "weak"]
            if not strong and not weak:
                continue
            gap = minutes(m, ctx.group[-1])
            if strong:
                reason = f"reply from another member {_ago(gap)} later, line {m.line}: {quote(_terms(strong))}"
                ev.details.append(("reply", reason))
                ev.removal_reply = True
                if best is None or best.delta < self.s.removal_reply:
                    best = Contribution(reason, self.s.removal_reply, strong[0].rule_id, "reply", strong=True)
            elif best is None:
                best = Contribution(f"reaction from another member, line {m.line}: {quote(_terms(weak))}",
                                    self.s.weak_reply, weak[0].rule_id, "reply")
            ev.words.update(dict.fromkeys(_terms(strong or weak)))
        if best is not None:
            ev.add(best)
        if ev.removal_reply:
            self._deleted_stub(ev, ctx)

    def _deleted_stub(self, ev: Evidence, ctx: Context) -> None:
        for m in ctx.seq[ctx.last + 1:]:
            if minutes(m, ctx.group[-1]) > self.s.reply_minutes:
                break
            if m.author == ctx.author and m.kind == MessageKind.DELETED:
                ev.add(Contribution(f"the sender deleted a message after the reply, line {m.line}",
                                    self.s.deleted_after_alarm, None, "deleted"))
                return

    def _prior(self, ev: Evidence, ctx: Context, replies: list[tuple[Message, tuple[Hit, ...]]]) -> None:
        """Scene talk earlier in the conversation (or in others' replies) raises the prior."""
        best: tuple[float, Message, tuple[Hit, ...]] | None = None
        for m, hits in [*self._earlier(ctx), *replies]:
            strong = [h for h in hits if h.role == ROLE_TALK and h.strength == "strong"]
            cancelled = {h.rule_id for h in hits if h.strength == "negative" and h.role == ROLE_TALK}
            weak = {h.term: h for h in hits if h.role == ROLE_TALK and h.strength == "weak" and h.rule_id not in cancelled}
            level = (0.5 if cancelled else 1.0) if strong else (0.5 if len(weak) >= 2 else 0.0)
            if level == 0.0:
                continue
            age = minutes(m, ctx.group[0])
            fade = 1.0 if age <= self.s.prior_minutes else self.s.prior_minutes / age  # fades over the shift
            factor = level * fade * (1.0 if m.author == ctx.author else self.s.prior_other_sender)
            if best is None or factor > best[0]:
                best = (factor, m, tuple(strong or weak.values()))
        if best is None:
            return
        factor, m, hits = best
        who = "the same sender" if m.author == ctx.author else "another member"
        when = "before" if m.index < ctx.group[0].index else "after"
        reason = f"scene talk by {who} {_ago(minutes(m, ctx.group[0]))} {when}, line {m.line}: {quote(_terms(hits))}"
        value = self.s.scene_prior * factor
        kind = "prior"
        if ev.neighbour is not None and ev.neighbour[0] == m.index:  # one message is not counted twice:
            value -= ev.neighbour[1]  # it weighs at least what it would as conversation talk
            if value <= 0:
                return
            reason += " (beyond its weight as a nearby message)"
            kind = "neighbour"  # the sender's own nearby talk: evidence of this photo, not background
        ev.add(Contribution(reason, value, hits[0].rule_id, kind))
        ev.words.update(dict.fromkeys(_terms(hits)))

    def _support(self, ev: Evidence) -> None:
        """A single weak word with nothing else behind it is not enough (§3.1: weak needs support)."""
        if ev.strong or len(ev.words) > 1 or any(c.kind not in ("caption", "neighbour") for c in ev.contributions):
            return
        for i, c in enumerate(ev.contributions):
            ev.contributions[i] = Contribution(c.reason + " (one weak word, unsupported)",
                                               c.delta * self.s.unsupported_weak, c.rule_id, c.kind)

    # --- windows ----------------------------------------------------------------------------------
    def _local(self, ctx: Context) -> list[tuple[Message, float, tuple[Hit, ...]]]:
        """The same sender's messages within the window, with their effective distance in minutes."""
        out = []
        for i, m in enumerate(ctx.seq):
            if ctx.first <= i <= ctx.last or m.author != ctx.author or m.kind in _SKIPPED:
                continue
            edge = ctx.seq[ctx.first] if i < ctx.first else ctx.seq[ctx.last]
            steps = ctx.first - i if i < ctx.first else i - ctx.last
            dist = max(minutes(m, edge), self.s.message_step_minutes * (steps - 1))
            if minutes(m, edge) <= self.s.window_minutes:
                out.append((m, dist, self.scanner.scan(m.text)))
        return out

    def _replies(self, ctx: Context) -> list[tuple[Message, tuple[Hit, ...]]]:
        out = []
        for m in ctx.seq[ctx.last + 1:]:
            if minutes(m, ctx.group[-1]) > self.s.reply_minutes:
                break
            if m.author is not None and m.author != ctx.author and m.kind not in _SKIPPED:
                out.append((m, self.scanner.scan(m.text)))
        return out

    def _earlier(self, ctx: Context) -> list[tuple[Message, tuple[Hit, ...]]]:
        """Messages before the group inside the prior window, stopping at a long quiet gap."""
        out = []
        anchor = ctx.seq[ctx.first]
        newer = anchor
        for count, i in enumerate(range(ctx.first - 1, -1, -1), start=1):
            m = ctx.seq[i]
            if count > self.s.prior_messages and minutes(m, anchor) > self.s.prior_minutes:
                break
            if minutes(m, newer) > self.s.quiet_gap_minutes:
                break
            newer = m
            if m.kind not in _SKIPPED:
                out.append((m, self.scanner.scan(m.text)))
        return out

    def _cancel(self, ev: Evidence, weak: list[Hit], cancelling: set[str], where: str) -> list[Hit]:
        gone = [h for h in weak if h.rule_id in cancelling]
        if gone:
            ev.details.append(("explained_away", f"{where}: {quote(_terms(gone))}"))
        return [h for h in weak if h.rule_id not in cancelling]


_PLACEHOLDER_WORDS = frozenset({"file", "attached", "omitted", "media", "image", "video", "gif", "sticker", "audio",
                                "document", "photo"})
_WORD = re.compile(r"[^\W\d_]{2,}")


def _captioned(message: Message) -> bool:
    """Whether a media message carries words of its own besides its file names and placeholder."""
    text = message.text
    for attachment in message.attachments:
        text = text.replace(attachment.name, " ")
    return any(w.casefold() not in _PLACEHOLDER_WORDS for w in _WORD.findall(text))


def _terms(hits: Sequence[Hit]) -> list[str]:
    return list(dict.fromkeys(h.term for h in hits))


def _ago(mins: float) -> str:
    if mins < 1:
        return "within a minute"
    if mins < 90:
        return f"{round(mins)} min"
    return f"{mins / 60:.1f} h"


class RaisingTalk:
    """`Assessor.could_score` kept as the window slides along the chat, not asked again of all its texts.

    Consecutive media messages share most of their neighbours (an album, a burst of photos), and
    `could_score` looked at each of up to 31 texts again for every one. Here each message is read
    once, when it first enters a window, and numbered in chat order; the numbers of those with a
    raising term are kept, so a window's answer is whether one falls inside it. A window is matched to
    the last by the identity of the last message seen; one that does not continue it (a gap, another
    chat, the same chat again) starts afresh, so the answer is always `could_score`'s."""

    def __init__(self, raising: Callable[[str], bool], known: Mapping[str, bool] | None = None) -> None:
        """`raising(text)`: the test of one text; `known`: its memo (text -> answer), when it keeps one:
        read here first, so a text whose answer is already known (most chat: its short replies repeat)
        costs a lookup rather than a call."""
        self._raising = raising
        self._known: Mapping[str, bool] = known if known is not None else {}
        self.clear()

    def clear(self) -> None:
        self._last: Message | None = None  # the last message of the last window
        self._last_number = -1  # its number
        self._first_number = 0  # the number of the last window's first message
        self._numbers: deque[int] = deque()  # numbers of messages with a raising term, in order

    def any_in(self, window: Sequence[Message]) -> bool:
        """Whether some message of `window` (consecutive messages, in chat order) holds a raising term."""
        # The loops below run in C (map, `in`, list.index): every media line's window passes here, and
        # a Python loop over its 31 messages cost more than the answers it read.
        seen = -1  # where the last window's last message is in this one (its last place, by identity)
        if self._last is not None:
            found = list(map(is_, window, repeat(self._last)))
            if True in found:
                found.reverse()
                seen = len(found) - 1 - found.index(True)
        first = self._last_number - seen if seen >= 0 else 0
        if seen < 0 or first < self._first_number:
            self.clear()
            seen, first = -1, 0
        numbers = self._numbers
        texts = list(map(_TEXT_OF, window[seen + 1:]))
        answers = list(map(self._known.get, texts))  # None: not known yet
        missing = answers.index(None) if None in answers else -1
        while missing >= 0:  # a text met for the first time (most windows: none, or the media line's own)
            answers[missing] = self._raising(texts[missing])
            missing = answers.index(None, missing + 1) if None in answers else -1
        if True in answers:
            numbers.extend(first + seen + 1 + position for position, answer in enumerate(answers) if answer)
        if window:
            self._last, self._last_number = window[-1], first + len(window) - 1
        self._first_number = first
        while numbers and numbers[0] < first:
            numbers.popleft()
        return bool(numbers) and numbers[0] <= first + len(window) - 1
