"""boto3 clients on the fake AWS and small builders shared by the fake AWS tests."""

from __future__ import annotations

import uuid
from typing import Any

import boto3
from botocore.config import Config

ACCOUNT = "123456789012"
TOKEN = "Initial-Token-0001"
NEW_TOKEN = "Rotated-Token-0002"
THIRD_TOKEN = "Another-Token-0003"
FAST_RETRIES = Config(retries={"mode": "standard", "max_attempts": 4})


def client(url: str, service: str, region: str = "us-east-1", **credentials: str) -> Any:
    """A client with test-only keys (never the environment's) pointed at the fake."""
    keys = credentials or {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    return boto3.client(service, endpoint_url=url, region_name=region, config=FAST_RETRIES, **keys)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def create_group(elasticache: Any, group_id: str | None = None, **overrides: Any) -> dict[str, Any]:
    """A two-node Redis OSS 7.1 group with TLS and an AUTH token unless overridden."""
    params: dict[str, Any] = {
        "ReplicationGroupId": group_id or unique("rg"),
        "ReplicationGroupDescription": "test group",
        "Engine": "redis",
        "EngineVersion": "7.1",
        "CacheNodeType": "cache.t4g.small",
        "NumCacheClusters": 2,
        "TransitEncryptionEnabled": True,
        "AuthToken": TOKEN,
    }
    params.update(overrides)
    params = {key: value for key, value in params.items() if value is not None}
    return dict(elasticache.create_replication_group(**params)["ReplicationGroup"])


def describe_group(elasticache: Any, group_id: str) -> dict[str, Any]:
    groups = elasticache.describe_replication_groups(ReplicationGroupId=group_id)
    return dict(groups["ReplicationGroups"][0])


def settle(elasticache: Any, group_id: str, limit: int = 5) -> dict[str, Any]:
    """Describe until the group is available again (each describe lets time pass)."""
    for _ in range(limit):
        group = describe_group(elasticache, group_id)
        if group["Status"] == "available":
            return group
    raise AssertionError(f"{group_id} still modifying after {limit} describes")


def error_code(error: Exception) -> str:
    return str(error.response["Error"]["Code"])  # type: ignore[attr-defined]
