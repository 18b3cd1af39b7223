"""The fast paths of the discriminatory detector give exactly the answers of the readable ones.

Speed work rewrote gate regexes (anchored on a rarer character), folded four gates into one pass,
and let the normaliser skip grapheme work on ASCII stretches. Each rewrite is checked here against
the plain definition it replaces, on generated text made of lexicon terms, leet and look-alike
characters, separators, emoji and invisible marks, so a rewrite that loses a detection fails.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from whatsapp_audit import native
from whatsapp_audit.detect.base import Window
from whatsapp_audit.detect.discriminatory import candidates
from whatsapp_audit.detect.discriminatory import lexicon as dis_lexicon
from whatsapp_audit.detect.discriminatory.detector import DiscriminatoryDetector
from whatsapp_audit.detect.discriminatory.gate import QuickGate
from whatsapp_audit.detect.engine import Engine, ascii_spaced
from whatsapp_audit.detect.imagery import settings as imagery_settings
from whatsapp_audit.detect.imagery.settings import MediaPolicy, load_media_policy
from whatsapp_audit.detect.text import normalise, runs
from whatsapp_audit.detect.text.keywords import KeywordIndex
from whatsapp_audit.detect.text.runs import RunTable
from whatsapp_audit.detect.text.trie import pieces_pattern
from whatsapp_audit.model import Message, MessageKind
from whatsapp_audit.rules.loader import load_patterns

needs_native = pytest.mark.skipif(not native.available(), reason="the C accelerator is not built")
CHARS = "aeilnostgbkpuyrcdfhmwAEILNST0134579@$!|+*#% ._-\n\r,'\u00e9\u00ef\u0456\u043e\u200b\u200d\ufe0f\U0001F644\U0001F412\U0001F3FF"


@cache
def discriminatory_engine() -> Engine:
    rules = [r for r in load_patterns().rules if r.detector == "discriminatory"]
    return Engine.build(rules, ("whatsapp_audit.detect.discriminatory:DiscriminatoryDetector",))


@cache
def detector() -> DiscriminatoryDetector:
    built = discriminatory_engine().detectors[0]
    assert isinstance(built, DiscriminatoryDetector)
    return built


@cache
def terms() -> tuple[str, ...]:
    return tuple(sorted({t.text for t in detector()._lexicon.terms}))


@cache
def phrase_words() -> tuple[str, ...]:
    """The words the phrase pre-filter gates on (a joined phrase by its least everyday word, as the
    matcher picks it: "ku klux klan" by "klux"; emoji apart)."""
    phrases = detector()._phrases
    firsts = {phrases._gate_word(w) for w in phrases._by_word}
    return tuple(sorted(w for w in firsts if re.fullmatch(r"(?:[^\W_]|\*)+", w)))


def texts() -> st.SearchStrategy[str]:
    """Random text with lexicon terms and phrase words spliced in (taken from the loaded packs)."""
    piece = st.one_of(
        st.text(alphabet=CHARS, max_size=8),
        st.sampled_from(terms()),
        st.sampled_from(phrase_words()),
        st.sampled_from(terms()).map(lambda t: t.replace("i", "1").replace("a", "@")),
        st.sampled_from(terms()).map(" ".join),
    )
    return st.lists(piece, max_size=6).map("".join)


@cache
def spec_patterns() -> tuple[re.Pattern[str], ...]:
    """The readable definitions: prescan with "[x]+" runs, flat phrase alternation, MIXED, SPACED."""
    lex = detector()._lexicon
    prescan = re.compile(rf"(?<![^\W_])(?:{pieces_pattern([lex.gate_pieces(t) for t in lex.terms])})(?![^\W_])")
    words = sorted(phrase_words(), key=len, reverse=True)
    phrases = re.compile(r"(?<![^\W_])(?:" + "|".join(map(re.escape, words)) + r")(?![^\W_])")
    return prescan, phrases, re.compile(dis_lexicon.MIXED_SPEC), re.compile(normalise.SPACED_SPEC)


@settings(max_examples=400, deadline=None)
@given(texts())
@example("ku")  # the first word of a joined phrase ("ku klux klan") is not what the gate looks for
def test_each_rewritten_gate_accepts_exactly_what_its_definition_accepts(text: str) -> None:
    text = text.lower()
    prescan, phrases, mixed, spaced = spec_patterns()
    d = detector()
    assert (d._lexicon._prescan.search(text) is None) == (prescan.search(text) is None)
    assert (d._phrases._gate is not None and d._phrases._gate.search(text) is not None) == bool(phrases.search(text))
    assert (dis_lexicon._MIXED.search(text) is None) == (mixed.search(text) is None)
    assert normalise.may_join(text) == bool(spaced.search(text))


@settings(max_examples=400, deadline=None)
@given(texts())
def test_the_one_pass_gate_is_the_union_of_the_gates(text: str) -> None:
    text = text.lower()
    prescan, phrases, mixed, spaced = spec_patterns()
    expected = any(p.search(text) for p in (prescan, phrases, mixed, spaced))
    assert detector()._quick.might_match(text) == expected


@cache
def one_pass_gate() -> re.Pattern[str]:
    """The gate as one pattern over the whole text, as it was before runs were tried alone."""
    d = detector()
    words = f"(?<=[\\W_])(?:(?:{d._lexicon.prescan_body})|(?:{d._phrases.gate_body}))(?![^\\W_])"
    return re.compile(rf"[\W_0-9](?:{words}|(?<={dis_lexicon.MIXED_START})(?:{dis_lexicon.MIXED_REST})"
                      rf"|(?<={normalise.SPACED_START})(?:{normalise.SPACED_REST}))")


SPACES = st.sampled_from([" ", "  ", "\t", "\n", "\r\n", "\x0b", "\x1c", "\u00a0", "\u2028", "\u3000", ""])


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(texts(), SPACES), max_size=4).map(lambda parts: "".join(a + b for a, b in parts)))
@example("coffin dodger")  # a term of two words: its gap may be a space, so it is not read run by run
@example("coffin-\u00a0dodger")
@example("coffin - dodger")  # the gap's separator a run of its own
@example("old coffin\tdodgers")
@example("the coffin is a dodge")  # a first word without the rest
@example("x f a g")
@example("abc1 def")
@example("ok " * 90 + "coffin  dodger " + "x" * 70)
def test_the_gate_read_run_by_run_answers_as_one_pass_over_the_text(text: str) -> None:
    """Runs of non-space characters are tried alone and their answers kept: the same answer as one
    search of the whole text, whatever the whitespace, and asked again (from the memo)."""
    text = text.lower()
    d = detector()
    expected = one_pass_gate().search(" " + dis_lexicon.bounded_for_gates(text)) is not None
    assert d._quick.might_match(text) == expected
    assert d._quick.might_match(text) == expected
    assert d._quick.might_match_or_inside(text) == (expected or d._lexicon.compound_in(text))


@settings(max_examples=400, deadline=None)
@given(texts())
@example("img-20210103-wa0139.jpg")  # a file name: digits and separators, where every in-run search starts
@example("wa0014")  # letters mixed with digits: the lexicon's mixed test accepts it
@example("p4k1")
def test_a_gate_built_like_another_gives_the_bits_its_own_searches_give(text: str) -> None:
    """The terms-only gate (and the model's, when on) reads a new run's tests from the gate it was built
    like, and searches itself only when that answer leaves its own open: the same bits as every
    search of its own, for each run."""
    d = detector()
    gates = [d._quick_terms, QuickGate((d._lexicon.prescan_bodies()[0], d._phrases.gate_body, "zz+top"),
                                       mixed=True, spanning=d._lexicon.prescan_bodies()[1],
                                       spanning_first=d._lexicon.prescan_bodies()[2],
                                       inside=d._lexicon.compound_pattern, like=d._quick,
                                       spanning_edges=d._lexicon.spanning_edges())]
    for run in text.lower().split() or [text.lower()]:
        first = d._quick._bits(run)
        assert first == d._quick._own_bits(run)
        for gate in gates:
            assert gate._like is d._quick
            assert gate._bits(run) == gate._own_bits(run), (run, gate._narrower, gate._wider)


# Units that form one grapheme with a neighbour: CR LF, combining accents, skin tones, ZWJ sequences.
UNITS = [*CHARS, "\r\n", "e\u0301", "\u0301", "\U0001F44D\U0001F3FF", "\U0001F468\u200d\U0001F469", "\U0001F1EC\U0001F1E7"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(UNITS), max_size=20).map("".join))
@example("ab\r\ncd \U0001F644")
@example("x\u200dy")
def test_normaliser_ascii_shortcut_matches_the_grapheme_walk(raw: str) -> None:
    conf = detector()._confusables
    fast = normalise._normalise_unicode(raw, conf, True)
    slow = normalise._normalise_unicode(raw, conf, False)  # every grapheme through the full steps
    assert (fast.text, fast.starts, fast.ends, fast.events) == (slow.text, slow.starts, slow.ends, slow.events)


@cache
def emoji_units() -> tuple[str, ...]:
    """UNITS plus what the packs read specially among emoji and symbols: emoji letters (as written,
    with and without the presentation selector), the phrase and emoji rules' emoji, a keycap."""
    d = detector()
    letters = sorted(d._emoji_letters)[:40]
    gates = sorted(form for form, _ in d._phrases._emoji_gates)[:20]
    return (*UNITS, *letters, *(f"{x}\ufe0f" for x in letters[:10]), *gates, "1\ufe0f\u20e3", "\u2764\ufe0f",
            "\u00e9", "\u0430", "\u2019", " ", " ", "a", "k")


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(emoji_units()), max_size=16).map("".join))
@example("cheers all \U0001F44D")
@example("n\U0001F170zi")
def test_lower_only_says_true_only_when_normalise_only_lower_cases(raw: str) -> None:
    """The discriminatory detector gates such text lower-cased, without normalising it."""
    d = detector()
    if d._lower_only(raw):
        assert normalise.normalise(raw, confusables=d._confusables, letters=d._emoji_letters).text == raw.lower()


def test_lower_only_lets_ordinary_emoji_chat_skip_the_normaliser() -> None:
    d = detector()
    assert d._lower_only("Cheers all \U0001F44D") and d._lower_only("Happy birthday Dee!! \U0001F382\U0001F389")
    assert not d._lower_only("n\U0001F170zi")  # an emoji letter inside a word is read as a letter
    assert not d._lower_only("\u0430bc")  # a Cyrillic look-alike


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(emoji_units()), max_size=16).map("".join))
def test_detector_findings_with_emoji_do_not_depend_on_the_gates(text: str) -> None:
    assert_gates_change_nothing(text)


def assert_gates_change_nothing(text: str) -> None:
    """The detector finds the same in `text` with its quick gates as with gates that let everything through."""
    message = Message(index=0, line=1, end_line=1, timestamp=datetime(2024, 3, 14, 9), header="",
                      author="Kit Arden", text=text, kind=MessageKind.TEXT)
    d = detector()
    gated = list(d.detect(message, Window()))
    quick, quick_terms = d._quick, d._quick_terms
    d._quick = d._quick_terms = _AlwaysOpen()  # type: ignore[assignment]
    try:
        ungated = list(d.detect(message, Window()))
    finally:
        d._quick, d._quick_terms = quick, quick_terms
    assert gated == ungated


class _AlwaysOpen:
    def might_match(self, text: str) -> bool:
        return True

    def might_match_or_inside(self, text: str, combined: int | None = None) -> bool:
        return True


@settings(max_examples=300, deadline=None)
@given(texts())
def test_detector_findings_do_not_depend_on_the_gate(text: str) -> None:
    assert_gates_change_nothing(text)


@cache
def construction_pieces() -> tuple[str, ...]:
    """What the phrase rules' constructions are made of, from the packs: every form of every required
    token (words, emoji, "n't", "=", joined phrases), with their emoji as people write them."""
    forms = {form for sets in detector()._phrases._required for s in sets for form in s}
    return tuple(sorted(forms | {f"{form}\ufe0f" for form in forms if not form.isascii()}))


@cache
def required_tokens() -> tuple[tuple[tuple[str, ...], ...], ...]:
    """Each construction's required tokens in order (the forms each may take)."""
    return tuple(tuple(tuple(sorted(s)) for s in sets) for sets in detector()._phrases._required)


def whole_construction() -> st.SearchStrategy[str]:
    """One form of every required token of one construction, in order: often a match, or one
    optional word short of it."""
    return st.sampled_from(required_tokens()).flatmap(
        lambda sets: st.tuples(*(st.sampled_from(forms) for forms in sets))).map(" ".join)


def constructions() -> st.SearchStrategy[str]:
    """Text made of construction tokens with a few everyday words and separators between them, so
    whole constructions, near misses and tokens of several constructions at once all come up."""
    piece = st.one_of(whole_construction(), st.sampled_from(construction_pieces()),
                      st.sampled_from(["all", "the", "anyone", "xxx", "dont", "don't", "they're", "x", "*"]),
                      st.text(alphabet=" .,?!'-\n\U0001F3FF\u200d", max_size=2))
    # Mostly a space between pieces, sometimes nothing or a presentation selector ("✡️are"): a word
    # straight after an emoji is a token of its own although the selector is a word character.
    gap = st.sampled_from([" ", " ", " ", "", "\ufe0f", "\u0301"])
    return st.lists(st.tuples(piece, gap), max_size=10).map(lambda parts: "".join(a + b for a, b in parts))


@settings(max_examples=400, deadline=None)
@given(constructions())
@example("cheers all \U0001F44D")
@example("anyone fancy a brew before briefing?")
@example("they're not \U0001F44D")
@example("\u271d\ufe0fare evil")  # the selector is a word character to the regex engine, not to the tokenizer
def test_a_text_turned_away_before_normalising_holds_no_construction(text: str) -> None:
    """`PhraseMatcher.could_match` sends ordinary chat with a construction's word or emoji ("anyone",
    "\U0001F44D") away before the normaliser: the findings with every gate open are the same."""
    assert_gates_change_nothing(text)
    assert_gates_change_nothing(text.upper())


@settings(max_examples=400, deadline=None)
@given(st.one_of(texts(), constructions(), st.lists(st.sampled_from(emoji_units()), max_size=16).map("".join)))
@example("gym after shift anyone?")
@example("cheers all \U0001F44D")
@example("coffin dodger")  # a term of two words: the whole-text search shared by both quick gates
@example("x f a g")
def test_the_engine_calls_the_detector_wherever_it_could_find_something(text: str) -> None:
    """The engine asks `might_find` about text past the run gate and skips `detect` where it says
    no: the engine's findings are the detector's own, and a text turned away holds none."""
    message = Message(index=0, line=1, end_line=1, timestamp=datetime(2024, 3, 14, 9), header="",
                      author="Kit Arden", text=text, kind=MessageKind.TEXT)
    found = list(detector().detect(message, Window()))
    assert discriminatory_engine().examine(message, (), ()) == found
    assert found == [] or detector().might_find(text, text.lower())


# Characters where reading non-ASCII runs as the ASCII gates do could go wrong: upper-case symbols
# and letters whose lower case the run walk sees ("\u24b6" is kept by the normaliser, "\u24d0" is its
# lower case), the Kelvin sign, a dotted capital I, a capital sharp s, a final sigma, curly quotes,
# CJK letters, and whitespace outside ASCII (which no run holds).
CASED_UNITS = ("\u24b6", "\u24d0", "\u212a", "\u0130", "\u1e9e", "\u03a3", "\u03c2", "\u2019", "\u201c",
               "\u4f60", "\u00a0", "\u3000", "\u2028", "\x85", "\u200b", "\ufe0f")


@settings(max_examples=500, deadline=None)
@given(st.one_of(
    st.lists(st.sampled_from((*emoji_units(), *CASED_UNITS)), max_size=16).map("".join),
    st.lists(st.tuples(st.one_of(texts(), constructions()), st.sampled_from((*emoji_units(), *CASED_UNITS))),
             max_size=4).map(lambda parts: "".join(a + b for a, b in parts))))
@example("cheers all \U0001F44D")
@example("\u24b6ll good \U0001F44D")
@example("send them all back \U0001F44D")
@example("\U0001F44D \U0001F3FF")  # a skin tone after a space: its cluster takes the space
@example("ok\u00a0\U0001F44D")
def test_the_run_gate_vouches_for_non_ascii_text_only_where_might_find_says_no(text: str) -> None:
    """The engine's one AND turns away a text whose whitespace is ASCII and whose runs give none of the
    run gate's bits, emoji and all (plain_runs.py): `might_find` says no to each such text, whose
    normalised form is its lower-cased self, and `detect` finds nothing in it."""
    engine = discriminatory_engine()
    d = detector()
    bits, longest = d.run_gate() or (0, -1)
    lowered, combined = engine._runs.of_text(text)
    if combined & bits or len(text) > longest or not ascii_spaced(text):
        return
    assert not d.might_find(text, lowered, combined)
    assert normalise.normalise(text, confusables=d._confusables, letters=d._emoji_letters).text == lowered
    message = Message(index=0, line=1, end_line=1, timestamp=datetime(2024, 3, 14, 9), header="",
                      author="Kit Arden", text=text, kind=MessageKind.TEXT)
    assert list(d.detect(message, Window())) == []


def test_emoji_chat_no_rule_knows_reads_as_quiet_to_the_engine() -> None:
    """"Cheers all 👍" and its like are decided by the one AND (a construction over "👍" needs "not", "never",
    "n't" or "🚫" as well: candidates.needs); an insult emoji, an emoji letter inside a
    word, an accent or a no-break space are not."""
    engine = discriminatory_engine()
    bits, _longest = detector().run_gate() or (0, -1)
    for text in ("Cheers all \U0001F44D", "Happy birthday Dee!! \U0001F382\U0001F389", "don\u2019t forget the keys",
                 "\U0001F602\U0001F602\U0001F602"):
        assert not engine._runs.of_text(text)[1] & bits and ascii_spaced(text), text
    for text in ("the \U0001F412 lot", "n\U0001F170zi", "caf\u00e9 later", "\u24b6ll good"):
        assert engine._runs.of_text(text)[1] & bits, text
    assert not ascii_spaced("ok\u00a0\U0001F44D")


def test_ordinary_chat_with_a_construction_word_is_not_handed_to_the_detector() -> None:
    d = detector()
    for text in ("gym after shift anyone?", "has anyone got a phone charger", "night all", "cheers all \U0001F44D"):
        assert not d.might_find(text, text), text
    handed = 0
    for rule in load_patterns().rules_for("discriminatory"):  # the packs' own examples, where `detect` finds them
        for case in rule.examples_match:
            text = case if isinstance(case, str) else str(case.get("text", ""))
            message = Message(index=0, line=1, end_line=1, timestamp=datetime(2024, 3, 14, 9), header="",
                              author="Kit Arden", text=text, kind=MessageKind.TEXT)
            if list(d.detect(message, Window())):
                assert d.might_find(text, text.lower()), text
                handed += 1
    assert handed > 100


def test_ordinary_chat_with_a_construction_word_or_emoji_is_turned_away_before_normalising() -> None:
    d = detector()
    for text in ("gym after shift anyone?", "has anyone got a phone charger", "cheers all \U0001F44D",
                 "the new printer is jammed again \U0001F644"):
        assert d._quick.might_match_or_inside(text) or d._phrases.emoji_might_match(text)  # the first gate opens
        assert not d._quick_terms.might_match_or_inside(text) and not d._phrases.could_match(text), text


def test_a_construction_that_needs_an_emoji_is_gated_on_it_not_on_its_words() -> None:
    """It cannot match plain ASCII text, so its words ("more", "even") must not open the gate there."""
    phrases = detector()._phrases
    needing = {i for i, sets in enumerate(phrases._required) if any(all(not f.isascii() for f in s) for s in sets)}
    assert needing
    for form, gated in phrases._by_word.items():
        if needing.intersection(gated):
            assert not form.isascii(), form
    assert not detector()._quick.might_match("more even another")


SPACES_AROUND_MARKS = st.sampled_from([" ", "  ", "\t", "\n", "\r\n", "\x1c", "\u3000", " \u0301", "\u0600 ", ""])


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(constructions(), SPACES_AROUND_MARKS), max_size=3).map(
    lambda parts: "".join(a + b for a, b in parts).lower()))
@example("anyone fancy a brew")
@example("send them all back")
@example("they dont\tbelong here")
@example("cheers all \U0001F44D")
@example("\u271d\ufe0fare evil")
@example("they are \u0301not \U0001F44D")  # an accent after a space joins it: read whole
def test_could_match_read_run_by_run_answers_as_the_whole_text(text: str) -> None:
    """The phrase candidates come from the runs' shared table (candidates.py): the same answer as the
    test of the whole text's words and characters, asked twice (the second from the memo)."""
    phrases = detector()._phrases
    expected = phrases._could_match_in_text(text)
    assert phrases.could_match(text) == expected
    assert phrases.could_match(text) == expected
    assert phrases.could_match(text.upper().lower()) == phrases._could_match_in_text(text.upper().lower())


@cache
def bundled_engine() -> Engine:
    """An engine with every bundled detector, built once (its memos are caches: tests may share it)."""
    return Engine.build(load_patterns().rules)


def engine_table() -> RunTable:
    """The run table of the bundled engine (every gate's field in it)."""
    return bundled_engine()._runs


UNICODE_SPACES = st.sampled_from([" ", "\t", "\n", "\x1c", "\x85", "\u00a0", "\u2028", "\u3000", "\u200b", ""])


@needs_native
@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.one_of(texts(), constructions()), UNICODE_SPACES), max_size=4).map(
    lambda parts: "".join(a + b for a, b in parts).lower()))
@example("x f a g")
@example("1 2 3 4 5 6 7 8 9 0")
@example("send them\u3000all back \U0001F44D")
def test_the_c_walk_over_runs_gives_the_python_walk_s_bits(text: str) -> None:
    """`_native.or_runs` and `runs.python_walk` agree on every gate's combined bits (wide phrase
    fields past 64 bits and the spaced-letter pairs across runs included), from a cold memo and a warm one."""
    table = engine_table()
    table.bits("warm")  # lays the fields out
    module = native.accelerator()
    assert module is not None
    for memo in ({}, table._memo):
        expected = runs.python_walk(text, dict(memo), table._run_bits, table._pairs)
        assert module.or_runs(text, dict(memo), table._run_bits, table._pairs) == expected
    assert table.bits(text) == table.refine(expected)


def test_a_table_with_more_pairs_than_the_c_walk_takes_walks_in_python_with_the_same_bits() -> None:
    """Keywords of several words in a force's pack, or the optional model's gate words, can give a table
    more pairs across runs than the C walk takes, or pair bits past its first 64: the table (and the
    engine's block gate) then walk in Python, with every pair read, instead of refusing to run."""
    table = RunTable()
    wide = table.add(lambda run: 1 if run == "wide" else 0, 70)  # a field without pairs, laid out last
    fields = [table.add(lambda run, n=n: (1 if run == f"a{n}" else 0) | (2 if run == f"b{n}" else 0), 3, (0, 1, 2))
              for n in range(runs._PAIRS_MAX + 1)]
    assert not table.walks_natively()
    bits = table.bits("x a3 b3 y a7 z b7 wide")  # a3 then b3 meet; a7 and b7 do not
    assert [field.read(bits) & 4 for field in fields].count(4) == 1 and fields[3].read(bits) == 7
    assert wide.read(bits) == 1 and fields[7].read(bits) == 3
    assert table.bits("a40 b40") == runs.python_walk("a40 b40", {}, table._run_bits, table._pairs)

    high = RunTable()
    high.add(lambda run: 0, 1)
    late = high.add(lambda run: (1 << 70 if run == "c" else 0) | (1 << 71 if run == "d" else 0), 80, (70, 71, 72))
    assert not high.walks_natively() and late.read(high.bits("c d")) >> 72 & 1


@needs_native
@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.text(alphabet="ab1 \t\u2028\u3000", max_size=6), st.integers(0, 2 ** 200)), max_size=8))
def test_the_c_walk_ors_any_bits_as_python_does(values: list[tuple[str, int]]) -> None:
    """Bits of any width a run may carry (the phrase field is over a thousand bits wide)."""
    memo = {run: bits for piece, bits in values for run in piece.split()}
    text = " ".join(piece for piece, _ in values)
    pairs = ((1, 2, 4), (8, 16, 1 << 40))
    module = native.accelerator()
    assert module is not None
    assert module.or_runs(text, dict(memo), len, pairs) == runs.python_walk(text, dict(memo), len, pairs)


@cache
def phrase_field() -> tuple[int, int, tuple[tuple[int, ...], ...], int]:
    """(groups, shift, needed, tests) of the engine table's phrase-candidates field."""
    engine_table().bits("warm")
    found = detector_in_engine()._phrases._candidates
    assert found is not None
    return found._groups, found._field.shift, found._needed, found._ntests


@cache
def detector_in_engine() -> DiscriminatoryDetector:
    built = Engine.build(load_patterns().rules).detectors[-1]
    assert isinstance(built, DiscriminatoryDetector)
    return built


@needs_native
@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.one_of(texts(), constructions()), UNICODE_SPACES), max_size=4).map(
    lambda parts: "".join(a + b for a, b in parts).lower()))
@example("anyone fancy a brew")
@example("send them all back \U0001F44D")
@example("they are \u0301not \U0001F44D")
def test_the_c_cover_keeps_the_constructions_the_python_cover_keeps(text: str) -> None:
    """`_native.Cover` (the filter after the walk) and `candidates.keep_covered` clear the same woken
    constructions of a text's walked bits: those with a plain test no run satisfies."""
    module = native.accelerator()
    assert module is not None
    groups, shift, needed, ntests = phrase_field()
    table = engine_table()
    walked = runs.python_walk(text, {}, table._run_bits, table._pairs)
    masks = tuple(sum(1 << n for n in tests) for tests in needed)
    assert module.Cover(groups, needed, shift, ntests)(walked) == candidates.keep_covered(walked, shift, groups, masks,
                                                                                         ntests)


@needs_native
@settings(max_examples=300, deadline=None)
@given(st.integers(0, 12), st.data())
def test_the_c_cover_clears_what_the_python_cover_clears_on_any_bits(groups: int, data: st.DataObject) -> None:
    """Any layout (a field at any shift, groups needing any tests, bits above the field set or not)."""
    tests = data.draw(st.integers(0, 20))
    needed = tuple(tuple(sorted(data.draw(st.sets(st.integers(0, max(0, tests - 1)), max_size=3)))) if tests else ()
                   for _ in range(groups))
    shift = data.draw(st.integers(0, 80))
    combined = data.draw(st.integers(0, 2 ** (shift + groups + tests + 40)))
    masks = tuple(sum(1 << n for n in needs) for needs in needed)
    module = native.accelerator()
    assert module is not None
    assert module.Cover(groups, needed, shift, tests)(combined) == candidates.keep_covered(combined, shift, groups,
                                                                                           masks, tests)


def test_chat_holding_only_a_construction_s_word_reads_as_quiet_to_the_engine() -> None:
    """A text with a phrase rule's word but not the rest of any construction ("anyone", "all") gives
    none of the discriminatory run gate's bits: the engine decides it with one AND, without asking
    the detector (and with or without the accelerator, the same bits)."""
    engine = Engine.build(load_patterns().rules)
    position = next(i for i, d in enumerate(engine.detectors) if isinstance(d, DiscriminatoryDetector))
    gate = engine.detectors[position].run_gate()
    assert gate is not None
    for text in ("anyone fancy a brew", "gym after shift anyone?", "has anyone got a charger", "who's got the keys for the van"):
        assert not engine._runs.bits(text) & gate[0], text
    assert engine._runs.bits("send them all back") & gate[0]


def phrase_candidates() -> candidates.PhraseCandidates:
    found = detector()._phrases._candidates
    assert found is not None
    return found


def reference_run_bits(table: candidates.PhraseCandidates, run: str) -> int:
    """`PhraseCandidates._run_bits` as it was written before its ASCII shortcut: the run's word sets."""
    woken = satisfied = 0
    for word in candidates.text_words(run) & table._word_keys:
        woken |= table._wakes.get(word, 0)
        satisfied |= table._words.get(word, 0)
    for char in table._char_keys.intersection(run):
        woken |= table._wakes_char.get(char, 0)
        satisfied |= table._chars.get(char, 0)
    crosses = 0 if run.isascii() or candidates.CROSSES.search(run) is None else table._crosses
    return satisfied | crosses | woken << table._woken_at


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.text(alphabet=CHARS.replace(" ", "").replace("\n", "").replace("\r", ""), max_size=6),
                          st.sampled_from(phrase_words()), st.sampled_from(phrase_words()).map(lambda w: w + "n"),
                          st.sampled_from(("IMG-20210110-WA3015.jpg", "n", "nn", "ann", "-", "*"))),
                max_size=5).map("".join))
@example("IMG-20210110-WA3015.jpg")
def test_phrase_candidates_read_an_ascii_run_as_its_word_sets_did(run: str) -> None:
    """A run's candidate bits without building its word sets (a new file name, a number) are those the
    sets gave, words ending in "n" (counted without it too) included."""
    table = phrase_candidates()
    assert table._run_bits(run.lower()) == reference_run_bits(table, run.lower())
    assert table._run_bits(run) == reference_run_bits(table, run)


@cache
def media_policy() -> MediaPolicy:
    return load_media_policy(load_patterns().rules_for("imagery"))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(("Screenshot", "screen", "Screen Shot", " ", "_", "Recording", "IMG-20210110-WA3015",
                                 ".jpg", "\u00e9", "S", "shot", "2021")), max_size=5).map("".join))
@example("Screenshot_20210110-101500.png")
@example("Screen_Recording_20210110.mp4")
def test_the_screenshot_test_answers_as_each_pattern_asked_in_turn(name: str) -> None:
    """One search of the screenshot patterns' necessary words first: the same answer as `_any_finds`."""
    policy = media_policy()
    assert policy.is_screenshot(name) == imagery_settings._any_finds(policy.screenshot, name)


def full_run_bits(table: RunTable, run: str) -> int:
    """Every field's bits worked out on the run itself (the reference of the shape memo)."""
    combined = 0
    for field in table._fields:
        combined |= (field.bits_of(run) & field.mask) << field.shift
    return combined


DIGIT = st.sampled_from("0123456789")
PHONE_NAMES = st.builds(
    lambda kind, ext, date, counter: f"{kind}-{date}-WA{counter}.{ext}",
    st.sampled_from(("IMG", "VID", "AUD", "PTT", "STK", "DOC")), st.sampled_from(("jpg", "mp4", "opus", "webp", "pdf")),
    st.text(DIGIT, min_size=8, max_size=8), st.text(DIGIT, min_size=4, max_size=4))
IOS_NAMES = st.builds(
    lambda d, kind, ext: f"{d[:8]}-{kind}-{d[8:12]}-{d[12:14]}-{d[14:16]}-{d[16:18]}-{d[18:20]}-{d[20:22]}.{ext}",
    st.text(DIGIT, min_size=22, max_size=22), st.sampled_from(("PHOTO", "VIDEO", "AUDIO", "STICKER")),
    st.sampled_from(("jpg", "mp4", "opus", "webp")))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(PHONE_NAMES, IOS_NAMES, st.text(alphabet="mgx1358 -th.:/+0", max_size=8),
                          st.sampled_from(("MG11", "mg 11", "5x5x5", "3x5x2", "x5x", "m8", "h8n", "19th", "2nd"))),
                min_size=1, max_size=4).map("".join))
@example("MG11 statement J Smith 01-02-1990.pdf")
@example("IMG-20210110-WA3015.jpg")
@example("00000012-PHOTO-2019-01-01-12-00-00.jpg")
@example("mg11")
@example("mg22")
@example("m8")
@example("3x5x2")
def test_a_new_run_with_digits_gets_the_bits_of_every_field_worked_out_on_it(name: str) -> None:
    """The fields blind to a run's shape (its digits read as "0") give a new run the bits they gave the
    shape (`RunTable._by_shape`): the same as every field worked out on the run itself, for the phone's
    own file names and for runs holding the keywords with digits ("mg11", "m8") that some fields read."""
    table = engine_table()
    table.bits("warm")  # lays the fields out
    for run in name.lower().split():
        # Twice: the second time the run's shape is known (another run of it, or this one, came first).
        for _ in range(2):
            table._memo.pop(run, None)
            assert table._run_bits(run) == full_run_bits(table, run), run


def test_a_field_reading_a_word_with_digits_is_worked_out_on_each_run_that_may_hold_it() -> None:
    """A keyword holding digits ("mg11"): "mg22" has its shape, so the field is asked of each run; a run
    without it anywhere is answered by its shape."""
    table = RunTable()
    index = KeywordIndex({"mg11": [0], "jpg": [1], "mg 99": [2]}, table)
    assert index.mask("mg11") == 1 and index.mask("mg22") == 0 and index.mask("x-mg11.jpg") == 3
    assert index.mask("img-20210110-wa3015.jpg") == 2 and index.mask("img-20210110-wa3016.pdf") == 0
    assert index.mask("mg 99") == 4 and index.mask("mg 98") == 0 and index.mask("img 99") == 4
    assert not runs.WithoutWords(["mg11"], starts=["99"])("00-mg00") and runs.WithoutWords(["mg11"], starts=["99"])("x00")


# The operational detector's digit test (`OperationalDetector.wakes_bits`) and the block gate's C answer
# for a text only a digit woke (`Engine._waker_test`, `_native.gate_block`'s `waker_quiet`): short texts
# with digits are answered by one search of the prefilters of the rules a text's count of digits allows
# (`_quiet_gate`, searched as `firsts.skipping` writes it), and in C without calling `Engine._woken`.
DIGIT_PIECES = ["10", "0700", "5", "3-1", "12/34567", "07911 234567", "AB12 CDE", "ab12cde", "2pints", "14th", "SW1A 1AA",
                "1/B/P", "_I_", "room", "Road", "Elm Close", "John Smith", "JOHN", "Kelvin Marsh, 39,", "aged", "reg",
                "x5x", "IC3", "inc 12", "op", "\u0663\u0664", "\uff11\uff12", "mins", "tom", "abc", "12 34 56 A",
                "/2A", "\u00e9", "\U0001F44D", "dob", "secret", "1400", "St", "Parade", "a", "I"]
DIGIT_TEXTS = st.lists(st.tuples(st.sampled_from(DIGIT_PIECES), st.sampled_from([" ", "  ", ",", ", ", "-", "", "\n"])),
                       min_size=1, max_size=8).map(lambda parts: "".join(a + b for a, b in parts))


def _wakes_by_rules(text: str) -> bool:
    """`wakes_bits` without its one search (`_quiet_gate`): every rule gated on a digit alone asked in turn."""
    engine = bundled_engine()
    detector = engine.detectors[0]
    kept = detector._quiet, detector._quiet_known
    detector._quiet, detector._quiet_known = None, True
    try:
        return bool(detector.wakes_bits(text, *engine._runs.of_text(text)))
    finally:
        detector._quiet, detector._quiet_known = kept


@settings(max_examples=400, deadline=None)
@given(DIGIT_TEXTS)
@example("On my way, 10 mins")
@example("Back at 1400")
@example("Victim Jo Bloggs of 12 Elm Road")
def test_the_digit_test_by_count_answers_as_the_rules_asked_in_turn(text: str) -> None:
    engine = bundled_engine()
    detector = engine.detectors[0]
    assert type(detector).__name__ == "OperationalDetector"
    assert detector.wakes_bits(text, *engine._runs.of_text(text)) == _wakes_by_rules(text)


@needs_native
@settings(max_examples=300, deadline=None)
@given(st.lists(DIGIT_TEXTS, min_size=1, max_size=30))
@example(["Parade at 0700 tomorrow", "Training moved to room 4", "AB12 CDE", "x " * 200 + "5"])
def test_the_c_gate_answers_a_text_a_digit_woke_as_woken_does(texts: list[str]) -> None:
    """With its waker test the C gate lists the messages `python_gate_block` lists (which asks
    `Engine._woken` of every text the one AND leaves), with the same bits and masks."""
    from whatsapp_audit import _native
    from whatsapp_audit.detect.engine import python_gate_block
    engine = bundled_engine()
    waker = engine._waker_test()
    assert waker is not None
    when = datetime(2024, 3, 1, 9, 0)
    messages = [Message(i, i + 1, i + 1, when, "", "Ana Pike", text, MessageKind.TEXT, ()) for i, text in enumerate(texts)]
    memo, compute, pairs, filters = engine._runs.walk_parts()
    settings_ = (MessageKind.TEXT, memo, compute, pairs, filters, engine._wake_any, engine._quiet_longest,
                 engine._woken, engine._ungated_mask)
    expected = python_gate_block(messages, 0, len(messages), *settings_)
    assert _native.gate_block(messages, 0, len(messages), *settings_, waker) == expected
    assert _native.gate_block(messages, 0, len(messages), *settings_) == expected
