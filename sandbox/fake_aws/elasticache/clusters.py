"""Cache clusters: standalone ones are stored, members are derived from their group."""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult
from moto.core.utils import utcnow

from sandbox.fake_aws.elasticache import naming
from sandbox.fake_aws.elasticache.auth import (
    TokenRequest,
    check_token_at_create,
    plan_token_change,
)
from sandbox.fake_aws.elasticache.context import params_of, store_for, tag, zones_of
from sandbox.fake_aws.elasticache.errors import (
    ElastiCacheError,
    already_exists,
    invalid_combination,
    invalid_value,
    not_found,
)
from sandbox.fake_aws.elasticache.paging import page
from sandbox.fake_aws.elasticache.records import CacheClusterRecord, PendingChange
from sandbox.fake_aws.elasticache.render_clusters import (
    all_cluster_facts,
    find_cluster_facts,
    render_cluster,
    standalone_facts,
)
from sandbox.fake_aws.elasticache.store import (
    ElastiCacheStore,
    check_security_groups,
    default_security_group,
    resolve_subnet_group,
)
from sandbox.fake_aws.elasticache.validation import (
    check_engine,
    check_memcached_tls,
    check_retention,
    log_delivery_records,
)
from sandbox.fake_aws.elasticache.xml_result import QueryXmlResult

MAX_MEMCACHED_NODES = 40
SIMPLE_CLUSTER_PARAMS = {
    "AutoMinorVersionUpgrade": "auto_minor_version_upgrade",
    "NotificationTopicArn": "notification_topic_arn",
    "NotificationTopicStatus": "notification_topic_status",
    "PreferredMaintenanceWindow": "preferred_maintenance_window",
    "SnapshotWindow": "snapshot_window",
    "CacheNodeType": "cache_node_type",
}


def _node_count(engine: str, requested: int | None) -> int:
    count = 1 if requested is None else requested
    if engine == "memcached" and not 1 <= count <= MAX_MEMCACHED_NODES:
        raise invalid_value("NumCacheNodes must be between 1 and 40 for Memcached.")
    if engine != "memcached" and count != 1:
        raise invalid_value("A Redis OSS or Valkey cache cluster has exactly one node.")
    return count


def _check_new_cluster(store: ElastiCacheStore, params: dict[str, Any], engine: str) -> None:
    cluster_id = params["CacheClusterId"]
    if params.get("ReplicationGroupId"):
        raise invalid_value("Adding clusters to a replication group is not supported by the fake.")
    if find_cluster_facts(store, cluster_id) is not None:
        raise already_exists("CacheClusterAlreadyExists", f"Cache cluster {cluster_id}")
    if not params.get("CacheNodeType"):
        raise invalid_value("The parameter CacheNodeType must be provided and must not be null.")
    if engine == "memcached" and (params.get("SnapshotRetentionLimit") or 0) > 0:
        raise invalid_combination("Memcached clusters have no automatic backups.")
    token = params.get("AuthToken")
    if token is not None:
        if engine == "memcached" or not params.get("TransitEncryptionEnabled"):
            raise invalid_combination("AUTH token requires Redis OSS with in-transit encryption.")
        check_token_at_create(token)


def build_cache_cluster(store: ElastiCacheStore, params: dict[str, Any]) -> CacheClusterRecord:
    engine = (params.get("Engine") or "redis").lower()
    check_engine(engine)
    _check_new_cluster(store, params, engine)
    version = naming.full_engine_version(engine, params.get("EngineVersion"))
    transit = bool(params.get("TransitEncryptionEnabled"))
    if engine == "memcached":
        check_memcached_tls(version, transit)
    subnet_group = resolve_subnet_group(store, params.get("CacheSubnetGroupName"))
    security_groups = list(params.get("SecurityGroupIds") or [])
    check_security_groups(store, security_groups, subnet_group.vpc_id)
    retention = params.get("SnapshotRetentionLimit") or 0
    check_retention(retention)
    cluster_id, now = params["CacheClusterId"], utcnow()
    token = params.get("AuthToken")
    return CacheClusterRecord(
        cache_cluster_id=cluster_id,
        arn=store.arn("cluster", cluster_id),
        engine=engine,
        engine_version=version,
        cache_node_type=params["CacheNodeType"],
        num_cache_nodes=_node_count(engine, params.get("NumCacheNodes")),
        port=params.get("Port") or naming.DEFAULT_PORTS[engine],
        cache_subnet_group_name=subnet_group.name,
        security_group_ids=security_groups or default_security_group(store, subnet_group.vpc_id),
        availability_zone=params.get("PreferredAvailabilityZone")
        or zones_of(subnet_group.subnets)[0],
        transit_encryption_enabled=transit,
        transit_encryption_mode="required" if transit else None,
        at_rest_encryption_enabled=engine == "valkey",
        auth_tokens=[token] if token else [],
        auth_token_last_modified_date=now if token else None,
        snapshot_retention_limit=retention,
        snapshot_window=params.get("SnapshotWindow") or "05:00-06:00",
        auto_minor_version_upgrade=params.get("AutoMinorVersionUpgrade", True) is not False,
        log_delivery_configurations=log_delivery_records(
            [], params.get("LogDeliveryConfigurations") or []
        ),
        notification_topic_arn=params.get("NotificationTopicArn"),
        create_time=now,
        domain_token=naming.domain_token(store.account_id, store.region, cluster_id),
        sequence=store.next_sequence(),
    )


def create_cache_cluster(response: Any) -> ActionResult:
    store, params = store_for(response), params_of(response)
    with store.lock:
        cluster = build_cache_cluster(store, params)
        store.cache_clusters[cluster.cache_cluster_id] = cluster
        tag(store, cluster.arn, params.get("Tags"))
        rendered = render_cluster(standalone_facts(store, cluster), show_nodes=False)
    return QueryXmlResult({"CacheCluster": rendered})


def describe_cache_clusters(response: Any) -> ActionResult:
    store, params = store_for(response), params_of(response)
    with store.lock:
        if params.get("CacheClusterId"):
            tick_cluster(store.cache_clusters.get(params["CacheClusterId"]))
            found = find_cluster_facts(store, params["CacheClusterId"])
            if found is None:
                raise not_found("CacheClusterNotFound", f"Cache cluster {params['CacheClusterId']}")
            facts = [found]
        else:
            for cluster in store.cache_clusters.values():
                tick_cluster(cluster)
            members = not params.get("ShowCacheClustersNotInReplicationGroups")
            facts = all_cluster_facts(store, members=members)
        selected, marker = page(facts, params.get("MaxRecords"), params.get("Marker"))
        show_nodes = bool(params.get("ShowCacheNodeInfo"))
        rendered = [render_cluster(f, show_nodes) for f in selected]
    result: dict[str, Any] = {"CacheClusters": rendered}
    if marker:
        result["Marker"] = marker
    return QueryXmlResult(result)


def find_standalone(store: ElastiCacheStore, cluster_id: str) -> CacheClusterRecord:
    cluster = store.cache_clusters.get(cluster_id)
    if cluster is not None:
        return cluster
    if find_cluster_facts(store, cluster_id) is not None:
        raise invalid_combination(
            f"{cluster_id} belongs to a replication group; modify the replication group."
        )
    raise not_found("CacheClusterNotFound", f"Cache cluster {cluster_id}")


def _modify_token(cluster: CacheClusterRecord, params: dict[str, Any], delay: int) -> None:
    if params.get("AuthToken") is None and params.get("AuthTokenUpdateStrategy") is None:
        return
    if cluster.engine == "memcached" or not cluster.transit_encryption_enabled:
        raise invalid_combination("AUTH token requires Redis OSS with in-transit encryption.")
    request = TokenRequest(
        params.get("AuthToken"), params.get("AuthTokenUpdateStrategy"), False, False
    )
    outcome = plan_token_change(cluster.auth_tokens, cluster.last_rotated_token, request)
    # Like a replication group's (modify_group.apply_plan): the cluster reads `modifying` with
    # PendingModifiedValues.AuthTokenStatus for `modify_delay_describes` describes, then both
    # tokens (ROTATE) or only the new one (SET) are accepted and the token date moves.
    changes = {"auth_tokens": outcome.tokens, "last_rotated_token": outcome.last_rotated}
    shown = {"AuthTokenStatus": outcome.status} if outcome.status else {}
    pending = PendingChange(delay, changes, shown, token_change=True)
    if delay <= 0:
        _finish_token(cluster, pending)
        return
    cluster.status, cluster.token_pending = "modifying", pending


def _finish_token(cluster: CacheClusterRecord, pending: PendingChange) -> None:
    for attribute, value in pending.changes.items():
        setattr(cluster, attribute, value)
    cluster.auth_token_last_modified_date = utcnow()
    cluster.status, cluster.token_pending = "available", None


def tick_cluster(cluster: CacheClusterRecord | None) -> None:
    """One describe passes: a pending token change lands once its describes are used up."""
    if cluster is None or cluster.token_pending is None:
        return
    if cluster.token_pending.describes_left <= 0:
        _finish_token(cluster, cluster.token_pending)
        return
    cluster.token_pending.describes_left -= 1


def modify_cluster_record(
    store: ElastiCacheStore, cluster: CacheClusterRecord, params: dict[str, Any]
) -> None:
    """ModifyCacheCluster applies at once (no pending phase for standalone clusters)."""
    if cluster.status != "available":
        raise ElastiCacheError("InvalidCacheClusterState", f"{cluster.cache_cluster_id} is busy.")
    if params.get("SecurityGroupIds"):
        vpc_id = store.subnet_groups[cluster.cache_subnet_group_name].vpc_id
        check_security_groups(store, params["SecurityGroupIds"], vpc_id)
    if params.get("SnapshotRetentionLimit") is not None:
        if cluster.engine == "memcached":
            raise invalid_combination("Memcached clusters have no automatic backups.")
        check_retention(params["SnapshotRetentionLimit"])
    if params.get("NumCacheNodes") is not None:
        _node_count(cluster.engine, params["NumCacheNodes"])
    _modify_token(cluster, params, store.settings.modify_delay_describes)
    for param, attribute in SIMPLE_CLUSTER_PARAMS.items():
        if params.get(param) is not None:
            setattr(cluster, attribute, params[param])
    if params.get("SecurityGroupIds"):
        cluster.security_group_ids = list(params["SecurityGroupIds"])
    if params.get("SnapshotRetentionLimit") is not None:
        cluster.snapshot_retention_limit = params["SnapshotRetentionLimit"]
    if params.get("NumCacheNodes") is not None:
        cluster.num_cache_nodes = params["NumCacheNodes"]
    if params.get("EngineVersion"):
        cluster.engine_version = naming.full_engine_version(cluster.engine, params["EngineVersion"])
    if params.get("LogDeliveryConfigurations"):
        cluster.log_delivery_configurations = log_delivery_records(
            cluster.log_delivery_configurations, params["LogDeliveryConfigurations"]
        )


def modify_cache_cluster(response: Any) -> ActionResult:
    store, params = store_for(response), params_of(response)
    with store.lock:
        cluster = find_standalone(store, params["CacheClusterId"])
        modify_cluster_record(store, cluster, params)
        rendered = render_cluster(standalone_facts(store, cluster), show_nodes=False)
    return QueryXmlResult({"CacheCluster": rendered})


def delete_cache_cluster(response: Any) -> ActionResult:
    store, params = store_for(response), params_of(response)
    with store.lock:
        cluster = find_standalone(store, params["CacheClusterId"])
        rendered = render_cluster(standalone_facts(store, cluster), show_nodes=False)
        del store.cache_clusters[cluster.cache_cluster_id]
    rendered["CacheClusterStatus"] = "deleting"
    return QueryXmlResult({"CacheCluster": rendered})
