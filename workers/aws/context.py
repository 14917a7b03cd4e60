"""Per-region collection context (clients, error log) and the per-scan memo shared by threads."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from functools import partial
from typing import Any, TypeVar

import boto3
from botocore.exceptions import ClientError

from workers.aws.errors import ErrorLog, is_not_found
from workers.aws.session import AccountSession

T = TypeVar("T")

# Describe one id at a time only while that is cheaper than listing the region.
PER_ID_CALL_LIMIT = 10


class ScanCache:
    """Thread-safe memo for facts shared across regions of a scan (KMS keys, trail status).

    A per-key lock makes concurrent threads wait for the first computation instead
    of repeating the AWS call.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key_locks: dict[Hashable, threading.Lock] = {}
        self._values: dict[Hashable, Any] = {}

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            if key not in self._values:
                self._values[key] = compute()
            value: T = self._values[key]
            return value


class RegionContext:
    """Everything a collection part needs for one account and region; one per thread."""

    def __init__(
        self,
        account: AccountSession,
        session: boto3.Session,
        region: str,
        *,
        cache: ScanCache | None = None,
        log: ErrorLog | None = None,
    ) -> None:
        self.account = account
        self.session = session
        self.region = region
        self.cache = cache if cache is not None else ScanCache()
        self.log = log if log is not None else ErrorLog()
        self._clients: dict[tuple[str, str], Any] = {}

    def client(self, service: str, region: str | None = None) -> Any:
        """One client per service and region, created on first use."""
        key = (service, region or self.region)
        if key not in self._clients:
            self._clients[key] = self.account.client(self.session, service, key[1])
        return self._clients[key]


def paginate(client: Any, operation: str, result_key: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of `result_key` across all pages of a paginated operation."""
    items: list[dict[str, Any]] = []
    for page in client.get_paginator(operation).paginate(**params):
        items.extend(page.get(result_key, []))
    return items


def chunked(values: Iterable[str], size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def describe_by_ids_or_listing(
    ids: Sequence[str],
    *,
    narrowed: bool,
    describe_one: Callable[[str], list[dict[str, Any]]],
    list_all: Callable[[], list[dict[str, Any]]],
    id_of: Callable[[dict[str, Any]], str],
) -> list[dict[str, Any]]:
    """Items whose id is in `ids`: per-id calls for a narrowed scan, else one region listing.

    Per-id calls only pay off when a filter picked a few resources; a fleet scan lists
    the region so its cost grows with pages, not resources. A missing id is skipped.
    """
    if not ids:
        return []
    if narrowed and len(ids) <= PER_ID_CALL_LIMIT:
        found: list[dict[str, Any]] = []
        for item_id in ids:
            found.extend(unless_not_found(partial(describe_one, item_id)))
        return found
    wanted = set(ids)
    return [item for item in list_all() if id_of(item) in wanted]


def unless_not_found(call: Callable[[], list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """`call()`, or nothing when AWS says the id asked for does not exist."""
    try:
        return call()
    except ClientError as exc:
        if is_not_found(exc):
            return []
        raise
