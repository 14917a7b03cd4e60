"""An emulated Slack Socket Mode endpoint on 127.0.0.1.

What Slack does (https://api.slack.com/apis/socket-mode): `apps.connections.open`, called
with the app-level token, answers a one-use WebSocket URL; on connecting the app gets a
`hello`; requests arrive as envelopes `{"envelope_id", "type", "payload",
"accepts_response_payload"}` and the app acknowledges each by sending back
`{"envelope_id", "payload"?}`; a `disconnect` message (`refresh_requested`, `warning`)
asks the app to open a new connection, after which Slack closes the old one.
"""

from __future__ import annotations

import json
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sandbox.socket_mode import frames


@dataclass
class _Connection:
    sock: socket.socket
    number: int
    send_lock: threading.Lock = field(default_factory=threading.Lock)
    open: bool = True

    def send_json(self, message: dict[str, Any]) -> None:
        with self.send_lock:
            self.sock.sendall(frames.encode(frames.TEXT, json.dumps(message).encode()))

    def close(self, code: int = 1000) -> None:
        if not self.open:
            return
        self.open = False
        try:
            with self.send_lock:
                self.sock.sendall(frames.encode(frames.CLOSE, code.to_bytes(2, "big")))
        except OSError:
            pass
        self.sock.close()


class SocketModeServer:
    def __init__(self, app_token: str, app_id: str = "A_CACHEWARDEN") -> None:
        self.app_token = app_token
        self.app_id = app_id
        self._listener: socket.socket | None = None
        self._tickets: set[str] = set()
        self._connections: list[_Connection] = []
        self._acks: dict[str, dict[str, Any]] = {}
        self._changed = threading.Condition()
        self.refused_handshakes = 0

    # lifecycle ---------------------------------------------------------------------------
    def start(self) -> SocketModeServer:
        listener = socket.create_server(("127.0.0.1", 0))
        self._listener = listener
        threading.Thread(target=self._accept_loop, name="socket-mode", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        for connection in self._connections:
            connection.close()

    @property
    def port(self) -> int:
        if self._listener is None:
            raise RuntimeError("the Socket Mode server is not started")
        return int(self._listener.getsockname()[1])

    # apps.connections.open -----------------------------------------------------------------
    def open_url(self) -> str:
        ticket = secrets.token_hex(8)
        with self._changed:
            self._tickets.add(ticket)
        return f"ws://127.0.0.1:{self.port}/link/?ticket={ticket}&app_id={self.app_id}"

    # what a test drives ------------------------------------------------------------------
    @property
    def connections_opened(self) -> int:
        return len(self._connections)

    @property
    def open_connections(self) -> int:
        return sum(1 for c in self._connections if c.open)

    def wait_connected(self, count: int = 1, timeout: float = 30.0) -> None:
        """Until `count` connections have been opened in all (and the last is still open)."""
        with self._changed:
            if not self._changed.wait_for(
                lambda: len(self._connections) >= count and self._connections[-1].open, timeout
            ):
                raise TimeoutError(f"no Socket Mode connection #{count} within {timeout}s")

    def send(self, kind: str, payload: dict[str, Any], *, accepts_response_payload: bool) -> str:
        """Deliver one envelope on the newest open connection; returns its envelope_id."""
        envelope_id = secrets.token_hex(12)
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
            "retry_attempt": 0,
            "retry_reason": "",
        }
        self._newest().send_json(envelope)
        return envelope_id

    def wait_ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        with self._changed:
            if not self._changed.wait_for(lambda: envelope_id in self._acks, timeout):
                raise TimeoutError(f"envelope {envelope_id} was not acknowledged in {timeout}s")
            return self._acks.pop(envelope_id)

    def request_refresh(self, reason: str = "refresh_requested", grace: float = 10.0) -> None:
        """Ask the app to reconnect, then close the old connection once the new one is up."""
        old = self._newest()
        old.send_json({"type": "disconnect", "reason": reason, "debug_info": {"host": "emu"}})

        def close_when_replaced() -> None:
            deadline = time.monotonic() + grace
            with self._changed:
                self._changed.wait_for(lambda: self._connections[-1] is not old, grace)
            time.sleep(max(0.0, min(0.2, deadline - time.monotonic())))
            old.close()

        threading.Thread(target=close_when_replaced, daemon=True).start()

    def _newest(self) -> _Connection:
        with self._changed:
            for connection in reversed(self._connections):
                if connection.open:
                    return connection
        raise RuntimeError("no open Socket Mode connection")

    # the wire ----------------------------------------------------------------------------
    def _accept_loop(self) -> None:
        while self._listener is not None:
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(sock,), daemon=True).start()

    def _serve(self, sock: socket.socket) -> None:
        try:
            connection = self._handshake(sock)
        except (frames.ConnectionClosed, OSError):
            sock.close()
            return
        if connection is None:
            return
        connection.send_json(
            {
                "type": "hello",
                "num_connections": self.open_connections,
                "debug_info": {"host": "emu", "approximate_connection_time": 3600},
                "connection_info": {"app_id": self.app_id},
            }
        )
        try:
            self._read_loop(connection)
        except (frames.ConnectionClosed, OSError):
            pass
        finally:
            connection.open = False
            sock.close()
            with self._changed:
                self._changed.notify_all()

    def _handshake(self, sock: socket.socket) -> _Connection | None:
        target, headers = frames.read_handshake(sock)
        ticket = (parse_qs(urlsplit(target).query).get("ticket") or [""])[0]
        with self._changed:
            valid = ticket in self._tickets
            self._tickets.discard(ticket)
        key = headers.get("sec-websocket-key", "")
        if not valid or headers.get("upgrade", "").lower() != "websocket" or not key:
            self.refused_handshakes += 1
            sock.sendall(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n")
            sock.close()
            return None
        sock.sendall(
            (
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Accept: {frames.accept_key(key)}\r\n\r\n"
            ).encode()
        )
        with self._changed:
            connection = _Connection(sock, len(self._connections) + 1)
            self._connections.append(connection)
            self._changed.notify_all()
        return connection

    def _read_loop(self, connection: _Connection) -> None:
        while connection.open:
            frame = frames.read_frame(connection.sock)
            if frame.opcode == frames.PING:
                with connection.send_lock:
                    connection.sock.sendall(frames.encode(frames.PONG, frame.payload))
            elif frame.opcode == frames.CLOSE:
                connection.close()
            elif frame.opcode == frames.TEXT:
                self._on_text(frame.payload)

    def _on_text(self, data: bytes) -> None:
        try:
            message = json.loads(data.decode("utf-8"))
        except ValueError:
            return
        if isinstance(message, dict) and isinstance(message.get("envelope_id"), str):
            with self._changed:
                self._acks[message["envelope_id"]] = message
                self._changed.notify_all()
