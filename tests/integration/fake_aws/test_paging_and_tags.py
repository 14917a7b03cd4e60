"""Paging past 100 with MaxRecords/Marker and paginators; tags and the tagging API."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.integration.fake_aws.helpers import client, create_group, error_code

pytestmark = pytest.mark.integration
REGION = "ap-northeast-1"
GROUPS = 130


@pytest.fixture(scope="module")
def fleet(fake_aws: str) -> list[str]:
    """130 single-node groups, half of them tagged."""
    elasticache = client(fake_aws, "elasticache", REGION)
    ids = []
    for index in range(GROUPS):
        tags = [{"Key": "team", "Value": f"t{index % 3}"}] if index % 2 == 0 else None
        group = create_group(
            elasticache, f"page-{index:03d}", NumCacheClusters=1, AuthToken=None, Tags=tags
        )
        ids.append(group["ReplicationGroupId"])
    return ids


def test_replication_groups_page_with_markers(fake_aws: str, fleet: list[str]) -> None:
    elasticache = client(fake_aws, "elasticache", REGION)
    first = elasticache.describe_replication_groups()
    assert len(first["ReplicationGroups"]) == 100
    rest = elasticache.describe_replication_groups(Marker=first["Marker"])
    assert "Marker" not in rest
    seen = [g["ReplicationGroupId"] for g in first["ReplicationGroups"] + rest["ReplicationGroups"]]
    assert seen == fleet
    pages = elasticache.get_paginator("describe_replication_groups").paginate(
        PaginationConfig={"PageSize": 20}
    )
    assert sum(len(page["ReplicationGroups"]) for page in pages) == GROUPS


def test_cache_clusters_include_members_across_pages(fake_aws: str, fleet: list[str]) -> None:
    elasticache = client(fake_aws, "elasticache", REGION)
    pages = elasticache.get_paginator("describe_cache_clusters").paginate(ShowCacheNodeInfo=True)
    clusters = [c for page in pages for c in page["CacheClusters"]]
    assert [c["CacheClusterId"] for c in clusters] == [f"{group}-001" for group in fleet]
    assert all(c["CacheNodes"] for c in clusters)


@pytest.mark.parametrize("size", [19, 101])
def test_max_records_outside_20_to_100_is_refused(fake_aws: str, size: int) -> None:
    with pytest.raises(ClientError) as error:
        client(fake_aws, "elasticache", REGION).describe_replication_groups(MaxRecords=size)
    assert error_code(error.value) == "InvalidParameterValue"


def test_users_page_too(fake_aws: str) -> None:
    elasticache = client(fake_aws, "elasticache", "eu-north-1")
    for index in range(30):
        elasticache.create_user(
            UserId=f"pager-{index}", UserName=f"pager-{index}", Engine="redis",
            AccessString="on ~* +@read", NoPasswordRequired=True,
        )  # fmt: skip
    first = elasticache.describe_users(MaxRecords=20)
    rest = elasticache.describe_users(MaxRecords=20, Marker=first["Marker"])
    assert len(first["Users"]) + len(rest["Users"]) == 31


def test_tagging_api_returns_tagged_elasticache_resources_by_100(
    fake_aws: str, fleet: list[str]
) -> None:
    tagging = client(fake_aws, "resourcegroupstaggingapi", REGION)
    first = tagging.get_resources(ResourceTypeFilters=["elasticache"])
    assert len(first["ResourceTagMappingList"]) == 100
    pages = tagging.get_paginator("get_resources").paginate(ResourceTypeFilters=["elasticache"])
    mapped = {m["ResourceARN"]: m["Tags"] for page in pages for m in page["ResourceTagMappingList"]}
    tagged_groups = [arn for arn in mapped if ":replicationgroup:" in arn]
    members = [arn for arn in mapped if ":cluster:" in arn]
    assert len(tagged_groups) == len(members) == GROUPS // 2
    member_arn = next(arn for arn in members if arn.endswith("page-002-001"))
    assert mapped[member_arn] == [{"Key": "team", "Value": "t2"}]


def test_add_list_remove_tags(fake_aws: str) -> None:
    elasticache = client(fake_aws, "elasticache", "eu-south-1")
    group = create_group(elasticache, NumCacheClusters=1, AuthToken=None)
    arn = group["ARN"]
    elasticache.add_tags_to_resource(ResourceName=arn, Tags=[{"Key": "owner", "Value": "me"}])
    assert elasticache.list_tags_for_resource(ResourceName=arn)["TagList"] == [
        {"Key": "owner", "Value": "me"}
    ]
    elasticache.remove_tags_from_resource(ResourceName=arn, TagKeys=["owner"])
    assert elasticache.list_tags_for_resource(ResourceName=arn)["TagList"] == []
    tagging = client(fake_aws, "resourcegroupstaggingapi", "eu-south-1")
    mappings = tagging.get_resources(ResourceTypeFilters=["elasticache"])["ResourceTagMappingList"]
    assert {"ResourceARN": arn, "Tags": []} in mappings  # once tagged, still listed
    with pytest.raises(ClientError) as error:
        elasticache.list_tags_for_resource(
            ResourceName=arn.replace(group["ReplicationGroupId"], "gone")
        )
    assert error_code(error.value) == "ReplicationGroupNotFoundFault"
