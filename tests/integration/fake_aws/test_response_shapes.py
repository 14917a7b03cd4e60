"""Answers have the right shape: our fast XML writer says exactly what moto's own
serializer says, and every describe answer loads into the posture snapshot models."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from moto.elasticache.responses import ElastiCacheResponse

from posture import resources
from sandbox.fake_aws import FleetSpec, seed_fleet
from sandbox.fake_aws.elasticache.xml_result import FAST_XML_ATTRIBUTE
from tests.integration.fake_aws.helpers import client

pytestmark = pytest.mark.integration
REGION = "us-east-2"
READS: dict[str, Callable[[Any], Any]] = {
    "groups": lambda ec: ec.describe_replication_groups(),
    "clusters": lambda ec: ec.describe_cache_clusters(ShowCacheNodeInfo=True),
    "users": lambda ec: ec.describe_users(),
    "user groups": lambda ec: ec.describe_user_groups(),
    "serverless": lambda ec: ec.describe_serverless_caches(),
    "snapshots": lambda ec: ec.describe_snapshots(),
    "reserved": lambda ec: ec.describe_reserved_cache_nodes(),
    "subnet groups": lambda ec: ec.describe_cache_subnet_groups(),
    "offerings": lambda ec: ec.describe_reserved_cache_nodes_offerings(MaxRecords=20),
}


@pytest.fixture(scope="module")
def seeded(fake_aws: str) -> str:
    seed_fleet(fake_aws, FleetSpec(groups=9, regions=(REGION,), serverless_caches=3))
    return fake_aws


@pytest.fixture
def moto_serializer() -> Iterator[None]:
    setattr(ElastiCacheResponse, FAST_XML_ATTRIBUTE, False)
    try:
        yield
    finally:
        setattr(ElastiCacheResponse, FAST_XML_ATTRIBUTE, True)


def _read(url: str, name: str) -> Any:
    answer = READS[name](client(url, "elasticache", REGION))
    answer.pop("ResponseMetadata")
    return answer


@pytest.mark.parametrize("name", sorted(READS))
def test_fast_xml_matches_moto(seeded: str, name: str, request: pytest.FixtureRequest) -> None:
    fast = _read(seeded, name)
    request.getfixturevalue("moto_serializer")
    assert _read(seeded, name) == fast
    assert any(fast.values())


SNAPSHOT_MODELS: dict[str, tuple[str, type[Any]]] = {
    "groups": ("ReplicationGroups", resources.ReplicationGroup),
    "clusters": ("CacheClusters", resources.CacheCluster),
    "users": ("Users", resources.User),
    "user groups": ("UserGroups", resources.UserGroup),
    "serverless": ("ServerlessCaches", resources.ServerlessCache),
    "snapshots": ("Snapshots", resources.CacheSnapshot),
    "reserved": ("ReservedCacheNodes", resources.ReservedNode),
    "subnet groups": ("CacheSubnetGroups", resources.CacheSubnetGroup),
}


@pytest.mark.parametrize("name", sorted(SNAPSHOT_MODELS))
def test_answers_load_into_posture_snapshots(seeded: str, name: str) -> None:
    key, model = SNAPSHOT_MODELS[name]
    items = _read(seeded, name)[key]
    loaded = [model.model_validate(item) for item in items]
    assert loaded
    if name == "clusters":
        members = [c for c in loaded if c.replication_group_id]
        assert all(c.security_groups and c.cache_nodes and c.engine_version for c in members)
