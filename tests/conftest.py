"""Shared fixtures: invented exports written to a temporary folder, never real chats."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

# The build cache (whatsapp_audit/build_cache.py) lives in a private folder of this test session,
# removed at its end: tests write nothing to the user's own cache folder, and the hundreds of scans the
# suite runs through the CLI read the configured engine back instead of building it each time (about
# 1.5 s each). Its keys hold the rules and the tool's source, so a test with its own packs gets its own
# engine; tests/test_build_cache.py points it elsewhere to test it. Subprocesses inherit it, and so do
# pytest-xdist's workers: the process that made it (the one that started them) shares it and removes it.
_SESSION_CACHE = os.environ.get("WHATSAPP_AUDIT_TEST_SESSION_CACHE", "")
if not _SESSION_CACHE:
    _SESSION_CACHE = tempfile.mkdtemp(prefix="whatsapp-audit-test-cache-")
    os.environ["WHATSAPP_AUDIT_TEST_SESSION_CACHE"] = _SESSION_CACHE
    atexit.register(shutil.rmtree, _SESSION_CACHE, True)
os.environ["WHATSAPP_AUDIT_CACHE_DIR"] = _SESSION_CACHE

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


# The parser's tests run on both paths when the C accelerator is built (docs/native.md): the C loop
# and record writer, and the pure-Python reference (WHATSAPP_AUDIT_PURE=1, inherited by the CLI
# subprocesses some of them start). Without the accelerator they run once, on the Python path.
_BOTH_PATHS = frozenset({
    "test_parser_people", "test_parser_roundtrip", "test_parser_shapes", "test_parser_structure", "test_date_order",
    "test_cli_parse", "test_fuzz_parser", "test_zip_export", "test_input_errors",
})


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    from whatsapp_audit import native

    if metafunc.module.__name__.rpartition(".")[2] in _BOTH_PATHS and native.available():
        metafunc.fixturenames.append("parser_path")
        metafunc.parametrize("parser_path", ["native", "pure"], indirect=True)


@pytest.fixture
def parser_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    from whatsapp_audit.native import PURE_VARIABLE

    if request.param == "pure":
        monkeypatch.setenv(PURE_VARIABLE, "1")
    else:
        monkeypatch.delenv(PURE_VARIABLE, raising=False)
    return str(request.param)
