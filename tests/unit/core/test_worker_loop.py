"""The worker loop starts a fresh RQ worker after a lost Redis connection, and only then."""

from __future__ import annotations

from typing import Any

import pytest
import redis

from workers.platform.worker_loop import work_until_stopped


class FlakyWorker:
    def __init__(self, outcomes: list[Exception | None], started: list[int]) -> None:
        self._outcomes, self._started = outcomes, started

    def work(self, **_: Any) -> None:
        self._started.append(1)
        outcome = self._outcomes.pop(0)
        if outcome is not None:
            raise outcome


def _run(outcomes: list[Exception | None], *, burst: bool = False) -> tuple[int, list[float]]:
    started: list[int] = []
    waits: list[float] = []
    work_until_stopped(
        lambda: FlakyWorker(outcomes, started),  # type: ignore[arg-type,return-value]
        burst=burst, with_scheduler=True, sleep=waits.append,
    )  # fmt: skip
    return len(started), waits


def test_a_lost_connection_starts_a_new_worker_with_backoff() -> None:
    lost = redis.exceptions.ConnectionError("Error 111 connecting")
    assert _run([lost, lost, redis.exceptions.TimeoutError(), None]) == (4, [1.0, 2.0, 4.0])


def test_a_clean_stop_ends_the_loop() -> None:
    assert _run([None]) == (1, [])


def test_other_errors_and_burst_mode_are_not_swallowed() -> None:
    with pytest.raises(ValueError, match="bug"):
        _run([ValueError("bug")])
    with pytest.raises(redis.exceptions.ConnectionError):
        _run([redis.exceptions.ConnectionError("gone")], burst=True)
