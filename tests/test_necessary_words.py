"""A regex skipped for want of its necessary words (`text.literals`) is one that finds nothing there.

The operational detector does not run a bundled rule regex on an ASCII text holding none of the
words every match of it holds, and the imagery detector does the same with its file-name patterns
(screenshots, camera originals). Words read wrongly from a pattern would lose findings silently, so
every bundled pattern that has words is checked here: on generated text made of its own words, the
rules' examples and street, date and number shapes, a match always holds one of them, and a text the
words turn away has no match.
"""

from __future__ import annotations

import re
from functools import cache

import regex
from hypothesis import example, given, settings
from hypothesis import strategies as st

from whatsapp_audit.detect.text.literals import necessary_words, needs
from whatsapp_audit.rules.loader import load_patterns


@cache
def bundled() -> tuple[tuple[str, int], ...]:
    """(source, flags) of every bundled rule regex and media-name pattern that has necessary words."""
    found: list[tuple[str, int]] = []
    for rule in load_patterns().rules:
        sources = rule.match.get("regex", [])
        if isinstance(sources, list):
            found += [(source, 0) for source in sources]
        found += [(source, regex.IGNORECASE) for source in rule.allow]
        media = rule.options.get("media", {})
        for key in ("camera_original_names", "screenshot_names"):
            found += [(source, regex.IGNORECASE) for source in media.get(key, [])]
    with_words = tuple((source, flags) for source, flags in dict.fromkeys(found) if needs(source, flags))
    assert len(with_words) > 30  # the bundled packs have many: this test would check nothing without them
    return with_words


@cache
def words_of_all() -> tuple[str, ...]:
    found = {word for source, flags in bundled() for word in necessary_words(source, flags) or ()}
    return tuple(sorted(found))


@cache
def example_texts() -> tuple[str, ...]:
    texts: list[str] = []
    for rule in load_patterns().rules:
        for item in (*rule.examples_match, *rule.examples_no_match):
            if isinstance(item, str):
                texts.append(item)
            else:
                texts += [str(item.get("text", "")), str(item.get("attachment", ""))]
    return tuple(text for text in texts if text)


def texts() -> st.SearchStrategy[str]:
    piece = st.one_of(
        st.sampled_from(words_of_all()),
        st.sampled_from(words_of_all()).map(str.upper),
        st.sampled_from(words_of_all()).map(str.title),
        st.sampled_from(example_texts()),
        st.sampled_from(["Road", "Rd,", "Ann Lee,", "aged", "DOB", "d.o.b.", "(12)", "12/03/1990", "IMG_", "Screenshot",
                         "IMG-", "VID-20240101-WA0001.mp4", "MG11", "xPNC", "_BWV"]),
        st.from_regex(r"\A[0-9]{1,6}[A-Za-z]{0,3}\Z"),
        st.from_regex(r"\A[A-Z][a-z]{0,6}\Z"),
        st.text(alphabet="aAbBdDsSkKzZ0123456789 /_-,.()@+\n\u00e9\u017f\u212a", max_size=6),
    )
    return st.lists(piece, max_size=8).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(texts())
@example("Anyone fancy a brew before briefing?")
@example("Address is 14 Larkspur Road, BD7 1AZ if anyone is passing")
@example("IMG-20210103-WA0139.jpg")
@example("Screenshot_20240101-101010.png")
@example("IMG11 xMG11 _MG11 7MG11.pdf")
@example("MG11 witness statement.docx")
def test_a_text_the_words_turn_away_holds_no_match(text: str) -> None:
    for source, flags in bundled():
        wanted = needs(source, flags)
        assert wanted is not None
        found = regex.compile(source, flags).search(text)
        if wanted.excludes(text):
            assert found is None, (source, text)


def test_every_match_in_the_examples_holds_one_of_the_words() -> None:
    for source, flags in bundled():
        words = necessary_words(source, flags)
        assert words
        for text in example_texts():
            for match in regex.compile(source, flags).finditer(text):
                assert any(word in match.group(0).lower() for word in words), (source, match.group(0))


def test_words_come_only_from_what_every_match_must_hold() -> None:
    assert necessary_words(r"(?i)\bbriefing\s+(?:pack|slides)") == {"pack", "slides"}  # the later set
    assert necessary_words(r"(?:DOB|born)\s*\d") == {"dob", "born"}  # lower-cased
    assert necessary_words(r"(?i:DSC)[_F]?\d") == {"dsc", "dsc_", "dscf"}  # a small class spelled out
    assert necessary_words(r"x(?:abc)?y") == {"xy", "xabcy"}  # an optional part spelled out both ways
    assert necessary_words(r"(ab)\1") == {"ab"}  # the group must match; what it refers back to is not read
    for unsure in (r"a?", r"(?:abc)*", r"\w+", r"[^a]", r"(a?)\1", r"[[:alpha:]]+", r"abc{e<=1}", r"(?V1)abc"):
        assert not necessary_words(unsure), unsure


def test_only_ascii_text_is_turned_away() -> None:
    wanted = needs(r"(?i)sk")
    assert wanted is not None
    assert wanted.excludes("no match here")
    assert not wanted.excludes("\u017fk")  # the long s matches "s" case-insensitively: left to the regex
    assert regex.compile(r"(?i)sk").search("\u017fk") is not None
    assert re.compile(r"(?i)sk").search("\u017fk") is not None


def test_a_word_wanted_after_no_letter_is_searched_so() -> None:
    # OPS-DOC-FILE's "(?<![a-z])MG\s?-?\d" under (?i): the "mg" of "IMG-..." is no MG form.
    wanted = needs(r"(?i)(?:statement|(?<![a-z])MG\s?-?\d{1,2})")
    assert wanted is not None and wanted.words == ("mg", "statement")
    assert wanted.excludes("IMG-20240101-WA0001.jpg")
    assert not wanted.excludes("MG11.pdf") and not wanted.excludes("scan_mg 5.pdf") and not wanted.excludes("7MG11")
    # The condition is kept only where the class holds every letter, either case, and only at the start.
    assert not needs(r"(?<![a-z])MG\d").excludes("xMG1")  # case-sensitive [a-z]: "x" may stand before "MG"
    assert needs(r"(?<![A-Za-z])MG\d").excludes("xMG1")
    assert not needs(r"(?i)x(?<![a-z])mg").excludes("xmg")  # inside the match: dropped, never invented
    assert not needs(r"(?i)(?<![^a-z])mg").excludes("img")  # a negated class: not read
    assert necessary_words(r"(?i)(?<![a-z])(?:ab|cd)e") == {"abe", "cde"}  # the words themselves, unmarked
