"""Shared model configuration: frozen snapshots that accept boto3's PascalCase keys."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_pascal


class Snapshot(BaseModel):
    """A frozen, read-only view of one AWS response object.

    Field names are snake_case; boto3's PascalCase keys validate through aliases,
    so a recorded AWS response dict becomes a snapshot with `model_validate`.
    Unknown keys are ignored: AWS adds fields and old snapshots must keep loading.
    """

    model_config = ConfigDict(
        frozen=True,
        alias_generator=to_pascal,
        populate_by_name=True,
        extra="ignore",
    )


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is more severe; used for sorting and `--fail-on`."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {
    Severity.CRITICAL: 4,
    Severity.HIGH: 3,
    Severity.MEDIUM: 2,
    Severity.LOW: 1,
    Severity.INFO: 0,
}


class Engine(StrEnum):
    REDIS = "redis"
    VALKEY = "valkey"
    MEMCACHED = "memcached"


class ResourceKind(StrEnum):
    REPLICATION_GROUP = "replication_group"
    CACHE_CLUSTER = "cache_cluster"
    SERVERLESS_CACHE = "serverless_cache"
    USER = "user"
    SNAPSHOT = "snapshot"
    RESERVED_NODE = "reserved_node"
    ACCOUNT_REGION = "account_region"
    ACCOUNT = "account"
