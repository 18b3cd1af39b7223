"""One regex alternation for many literal words: shared by the engine's keyword pre-filter and the
detectors' own keyword gates."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TypeAlias

TrieNode: TypeAlias = dict[str, "TrieNode"]  # one node per character; the key "" marks a word's end


def trie_pattern(words: Iterable[str]) -> str:
    """One regex alternation for many literal words, factored by common prefixes."""
    return pieces_pattern(([re.escape(char) for char in word] for word in words), literal=True)


def pieces_pattern(sequences: Iterable[Sequence[str]], literal: bool = False) -> str:
    """One alternation for many sequences of regex pieces (a literal character, or a class such as
    `[a@4]`), factored by common prefixes.

    Python's regex engines try alternatives one by one; sharing prefixes keeps a scan for hundreds of
    words close to the cost of a scan for a handful. With `literal` (every piece an escaped
    character), branches that are single characters become one character class.
    """
    trie: TrieNode = {}
    for sequence in sequences:
        node = trie
        for piece in sequence:
            node = node.setdefault(piece, {})
        node[""] = {}

    def render(node: TrieNode) -> str:
        ends = "" in node
        branches = [piece + render(child) for piece, child in sorted(node.items()) if piece]
        if not branches:
            return ""
        singles = [b for b in branches if len(b) == 1 or (len(b) == 2 and b[0] == "\\")]
        if literal and len(singles) == len(branches) and len(branches) > 1:
            body = "[" + "".join(branches) + "]"
        elif len(branches) == 1:
            body = branches[0]
        else:
            body = "(?:" + "|".join(branches) + ")"
        if ends:
            return f"(?:{body})?" if len(branches) > 1 or len(body) > 1 or not literal else f"{body}?"
        return body

    return render(trie)


def with_inner_owners(owners: Mapping[str, tuple[int, ...]]) -> dict[str, tuple[int, ...]]:
    """Owners of each keyword, plus the owners of every keyword found inside it.

    A search with the alternation reports one keyword per place, the longest ("operation", never the
    "op" inside it), so a rule gated on "op" would not run on "operation" when another rule owns the
    longer word. Wherever a keyword occurs, every keyword inside it occurs too: it carries their owners.
    """
    merged: dict[str, tuple[int, ...]] = {}
    for word, mine in owners.items():
        extra = {n for other, theirs in owners.items() if other != word and other in word for n in theirs}
        merged[word] = tuple(sorted(set(mine) | extra))
    return merged


def every_keyword(pattern: re.Pattern[str], text: str) -> Iterator[str]:
    """The longest keyword of a `trie_pattern` at every place one starts, overlapping ones included.

    `finditer` resumes after each match, so in "cac" it reports "ca" and never the "ac" that
    overlaps it (a rule gated on "ac" would not run); searching again from the character after each
    match's start does not. With `with_inner_owners` (keywords inside the longest one at a place),
    the owners of what this yields are the owners of every keyword in the text. Where no keyword
    occurs it is one search, as fast as before."""
    search = pattern.search
    found = search(text)
    while found is not None:
        yield found.group()
        found = search(text, found.start() + 1)


def tailed_pieces_pattern(sequences: Iterable[tuple[Sequence[str], bool]], tail: str) -> str:
    """`pieces_pattern` of (pieces, tailed) pairs, where a tailed sequence may be followed by `tail`
    (a regex matching what may come after it, e.g. a suffix alternation; optional).

    The same language as `pieces_pattern` of each tailed sequence with `(?:tail)?` appended, but
    `tail` is written once per trie node for the branches below it where every sequence ending is
    tailed, instead of once per sequence: a long tail on hundreds of sequences otherwise makes a
    pattern that costs a fifth of a second to compile. It is still one trie, so a search tries the
    tail only after a tailed sequence has matched, as before.
    """
    trie: TrieNode = {}
    for sequence, tailed in sequences:
        node = trie
        for piece in sequence:
            node = node.setdefault(piece, {})
        node[_TAILED if tailed else ""] = {}
    only_tailed: dict[int, bool] = {}

    def all_tailed(node: TrieNode) -> bool:
        """Whether every sequence ending at or below `node` is tailed (and one does)."""
        known = only_tailed.get(id(node))
        if known is None:
            children = [child for piece, child in node.items() if piece not in ("", _TAILED)]
            known = "" not in node and all(all_tailed(child) for child in children) and (
                _TAILED in node or bool(children))
            only_tailed[id(node)] = known
        return known

    def render(node: TrieNode, tails: bool) -> str:
        """`tails`: this node's tailed endings still need `tail` (False inside a branch that has it
        once, after). Children whose every ending is tailed are grouped, and the group gets `tail`
        once (together with a tailed ending here, if any): `(?:a|b)?(?:tail)?`."""
        ends = "" in node or _TAILED in node
        children = [(piece, child) for piece, child in sorted(node.items()) if piece not in ("", _TAILED)]
        if not tails:
            branches = [piece + render(child, False) for piece, child in children]
        else:
            branches = [piece + render(child, True) for piece, child in children if not all_tailed(child)]
            grouped = [piece + render(child, False) for piece, child in children if all_tailed(child)]
            group = "(?:" + "|".join(grouped) + ")" if grouped else ""
            if _TAILED in node:  # the ending here (the empty case is the `?` of `ends` below)
                branches.append(f"{group}?(?:{tail})?" if grouped else f"(?:{tail})")
            elif grouped:
                branches.append(f"{group}(?:{tail})?")
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    if all_tailed(trie):
        inner = render(trie, False)
        return f"(?:{inner})(?:{tail})?" if inner else f"(?:{tail})?"
    return render(trie, True)


_TAILED = "\x00tailed"  # trie key marking the end of a tailed sequence (no regex piece is this)
