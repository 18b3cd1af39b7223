"""The offset-mapped normaliser: what it undoes, and that spans always map back to the original."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from whatsapp_audit.detect.text.normalise import WILDCARD, normalise

CONFUSABLES = {"і": "i", "а": "a", "о": "o", "е": "e"}


def test_ascii_fast_path_only_lowercases_and_keeps_offsets() -> None:
    norm = normalise("Meet at The Hoe 10:30")
    assert norm.text == "meet at the hoe 10:30"
    assert norm.starts is None  # identity mapping, no offset lists built
    assert norm.to_raw(8, 11) == (8, 11)


def test_digits_are_never_decoded_by_the_normaliser() -> None:
    # leet is decided per token by the matchers; ids, times and "45s" stay as they are
    assert normalise("Call 07700 900123 at 45s past").text == "call 07700 900123 at 45s past"


def test_full_width_and_mathematical_letters_fold_to_ascii() -> None:
    norm = normalise("ＰＡＫＩ and 𝐛𝐨𝐥𝐝")
    assert norm.text == "paki and bold"
    assert "unicode" in norm.transformations(0, 4)


def test_confusable_cyrillic_letters_map_to_latin_with_offsets_kept() -> None:
    raw = "you nіgger"  # Cyrillic i
    norm = normalise(raw, confusables=CONFUSABLES)
    assert norm.text == "you nigger"
    assert norm.transformations(4, 10) == ("confusable",)
    assert raw[slice(*norm.to_raw(4, 10))] == "nіgger"


def test_accents_are_stripped_from_latin_letters() -> None:
    norm = normalise("naïve café")
    assert norm.text == "naive cafe"
    assert norm.transformations(0, 5) == ("accent",)


def test_zero_width_characters_inside_a_word_are_dropped() -> None:
    raw = "pa\u200bki"
    norm = normalise(raw)
    assert norm.text == "paki"
    assert norm.to_raw(0, 4) == (0, len(raw))
    assert "invisible" in norm.transformations(0, 4)


def test_emoji_inside_a_word_becomes_a_one_letter_wildcard() -> None:
    raw = "n🌟gger"
    norm = normalise(raw)
    assert norm.text == f"n{WILDCARD}gger"
    assert norm.transformations(0, 6) == ("wildcard",)
    assert raw[slice(*norm.to_raw(0, 6))] == raw


def test_emoji_between_words_stay_whole_with_their_joiners() -> None:
    norm = normalise("proud 🏳️‍🌈 today")
    assert "🏳️\u200d🌈" in norm.text
    assert WILDCARD not in norm.text


def test_spaced_letters_join_only_when_the_caller_accepts() -> None:
    wanted = {"fag", "paki"}
    joined = normalise("you f a g", accept_join=lambda s: s in wanted)
    assert joined.text == "you fag"
    assert joined.transformations(4, 7) == ("spacing",)
    assert joined.to_raw(4, 7) == (4, 9)
    dotted = normalise("p.a.k.i", accept_join=lambda s: s in wanted)
    assert dotted.text == "paki"
    kept = normalise("plan a b c", accept_join=lambda s: s in wanted)
    assert kept.text == "plan a b c"  # never join globally: cross-token joins create false hits


def test_words_are_not_glued_together() -> None:
    assert normalise("hot water", accept_join=lambda s: True).text == "hot water"


@given(st.text(max_size=40))
def test_every_span_maps_inside_the_original(raw: str) -> None:
    norm = normalise(raw, confusables=CONFUSABLES, accept_join=lambda s: len(s) % 2 == 0)
    for start in range(len(norm.text)):
        for end in (start + 1, len(norm.text)):
            lo, hi = norm.to_raw(start, end)
            assert 0 <= lo <= hi <= len(raw)


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=40))
def test_ascii_text_maps_one_to_one(raw: str) -> None:
    norm = normalise(raw)
    assert len(norm.text) == len(raw)
    assert norm.text == raw.lower()
