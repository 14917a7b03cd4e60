"""Deterministic plans of every cache in a fleet (no I/O): which settings each gets wrong.

Every third replication group is compliant; the others get one to four bad settings
drawn from those that make sense for their engine, plus what those imply (no TLS means
no AUTH and no RBAC).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from sandbox.fake_aws.fleet_model import FleetSpec

GROUP_ENGINES = (
    ("redis", "7.1"),
    ("valkey", "8.0"),
    ("redis", "6.2"),
    ("valkey", "7.2"),
    ("redis", "5.0.6"),
)
COMPLIANT_ENGINES = GROUP_ENGINES[:4]
CURRENT_NODE_TYPES = ("cache.t4g.small", "cache.m7g.large", "cache.r7g.large")
OLD_NODE_TYPES = ("cache.m3.medium", "cache.r3.large")
SECURE_PORT = 6390
SECURE_MEMCACHED_PORT = 11222
COMMON_BAD = (
    "at_rest_off", "at_rest_not_cmk", "default_subnet_group", "public_subnet",
    "open_to_internet", "default_port", "backups_off", "backup_retention_short",
    "no_automatic_failover", "no_multi_az", "auto_minor_upgrade_off", "logs_off",
    "missing_tags", "no_notifications", "previous_generation_node", "idle",
)  # fmt: skip
MEMCACHED_BAD = (
    "in_transit_off", "default_subnet_group", "public_subnet", "open_to_internet",
    "default_port", "auto_minor_upgrade_off", "missing_tags", "no_notifications",
    "previous_generation_node", "old_engine_version",
)  # fmt: skip
SERVERLESS_BAD = (
    "serverless_no_user_group", "open_rbac_user", "at_rest_not_cmk", "open_to_internet",
    "backups_off", "backup_retention_short", "missing_tags",
)  # fmt: skip


@dataclass
class CachePlan:
    """One cache to create; `bad` drives every setting chosen for it."""

    kind: str
    cache_id: str
    account: str
    region: str
    engine: str
    version: str
    bad: set[str] = field(default_factory=set)
    auth: str | None = None
    node_type: str = CURRENT_NODE_TYPES[0]
    replicas: int = 1
    snapshot: bool = False

    def has(self, setting: str) -> bool:
        return setting in self.bad


def _placements(spec: FleetSpec, count: int) -> list[tuple[str, str]]:
    pairs = [(account, region) for region in spec.regions for account in spec.accounts]
    return [pairs[index % len(pairs)] for index in range(count)]


def _group_bad(rng: random.Random, engine: str, version: str) -> set[str]:
    legacy = version.startswith("5.")
    candidates = [*COMMON_BAD, "in_transit_off", "in_transit_not_required"]
    candidates.append(
        "no_auth_token" if legacy else rng.choice(["no_client_auth", "open_rbac_user"])
    )
    bad = set(rng.sample(candidates, rng.randint(1, 4)))
    if legacy:
        bad.add("old_engine_version")
    if "in_transit_off" in bad:
        bad -= {"in_transit_not_required", "open_rbac_user"}
        bad.add("no_auth_token" if legacy else "no_client_auth")
    if "at_rest_off" in bad:
        bad.discard("at_rest_not_cmk")
    if "backups_off" in bad:
        bad.discard("backup_retention_short")
    if "no_automatic_failover" in bad:
        bad.discard("no_multi_az")
    return _subnet_implications(bad)


def _subnet_implications(bad: set[str]) -> set[str]:
    """The default subnet group sits in the default VPC, whose subnets are public."""
    if "public_subnet" in bad:
        bad.discard("default_subnet_group")
    if "default_subnet_group" in bad:
        bad.add("public_subnet")
    return bad


def _group_auth(rng: random.Random, plan: CachePlan) -> str | None:
    if plan.has("no_client_auth") or plan.has("no_auth_token"):
        return None
    if plan.has("open_rbac_user"):
        return "rbac-open"
    if plan.version.startswith("5."):
        return "token"
    return rng.choice(["token", "rbac-secure"])


def _engine_for(index: int, compliant: bool) -> tuple[str, str]:
    """Cycle engines separately among compliant and other groups, so both see them all."""
    if compliant:
        return COMPLIANT_ENGINES[(index // 3) % len(COMPLIANT_ENGINES)]
    others_before = index - index // 3 - 1
    return GROUP_ENGINES[others_before % len(GROUP_ENGINES)]


def _plan_group(rng: random.Random, index: int, place: tuple[str, str]) -> CachePlan:
    compliant = index % 3 == 0
    engine, version = _engine_for(index, compliant)
    plan = CachePlan("replication-group", f"cw-{engine}-{index:04d}", *place, engine, version)
    if not compliant:
        plan.bad = _group_bad(rng, engine, version)
    plan.auth = _group_auth(rng, plan)
    if plan.auth == "token" and not compliant and rng.random() < 0.5:
        plan.bad.add("auth_token_old")
    old = plan.has("previous_generation_node")
    plan.node_type = rng.choice(OLD_NODE_TYPES if old else CURRENT_NODE_TYPES)
    plan.replicas = 0 if plan.has("no_automatic_failover") else rng.randint(1, 2)
    plan.snapshot = index % 4 == 0
    if plan.snapshot and not compliant and rng.random() < 0.5:
        plan.bad.add("snapshot_not_cmk")
    return plan


def plan_groups(spec: FleetSpec, rng: random.Random) -> list[CachePlan]:
    """Every third group compliant; the rest get 1-4 bad settings that fit their engine."""
    return [
        _plan_group(rng, index, place) for index, place in enumerate(_placements(spec, spec.groups))
    ]


def plan_stale_tokens(spec: FleetSpec) -> list[CachePlan]:
    """Token-auth groups, numbered after the others, whose only bad setting is an old AUTH token."""
    count = spec.groups + spec.stale_token_groups
    places = _placements(spec, count)
    plans = []
    for index in range(spec.groups, count):
        plan = CachePlan(
            "replication-group", f"cw-redis-{index:04d}", *places[index], "redis", "7.1"
        )
        plan.bad = {"auth_token_old"}
        plan.auth = "token"
        plan.node_type = CURRENT_NODE_TYPES[1]
        plans.append(plan)
    return plans


def plan_memcached(spec: FleetSpec, rng: random.Random) -> list[CachePlan]:
    plans = []
    for index, (account, region) in enumerate(_placements(spec, spec.memcached_count())):
        plan = CachePlan(
            "cache-cluster", f"cw-memcached-{index:04d}", account, region, "memcached", "1.6.22"
        )
        if index % 3 != 0:
            plan.bad = _subnet_implications(set(rng.sample(MEMCACHED_BAD, rng.randint(1, 3))))
        if plan.has("old_engine_version"):
            plan.version = "1.5.16"
            plan.bad.add("in_transit_off")
        old = plan.has("previous_generation_node")
        plan.node_type = rng.choice(OLD_NODE_TYPES if old else CURRENT_NODE_TYPES)
        plan.replicas = rng.randint(1, 3)
        plans.append(plan)
    return plans


def plan_serverless(spec: FleetSpec, rng: random.Random) -> list[CachePlan]:
    plans = []
    engines = ("redis", "valkey", "memcached")
    for index, (account, region) in enumerate(_placements(spec, spec.serverless_count())):
        engine = engines[index % len(engines)]
        plan = CachePlan(
            "serverless-cache", f"cw-serverless-{engine}-{index:04d}", account, region, engine, ""
        )
        if index % 3 != 1:
            candidates = [s for s in SERVERLESS_BAD if engine != "memcached" or "user" not in s]
            plan.bad = set(rng.sample(candidates, rng.randint(1, 3)))
            if "serverless_no_user_group" in plan.bad:
                plan.bad.discard("open_rbac_user")
            if "backups_off" in plan.bad:
                plan.bad.discard("backup_retention_short")
        if engine != "memcached":
            plan.auth = None if plan.has("serverless_no_user_group") else (
                "rbac-open" if plan.has("open_rbac_user") else "rbac-secure"
            )  # fmt: skip
        plans.append(plan)
    return plans
