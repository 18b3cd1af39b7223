"""Shared fixtures: invented exports written to a temporary folder, never real chats."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

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


# Invented iOS group, written here so the case has an export that is not one of the examples.
IOS_EXTRA = """\
[04/06/2024, 08:00:01] Mo Penn: Morning all
[04/06/2024, 08:02:13] Ola Birch: Stopped CD15 XYZ on the bypass, same lad as last week
[04/06/2024, 08:03:40] Mo Penn: cheers
"""


@pytest.fixture(scope="module")
def case_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """/exhibits with two phones: phone-a holds an Android .txt and a broken .txt; phone-b an iOS zip,
    an iOS .txt in a subfolder, and a photo that is not an export."""
    root = tmp_path_factory.mktemp("case") / "exhibits"
    (root / "phone-a").mkdir(parents=True)
    (root / "phone-b" / "groups").mkdir(parents=True)
    shutil.copy(EXAMPLES / "android-b-relief.txt", root / "phone-a" / "WhatsApp Chat with B Relief.txt")
    (root / "phone-a" / "broken.txt").write_bytes(b"\x00\x01 this is not a chat \xff\n")
    shutil.copy(EXAMPLES / "ios-night-turn-with-media.zip", root / "phone-b" / "night-turn.zip")
    shutil.copy(EXAMPLES / "ios-response-team.txt", root / "phone-b" / "groups" / "response-team.txt")
    (root / "phone-b" / "groups" / "extra.txt").write_text(IOS_EXTRA, encoding="utf-8")
    (root / "phone-b" / "IMG-20240604-WA0001.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a photo")
    return root
