"""Tags (Resource Groups Tagging API, in bulk) and CPU use (CloudWatch GetMetricData, batched)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from posture.resources import CpuMetric, TaggedResource
from workers.aws.context import RegionContext, chunked
from workers.aws.filters import ScanFilters

TAG_PAGE = {"PageSize": 100}
# GetResources takes at most 100 ARNs per call, and no paging parameters with them.
ARN_BATCH = 100
# GetMetricData takes at most 500 queries per call.
METRIC_BATCH = 500
CPU_PERIOD_SECONDS = 3600


def tags_for_region(ctx: RegionContext, filters: ScanFilters) -> tuple[TaggedResource, ...]:
    """Every ElastiCache resource's tags in pages of 100 (only matching ones under a tag filter)."""
    params: dict[str, Any] = {"ResourceTypeFilters": ["elasticache"], "PaginationConfig": TAG_PAGE}
    if filters.tag_key:
        values = [filters.tag_value] if filters.tag_value is not None else []
        params["TagFilters"] = [{"Key": filters.tag_key, "Values": values}]
    paginator = ctx.client("resourcegroupstaggingapi").get_paginator("get_resources")
    found: list[TaggedResource] = []
    for page in paginator.paginate(**params):
        found.extend(TaggedResource.model_validate(i) for i in page["ResourceTagMappingList"])
    return tuple(found)


def tags_for_arns(ctx: RegionContext, arns: Sequence[str]) -> tuple[TaggedResource, ...]:
    """Tags of the named resources only (a scan narrowed to one group or cluster)."""
    client = ctx.client("resourcegroupstaggingapi")
    found: list[TaggedResource] = []
    for batch in chunked(sorted({arn for arn in arns if arn}), ARN_BATCH):
        answer = client.get_resources(ResourceARNList=batch)
        found.extend(TaggedResource.model_validate(i) for i in answer["ResourceTagMappingList"])
    return tuple(found)


def cpu_metrics(
    ctx: RegionContext, cluster_ids: Sequence[str], *, now: datetime, lookback: timedelta
) -> tuple[CpuMetric, ...]:
    """Average hourly `CPUUtilization` of each cluster over `lookback`, 500 clusters per call."""
    cloudwatch = ctx.client("cloudwatch")
    metrics: list[CpuMetric] = []
    for batch in chunked(list(dict.fromkeys(cluster_ids)), METRIC_BATCH):
        query_ids = {f"cpu{index}": cluster_id for index, cluster_id in enumerate(batch)}
        values = _metric_values(cloudwatch, query_ids, start=now - lookback, end=now)
        days = max(round(lookback / timedelta(days=1)), 1)
        metrics.extend(
            _average(cluster_id, values.get(query_id, [])).model_copy(
                update={"lookback_days": days}
            )
            for query_id, cluster_id in query_ids.items()
        )
    return tuple(metrics)


def _metric_values(
    cloudwatch: Any, query_ids: dict[str, str], *, start: datetime, end: datetime
) -> dict[str, list[float]]:
    """Query id -> datapoint values, merged across result pages."""
    queries = [
        {
            "Id": query_id,
            "MetricStat": {
                "Metric": {
                    "Namespace": "AWS/ElastiCache",
                    "MetricName": "CPUUtilization",
                    "Dimensions": [{"Name": "CacheClusterId", "Value": cluster_id}],
                },
                "Period": CPU_PERIOD_SECONDS,
                "Stat": "Average",
            },
            "ReturnData": True,
        }
        for query_id, cluster_id in query_ids.items()
    ]
    values: dict[str, list[float]] = {}
    paginator = cloudwatch.get_paginator("get_metric_data")
    for page in paginator.paginate(MetricDataQueries=queries, StartTime=start, EndTime=end):
        for result in page.get("MetricDataResults", []):
            values.setdefault(result["Id"], []).extend(result.get("Values", []))
    return values


def _average(cluster_id: str, values: list[float]) -> CpuMetric:
    if not values:
        return CpuMetric(cache_cluster_id=cluster_id, average_percent=None, datapoints=0)
    return CpuMetric(
        cache_cluster_id=cluster_id,
        average_percent=sum(values) / len(values),
        datapoints=len(values),
    )
