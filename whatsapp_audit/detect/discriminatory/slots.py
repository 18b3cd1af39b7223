"""The two data lexicons behind the phrase rules: identity terms and predicates.

A phrase rule is a construction such as "[a group] are all [a dehumanising noun]". Its slots are
filled from data (`vocabulary.identity` per protected characteristic, `vocabulary.predicates` per
class), so a force extends either list in a pattern file and every construction using it follows,
with no code. Identity words only ever fill a slot: on their own they never fire.

Slot names a token pattern may use (`{ SLOT = "..." }`):
- `identity`: a group ("muslims", "black people", "🏳️‍🌈", a person emoji with a dark skin tone);
- `identity_one`: one member ("a muslim", "that gay bloke");
- `identity_any`: either;
- `identity_modifier`: an identity adjective alone ("black", "gay"), for a noun that follows it;
- any of these with `:<characteristic>` to take only that characteristic's terms ("identity:sex");
- any predicate class of `vocabulary.predicates` ("dehumanising", "violence", ...).
Multi-word entries ("asylum seekers", "gas chamber") become token sequences.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from whatsapp_audit.detect.discriminatory.tokens import strip_emoji, tokenize

IDENTITY_SLOTS = ("identity", "identity_one", "identity_any", "identity_modifier")
_LEGACY_TABLES = ("groups", "modifiers", "emoji")


@dataclass
class IdentityVocab:
    """Identity terms: groups and single members by characteristic, adjectives that need a head noun."""

    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)  # plural nouns: "muslims"
    persons: dict[str, tuple[str, ...]] = field(default_factory=dict)  # singular nouns: "muslim"
    modifiers: dict[str, tuple[str, ...]] = field(default_factory=dict)  # adjectives: "gay", "black"
    emoji: dict[str, tuple[str, ...]] = field(default_factory=dict)  # "🧕", "🏳‍🌈" (selectors stripped)
    heads: tuple[str, ...] = ()  # plural head nouns: "people", "lads"
    person_heads: tuple[str, ...] = ()  # singular head nouns: "bloke", "woman"
    dark_tones: frozenset[str] = frozenset()

    @classmethod
    def from_options(cls, identity: Mapping[str, Any], characteristics: Iterable[str]) -> IdentityVocab:
        """Read `vocabulary.identity`: one table per characteristic (`groups`, `persons`, `modifiers`,
        `emoji` lists), plus the older flat tables mapping a word to its characteristic(s)."""
        vocab = cls(heads=_lower(identity.get("heads", [])), person_heads=_lower(identity.get("person_heads", [])),
                    dark_tones=frozenset(identity.get("dark_skin_tones", [])))
        known = frozenset(characteristics)
        for key, value in identity.items():
            if key in known and isinstance(value, Mapping):
                for kind in ("groups", "persons", "modifiers", "emoji"):
                    for word in value.get(kind, []):
                        vocab._add(kind, word, (key,))
            elif key in _LEGACY_TABLES and isinstance(value, Mapping):
                for word, chars in value.items():
                    vocab._add(key, word, (chars,) if isinstance(chars, str) else tuple(chars))
        return vocab

    def _add(self, kind: str, word: str, chars: tuple[str, ...]) -> None:
        table: dict[str, tuple[str, ...]] = getattr(self, kind)
        form = strip_emoji(word) if kind == "emoji" else form_of(word)
        table[form] = tuple(dict.fromkeys(table.get(form, ()) + chars))

    def __bool__(self) -> bool:
        return bool(self.groups or self.persons or self.modifiers or self.emoji)

    def words(self) -> frozenset[str]:
        """Every identity word and phrase (never a lexicon term)."""
        return frozenset(self.groups) | frozenset(self.persons) | frozenset(self.modifiers)

    def word_characteristics(self) -> dict[str, tuple[str, ...]]:
        """Single identity words and emoji to characteristics (multi-word entries left out: their
        parts, such as "the" or "seekers", name nobody on their own)."""
        return {word: chars for word, chars in self._lookup().items() if " " not in word}

    def characteristics(self, forms: Sequence[str]) -> tuple[str, ...]:
        """The characteristics named by the tokens that filled an identity slot, in order."""
        table = self._lookup()
        found: list[str] = []
        if len(forms) > 1:
            joined = f" {' '.join(forms)} "
            for phrase in self._multi():
                if f" {phrase} " in joined:
                    found.extend(c for c in table[phrase] if c not in found)
        for form in forms:
            found.extend(c for c in table.get(form, ()) if c not in found)
        return tuple(found)

    def _lookup(self) -> dict[str, tuple[str, ...]]:
        cached: dict[str, tuple[str, ...]] | None = getattr(self, "_table", None)
        if cached is None:
            cached = {}
            for table in (self.modifiers, self.persons, self.groups, self.emoji):
                for word, chars in table.items():
                    cached[word] = tuple(dict.fromkeys(cached.get(word, ()) + chars))
            for tone in self.dark_tones:
                cached[tone] = ("race",)
            object.__setattr__(self, "_table", cached)
        return cached

    def _multi(self) -> tuple[str, ...]:
        cached: tuple[str, ...] | None = getattr(self, "_multi_words", None)
        if cached is None:
            cached = tuple(word for word in self._lookup() if " " in word)
            object.__setattr__(self, "_multi_words", cached)
        return cached

    def phrases(self) -> set[str]:
        """Every multi-word entry (candidates for joining into one token)."""
        return {w for table in (self.groups, self.persons, self.modifiers) for w in table if " " in w}

    def slot_variants(self, slot: str, joined: frozenset[str] = frozenset()) -> list[list[dict[str, Any]]]:
        """Token-pattern sequences that fill an identity slot (`joined`: multi-word entries the
        tokenizer turns into one token): one IN-list of single tokens (words, joined phrases,
        identity emoji, dark skin tones), a modifier + head pair, and any other multi-word entry."""
        slot, _, only = slot.partition(":")

        def pick(table: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
            return {k: v for k, v in table.items() if not only or only in v}

        modifiers = pick(self.modifiers)
        if slot == "identity_modifier":
            return _phrases(modifiers, joined)
        entries: dict[str, Any] = {}
        heads: set[str] = set()
        if slot in ("identity", "identity_any"):
            entries.update(pick(self.groups))
            heads |= set(self.heads)
        if slot in ("identity_one", "identity_any"):
            entries.update(pick(self.persons))
            heads |= set(self.person_heads)
        entries.update(pick(self.emoji))
        if not only or only == "race":
            entries.update(dict.fromkeys(self.dark_tones, ()))
        variants = _phrases(entries, joined)
        if heads and modifiers:
            variants += [m + [_in(sorted(heads))] for m in _phrases(modifiers, joined)]
        return variants


@dataclass(frozen=True)
class PredicateVocab:
    """Predicate classes: dehumanising nouns, negative attributes, violence and expulsion verbs ..."""

    classes: Mapping[str, tuple[str, ...]]

    @classmethod
    def from_options(cls, predicates: Mapping[str, Any]) -> PredicateVocab:
        return cls({name: tuple(dict.fromkeys(form_of(w) for w in words))
                    for name, words in predicates.items() if isinstance(words, list)})

    def phrases(self) -> set[str]:
        return {w for words in self.classes.values() for w in words if " " in w}

    def slot_variants(self, slot: str, joined: frozenset[str] = frozenset()) -> list[list[dict[str, Any]]] | None:
        words = self.classes.get(slot)
        if words is None:
            return None
        return _phrases(dict.fromkeys(words, ()), joined)


def form_of(word: str) -> str:
    """A vocabulary entry as the tokenizer would give it: lower-case words one space apart."""
    word = word.strip().lower()
    if word and not word[0].isalnum():
        return strip_emoji(word)
    return " ".join(t.form for t in tokenize(word))


def _lower(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(w.lower() for w in words)


def _in(words: Sequence[str]) -> dict[str, Any]:
    return {"LOWER": {"IN": list(words)}}


def _phrases(table: Mapping[str, Any], joined: frozenset[str] = frozenset()) -> list[list[dict[str, Any]]]:
    """A slot's entries as token-pattern sequences: one IN-list of single tokens (words, and the
    multi-word entries in `joined`, which the tokenizer makes one token), one of emoji, and one exact
    sequence per other multi-word entry."""
    singles: list[str] = []
    variants: list[list[dict[str, Any]]] = []
    for entry in sorted(table):
        words = entry.split(" ") if entry[:1].isalnum() and entry not in joined else [entry]
        if len(words) > 1:
            variants.append([{"LOWER": w} for w in words])
        else:
            singles.append(entry)
    return ([[_in(singles)]] if singles else []) + variants
