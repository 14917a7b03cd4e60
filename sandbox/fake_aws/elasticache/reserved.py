"""Reserved cache nodes: a fixed offering catalogue, purchase, describe, and a seed helper
for the states the API can't produce on demand (payment-pending, payment-failed, retired,
old start times)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from moto.core.responses import ActionResult
from moto.core.utils import utcnow

from sandbox.fake_aws.elasticache.context import params_of, store_for, tag
from sandbox.fake_aws.elasticache.errors import ElastiCacheError, invalid_value, not_found
from sandbox.fake_aws.elasticache.paging import page
from sandbox.fake_aws.elasticache.records import ReservedNodeRecord
from sandbox.fake_aws.elasticache.render_other import render_reserved_node
from sandbox.fake_aws.elasticache.store import ElastiCacheStore
from sandbox.fake_aws.elasticache.xml_result import QueryXmlResult

ONE_YEAR = 31_536_000
THREE_YEARS = 94_608_000
NODE_TYPES = (
    "cache.t3.micro", "cache.t3.medium", "cache.t4g.micro", "cache.t4g.medium",
    "cache.m5.large", "cache.m6g.large", "cache.m7g.large", "cache.r6g.large",
    "cache.r7g.large", "cache.m3.medium", "cache.r3.large",
)  # fmt: skip
OFFERING_TYPES = ("No Upfront", "Partial Upfront", "All Upfront")
PRODUCTS = ("redis", "memcached", "valkey")
STATES = ("active", "payment-pending", "payment-failed", "retired")
_NAMESPACE = uuid.UUID("6f1c8f5e-2d4b-4c55-9a11-0c5e2b7d9a31")


@dataclass(frozen=True)
class Offering:
    offering_id: str
    node_type: str
    duration: int
    offering_type: str
    product: str
    fixed_price: float
    usage_price: float

    def to_api(self) -> dict[str, Any]:
        return {
            "ReservedCacheNodesOfferingId": self.offering_id,
            "CacheNodeType": self.node_type,
            "Duration": self.duration,
            "FixedPrice": self.fixed_price,
            "UsagePrice": self.usage_price,
            "ProductDescription": self.product,
            "OfferingType": self.offering_type,
            "RecurringCharges": [],
        }


def offering_for(node_type: str, duration: int, offering_type: str, product: str) -> Offering:
    """The catalogue entry; ids are stable so tests and seeds can name them."""
    key = f"{node_type}/{duration}/{offering_type}/{product}"
    upfront = {"No Upfront": 0.0, "Partial Upfront": 300.0, "All Upfront": 600.0}[offering_type]
    years = duration // ONE_YEAR
    return Offering(
        str(uuid.uuid5(_NAMESPACE, key)), node_type, duration, offering_type, product,
        upfront * years, 0.0,
    )  # fmt: skip


def catalogue() -> list[Offering]:
    return [
        offering_for(node_type, duration, offering_type, product)
        for node_type in NODE_TYPES
        for duration in (ONE_YEAR, THREE_YEARS)
        for offering_type in OFFERING_TYPES
        for product in PRODUCTS
    ]


def _duration_filter(value: str | None) -> int | None:
    if value is None:
        return None
    seconds = {"1": ONE_YEAR, "3": THREE_YEARS}.get(value, value)
    try:
        return int(seconds)
    except ValueError as error:
        raise invalid_value(f"Invalid Duration: {value}.") from error


def _matches(item: Any, params: dict[str, Any]) -> bool:
    duration = _duration_filter(params.get("Duration"))
    checks = (
        (params.get("CacheNodeType"), item.node_type),
        (params.get("ProductDescription"), item.product),
        (params.get("OfferingType"), item.offering_type),
        (duration, item.duration),
    )
    return all(wanted is None or wanted == actual for wanted, actual in checks)


def describe_reserved_cache_nodes_offerings(response: Any) -> ActionResult:
    params = params_of(response)
    offerings = [o for o in catalogue() if _matches(o, params)]
    if params.get("ReservedCacheNodesOfferingId"):
        offerings = [
            o for o in offerings if o.offering_id == params["ReservedCacheNodesOfferingId"]
        ]
    selected, marker = page(offerings, params.get("MaxRecords"), params.get("Marker"))
    result: dict[str, Any] = {"ReservedCacheNodesOfferings": [o.to_api() for o in selected]}
    if marker:
        result["Marker"] = marker
    return QueryXmlResult(result)


def seed_reserved_node(
    store: ElastiCacheStore,
    offering: Offering,
    *,
    node_id: str | None = None,
    count: int = 1,
    start_time: datetime | None = None,
    state: str = "active",
) -> ReservedNodeRecord:
    if state not in STATES:
        raise invalid_value(f"Invalid reserved node state: {state}.")
    node_id = node_id or f"ri-{uuid.uuid4().hex[:12]}"
    if node_id in store.reserved_nodes:
        raise ElastiCacheError("ReservedCacheNodeAlreadyExists", f"{node_id} already exists.")
    node = ReservedNodeRecord(
        reserved_cache_node_id=node_id,
        offering_id=offering.offering_id,
        arn=store.arn("reserved-instance", node_id),
        cache_node_type=offering.node_type,
        start_time=start_time or utcnow(),
        duration=offering.duration,
        fixed_price=offering.fixed_price,
        usage_price=offering.usage_price,
        cache_node_count=count,
        product_description=offering.product,
        offering_type=offering.offering_type,
        state=state,
    )
    store.reserved_nodes[node_id] = node
    return node


def purchase_reserved_cache_nodes_offering(response: Any) -> ActionResult:
    store, params = store_for(response), params_of(response)
    wanted = params["ReservedCacheNodesOfferingId"]
    offering = next((o for o in catalogue() if o.offering_id == wanted), None)
    if offering is None:
        raise not_found("ReservedCacheNodesOfferingNotFound", f"Offering {wanted}")
    with store.lock:
        node = seed_reserved_node(
            store, offering, node_id=params.get("ReservedCacheNodeId"),
            count=params.get("CacheNodeCount") or 1,
        )  # fmt: skip
        tag(store, node.arn, params.get("Tags"))
        return QueryXmlResult({"ReservedCacheNode": render_reserved_node(node)})


def describe_reserved_cache_nodes(response: Any) -> ActionResult:
    store, params = store_for(response), params_of(response)
    with store.lock:
        nodes = list(store.reserved_nodes.values())
        if params.get("ReservedCacheNodeId"):
            nodes = [n for n in nodes if n.reserved_cache_node_id == params["ReservedCacheNodeId"]]
            if not nodes:
                raise not_found("ReservedCacheNodeNotFound", params["ReservedCacheNodeId"])
        if params.get("ReservedCacheNodesOfferingId"):
            nodes = [n for n in nodes if n.offering_id == params["ReservedCacheNodesOfferingId"]]
        nodes = [n for n in nodes if _matches(_NodeView(n), params)]
        selected, marker = page(nodes, params.get("MaxRecords"), params.get("Marker"))
        rendered = [render_reserved_node(node) for node in selected]
    result: dict[str, Any] = {"ReservedCacheNodes": rendered}
    if marker:
        result["Marker"] = marker
    return QueryXmlResult(result)


@dataclass(frozen=True)
class _NodeView:
    """Lets a reserved node go through the same filter as an offering."""

    node: ReservedNodeRecord

    @property
    def node_type(self) -> str:
        return self.node.cache_node_type

    @property
    def product(self) -> str:
        return self.node.product_description

    @property
    def offering_type(self) -> str:
        return self.node.offering_type

    @property
    def duration(self) -> int:
        return self.node.duration
