"""Compact encodings for finding history in Redis.

A scan's open findings are stored as the sorted small integer ids of their keys,
delta-encoded as varints and zlib-compressed: a scan of 10,000 open findings costs
a few kilobytes. A key's history is one short text field.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from datetime import UTC, datetime

from posture.base import Severity
from posture.history import FindingKey, KeyHistory, key_text, parse_key_text
from posture.messages import SeverityCounts

_SEVERITY_CODES = {
    Severity.CRITICAL: "c",
    Severity.HIGH: "h",
    Severity.MEDIUM: "m",
    Severity.LOW: "l",
    Severity.INFO: "i",
}
_SEVERITY_BY_CODE = {code: severity for severity, code in _SEVERITY_CODES.items()}
_COUNT_ORDER = ("critical", "high", "medium", "low", "info")


class CorruptRecord(ValueError):
    """A stored value could not be decoded (written by another version, or damaged)."""


def pack_ids(ids: Iterable[int]) -> bytes:
    """Sorted unique ids as zlib-compressed delta varints."""
    out = bytearray()
    previous = 0
    for value in sorted(set(ids)):
        gap = value - previous
        previous = value
        while gap >= 0x80:
            out.append((gap & 0x7F) | 0x80)
            gap >>= 7
        out.append(gap)
    return zlib.compress(bytes(out), 9)


def unpack_ids(data: bytes) -> list[int]:
    try:
        raw = zlib.decompress(data)
    except zlib.error as exc:
        raise CorruptRecord("packed ids are not zlib data") from exc
    ids: list[int] = []
    value = shift = gap = 0
    for byte in raw:
        gap |= (byte & 0x7F) << shift
        if byte & 0x80:
            shift += 7
            continue
        value += gap
        ids.append(value)
        gap = shift = 0
    if shift:
        raise CorruptRecord("packed ids end in the middle of a number")
    return ids


def _epoch(moment: datetime | None) -> str:
    return "" if moment is None else str(int(moment.timestamp()))


def _moment(text: str) -> datetime | None:
    return datetime.fromtimestamp(int(text), UTC) if text else None


def encode_state(key: FindingKey, state: KeyHistory) -> str:
    """severity|first|last|opened|resolved|reopens|key (epoch seconds; the key goes last)."""
    fields = (
        _SEVERITY_CODES[state.severity],
        _epoch(state.first_seen),
        _epoch(state.last_seen),
        _epoch(state.opened_at),
        _epoch(state.resolved_at),
        str(state.reopen_count),
        key_text(key),
    )
    return "|".join(fields)


def decode_state(text: str) -> tuple[FindingKey, KeyHistory]:
    try:
        code, first, last, opened, resolved, reopens, key = text.split("|", 6)
        first_seen, last_seen, opened_at = _moment(first), _moment(last), _moment(opened)
        if first_seen is None or last_seen is None or opened_at is None:
            raise ValueError("missing timestamps")
        state = KeyHistory(
            severity=_SEVERITY_BY_CODE[code],
            first_seen=first_seen,
            last_seen=last_seen,
            opened_at=opened_at,
            resolved_at=_moment(resolved),
            reopen_count=int(reopens),
        )
        return parse_key_text(key), state
    except (ValueError, KeyError) as exc:
        raise CorruptRecord(f"unreadable key history {text[:60]!r}") from exc


def encode_counts(counts: SeverityCounts) -> str:
    return ",".join(str(getattr(counts, name)) for name in _COUNT_ORDER)


def decode_counts(text: str) -> SeverityCounts:
    if not text:
        return SeverityCounts()
    try:
        values = [int(part) for part in text.split(",")]
    except ValueError as exc:
        raise CorruptRecord(f"unreadable counts {text[:40]!r}") from exc
    return SeverityCounts(**dict(zip(_COUNT_ORDER, values, strict=False)))
