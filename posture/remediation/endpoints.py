"""Which DNS names clients use for a replication group, and what TLS changes do to them.

AWS documents the change in "Best practices when enabling in-transit encryption"
(https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/enable-python-best-practices.html):
in `preferred` mode new TLS endpoints are created beside the old ones; in `required` mode
the old non-TLS primary and reader endpoints (cluster mode disabled) or configuration
endpoint (cluster mode enabled) are deleted. Per-node DNS names are replaced already when
the group moves to `preferred`, so clients must use the group endpoints, not node names.
"""

from __future__ import annotations

from posture.resources import Endpoint, ReplicationGroup

TLS_DNS_DOC = (
    "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/enable-python-best-practices.html"
)


def _show(label: str, endpoint: Endpoint | None) -> list[str]:
    if endpoint is None or not endpoint.address:
        return []
    port = f":{endpoint.port}" if endpoint.port else ""
    return [f"{label} {endpoint.address}{port}"]


def cluster_mode_enabled(group: ReplicationGroup) -> bool:
    return bool(group.cluster_enabled) or group.configuration_endpoint is not None


def group_endpoints(group: ReplicationGroup) -> tuple[str, ...]:
    """The names clients connect to: the configuration endpoint, or each shard's primary and reader."""
    if cluster_mode_enabled(group):
        return tuple(_show("configuration", group.configuration_endpoint))
    shown: list[str] = []
    for shard in group.node_groups:
        shown += _show("primary", shard.primary_endpoint)
        shown += _show("reader", shard.reader_endpoint)
    return tuple(shown)


def _which(group: ReplicationGroup) -> str:
    if cluster_mode_enabled(group):
        return "the configuration endpoint"
    return "the primary and reader endpoints"


def _current(group: ReplicationGroup) -> str:
    names = group_endpoints(group)
    return f" (today: {'; '.join(names)})" if names else ""


def preferred_endpoint_warning(group: ReplicationGroup) -> str:
    """CW-101 step 1: new TLS names appear beside the old ones, which keep working for now."""
    return (
        f"Endpoints change: turning TLS on creates new DNS names for {_which(group)}{_current(group)}. "
        "The old names keep answering plaintext clients only while the mode is `preferred`; "
        "step 2 (`required`) deletes them. Per-node names are replaced already by this step, "
        "so a client that connects to a node's own name breaks now. Move every client to the "
        f"new names shown after this change (describe-replication-groups). See {TLS_DNS_DOC}"
    )


def required_endpoint_warning(group: ReplicationGroup) -> str:
    """CW-102 step 2: the old non-TLS names are deleted; the names AWS reports now stay."""
    names = group_endpoints(group)
    keep = f" Keep: {'; '.join(names)}." if names else ""
    return (
        f"Endpoints change: requiring TLS deletes the old non-TLS DNS names of {_which(group)}. "
        "A client still configured with an old name cannot connect at all, even with TLS; only "
        f"the TLS names that describe-replication-groups reports now stay.{keep} Check every "
        f"client uses them before you approve. See {TLS_DNS_DOC}"
    )
