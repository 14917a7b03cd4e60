"""Pure pieces of the collector: redaction, IAM and CloudTrail reading, filters, memo, counter."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from botocore.loaders import Loader

from posture.base import Engine
from posture.resources import CacheCluster, ReplicationGroup
from tests.unit.collect.stubs import REGION, Planned, stubbed_account
from workers.aws.collect_account import broad_actions, records_management_events
from workers.aws.collect_usage import cpu_metrics
from workers.aws.context import RegionContext, ScanCache, chunked, describe_by_ids_or_listing
from workers.aws.errors import ErrorLog, redact, to_collection_error
from workers.aws.filters import ScanFilters, keep_cache_clusters, keep_replication_groups
from workers.aws.session import CallCounter, account_of_role

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


@pytest.mark.parametrize(
    "text",
    [
        f"signature mismatch for key AKIAIOSFODNN7EXAMPLE with secret {SECRET}",
        "Authorization: AWS4-HMAC-SHA256 Credential=ASIAXXXXXXXXXXXXXXXX/20250101/us-east-1, "
        "Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        f"X-Amz-Security-Token={'A' * 300}&X-Amz-Signature=feedbeef",
    ],
)
def test_redact_removes_keys_secrets_and_signatures(text: str) -> None:
    cleaned = redact(text)
    for leaked in ("AKIAIOSFODNN7EXAMPLE", SECRET, "ASIAXXXXXXXXXXXXXXXX", "A" * 60, "feedbeef"):
        assert leaked not in cleaned
    assert "0123456789abcdef0123" not in cleaned


def test_redact_keeps_useful_text_and_caps_length() -> None:
    message = "User arn:aws:iam::123456789012:user/ops is not authorized"
    assert redact(message) == message
    assert len(redact("x " * 1000)) == 300


def test_error_entries_never_carry_credentials() -> None:
    exc = ClientError(
        {"Error": {"Code": "SignatureDoesNotMatch", "Message": f"expected {SECRET}"}},
        "DescribeUsers",
    )
    error = to_collection_error(exc, "ignored", "user")
    assert (error.operation, error.code) == ("DescribeUsers", "SignatureDoesNotMatch")
    assert SECRET not in error.message


def test_error_log_skips_parts_once_the_region_is_unreachable() -> None:
    log = ErrorLog()
    calls: list[str] = []

    def unreachable() -> tuple[str, ...]:
        calls.append("first")
        raise EndpointConnectionError(endpoint_url="https://elasticache.xx-dead-1.amazonaws.com")

    assert log.run_all("DescribeReplicationGroups", "replication_group", unreachable) == ()
    assert log.run_all("DescribeUsers", "user", lambda: ("never",)) == ()
    assert calls == ["first"]
    assert [e.code for e in log.errors] == ["EndpointConnectionError"]


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ({"Effect": "Allow", "Action": "elasticache:*", "Resource": "*"}, ("elasticache:*",)),
        ({"Effect": "Allow", "Action": ["*"], "Resource": ["*"]}, ("*",)),
        (
            {"Effect": "Allow", "Action": "ElastiCache:Modify*", "Resource": "*"},
            ("ElastiCache:Modify*",),
        ),
        ({"Effect": "Allow", "Action": "elasticache:Describe*", "Resource": "*"}, ()),
        ({"Effect": "Allow", "Action": "elasticache:ModifyReplicationGroup", "Resource": "*"}, ()),
        (
            {
                "Effect": "Allow",
                "Action": "elasticache:*",
                "Resource": "arn:aws:elasticache:*:1:replicationgroup:x",
            },
            (),
        ),
        ({"Effect": "Deny", "Action": "elasticache:*", "Resource": "*"}, ()),
    ],
)
def test_broad_actions(statement: dict[str, object], expected: tuple[str, ...]) -> None:
    assert broad_actions({"Version": "2012-10-17", "Statement": statement}) == expected


@pytest.mark.parametrize(
    ("selectors", "expected"),
    [
        ({"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True}]}, True),
        (
            {"EventSelectors": [{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}]},
            True,
        ),
        (
            {"EventSelectors": [{"ReadWriteType": "ReadOnly", "IncludeManagementEvents": True}]},
            False,
        ),
        ({"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": False}]}, False),
        (
            {
                "AdvancedEventSelectors": [
                    {"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]}]}
                ]
            },
            False,
        ),
        (
            {
                "AdvancedEventSelectors": [
                    {
                        "FieldSelectors": [
                            {"Field": "eventCategory", "Equals": ["Management"]},
                            {"Field": "readOnly", "Equals": ["true"]},
                        ]
                    }
                ]
            },
            False,
        ),
        (
            {
                "AdvancedEventSelectors": [
                    {
                        "FieldSelectors": [
                            {"Field": "eventCategory", "Equals": ["Management"]},
                            {"Field": "eventSource", "NotEquals": ["elasticache.amazonaws.com"]},
                        ]
                    }
                ]
            },
            False,
        ),
        (
            {
                "AdvancedEventSelectors": [
                    {
                        "FieldSelectors": [
                            {"Field": "eventCategory", "Equals": ["Management"]},
                            {"Field": "readOnly", "Equals": ["false"]},
                        ]
                    }
                ]
            },
            True,
        ),
        ({}, False),
    ],
)
def test_records_management_events(selectors: dict[str, object], expected: bool) -> None:
    assert records_management_events(selectors) is expected


def _group(group_id: str, engine: str = "redis") -> ReplicationGroup:
    return ReplicationGroup(
        replication_group_id=group_id, arn=f"arn:{group_id}", engine=engine, member_clusters=()
    )


def _cluster(cluster_id: str, engine: str, group_id: str | None = None) -> CacheCluster:
    return CacheCluster(
        cache_cluster_id=cluster_id,
        arn=f"arn:{cluster_id}",
        engine=engine,
        replication_group_id=group_id,
    )


def test_tag_and_engine_filters_keep_members_with_their_group() -> None:
    groups = (_group("orders"), _group("search", "valkey"))
    clusters = (
        _cluster("orders-001", "redis", "orders"),
        _cluster("search-001", "valkey", "search"),
        _cluster("sessions", "memcached"),
        _cluster("legacy", "redis"),
    )
    tags = {"arn:orders": {"team": "payments"}, "arn:legacy": {"team": "payments"}}
    filters = ScanFilters(tag_key="team", tag_value="payments")

    kept_groups = keep_replication_groups(groups, filters, tags)
    kept = keep_cache_clusters(clusters, filters, tags, groups, kept_groups)

    assert [g.replication_group_id for g in kept_groups] == ["orders"]
    assert [c.cache_cluster_id for c in kept] == ["orders-001", "legacy"]
    by_engine = ScanFilters(engine=Engine.MEMCACHED)
    assert [
        c.cache_cluster_id for c in keep_cache_clusters(clusters, by_engine, {}, groups, ())
    ] == ["sessions"]


def test_filter_flags() -> None:
    assert ScanFilters().is_empty and not ScanFilters().narrowed_by_id
    assert ScanFilters(cache_cluster_id="x").narrowed_by_id
    assert not ScanFilters(engine=Engine.VALKEY).is_empty
    assert not ScanFilters(serverless_cache_name="c").wants_replication_groups()
    assert ScanFilters(replication_group_id="g").wants_cache_clusters()
    assert ScanFilters(tag_key="team").tag_matches({"team": "any"})
    assert not ScanFilters(tag_key="team", tag_value="a").tag_matches({"team": "b"})


def test_by_ids_or_listing_switches_on_the_filter() -> None:
    listed = [{"Id": "a"}, {"Id": "b"}, {"Id": "c"}]
    single_calls: list[str] = []

    def one(item_id: str) -> list[dict[str, str]]:
        single_calls.append(item_id)
        return [{"Id": item_id}]

    fleet = describe_by_ids_or_listing(
        ["a", "c"],
        narrowed=False,
        describe_one=one,
        list_all=lambda: listed,
        id_of=lambda i: i["Id"],
    )
    narrow = describe_by_ids_or_listing(
        ["b"], narrowed=True, describe_one=one, list_all=lambda: listed, id_of=lambda i: i["Id"]
    )
    assert (fleet, narrow, single_calls) == ([{"Id": "a"}, {"Id": "c"}], [{"Id": "b"}], ["b"])


def test_scan_cache_computes_each_key_once_across_threads() -> None:
    cache = ScanCache()
    computed: list[str] = []
    gate = threading.Barrier(8)

    def compute() -> str:
        computed.append("key")
        return "value"

    def worker(_: int) -> str:
        gate.wait()
        return cache.get_or_compute(("kms", "key-1"), compute)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(worker, range(8)))
    assert results == ["value"] * 8 and computed == ["key"]


def test_chunked_and_role_account() -> None:
    assert list(chunked(["a", "b", "c"], 2)) == [["a", "b"], ["c"]]
    assert account_of_role("arn:aws:iam::210987654321:role/cachewarden") == "210987654321"
    with pytest.raises(ValueError):
        account_of_role("arn:aws:iam::210987654321:user/someone")


def test_call_counter_is_exact_under_threads(loader: Loader) -> None:
    counter = CallCounter()
    threads, calls_each = 6, 20

    def worker(_: int) -> None:
        plan = {"elasticache": [Planned("describe_users", {"Users": []})] * calls_each}
        account = stubbed_account(plan, loader)
        client = account.client(account.new_session(counter), "elasticache", REGION)
        for _ in range(calls_each):
            client.describe_users()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(worker, range(threads)))
    assert counter.calls() == {("elasticache", "DescribeUsers"): threads * calls_each}


def test_cpu_metrics_batch_500_queries_per_call(loader: Loader) -> None:
    clusters = [f"c{index}" for index in range(501)]
    first = {"MetricDataResults": [{"Id": "cpu0", "Values": [4.0, 2.0]}]}
    second = {"MetricDataResults": [{"Id": "cpu0", "Values": [1.0]}]}
    account = stubbed_account(
        {"cloudwatch": [Planned("get_metric_data", first), Planned("get_metric_data", second)]},
        loader,
    )
    ctx = RegionContext(account, account.new_session(), REGION)
    now = datetime(2025, 1, 8, tzinfo=UTC)

    metrics = {
        m.cache_cluster_id: m
        for m in cpu_metrics(ctx, clusters, now=now, lookback=timedelta(days=7))
    }

    account.assert_done()
    assert len(metrics) == 501
    assert (metrics["c0"].average_percent, metrics["c0"].datapoints) == (3.0, 2)
    assert (metrics["c500"].average_percent, metrics["c500"].datapoints) == (1.0, 1)
    assert metrics["c1"].average_percent is None
