"""The trend chart is a valid PNG of the expected size that shows what it was given."""

from __future__ import annotations

import struct
import zlib
from datetime import date, timedelta

import pytest

from posture.base import Severity
from posture.chart import (
    CHART_HEIGHT,
    CHART_WIDTH,
    GAP,
    PNG_SIGNATURE,
    SEVERITY_COLORS,
    Canvas,
    encode_png,
    nice_ceiling,
    render_trend_png,
)
from posture.history import TrendPoint
from posture.messages import SeverityCounts

LAST_DAY = date(2026, 5, 30)


def read_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """Check every chunk's CRC and return (width, height, scanlines without filter bytes)."""
    assert data[:8] == PNG_SIGNATURE
    offset, chunks = 8, []
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert crc == zlib.crc32(kind + body), f"bad CRC in {kind!r}"
        chunks.append((kind, body))
        offset += 12 + length
    assert next(k for k, _ in chunks) == b"IHDR" and chunks[-1] == (b"IEND", b"")
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert (depth, colour, interlace) == (8, 2, 0)
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    stride = 1 + width * 3
    assert len(raw) == stride * height
    rows = [raw[r * stride : (r + 1) * stride] for r in range(height)]
    assert all(row[0] == 0 for row in rows)
    return width, height, [row[1:] for row in rows]


def colours(rows: list[bytes]) -> set[tuple[int, int, int]]:
    found = set()
    for row in rows:
        for x in range(0, len(row), 3):
            found.add((row[x], row[x + 1], row[x + 2]))
    return found


def trend(values: list[SeverityCounts | None]) -> list[TrendPoint]:
    first = LAST_DAY - timedelta(days=len(values) - 1)
    return [TrendPoint(day=first + timedelta(days=i), failing=v) for i, v in enumerate(values)]


def test_thirty_day_chart_is_a_valid_png_of_the_expected_size() -> None:
    points = trend(
        [SeverityCounts(critical=i % 3, high=i, medium=10, low=2, info=1) for i in range(30)]
    )
    width, height, rows = read_png(render_trend_png(points))
    assert (width, height) == (CHART_WIDTH, CHART_HEIGHT) == (720, 320)
    assert set(SEVERITY_COLORS.values()) <= colours(rows)


def test_only_present_severities_are_drawn_as_bars_and_gaps_are_marked() -> None:
    points = trend([None] * 29 + [SeverityCounts(high=5)])
    _, _, rows = read_png(render_trend_png(points))
    found = colours(rows)
    assert GAP in found
    assert SEVERITY_COLORS[Severity.HIGH] in found
    # The legend draws every colour once; bars add many more pixels of the colours present.
    bar_rows = rows[44:-48]
    assert SEVERITY_COLORS[Severity.CRITICAL] not in colours(bar_rows)


def test_empty_history_still_renders() -> None:
    width, height, _ = read_png(render_trend_png(trend([None] * 30)))
    assert (width, height) == (720, 320)


def test_custom_size() -> None:
    width, height, _ = read_png(
        render_trend_png(trend([SeverityCounts(low=1)]), width=300, height=150)
    )
    assert (width, height) == (300, 150)


@pytest.mark.parametrize(
    ("peak", "top"), [(0, 4), (3, 4), (5, 8), (9, 20), (41, 80), (99, 200), (12_000, 20_000)]
)
def test_axis_top_is_a_round_number_at_or_above_the_peak(peak: int, top: int) -> None:
    assert nice_ceiling(peak) == top


def test_canvas_clips_and_encodes() -> None:
    canvas = Canvas(4, 3)
    canvas.fill(-5, -5, 2, 2, (1, 2, 3))
    canvas.fill(10, 10, 20, 20, (9, 9, 9))  # entirely outside: ignored
    assert canvas.pixel(1, 1) == (1, 2, 3) and canvas.pixel(3, 2) == (255, 255, 255)
    assert read_png(canvas.to_png())[:2] == (4, 3)
    with pytest.raises(ValueError):
        encode_png(2, 2, b"\x00" * 5)
