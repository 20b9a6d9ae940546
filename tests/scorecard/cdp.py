"""A minimal Chrome DevTools Protocol driver for the scorecard's browser test.

Starts headless Chromium on a loopback debugging port with a throwaway profile, opens one page and
records its network requests, console messages and exceptions. Uses the `websockets` package's
synchronous client (already in the project's lock as a dependency of the Dagster web server).
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Self

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--mute-audio",
    "--hide-scrollbars",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
)


def find_chromium() -> str | None:
    override = os.environ.get("MDQ_CHROMIUM")
    if override:
        return override if Path(override).exists() else None
    for name in CHROMIUM_CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


class CdpError(RuntimeError):
    pass


class Browser:
    """One headless Chromium with one page; use as a context manager."""

    def __init__(self, executable: str, timeout: float = 20.0):
        self.executable, self.timeout = executable, timeout
        self.requests: list[str] = []
        self.console: list[dict[str, Any]] = []
        self.exceptions: list[str] = []
        self._ids = itertools.count(1)
        self._events: list[dict[str, Any]] = []
        self._pending: set[str] = set()  # network requests started and not yet finished or failed
        self._last_activity = time.monotonic()

    def __enter__(self) -> Self:
        from websockets.sync.client import connect

        self._profile = tempfile.mkdtemp(prefix="mdq-chromium-")
        self._proc = subprocess.Popen(
            [self.executable, *CHROMIUM_FLAGS, f"--user-data-dir={self._profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        url = None
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            line = self._proc.stderr.readline()
            if not line and self._proc.poll() is not None:
                break
            match = re.search(r"DevTools listening on (ws://\S+)", line)
            if match:
                url = match.group(1)
                break
        if url is None:
            self._stop()
            raise CdpError("Chromium did not report its DevTools endpoint")
        # Drain stderr so Chromium never blocks on a full pipe.
        threading.Thread(target=lambda: [None for _ in self._proc.stderr], daemon=True).start()
        self._stack = contextlib.ExitStack()
        self._ws = self._stack.enter_context(connect(url, max_size=None, open_timeout=self.timeout))
        target = self.call("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self._session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True}, session=False)[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Network", "Log"):
            self.call(f"{domain}.enable")
        return self

    def __exit__(self, *exc) -> None:
        try:
            self._stack.close()
        finally:
            self._stop()

    def _stop(self) -> None:
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(5)
        shutil.rmtree(self._profile, ignore_errors=True)

    def _record(self, message: dict[str, Any]) -> None:
        method, params = message.get("method"), message.get("params", {})
        if method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
            self._pending.add(params.get("requestId", ""))
            self._last_activity = time.monotonic()
        elif method in ("Network.loadingFinished", "Network.loadingFailed"):
            self._pending.discard(params.get("requestId", ""))
            self._last_activity = time.monotonic()
        elif method == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
            self.console.append({"level": params.get("type"), "text": text})
        elif method == "Log.entryAdded":
            entry = params["entry"]
            self.console.append({"level": entry.get("level"), "text": entry.get("text"), "url": entry.get("url")})
        elif method == "Runtime.exceptionThrown":
            self.exceptions.append(json.dumps(params.get("exceptionDetails", {}))[:500])
        self._events.append(message)

    def call(self, method: str, params: dict[str, Any] | None = None, session: bool = True) -> dict[str, Any]:
        ident = next(self._ids)
        message: dict[str, Any] = {"id": ident, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self._session
        self._ws.send(json.dumps(message))
        deadline = time.monotonic() + self.timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise CdpError(f"{method}: no answer in {self.timeout} s")
            reply = json.loads(self._ws.recv(timeout=remaining))
            if reply.get("id") == ident:
                if "error" in reply:
                    raise CdpError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self._record(reply)

    def wait_for(self, method: str) -> dict[str, Any]:
        for i, event in enumerate(self._events):
            if event.get("method") == method:
                del self._events[i]
                return event
        deadline = time.monotonic() + self.timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise CdpError(f"no {method} in {self.timeout} s")
            message = json.loads(self._ws.recv(timeout=remaining))
            self._record(message)
            if message.get("method") == method:
                self._events.remove(message)
                return message

    def wait_until(self, expression: str, timeout: float | None = None) -> Any:
        """Evaluate ``expression`` until it is truthy and return its value: a UI transition (a tab
        shown, a dropdown opened) is waited for by its effect, with a deadline, never a fixed sleep."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise CdpError(f"still {value!r} after {timeout or self.timeout} s: {expression}")
            time.sleep(0.02)  # a poll interval, not a guess at how long the transition takes

    def wait_for_quiet(self, quiet: float = 0.25, timeout: float | None = None) -> None:
        """Wait until the page has loaded and no request has started or ended for ``quiet`` seconds
        (late loads such as the favicon are then finished or failed and recorded), with a deadline."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while time.monotonic() < deadline:
            complete = self.evaluate("document.readyState") == "complete"  # also drains pending events
            if complete and not self._pending and time.monotonic() - self._last_activity >= quiet:
                return
            time.sleep(0.02)
        raise CdpError(f"the page kept loading for {timeout or self.timeout} s: {sorted(self._pending)}")

    def open(self, url: str, width: int = 1366, height: int = 900) -> None:
        self.viewport(width, height)
        self.call("Page.navigate", {"url": url})
        self.wait_for("Page.loadEventFired")

    def viewport(self, width: int, height: int) -> None:
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )

    def evaluate(self, expression: str, await_promise: bool = False) -> Any:
        result = self.call(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": await_promise}
        )
        if "exceptionDetails" in result:
            raise CdpError(f"evaluate failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def media(self, media: str) -> None:
        self.call("Emulation.setEmulatedMedia", {"media": media})

    def screenshot(self, path: Path, y: float = 0, height: float | None = None, width: float | None = None) -> Path:
        metrics = self.call("Page.getLayoutMetrics")["cssContentSize"]
        clip = {
            "x": 0,
            "y": y,
            "width": width or metrics["width"],
            "height": height or metrics["height"] - y,
            "scale": 1,
        }
        data = self.call("Page.captureScreenshot", {"format": "png", "clip": clip, "captureBeyondViewport": True})
        path.write_bytes(base64.b64decode(data["data"]))
        return path

    def pdf(self, path: Path) -> Path:
        data = self.call(
            "Page.printToPDF",
            {"paperWidth": 8.27, "paperHeight": 11.69, "printBackground": True, "preferCSSPageSize": True},
        )
        path.write_bytes(base64.b64decode(data["data"]))
        return path
