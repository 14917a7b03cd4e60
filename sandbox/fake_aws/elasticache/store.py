"""Per account and region state of the fake ElastiCache, hung on moto's own backend.

Keeping the store on moto's `ElastiCacheBackend` instance means moto's account mapping
(access key or assumed-role credentials -> account) and moto's reset apply to it too.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from typing import Any

from sandbox.fake_aws.elasticache import naming
from sandbox.fake_aws.elasticache.errors import ElastiCacheError, invalid_value
from sandbox.fake_aws.elasticache.records import (
    CacheClusterRecord,
    ReplicationGroupRecord,
    ReservedNodeRecord,
    ServerlessCacheRecord,
    SnapshotRecord,
    SubnetGroupRecord,
    UserGroupRecord,
    UserRecord,
)

STORE_ATTRIBUTE = "_cachewarden_store"
SETTINGS_ATTRIBUTE = "_cachewarden_settings"
DEFAULT_SUBNET_GROUP = "default"


@dataclass
class FakeSettings:
    """Knobs of the fake, shared by every account and region (moto's state is too)."""

    modify_delay_describes: int = 1


@dataclass
class ElastiCacheStore:
    account_id: str
    region: str
    settings: FakeSettings
    lock: threading.RLock = field(default_factory=threading.RLock)
    replication_groups: dict[str, ReplicationGroupRecord] = field(default_factory=dict)
    cache_clusters: dict[str, CacheClusterRecord] = field(default_factory=dict)
    users: dict[str, UserRecord] = field(default_factory=dict)
    user_groups: dict[str, UserGroupRecord] = field(default_factory=dict)
    serverless_caches: dict[str, ServerlessCacheRecord] = field(default_factory=dict)
    snapshots: dict[str, SnapshotRecord] = field(default_factory=dict)
    reserved_nodes: dict[str, ReservedNodeRecord] = field(default_factory=dict)
    subnet_groups: dict[str, SubnetGroupRecord] = field(default_factory=dict)
    ever_tagged: set[str] = field(default_factory=set)
    counter: itertools.count[int] = field(default_factory=itertools.count)
    # Serverless backups as rendered (ServerlessCacheSnapshot shape), by name.
    serverless_snapshots: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Describes left before a `creating` serverless snapshot reads `available`, by name.
    serverless_snapshot_waits: dict[str, int] = field(default_factory=dict)

    def next_sequence(self) -> int:
        return next(self.counter)

    def arn(self, kind: str, name: str) -> str:
        return naming.arn(self.account_id, self.region, kind, name)

    def ec2(self) -> Any:
        from moto.ec2.models import ec2_backends

        return ec2_backends[self.account_id][self.region]

    def tagging(self) -> Any:
        return self.backend().tagging_service

    def backend(self) -> Any:
        from moto.elasticache.models import elasticache_backends

        return elasticache_backends[self.account_id][self.region]


def new_default_user(store: ElastiCacheStore) -> UserRecord:
    """Every account and region has the built-in open `default` user, as on AWS."""
    return UserRecord(
        user_id="default",
        user_name="default",
        arn=store.arn("user", "default"),
        engine="redis",
        access_string="on ~* +@all",
        authentication_type="no-password",
        passwords=[],
    )


def store_of(backend: Any) -> ElastiCacheStore:
    """The store of one moto ElastiCache backend, created on first use."""
    existing = backend.__dict__.get(STORE_ATTRIBUTE)
    if existing is not None:
        return existing  # type: ignore[no-any-return]
    settings = getattr(type(backend), SETTINGS_ATTRIBUTE, None) or FakeSettings()
    store = ElastiCacheStore(backend.account_id, backend.region_name, settings)
    store.users["default"] = new_default_user(store)
    # setdefault keeps one store when two request threads race on first use
    return backend.__dict__.setdefault(STORE_ATTRIBUTE, store)  # type: ignore[no-any-return]


def ensure_default_subnet_group(store: ElastiCacheStore) -> SubnetGroupRecord:
    """AWS creates the `default` group on first use, in the region's default VPC."""
    existing = store.subnet_groups.get(DEFAULT_SUBNET_GROUP)
    if existing is not None:
        return existing
    ec2 = store.ec2()
    vpc = ec2.get_default_vpc()
    if vpc is None:
        raise ElastiCacheError(
            "CacheSubnetGroupNotFoundFault", "There is no default VPC for the default group."
        )
    subnets = sorted(
        (subnet.id, subnet.availability_zone) for subnet in ec2.get_default_subnets().values()
    )
    record = SubnetGroupRecord(
        name=DEFAULT_SUBNET_GROUP,
        description="Default CacheSubnetGroup",
        arn=store.arn("subnetgroup", DEFAULT_SUBNET_GROUP),
        vpc_id=vpc.id,
        subnets=subnets,
    )
    store.subnet_groups[DEFAULT_SUBNET_GROUP] = record
    return record


def resolve_subnet_group(store: ElastiCacheStore, name: str | None) -> SubnetGroupRecord:
    if not name or name == DEFAULT_SUBNET_GROUP:
        return ensure_default_subnet_group(store)
    record = store.subnet_groups.get(name)
    if record is None:
        raise ElastiCacheError(
            "CacheSubnetGroupNotFoundFault", f"CacheSubnetGroup {name} not found."
        )
    return record


def check_security_groups(
    store: ElastiCacheStore, group_ids: list[str], vpc_id: str | None = None
) -> None:
    """Reject ids EC2 does not know, or that sit in another VPC than the cache."""
    ec2 = store.ec2()
    for group_id in group_ids:
        group = ec2.get_security_group_from_id(group_id)
        if group is None:
            raise invalid_value(f"Some security group Id(s) are invalid: {group_id}")
        if vpc_id and group.vpc_id != vpc_id:
            raise ElastiCacheError(
                "InvalidVPCNetworkStateFault",
                f"Security group {group_id} is not in the VPC {vpc_id} of the subnet group.",
            )


def default_security_group(store: ElastiCacheStore, vpc_id: str) -> list[str]:
    """Without SecurityGroupIds AWS attaches the VPC's default security group."""
    group = store.ec2().get_default_security_group(vpc_id)
    return [group.id] if group is not None else []
