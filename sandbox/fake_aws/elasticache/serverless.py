"""Serverless caches: always encrypted, RBAC only (UserGroupId), Memcached without RBAC."""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult
from moto.core.utils import utcnow

from sandbox.fake_aws.elasticache import naming
from sandbox.fake_aws.elasticache.context import check_kms_key, params_of, store_for, tag
from sandbox.fake_aws.elasticache.errors import (
    ElastiCacheError,
    already_exists,
    invalid_combination,
    not_found,
)
from sandbox.fake_aws.elasticache.paging import page
from sandbox.fake_aws.elasticache.records import ServerlessCacheRecord
from sandbox.fake_aws.elasticache.render_other import render_serverless
from sandbox.fake_aws.elasticache.store import (
    ElastiCacheStore,
    check_security_groups,
    default_security_group,
)
from sandbox.fake_aws.elasticache.subnets import subnets_in_one_vpc
from sandbox.fake_aws.elasticache.validation import check_engine, check_retention
from sandbox.fake_aws.elasticache.xml_result import QueryXmlResult

MAJOR_VERSIONS = {"redis": ("7", "7.1"), "valkey": ("8", "8.0"), "memcached": ("1.6", "1.6")}
FULL_VERSIONS = {"7": "7.1", "8": "8.0", "1.6": "1.6"}


def _network(store: ElastiCacheStore, params: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(subnet ids, security group ids), defaulting to the default VPC like AWS."""
    subnet_ids = list(params.get("SubnetIds") or [])
    if subnet_ids:
        vpc_id, _ = subnets_in_one_vpc(store, subnet_ids)
    else:
        vpc = store.ec2().get_default_vpc()
        if vpc is None:
            raise ElastiCacheError("InvalidVPCNetworkStateFault", "No default VPC; give SubnetIds.")
        vpc_id = vpc.id
        subnet_ids = sorted(s.id for s in store.ec2().get_default_subnets().values())[:3]
    security_groups = list(params.get("SecurityGroupIds") or [])
    check_security_groups(store, security_groups, vpc_id)
    return subnet_ids, security_groups or default_security_group(store, vpc_id)


def _check_user_group(store: ElastiCacheStore, engine: str, user_group_id: str | None) -> None:
    if not user_group_id:
        return
    if engine == "memcached":
        raise invalid_combination("Memcached serverless caches don't support user groups.")
    if user_group_id not in store.user_groups:
        raise ElastiCacheError("UserGroupNotFound", f"User group {user_group_id} not found.")


def build_serverless(store: ElastiCacheStore, params: dict[str, Any]) -> ServerlessCacheRecord:
    name = params["ServerlessCacheName"]
    if name in store.serverless_caches:
        raise already_exists("ServerlessCacheAlreadyExistsFault", f"Serverless cache {name}")
    engine = (params.get("Engine") or "").lower()
    check_engine(engine)
    major = params.get("MajorEngineVersion") or MAJOR_VERSIONS[engine][0]
    _check_user_group(store, engine, params.get("UserGroupId"))
    check_kms_key(store, params.get("KmsKeyId"))
    retention = params.get("SnapshotRetentionLimit") or 0
    check_retention(retention)
    subnet_ids, security_groups = _network(store, params)
    return ServerlessCacheRecord(
        serverless_cache_name=name,
        arn=store.arn("serverlesscache", name),
        description=params.get("Description", ""),
        engine=engine,
        major_engine_version=major,
        full_engine_version=FULL_VERSIONS.get(major, major),
        kms_key_id=params.get("KmsKeyId"),
        security_group_ids=security_groups,
        subnet_ids=subnet_ids,
        user_group_id=params.get("UserGroupId"),
        snapshot_retention_limit=retention,
        daily_snapshot_time=params.get("DailySnapshotTime") or "04:00",
        create_time=utcnow(),
        domain_token=naming.domain_token(store.account_id, store.region, name),
        cache_usage_limits=params.get("CacheUsageLimits") or None,
    )


def create_serverless_cache(response: Any) -> ActionResult:
    store, params = store_for(response), params_of(response)
    with store.lock:
        cache = build_serverless(store, params)
        store.serverless_caches[cache.serverless_cache_name] = cache
        tag(store, cache.arn, params.get("Tags"))
        return QueryXmlResult({"ServerlessCache": render_serverless(store, cache)})


def find_serverless(store: ElastiCacheStore, name: str) -> ServerlessCacheRecord:
    cache = store.serverless_caches.get(name)
    if cache is None:
        raise not_found("ServerlessCacheNotFoundFault", f"Serverless cache {name}")
    return cache


def describe_serverless_caches(response: Any) -> ActionResult:
    store, params = store_for(response), params_of(response)
    with store.lock:
        if params.get("ServerlessCacheName"):
            caches = [find_serverless(store, params["ServerlessCacheName"])]
        else:
            caches = list(store.serverless_caches.values())
        selected, token = page(caches, params.get("MaxResults"), params.get("NextToken"), lowest=1)
        rendered = [render_serverless(store, cache) for cache in selected]
    result: dict[str, Any] = {"ServerlessCaches": rendered}
    if token:
        result["NextToken"] = token
    return QueryXmlResult(result)


def modify_serverless_cache(response: Any) -> ActionResult:
    store, params = store_for(response), params_of(response)
    with store.lock:
        cache = find_serverless(store, params["ServerlessCacheName"])
        if params.get("RemoveUserGroup") and params.get("UserGroupId"):
            raise invalid_combination("Use either RemoveUserGroup or UserGroupId.")
        _check_user_group(store, cache.engine, params.get("UserGroupId"))
        if params.get("SecurityGroupIds"):
            check_security_groups(store, params["SecurityGroupIds"])
            cache.security_group_ids = list(params["SecurityGroupIds"])
        if params.get("SnapshotRetentionLimit") is not None:
            check_retention(params["SnapshotRetentionLimit"])
            cache.snapshot_retention_limit = params["SnapshotRetentionLimit"]
        if params.get("UserGroupId"):
            cache.user_group_id = params["UserGroupId"]
        if params.get("RemoveUserGroup"):
            cache.user_group_id = None
        cache.description = params.get("Description", cache.description)
        cache.daily_snapshot_time = params.get("DailySnapshotTime", cache.daily_snapshot_time)
        return QueryXmlResult({"ServerlessCache": render_serverless(store, cache)})


def delete_serverless_cache(response: Any) -> ActionResult:
    store, params = store_for(response), params_of(response)
    with store.lock:
        cache = find_serverless(store, params["ServerlessCacheName"])
        rendered = render_serverless(store, cache)
        del store.serverless_caches[cache.serverless_cache_name]
    rendered["Status"] = "deleting"
    return QueryXmlResult({"ServerlessCache": rendered})
