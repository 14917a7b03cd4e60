"""What the emulator remembers about traffic: every Web API call, and faults queued for later calls."""

from __future__ import annotations

import copy
import threading
from dataclasses import asdict, dataclass
from types import MappingProxyType
from typing import Any

# Slack's own error codes for the HTTP failures a fault can simulate.
ERROR_FOR_STATUS = MappingProxyType(
    {429: "ratelimited", 500: "internal_error", 503: "service_unavailable"}
)


@dataclass(frozen=True)
class RecordedCall:
    method: str
    params: dict[str, Any]
    time: float
    response: dict[str, Any]
    status: int = 200

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Fault:
    method: str
    status: int = 429
    retry_after: int = 1
    count: int = 1
    error: str | None = None

    def body(self) -> dict[str, Any]:
        default = ERROR_FOR_STATUS.get(self.status, "fatal_error")
        return {"ok": False, "error": self.error or default}

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)} if self.status == 429 else {}


class CallLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: list[RecordedCall] = []

    def record(self, call: RecordedCall) -> None:
        with self._lock:
            self._calls.append(call)

    def calls(self, method: str | None = None) -> list[RecordedCall]:
        with self._lock:
            return [copy.deepcopy(c) for c in self._calls if method in (None, c.method)]

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()


class FaultPlan:
    """Faults waiting for their method; each fires `count` times, oldest first."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queued: list[Fault] = []

    def add(self, fault: Fault) -> None:
        if fault.count < 1:
            raise ValueError("a fault must fire at least once")
        with self._lock:
            self._queued.append(fault)

    def take(self, method: str) -> Fault | None:
        """The fault to apply to this call, if any (wildcard "*" matches every method)."""
        with self._lock:
            fault = next((f for f in self._queued if f.method in (method, "*")), None)
            if fault is None:
                return None
            fault.count -= 1
            if fault.count == 0:
                self._queued.remove(fault)
            return copy.copy(fault)

    def clear(self) -> None:
        with self._lock:
            self._queued.clear()
