"""Cache subnet groups, including the lazily created `default` group."""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult

from sandbox.fake_aws.elasticache.context import params_of, store_for, tag
from sandbox.fake_aws.elasticache.errors import ElastiCacheError, already_exists, invalid_value
from sandbox.fake_aws.elasticache.paging import page
from sandbox.fake_aws.elasticache.records import SubnetGroupRecord
from sandbox.fake_aws.elasticache.render_other import render_subnet_group
from sandbox.fake_aws.elasticache.store import (
    DEFAULT_SUBNET_GROUP,
    ElastiCacheStore,
    ensure_default_subnet_group,
    resolve_subnet_group,
)
from sandbox.fake_aws.elasticache.xml_result import QueryXmlResult


def subnets_in_one_vpc(
    store: ElastiCacheStore, subnet_ids: list[str]
) -> tuple[str, list[tuple[str, str]]]:
    if not subnet_ids:
        raise invalid_value("A cache subnet group needs at least one subnet.")
    ec2 = store.ec2()
    found = []
    for subnet_id in subnet_ids:
        try:
            found.append(ec2.get_subnet(subnet_id))
        except Exception as error:  # moto raises InvalidSubnetIdError
            raise ElastiCacheError("InvalidSubnet", f"Subnet {subnet_id} is invalid.") from error
    vpcs = {subnet.vpc_id for subnet in found}
    if len(vpcs) != 1:
        raise ElastiCacheError("InvalidSubnet", "All subnets must be in the same VPC.")
    return vpcs.pop(), [(subnet.id, subnet.availability_zone) for subnet in found]


def create_cache_subnet_group(response: Any) -> ActionResult:
    store, params = store_for(response), params_of(response)
    name = params["CacheSubnetGroupName"].lower()
    with store.lock:
        if name in store.subnet_groups:
            raise already_exists("CacheSubnetGroupAlreadyExists", f"CacheSubnetGroup {name}")
        vpc_id, subnets = subnets_in_one_vpc(store, list(params.get("SubnetIds") or []))
        group = SubnetGroupRecord(
            name=name,
            description=params.get("CacheSubnetGroupDescription", ""),
            arn=store.arn("subnetgroup", name),
            vpc_id=vpc_id,
            subnets=subnets,
        )
        store.subnet_groups[name] = group
        tag(store, group.arn, params.get("Tags"))
    return QueryXmlResult({"CacheSubnetGroup": render_subnet_group(group)})


def describe_cache_subnet_groups(response: Any) -> ActionResult:
    store, params = store_for(response), params_of(response)
    with store.lock:
        if params.get("CacheSubnetGroupName"):
            groups = [resolve_subnet_group(store, params["CacheSubnetGroupName"])]
        else:
            ensure_default_subnet_group(store)
            groups = list(store.subnet_groups.values())
        selected, marker = page(groups, params.get("MaxRecords"), params.get("Marker"))
        rendered = [render_subnet_group(group) for group in selected]
    result: dict[str, Any] = {"CacheSubnetGroups": rendered}
    if marker:
        result["Marker"] = marker
    return QueryXmlResult(result)


def delete_cache_subnet_group(response: Any) -> ActionResult:
    store, params = store_for(response), params_of(response)
    name = params["CacheSubnetGroupName"].lower()
    with store.lock:
        group = resolve_subnet_group(store, name)
        in_use = any(
            g.cache_subnet_group_name == name for g in store.replication_groups.values()
        ) or any(c.cache_subnet_group_name == name for c in store.cache_clusters.values())
        if in_use or name == DEFAULT_SUBNET_GROUP:
            raise ElastiCacheError("CacheSubnetGroupInUse", f"CacheSubnetGroup {name} is in use.")
        del store.subnet_groups[group.name]
    return QueryXmlResult({})
