"""Who is in an export, and who gets which pseudonym.

Participants are the authors and the people system events name (added, removed, left), in the
order they first appear; people are those the detectors find named in the text (a name with an
age, a date of birth or an address). Pseudonyms come from the case key, which gains a label for
every new name; kept people (`--keep`) get none.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from whatsapp_audit.redact.key import CaseKey
from whatsapp_audit.redact.matcher import Person
from whatsapp_audit.redact.names import clean_name, name_key, name_parts, unique_in_order
from whatsapp_audit.redact.policy import PERSON, RedactionPolicy
from whatsapp_audit.redact.spans import PARTICIPANT


@dataclass(frozen=True)
class Cast:
    """The people of one redaction, and the --keep names that matched nobody."""

    people: tuple[Person, ...]
    participants: int
    persons: int
    kept: tuple[str, ...]
    unmatched_keep: tuple[str, ...]


def _kept(name: str, keep_keys: set[str], policy: RedactionPolicy) -> bool:
    bare, _ = name_parts(name, policy)
    return name_key(name) in keep_keys or (bool(bare) and name_key(bare) in keep_keys)


def cast(participants: Iterable[str], persons: Iterable[str], key: CaseKey, keep: Sequence[str],
         policy: RedactionPolicy) -> Cast:
    """Assign pseudonyms (adding new names to `key`) and list everyone the matcher must know: this
    export's people, and every name already in the key, so a mention of someone seen in another
    export of the case is replaced too."""
    keep_keys = {name_key(k) for k in keep if clean_name(k)}
    named = unique_in_order(clean_name(n) for n in participants)
    participant_keys = {name_key(n) for n in named}
    others = [n for n in unique_in_order(clean_name(n) for n in persons) if name_key(n) not in participant_keys]
    people: list[Person] = []
    kept: list[str] = []
    matched_keys: set[str] = set()
    for kind, names in ((PARTICIPANT, named), (PERSON, others)):
        for name in names:
            entry = key.lookup(name)
            aliases = entry.names if entry is not None else [name]
            if any(_kept(alias, keep_keys, policy) for alias in [name, *aliases]):
                matched_keys.update(name_key(a) for a in [name, *aliases])
                matched_keys.update(name_key(name_parts(a, policy)[0]) for a in [name, *aliases])
                kept.append(name)
                people.append(Person(name, None, kind))
                continue
            people.append(Person(name, key.pseudonym_for(name, kind), kind))
    known = {name_key(p.name) for p in people}
    kept_keys = {name_key(p.name) for p in people if p.pseudonym is None}
    for entry in key.entries:
        pseudonym = None if any(name_key(n) in kept_keys for n in entry.names) else entry.pseudonym
        for alias in entry.names:
            if name_key(alias) not in known:
                known.add(name_key(alias))
                people.append(Person(alias, pseudonym, entry.kind))
    unmatched = tuple(k for k in keep if name_key(k) not in matched_keys)
    return Cast(tuple(people), len(named), len(others), tuple(kept), unmatched)
