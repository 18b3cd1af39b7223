"""Drive headless Chromium over the DevTools protocol on a pipe (`--remote-debugging-pipe`): no
network port, no browser-automation library. Enough for the HTML report's tests: open a page,
press keys as a user does, type into fields, run a line of script to read the page, and catch a
download the page makes.

The protocol goes over file descriptors 3 (to the browser) and 4 (from it), one JSON message per
NUL-terminated frame (the same transport Puppeteer's `pipe: true` uses).
"""

from __future__ import annotations

import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

BROWSER = next((shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome") if shutil.which(name)),
               None)
# key -> (key, code, windowsVirtualKeyCode)
KEYS = {"ArrowDown": ("ArrowDown", "ArrowDown", 40), "ArrowUp": ("ArrowUp", "ArrowUp", 38),
        "Escape": ("Escape", "Escape", 27), "Enter": ("Enter", "Enter", 13)}


class Browser:
    """One headless Chromium with one page. Use as a context manager."""

    def __init__(self, profile: Path, timeout: float = 60.0) -> None:
        assert BROWSER is not None
        to_browser_read, self._write = os.pipe()
        self._read, from_browser_write = os.pipe()
        # Above 9 so the shell's 3<& and 4>& never clash with the pipe ends themselves.
        low = (to_browser_read, from_browser_write)
        high_read, high_write = (fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in low)
        for fd in low:
            os.close(fd)
        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
                 "--remote-debugging-pipe", "about:blank"]
        script = f'exec "$0" "$@" 3<&{high_read} 4>&{high_write} {high_read}<&- {high_write}>&-'
        self.process = subprocess.Popen(["bash", "-c", script, BROWSER, *flags], pass_fds=(high_read, high_write),
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        os.close(high_read)
        os.close(high_write)
        self.timeout = timeout
        self._buffer = b""
        self._next = 0
        self.events: list[dict[str, Any]] = []
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.send("Page.enable", session=True)
        self.send("Runtime.enable", session=True)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *_: object) -> None:
        try:
            self.send("Browser.close")
        except (OSError, EOFError, TimeoutError, RuntimeError):
            pass
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._write)
        os.close(self._read)

    def send(self, method: str, session: bool = False, **params: Any) -> dict[str, Any]:
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        os.write(self._write, json.dumps(message).encode("utf-8") + b"\0")
        while True:
            reply = self._receive(self.timeout)
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            self.events.append(reply)

    def _receive(self, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._read], [], [], max(0.0, left))
            if not ready:
                raise TimeoutError("no answer from the browser")
            chunk = os.read(self._read, 1 << 16)
            if not chunk:
                raise EOFError("the browser closed the pipe")
            self._buffer += chunk
        frame, _, self._buffer = self._buffer.partition(b"\0")
        message: dict[str, Any] = json.loads(frame)
        return message

    def wait_for(self, method: str, timeout: float | None = None, **match: Any) -> dict[str, Any]:
        """The first event `method` (whose params include `match`), from those already seen or to come."""
        def fits(event: dict[str, Any]) -> bool:
            params = event.get("params", {})
            return event.get("method") == method and all(params.get(k) == v for k, v in match.items())

        for position, event in enumerate(self.events):
            if fits(event):
                return self.events.pop(position)
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            event = self._receive(max(0.0, deadline - time.monotonic()))
            if fits(event):
                return event
            self.events.append(event)

    def open(self, url: str) -> None:
        self.events.clear()
        self.send("Page.navigate", session=True, url=url)
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", session=True, expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"].get("text", "script error"))
        return result["result"].get("value")

    def press(self, key: str) -> None:
        """One key as a user presses it: a printable character, or a name from KEYS."""
        if key in KEYS:
            name, code, virtual = KEYS[key]
        else:
            name, code, virtual = key, (f"Key{key.upper()}" if key.isalpha() else f"Digit{key}"), ord(key.upper())
        text = key if key not in KEYS else ("\r" if key == "Enter" else "")
        for kind in ("keyDown", "keyUp"):
            params: dict[str, Any] = {"type": kind, "key": name, "code": code, "windowsVirtualKeyCode": virtual}
            if kind == "keyDown" and text:
                params["text"] = text
            self.send("Input.dispatchKeyEvent", session=True, **params)

    def type(self, text: str) -> None:
        self.send("Input.insertText", session=True, text=text)

    def allow_downloads(self, folder: Path) -> None:
        self.send("Browser.setDownloadBehavior", behavior="allow", downloadPath=str(folder), eventsEnabled=True)

    def downloaded(self, timeout: float | None = None) -> Path | None:
        """The path of the next finished download's file (`suggestedFilename` in its folder), or None."""
        begun = self.wait_for("Browser.downloadWillBegin", timeout)
        self.wait_for("Browser.downloadProgress", timeout, state="completed")
        return Path(begun["params"]["suggestedFilename"])
