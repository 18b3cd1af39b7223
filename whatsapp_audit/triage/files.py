"""Reading an investigator's own small input file (an allowlist, a review file) with one clear error."""

from __future__ import annotations

from pathlib import Path

from whatsapp_audit.errors import UsageError


def read_bounded(path: str | Path, what: str, max_bytes: int) -> tuple[bytes, str]:
    """The file's bytes (for its hash) and its UTF-8 text; UsageError naming the file when it cannot
    be read, is larger than `max_bytes` or is not UTF-8. `what` names it in the error ("the allowlist")."""
    name = str(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as error:
        raise UsageError(f"{name}: {what} cannot be read ({error.strerror})") from None
    if len(raw) > max_bytes:
        raise UsageError(f"{name}: {what} is larger than {max_bytes >> 20} MB")
    try:
        return raw, raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"{name}: {what} is not UTF-8 text") from None
