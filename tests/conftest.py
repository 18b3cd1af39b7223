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


class NetworkBlocked(RuntimeError):
    """Raised when code under test tries to open a network connection."""


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """The offline guarantee, enforced on every test: any attempt to connect fails loudly."""
    import socket

    def refuse(*args: object, **kwargs: object) -> None:
        raise NetworkBlocked(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
