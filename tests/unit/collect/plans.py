"""The calls an unfiltered `collect_inventory` makes, in the order each service sees them."""

from __future__ import annotations

from tests.unit.collect.aws_answers import (
    CMK,
    SNAPSHOT_KEY,
    advanced_selectors,
    associated_route_tables,
    iam_policies,
    kms_key,
    main_route_tables,
    member_cluster,
    memcached_cluster,
    metric_results,
    policy_version,
    prefix_list_entries,
    prefix_lists,
    replication_group,
    reserved_nodes,
    security_groups,
    serverless_cache,
    serverless_snapshots,
    snapshots,
    subnet_groups,
    subnets,
    tag_mappings,
    trail,
    user_group,
    users,
    vpcs,
)
from tests.unit.collect.stubs import Planned

ELASTICACHE_SUBNET_GROUPS_STEP = 5  # index of describe_cache_subnet_groups below


def region_plan() -> dict[str, list[Planned]]:
    return {
        "elasticache": elasticache_plan(),
        "resourcegroupstaggingapi": [
            Planned(
                "get_resources",
                {"ResourceTagMappingList": tag_mappings()},
                expected_params={"ResourceTypeFilters": ["elasticache"], "ResourcesPerPage": 100},
            ),
        ],
        "ec2": [
            Planned("describe_subnets", {"Subnets": subnets()}),
            Planned("describe_route_tables", {"RouteTables": associated_route_tables()}),
            Planned("describe_route_tables", {"RouteTables": main_route_tables()}),
            Planned("describe_security_groups", {"SecurityGroups": security_groups()}),
            Planned("describe_vpcs", {"Vpcs": vpcs()}),
            Planned("describe_managed_prefix_lists", {"PrefixLists": prefix_lists()}),
            Planned(
                "get_managed_prefix_list_entries",
                {"Entries": prefix_list_entries()},
                expected_params={"PrefixListId": "pl-0office", "MaxResults": 100},
            ),
        ],
        "kms": [
            Planned("describe_key", kms_key(CMK, "CUSTOMER"), expected_params={"KeyId": CMK}),
            Planned(
                "describe_key",
                kms_key(SNAPSHOT_KEY, "AWS"),
                expected_params={"KeyId": SNAPSHOT_KEY},
            ),
        ],
        "cloudwatch": [Planned("get_metric_data", {"MetricDataResults": metric_results()})],
        "cloudtrail": [
            Planned(
                "describe_trails",
                {"trailList": [trail()]},
                expected_params={"includeShadowTrails": True},
            ),
            Planned("get_trail_status", {"IsLogging": True}),
            Planned("get_event_selectors", advanced_selectors()),
        ],
        "iam": iam_plan(),
    }


def elasticache_plan() -> list[Planned]:
    return [
        Planned(
            "describe_replication_groups",
            {"ReplicationGroups": [replication_group()]},
            expected_params={"MaxRecords": 100},
        ),
        Planned(
            "describe_cache_clusters",
            {"CacheClusters": [member_cluster(), memcached_cluster()]},
            expected_params={"ShowCacheNodeInfo": True, "MaxRecords": 100},
        ),
        Planned("describe_serverless_caches", {"ServerlessCaches": [serverless_cache()]}),
        Planned("describe_user_groups", {"UserGroups": [user_group()]}),
        Planned("describe_users", {"Users": users()}),
        Planned("describe_cache_subnet_groups", {"CacheSubnetGroups": subnet_groups()}),
        Planned(
            "describe_snapshots", {"Snapshots": snapshots()}, expected_params={"MaxRecords": 50}
        ),
        Planned(
            "describe_serverless_cache_snapshots",
            {"ServerlessCacheSnapshots": serverless_snapshots()},
        ),
        Planned("describe_reserved_cache_nodes", {"ReservedCacheNodes": reserved_nodes()}),
    ]


def iam_plan() -> list[Planned]:
    return [
        Planned(
            "list_policies",
            {"Policies": iam_policies()},
            expected_params={"Scope": "Local", "OnlyAttached": True},
        ),
        Planned(
            "get_policy_version", policy_version(["elasticache:Modify*", "s3:GetObject"], "v3")
        ),
        Planned(
            "list_entities_for_policy",
            {
                "PolicyGroups": [],
                "PolicyUsers": [{"UserName": "ops"}],
                "PolicyRoles": [{"RoleName": "deployer"}],
            },
        ),
        Planned("get_policy_version", policy_version(["elasticache:Describe*"], "v1")),
    ]
