"""Fleet scans: every account x region collected in parallel, plus single-resource re-reads."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel, ConfigDict

from posture.base import ResourceKind, Snapshot
from posture.resources import (
    CacheCluster,
    CacheSnapshot,
    CollectionError,
    Inventory,
    ReplicationGroup,
    ReservedNode,
    ServerlessCache,
    User,
)
from workers.aws.collect import DEFAULT_LOOKBACK, collect_inventory
from workers.aws.context import ScanCache, paginate, unless_not_found
from workers.aws.errors import AWS_FAILURES, redact, to_collection_error
from workers.aws.filters import ScanFilters
from workers.aws.session import AccountSession, CallCounter
from workers.aws.targets import ResolvedTargets, ScanError, ScanTarget

LOG = logging.getLogger(__name__)
ProgressCallback = Callable[[str, str, int, int], None]
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class ScanResult(BaseModel):
    """What a scan read, how long it took and how many API calls it cost.

    `errors` lists every failure with its account and region: accounts that could not
    be reached, regions whose collection crashed, and each inventory's own errors
    (which therefore also appear in `Inventory.errors`).
    """

    model_config = ConfigDict(frozen=True)

    inventories: tuple[Inventory, ...]
    started: datetime
    finished: datetime
    api_calls: int
    api_calls_by_operation: dict[str, int]
    api_attempts: int
    errors: tuple[ScanError, ...] = ()

    @property
    def duration_seconds(self) -> float:
        return (self.finished - self.started).total_seconds()


def scan(
    targets: ResolvedTargets | Sequence[ScanTarget],
    filters: ScanFilters | None = None,
    *,
    max_workers: int = 8,
    on_progress: ProgressCallback | None = None,
    counter: CallCounter | None = None,
    lookback: timedelta = DEFAULT_LOOKBACK,
    clock: Clock = utc_now,
) -> ScanResult:
    """Collect every target on a bounded pool; errors of any kind end up in `errors`.

    Each task builds its own boto3 session (sessions are not thread-safe). IAM facts are
    account-wide, so only the first region listed for an account collects them.
    `on_progress(account, region, done, total)` runs on the calling thread.
    """
    resolved = targets if isinstance(targets, ResolvedTargets) else ResolvedTargets(tuple(targets))
    counter = counter if counter is not None else CallCounter()
    started = clock()
    inventories, task_errors = _run_targets(
        resolved.targets,
        filters or ScanFilters(),
        max_workers=max_workers,
        on_progress=on_progress,
        counter=counter,
        lookback=lookback,
        clock=clock,
    )
    region_errors = [
        ScanError.from_collection(error, inventory.account, inventory.region)
        for inventory in inventories
        for error in inventory.errors
    ]
    return ScanResult(
        inventories=inventories,
        started=started,
        finished=clock(),
        api_calls=counter.total_calls,
        api_calls_by_operation={f"{s}.{op}": n for (s, op), n in sorted(counter.calls().items())},
        api_attempts=counter.total_attempts,
        errors=(*resolved.errors, *task_errors, *region_errors),
    )


@dataclass(frozen=True)
class _ScanJob:
    """What every task of one scan shares; `collect` runs on a pool thread."""

    filters: ScanFilters
    counter: CallCounter
    lookback: timedelta
    clock: Clock
    cache: ScanCache
    first_region: Mapping[str, str]

    def collect(self, target: ScanTarget) -> Inventory:
        return collect_inventory(
            target.session,
            target.account_id,
            target.region,
            self.filters,
            counter=self.counter,
            now=self.clock(),
            lookback=self.lookback,
            include_account_facts=self.first_region[target.account_id] == target.region,
            cache=self.cache,
        )


def _run_targets(
    targets: Sequence[ScanTarget],
    filters: ScanFilters,
    *,
    max_workers: int,
    on_progress: ProgressCallback | None,
    counter: CallCounter,
    lookback: timedelta,
    clock: Clock,
) -> tuple[tuple[Inventory, ...], list[ScanError]]:
    first_region: dict[str, str] = {}
    for target in targets:
        first_region.setdefault(target.account_id, target.region)
    job = _ScanJob(filters, counter, lookback, clock, ScanCache(), first_region)
    inventories: list[Inventory] = []
    errors: list[ScanError] = []
    with ThreadPoolExecutor(max_workers=max(1, max_workers)) as pool:
        futures = {pool.submit(job.collect, target): target for target in targets}
        for done, future in enumerate(as_completed(futures), start=1):
            target = futures[future]
            try:
                inventories.append(future.result())
            except Exception as exc:  # a bug in one region must not lose the others
                errors.append(_crash(target, exc))
            _report(on_progress, target, done, len(futures))
    inventories.sort(key=lambda inventory: (inventory.account, inventory.region))
    return tuple(inventories), errors


def _report(callback: ProgressCallback | None, target: ScanTarget, done: int, total: int) -> None:
    if callback is None:
        return
    try:
        callback(target.account_id, target.region, done, total)
    except Exception:  # a failing progress message must not abort the scan
        LOG.warning(
            "progress callback failed for %s/%s", target.account_id, target.region, exc_info=True
        )


def _crash(target: ScanTarget, exc: Exception) -> ScanError:
    return ScanError(
        account_id=target.account_id,
        region=target.region,
        operation="CollectInventory",
        code=type(exc).__name__,
        message=redact(str(exc)),
    )


class CollectOneError(RuntimeError):
    """Reading one resource failed for a reason other than "it does not exist"."""

    def __init__(self, error: CollectionError) -> None:
        super().__init__(f"{error.operation}: {error.code}: {error.message}")
        self.error = error


def collect_one(
    session: AccountSession,
    account: str,
    region: str,
    resource_kind: ResourceKind | str,
    resource_id: str,
    *,
    counter: CallCounter | None = None,
) -> Snapshot | None:
    """A fresh snapshot of one resource (to verify a fix), or None when it no longer exists.

    `account` is the account the session reaches; it is accepted for symmetry with
    `collect_inventory` and checked against the session.
    """
    if account != session.account_id:
        raise ValueError(f"session reaches {session.account_id}, not {account}")
    kind = ResourceKind(resource_kind)
    if kind not in _SINGLE_READERS:
        raise ValueError(f"cannot re-read a single {kind.value}")
    operation, result_key, model, id_param, extra = _SINGLE_READERS[kind]
    client = session.client(session.new_session(counter), "elasticache", region)
    params = {id_param: resource_id, **extra}
    try:
        items = unless_not_found(lambda: paginate(client, operation, result_key, **params))
    except AWS_FAILURES as exc:
        api_name = client.meta.method_to_api_mapping.get(operation, operation)
        raise CollectOneError(to_collection_error(exc, api_name, kind.value)) from exc
    return model.model_validate(items[0]) if items else None


# kind -> (operation, result key, model, id parameter, extra parameters)
_SINGLE_READERS: Mapping[ResourceKind, tuple[str, str, type[Snapshot], str, dict[str, Any]]] = (
    MappingProxyType(
        {
            ResourceKind.REPLICATION_GROUP: (
                "describe_replication_groups",
                "ReplicationGroups",
                ReplicationGroup,
                "ReplicationGroupId",
                {},
            ),
            ResourceKind.CACHE_CLUSTER: (
                "describe_cache_clusters",
                "CacheClusters",
                CacheCluster,
                "CacheClusterId",
                {"ShowCacheNodeInfo": True},
            ),
            ResourceKind.SERVERLESS_CACHE: (
                "describe_serverless_caches",
                "ServerlessCaches",
                ServerlessCache,
                "ServerlessCacheName",
                {},
            ),
            ResourceKind.USER: ("describe_users", "Users", User, "UserId", {}),
            ResourceKind.SNAPSHOT: (
                "describe_snapshots",
                "Snapshots",
                CacheSnapshot,
                "SnapshotName",
                {},
            ),
            ResourceKind.RESERVED_NODE: (
                "describe_reserved_cache_nodes",
                "ReservedCacheNodes",
                ReservedNode,
                "ReservedCacheNodeId",
                {},
            ),
        }
    )
)
