"""Crime-scene image indicators: what a reviewer sees for photos beside scene talk, and what stays quiet.

Conversations are invented. Messages are built directly (a small factory) so each test shows the
exact timing and authors that decide the outcome.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from whatsapp_audit.detect.base import Detector, Rule, Window
from whatsapp_audit.detect.imagery.detector import ImageryDetector
from whatsapp_audit.detect.imagery.scoring import build_context
from whatsapp_audit.errors import PatternError
from whatsapp_audit.ingest.media import MediaFacts
from whatsapp_audit.model import Category, Confidence, Finding, Message, MessageKind
from whatsapp_audit.rules.examples import attachment_for, build_example, example_cases
from whatsapp_audit.rules.loader import load_patterns

T0 = datetime(2024, 3, 14, 2, 0)


def rules() -> tuple[Rule, ...]:
    return load_patterns().rules_for("imagery")


@pytest.fixture(scope="module")
def detector() -> ImageryDetector:
    d = ImageryDetector()
    d.configure(rules())
    return d


class Chat:
    """Builds a conversation: `say(minute, author, text)` or `send(minute, author, file, caption)`."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    def _add(self, minute: float, author: str | None, text: str, kind: MessageKind, attachment: str | None) -> Message:
        i = len(self.messages)
        m = Message(index=i, line=i + 1, end_line=i + 1, timestamp=T0 + timedelta(minutes=minute),
                    header="", author=author, text=text, kind=kind,
                    attachments=(attachment_for(attachment),) if attachment else ())
        self.messages.append(m)
        return m

    def say(self, minute: float, author: str, text: str) -> Message:
        return self._add(minute, author, text, MessageKind.TEXT, None)

    def send(self, minute: float, author: str, file: str = "IMG-20240314-WA0012.jpg", caption: str = "") -> Message:
        text = f"{file} (file attached)" + (f"\n{caption}" if caption else "")
        return self._add(minute, author, text, MessageKind.MEDIA, file)

    def deleted(self, minute: float, author: str) -> Message:
        return self._add(minute, author, "This message was deleted", MessageKind.DELETED, None)

    def run(self, detector: ImageryDetector) -> dict[int, Finding]:
        """Findings by line, each message given the window the engine would give."""
        out: dict[int, Finding] = {}
        k = detector.context_size
        for i, m in enumerate(self.messages):
            window = Window(tuple(self.messages[max(0, i - k):i]), tuple(self.messages[i + 1:i + 1 + k]))
            for f in detector.detect(m, window):
                out[f.line] = f
        return out


def reasons(f: Finding) -> str:
    return " | ".join(r for r, _ in f.explanation.adjustments)


# --- contract ---------------------------------------------------------------------------------------
def test_detector_meets_the_engine_contract(detector: ImageryDetector) -> None:
    assert isinstance(detector, Detector)
    assert (detector.name, detector.category, detector.needs_tokens) == ("imagery", Category.CRIME_SCENE_IMAGE, False)
    assert detector.keywords() == frozenset()  # media lines carry no words: every message is offered
    assert detector.context_size == 15


@pytest.mark.parametrize("case", example_cases(rules()), ids=lambda c: c.label)
def test_rule_examples(detector: ImageryDetector, case) -> None:  # type: ignore[no-untyped-def]
    message, window = build_example(case.example)
    fired = {f.rule for f in detector.detect(message, window)}
    assert (case.rule.id in fired) == case.expect


# --- the worked examples of the design brief --------------------------------------------------------
def test_photo_after_scene_talk_with_a_removal_reply_is_a_medium_indicator(detector: ImageryDetector) -> None:
    chat = Chat()
    chat.say(11, "Sam", "SD at Elm Court, on scene guard till 6")
    chat.send(40, "Sam", caption="state of the kitchen")
    chat.say(42, "Jo", "mate delete that, not on here")
    f = chat.run(detector)[2]
    assert f.rule == "IMG-SCENE" and f.confidence is Confidence.MEDIUM and f.score == pytest.approx(0.5)
    assert f.category is Category.CRIME_SCENE_IMAGE and (f.start, f.end) == (None, None)
    assert f.matched == "IMG-20240314-WA0012.jpg" and f.line == 2
    assert f.explanation.reason.startswith("indicator for human review")
    assert "scene guard" in reasons(f) and "29 min" in reasons(f) and "delete that" in reasons(f)


def test_gym_body_is_explained_away(detector: ImageryDetector) -> None:
    chat = Chat()
    chat.say(0, "Lee", "leg day done, full body workout tomorrow")
    chat.send(1, "Lee", "IMG-20240314-WA0031.jpg")
    assert chat.run(detector) == {}


def test_custody_bodies_beside_a_placeholder_are_not_a_scene(detector: ImageryDetector) -> None:
    chat = Chat()
    chat.say(0, "Kim", "6 bodies in the cells and the van's knackered")
    chat.send(1, "Kim", "<Media omitted>")
    assert chat.run(detector) == {}


def test_scene_words_without_any_media_are_not_an_image_finding(detector: ImageryDetector) -> None:
    chat = Chat()
    chat.say(0, "Sam", "sudden death at Elm Court, dead body in the bath, scene guard till 6")
    chat.say(1, "Jo", "delete that")
    assert chat.run(detector) == {}


# --- neighbours and time windows --------------------------------------------------------------------
@pytest.mark.parametrize(("gap", "counted"), [(0, True), (5, True), (6, False)])
def test_same_sender_window_is_five_minutes(detector: ImageryDetector, gap: int, counted: bool) -> None:
    chat = Chat()
    chat.say(30 - gap, "Sam", "dead body in the bath")
    chat.send(30, "Sam")
    f = chat.run(detector)[2]  # beyond the window the talk still counts, as the conversation prior
    kinds = {r.split(" ")[0] for r in reasons(f).split(" | ")}
    assert ("same" in kinds) is counted
    assert counted or "scene talk by the same sender 6 min before" in reasons(f)


def test_nearer_talk_weighs_more(detector: ImageryDetector) -> None:
    scores = []
    for gap in (0, 1, 2):
        chat = Chat()
        chat.say(30 - gap, "Sam", "dead body in the bath")
        chat.send(30, "Sam")
        scores.append(chat.run(detector)[2].score)
    assert scores[0] > scores[1] > scores[2]


def test_talk_just_after_the_photo_counts(detector: ImageryDetector) -> None:
    chat = Chat()
    chat.send(0, "Sam")
    chat.say(1, "Sam", "that's the dead body in the bath, stab wounds everywhere")
    f = chat.run(detector)[1]
    assert "after" in reasons(f) and f.rule in {"IMG-BODY", "IMG-INJURY"}


def test_scene_talk_from_someone_else_alone_is_not_enough(detector: ImageryDetector) -> None:
    chat = Chat()
    chat.say(0, "Jo", "sudden death at Elm Court, on scene guard till 6")
    chat.send(20, "Sam", caption="new pup")
    assert chat.run(detector) == {}


def test_the_same_talk_from_the_sender_raises_an_indicator(detector: ImageryDetector) -> None:
    chat = Chat()
    chat.say(0, "Sam", "sudden death at Elm Court, on scene guard till 6")
    chat.send(20, "Sam")
    assert chat.run(detector)[2].confidence is Confidence.LOW


def test_a_long_quiet_gap_resets_the_conversation(detector: ImageryDetector) -> None:
    chat = Chat()
    chat.say(0, "Sam", "sudden death at Elm Court, on scene guard till 6")
    chat.send(4 * 60, "Sam")
    assert chat.run(detector) == {}


@pytest.mark.parametrize(("author", "minute", "counted"), [("Jo", 3, True), ("Jo", 7, False), ("Sam", 2, False)])
def test_removal_reply_must_come_from_someone_else_within_five_minutes(
        detector: ImageryDetector, author: str, minute: int, counted: bool) -> None:
    chat = Chat()
    chat.send(0, "Sam")
    chat.say(minute, author, "delete that, not on here")
    found = chat.run(detector)
    assert (1 in found) is counted
    if counted:
        assert found[1].rule == "IMG-REPLY-ALARM" and found[1].confidence is Confidence.LOW


def test_deleted_stub_after_the_reply_is_noted(detector: ImageryDetector) -> None:
    chat = Chat()
    chat.send(0, "Sam", caption="dead body in the bath")
    chat.say(1, "Jo", "take that down")
    chat.deleted(2, "Sam")
    assert "deleted a message" in reasons(chat.run(detector)[1])


def test_a_lone_weak_word_is_not_enough(detector: ImageryDetector) -> None:
    chat = Chat()
    chat.send(0, "Sam", caption="what a scene")
    assert chat.run(detector) == {}


# --- one pair per negative class: the same weak word, scene vs ordinary ---------------------------
PAIRS = [
    ("body still warm, CSI on the way", "full body workout, gym was heaving, dead by the end"),
    ("two bodies in the flat, cordon up", "6 bodies in the cells, one dead drunk"),
    ("scene is a mess, cordon at both ends", "Line of Duty episode, that murder scene though"),
    ("shot outside the chippy, cordon up", "extra shot of espresso after that crash of a shift"),
    ("SD from last night, PM tomorrow, body in the bath", "body armour fitting at 2pm, radio died again"),
    ("he died in the hallway, victim's family on the way", "laptop died again, phone dead too"),
    ("found him dead in the woods, cordon on the path", "dead pigeon on the dog walk, body of a rat too"),
    ("blood all over the stairs, victim in the hallway", "giving blood today, small wound from the needle"),
]


@pytest.fixture(scope="module")
def unexplained() -> ImageryDetector:
    """The same rules without their ordinary contexts: proves it is the negative lexicon that helps."""
    d = ImageryDetector()
    d.configure([replace(r, options={k: v for k, v in r.options.items() if k != "explain_away"}) for r in rules()])
    return d


@pytest.mark.parametrize(("scene", "ordinary"), PAIRS)
def test_same_word_scene_versus_ordinary(detector: ImageryDetector, unexplained: ImageryDetector,
                                         scene: str, ordinary: str) -> None:
    def flagged(d: ImageryDetector, text: str) -> Finding | None:
        chat = Chat()
        chat.say(0, "Sam", text)
        chat.send(1, "Sam")
        return chat.run(d).get(2)

    found = flagged(detector, scene)
    assert found is not None and found.explanation.context_words
    assert flagged(detector, ordinary) is None
    assert flagged(unexplained, ordinary) is not None  # the words alone would have been flagged


def test_explained_away_words_stay_visible_to_the_reviewer(detector: ImageryDetector) -> None:
    chat = Chat()
    chat.say(0, "Sam", "sudden death at Elm Court")
    chat.say(30, "Sam", "happy birthday Kim, cake and candles in the canteen, body pump after")
    chat.send(31, "Sam")
    chat.say(32, "Jo", "delete that")
    f = chat.run(detector).get(3)
    assert f is not None  # the removal reply keeps it visible
    details = dict(f.explanation.details)
    assert "body" in details.get("explained_away", "") or "ordinary context" in reasons(f)


def test_an_ordinary_caption_cancels_the_conversation_prior(detector: ImageryDetector) -> None:
    chat = Chat()
    chat.say(0, "Sam", "sudden death at Elm Court, on scene guard till 6")
    chat.send(30, "Sam", caption="happy birthday Kim, cake in the canteen")
    assert chat.run(detector) == {}


# --- bursts, media types, view-once ----------------------------------------------------------------
def test_a_burst_shares_the_caption_of_its_first_photo(detector: ImageryDetector) -> None:
    chat = Chat()
    chat.send(0, "Ash", "IMG-20240317-WA0031.jpg", caption="stab wounds to the back")
    chat.send(0, "Ash", "IMG-20240317-WA0032.jpg")
    chat.send(1, "Ash", "IMG-20240317-WA0033.jpg")
    found = chat.run(detector)
    assert sorted(found) == [1, 2, 3] and {f.rule for f in found.values()} == {"IMG-INJURY"}
    assert ("group", "part of a burst or album that starts on line 1") in found[3].explanation.details


@pytest.mark.parametrize(("file", "judged"), [
    ("PTT-20240314-WA0001.opus", False), ("STK-20240314-WA0001.webp", False), ("report.pdf", False),
    ("Screenshot_20240314-024400.png", False), ("VID-20240314-WA0003.mp4", True), ("image omitted", True),
    ("<Media omitted>", True), ("IMG_20240314_023512.jpg", True),
])
def test_which_attachments_are_judged(detector: ImageryDetector, file: str, judged: bool) -> None:
    chat = Chat()
    chat.say(0, "Sam", "sudden death, dead body in the bath")
    chat.send(1, "Sam", file)
    assert (2 in chat.run(detector)) is judged


def test_camera_original_name_adds_weight_only_beside_talk(detector: ImageryDetector) -> None:
    chat = Chat()
    chat.say(0, "Sam", "sudden death, dead body in the bath")
    chat.send(1, "Sam", "IMG_20240314_023512.jpg")
    assert "camera-original" in reasons(chat.run(detector)[2])
    quiet = Chat()
    quiet.send(0, "Sam", "IMG_20240314_023512.jpg")
    assert quiet.run(detector) == {}


def test_view_once_beside_scene_talk_is_listed_as_not_examinable(detector: ImageryDetector) -> None:
    chat = Chat()
    chat.say(0, "Sam", "sudden death, dead body in the bath")
    chat._add(1, "Sam", "null", MessageKind.VIEW_ONCE, None)
    f = chat.run(detector)[2]
    assert ("not_examined", "view-once media is never exported") in f.explanation.details


def test_placeholder_is_noted_as_not_examined(detector: ImageryDetector) -> None:
    chat = Chat()
    chat.say(0, "Sam", "sudden death, dead body in the bath")
    chat.send(1, "Sam", "<Media omitted>")
    details = dict(chat.run(detector)[2].explanation.details)
    assert "placeholder only (media of unknown type)" in details["not_examined"]


# --- EXIF through set_media_facts ---------------------------------------------------------------------
def _facts(name: str, **kw: object) -> MediaFacts:
    base = dict(name=name, size=1234, sha256="ab" * 32, examined=True, library="exifread 3.5.1")
    base.update(kw)
    return MediaFacts(**base)  # type: ignore[arg-type]


def test_exif_capture_time_and_gps_support_a_judgement() -> None:
    d = ImageryDetector()
    d.configure(rules())
    d.set_media_facts({"Media/IMG_20240314_023512.jpg": _facts(
        "Media/IMG_20240314_023512.jpg", datetime_original=T0 + timedelta(minutes=25), gps=(52.5, -1.9),
        make="Examplecam", model="Model 7")})
    chat = Chat()
    chat.say(10, "Sam", "Location: https://maps.google.com/?q=52.5010,-1.9005")
    chat.say(29, "Sam", "sudden death, dead body in the bath")
    chat.send(30, "Sam", "IMG_20240314_023512.jpg")
    f = chat.run(d)[3]
    assert "photo taken 5 min before it was posted" in reasons(f)
    assert "GPS" in reasons(f) and "line 1" in reasons(f)
    details = dict(f.explanation.details)
    assert details["media"].startswith("Media/IMG_20240314_023512.jpg sha256 abab")
    assert "Examplecam Model 7" in details["exif_device"]


def test_exif_never_makes_a_judgement_alone_and_old_photos_are_flagged_as_reshared() -> None:
    d = ImageryDetector()
    d.configure(rules())
    d.set_media_facts({"IMG_20240314_023512.jpg": _facts("IMG_20240314_023512.jpg", datetime_original=T0)})
    alone = Chat()
    alone.send(5, "Sam", "IMG_20240314_023512.jpg")
    assert alone.run(d) == {}
    d.set_media_facts({"IMG_20240314_023512.jpg": _facts("IMG_20240314_023512.jpg",
                                                         datetime_original=T0 - timedelta(days=40))})
    chat = Chat()
    chat.say(0, "Sam", "sudden death, dead body in the bath")
    chat.send(1, "Sam", "IMG_20240314_023512.jpg")
    f = chat.run(d)[2]
    assert "EXIF" not in reasons(f) and "re-shared" in dict(f.explanation.details)["exif_age"]


def test_whatsapp_image_without_exif_gets_no_bonus_and_a_plain_note() -> None:
    d = ImageryDetector()
    d.configure(rules())
    d.set_media_facts({"IMG-20240314-WA0012.jpg": _facts("IMG-20240314-WA0012.jpg",
                                                         note="no EXIF (normal for images WhatsApp compressed)")})
    chat = Chat()
    chat.say(0, "Sam", "sudden death, dead body in the bath")
    chat.send(1, "Sam")
    f = chat.run(d)[2]
    assert "EXIF" not in reasons(f) and "no EXIF" in dict(f.explanation.details)["media_note"]


# --- determinism and bad pattern data -------------------------------------------------------------
def test_same_conversation_gives_the_same_findings_twice() -> None:
    def once() -> dict[int, Finding]:
        d = ImageryDetector()
        d.configure(rules())
        chat = Chat()
        chat.say(0, "Sam", "SD at Elm Court, on scene guard till 6")
        chat.send(30, "Sam", caption="state of the kitchen")
        chat.send(30, "Sam", "IMG-20240314-WA0013.jpg")
        chat.say(31, "Jo", "not on here mate")
        return chat.run(d)
    assert once() == once()


def test_pattern_mistakes_are_reported_with_the_rule() -> None:
    good = rules()
    broken_role = replace(good[0], options={**good[0].options, "role": "gossip"})
    with pytest.raises(PatternError, match=r"IMG-SCENE.*role"):
        ImageryDetector().configure((broken_role, *good[1:]))
    no_scoring = [replace(r, options={k: v for k, v in r.options.items() if k != "scoring"}) for r in good]
    with pytest.raises(PatternError, match="scoring"):
        ImageryDetector().configure(no_scoring)
    bad_weight = replace(good[0], options={**good[0].options, "scoring": {**good[0].options["scoring"], "negative": "x"}})
    with pytest.raises(PatternError, match="negative"):
        ImageryDetector().configure((bad_weight, *good[1:]))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 600), st.sampled_from(["Sam", "Jo"]), st.text(max_size=80)), max_size=12),
       st.integers(0, 600))
def test_any_conversation_gives_bounded_scores_and_never_fails(
        talk: list[tuple[int, str, str]], at: int) -> None:
    d = ImageryDetector()
    d.configure(rules())
    chat = Chat()
    for minute, author, text in sorted(talk):
        chat.say(minute, author, text)
    chat.send(at, "Sam")
    for f in chat.run(d).values():
        assert 0.15 <= f.score <= 1.0 and f.category is Category.CRIME_SCENE_IMAGE


# --- the shortcut for photos with no scene words near --------------------------------------------------
def test_a_photo_far_from_any_scene_word_is_skipped_but_one_word_in_the_window_is_enough(
        detector: ImageryDetector) -> None:
    chat = Chat()
    chat.say(0, "Ash", "gym after shift, then cake in the canteen")  # ordinary words only: they never raise a score
    chat.send(1, "Ash")
    assert chat.run(detector) == {}
    assessor = detector._assessor
    assert assessor is not None
    k = detector.context_size
    assert not assessor.could_score(chat.messages[1], chat.messages[:1], ())
    # the scene talk at the far edge of the photo's window still brings it in, and it is reported
    far = Chat()
    far.say(0, "Ash", "body found at the scene, cordon in place")
    for minute in range(1, k):
        far.say(minute * 0.1, "Bo", "ok")
    photo = far.send(2, "Ash")
    assert assessor.could_score(photo, far.messages[max(0, photo.index - k):photo.index], ())
    assert photo.line in far.run(detector)


def test_the_shortcut_never_hides_a_photo_the_full_scoring_would_raise(detector: ImageryDetector) -> None:
    """Every photo in the labelled conversations that scores above zero has a scene or reply word
    in its window, so skipping photos without one changes no finding."""
    from pathlib import Path

    from whatsapp_audit.ingest.export import open_export

    assessor = detector._assessor
    assert assessor is not None and detector._scoring is not None
    k = detector.context_size
    raised = 0
    for path in sorted((Path(__file__).resolve().parent / "labelled").glob("imagery_*.txt")):
        with open_export(path) as export:
            messages = list(export.iter_messages())
        for i, m in enumerate(messages):
            if detector.judged_attachment(m) is None:
                continue
            before, after = messages[max(0, i - k):i], messages[i + 1:i + 1 + k]
            ctx = build_context(m, before, after, lambda x: detector.judged_attachment(x) is not None,
                                detector._scoring)
            if assessor.assess(ctx).positive > 0:
                raised += 1
                assert assessor.could_score(m, before, after), f"{path.name} line {m.line}"
    assert raised > 20  # the labelled sets are full of photos beside scene talk
