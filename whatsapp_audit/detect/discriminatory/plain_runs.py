"""Which runs of non-ASCII text the discriminatory detector reads exactly as it reads ASCII.

The detector's run gate (`DiscriminatoryDetector.run_gate`) lets the engine turn a text away with one
AND of its runs' bits. For ASCII text those bits decide: the normaliser only lower-cases it, and the
gates are read run by run. A text with emoji, curly quotes or letters of another script went to the
detector's `might_find` instead (about 40 µs a message, and real chat is full of emoji), because
the normaliser may change such text and the emoji rules read it. Yet most of it is changed by
nothing: "cheers all 👍" normalises to its lower-cased self and holds no insult emoji.

This field marks the runs (lower-cased, no whitespace) that are not like that: a run holding a
non-ASCII character is *loud* unless
- the detector's normaliser, given the run between spaces, would only lower-case it (`LowerOnly`,
  which reads the pattern data's confusables and emoji letters: "🅰" inside a word reads as a
  letter, an emoji between two letters as a wildcard, an accent is stripped);
- no character of it begins an emoji rule's insult (the emoji rules' own gate, from their data);
- no grapheme cluster may join it to the whitespace around it (a leading mark or joiner, a
  trailing prepended mark: `candidates.CROSSES`), so the run's normalisation is its own;
- no non-ASCII character of it has a different upper case: the runs are of the lower-cased text, and
  "ⓐ" may stand for "Ⓐ", which the normaliser keeps as it is (a symbol), not as "ⓐ". (Of the
  characters str.lower() gives for another one, only U+0307, a combining mark, has no upper case
  of its own; the normaliser drops combining marks, so `LowerOnly` calls it loud.)
- and the model is off (its words are read on the normalised text of any non-ASCII message), and
  the phrase rules are read by runs (`PhraseMatcher.run_bits`; else their emoji are read whole).

A text whose whitespace is ASCII and whose runs are all quiet normalises, run by run, to its
lower-cased self (whitespace neighbours are never letters, so no context crosses between runs), and
holds no insult: what `might_find` then asks is what the run gate's other bits answer, as for ASCII.
Whitespace outside ASCII (a no-break space) is no run's: such a text still goes to `might_find`
(`Engine` tests it). tests/test_perf_equivalence.py holds the answer to `might_find`'s.
"""

from __future__ import annotations

from whatsapp_audit.detect.discriminatory.candidates import CROSSES
from whatsapp_audit.detect.text.normalise import LowerOnly
from whatsapp_audit.detect.text.runs import RunField, RunTable, every_shape


class PlainRuns:
    """The detector's field in a `RunTable`: one bit, set for a loud run (see the module docstring)."""

    def __init__(self, lower_only: LowerOnly, insult_firsts: frozenset[str], every: bool, table: RunTable) -> None:
        """`lower_only`: the detector's test of its normaliser; `insult_firsts`: the first characters of
        the emoji rules' insults; `every`: every non-ASCII run is loud (the model is on, or the phrase
        rules are not read by runs)."""
        self._lower_only = lower_only
        self._insult_firsts = insult_firsts
        self._every = every
        self._field: RunField
        self.share(table)

    def share(self, table: RunTable) -> None:
        """Read runs through `table` (the engine's, shared by every gate)."""
        self._field = table.add(self.loud, 1, blind=every_shape)  # an ASCII run is never loud

    def loud_bits(self) -> int:
        """The field's bit in the table's combined value (laid out)."""
        return self._field.mask << self._field.shift

    def loud(self, run: str) -> int:
        """1 when `run` holds non-ASCII text the detector's gates cannot vouch for by its runs, else 0."""
        if run.isascii():
            return 0
        if self._every or not self._insult_firsts.isdisjoint(run) or CROSSES.search(run) is not None \
                or run.lower() != run or any(not ch.isascii() and ch.upper() != ch for ch in run):
            return 1
        return 0 if self._lower_only(f" {run} ") else 1
