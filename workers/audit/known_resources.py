"""A cheap index of what the last scans saw, so a scope naming nothing is caught before queueing.

Why an index and not an existence-check job: the check must answer inside Slack's 3-second
acknowledgement, from the web process, which never calls AWS. A job would need a worker
round trip (seconds when the queue is busy) and AWS calls per id and region; the index is
two Redis reads. Every audit part already lists its region's caches, so keeping the
index costs one small pipeline per part. A cache created since the last scan is missing
from it, which is why the answer offers "Scan anyway" instead of refusing outright.

Keys (no secrets, ids and region names only):
  cw:known:ids                 hash  id -> "account/region"
  cw:known:place:<acct>:<reg>  set   the ids one full scan of that place found
  cw:known:accounts            set   accounts scanned
  cw:known:scanned_at          str   ISO time of the newest part recorded
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import datetime

import redis

from commands.scope_check import KnownScope
from posture.resources import Inventory
from workers.platform.config import AppConfig

_IDS = "cw:known:ids"
_ACCOUNTS = "cw:known:accounts"
_SCANNED_AT = "cw:known:scanned_at"
TTL_SECONDS = 30 * 24 * 3600  # an index nobody refreshed for a month is not evidence


def _place_key(account: str, region: str) -> str:
    return f"cw:known:place:{account}:{region}"


def cache_ids(inventory: Inventory) -> list[str]:
    """Every id a user may name: replication groups, cache clusters, serverless caches."""
    ids = [g.replication_group_id for g in inventory.replication_groups]
    ids += [c.cache_cluster_id for c in inventory.cache_clusters]
    ids += [s.serverless_cache_name for s in inventory.serverless_caches]
    return ids


def record_seen(
    connection: redis.Redis,
    account: str,
    region: str,
    ids: Iterable[str],
    *,
    complete: bool,
    at: datetime,
) -> None:
    """Add what a part saw; a complete (unfiltered) scan of the place also drops what is gone."""
    place = f"{account}/{region}"
    found = set(ids)
    key = _place_key(account, region)
    gone: set[str] = set()
    if complete:
        before = {m.decode() if isinstance(m, bytes) else str(m) for m in connection.smembers(key)}
        gone = before - found
    pipe = connection.pipeline()
    for rid in gone:
        pipe.hdel(_IDS, rid)
    if complete:
        pipe.delete(key)
    if found:
        pipe.hset(_IDS, mapping=dict.fromkeys(found, place))
        pipe.sadd(key, *found)
        pipe.expire(key, TTL_SECONDS)
    pipe.sadd(_ACCOUNTS, account)
    pipe.set(_SCANNED_AT, at.replace(microsecond=0).isoformat(), ex=TTL_SECONDS)
    for name in (_IDS, _ACCOUNTS):
        pipe.expire(name, TTL_SECONDS)
    pipe.execute()


@functools.cache
def aws_region_names() -> frozenset[str]:
    """Every region botocore's bundled endpoint data names (a local file; no AWS call)."""
    import botocore.session

    session = botocore.session.get_session()
    names: set[str] = set()
    for partition in session.get_available_partitions():
        names.update(session.get_available_regions("ec2", partition_name=partition))
    return frozenset(names)


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def known_scope(connection: redis.Redis, config: AppConfig) -> KnownScope:
    """What the scope check may rely on: the index, the configured accounts, AWS's regions."""
    pipe = connection.pipeline()
    pipe.hgetall(_IDS)
    pipe.smembers(_ACCOUNTS)
    pipe.get(_SCANNED_AT)
    ids, accounts, scanned_at = pipe.execute()
    reachable = {_text(a) for a in accounts}
    if config.scan.organization_role:
        reachable = set()  # an Organization grows; only AWS can say which accounts it has now
    elif config.scan.role_arns:
        reachable |= {arn.split(":")[4] for arn in config.scan.role_arns}
    return KnownScope(
        resources={_text(k): _text(v) for k, v in ids.items()},
        regions=aws_region_names() | set(config.scan.regions),
        accounts=frozenset(reachable),
        scanned_at=_text(scanned_at) if scanned_at else None,
    )
