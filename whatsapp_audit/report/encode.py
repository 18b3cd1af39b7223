"""JSON text for the outputs: orjson (in C) where it can, the standard library otherwise, same bytes.

The text is compact (no spaces after `,` and `:`), keeps non-ASCII characters as they are and escapes
control characters exactly as `json.dumps(..., ensure_ascii=False)` does; naive datetimes become ISO
8601 to the second, as `isoformat(timespec="seconds")` writes them. orjson refuses a few values the
standard library takes (a lone surrogate, an integer beyond 64 bits): such a value goes through the
standard library. Every value the tool writes gives the same text either way; the one difference
left is a float that needs an exponent (`1e-07` against `1e-7`), and the tool writes none (scores
are rounded to three places).

Why orjson: encoding was about a fifth of `parse --format jsonl` (json.dumps builds an encoder per
call) and most of writing a report's findings; orjson encodes a record several times faster and ships wheels for Linux, macOS and
Windows under Apache-2.0/MIT.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

_fast: Callable[..., bytes] | None
try:
    import orjson

    _fast, _OPTIONS, _INDENT = orjson.dumps, orjson.OPT_OMIT_MICROSECONDS, orjson.OPT_INDENT_2
except ImportError:  # pragma: no cover - orjson is a dependency; the fallback keeps a broken install working
    _fast, _OPTIONS, _INDENT = None, 0, 0


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def standard_dumps(value: Any, indent: bool = False) -> str:
    """The standard library's encoding of `value`, in the same form as `dumps` (the reference)."""
    if indent:
        return json.dumps(value, ensure_ascii=False, indent=2, default=_default)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_default)


def dumps(value: Any, indent: bool = False) -> str:
    """`value` as compact JSON text, or indented by two spaces (as `json.dumps(indent=2)`)."""
    if _fast is not None:
        try:
            return _fast(value, option=_OPTIONS | _INDENT if indent else _OPTIONS).decode("utf-8")
        except TypeError:  # orjson.JSONEncodeError is a TypeError
            pass
    return standard_dumps(value, indent)


def lines(values: Iterable[Any]) -> str:
    """Each value as compact JSON text on its own line (every line ends with LF)."""
    fast, option = _fast, _OPTIONS
    if fast is None:  # pragma: no cover
        return "".join(standard_dumps(value) + "\n" for value in values)
    parts: list[bytes] = []
    for value in values:
        try:
            parts.append(fast(value, option=option))
        except TypeError:
            parts.append(standard_dumps(value).encode("utf-8", "surrogatepass"))
    parts.append(b"")
    return b"\n".join(parts).decode("utf-8", "surrogatepass")
