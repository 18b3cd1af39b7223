"""The detection engine: keyword pre-filter, neighbour windows, lazy spaCy, unregistered rules."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import regex
from hypothesis import example, given
from hypothesis import strategies as st

from whatsapp_audit.detect.base import Rule, Window
from whatsapp_audit.detect.engine import Engine, KeywordFilter
from whatsapp_audit.detect.text.trie import trie_pattern
from whatsapp_audit.model import Category, Confidence, Explanation, Finding, Message, MessageKind, Severity
from whatsapp_audit.rules.loader import load_patterns

T0 = datetime(2024, 3, 14, 9, 0)


def msg(index: int, text: str, kind: MessageKind = MessageKind.TEXT, author: str = "A") -> Message:
    return Message(index=index, line=index + 1, end_line=index + 1, timestamp=T0 + timedelta(minutes=index),
                   header="", author=author, text=text, kind=kind)


class Recorder:
    """A detector that records what it saw and flags every message it sees."""

    name = "recorder"
    category = Category.OPERATIONAL_DATA
    needs_tokens = False
    context_size = 2
    words: frozenset[str] = frozenset()

    def __init__(self) -> None:
        self.seen: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = []

    def configure(self, rules: Sequence[Rule]) -> None:
        self.rules = tuple(rules)

    def keywords(self) -> frozenset[str]:
        return self.words

    def detect(self, message: Message, window: Window) -> Iterable[Finding]:
        self.seen.append((message.text, tuple(m.text for m in window.before), tuple(m.text for m in window.after)))
        yield Finding(rule="REC-ALL", category=self.category, severity=Severity.LOW, confidence=Confidence.LOW,
                      score=0.1, message_index=message.index, line=message.line, start=None, end=None,
                      matched=None, normalised=None, explanation=Explanation(reason="seen"))


class Gated(Recorder):
    name = "gated"
    context_size = 0
    words = frozenset({"kestrel", "op"})


class Tokens(Recorder):
    name = "tokens"
    needs_tokens = True


def test_window_has_neighbours_each_side_and_streams() -> None:
    recorder = Recorder()
    engine = Engine([recorder])
    findings = list(engine.run(msg(i, f"m{i}") for i in range(5)))
    assert [f.message_index for f in findings] == [0, 1, 2, 3, 4]
    assert recorder.seen[0] == ("m0", (), ("m1", "m2"))
    assert recorder.seen[2] == ("m2", ("m0", "m1"), ("m3", "m4"))
    assert recorder.seen[4] == ("m4", ("m2", "m3"), ())


def test_system_and_deleted_messages_are_neighbours_but_not_examined() -> None:
    recorder = Recorder()
    messages = [msg(0, "hello"), msg(1, "+44 7911 234567 joined", MessageKind.SYSTEM),
                msg(2, "This message was deleted", MessageKind.DELETED), msg(3, "bye")]
    list(Engine([recorder]).run(messages))
    assert [seen[0] for seen in recorder.seen] == ["hello", "bye"]
    assert recorder.seen[1][1] == ("+44 7911 234567 joined", "This message was deleted")


def test_keyword_gated_detector_only_sees_messages_with_its_words() -> None:
    gated, everything = Gated(), Recorder()
    texts = ["Op Kestrel tomorrow", "tea anyone", "KESTREL is on", "stop the shop"]
    list(Engine([gated, everything]).run(msg(i, t) for i, t in enumerate(texts)))
    assert [seen[0] for seen in gated.seen] == ["Op Kestrel tomorrow", "KESTREL is on", "stop the shop"]
    assert len(everything.seen) == 4


class MediaOnly(Recorder):
    name = "media-only"
    wanted_kinds = frozenset({MessageKind.MEDIA})


def test_a_detector_that_wants_some_kinds_sees_only_those_but_keeps_its_neighbours() -> None:
    """`wanted_kinds`: the engine leaves the detector out for other kinds without calling it, and its
    window still holds the messages of every kind around the one it sees."""
    media, everything = MediaOnly(), Recorder()
    messages = [msg(0, "on my way"), msg(1, "IMG-0001.jpg (file attached)", MessageKind.MEDIA), msg(2, "nice one")]
    list(Engine([media, everything]).run(messages))
    assert media.seen == [("IMG-0001.jpg (file attached)", ("on my way",), ("nice one",))]
    assert len(everything.seen) == 3


def test_media_messages_reach_gated_detectors() -> None:
    gated = Gated()
    from whatsapp_audit.rules.examples import build_example

    message, _ = build_example({"text": "", "attachment": "IMG-20240314-WA0001.jpg"})
    list(Engine([gated]).run([message]))
    assert len(gated.seen) == 1


def test_keyword_filter_reports_which_detectors_need_a_message() -> None:
    keyword_filter = KeywordFilter([frozenset({"cad", "log"}), frozenset(), frozenset({"log", "@"})])
    assert keyword_filter.gated == frozenset({0, 2})
    assert keyword_filter.wanted("see log 123") == {0, 2}
    assert keyword_filter.wanted("mail me @ home") == {2}
    assert keyword_filter.wanted("nothing here") == set()


def test_a_keyword_inside_a_longer_one_still_wakes_its_detector() -> None:
    # The alternation reports "operation", never the "op" inside it.
    keyword_filter = KeywordFilter([frozenset({"op"}), frozenset({"operation"})])
    assert keyword_filter.wanted("briefing for operation kestrel") == {0, 1}
    assert keyword_filter.wanted("post op, all fine") == {0}


@given(st.dictionaries(st.text(alphabet="abc \t", min_size=1, max_size=4), st.integers(0, 3), min_size=1, max_size=8),
       st.lists(st.text(alphabet="abcx \t\n\u00a0", max_size=30), min_size=1, max_size=3))
@example({"ac": 0, "ca": 1}, ["cac"])  # overlapping keywords: the pass must not resume after "ca"
@example({"b a": 0, " c": 1, "a ": 2}, ["ab a", "x c", "a  ", "xb a"])  # keywords holding a space
@example({"b a": 0, "c\tab": 1}, ["cb b", "b\u00a0\tab", "xc\t\tabc", "ab c"])  # a head, then (not) its tail
@example({"a b ": 0, "b\t\tc": 1}, ["xa b", "a b", "b c", "ab\t\tcc"])  # no tail; whitespace twice
def test_keyword_filter_wants_every_detector_whose_keyword_occurs(owners: dict[str, int], texts: list[str]) -> None:
    # Several texts through one filter: a run's answer is kept, and must hold in every text. A text
    # whose runs give none of the filter's field bits (the engine's one AND) holds no keyword.
    words = [frozenset(w for w, owner in owners.items() if owner == n) for n in range(4)]
    keyword_filter = KeywordFilter(words)
    table = keyword_filter._index._table if keyword_filter._index is not None else None
    field_bits = keyword_filter.field_bits()
    for text in texts + texts:
        expected = {n for n in range(4) if any(word in text for word in words[n])}
        assert keyword_filter.wanted(text) == expected
        if expected and table is not None and field_bits is not None:
            assert table.bits(text) & field_bits


@given(st.sets(st.text(alphabet="abcd@ -", min_size=1, max_size=5), min_size=1, max_size=12),
       st.text(alphabet="abcd@ -xy", max_size=30))
def test_trie_pattern_finds_exactly_the_keywords(words: set[str], text: str) -> None:
    pattern = regex.compile(trie_pattern(words))
    assert (pattern.search(text) is not None) == any(word in text for word in words)


def test_building_the_engine_never_loads_spacy(monkeypatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr("whatsapp_audit.detect.nlp.load_nlp", lambda: calls.append(1))
    Engine.build([], entries=("test_engine:Recorder", "test_engine:Tokens"))
    assert calls == []


def test_spacy_is_imported_only_when_a_message_needs_tokens() -> None:
    """Ordinary chat is scanned without spaCy (over a second of start-up); a message that a phrase
    rule could match loads it, and is matched."""
    phrase = next(r for r in load_patterns().rules if r.id == "DIS-PHRASE-GOBACK")
    example = next(e if isinstance(e, str) else e["text"] for e in phrase.examples_match)
    probe = (
        "import json, sys\n"
        "from datetime import datetime\n"
        "from whatsapp_audit.detect.engine import Engine\n"
        "from whatsapp_audit.model import Message, MessageKind\n"
        "from whatsapp_audit.rules.loader import load_patterns\n"
        "def msg(i, text):\n"
        "    return Message(i, i + 1, i + 1, datetime(2024, 3, 14, 9, i), '', 'PC Example', text, MessageKind.TEXT)\n"
        "engine = Engine.build(load_patterns().rules)\n"
        "ordinary = list(engine.run([msg(0, 'on my way, 10 mins'), msg(1, 'who has the van keys?')]))\n"
        "before = 'spacy' in sys.modules\n"
        f"found = [f.rule for f in engine.run([msg(2, {example!r})])]\n"
        "print(json.dumps([len(ordinary), before, 'spacy' in sys.modules, found]))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent).stdout
    ordinary, before, after, found = json.loads(out.splitlines()[-1])
    assert (ordinary, before, after) == (0, False, True)
    assert "DIS-PHRASE-GOBACK" in found


def test_rules_of_unregistered_detectors_are_skipped_not_fatal() -> None:
    rules = load_patterns().rules
    orphan = replace(rules[0], id="ZZZ-ORPHAN", detector="not_registered")
    engine = Engine.build([*rules, orphan])
    assert "ZZZ-ORPHAN" in {rule.id for rule in engine.skipped_rules}
    assert [d.name for d in engine.detectors][0] == "operational"


def test_engine_is_deterministic_on_real_rules() -> None:
    texts = ["Stop check on AB12 CDE", "call 07911 234567", "nothing", "Op Kestrel at SW1A 1AA"]
    first = list(Engine.build(load_patterns().rules).run(msg(i, t) for i, t in enumerate(texts)))
    second = list(Engine.build(load_patterns().rules).run(msg(i, t) for i, t in enumerate(texts)))
    assert first == second
    assert [f.rule for f in first] == ["OPS-VRM", "OPS-PHONE", "OPS-OPERATION", "OPS-POSTCODE"]


def test_a_system_event_in_no_known_phrase_is_examined_as_text() -> None:
    recorder = Recorder()
    unknown = Message(index=1, line=2, end_line=2, timestamp=T0, header="", author=None,
                      text="Ana zmieni\u0142a AB12 CDE", kind=MessageKind.SYSTEM, system_recognised=False)
    known = Message(index=2, line=3, end_line=3, timestamp=T0, header="", author=None,
                    text="Ana added +44 7911 234567", kind=MessageKind.SYSTEM, system_recognised=True)
    findings = list(Engine([recorder]).run([msg(0, "hello"), unknown, known]))
    assert [seen[0] for seen in recorder.seen] == ["hello", "Ana zmieni\u0142a AB12 CDE"]
    assert [f.line for f in findings] == [1, 2]
