"""The environment a job runs in, handed over by the process entry point.

RQ calls job functions by import path with JSON arguments only, so the Redis
connection, the notifier and the configuration cannot be arguments. The worker
entry point sets them here once; jobs read them with `environment()`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import redis

from posture.conversations import Platform
from workers.platform.config import AppConfig
from workers.platform.notifier import Notifier, Notifiers

if TYPE_CHECKING:
    from workers.aws.session_cache import SessionCache


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class JobEnvironment:
    connection: redis.Redis
    notifier: Notifier  # the default front end's; jobs pick one by the platform they stored
    config: AppConfig
    endpoint_url: str | None = None  # fake AWS in tests and the demo; None means AWS
    clock: Callable[[], datetime] = field(default=_utcnow)
    default_platform: Platform = Platform.SLACK
    other_notifiers: Mapping[Platform, Notifier] = field(default_factory=dict)

    @property
    def notifiers(self) -> Notifiers:
        """Requests and rotations answer on the platform they came from."""
        return Notifiers({**self.other_notifiers, self.default_platform: self.notifier})

    # Set by a worker that runs audit parts in-process (workers.platform.worker): sessions reused per account.
    sessions: SessionCache | None = None


_environment: ContextVar[JobEnvironment | None] = ContextVar("cachewarden_job_env", default=None)


class EnvironmentMissing(RuntimeError):
    pass


def environment() -> JobEnvironment:
    env = _environment.get()
    if env is None:
        raise EnvironmentMissing("job started outside `cachewarden worker` (no environment set)")
    return env


@contextlib.contextmanager
def use_environment(env: JobEnvironment) -> Iterator[JobEnvironment]:
    token = _environment.set(env)
    try:
        yield env
    finally:
        _environment.reset(token)
