"""Ids and timestamps shaped like Slack's, unique and increasing within one emulator."""

from __future__ import annotations

import itertools
import secrets
import threading
from collections.abc import Callable


class IdMint:
    """Mints message ts values ("1700000000.000100"), object ids and opaque tokens."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._last_ts_micros = 0
        self._serial = itertools.count(1)

    def now(self) -> float:
        return self._clock()

    def ts(self) -> str:
        """Wall-clock based like Slack's, bumped by 100 microseconds if the clock has not moved."""
        with self._lock:
            micros = max(int(self._clock() * 1_000_000), self._last_ts_micros + 100)
            self._last_ts_micros = micros
        seconds, fraction = divmod(micros, 1_000_000)
        return f"{seconds}.{fraction:06d}"

    def object_id(self, prefix: str) -> str:
        """F0000000001, V0000000002, Ev0000000003 ...: the prefix tells the kind, as in Slack."""
        with self._lock:
            serial = next(self._serial)
        return f"{prefix}{serial:010d}"

    def trigger_id(self) -> str:
        with self._lock:
            serial = next(self._serial)
        return f"{serial}.{int(self._clock())}.{secrets.token_hex(16)}"

    def token(self) -> str:
        """An unguessable path segment for response and upload URLs."""
        return secrets.token_urlsafe(18)
