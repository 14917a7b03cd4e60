"""Read-only ElastiCache calls moto lacks, answered with fixed AWS-like data so a
collector never meets moto's HTTP 500 for them."""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult

from sandbox.fake_aws.elasticache import naming
from sandbox.fake_aws.elasticache.context import params_of
from sandbox.fake_aws.elasticache.paging import page
from sandbox.fake_aws.elasticache.xml_result import QueryXmlResult

ENGINE_VERSIONS = {
    "redis": ("5.0.6", "6.0.5", "6.2.6", "7.0.7", "7.1.0"),
    "valkey": ("7.2.6", "8.0.1", "8.1.0"),
    "memcached": ("1.5.16", "1.6.6", "1.6.12", "1.6.17", "1.6.22"),
}


def describe_cache_engine_versions(response: Any) -> ActionResult:
    params = params_of(response)
    versions = [
        {
            "Engine": engine,
            "EngineVersion": version,
            "CacheParameterGroupFamily": naming.parameter_group_family(engine, version)[8:],
            "CacheEngineDescription": engine,
            "CacheEngineVersionDescription": f"{engine} {version}",
        }
        for engine, engine_versions in ENGINE_VERSIONS.items()
        for version in engine_versions
        if params.get("Engine") in (None, engine) and params.get("EngineVersion") in (None, version)
    ]
    selected, marker = page(versions, params.get("MaxRecords"), params.get("Marker"))
    result: dict[str, Any] = {"CacheEngineVersions": selected}
    if marker:
        result["Marker"] = marker
    return QueryXmlResult(result)


def describe_events(response: Any) -> ActionResult:
    return QueryXmlResult({"Events": []})


def describe_global_replication_groups(response: Any) -> ActionResult:
    return QueryXmlResult({"GlobalReplicationGroups": []})
