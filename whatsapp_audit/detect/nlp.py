"""The one spaCy pipeline every token-based detector shares, loaded on first use only.

`spacy.blank("en")` (rule-based tokenizer) plus the lookup lemmatizer whose tables come from the
installed `spacy-lookups-data` package: nothing is downloaded and no statistical model is used, so
results do not depend on a model version. Loading costs over a second, so a detector asks for it
only when a message first needs tokens (ordinary chat never does), and the cache makes it happen
once per process.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language


@cache
def load_nlp() -> Language:
    """The shared blank English pipeline with lookup lemmas (cached: one instance per process)."""
    import spacy  # imported here: scans that never need tokens never pay for it

    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp
