"""`MaxRecords`/`Marker` paging as the ElastiCache describe calls do it."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import TypeVar

from sandbox.fake_aws.elasticache.errors import invalid_value

Item = TypeVar("Item")

MIN_RECORDS = 20
MAX_RECORDS = 100


def _encode(offset: int) -> str:
    return base64.urlsafe_b64encode(f"cw:{offset}".encode()).decode()


def _decode(marker: str) -> int:
    try:
        text = base64.urlsafe_b64decode(marker.encode()).decode()
        prefix, offset = text.split(":")
        if prefix != "cw":
            raise ValueError(prefix)
        return int(offset)
    except (ValueError, UnicodeDecodeError) as error:
        raise invalid_value(f"Invalid marker: {marker}") from error


def page(
    items: Sequence[Item],
    max_records: int | None,
    marker: str | None,
    *,
    lowest: int = MIN_RECORDS,
    highest: int = MAX_RECORDS,
) -> tuple[list[Item], str | None]:
    """One page of `items` and the marker of the next page (None on the last page)."""
    size = highest if max_records is None else max_records
    if not lowest <= size <= highest:
        raise invalid_value(f"MaxRecords must be between {lowest} and {highest}, got {size}.")
    start = _decode(marker) if marker else 0
    end = start + size
    next_marker = _encode(end) if end < len(items) else None
    return list(items[start:end]), next_marker
