"""Frozen snapshots of every AWS resource the rules read.

Each model validates straight from the boto3 response dict of the call named in its
docstring (PascalCase aliases); the collector adds nothing but the grouping into an
`Inventory` per account and region. Rules only ever read these objects.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field, field_validator

from posture.base import Snapshot


class Endpoint(Snapshot):
    address: str | None = None
    port: int | None = None


class LogDeliveryConfiguration(Snapshot):
    """One entry of `LogDeliveryConfigurations` (slow-log or engine-log)."""

    log_type: str
    destination_type: str | None = None
    log_format: str | None = None
    status: str | None = None
    message: str | None = None
    destination_details: dict[str, Any] | None = None  # a rebuild copies the log group or stream


class NodeGroupMember(Snapshot):
    cache_cluster_id: str | None = None
    cache_node_id: str | None = None
    preferred_availability_zone: str | None = None
    current_role: str | None = None
    read_endpoint: Endpoint | None = None


class NodeGroup(Snapshot):
    node_group_id: str
    status: str | None = None
    primary_endpoint: Endpoint | None = None
    reader_endpoint: Endpoint | None = None
    node_group_members: tuple[NodeGroupMember, ...] = ()


class ReplicationGroupPending(Snapshot):
    """`PendingModifiedValues` of a replication group while a change applies."""

    auth_token_status: str | None = None
    transit_encryption_enabled: bool | None = None
    transit_encryption_mode: str | None = None
    automatic_failover_status: str | None = None


class GlobalReplicationGroupInfo(Snapshot):
    """`GlobalReplicationGroupInfo`: membership of a global datastore (role PRIMARY/SECONDARY)."""

    global_replication_group_id: str | None = None
    global_replication_group_member_role: str | None = None


class ReplicationGroup(Snapshot):
    """`elasticache.describe_replication_groups` -> `ReplicationGroups[]`."""

    replication_group_id: str
    arn: str = Field("", alias="ARN")
    description: str | None = None
    status: str = "available"
    engine: str = "redis"
    member_clusters: tuple[str, ...] = ()
    node_groups: tuple[NodeGroup, ...] = ()
    configuration_endpoint: Endpoint | None = None
    automatic_failover: str | None = None
    multi_az: str | None = Field(None, alias="MultiAZ")
    snapshot_retention_limit: int | None = None
    cluster_enabled: bool | None = None
    cache_node_type: str | None = None
    auth_token_enabled: bool | None = None
    auth_token_last_modified_date: datetime | None = None
    transit_encryption_enabled: bool | None = None
    transit_encryption_mode: str | None = None
    at_rest_encryption_enabled: bool | None = None
    storage_encryption_type: str | None = None
    kms_key_id: str | None = None
    user_group_ids: tuple[str, ...] = ()
    log_delivery_configurations: tuple[LogDeliveryConfiguration, ...] = ()
    auto_minor_version_upgrade: bool | None = None
    pending_modified_values: ReplicationGroupPending | None = None
    replication_group_create_time: datetime | None = None
    global_replication_group_info: GlobalReplicationGroupInfo | None = None
    snapshot_window: str | None = None

    @property
    def global_datastore_id(self) -> str | None:
        """The global datastore this group belongs to; settings then change through its API."""
        info = self.global_replication_group_info
        return info.global_replication_group_id if info else None


class CacheNode(Snapshot):
    cache_node_id: str
    cache_node_status: str | None = None
    endpoint: Endpoint | None = None
    customer_availability_zone: str | None = None


class SecurityGroupMembership(Snapshot):
    security_group_id: str
    status: str | None = None


class NotificationConfiguration(Snapshot):
    topic_arn: str | None = None
    topic_status: str | None = None


class CacheCluster(Snapshot):
    """`elasticache.describe_cache_clusters(ShowCacheNodeInfo=True)` -> `CacheClusters[]`.

    Member clusters of a replication group carry `ReplicationGroupId`; standalone
    clusters (Memcached, single-node Redis OSS or Valkey) do not.
    """

    cache_cluster_id: str
    arn: str = Field("", alias="ARN")
    engine: str
    engine_version: str | None = None
    cache_cluster_status: str = "available"
    cache_node_type: str | None = None
    num_cache_nodes: int | None = None
    preferred_availability_zone: str | None = None
    cache_subnet_group_name: str | None = None
    cache_nodes: tuple[CacheNode, ...] = ()
    configuration_endpoint: Endpoint | None = None
    security_groups: tuple[SecurityGroupMembership, ...] = ()
    replication_group_id: str | None = None
    snapshot_retention_limit: int | None = None
    auto_minor_version_upgrade: bool | None = None
    auth_token_enabled: bool | None = None
    auth_token_last_modified_date: datetime | None = None
    transit_encryption_enabled: bool | None = None
    transit_encryption_mode: str | None = None
    at_rest_encryption_enabled: bool | None = None
    log_delivery_configurations: tuple[LogDeliveryConfiguration, ...] = ()
    notification_configuration: NotificationConfiguration | None = None
    cache_cluster_create_time: datetime | None = None
    # What a rebuild must carry over: `CacheParameterGroup.CacheParameterGroupName` and windows.
    cache_parameter_group: dict[str, Any] | None = None
    preferred_maintenance_window: str | None = None
    snapshot_window: str | None = None


class ServerlessCache(Snapshot):
    """`elasticache.describe_serverless_caches` -> `ServerlessCaches[]`."""

    serverless_cache_name: str
    arn: str = Field("", alias="ARN")
    status: str = "available"
    engine: str
    major_engine_version: str | None = None
    full_engine_version: str | None = None
    kms_key_id: str | None = None
    storage_encryption_type: str | None = None
    security_group_ids: tuple[str, ...] = ()
    subnet_ids: tuple[str, ...] = ()
    endpoint: Endpoint | None = None
    user_group_id: str | None = None
    snapshot_retention_limit: int | None = None
    daily_snapshot_time: str | None = None
    reader_endpoint: Endpoint | None = None
    description: str | None = None
    cache_usage_limits: dict[str, Any] | None = None  # DataStorage / ECPUPerSecond bounds


class Authentication(Snapshot):
    type: str | None = None
    password_count: int | None = None


class User(Snapshot):
    """`elasticache.describe_users` -> `Users[]`."""

    user_id: str
    user_name: str | None = None
    arn: str = Field("", alias="ARN")
    status: str | None = None
    engine: str | None = None
    access_string: str | None = None
    user_group_ids: tuple[str, ...] = ()
    authentication: Authentication | None = None


class UserGroup(Snapshot):
    """`elasticache.describe_user_groups` -> `UserGroups[]`."""

    user_group_id: str
    arn: str = Field("", alias="ARN")
    status: str | None = None
    engine: str | None = None
    user_ids: tuple[str, ...] = ()
    replication_groups: tuple[str, ...] = ()
    serverless_caches: tuple[str, ...] = ()


class SubnetRef(Snapshot):
    subnet_identifier: str
    subnet_availability_zone: dict[str, Any] | None = None


class CacheSubnetGroup(Snapshot):
    """`elasticache.describe_cache_subnet_groups` -> `CacheSubnetGroups[]`."""

    cache_subnet_group_name: str
    vpc_id: str | None = None
    subnets: tuple[SubnetRef, ...] = ()
    arn: str = Field("", alias="ARN")


class Subnet(Snapshot):
    """`ec2.describe_subnets` -> `Subnets[]`."""

    subnet_id: str
    vpc_id: str
    cidr_block: str | None = None
    availability_zone: str | None = None
    map_public_ip_on_launch: bool | None = None


class Route(Snapshot):
    destination_cidr_block: str | None = None
    destination_ipv6_cidr_block: str | None = None
    gateway_id: str | None = None
    nat_gateway_id: str | None = None
    transit_gateway_id: str | None = None
    state: str | None = None
    destination_prefix_list_id: str | None = None


class RouteTableAssociation(Snapshot):
    main: bool = False
    subnet_id: str | None = None
    route_table_id: str | None = None


class RouteTable(Snapshot):
    """`ec2.describe_route_tables` -> `RouteTables[]`."""

    route_table_id: str
    vpc_id: str
    routes: tuple[Route, ...] = ()
    associations: tuple[RouteTableAssociation, ...] = ()


class IpRange(Snapshot):
    cidr_ip: str


class Ipv6Range(Snapshot):
    cidr_ipv6: str


class UserIdGroupPair(Snapshot):
    group_id: str | None = None
    user_id: str | None = None
    vpc_id: str | None = None
    vpc_peering_connection_id: str | None = None


class IpPermission(Snapshot):
    ip_protocol: str
    from_port: int | None = None
    to_port: int | None = None
    ip_ranges: tuple[IpRange, ...] = ()
    ipv6_ranges: tuple[Ipv6Range, ...] = ()
    user_id_group_pairs: tuple[UserIdGroupPair, ...] = ()
    prefix_list_ids: tuple[dict[str, Any], ...] = ()

    def covers_port(self, port: int) -> bool:
        """Protocol -1 (all traffic) covers every port; tcp covers its range."""
        if self.ip_protocol == "-1":
            return True
        if self.ip_protocol not in ("tcp", "6"):
            return False
        low = self.from_port if self.from_port is not None else 0
        high = self.to_port if self.to_port is not None else 65535
        return low <= port <= high


class SecurityGroup(Snapshot):
    """`ec2.describe_security_groups` -> `SecurityGroups[]`."""

    group_id: str
    group_name: str | None = None
    vpc_id: str | None = None
    ip_permissions: tuple[IpPermission, ...] = ()


class KmsKey(Snapshot):
    """`kms.describe_key` -> `KeyMetadata`."""

    key_id: str
    arn: str = Field("", alias="Arn")
    key_manager: str | None = None
    key_state: str | None = None


class CacheSnapshot(Snapshot):
    """`elasticache.describe_snapshots` -> `Snapshots[]` (node-based backups)."""

    snapshot_name: str
    arn: str = Field("", alias="ARN")
    replication_group_id: str | None = None
    cache_cluster_id: str | None = None
    snapshot_status: str | None = None
    snapshot_source: str | None = None
    engine: str | None = None
    engine_version: str | None = None
    kms_key_id: str | None = None
    # Serverless backups name their source cache here (node-based ones use the ids above).
    serverless_cache_name: str | None = None


class ReservedNode(Snapshot):
    """`elasticache.describe_reserved_cache_nodes` -> `ReservedCacheNodes[]`."""

    reserved_cache_node_id: str
    reservation_arn: str = Field("", alias="ReservationARN")
    cache_node_type: str | None = None
    start_time: datetime | None = None
    duration: int | None = None  # seconds
    cache_node_count: int | None = None
    product_description: str | None = None
    state: str | None = None


class Tag(Snapshot):
    key: str
    value: str = ""


class TaggedResource(Snapshot):
    """`resourcegroupstaggingapi.get_resources` -> `ResourceTagMappingList[]`."""

    resource_arn: str = Field(alias="ResourceARN")
    tags: tuple[Tag, ...] = ()


class Trail(Snapshot):
    """`cloudtrail.describe_trails` joined with `get_trail_status` and `get_event_selectors`.

    The collector fills `is_logging` and `records_management_events` from the two
    follow-up calls; the rest is the `trailList[]` entry as AWS returns it.
    """

    name: str
    trail_arn: str = Field("", alias="TrailARN")
    home_region: str | None = None
    is_multi_region_trail: bool = False
    is_logging: bool = False
    records_management_events: bool = False


class IamPolicyFact(Snapshot):
    """A customer-managed IAM policy attached to a principal, reduced to what CW-505 needs.

    `allows_broad_elasticache` is true when a statement allows `elasticache:*` or
    `elasticache:Modify*` (or `*`) on `Resource: "*"`.
    """

    policy_arn: str = Field(alias="Arn")
    policy_name: str | None = None
    attached_to: tuple[str, ...] = ()
    allows_broad_elasticache: bool = False
    broad_actions: tuple[str, ...] = ()


class CpuMetric(Snapshot):
    """Average `CPUUtilization` of one cache cluster over the lookback window."""

    cache_cluster_id: str
    average_percent: float | None = None
    datapoints: int = 0
    lookback_days: int | None = None  # the window the average covers


class CollectionError(Snapshot):
    """A part of a region that could not be read; becomes `error` findings."""

    operation: str
    code: str
    message: str
    resource_kind: str | None = None


class VpcCidrBlock(Snapshot):
    cidr_block: str
    cidr_block_state: dict[str, Any] | None = None


class VpcIpv6CidrBlock(Snapshot):
    ipv6_cidr_block: str
    ipv6_cidr_block_state: dict[str, Any] | None = None


class Vpc(Snapshot):
    """`ec2.describe_vpcs` -> `Vpcs[]` (every IPv4 and IPv6 block, and whether it is the default)."""

    vpc_id: str
    owner_id: str | None = None
    cidr_block: str | None = None
    is_default: bool = False
    cidr_block_association_set: tuple[VpcCidrBlock, ...] = ()
    ipv6_cidr_block_association_set: tuple[VpcIpv6CidrBlock, ...] = ()

    def cidr_blocks(self) -> tuple[str, ...]:
        """Every associated block (primary and secondary, IPv4 and IPv6) still in use."""
        gone = ("disassociated", "disassociating", "failed")
        blocks = [self.cidr_block] if self.cidr_block else []
        for v4 in self.cidr_block_association_set:
            if (v4.cidr_block_state or {}).get("State") not in gone:
                blocks.append(v4.cidr_block)
        for v6 in self.ipv6_cidr_block_association_set:
            if (v6.ipv6_cidr_block_state or {}).get("State") not in gone:
                blocks.append(v6.ipv6_cidr_block)
        return tuple(dict.fromkeys(blocks))


class PrefixListEntry(Snapshot):
    cidr: str
    description: str | None = None


class ManagedPrefixList(Snapshot):
    """`ec2.describe_managed_prefix_lists` joined with `get_managed_prefix_list_entries`.

    `entries` is None when the entries could not be read.
    """

    prefix_list_id: str
    prefix_list_name: str | None = None
    owner_id: str | None = None
    address_family: str | None = None
    entries: tuple[PrefixListEntry, ...] | None = None


class Inventory(Snapshot):
    """Everything collected for one account and region."""

    account: str
    region: str
    collected_at: datetime | None = None
    replication_groups: tuple[ReplicationGroup, ...] = ()
    cache_clusters: tuple[CacheCluster, ...] = ()
    serverless_caches: tuple[ServerlessCache, ...] = ()
    users: tuple[User, ...] = ()
    user_groups: tuple[UserGroup, ...] = ()
    subnet_groups: tuple[CacheSubnetGroup, ...] = ()
    subnets: tuple[Subnet, ...] = ()
    route_tables: tuple[RouteTable, ...] = ()
    security_groups: tuple[SecurityGroup, ...] = ()
    kms_keys: tuple[KmsKey, ...] = ()
    snapshots: tuple[CacheSnapshot, ...] = ()
    reserved_nodes: tuple[ReservedNode, ...] = ()
    tags: tuple[TaggedResource, ...] = ()
    trails: tuple[Trail, ...] | None = None
    iam_policies: tuple[IamPolicyFact, ...] | None = None
    cpu_metrics: tuple[CpuMetric, ...] = ()
    errors: tuple[CollectionError, ...] = ()
    vpcs: tuple[Vpc, ...] = ()
    prefix_lists: tuple[ManagedPrefixList, ...] = ()

    @field_validator("account")
    @classmethod
    def _account_is_twelve_digits(cls, value: str) -> str:
        if not (len(value) == 12 and value.isdigit()):
            raise ValueError(f"account must be 12 digits, got {value!r}")
        return value
