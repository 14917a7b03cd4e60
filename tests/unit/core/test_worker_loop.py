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


class QuittingWorker:
    """RQ's loop quits on an unhandled error (Redis lost mid-job) without a stop signal, and
    leaves the in-process job it was running for the next worker to requeue."""

    def __init__(self, log: list[str], stops: bool, interrupted: str | None) -> None:
        self._log, self._stops, self._interrupted = log, stops, interrupted

    def work(self, **_: Any) -> None:
        self._log.append("work")

    def stop_was_requested(self) -> bool:
        return self._stops

    def requeue_interrupted(self) -> str | None:
        self._log.append(f"requeue {self._interrupted}")
        return self._interrupted


def test_a_loop_that_quits_without_a_stop_signal_is_started_again_and_requeues_its_job() -> None:
    log: list[str] = []
    plan = iter([(False, "part-1"), (True, None)])
    waits: list[float] = []
    work_until_stopped(
        lambda: QuittingWorker(log, *next(plan)),  # type: ignore[arg-type,return-value]
        burst=False, with_scheduler=True, sleep=waits.append,
    )  # fmt: skip
    assert log == ["work", "requeue part-1", "work"]
    assert waits == [1.0]


def test_a_requeue_while_redis_is_still_away_is_tried_again() -> None:
    log: list[str] = []
    lost = redis.exceptions.ConnectionError("Error 111 connecting")

    class StillAway(QuittingWorker):
        def work(self, **_: Any) -> None:
            raise AssertionError("must not work before the cut-off job is requeued")

    first = QuittingWorker(log, False, "part-1")

    def failing_requeue() -> str | None:
        if log == ["work"]:  # the first try, while Redis is still away
            log.append("requeue refused")
            raise lost
        return QuittingWorker.requeue_interrupted(first)

    first.requeue_interrupted = failing_requeue  # type: ignore[method-assign]
    workers = iter([first, StillAway(log, True, None), QuittingWorker(log, True, None)])
    waits: list[float] = []
    work_until_stopped(lambda: next(workers), burst=False, with_scheduler=True, sleep=waits.append)  # type: ignore[arg-type,return-value]  # fmt: skip
    assert log == ["work", "requeue refused", "requeue part-1", "work"]
    assert waits == [1.0, 2.0]
