"""Just enough Chrome DevTools Protocol (over a stdlib WebSocket) to click around the demo page."""

from __future__ import annotations

import base64
import json
import os
import re
import socket
import struct
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


class CdpPage:
    def __init__(self, ws_url: str) -> None:
        parts = urlsplit(ws_url)
        self._sock = socket.create_connection((parts.hostname, parts.port), timeout=15)
        self._handshake(parts.netloc, parts.path)
        self._next_id = 0

    def _handshake(self, host: str, path: str) -> None:
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        self._sock.sendall(request.encode())
        reply = b""
        while b"\r\n\r\n" not in reply:
            reply += self._sock.recv(1)
        assert b" 101 " in reply.split(b"\r\n", 1)[0], reply

    def _send(self, text: str) -> None:
        payload = text.encode()
        mask = os.urandom(4)
        size = len(payload)
        if size < 126:
            header = struct.pack("!BB", 0x81, 0x80 | size)
        elif size < 65536:
            header = struct.pack("!BBH", 0x81, 0x80 | 126, size)
        else:
            header = struct.pack("!BBQ", 0x81, 0x80 | 127, size)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self._sock.sendall(header + mask + masked)

    def _read_exact(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = self._sock.recv(size - len(data))
            if not chunk:
                raise ConnectionError("devtools closed the socket")
            data += chunk
        return data

    def _receive(self) -> str:
        message = b""
        while True:
            first, second = self._read_exact(2)
            size = second & 0x7F
            if size == 126:
                size = struct.unpack("!H", self._read_exact(2))[0]
            elif size == 127:
                size = struct.unpack("!Q", self._read_exact(8))[0]
            message += self._read_exact(size)
            if first & 0x80:
                return message.decode()

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        self._send(json.dumps({"id": self._next_id, "method": method, "params": params}))
        while True:
            reply = json.loads(self._receive())
            if reply.get("id") == self._next_id:
                return reply

    def evaluate(self, expression: str) -> Any:
        reply = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return reply["result"]["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 10.0) -> Any:
        return wait_until(lambda: self.evaluate(expression), timeout)

    def close(self) -> None:
        self._sock.close()


def wait_until(check: Callable[[], Any], timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


@contextmanager
def browser_page(chromium: str, url: str, profile: Path) -> Iterator[CdpPage]:
    """Start headless Chromium on url with a private profile; stop it (by handle) afterwards."""
    command = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--remote-debugging-address=127.0.0.1",
        "--remote-debugging-port=0",
        f"--user-data-dir={profile}",
        url,
    ]
    process = subprocess.Popen(
        command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True
    )
    try:
        page = CdpPage(_page_socket(_devtools_port(process)))
        try:
            yield page
        finally:
            page.close()
    finally:
        process.terminate()
        process.wait(timeout=10)


def _devtools_port(process: subprocess.Popen[str]) -> int:
    assert process.stderr is not None
    for line in process.stderr:
        found = re.search(r"DevTools listening on ws://127\.0\.0\.1:(\d+)/", line)
        if found:
            # Keep draining stderr so a chatty browser never blocks on a full pipe.
            threading.Thread(target=process.stderr.read, daemon=True).start()
            return int(found.group(1))
    raise RuntimeError("chromium exited before opening DevTools")


def _page_socket(port: int) -> str:
    def page_target() -> str | None:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as reply:
            targets = json.loads(reply.read())
        pages = [t for t in targets if t.get("type") == "page"]
        return pages[0]["webSocketDebuggerUrl"] if pages else None

    return str(wait_until(page_target))
