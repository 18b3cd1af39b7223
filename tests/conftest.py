"""Shared fixtures: invented exports written to a temporary folder, never real chats."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

WriteExport = Callable[..., Path]


@pytest.fixture
def write_export(tmp_path: Path) -> WriteExport:
    """Write text (UTF-8 unless bytes are given) as an export file in its own folder."""

    def write(content: str | bytes, name: str = "chat.txt") -> Path:
        folder = tmp_path / "exhibit"
        folder.mkdir(exist_ok=True)
        path = folder / name
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return path

    return write


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    """A folder for outputs, apart from the exhibit's folder."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder
