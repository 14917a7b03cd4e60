"""What a worker process reuses between audit parts: service models and account sessions.

A part job used to build everything from nothing: parse the service models again, ask
STS who the default chain is (`GetCallerIdentity`) and assume the account's role
(`AssumeRole`), before its first ElastiCache call. A worker that runs parts in its own
process (see `workers.platform.worker`) keeps one `SessionCache` for its lifetime instead:

- one botocore `Loader`, warmed once, so a client costs no JSON parsing;
- one `AccountSession` per (role ARN, endpoint), reused until `max_age` passes. Assumed
  role credentials are `RefreshableCredentials` (botocore refreshes them before expiry),
  so reuse never signs with stale keys; the age limit only bounds how long a revoked
  role or a rotated default-chain key can linger (a fresh session is built after it);
- one `ScanCache` per audit run, so parts of one run share account-wide facts (KMS keys,
  trails) as the CLI's threads do.

Nothing here holds a secret beyond what botocore itself keeps in memory.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace

from botocore.loaders import Loader, create_loader

from workers.aws.context import ScanCache
from workers.aws.session import (
    AccountSession,
    CallCounter,
    assume_role_session,
    default_chain_session,
)

# The services an audit part creates clients for (workers/aws/collect*.py and targets.py).
AUDIT_SERVICES = (
    "elasticache",
    "ec2",
    "sts",
    "iam",
    "kms",
    "cloudtrail",
    "cloudwatch",
    "resourcegroupstaggingapi",
)
SESSION_MAX_AGE_SECONDS = 15 * 60
RUN_CACHES_KEPT = 8  # audit runs whose ScanCache stays; older runs' facts are dropped


def warm_loader(loader: Loader, services: tuple[str, ...] = AUDIT_SERVICES) -> Loader:
    """Parse the service models, paginators and endpoint data once, before any job runs."""
    loader.load_data("endpoints")
    loader.load_data("partitions")
    for service in services:
        for type_name in ("service-2", "paginators-1"):
            loader.load_service_model(service, type_name)
    return loader


SessionFactory = Callable[[str | None, str | None, CallCounter | None, Loader], AccountSession]


def build_session(
    role_arn: str | None, endpoint_url: str | None, counter: CallCounter | None, loader: Loader
) -> AccountSession:
    """The default chain, or a role assumed from it, all sharing `loader`."""
    base = replace(default_chain_session(endpoint_url=endpoint_url, counter=counter), loader=loader)
    if not role_arn:
        return base
    return assume_role_session(base, role_arn, counter=counter)


class SessionCache:
    """Per-process reuse of models and account sessions; safe to share between threads."""

    def __init__(
        self,
        *,
        max_age: float = SESSION_MAX_AGE_SECONDS,
        factory: SessionFactory = build_session,
        clock: Callable[[], float] = time.monotonic,
        loader: Loader | None = None,
    ) -> None:
        self.loader = loader if loader is not None else create_loader()
        self._max_age = max_age
        self._factory = factory
        self._clock = clock
        self._lock = threading.Lock()
        self._sessions: dict[tuple[str, str], tuple[float, AccountSession]] = {}
        self._runs: OrderedDict[str, ScanCache] = OrderedDict()

    def warm(self) -> SessionCache:
        warm_loader(self.loader)
        return self

    def session(
        self, role_arn: str | None, *, endpoint_url: str | None, counter: CallCounter | None = None
    ) -> AccountSession:
        """A session for the account; built (STS calls counted on `counter`) only when missing or old."""
        key = (role_arn or "", endpoint_url or "")
        now = self._clock()
        with self._lock:
            held = self._sessions.get(key)
            if held is not None and now - held[0] < self._max_age:
                return held[1]
        built = self._factory(role_arn, endpoint_url, counter, self.loader)
        with self._lock:
            self._sessions[key] = (now, built)
        return built

    def forget(self, role_arn: str | None, *, endpoint_url: str | None) -> None:
        """Drop a session, e.g. after AWS refused its credentials, so the next part rebuilds it."""
        with self._lock:
            self._sessions.pop((role_arn or "", endpoint_url or ""), None)

    def scan_cache(self, run_id: str) -> ScanCache:
        """The memo shared by the parts of one audit run that this process executes."""
        with self._lock:
            cache = self._runs.get(run_id)
            if cache is None:
                cache = self._runs[run_id] = ScanCache()
                while len(self._runs) > RUN_CACHES_KEPT:
                    self._runs.popitem(last=False)
            else:
                self._runs.move_to_end(run_id)
            return cache
