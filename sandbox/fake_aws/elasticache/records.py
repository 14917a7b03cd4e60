"""The state the fake ElastiCache keeps per account and region.

Plain dataclasses: the handlers validate and mutate them, `render` turns them into the
PascalCase dicts the API returns. Member clusters of a replication group are not stored;
they are derived from the group at describe time, so they always mirror its settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class PendingChange:
    """A replication-group modification that is still applying."""

    describes_left: int
    changes: dict[str, Any]
    shown: dict[str, Any]
    during: dict[str, Any] = field(default_factory=dict)
    token_change: bool = False


@dataclass
class ReplicationGroupRecord:
    replication_group_id: str
    arn: str
    description: str
    engine: str
    engine_version: str
    cache_node_type: str
    cluster_mode: bool
    num_node_groups: int
    replicas_per_node_group: int
    port: int
    cache_subnet_group_name: str
    security_group_ids: list[str]
    at_rest_encryption_enabled: bool
    kms_key_id: str | None
    transit_encryption_enabled: bool
    transit_encryption_mode: str | None
    auth_tokens: list[str]
    auth_token_last_modified_date: datetime | None
    user_group_ids: list[str]
    automatic_failover: str
    multi_az: str
    snapshot_retention_limit: int
    snapshot_window: str
    auto_minor_version_upgrade: bool
    log_delivery_configurations: list[dict[str, Any]]
    notification_topic_arn: str | None
    availability_zones: list[str]
    create_time: datetime
    domain_token: str
    sequence: int
    preferred_maintenance_window: str = "sun:05:00-sun:06:00"
    notification_topic_status: str = "active"
    last_rotated_token: str | None = None
    status: str = "available"
    pending: PendingChange | None = None
    # Membership of a global datastore, seeded through /_fake/state (the fake has no global API):
    # {"GlobalReplicationGroupId": ..., "GlobalReplicationGroupMemberRole": "PRIMARY"|"SECONDARY"}
    global_replication_group_info: dict[str, str] | None = None


@dataclass
class CacheClusterRecord:
    """A standalone cluster (Memcached, or single-node Redis OSS / Valkey)."""

    cache_cluster_id: str
    arn: str
    engine: str
    engine_version: str
    cache_node_type: str
    num_cache_nodes: int
    port: int
    cache_subnet_group_name: str
    security_group_ids: list[str]
    availability_zone: str
    transit_encryption_enabled: bool
    transit_encryption_mode: str | None
    at_rest_encryption_enabled: bool
    auth_tokens: list[str]
    auth_token_last_modified_date: datetime | None
    snapshot_retention_limit: int
    snapshot_window: str
    auto_minor_version_upgrade: bool
    log_delivery_configurations: list[dict[str, Any]]
    notification_topic_arn: str | None
    create_time: datetime
    domain_token: str
    sequence: int
    preferred_maintenance_window: str = "sun:05:00-sun:06:00"
    notification_topic_status: str = "active"
    last_rotated_token: str | None = None
    status: str = "available"
    token_pending: PendingChange | None = None  # an AUTH token change still applying


@dataclass
class UserRecord:
    user_id: str
    user_name: str
    arn: str
    engine: str
    access_string: str
    authentication_type: str
    passwords: list[str]
    status: str = "active"
    minimum_engine_version: str = "6.0"


@dataclass
class UserGroupRecord:
    user_group_id: str
    arn: str
    engine: str
    user_ids: list[str]
    status: str = "active"
    minimum_engine_version: str = "6.0"


@dataclass
class ServerlessCacheRecord:
    serverless_cache_name: str
    arn: str
    description: str
    engine: str
    major_engine_version: str
    full_engine_version: str
    kms_key_id: str | None
    security_group_ids: list[str]
    subnet_ids: list[str]
    user_group_id: str | None
    snapshot_retention_limit: int
    daily_snapshot_time: str
    create_time: datetime
    domain_token: str
    status: str = "available"
    cache_usage_limits: dict[str, Any] | None = None
    describes_left: int = 0  # a `creating` cache (a restore) is `available` after these


@dataclass
class SnapshotRecord:
    snapshot_name: str
    arn: str
    snapshot_source: str
    replication_group_id: str | None
    cache_cluster_id: str | None
    engine: str
    engine_version: str
    cache_node_type: str
    num_node_groups: int
    cache_subnet_group_name: str
    vpc_id: str | None
    kms_key_id: str | None
    port: int
    create_time: datetime
    snapshot_retention_limit: int
    description: str | None = None
    snapshot_status: str = "available"
    describes_left: int = 0  # a `creating` snapshot becomes available after these describes


@dataclass
class ReservedNodeRecord:
    reserved_cache_node_id: str
    offering_id: str
    arn: str
    cache_node_type: str
    start_time: datetime
    duration: int
    fixed_price: float
    usage_price: float
    cache_node_count: int
    product_description: str
    offering_type: str
    state: str = "active"


@dataclass
class SubnetGroupRecord:
    name: str
    description: str
    arn: str
    vpc_id: str
    subnets: list[tuple[str, str]]
