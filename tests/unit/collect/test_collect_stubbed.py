"""collect_inventory against botocore Stubbers: every field the rules read, and partial failure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from botocore.loaders import Loader
from botocore.stub import ANY

from posture.policy import OrgPolicy
from posture.resources import Inventory
from tests.unit.collect import aws_answers as aws
from tests.unit.collect.plans import ELASTICACHE_SUBNET_GROUPS_STEP, region_plan
from tests.unit.collect.stubs import ACCOUNT, REGION, Planned, StubbedAccount, stubbed_account
from workers.aws.collect import collect_inventory
from workers.aws.filters import ScanFilters
from workers.aws.session import CallCounter

NOW = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)


def _collect(account: StubbedAccount, counter: CallCounter | None = None) -> Inventory:
    inventory = collect_inventory(account, ACCOUNT, REGION, ScanFilters(), counter=counter, now=NOW)
    account.assert_done()
    return inventory


def test_every_cache_field_the_rules_read_arrives(loader: Loader) -> None:
    inventory = _collect(stubbed_account(region_plan(), loader))

    assert inventory.errors == ()
    group = inventory.replication_groups[0]
    assert group.pending_modified_values is not None
    assert group.pending_modified_values.auth_token_status == "ROTATING"
    assert group.pending_modified_values.transit_encryption_mode == "required"
    assert (group.transit_encryption_mode, group.kms_key_id) == ("preferred", aws.CMK)
    assert group.user_group_ids == ("app-users",)
    assert group.global_datastore_id == "ldgnf-orders-global"
    assert group.log_delivery_configurations[0].status == "active"
    member, memcached = inventory.cache_clusters
    assert member.replication_group_id == "orders" and member.engine_version == "7.1.0"
    assert member.cache_nodes[0].endpoint is not None
    assert member.cache_nodes[0].endpoint.port == 6380
    assert member.security_groups[0].security_group_id == "sg-0cache"
    assert member.notification_configuration is not None
    assert member.notification_configuration.topic_status == "active"
    assert memcached.cache_subnet_group_name == "default"
    serverless = inventory.serverless_caches[0]
    assert (serverless.user_group_id, serverless.subnet_ids) == (
        "app-users",
        ("subnet-0serverless",),
    )
    assert serverless.reader_endpoint is not None and serverless.reader_endpoint.port == 6380


def test_vpcs_and_prefix_lists_of_the_caches_arrive(loader: Loader) -> None:
    inventory = _collect(stubbed_account(region_plan(), loader))

    by_id = {vpc.vpc_id: vpc for vpc in inventory.vpcs}
    assert by_id["vpc-0main"].cidr_blocks() == ("10.0.0.0/16", "100.64.0.0/16")
    assert by_id["vpc-0default"].is_default
    (office,) = inventory.prefix_lists
    assert office.prefix_list_id == "pl-0office"
    assert office.entries is not None and office.entries[0].cidr == "198.51.100.0/24"
    serverless_backup = next(s for s in inventory.snapshots if s.snapshot_name == "carts-manual")
    assert serverless_backup.serverless_cache_name == "carts"


def test_access_network_and_key_facts_arrive(loader: Loader) -> None:
    inventory = _collect(stubbed_account(region_plan(), loader))

    assert {u.user_id: u.authentication.type for u in inventory.users if u.authentication} == {
        "default": "no-password",
        "app": "password",
    }
    assert inventory.user_groups[0].user_ids == ("default", "app")
    # Only the subnet groups the clusters use; the unused one is dropped.
    assert {g.cache_subnet_group_name for g in inventory.subnet_groups} == {
        "private-cache",
        "default",
    }
    assert {s.subnet_id for s in inventory.subnets} == {
        "subnet-0private",
        "subnet-0public",
        "subnet-0serverless",
    }
    assert sorted(t.route_table_id for t in inventory.route_tables) == [
        "rtb-0defaultmain",
        "rtb-0private",
    ]
    open_group = next(g for g in inventory.security_groups if g.group_id == "sg-0open")
    assert open_group.ip_permissions[0].covers_port(11211)
    assert {(k.arn, k.key_manager) for k in inventory.kms_keys} == {
        (aws.CMK, "CUSTOMER"),
        (aws.SNAPSHOT_KEY, "AWS"),
    }


def test_backups_costs_tags_and_detection_facts_arrive(loader: Loader) -> None:
    inventory = _collect(stubbed_account(region_plan(), loader))

    assert [s.snapshot_name for s in inventory.snapshots] == [
        "orders-daily",
        "old-orphan",
        "carts-manual",
    ]
    assert inventory.snapshots[2].kms_key_id == aws.CMK
    assert inventory.reserved_nodes[0].state == "payment-pending"
    assert inventory.reserved_nodes[0].duration == 31536000
    assert {t.resource_arn: t.tags[0].value for t in inventory.tags} == {
        aws.RG_ARN: "payments",
        aws.SERVERLESS_ARN: "web",
    }
    cpu = {m.cache_cluster_id: m for m in inventory.cpu_metrics}
    assert cpu["orders-001"].average_percent == pytest.approx(20.0)
    assert cpu["orders-001"].datapoints == 3
    assert cpu["sessions"].average_percent is None
    assert inventory.trails is not None
    assert inventory.trails[0].is_logging and inventory.trails[0].records_management_events
    assert inventory.iam_policies is not None
    (broad,) = inventory.iam_policies
    assert broad.policy_arn == aws.BROAD_POLICY
    assert broad.broad_actions == ("elasticache:Modify*",)
    assert broad.attached_to == ("user/ops", "role/deployer")
    assert inventory.collected_at == NOW


def test_access_denied_on_one_part_is_an_error_and_the_rest_completes(loader: Loader) -> None:
    plan = region_plan()
    plan["elasticache"][ELASTICACHE_SUBNET_GROUPS_STEP] = Planned(
        "describe_cache_subnet_groups",
        error_code="AccessDenied",
        error_message="User is not authorized to perform: elasticache:DescribeCacheSubnetGroups",
        http_status=403,
    )
    inventory = _collect(stubbed_account(plan, loader))

    assert [(e.operation, e.code, e.resource_kind) for e in inventory.errors] == [
        ("DescribeCacheSubnetGroups", "AccessDenied", "cache_cluster")
    ]
    assert "not authorized" in inventory.errors[0].message
    assert inventory.subnet_groups == ()
    # Everything else still arrived, including parts collected after the failure.
    assert len(inventory.replication_groups) == 1 and len(inventory.cache_clusters) == 2
    assert len(inventory.security_groups) == 2 and len(inventory.kms_keys) == 2
    assert inventory.trails is not None and inventory.iam_policies is not None


def test_unreachable_region_stops_after_the_first_auth_failure(loader: Loader) -> None:
    plan = {
        "elasticache": [
            Planned(
                "describe_replication_groups",
                error_code="InvalidClientTokenId",
                error_message="The security token included in the request is invalid.",
                http_status=403,
            )
        ]
    }
    counter = CallCounter()
    inventory = _collect(stubbed_account(plan, loader), counter)

    assert [e.code for e in inventory.errors] == ["InvalidClientTokenId"]
    assert counter.total_calls == 1  # no doomed calls for the other parts
    assert inventory.trails is None and inventory.iam_policies is None


def test_unexpected_fault_on_a_describe_is_recorded_with_its_code(loader: Loader) -> None:
    plan = region_plan()
    plan["elasticache"][0] = Planned(
        "describe_replication_groups",
        error_code="InvalidReplicationGroupState",
        error_message="Replication group orders is not in available state.",
    )
    inventory = _collect(stubbed_account(plan, loader))

    assert [(e.operation, e.code) for e in inventory.errors] == [
        ("DescribeReplicationGroups", "InvalidReplicationGroupState")
    ]
    assert inventory.replication_groups == ()
    assert len(inventory.cache_clusters) == 2  # a member whose group is unknown still counts


def test_iam_facts_only_when_asked(loader: Loader) -> None:
    plan = region_plan()
    del plan["iam"]
    account = stubbed_account(plan, loader)
    inventory = collect_inventory(
        account, ACCOUNT, REGION, counter=None, now=NOW, include_account_facts=False
    )
    account.assert_done()

    assert inventory.iam_policies is None
    assert inventory.trails is not None


def test_lookback_sets_the_metric_window(loader: Loader) -> None:
    plan = region_plan()
    plan["cloudwatch"] = [
        Planned(
            "get_metric_data",
            {"MetricDataResults": aws.metric_results()},
            expected_params={
                "MetricDataQueries": _cpu_queries(["orders-001", "sessions"]),
                "StartTime": NOW - timedelta(days=14),
                "EndTime": NOW,
            },
        )
    ]
    account = stubbed_account(plan, loader)
    collect_inventory(account, ACCOUNT, REGION, now=NOW, lookback=timedelta(days=14))
    account.assert_done()


def _cpu_queries(cluster_ids: list[str]) -> list[dict[str, object]]:
    return [
        {
            "Id": f"cpu{index}",
            "MetricStat": {
                "Metric": {
                    "Namespace": "AWS/ElastiCache",
                    "MetricName": "CPUUtilization",
                    "Dimensions": [{"Name": "CacheClusterId", "Value": cluster_id}],
                },
                "Period": 3600,
                "Stat": "Average",
            },
            "ReturnData": True,
        }
        for index, cluster_id in enumerate(cluster_ids)
    ]


def test_cpu_window_is_the_one_the_policy_asks_for(loader: Loader) -> None:
    """[nodes] idle_lookback_days reaches GetMetricData and is recorded on each metric."""
    plan = region_plan()
    window = OrgPolicy.model_validate({"nodes": {"idle_lookback_days": 14}}).nodes.idle_window
    plan["cloudwatch"] = [
        Planned(
            "get_metric_data",
            {"MetricDataResults": aws.metric_results()},
            expected_params={"MetricDataQueries": ANY, "StartTime": NOW - window, "EndTime": NOW},
        )
    ]
    account = stubbed_account(plan, loader)
    inventory = collect_inventory(account, ACCOUNT, REGION, ScanFilters(), now=NOW, lookback=window)
    account.assert_done()
    assert inventory.cpu_metrics
    assert {m.lookback_days for m in inventory.cpu_metrics} == {14}
