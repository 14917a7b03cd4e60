"""How running nodes use reserved nodes: size-flexible within a family, engine-specific.

A reservation covers any size of its node family in its region, measured in normalised
units (small = 1, large = 4, xlarge = 8, each size up doubles). Reservations are bought
per engine; Redis OSS reservations also cover Valkey nodes. Source:
https://aws.amazon.com/blogs/database/new-size-flexibility-for-amazon-elasticache-reserved-nodes/
and https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheNodes.Reserved.html
(the same unit table as MemoryDB's reserved-nodes-size page).

We count a Valkey node at its full size: whether it draws fewer units from a Redis OSS
reservation was not confirmed, and counting it fully can only under-report waste.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from posture.resources import Inventory, ReservedNode
from posture.rules.context import RuleContext

GONE_CLUSTER_STATES = ("deleting", "deleted")
_SMALL_SIZES = {"nano": 0.25, "micro": 0.5, "small": 1.0, "medium": 2.0, "large": 4.0}
_XLARGE = re.compile(r"^(\d*)xlarge$")
# Engines each reservation's product covers, in the order its units are drawn.
_COVERS = {"redis": ("redis", "valkey"), "valkey": ("valkey",), "memcached": ("memcached",)}
# Engine-specific reservations draw first, so Redis OSS ones get only the Valkey left over.
_DRAW_ORDER = {"memcached": 0, "valkey": 1, "redis": 2}


def node_family(node_type: str) -> str:
    """`cache.r7g.xlarge` belongs to the `cache.r7g` family."""
    return ".".join(node_type.split(".")[:2])


def normalised_units(node_type: str) -> float | None:
    """Units of one node of this type, or None for a size we do not know."""
    size = node_type.rsplit(".", 1)[-1]
    if size in _SMALL_SIZES:
        return _SMALL_SIZES[size]
    match = _XLARGE.match(size)
    if match:
        return 8.0 * int(match.group(1) or 1)
    return None


@dataclass(frozen=True)
class Usage:
    """How much of one reservation running nodes use, in normalised units."""

    reserved_units: float
    used_units: float
    family: str
    engines: tuple[str, ...]

    @property
    def unused_units(self) -> float:
        return max(self.reserved_units - self.used_units, 0.0)


def running_units(inventory: Inventory, ctx: RuleContext) -> dict[tuple[str, str], float]:
    """(family, engine) -> units of every running node in the region."""
    units: dict[tuple[str, str], float] = defaultdict(float)

    def add(node_type: str | None, engine: str, count: int) -> None:
        size = normalised_units(node_type) if node_type else None
        if node_type and size is not None:
            units[(node_family(node_type), engine.lower())] += size * count

    for cluster in inventory.cache_clusters:
        if cluster.cache_cluster_status not in GONE_CLUSTER_STATES:
            count = cluster.num_cache_nodes or len(cluster.cache_nodes) or 1
            add(cluster.cache_node_type, cluster.engine, count)
    for group in inventory.replication_groups:
        if not ctx.members(group):  # members not collected: count the group's own listing
            add(group.cache_node_type, group.engine, max(len(group.member_clusters), 1))
    return dict(units)


def _product(node: ReservedNode) -> str:
    return (node.product_description or "redis").lower()


def _draw_key(node: ReservedNode) -> tuple[int, str, str]:
    started = node.start_time.isoformat() if node.start_time else ""
    return (_DRAW_ORDER.get(_product(node), 3), started, node.reserved_cache_node_id)


def reservation_usage(ctx: RuleContext) -> dict[str, Usage]:
    """Usage of every active reservation, filled oldest first within each family."""
    available = running_units(ctx.inventory, ctx)
    active = [n for n in ctx.inventory.reserved_nodes if n.state == "active" and n.cache_node_type]
    usage: dict[str, Usage] = {}
    for node in sorted(active, key=_draw_key):
        node_type = node.cache_node_type or ""
        size = normalised_units(node_type)
        if size is None:
            continue
        family = node_family(node_type)
        engines = _COVERS.get(_product(node), (_product(node),))
        wanted = size * (node.cache_node_count or 1)
        used = 0.0
        for engine in engines:
            take = min(available.get((family, engine), 0.0), wanted - used)
            available[(family, engine)] = available.get((family, engine), 0.0) - take
            used += take
        usage[node.reserved_cache_node_id] = Usage(wanted, used, family, engines)
    return usage
