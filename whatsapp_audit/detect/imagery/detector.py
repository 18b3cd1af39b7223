"""Crime-scene image indicators: judges each photo or video by what surrounds it in the chat.

An export usually holds only a file name or "<Media omitted>", so the detector never looks at pixels:
it scores the attachment from its caption, the sender's nearby talk, other members' replies and the
group's recent scene talk (see `scoring.py`), then adds what EXIF supports when the zip carried
the original file. The result is an indicator for human review with every reason listed, never a
verdict. Vocabulary, weights and windows live in `patterns/imagery/*.toml`.

Wiring: the engine calls `set_media_facts(read_media_facts(export))` before detection for zip exports.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from whatsapp_audit.detect.base import Rule, Window
from whatsapp_audit.detect.imagery.lexicon import ROLE_REPLY, Scanner, compile_rule
from whatsapp_audit.detect.imagery.media import attachment_notes, base_name, exif_evidence
from whatsapp_audit.detect.imagery.scoring import Assessor, Contribution, Evidence, RaisingTalk, build_context
from whatsapp_audit.detect.imagery.settings import MediaPolicy, Scoring, load_media_policy, load_scoring
from whatsapp_audit.detect.text.guard import RegexTimeout, TimeoutLog
from whatsapp_audit.model import Attachment, Category, Confidence, Explanation, Finding, MediaType, Message, MessageKind

if TYPE_CHECKING:
    from whatsapp_audit.ingest.media import MediaFacts


_JUDGED_KINDS = frozenset({MessageKind.MEDIA, MessageKind.VIEW_ONCE})  # see judged_attachment


class ImageryDetector:
    """Scores media messages (and view-once stubs) for crime-scene indicators."""

    name = "imagery"
    category = Category.CRIME_SCENE_IMAGE
    needs_tokens = False
    context_size = 15  # replaced by options.scoring.context_messages on configure

    def __init__(self) -> None:
        self._rules: dict[str, Rule] = {}
        self._order: tuple[str, ...] = ()
        self._reply_rules: frozenset[str] = frozenset()
        self._assessor: Assessor | None = None
        self._scoring: Scoring | None = None
        self._policy: MediaPolicy | None = None
        self._facts: dict[str, MediaFacts] = {}
        self._timeouts = TimeoutLog()
        self._talk: RaisingTalk | None = None

    def configure(self, rules: Sequence[Rule]) -> None:
        own = [r for r in rules if r.detector == self.name]
        if not own:
            self._assessor = self._talk = None  # no imagery rules loaded (e.g. a force's pack alone): inert
            return
        compiled = [compile_rule(r) for r in own]
        self._scoring = load_scoring(own)
        self._policy = load_media_policy(own)
        self._rules = {r.id: r for r in own}
        self._order = tuple(r.id for r in own)
        self._reply_rules = frozenset(c.rule.id for c in compiled if c.role == ROLE_REPLY)
        self._assessor = Assessor(Scanner(compiled), self._scoring)
        self._talk = RaisingTalk(self._assessor.raising, self._assessor.known_raising)
        self.context_size = self._scoring.context_messages

    def keywords(self) -> frozenset[str]:
        return frozenset()  # media lines carry no words to pre-filter on: every media message is judged

    def reset(self) -> None:
        """Forget the last export's time-outs and media before the next one (one engine, many exports)."""
        self._timeouts = TimeoutLog()
        self._facts = {}
        if self._talk is not None:
            self._talk.clear()

    def set_media_facts(self, facts: Mapping[str, MediaFacts]) -> None:
        """Facts read from the zip by `ingest.media.read_media_facts`, keyed by member name."""
        self._facts = {base_name(k): v for k, v in facts.items()}

    wanted_kinds = _JUDGED_KINDS  # the engine leaves this detector out for other kinds (see `wants`)

    def wants(self, message: Message) -> bool:
        """Only media and view-once messages can be judged (checked by the engine before it builds
        this detector's 15-message window, so ordinary text costs nothing here)."""
        return message.kind in _JUDGED_KINDS

    def judged_attachment(self, message: Message) -> Attachment | None:
        """The attachment this detector judges, or None (audio, stickers, PDFs, screenshots ...)."""
        if message.kind == MessageKind.VIEW_ONCE:
            return Attachment("view once media", MediaType.UNKNOWN, True)
        if message.kind != MessageKind.MEDIA or self._policy is None:
            return None
        policy = self._policy
        for att in message.attachments:
            if not att.omitted and self._screenshot(policy, message, att):
                continue
            if att.media_type.value in policy.judged_types:
                return att
            if att.media_type == MediaType.DOCUMENT and not att.omitted and policy.has_image_extension(att.name):
                return att
        return None

    def _screenshot(self, policy: MediaPolicy, message: Message, att: Attachment) -> bool:
        try:
            return policy.is_screenshot(base_name(att.name))
        except TimeoutError:  # judged as a photo: a person reviews it rather than it being dropped
            self._timeouts.record(message.line, policy.owner, "options.media.screenshot_names")
            return False

    @property
    def timeouts(self) -> list[RegexTimeout]:
        """Media-name regexes (from options.media) that ran out of time, by message line."""
        return self._timeouts.items

    def detect(self, message: Message, window: Window) -> Iterable[Finding]:
        att = self.judged_attachment(message)
        if att is None or self._assessor is None or self._scoring is None or self._talk is None:
            return ()
        if not self._talk.any_in((*window.before, message, *window.after)):
            # Most photos: no scene or reply word anywhere near, so nothing can raise a score
            # (`Assessor.could_score`, kept as the window slides).
            return ()
        ctx = build_context(message, window.before, window.after,
                            lambda m: self.judged_attachment(m) is not None, self._scoring)
        ev = self._assessor.assess(ctx)
        if ev.positive <= 0:
            return ()
        facts = self._media(ev, message, att, ctx.seq)
        finding = self._finding(message, att, ev, ctx.group[0], facts)
        return (finding,) if finding else ()

    def _media(self, ev: Evidence, message: Message, att: Attachment, seq: Sequence[Message]) -> MediaFacts | None:
        assert self._scoring is not None and self._policy is not None
        s = self._scoring
        name = base_name(att.name)
        if not att.omitted and self._camera_original(self._policy, message, name):
            ev.add(Contribution("camera-original file name (sent as a document, original bytes)",
                                s.camera_original, None, "camera"))
        facts = None if att.omitted else self._facts.get(name)
        if facts is not None:
            exif_evidence(ev, facts, message, seq, s)
        if message.kind == MessageKind.VIEW_ONCE:
            ev.details.append(("not_examined", "view-once media is never exported"))
        else:
            ev.details.extend(attachment_notes(att, facts is not None))
        return facts

    def _camera_original(self, policy: MediaPolicy, message: Message, name: str) -> bool:
        try:
            return policy.is_camera_original(name)
        except TimeoutError:
            self._timeouts.record(message.line, policy.owner, "options.media.camera_original_names")
            return False

    def _finding(self, message: Message, att: Attachment, ev: Evidence, first: Message,
                 facts: MediaFacts | None) -> Finding | None:
        assert self._scoring is not None
        s = self._scoring
        total = sum(c.delta for c in ev.contributions)
        own = sum(c.delta for c in ev.contributions if c.kind != "prior")
        if ev.removal_reply:  # an ordinary context does not cancel a strong phrase backed by a removal reply
            floor = sum(c.delta for c in ev.contributions if c.strong and c.kind in ("caption", "reply"))
            total, own = max(total, floor), max(own, floor)
        score = round(min(1.0, max(0.0, total)), 2)
        if score < s.report_threshold:
            return None
        # Earlier scene talk raises a photo's score; it reports one alone only when the photo comes
        # with no words of the sender's own. A holiday snap captioned as one, half an hour after
        # unrelated scene talk, needs evidence of its own (scene words, a reply) worth reporting.
        if ev.described and own < s.report_threshold:
            return None
        rule = self._rules[self._choose_rule(ev)]
        tier = Confidence.HIGH if score >= s.high_tier else Confidence.MEDIUM if score >= s.medium_tier else Confidence.LOW
        details = list(ev.details)
        if first.index != message.index:
            details.append(("group", f"part of a burst or album that starts on line {first.line}"))
        title = rule.title[:1].lower() + rule.title[1:]
        return Finding(
            rule=rule.id, category=self.category, severity=rule.severity, confidence=tier, score=score,
            message_index=message.index, line=message.line, start=None, end=None,
            matched=att.name, normalised=base_name(att.name),
            explanation=Explanation(
                reason=f"indicator for human review: {title} (confidence {tier.value}, {score:.2f})",
                pattern=next(iter(ev.words), None),
                context_words=tuple(ev.words),
                adjustments=tuple((c.reason, round(c.delta, 3)) for c in ev.contributions),
                details=tuple(details),
            ),
            extra=(("media_type", att.media_type.value), ("omitted", str(att.omitted).lower()),
                   ("group_first_line", str(first.line)),
                   *((("zip_member", facts.name), ("sha256", facts.sha256 or "")) if facts else ())),
        )

    def _choose_rule(self, ev: Evidence) -> str:
        """The talk rule whose evidence weighs most; the reply rule only when there was no scene talk."""
        weight: dict[str, float] = {}
        for c in ev.contributions:
            if c.rule_id is not None and c.delta > 0:
                weight[c.rule_id] = weight.get(c.rule_id, 0.0) + c.delta
        talk = {k: v for k, v in weight.items() if k not in self._reply_rules}
        pool = talk or weight
        if not pool:
            return self._order[0]
        return max(pool.items(), key=lambda kv: (kv[1], -self._order.index(kv[0])))[0]
