"""Which rules each collection call feeds, so a failed call marks exactly those rules."""

from __future__ import annotations

from posture.base import ResourceKind
from posture.resources import CollectionError
from posture.rules.registry import rule_ids, rules_for_kind

RG = ResourceKind.REPLICATION_GROUP
CC = ResourceKind.CACHE_CLUSTER
SLS = ResourceKind.SERVERLESS_CACHE
SNAPSHOT = ResourceKind.SNAPSHOT

# After these codes the collector skips the rest of the region, so nothing was read.
# workers.aws.errors uses this same set to decide when to stop calling a region.
REGION_UNREACHABLE_CODES = frozenset(
    {
        "AuthFailure",
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidClientTokenId",
        "OptInRequired",
        "SignatureDoesNotMatch",
        "UnrecognizedClientException",
        "EndpointConnectionError",
        "ConnectTimeoutError",
    }
)

# Operation (lower case, no separators) -> (resource kinds whose rules it feeds, extra rules).
# Exactly the calls a full scan makes: tests/integration/collect/test_coverage_matches_scan.py
# compares this list with the calls recorded against the fake AWS.
_OPERATION_FEEDS: tuple[tuple[str, tuple[ResourceKind, ...], tuple[str, ...]], ...] = (
    # CW-407 judges a backup by whether its source cache is among the collected ones.
    ("describereplicationgroups", (RG,), ("CW-609", "CW-407")),
    # Member clusters carry a group's version, subnets, groups and notifications.
    ("describecacheclusters", (RG, CC), ("CW-603", "CW-609", "CW-407")),
    ("describeserverlesscaches", (SLS,), ("CW-407",)),
    ("describeusers", (), ("CW-203", "CW-206")),
    ("describeusergroups", (), ("CW-203", "CW-206")),
    ("describecachesubnetgroups", (), ("CW-303", "CW-307")),
    ("describesubnets", (), ("CW-303", "CW-307")),
    ("describeroutetables", (), ("CW-303",)),
    ("describesecuritygroups", (), ("CW-304", "CW-305")),
    ("describevpcs", (), ("CW-305", "CW-307")),
    ("describemanagedprefixlists", (), ("CW-304", "CW-305")),
    ("getmanagedprefixlistentries", (), ("CW-304", "CW-305")),
    ("describekey", (), ("CW-104", "CW-105")),
    ("describesnapshots", (SNAPSHOT,), ()),
    ("describeserverlesscachesnapshots", (SNAPSHOT,), ()),
    ("describereservedcachenodes", (ResourceKind.RESERVED_NODE,), ()),
    ("getresources", (), ("CW-502",)),
    ("describetrails", (), ("CW-503",)),
    ("gettrailstatus", (), ("CW-503",)),
    ("geteventselectors", (), ("CW-503",)),
    ("listpolicies", (), ("CW-505",)),
    ("getpolicyversion", (), ("CW-505",)),
    ("listentitiesforpolicy", (), ("CW-505",)),
    ("getmetricdata", (), ("CW-604",)),
)


def covered_operations() -> frozenset[str]:
    """Every operation this map knows (normalised), for checking it against a real scan."""
    return frozenset(name for name, _, _ in _OPERATION_FEEDS)


def normalise_operation(operation: str) -> str:
    """`elasticache:DescribeCacheClusters`, `describe_cache_clusters` -> `describecacheclusters`."""
    for separator in (":", "."):
        operation = operation.rsplit(separator, 1)[-1]
    return operation.replace("_", "").replace("-", "").lower()


def _kind_of(error: CollectionError) -> ResourceKind | None:
    try:
        return ResourceKind(error.resource_kind) if error.resource_kind else None
    except ValueError:
        return None


def _fed_by_operation(operation: str) -> set[str]:
    affected: set[str] = set()
    for name, kinds, extra in _OPERATION_FEEDS:
        if name == operation:
            affected.update(extra)
            for kind in kinds:
                affected |= rules_for_kind(kind)
    return affected


def _fed_by_kind(error: CollectionError) -> set[str]:
    kind = _kind_of(error)
    if kind is ResourceKind.USER:
        return {"CW-203", "CW-206"}  # users are read through the groups of the caches
    return set(rules_for_kind(kind)) if kind is not None else set()


def affected_rules(error: CollectionError) -> frozenset[str]:
    """Rules that lose data when `error` happened.

    A known operation names exactly what it feeds; otherwise the resource kind the
    collector tagged the error with decides; failing both, every rule is suspect.
    """
    if error.code in REGION_UNREACHABLE_CODES:
        return frozenset(rule_ids())
    affected = _fed_by_operation(normalise_operation(error.operation)) or _fed_by_kind(error)
    return frozenset(affected) if affected else frozenset(rule_ids())
