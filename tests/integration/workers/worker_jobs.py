"""Job functions for the worker test: each records the process that ran it."""

from __future__ import annotations

import os

from rq import get_current_job


def record_pid(label: str) -> int:
    job = get_current_job()
    assert job is not None
    job.connection.rpush(f"pids:{label}", os.getpid())
    return os.getpid()


def crash(label: str) -> None:
    raise RuntimeError(f"{label} failed on purpose")
