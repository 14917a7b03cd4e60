"""Seed a fake AWS with a realistic, deterministic ElastiCache fleet.

`seed_fleet(url, spec)` creates, through boto3 against a FakeAwsServer, the network,
keys, RBAC users and every cache the plans call for, in every account (others than the
caller's reached through sts:AssumeRole) and region, and returns a manifest naming what
each resource has wrong.
"""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import boto3
from moto.core.utils import utcnow

from sandbox.fake_aws import inspect_state
from sandbox.fake_aws.client import patch_group
from sandbox.fake_aws.fleet_caches import (
    group_request,
    make_token,
    memcached_request,
    record_of,
    serverless_request,
)
from sandbox.fake_aws.fleet_clients import Clients, account_credentials, server_in_this_process
from sandbox.fake_aws.fleet_extras import (
    create_audit_role,
    create_broad_policy,
    create_trail,
    put_cpu_metrics,
    seed_reservations,
)
from sandbox.fake_aws.fleet_model import (
    DEFAULT_ACCOUNT,
    TOKEN_MAX_AGE_DAYS,
    FleetManifest,
    FleetSpec,
    RegionManifest,
    ResourceRecord,
    demo_fleet_spec,
)
from sandbox.fake_aws.fleet_network import Network, build_network
from sandbox.fake_aws.fleet_plan import (
    CachePlan,
    plan_groups,
    plan_memcached,
    plan_serverless,
    plan_stale_tokens,
)

__all__ = ["FleetManifest", "FleetSpec", "demo_fleet_spec", "seed_fleet"]

PARALLEL_REGIONS = 4
Created = list[tuple[CachePlan, ResourceRecord]]


def _age_token(clients: Clients, plan: CachePlan) -> None:
    """The API can't backdate a token change; the fake's seed endpoint can."""
    age = timedelta(days=TOKEN_MAX_AGE_DAYS + 110)
    changes: dict[str, Any] = {"auth_token_last_modified_date": utcnow() - age}
    if clients.direct:
        inspect_state.patch_group(plan.account, plan.region, plan.cache_id, changes)
    else:
        patch_group(clients.endpoint_url, plan.account, plan.region, plan.cache_id, changes)


def _snapshot(elasticache: Any, plan: CachePlan, network: Network) -> None:
    request = {"ReplicationGroupId": plan.cache_id, "SnapshotName": f"{plan.cache_id}-manual"}
    if not plan.has("snapshot_not_cmk"):
        request["KmsKeyId"] = network.kms_key_arn
    elasticache.create_snapshot(**request)
    # A seeded estate's snapshots were taken long ago: let the new one finish (each describe
    # of a `creating` snapshot lets time pass in the fake), so every later read agrees.
    for _ in range(10):
        found = elasticache.describe_snapshots(SnapshotName=request["SnapshotName"])
        if found["Snapshots"][0]["SnapshotStatus"] == "available":
            break


def _create_groups(
    clients: Clients, network: Network, plans: list[CachePlan], tokens: dict[str, str]
) -> Created:
    elasticache, created = clients.client("elasticache"), []
    for plan in plans:
        token = tokens[plan.cache_id] if plan.auth == "token" else None
        request = group_request(plan, network, token)
        group = elasticache.create_replication_group(**request)["ReplicationGroup"]
        if plan.has("auth_token_old"):
            _age_token(clients, plan)
        if plan.snapshot:
            _snapshot(elasticache, plan, network)
        details = {
            "port": request["Port"],
            "auth": plan.auth,
            "subnet_group": request["CacheSubnetGroupName"],
        }
        created.append((plan, record_of(plan, group["ARN"], group["MemberClusters"], details)))
    return created


def _create_others(clients: Clients, network: Network, plans: list[CachePlan]) -> Created:
    elasticache, created = clients.client("elasticache"), []
    for plan in plans:
        if plan.kind == "cache-cluster":
            request = memcached_request(plan, network)
            cluster = elasticache.create_cache_cluster(**request)["CacheCluster"]
            details = {"port": request["Port"], "subnet_group": request["CacheSubnetGroupName"]}
            created.append((plan, record_of(plan, cluster["ARN"], [plan.cache_id], details)))
        else:
            cache = elasticache.create_serverless_cache(**serverless_request(plan, network))
            arn = cache["ServerlessCache"]["ARN"]
            created.append((plan, record_of(plan, arn, [], {"auth": plan.auth})))
    return created


def _region_extras(
    spec: FleetSpec, clients: Clients, manifest: RegionManifest, created: Created
) -> None:
    """Reserved nodes, the trail (or its absence) and CPU metrics of one region."""
    if spec.reserved_nodes:
        groups = [plan for plan, _ in created if plan.kind == "replication-group"]
        used = groups[0].node_type if groups else None
        manifest.resources += seed_reservations(
            clients.endpoint_url, clients.account, clients.region, used
        )
    if clients.region in spec.regions_with_trail():
        create_trail(clients, clients.account, clients.region)
    else:
        manifest.bad = ("no_trail",)
    if spec.metrics:
        node_based = [
            (p, list(r.member_clusters)) for p, r in created if p.kind != "serverless-cache"
        ]
        put_cpu_metrics(clients, node_based)


def _seed_region(
    spec: FleetSpec, clients: Clients, octet: int, plans: list[CachePlan], tokens: dict[str, str]
) -> RegionManifest:
    network = build_network(clients, octet)
    groups = [plan for plan in plans if plan.kind == "replication-group"]
    created = _create_groups(clients, network, groups, tokens)
    others = [plan for plan in plans if plan.kind != "replication-group"]
    created += _create_others(clients, network, others)
    manifest = RegionManifest(
        account=clients.account,
        region=clients.region,
        vpc_id=network.vpc_id,
        subnet_groups=network.subnet_groups,
        security_groups=network.security_groups,
        kms_key_arn=network.kms_key_arn,
        user_groups=network.user_groups,
        resources=[record for _, record in created],
    )
    _region_extras(spec, clients, manifest, created)
    return manifest


def seed_fleet(endpoint_url: str, spec: FleetSpec, *, direct: bool | None = None) -> FleetManifest:
    """Create the fleet `spec` describes on the fake AWS at `endpoint_url`.

    `direct=None` sends ElastiCache calls to the in-process handlers when the server
    runs in this process (see fleet_clients); everything else always goes over HTTP.
    """
    if direct is None:
        direct = server_in_this_process(endpoint_url)
    rng = random.Random(spec.seed)
    plans = plan_groups(spec, rng) + plan_memcached(spec, rng) + plan_serverless(spec, rng)
    plans += plan_stale_tokens(spec)  # last, so every other plan and token stays as drawn
    tokens = {plan.cache_id: make_token(rng) for plan in plans}
    session = boto3.Session()
    credentials = account_credentials(session, endpoint_url, spec)
    places = [(account, region) for region in spec.regions for account in spec.accounts]
    clients = {
        place: Clients(session, credentials[place[0]], endpoint_url, place, direct)
        for place in places
    }
    manifest = FleetManifest(endpoint_url=endpoint_url, spec=spec)
    for account in spec.accounts:
        create_audit_role(clients[account, spec.regions[0]], spec.role_name, DEFAULT_ACCOUNT)
    create_broad_policy(clients[spec.accounts[0], spec.regions[0]], spec.accounts[0])
    manifest.account_bad[spec.accounts[0]] = ("broad_elasticache_policy",)
    with ThreadPoolExecutor(max_workers=PARALLEL_REGIONS) as pool:
        futures = [
            pool.submit(
                _seed_region,
                spec,
                clients[place],
                octet,
                [plan for plan in plans if (plan.account, plan.region) == place],
                tokens,
            )
            for octet, place in enumerate(places, start=1)
        ]
        manifest.regions = [future.result() for future in futures]
    return manifest
