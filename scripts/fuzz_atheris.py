"""Coverage-guided fuzzing of the parser with atheris (opt-in; not part of the test suite).

    pip install atheris
    python scripts/fuzz_atheris.py -max_total_time=600 [corpus_dir]

Each input is written to a temporary file and parsed; the fuzzer stops on any exception other
than the tool's own InputError, and on any run whose line counts do not add up.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from whatsapp_audit import parse
    from whatsapp_audit.errors import InputError

_FOLDER = Path(tempfile.mkdtemp(prefix="wa-audit-fuzz-"))
_PATH = _FOLDER / "chat.txt"


def one_input(data: bytes) -> None:
    _PATH.write_bytes(data)
    try:
        chat = parse(_PATH)
    except InputError:
        return
    if not chat.stats.accounted:
        raise AssertionError("line counts do not add up")


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
