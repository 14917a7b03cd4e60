"""The two app icons Teams requires, drawn in code (no binary files in the repository).

color.png: 192x192, full colour. outline.png: 32x32, white on a transparent background.
https://learn.microsoft.com/en-us/microsoftteams/platform/concepts/build-and-test/apps-package#app-icons
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable

Pixel = tuple[int, int, int, int]
ACCENT = (0x0B, 0x6E, 0x99, 0xFF)
WHITE = (0xFF, 0xFF, 0xFF, 0xFF)
CLEAR = (0, 0, 0, 0)


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def png(size: int, paint: Callable[[float, float], Pixel]) -> bytes:
    """An RGBA PNG; `paint` gets coordinates in [0, 1) and returns a pixel."""
    rows = bytearray()
    for y in range(size):
        rows.append(0)  # filter: none
        for x in range(size):
            rows.extend(paint((x + 0.5) / size, (y + 0.5) / size))
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", header),
            _chunk(b"IDAT", zlib.compress(bytes(rows), 9)),
            _chunk(b"IEND", b""),
        ]
    )


def _ring(x: float, y: float, inner: float, outer: float) -> bool:
    """A "C": a ring around the centre with its right side open."""
    dx, dy = x - 0.5, y - 0.5
    distance = (dx * dx + dy * dy) ** 0.5
    opening = dx > 0.12 and abs(dy) < 0.16
    return inner <= distance <= outer and not opening


def color_icon() -> bytes:
    return png(192, lambda x, y: WHITE if _ring(x, y, 0.22, 0.34) else ACCENT)


def outline_icon() -> bytes:
    return png(32, lambda x, y: WHITE if _ring(x, y, 0.26, 0.44) else CLEAR)
