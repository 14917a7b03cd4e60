"""The digest's 30-day trend chart as a PNG, drawn in pure Python (zlib and struct only).

Stacked bars of failing findings per day, one colour per severity, a y axis with
round ticks, day labels every few days and a legend. Days without a scan stay empty
with a grey mark on the baseline, so a gap is visible rather than drawn as zero.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from posture.base import Severity
from posture.chart_font import GLYPH_HEIGHT, glyph_pixels, text_width
from posture.history import TrendPoint

Color = tuple[int, int, int]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHART_WIDTH = 720
CHART_HEIGHT = 320

WHITE: Color = (255, 255, 255)
INK: Color = (51, 51, 51)
GRID: Color = (230, 230, 230)
GAP: Color = (190, 190, 190)
SEVERITY_COLORS: dict[Severity, Color] = {
    Severity.CRITICAL: (176, 0, 32),
    Severity.HIGH: (232, 89, 12),
    Severity.MEDIUM: (242, 194, 0),
    Severity.LOW: (74, 144, 217),
    Severity.INFO: (160, 160, 160),
}
STACK_ORDER = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO)


class Canvas:
    """An RGB pixel buffer with just the drawing the chart needs; out-of-range pixels are clipped."""

    def __init__(self, width: int, height: int, background: Color = WHITE) -> None:
        if width <= 0 or height <= 0:
            raise ValueError("a canvas needs a positive width and height")
        self.width = width
        self.height = height
        self._pixels = bytearray(bytes(background) * (width * height))

    def fill(self, x0: int, y0: int, x1: int, y1: int, color: Color) -> None:
        """Fill the rectangle [x0, x1) x [y0, y1)."""
        x0, x1 = max(x0, 0), min(x1, self.width)
        y0, y1 = max(y0, 0), min(y1, self.height)
        if x0 >= x1 or y0 >= y1:
            return
        run = bytes(color) * (x1 - x0)
        for y in range(y0, y1):
            start = (y * self.width + x0) * 3
            self._pixels[start : start + len(run)] = run

    def text(self, x: int, y: int, text: str, color: Color = INK, scale: int = 1) -> None:
        """Draw text with its top-left corner at (x, y)."""
        for index, char in enumerate(text):
            left = x + index * 6 * scale
            for column, row in glyph_pixels(char):
                px, py = left + column * scale, y + row * scale
                self.fill(px, py, px + scale, py + scale, color)

    def pixel(self, x: int, y: int) -> Color:
        start = (y * self.width + x) * 3
        red, green, blue = self._pixels[start : start + 3]
        return (red, green, blue)

    def to_png(self) -> bytes:
        return encode_png(self.width, self.height, bytes(self._pixels))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def encode_png(width: int, height: int, rgb: bytes) -> bytes:
    """8-bit truecolour PNG, no interlace; every scanline uses filter type 0."""
    stride = width * 3
    if len(rgb) != stride * height:
        raise ValueError("pixel data does not match the image size")
    raw = b"".join(b"\x00" + rgb[row * stride : (row + 1) * stride] for row in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, 9))
        + _chunk(b"IEND", b"")
    )


def nice_ceiling(value: int) -> int:
    """The axis top: four ticks of 1, 2 or 5 times a power of ten, at or above `value`."""
    magnitude = 1
    while True:
        for step in (1, 2, 5):
            top = 4 * step * magnitude
            if top >= value:
                return top
        magnitude *= 10


@dataclass(frozen=True)
class _Plot:
    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top


def _draw_axes(canvas: Canvas, plot: _Plot, top_value: int) -> None:
    for tick in range(5):
        value = top_value * tick // 4
        y = plot.bottom - plot.height * tick // 4
        canvas.fill(plot.left, y, plot.right, y + 1, GRID if tick else INK)
        label = str(value)
        canvas.text(plot.left - 6 - text_width(label), y - GLYPH_HEIGHT // 2, label)
    canvas.fill(plot.left, plot.top, plot.left + 1, plot.bottom + 1, INK)


def _draw_bar(canvas: Canvas, x0: int, x1: int, plot: _Plot, point: TrendPoint, top: int) -> None:
    if point.failing is None:
        canvas.fill(x0, plot.bottom - 2, x1, plot.bottom, GAP)
        return
    base = plot.bottom
    for severity in STACK_ORDER:
        count = getattr(point.failing, str(severity))
        height = round(plot.height * count / top)
        if count and height == 0:
            height = 1  # a non-zero count stays visible
        canvas.fill(x0, base - height, x1, base, SEVERITY_COLORS[severity])
        base -= height


def _draw_day_labels(
    canvas: Canvas, plot: _Plot, points: Sequence[TrendPoint], slot: float
) -> None:
    last = len(points) - 1
    for index, point in enumerate(points):
        if (last - index) % 5:
            continue  # label every fifth day, counting back from the newest
        label = point.day.strftime("%m/%d")
        centre = plot.left + int(slot * index + slot / 2)
        left = min(centre - text_width(label) // 2, canvas.width - text_width(label) - 2)
        canvas.text(left, plot.bottom + 6, label)


def _draw_legend(canvas: Canvas, x: int, y: int) -> None:
    for severity in STACK_ORDER:
        canvas.fill(x, y, x + 8, y + 8, SEVERITY_COLORS[severity])
        label = str(severity).upper()
        canvas.text(x + 12, y + 1, label)
        x += 12 + text_width(label) + 12


def render_trend_png(
    points: Sequence[TrendPoint],
    *,
    title: str = "FAILING FINDINGS BY SEVERITY - LAST 30 DAYS",
    width: int = CHART_WIDTH,
    height: int = CHART_HEIGHT,
) -> bytes:
    """Stacked bars of failing findings per day, oldest on the left."""
    canvas = Canvas(width, height)
    canvas.text(16, 12, title, scale=2)
    plot = _Plot(left=56, top=44, right=width - 16, bottom=height - 48)
    peak = max((p.failing.total for p in points if p.failing is not None), default=0)
    top_value = nice_ceiling(peak)
    _draw_axes(canvas, plot, top_value)
    slot = plot.width / max(len(points), 1)
    bar = max(int(slot * 0.7), 1)
    for index, point in enumerate(points):
        x0 = plot.left + int(slot * index + (slot - bar) / 2) + 1
        _draw_bar(canvas, x0, x0 + bar, plot, point, top_value)
    _draw_day_labels(canvas, plot, points, slot)
    _draw_legend(canvas, plot.left, height - 22)
    return canvas.to_png()
