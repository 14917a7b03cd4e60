"""The few WebSocket pieces (RFC 6455) an emulated Socket Mode server needs, standard library only."""

from __future__ import annotations

import base64
import hashlib
import socket
import struct
from dataclasses import dataclass

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA
MAX_FRAME = 16 * 1024 * 1024


class ConnectionClosed(Exception):
    """The peer went away mid-frame or sent a frame the server will not take."""


@dataclass(frozen=True)
class Frame:
    opcode: int
    payload: bytes


def accept_key(client_key: str) -> str:
    return base64.b64encode(hashlib.sha1(client_key.encode() + _GUID).digest()).decode()  # noqa: S324 - fixed by RFC 6455


def encode(opcode: int, payload: bytes) -> bytes:
    """A server frame: final, unmasked (RFC 6455 5.1: servers never mask)."""
    head = bytes([0x80 | opcode])
    size = len(payload)
    if size < 126:
        head += bytes([size])
    elif size < 1 << 16:
        head += bytes([126]) + struct.pack("!H", size)
    else:
        head += bytes([127]) + struct.pack("!Q", size)
    return head + payload


def _exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionClosed("peer closed")
        data += chunk
    return data


def read_frame(sock: socket.socket) -> Frame:
    """One client frame, unmasked. Clients must mask (RFC 6455 5.3); fragments are joined."""
    payload, opcode = b"", 0
    while True:
        first, second = _exactly(sock, 2)
        size = second & 0x7F
        if size == 126:
            size = struct.unpack("!H", _exactly(sock, 2))[0]
        elif size == 127:
            size = struct.unpack("!Q", _exactly(sock, 8))[0]
        if size > MAX_FRAME or not second & 0x80:
            raise ConnectionClosed("oversized or unmasked client frame")
        mask = _exactly(sock, 4)
        data = bytes(b ^ mask[i % 4] for i, b in enumerate(_exactly(sock, size)))
        opcode = opcode or (first & 0x0F)
        if first & 0x0F in (CLOSE, PING, PONG):  # control frames are never fragmented
            return Frame(first & 0x0F, data)
        payload += data
        if first & 0x80:
            return Frame(opcode, payload)


def read_handshake(sock: socket.socket, limit: int = 16384) -> tuple[str, dict[str, str]]:
    """The client's upgrade request: its target and headers (names lower-cased)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(1024)
        if not chunk or len(data) > limit:
            raise ConnectionClosed("no complete handshake")
        data += chunk
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    request_line, *lines = head.split("\r\n")
    parts = request_line.split()
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return (parts[1] if len(parts) > 1 else ""), headers
