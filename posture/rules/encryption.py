"""Encryption in transit: CW-101 and CW-102, each catalog entry with its check below it."""

from __future__ import annotations

from posture.base import Engine, ResourceKind, Severity
from posture.catalog import _encryption_snippets as snip
from posture.catalog.encryption import ALL_ENGINES, DOCS, FAMILY, TRANSIT_STANDARDS
from posture.catalog.model import FixKind, Framework, Remediation, Rule, RuleCategory
from posture.findings import Status
from posture.resources import CacheCluster, ServerlessCache
from posture.rules.context import (
    RuleContext,
    Verdict,
    check,
    errored,
    failed,
    not_applicable,
    passed,
)
from posture.rules.facts import (
    MEMCACHED_TLS_MINIMUM,
    CacheResource,
    describe,
    engine_name,
    parse_version,
)

ENCRYPTED_STORAGE_TYPES = ("sse-elasticache", "sse-kms")


def _memcached_without_tls(cluster: CacheCluster, ctx: RuleContext) -> Verdict | None:
    """A reason the cluster cannot use TLS at all, or None when it can."""
    if engine_name(cluster) != "memcached":
        return None
    version = parse_version(cluster.engine_version)
    if version is None:
        return errored(
            f"{describe(cluster, ctx)} reports no engine version, so TLS support is unknown"
        )
    if version < MEMCACHED_TLS_MINIMUM:
        return not_applicable(
            f"{describe(cluster, ctx)} predates in-transit encryption, which Memcached "
            f"supports from {MEMCACHED_TLS_MINIMUM}; CW-101 reports the plaintext traffic"
        )
    return None


CW_101 = Rule(
    id="CW-101",
    title="Caches encrypt traffic in transit",
    severity=Severity.HIGH,
    category=RuleCategory.SECURITY,
    failure="In-transit encryption is off: clients connect in plaintext",
    family=FAMILY,
    resource_kinds=(
        ResourceKind.REPLICATION_GROUP,
        ResourceKind.CACHE_CLUSTER,
        ResourceKind.SERVERLESS_CACHE,
    ),
    engines=ALL_ENGINES,
    rationale=(
        "Without TLS, every command and reply crosses the network in clear text: cached "
        "sessions, tokens and personal data, and the AUTH password itself. Anyone who can "
        "observe traffic inside the VPC (a compromised instance, a mirrored interface, a "
        "misrouted peering link) can read or replay it. Serverless caches always use TLS; "
        "node-based groups and Memcached 1.6.12+ clusters only do when it is turned on."
    ),
    audit=snip.TRANSIT_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.MODIFY,
        cli=snip.TRANSIT_ON_CLI,
        cloudformation=snip.TRANSIT_ON_CFN,
        terraform=snip.TRANSIT_ON_TERRAFORM,
        console=(
            "Check the engine version first: AWS turns TLS on in place only on Redis OSS 7.0 "
            "or later and Valkey 7.2 or later; upgrade older groups first or rebuild them.",
            "Open the ElastiCache console and choose Valkey caches or Redis OSS caches.",
            "Select the cache, choose Actions, then Modify.",
            "Under Security, turn on encryption in transit with the transit encryption "
            "mode set to Preferred, so existing plaintext clients keep working.",
            "Choose to apply the change immediately, review it and confirm; wait for the "
            "status to return to available.",
            "Read the new TLS endpoint names on the cache's details page (primary and reader "
            "endpoints, or the configuration endpoint in cluster mode): the old names stop "
            "working once TLS is required.",
            "Move every client to TLS and to the new endpoint names, then require TLS (CW-102).",
            "If the engine version rejects the change, or the cache is a standalone "
            "cluster (Memcached or single-node), create a new cache with encryption in "
            "transit and all the old cache's settings (from a snapshot where the engine "
            "supports one) and move clients to its endpoints.",
        ),
        permissions=(
            "elasticache:ModifyReplicationGroup",
            "elasticache:DescribeReplicationGroups",
        ),
    ),
    backout=(
        "While the mode is still preferred, plaintext and TLS clients both work, so nothing "
        "breaks. To undo, make sure the mode is preferred and modify the group with "
        "--no-transit-encryption-enabled and --apply-immediately; clients that were moved "
        "to TLS or to the new endpoint names must be switched back first. A rebuilt cache "
        "is undone by pointing clients at the old cache, which stays until you delete it."
    ),
    compliance=TRANSIT_STANDARDS,
    permissions=(
        "elasticache:DescribeReplicationGroups",
        "elasticache:DescribeCacheClusters",
        "elasticache:DescribeServerlessCaches",
    ),
    references=(
        f"{DOCS}/dg/in-transit-encryption.html",
        f"{DOCS}/APIReference/API_ModifyReplicationGroup.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/elasticache-controls.html",
    ),
    aliases={
        Framework.SECURITY_HUB: ("ElastiCache.5",),
        Framework.PROWLER: ("elasticache_redis_cluster_in_transit_encryption_enabled",),
        Framework.CLOUDSPLOIT: ("redisClusterEncryptionInTransit",),
        Framework.STEAMPIPE: ("elasticache_replication_group_encryption_in_transit_enabled",),
        Framework.CHECKOV: ("CKV_AWS_30",),
        Framework.AWS_CONFIG: ("elasticache-repl-grp-encrypted-in-transit",),
    },
)


@check(CW_101)
def check_in_transit(resource: CacheResource, ctx: RuleContext) -> Verdict:
    """CW-101: TLS between clients and the cache.

    Memcached before 1.6.12 cannot use TLS at all: its clients always talk in plaintext,
    so it fails, and the fix is an engine upgrade.
    """
    subject = describe(resource, ctx)
    if isinstance(resource, ServerlessCache):
        return passed(f"{subject} always encrypts in transit")
    if isinstance(resource, CacheCluster):
        unsupported = _memcached_without_tls(resource, ctx)
        if unsupported and unsupported.status is Status.NOT_APPLICABLE:
            return failed(
                f"{subject} has in-transit encryption off: clients connect in plaintext, and "
                f"this version cannot use TLS (Memcached supports it from "
                f"{MEMCACHED_TLS_MINIMUM}); upgrade the engine"
            )
        if unsupported:
            return unsupported
    if resource.transit_encryption_enabled:
        return passed(f"{subject} has in-transit encryption on")
    return failed(f"{subject} has in-transit encryption off: clients connect in plaintext")


CW_102 = Rule(
    id="CW-102",
    title="Caches refuse clients that do not use TLS",
    severity=Severity.MEDIUM,
    category=RuleCategory.SECURITY,
    failure="TLS is optional: the cache still accepts plaintext clients",
    family=FAMILY,
    # Serverless caches are listed too: they always require TLS, so they pass.
    resource_kinds=(
        ResourceKind.REPLICATION_GROUP,
        ResourceKind.CACHE_CLUSTER,
        ResourceKind.SERVERLESS_CACHE,
    ),
    engines=(Engine.REDIS, Engine.VALKEY),
    rationale=(
        "In the preferred mode the cache accepts TLS but still answers plaintext "
        "connections, so one forgotten or misconfigured client keeps sending data and "
        "credentials in clear text. An attacker inside the network can also simply connect "
        "without TLS. Only the required mode guarantees that every connection is encrypted."
    ),
    audit=snip.TRANSIT_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.MODIFY,
        cli=snip.TRANSIT_REQUIRED_CLI,
        cloudformation=snip.TRANSIT_REQUIRED_CFN,
        terraform=snip.TRANSIT_REQUIRED_TERRAFORM,
        console=(
            "Confirm from each application's connection settings that it connects with "
            "TLS and to the TLS endpoint names shown on the cache's details page; plaintext "
            "clients are disconnected and the old non-TLS endpoint names are deleted by the "
            "next step.",
            "Open the ElastiCache console and choose Valkey caches or Redis OSS caches.",
            "Select the cache, choose Actions, then Modify.",
            "Under Security, set the transit encryption mode to Required.",
            "Choose to apply the change immediately, review it and confirm.",
        ),
        permissions=(
            "elasticache:ModifyReplicationGroup",
            "elasticache:DescribeReplicationGroups",
        ),
    ),
    backout=(
        "Modify the group with --transit-encryption-mode preferred and --apply-immediately; "
        "plaintext clients can connect again once the group is available, through the "
        "endpoint names describe-replication-groups reports then (do not count on the "
        "deleted non-TLS names). Use this only to restore service while the remaining "
        "clients are moved to TLS."
    ),
    compliance=TRANSIT_STANDARDS,
    permissions=(
        "elasticache:DescribeReplicationGroups",
        "elasticache:DescribeCacheClusters",
    ),
    references=(
        f"{DOCS}/dg/in-transit-encryption.html",
        f"{DOCS}/APIReference/API_ModifyReplicationGroup.html",
    ),
)


@check(CW_102)
def check_in_transit_required(resource: CacheResource, ctx: RuleContext) -> Verdict:
    """CW-102: TLS enforced, not merely offered (mode "preferred" accepts plaintext)."""
    subject = describe(resource, ctx)
    if isinstance(resource, ServerlessCache):
        return passed(f"{subject} always requires TLS")
    if isinstance(resource, CacheCluster):
        unsupported = _memcached_without_tls(resource, ctx)
        if unsupported:
            return unsupported
    if not resource.transit_encryption_enabled:
        return not_applicable(f"{subject} has in-transit encryption off; CW-101 reports that")
    mode = resource.transit_encryption_mode
    if mode == "required":
        return passed(f"{subject} requires TLS (TransitEncryptionMode required)")
    if mode is None:
        # Groups that got TLS before the mode setting existed accept TLS only.
        return passed(f"{subject} has TLS on and reports no mode, which means TLS only")
    return failed(f"{subject} still accepts plaintext clients (TransitEncryptionMode {mode})")
