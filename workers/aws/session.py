"""boto3 sessions for one AWS account, a retrying client config, and an API call counter.

boto3 sessions are not thread-safe, so an `AccountSession` never hands out one shared
session: it holds the account's resolved credentials (refreshable for assumed roles)
and builds a fresh boto3 session per thread, all sharing those credentials.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.credentials import (
    CredentialProvider,
    CredentialResolver,
    Credentials,
    RefreshableCredentials,
)
from botocore.loaders import Loader, create_loader

ROLE_SESSION_NAME = "cachewarden"
# Retries after the first attempt; with backoff capped at 20 s a stuck call gives up in ~30 s.
DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_STS_REGION = "us-east-1"


def client_config(
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    *,
    connect_timeout: float = 5.0,
    read_timeout: float = 30.0,
    max_pool_connections: int = 16,
) -> Config:
    """Adaptive retries absorb throttling at fleet scale; timeouts stop one dead region stalling a scan.

    botocore reads `max_attempts` as the number of retries after the first attempt.
    """
    return Config(
        retries={"mode": "adaptive", "max_attempts": max_attempts},
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        max_pool_connections=max_pool_connections,
    )


OperationKey = tuple[str, str]


class CallCounter:
    """Counts API calls and HTTP attempts per (service, operation), across threads.

    A call is one client method invocation; attempts are the HTTP requests sent for
    it, retries included, so `attempts - calls` is roughly the retry count. Services
    are named by their hyphenated service id (`elasticache`, `resource-groups-tagging-api`).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: Counter[OperationKey] = Counter()
        self._attempts: Counter[OperationKey] = Counter()

    def attach(self, session: boto3.Session) -> None:
        """Register on the session's events; clients created afterwards report here."""
        unique = f"cachewarden-call-counter-{id(self)}"
        events = session.events
        # provide-client-params reaches every handler, even when a Stubber answers the call.
        events.register("provide-client-params", self._on_call, unique_id=f"{unique}-call")
        # before-send is emitted once per HTTP attempt, retries included.
        events.register("before-send", self._on_attempt, unique_id=f"{unique}-attempt")

    def _on_call(self, model: Any, **_: Any) -> None:
        service = model.service_model.service_id.hyphenize()
        self._add(self._calls, (service, model.name))

    def _on_attempt(self, event_name: str, **_: Any) -> None:
        # before-send.<service-id>.<Operation>
        _event, service, operation = event_name.split(".", 2)
        self._add(self._attempts, (service, operation))

    def _add(self, counter: Counter[OperationKey], key: OperationKey) -> None:
        with self._lock:
            counter[key] += 1

    def calls(self) -> dict[OperationKey, int]:
        with self._lock:
            return dict(self._calls)

    def attempts(self) -> dict[OperationKey, int]:
        with self._lock:
            return dict(self._attempts)

    @property
    def total_calls(self) -> int:
        with self._lock:
            return sum(self._calls.values())

    @property
    def total_attempts(self) -> int:
        with self._lock:
            return sum(self._attempts.values())


class CallNotAllowed(PermissionError):
    """A session limited to a declared list of calls was asked for another one."""


@dataclass(frozen=True)
class CallGuard:
    """Refuses, before it is signed, any call outside `allowed`; reports each allowed call."""

    allowed: frozenset[OperationKey]
    on_call: Callable[[str, str], None] | None = None

    def attach(self, session: boto3.Session) -> None:
        session.events.register(
            "provide-client-params", self._check, unique_id=f"cachewarden-guard-{id(self)}"
        )

    def _check(self, model: Any, **_: Any) -> None:
        service = model.service_model.service_id.hyphenize()
        if (service, model.name) not in self.allowed:
            raise CallNotAllowed(f"{service}:{model.name} is not a declared remediation call")
        if self.on_call is not None:
            self.on_call(service, model.name)


class _SharedCredentialProvider(CredentialProvider):  # type: ignore[misc]
    """Hands every per-thread session the same (thread-safe, refreshable) credentials."""

    METHOD = "cachewarden-shared"
    CANONICAL_NAME = "CachewardenShared"

    def __init__(self, credentials: Credentials) -> None:
        super().__init__()
        self._credentials = credentials

    def load(self) -> Credentials:
        return self._credentials


class MissingCredentialsError(RuntimeError):
    """The default credential chain found nothing to sign requests with."""


@dataclass(frozen=True)
class AccountSession:
    """How to reach one AWS account: resolved credentials plus client settings."""

    account_id: str
    credentials: Credentials = field(repr=False)
    role_arn: str | None = None
    endpoint_url: str | None = None
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    # One service-model loader per account: parsing the JSON models dominates client creation.
    loader: Loader = field(default_factory=create_loader, repr=False, compare=False)
    guard: CallGuard | None = field(default=None, repr=False, compare=False)

    def new_session(self, counter: CallCounter | None = None) -> boto3.Session:
        """A fresh boto3 session for the calling thread, counted when a counter is given."""
        core = botocore.session.Session()
        core.register_component("data_loader", self.loader)
        core.register_component(
            "credential_provider",
            CredentialResolver(providers=[_SharedCredentialProvider(self.credentials)]),
        )
        session = boto3.Session(botocore_session=core)
        if self.guard is not None:
            self.guard.attach(session)
        if counter is not None:
            counter.attach(session)
        return session

    def client(self, session: boto3.Session, service: str, region: str) -> Any:
        """A client of `session` with the retrying config and the optional endpoint override."""
        return session.client(
            service,
            region_name=region,
            config=client_config(self.max_attempts),
            endpoint_url=self.endpoint_url,
        )


def default_chain_session(
    *,
    endpoint_url: str | None = None,
    counter: CallCounter | None = None,
    region: str | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> AccountSession:
    """The account the default credential chain signs for (`sts.get_caller_identity`)."""
    base = boto3.Session()
    credentials = base.get_credentials()
    if credentials is None:
        raise MissingCredentialsError("no AWS credentials found in the default chain")
    if counter is not None:
        counter.attach(base)
    sts_region = region or base.region_name or DEFAULT_STS_REGION
    sts = base.client(
        "sts", region_name=sts_region, config=client_config(max_attempts), endpoint_url=endpoint_url
    )
    identity = sts.get_caller_identity()
    return AccountSession(
        account_id=identity["Account"],
        credentials=credentials,
        endpoint_url=endpoint_url,
        max_attempts=max_attempts,
    )


def account_of_role(role_arn: str) -> str:
    """`arn:aws:iam::123456789012:role/name` -> `123456789012`."""
    parts = role_arn.split(":")
    if len(parts) < 6 or parts[2] != "iam" or not parts[5].startswith("role/"):
        raise ValueError(f"not an IAM role ARN: {role_arn!r}")
    return parts[4]


def assume_role_session(
    base: AccountSession,
    role_arn: str,
    *,
    external_id: str | None = None,
    duration_seconds: int = 3600,
    counter: CallCounter | None = None,
    sts_region: str = DEFAULT_STS_REGION,
) -> AccountSession:
    """Assume `role_arn` from `base` now (failures raise here) and refresh before expiry."""
    sts = base.client(base.new_session(counter), "sts", sts_region)
    params: dict[str, Any] = {
        "RoleArn": role_arn,
        "RoleSessionName": ROLE_SESSION_NAME,
        "DurationSeconds": duration_seconds,
    }
    if external_id:
        params["ExternalId"] = external_id

    def fetch() -> dict[str, str]:
        found = sts.assume_role(**params)["Credentials"]
        return {
            "access_key": found["AccessKeyId"],
            "secret_key": found["SecretAccessKey"],
            "token": found["SessionToken"],
            "expiry_time": _as_utc(found["Expiration"]).isoformat(),
        }

    credentials = RefreshableCredentials.create_from_metadata(
        metadata=fetch(), refresh_using=fetch, method="assume-role"
    )
    return AccountSession(
        account_id=account_of_role(role_arn),
        credentials=credentials,
        role_arn=role_arn,
        endpoint_url=base.endpoint_url,
        max_attempts=base.max_attempts,
        loader=base.loader,
    )


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
