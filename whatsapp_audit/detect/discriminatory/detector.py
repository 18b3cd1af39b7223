"""The discriminatory-language detector: slurs (even disguised), hateful phrases and emoji insults.

Three kinds of `detector = "discriminatory"` rule, told apart by their tables: lexicon concepts
(`options.canonical`), phrase rules (`match.token_patterns`) and emoji rules (`options.insults`).
Shared vocabularies (identity groups, context words, allowlists, leet and confusable maps, weights)
come from `options.vocabulary` of any of the rules (see patterns/discriminatory/README.md).
Every hit is scored in context (context.py) and reported with offsets into the original text.
"""

from __future__ import annotations

import bisect
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from typing import Any, Generic, TypeVar

import regex

from whatsapp_audit.detect.base import Rule, Window
from whatsapp_audit.detect.discriminatory.allow import AllowedNames, mask
from whatsapp_audit.detect.discriminatory.context import (
    Assessment,
    ContextVocab,
    MessageContext,
    assess,
    named_subject,
    reason_for,
    rule_context,
)
from whatsapp_audit.detect.discriminatory.emoji import EmojiHit, EmojiMatcher
from whatsapp_audit.detect.discriminatory.gate import QuickGate
from whatsapp_audit.detect.discriminatory.leet_words import LeetWords
from whatsapp_audit.detect.discriminatory.lexicon import LexHit, Lexicon
from whatsapp_audit.detect.discriminatory.linear import Featuriser, LinearModel, Verdict, features
from whatsapp_audit.detect.discriminatory.phrases import PhraseMatcher
from whatsapp_audit.detect.discriminatory.plain_runs import PlainRuns
from whatsapp_audit.detect.discriminatory.slots import IdentityVocab, PredicateVocab
from whatsapp_audit.detect.discriminatory.vocab import (
    CHARACTERISTICS,
    Concept,
    Scoring,
    build_concept,
    merge_vocabularies,
    review_scope,
)
from whatsapp_audit.detect.text.normalise import LowerOnly, Normalised, normalise
from whatsapp_audit.detect.text.runs import RunTable
from whatsapp_audit.errors import PatternError
from whatsapp_audit.model import Category, Confidence, Explanation, Finding, Message, MessageKind
from whatsapp_audit.rules.optional import is_model_rule
from whatsapp_audit.wording import plural

T = TypeVar("T")
_SCANNED_KINDS = frozenset({MessageKind.TEXT, MessageKind.MEDIA, MessageKind.EDITED, MessageKind.POLL})


def _blank_nlp() -> Any:
    """The shared tokenizer pipeline (spacy.blank("en"); no model, no network), loaded on first use."""
    from whatsapp_audit.detect.nlp import load_nlp

    return load_nlp()


class DiscriminatoryDetector:
    """Finds abuse of the Equality Act 2010 protected characteristics in message text."""

    name = "discriminatory"
    category = Category.DISCRIMINATORY_LANGUAGE
    needs_tokens = True
    context_size = 0

    def __init__(self) -> None:
        self.configure(())

    def configure(self, rules: Sequence[Rule]) -> None:
        vocab = merge_vocabularies(rules)
        self._rules = {rule.id: rule for rule in rules}
        self._rule_words = {rule.id: rule_context(rule.context) for rule in rules}
        self._review = {rule.id: scope for rule in rules if (scope := review_scope(rule)) is not None}
        self._scoring = Scoring.from_options(vocab)
        self._context = ContextVocab.from_options(vocab)
        self._confusables = {k: v for k, v in vocab.get("confusables", {}).items() if len(k) == 1}
        self._emoji_letters = {k.replace("\ufe0f", ""): str(v).lower() for k, v in vocab.get("emoji_letters", {}).items()}
        self._ascii_confusables = any(k.isascii() for k in self._confusables)
        self._lower_only = LowerOnly(self._confusables, self._emoji_letters, self._ascii_confusables)
        identity = IdentityVocab.from_options(vocab.get("identity", {}), CHARACTERISTICS)
        predicates = PredicateVocab.from_options(vocab.get("predicates", {}))
        allow = vocab.get("allow", {})
        self._allow = AllowedNames.from_options(allow, sorted(identity.modifiers))
        lexicon_rules, phrase_rules, emoji_rules = [], [], []
        self._model: LinearModel | None = None
        self._last_norm: Normalised | None = None
        model_rule: str | None = None
        for rule in rules:
            if is_model_rule(rule):  # the linear model (linear.py); `--no-model` leaves it out of `rules`
                if model_rule is not None:
                    raise PatternError(rule.source, rule.source_line, rule.id,
                                       f"a second linear model (the first is {model_rule})")
                model = LinearModel.from_rule(rule)  # checked even when disabled
                model_rule, self._model = rule.id, model if model.enabled else None
                # Its findings need the rule's wording, not the raw weight table (tens of thousands
                # of objects, in every worker) that `model` now holds in a compact form.
                self._rules[rule.id] = replace(rule, options={k: v for k, v in rule.options.items() if k != "model"})
            elif "canonical" in rule.options:
                lexicon_rules.append(rule)
            elif rule.match.get("token_patterns"):
                phrase_rules.append(rule)
            elif "insults" in rule.options:
                emoji_rules.append(rule)
            elif set(rule.options) <= {"vocabulary", "characteristic"} and "vocabulary" in rule.options:
                continue  # a force's file that only extends the shared word lists
            else:
                raise PatternError(rule.source, rule.source_line, rule.id,
                                   "a discriminatory rule needs options.canonical (lexicon), "
                                   "match.token_patterns (phrase) or options.insults (emoji)")
        self._concepts: dict[str, Concept] = {r.id: build_concept(r, identity.words()) for r in lexicon_rules}
        entries = [(c.rule_id, term, c.prefix) for c in self._concepts.values() for term in c.terms]
        self._lexicon = Lexicon(
            entries, vocab.get("leet", {}),
            derive=[(c.rule_id, t) for c in self._concepts.values() if c.derive for t in c.terms],
            compound=[(c.rule_id, t) for c in self._concepts.values() if c.compound for t in c.terms],
            suffixes=vocab.get("derivation", {}).get("suffixes", []))
        hidden = [name for name in self._allow.names if self._lexicon.accepts(name.strip().lower())]
        if hidden:
            carrier = next(r for r in rules if "vocabulary" in r.options)
            raise PatternError(carrier.source, carrier.source_line, carrier.id,
                               f"{plural(len(hidden), 'allowlisted name')} {'is itself a lexicon term' if len(hidden) == 1 else 'are themselves lexicon terms'} and would hide "
                               "every use of them; use the term's exceptions instead")
        words = vocab.get("words", {})
        common = list(dict.fromkeys(w.lower() for w in words.get("common", [])))
        self._identity_words = identity.word_characteristics()
        self._runs = RunTable()  # the runs' memo of this detector's gates, until an engine shares its own
        self._phrases = PhraseMatcher(phrase_rules, identity, _blank_nlp, common, predicates, self._runs,
                                      words.get("not_verbs", []))
        self._phrases.validate()
        # Identity words spelled with digits or symbols ("w0men") read as the words for the phrase rules.
        self._leet_words = LeetWords(identity.word_characteristics(), vocab.get("leet", {}))
        self._emoji = EmojiMatcher(emoji_rules, identity.emoji, identity.word_characteristics(),
                                   sorted(identity.dark_tones), words.get("negation", []),
                                   words.get("possessives", []),
                                   words.get("describing", []),
                                   (*identity.heads, *identity.person_heads))
        self.featuriser = Featuriser(self._confusables, self._emoji_letters, self._lexicon.accepts,
                                     self._ascii_confusables, identity.dark_tones, frozenset(identity.emoji))
        one_word, spanning, spanning_first = self._lexicon.prescan_bodies()
        edges = self._lexicon.spanning_edges()
        self._quick = QuickGate((one_word, self._phrases.gate_body), mixed=bool(self._lexicon.terms),
                                spanning=spanning, spanning_first=spanning_first, inside=self._lexicon.compound_pattern,
                                table=self._runs, spanning_edges=edges)
        # The same gate without the phrase rules' words: when it turns a text away, only a phrase rule
        # (`PhraseMatcher.could_match` reads all of a construction's tokens) or an emoji rule could
        # find anything, and "anyone fancy a brew" need not be normalised to learn that none can.
        self._quick_terms = QuickGate((one_word,), mixed=bool(self._lexicon.terms), spanning=spanning,
                                      spanning_first=spanning_first, inside=self._lexicon.compound_pattern,
                                      table=self._runs, like=self._quick, spanning_edges=edges)
        # With the model on, its gate words join the same single pass, so ordinary chat still costs one search.
        self._quick_or_model = None if self._model is None else QuickGate(
            (one_word, self._phrases.gate_body, self._model.gate_body), mixed=bool(self._lexicon.terms),
            spanning=spanning, spanning_first=spanning_first, inside=self._lexicon.compound_pattern,
            table=self._runs, like=self._quick, spanning_edges=edges)
        # Runs of non-ASCII text these gates cannot vouch for as they do for ASCII (plain_runs.py): all of
        # them with the model on, or when the phrase rules are not read by runs (their emoji then are not).
        self._plain_runs = PlainRuns(self._lower_only, self._emoji.insult_firsts,
                                     self._model is not None or self._phrases.run_bits() is None, self._runs)

    def share_runs(self, table: RunTable) -> None:
        """Read runs through the engine's table (text/runs.py): the quick gates and the phrase
        candidates come from the walk the engine's own gate made of the same message."""
        self._runs = table
        for gate in (self._quick, self._quick_terms, self._quick_or_model):
            if gate is not None:
                gate.share(table)
        self._phrases.share_runs(table)
        self._plain_runs.share(table)

    def run_gate(self) -> tuple[int, int] | None:
        """(bits, longest): a message of at most `longest` characters, whose whitespace is ASCII and
        whose runs give none of `bits` in the table shared with `share_runs` (laid out), has no
        finding here, and the engine need not call `detect` at all for most chat. `_past_quick_gates`
        turns such a text away: no lexicon gate (`_quick_terms`, or the model's words when it is on),
        and no construction whose plain tests are all here (the phrase candidates' filtered bits), so
        a text holding only a phrase rule's word ("anyone fancy a brew") needs no call either; and no
        run of non-ASCII text the normaliser could change or an emoji rule could read (`PlainRuns`),
        so "cheers all 👍" needs none either. None: no such bits."""
        phrase_bits = self._phrases.run_bits()
        # Without the candidates' bits, the quick gate that holds the phrase rules' words stands in.
        wanted = (phrase_bits or 0) | self._plain_runs.loud_bits()
        for gate in (self._quick_terms if phrase_bits is not None else self._quick, self._quick_or_model):
            bits = gate.wake_bits() if gate is not None else 0
            if bits is None:
                return None
            wanted |= bits
        return wanted, QuickGate.SHORT_TEXT

    def might_find(self, text: str, lowered: str, combined: int | None = None) -> bool:
        """False when `detect` finds nothing in a message with this text (`lowered`: `text.lower()`;
        `combined`: the shared table's bits of `lowered`, when the engine has them): the gates
        `_detect_text` asks first, read from the runs the engine has just walked, so most text woken
        by an emoji alone ("🙄") is turned away without the rest of `detect`'s path. True whenever
        `detect` would go further."""
        if self._quick_or_model is not None or len(text) > CHUNK_CHARS or not self._lower_only(text):
            return True  # the model's own gate words, chunks, a text to normalise: `detect` decides
        return self._past_quick_gates(text, lowered, combined)

    def _past_quick_gates(self, text: str, lowered: str, combined: int | None = None) -> bool:
        """For a text that normalise() would only lower-case (unless letters are spaced out, which the
        gates cover), given lower-cased (and its table bits, when known): whether any matcher could
        find something in it."""
        if self._emoji.might_match(text):
            return True
        if combined is None:
            combined = self._runs.bits(lowered)
        if (not self._quick.might_match_or_inside(lowered, combined)
                and not self._phrases.emoji_might_match(lowered)):
            return False
        # Past that gate on a phrase rule's word or emoji alone ("gym after shift anyone?", "cheers
        # all 👍"): with no lexicon gate and no spaced letters, normalise() would give `lowered`, so
        # nothing is found unless some construction has all its required tokens here.
        return (self._quick_terms.might_match_or_inside(lowered, combined)
                or self._phrases.could_match(lowered, combined))

    def prepare(self) -> None:
        """Compile the second gates now, which the first message past the quick gate would (ordinary
        chat has a few: "anyone" is a phrase rule's word), so a cached engine has them ready."""
        self._lexicon.prepare()
        self._phrases.prepare()

    def keywords(self) -> frozenset[str]:
        # Disguised spellings defeat a plain keyword pre-filter: our own token scan is the pre-filter.
        return frozenset()

    def detect(self, message: Message, window: Window) -> Iterable[Finding]:
        text = message.text
        if message.kind not in _SCANNED_KINDS or not text.strip():
            return []
        if len(text) <= CHUNK_CHARS:
            return self._findings_in(message, text, 0)
        # A long message is read in overlapping chunks cut between words: time and memory stay linear
        # in its length, and a match (with the context it is scored on) always fits in a chunk's
        # overlap, so each is found once, by the chunk whose core holds its start.
        findings: list[Finding] = []
        for lo, hi, core_lo, core_hi in chunks(text):
            findings += [f for f in self._findings_in(message, text[lo:hi], lo)
                         if core_lo <= (f.start or 0) < core_hi]
        return findings

    def _findings_in(self, message: Message, text: str, base: int) -> list[Finding]:
        """The rules' findings in `text` (see `_detect_text`) and, when it is on, the model's."""
        if self._quick_or_model is None:
            return self._detect_text(message, text, base)
        if text.isascii() and not self._quick_or_model.might_match_or_inside(text.lower()):
            return []  # neither the rules nor the model could find anything (see _detect_text)
        findings = self._detect_text(message, text, base)
        if self._model is not None:
            finding = self._model_finding(message, text, base, findings)
            if finding is not None:
                findings = sorted([*findings, finding], key=lambda f: (f.start or 0, f.rule))
        return findings

    def _model_finding(self, message: Message, text: str, base: int, findings: Sequence[Finding]) -> Finding | None:
        """The linear model's finding, when it reaches its low threshold and no rule found anything in the
        message: the model adds what the rules miss, and never second-guesses them (a rule's explanation is
        the better one, and a rule that kept its finding for review did so for a reason it can name)."""
        model = self._model
        if model is None or findings or (text.isascii() and not model.might_apply(text.lower())):
            return None
        norm = self._last_norm if self._last_norm is not None and self._last_norm.raw is text else None
        norm = norm or self.featuriser.normalise(text)
        if not text.isascii() and not model.might_apply(norm.text):
            return None
        verdict = model.read(features(self.featuriser.tokens(norm.text)))
        if verdict is None or not verdict.spans:
            return None
        tier = Confidence.MEDIUM if verdict.probability >= model.medium else Confidence.LOW
        lo, hi = verdict.spans[0][0], max(end for _, end in verdict.spans)
        found = assess(MessageContext(norm.text, self._context), lo, hi, self._context)
        if found.discounted:
            tier = Confidence.LOW  # quoted, reported or objected to: for review, not a finding to act on
        return self._model_verdict_finding(message, norm, base, verdict, tier, found)

    def _model_verdict_finding(self, message: Message, norm: Normalised, base: int, verdict: Verdict,
                               tier: Confidence, found: Assessment) -> Finding:
        rule = self._rules[self._model.rule_id if self._model else ""]
        start, end = norm.to_raw(verdict.spans[0][0], max(end for _, end in verdict.spans))
        chars = (verdict.characteristic, *verdict.others)
        words = ", ".join(f"'{feature}' (+{weight:.2f})" for feature, weight in verdict.contributions)
        why = "; ".join(reason_for(label) for label in found.labels)
        reason = (f"{rule.title} ({', '.join(c.replace('_', ' ') for c in chars)}): the words that drove it: {words}; "
                  f"model probability {verdict.probability:.2f}" + (f"; {why}" if why else "") + ".")
        explanation = Explanation(
            reason=reason, pattern=rule.id, context_words=found.context_words,
            adjustments=tuple((reason_for(label), d) for label, d in found.adjustments),
            details=(("characteristic", ",".join(chars)),
                     ("model_words", ",".join(f"{f}:{w:+.2f}" for f, w in verdict.contributions)),
                     ("model_probability", f"{verdict.probability:.2f}")),
        )
        return Finding(
            rule=rule.id, category=Category.DISCRIMINATORY_LANGUAGE, severity=rule.severity, confidence=tier,
            score=round(verdict.probability, 2), message_index=message.index, line=message.line,
            start=base + start, end=base + end, matched=message.text[base + start:base + end],
            normalised=norm.text[verdict.spans[0][0]:max(e for _, e in verdict.spans)], explanation=explanation,
            extra=(("base_score", f"{verdict.probability:.2f}"),), characteristics=chars,
        )

    def _detect_text(self, message: Message, text: str, base: int) -> list[Finding]:
        """Findings in `text`, which is message.text[base:base + len(text)] (offsets are the message's)."""
        if self._lower_only(text):
            # The common case: normalise() would only lower-case this text (ASCII, or emoji and
            # symbols that it leaves as they are), unless letters are spaced out, which the gate
            # covers. So when no gate of the matchers accepts the lower-cased text, nor (non-ASCII
            # only) the phrase rules' emoji or the emoji rules, the full path below would find
            # nothing either, and the text need not be normalised.
            if not self._past_quick_gates(text, text.lower()):
                return []
        norm = normalise(text, confusables=self._confusables, accept_join=self._lexicon.accepts,
                         ascii_confusables=self._ascii_confusables, letters=self._emoji_letters)
        self._last_norm = norm  # the model reads the same normalised text (_model_finding)
        if (not self._quick.might_match(norm.text) and not self._phrases.might_match(norm.text)
                and not self._lexicon.affix_might_match(norm.text) and not self._emoji.might_match(text)):
            return []  # the same gates on the normalised text (joins already applied), plus emoji
        findings: list[Finding] = []
        # Read for context only once something is found: most texts past the gates hold nothing (a
        # phrase rule's word without the rest of its construction).
        context = _Lazy(lambda: MessageContext(norm.text, self._context))
        allowed = self._allow.spans(norm.text)
        lexicon_hits = self._lexicon_hits(norm, allowed)
        for lex_hit in lexicon_hits:
            finding = self._lexicon_finding(message, norm, lex_hit, context.value, base)
            if finding is not None:
                findings.append(finding)
        slurs = [(h.start, h.end, self._concepts[h.term.rule_id].characteristics) for h in lexicon_hits]
        # Inside an allowed name ("the All Blacks", "men and women") no word is a target of a construction.
        for hit in self._phrases.match(self._leet_words.read(mask(norm.text, allowed)), slurs):
            ctx = context.value
            rule = self._rules[hit.rule_id]
            start, end = norm.to_raw(hit.start, hit.end)
            # options.reported_after_name (issue 13 false-alarm pass 3): "Dave beat ... her" reports an act.
            named = named_subject(norm.raw, start, self._context) if rule.options.get("reported_after_name") else None
            found = assess(ctx, hit.start, hit.end, self._context, rule_words=self._rule_words[rule.id],
                           construction=True, named_subject=named)
            # A member's group named outside the construction ("another Albanian ... I'll stamp on his head"):
            # the reason says which group, as the matched words do not (options.requires_identity_within).
            nearby = hit.identity_words if rule.options.get("requires_identity_within") else ()
            findings.append(self._finding(message, rule, base + start, base + end, norm.text[hit.start:hit.end],
                                          self._scoring.base_for(rule), found, hit.characteristics,
                                          ("identity_words", ",".join(hit.identity_words) or "none"),
                                          ("transformations", ",".join(norm.transformations(hit.start, hit.end))
                                           or "none"), named_nearby=nearby))
        emoji_hits = self._emoji.match(text)
        if emoji_hits and allowed:  # nor an emoji rule's (issue 13 false-alarm pass 3: "the Vietnamese restaurant🤬")
            emoji_hits = [e for e in emoji_hits if not _target_in_name(text, norm, allowed, e)]
        if emoji_hits:  # an emoji rule is built for the pair: a construction over the same emoji repeats it
            findings = [f for f in findings if f.rule in self._concepts or not any(
                (f.start or 0) < base + e.end and base + e.start < (f.end or 0) for e in emoji_hits)]
        for emo in emoji_hits:
            ctx = context.value
            rule = self._rules[emo.rule_id]
            lo, hi = _norm_span(norm, emo.start, emo.end)
            found = assess(ctx, lo, hi, self._context, rule_words=self._rule_words[rule.id], construction=True)
            findings.append(self._finding(message, rule, base + emo.start, base + emo.end, f"{emo.target} {emo.insult}",
                                          self._scoring.base_for(rule), found, emo.characteristics,
                                          ("emoji", f"{emo.target}+{emo.insult}"),
                                          ("transformations", "emoji")))
        return sorted(findings, key=lambda f: (f.start or 0, f.rule))

    def _lexicon_hits(self, norm: Normalised, allowed: Sequence[tuple[int, int]]) -> list[LexHit]:
        text = norm.text
        hits = self._lexicon.scan(text)
        if not hits:
            return []
        if any("masked-context" in h.transformations for h in hits):
            hits = [h for h in hits if "masked-context" not in h.transformations or self._context_names(text, h)]
        kept: list[LexHit] = []
        for hit in sorted(hits, key=lambda h: (h.start, h.start - h.end)):
            if any(s <= hit.start and hit.end <= e for s, e in allowed):
                continue
            concept = self._concepts[hit.term.rule_id]
            if text[hit.start:hit.end] in concept.allow or concept.excepted(text, hit.start, hit.end):
                continue
            if any(hit.start < k.end and k.start < hit.end for k in kept):
                continue  # overlapping hits merge into the first, longest one
            kept.append(hit)
        return kept

    def _context_names(self, text: str, hit: LexHit) -> bool:
        """Whether an identity word within three words of a censored hit names its concept's
        characteristic ("black c***", "pakistani p***")."""
        wanted = set(self._concepts[hit.term.rule_id].characteristics)
        words = _NEAR_WORD.findall(text, max(0, hit.start - 60), hit.start)[-3:]
        words += _NEAR_WORD.findall(text, hit.end, hit.end + 60)[:3]
        return any(wanted & set(self._identity_words.get(w, ())) for w in words)

    def _lexicon_finding(self, message: Message, norm: Normalised, hit: LexHit,
                         ctx: MessageContext, base: int = 0) -> Finding | None:
        concept = self._concepts[hit.term.rule_id]
        rule = self._rules[concept.rule_id]
        transformations = tuple(sorted({*hit.transformations, *norm.transformations(hit.start, hit.end)}))
        disguised = any(t not in ("unicode", "derived", "compound") for t in transformations)
        found = assess(ctx, hit.start, hit.end, self._context, homonyms=concept.homonyms,
                       reclaimable=concept.reclaimable, disguised=disguised,
                       rule_words=self._rule_words[concept.rule_id])
        score = self._scoring.base_rates[concept.abusive_rate] + sum(d for _, d in found.adjustments)
        if "homonym" in found.labels and score < self._scoring.min_score:
            return None  # the harmless sense of a rarely abusive word: not worth a reviewer's time
        start, end = norm.to_raw(hit.start, hit.end)
        details = (
            ("lexicon", concept.canonical),
            ("transformations", ",".join(transformations) or "none"),
            ("abusive_rate", str(concept.abusive_rate)),
            ("uk_term", "yes" if concept.uk else "no"),
            ("source", concept.attribution),
        )
        return self._finding(message, rule, base + start, base + end, norm.text[hit.start:hit.end],
                             self._scoring.base_rates[concept.abusive_rate], found,
                             concept.characteristics, *details, sure=concept.abusive_rate == 2)

    def _finding(self, message: Message, rule: Rule, start: int, end: int, normalised: str, base: float,
                 found: Assessment, characteristics: Sequence[str], *details: tuple[str, str],
                 sure: bool = True, named_nearby: Sequence[str] = ()) -> Finding:
        score = round(min(1.0, max(0.0, base + sum(d for _, d in found.adjustments))), 2)
        confidence = self._scoring.tier(score, found.discounted, sure)
        chars = ", ".join(c.replace("_", " ") for c in characteristics) or "unspecified"
        why = "; ".join(dict.fromkeys(reason_for(label) for label in found.labels))  # each reason once
        if named_nearby:
            chars += "; the group named nearby: " + ", ".join(f"'{word}'" for word in named_nearby)
        reason = f"{rule.title} ({chars})" + (f": {why}" if why else "")
        scope = self._review.get(rule.id)
        if scope is not None and confidence is not Confidence.LOW and (
                scope == CHARACTERISTICS or (characteristics and set(characteristics) <= scope)):
            # Weak evidence on its own (options.review): kept for review, never dropped.
            confidence = Confidence.LOW
            reason += ("; " if why else ": ") + "kept for review: this construction alone is weak evidence"
        label = "quoted/reported" if {"quoted", "reported", "mentioned"} & set(found.labels) else ""
        explanation = Explanation(
            reason=reason + ".",
            pattern=rule.id,
            context_words=found.context_words,
            adjustments=tuple((reason_for(why_label), d) for why_label, d in found.adjustments),
            details=(("characteristic", ",".join(characteristics)), *details,
                     *((("label", label),) if label else ())),
        )
        return Finding(
            rule=rule.id, category=Category.DISCRIMINATORY_LANGUAGE, severity=rule.severity,
            confidence=confidence, score=score, message_index=message.index, line=message.line,
            start=start, end=end, matched=message.text[start:end], normalised=normalised,
            explanation=explanation, extra=(("base_score", f"{base:.2f}"),),
            characteristics=tuple(characteristics),
        )


class _Lazy(Generic[T]):
    """A value worked out when first asked for (then kept)."""

    __slots__ = ("_make", "_value", "_made")

    def __init__(self, make: Callable[[], T]) -> None:
        self._make = make
        self._made = False

    @property
    def value(self) -> T:
        if not self._made:
            self._value = self._make()
            self._made = True
        return self._value


_NEAR_WORD = regex.compile(r"[^\W_]+")
CHUNK_CHARS = 32_768  # messages longer than this are read in chunks of about this size
OVERLAP_CHARS = 4_096  # each side: longer than any match plus the context it is scored on
_CUT_SEARCH = 1_024  # how far back a chunk boundary may move to fall between words
_GLUE = frozenset("\u200d\ufe0f\ufe0e")  # characters that join a cluster to what precedes them


def chunks(text: str) -> Iterator[tuple[int, int, int, int]]:
    """(lo, hi, core_lo, core_hi) of overlapping chunks of a long text. Cores tile the text; each
    boundary falls on whitespace when there is some nearby, else on another non-word character, else
    where no combining mark, joiner or skin tone follows."""
    size = len(text)
    core_lo = 0
    while core_lo < size:
        core_hi = size if size - core_lo <= CHUNK_CHARS else _cut(text, core_lo + CHUNK_CHARS)
        yield max(0, core_lo - OVERLAP_CHARS), min(size, core_hi + OVERLAP_CHARS), core_lo, core_hi
        core_lo = core_hi


def _cut(text: str, target: int) -> int:
    floor = target - _CUT_SEARCH
    for wanted in (str.isspace, lambda ch: not ch.isalnum()):
        for i in range(target, floor, -1):
            if wanted(text[i]):
                return i
    for i in range(target, floor, -1):
        ch = text[i]
        if ch not in _GLUE and not unicodedata.combining(ch) and not 0x1F3FB <= ord(ch) <= 0x1F3FF:
            return i
    return target


def _target_in_name(text: str, norm: Normalised, allowed: Sequence[tuple[int, int]], hit: EmojiHit) -> bool:
    """Whether the word an emoji rule took for its target sits inside an allowed name of the message."""
    target = hit.target.lower()
    for lo, hi in allowed:
        start, end = norm.to_raw(lo, hi)
        if start < hit.end and hit.start < end and target in text[start:end].lower():
            return True
    return False


def _norm_span(norm: Normalised, raw_start: int, raw_end: int) -> tuple[int, int]:
    """The normalised span covering a raw span (for context scoring of emoji hits)."""
    if norm.starts is None:
        return raw_start, raw_end
    return bisect.bisect_left(norm.starts, raw_start), bisect.bisect_left(norm.starts, raw_end)

