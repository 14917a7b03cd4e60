"""Tags on ElastiCache resources, and what the Resource Groups Tagging API sees of them.

Member clusters carry the tags of their replication group (AWS copies group tags to the
member nodes), plus any tags put on the member itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from moto.core.resource_tagging import TaggedResource
from moto.core.responses import ActionResult

from sandbox.fake_aws.elasticache.context import params_of, store_for, tag
from sandbox.fake_aws.elasticache.errors import ElastiCacheError, not_found
from sandbox.fake_aws.elasticache.render_clusters import find_cluster_facts
from sandbox.fake_aws.elasticache.render_groups import members_of
from sandbox.fake_aws.elasticache.store import ElastiCacheStore, store_of
from sandbox.fake_aws.elasticache.xml_result import QueryXmlResult

_KINDS = {
    "replicationgroup": ("replication_groups", "ReplicationGroupNotFoundFault"),
    "serverlesscache": ("serverless_caches", "ServerlessCacheNotFoundFault"),
    "user": ("users", "UserNotFound"),
    "usergroup": ("user_groups", "UserGroupNotFound"),
    "snapshot": ("snapshots", "SnapshotNotFoundFault"),
    # serverless backups are kept by name as rendered dicts
    "serverlesscachesnapshot": ("serverless_snapshots", "ServerlessCacheSnapshotNotFoundFault"),
    "subnetgroup": ("subnet_groups", "CacheSubnetGroupNotFoundFault"),
    "reserved-instance": ("reserved_nodes", "ReservedCacheNodeNotFound"),
}


def _parse(store: ElastiCacheStore, arn: str) -> tuple[str, str]:
    parts = arn.split(":", 6)
    if len(parts) != 7 or parts[:3] != ["arn", "aws", "elasticache"]:
        raise ElastiCacheError("InvalidARN", f"ARN {arn} is invalid.")
    if parts[3] != store.region or parts[4] != store.account_id:
        raise ElastiCacheError("InvalidARN", f"ARN {arn} is not in this account and region.")
    return parts[5], parts[6]


def _member_group(store: ElastiCacheStore, cluster_id: str) -> str | None:
    """The group id of a member cluster, "" for a standalone one, None if unknown."""
    facts = find_cluster_facts(store, cluster_id)
    return None if facts is None else facts.replication_group_id or ""


def _check_exists(store: ElastiCacheStore, kind: str, name: str) -> None:
    if kind == "cluster":
        if _member_group(store, name) is None:
            raise not_found("CacheClusterNotFound", f"Cache cluster {name}")
        return
    if kind not in _KINDS:
        raise ElastiCacheError("InvalidARN", f"Unsupported resource type {kind}.")
    collection, fault = _KINDS[kind]
    if name not in getattr(store, collection):
        raise not_found(fault, name)


def tags_of(store: ElastiCacheStore, arn: str, group_id: str | None = None) -> dict[str, str]:
    """Own tags, under the tags of the member's replication group when there is one."""
    own = store.tagging().get_tag_dict_for_resource(arn)
    if group_id is None:
        kind, name = arn.split(":", 6)[5:7]
        group_id = _member_group(store, name) if kind == "cluster" else None
    if group_id:
        group_arn = store.arn("replicationgroup", group_id)
        return {**store.tagging().get_tag_dict_for_resource(group_arn), **own}
    return dict(own)


def _tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def add_tags_to_resource(response: Any) -> ActionResult:
    store, params = store_for(response), params_of(response)
    arn = params["ResourceName"]
    with store.lock:
        _check_exists(store, *_parse(store, arn))
        tag(store, arn, params.get("Tags"))
        return QueryXmlResult({"TagList": _tag_list(tags_of(store, arn))})


def list_tags_for_resource(response: Any) -> ActionResult:
    store, params = store_for(response), params_of(response)
    arn = params["ResourceName"]
    with store.lock:
        _check_exists(store, *_parse(store, arn))
        return QueryXmlResult({"TagList": _tag_list(tags_of(store, arn))})


def remove_tags_from_resource(response: Any) -> ActionResult:
    store, params = store_for(response), params_of(response)
    arn = params["ResourceName"]
    with store.lock:
        _check_exists(store, *_parse(store, arn))
        store.tagging().untag_resource_using_names(arn, params.get("TagKeys") or [])
        return QueryXmlResult({"TagList": _tag_list(tags_of(store, arn))})


def _taggable_arns(store: ElastiCacheStore) -> Iterator[tuple[str, str, str]]:
    """(arn, tagging API type, owning group id or "") of every taggable resource."""
    for group in store.replication_groups.values():
        yield group.arn, "elasticache:replicationgroup", ""
        for member in members_of(group):
            member_arn = store.arn("cluster", member.cluster_id)
            yield member_arn, "elasticache:cluster", group.replication_group_id
    for cluster in store.cache_clusters.values():
        yield cluster.arn, "elasticache:cluster", ""
    others = (
        (store.serverless_caches, "serverlesscache"),
        (store.snapshots, "snapshot"),
        (store.users, "user"),
        (store.user_groups, "usergroup"),
        (store.subnet_groups, "subnetgroup"),
        (store.reserved_nodes, "reserved-instance"),
    )
    for collection, kind in others:
        for record in collection.values():
            yield record.arn, f"elasticache:{kind}", ""
    for snapshot in store.serverless_snapshots.values():
        yield str(snapshot["ARN"]), "elasticache:serverlesscachesnapshot", ""


def iter_tagged_resources(backend: Any) -> Iterator[TaggedResource]:
    """Replaces moto's: only resources that carry (or once carried) tags, like AWS."""
    store = store_of(backend)
    with store.lock:
        resources = []
        for arn, kind, group_id in _taggable_arns(store):
            tags = tags_of(store, arn, group_id)
            if tags or arn in store.ever_tagged:
                resources.append(
                    TaggedResource(
                        arn=arn, tags=tags, resource_type=kind, extra={"include_untagged": True}
                    )
                )
    yield from resources
