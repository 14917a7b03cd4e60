"""Backups, failover and Multi-AZ: CW-401 to CW-404, each catalog entry with its check."""

from __future__ import annotations

from posture.base import ResourceKind, Severity
from posture.catalog import _resilience_snippets as iac
from posture.catalog.model import FixKind, Framework, Remediation, Rule, RuleCategory
from posture.catalog.resilience import (
    ALL_ENGINES,
    ALL_KINDS,
    BACKUP_CONSOLE,
    DESCRIBE_ALL,
    DOCS,
    FAMILY,
    MODIFY_ALL,
    REDIS_FAMILY,
    RETENTION_AUDIT,
    SECURITY_HUB_DOCS,
)
from posture.resources import CacheCluster, ReplicationGroup
from posture.rules.context import (
    RuleContext,
    Verdict,
    check,
    failed,
    not_applicable,
    passed,
)
from posture.rules.facts import (
    CacheResource,
    describe,
    engine_name,
)


def _node_memcached(resource: CacheResource, ctx: RuleContext) -> Verdict | None:
    if isinstance(resource, CacheCluster) and engine_name(resource) == "memcached":
        return not_applicable(f"{describe(resource, ctx)}: node-based Memcached has no backups")
    return None


CW_401 = Rule(
    id="CW-401",
    title="Caches take automatic daily backups",
    severity=Severity.HIGH,
    category=RuleCategory.SECURITY,
    failure="Automatic backups are off",
    family=FAMILY,
    resource_kinds=ALL_KINDS,
    engines=ALL_ENGINES,
    rationale=(
        "With a snapshot retention limit of 0 ElastiCache takes no automatic backups, so a faulty "
        "release, a FLUSHALL from a compromised client or an accidental delete leaves nothing to "
        "restore and the data must be rebuilt from its source, if it has one. Caches used as the "
        "primary store for sessions, queues or counters lose that data for good. Node-based "
        "Memcached cannot snapshot at all and is reported as not applicable; serverless "
        "Memcached, Valkey and Redis OSS can."
    ),
    audit=RETENTION_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.MODIFY,
        cli=iac.BACKUPS_CLI,
        cloudformation=iac.BACKUPS_CFN,
        terraform=iac.BACKUPS_TERRAFORM,
        console=BACKUP_CONSOLE,
        permissions=MODIFY_ALL,
    ),
    backout=(
        "Run the same modify command with the previous retention limit (0 turns automatic backups "
        "off again). Automatic snapshots beyond the new limit are removed by ElastiCache, so copy "
        "any you must keep to a manual snapshot with copy-snapshot before lowering it."
    ),
    compliance=(
        "NIST SP 800-53 CP-9",
        "HIPAA 164.308(a)(7)(ii)(A)",
        "SOC 2 A1.2",
        "GDPR Art. 32(1)(c)",
        "ISO/IEC 27001:2022 A.8.13",
    ),
    permissions=DESCRIBE_ALL,
    references=(
        f"{DOCS}/dg/backups-automatic.html",
        f"{DOCS}/dg/backups.html",
        SECURITY_HUB_DOCS,
    ),
    aliases={
        Framework.SECURITY_HUB: ("ElastiCache.1",),
        Framework.CHECKOV: ("CKV_AWS_134",),
    },
    alias_notes={
        "CKV_AWS_134": (
            "Checkov reads only aws_elasticache_cluster resources in Terraform (not replication "
            "groups or serverless caches) and fails one whose snapshot_retention_limit is 0 or "
            "unset."
        ),
    },
)


@check(CW_401)
def check_backups_on(resource: CacheResource, ctx: RuleContext) -> Verdict:
    """CW-401: without automatic backups a lost node means lost data."""
    unsupported = _node_memcached(resource, ctx)
    if unsupported:
        return unsupported
    subject = describe(resource, ctx)
    retention = resource.snapshot_retention_limit or 0
    if retention > 0:
        return passed(f"{subject} keeps automatic backups for {retention} days")
    return failed(f"{subject} has automatic backups off (SnapshotRetentionLimit {retention})")


CW_402 = Rule(
    id="CW-402",
    title="Automatic backups are kept at least the policy's minimum number of days",
    severity=Severity.LOW,
    category=RuleCategory.SECURITY,
    failure="Backups are kept fewer days than the policy's minimum",
    family=FAMILY,
    resource_kinds=ALL_KINDS,
    engines=ALL_ENGINES,
    rationale=(
        "A retention of one or two days only helps with failures that are noticed at once. "
        "Corruption written by a bad release, or data removed by an intruder who stayed quiet for "
        "a week, is already inside every snapshot still kept, so recovery needs a restore point "
        "from before the incident. The minimum comes from the organisation's policy (7 days unless "
        "set; a limit equal to the minimum passes) and AWS allows at most 35 days."
    ),
    audit=RETENTION_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.MODIFY,
        cli=iac.RETENTION_CLI,
        cloudformation=iac.RETENTION_CFN,
        terraform=iac.RETENTION_TERRAFORM,
        console=BACKUP_CONSOLE,
        permissions=MODIFY_ALL,
    ),
    backout=(
        "Set the retention limit back to its old value with the same modify command. Snapshots "
        "older than the lowered limit are deleted by ElastiCache, so copy any restore point you "
        "still need to a manual snapshot first."
    ),
    compliance=(
        "NIST SP 800-53 CP-9",
        "HIPAA 164.308(a)(7)(ii)(A)",
        "SOC 2 A1.2",
        "ISO/IEC 27001:2022 A.8.13",
    ),
    permissions=DESCRIBE_ALL,
    references=(
        f"{DOCS}/dg/backups-automatic.html",
        f"{DOCS}/APIReference/API_ModifyReplicationGroup.html",
    ),
    aliases={
        Framework.PROWLER: ("elasticache_redis_cluster_backup_enabled",),
        Framework.STEAMPIPE: ("elasticache_redis_cluster_automatic_backup_retention_15_days",),
        Framework.AWS_CONFIG: ("elasticache-redis-cluster-automatic-backup-check",),
    },
    alias_notes={
        "elasticache_redis_cluster_backup_enabled": (
            "Prowler reads replication groups only. It fails a group kept fewer days than its "
            "minimum_snapshot_retention_period (7 by default, the same threshold and >= test as "
            "our default policy) and raises retention 0 as high severity, which is our CW-401."
        ),
        "elasticache_redis_cluster_automatic_backup_retention_15_days": (
            "Steampipe fails a replication group kept fewer than 15 days, a fixed threshold; "
            "our minimum comes from the policy (7 days by default). Set "
            "backups.minimum_retention_days to 15 to match it."
        ),
        "elasticache-redis-cluster-automatic-backup-check": (
            "AWS Config fails a cluster or replication group kept fewer days than its "
            "snapshotRetentionPeriod parameter, 15 by default; our minimum comes from the "
            "policy (7 days by default)."
        ),
    },
)


@check(CW_402)
def check_backup_retention(resource: CacheResource, ctx: RuleContext) -> Verdict:
    """CW-402: retention at or above the policy minimum (the minimum itself passes)."""
    unsupported = _node_memcached(resource, ctx)
    if unsupported:
        return unsupported
    subject = describe(resource, ctx)
    retention = resource.snapshot_retention_limit or 0
    minimum = ctx.policy.backups.minimum_retention_days
    if retention == 0:
        return not_applicable(f"{subject} has automatic backups off; CW-401 reports that")
    if retention >= minimum:
        return passed(f"{subject} keeps backups for {retention} days (policy minimum {minimum})")
    return failed(
        f"{subject} keeps backups for {retention} days, under the policy minimum of {minimum}"
    )


def replica_count(group: ReplicationGroup) -> int:
    """Replicas across all shards: nodes beyond the one primary each shard has."""
    if any(shard.node_group_members for shard in group.node_groups):
        return sum(max(len(shard.node_group_members) - 1, 0) for shard in group.node_groups)
    shards = max(len(group.node_groups), 1)
    return max(len(group.member_clusters) - shards, 0)


def _group_switch(
    group: ReplicationGroup, ctx: RuleContext, field: str, value: str | None, why: str
) -> Verdict:
    subject = describe(group, ctx)
    if value == "enabled":
        return passed(f"{subject} has {field} enabled")
    if replica_count(group) == 0:
        return failed(f"{subject} has no replica, so {why}; add a replica and enable {field}")
    return failed(f"{subject} has {field} {value or 'disabled'}")


CW_403 = Rule(
    id="CW-403",
    title="Replication groups fail over automatically",
    severity=Severity.MEDIUM,
    category=RuleCategory.SECURITY,
    failure="Automatic failover is off",
    family=FAMILY,
    resource_kinds=(ResourceKind.REPLICATION_GROUP,),
    engines=REDIS_FAMILY,
    rationale=(
        "Without automatic failover a failed primary stays failed: writes stop until someone "
        "promotes a replica by hand or ElastiCache rebuilds the node, which takes minutes and "
        "drops writes that had not reached a replica. With it on, ElastiCache promotes the "
        "replica with the least replication lag and moves the primary endpoint to it, so clients "
        "reconnect to the same DNS name. It needs at least one replica per shard; groups with "
        "cluster mode enabled always have it."
    ),
    audit="""\
aws elasticache describe-replication-groups --replication-group-id <replication-group-id> \\
  --query "ReplicationGroups[0].[AutomaticFailover,ClusterEnabled,MemberClusters]"
""",
    remediation=Remediation(
        fix_kind=FixKind.MODIFY,
        cli=iac.FAILOVER_CLI,
        cloudformation=iac.FAILOVER_CFN,
        terraform=iac.FAILOVER_TERRAFORM,
        console=(
            "Open the ElastiCache console and select the replication group.",
            "If it has no replica, add one (Actions, Add replica) and wait until it is available.",
            "Choose Actions, then Modify, and turn on Auto-failover.",
            "Apply the change immediately and save.",
        ),
        permissions=(
            "elasticache:IncreaseReplicaCount",
            "elasticache:ModifyReplicationGroup",
        ),
    ),
    backout=(
        "Turn Multi-AZ off first if it is on (ElastiCache refuses to disable failover while "
        "Multi-AZ is enabled), then run modify-replication-group with "
        "--no-automatic-failover-enabled. Remove a replica that was added only for this change "
        "with decrease-replica-count."
    ),
    compliance=("NIST SP 800-53 CP-10", "SOC 2 A1.2"),
    permissions=("elasticache:DescribeReplicationGroups",),
    references=(
        f"{DOCS}/dg/AutoFailover.html",
        SECURITY_HUB_DOCS,
    ),
    aliases={
        Framework.SECURITY_HUB: ("ElastiCache.3",),
        Framework.PROWLER: ("elasticache_redis_cluster_automatic_failover_enabled",),
        Framework.STEAMPIPE: ("elasticache_replication_group_auto_failover_enabled",),
        Framework.CHECKOV: ("CKV2_AWS_50",),
        Framework.AWS_CONFIG: ("elasticache-repl-grp-auto-failover-enabled",),
    },
)


@check(CW_403)
def check_automatic_failover(group: ReplicationGroup, ctx: RuleContext) -> Verdict:
    """CW-403: a failed primary is replaced by a replica without an operator."""
    why = "nothing can take over when the primary fails"
    return _group_switch(group, ctx, "AutomaticFailover", group.automatic_failover, why)


CW_404 = Rule(
    id="CW-404",
    title="Replication groups are Multi-AZ",
    severity=Severity.MEDIUM,
    category=RuleCategory.SECURITY,
    failure="Multi-AZ is off",
    family=FAMILY,
    resource_kinds=(ResourceKind.REPLICATION_GROUP,),
    engines=REDIS_FAMILY,
    rationale=(
        "Failover only helps if a replica survives whatever took the primary down. Multi-AZ makes "
        "ElastiCache treat the loss of a zone as a failover event and promote a replica in another "
        "Availability Zone; it also shortens the write outage of planned node replacements. "
        "Without it, one zone outage can take the whole shard offline, because nothing ensures a "
        "replica sits outside the primary's zone. It requires automatic failover and at least one "
        "replica."
    ),
    audit="""\
aws elasticache describe-replication-groups --replication-group-id <replication-group-id> \\
  --query "ReplicationGroups[0].[MultiAZ,AutomaticFailover]"
aws elasticache describe-cache-clusters \\
  --query "CacheClusters[?ReplicationGroupId=='<replication-group-id>'].[CacheClusterId,PreferredAvailabilityZone]"
""",
    remediation=Remediation(
        fix_kind=FixKind.MODIFY,
        cli=iac.MULTI_AZ_CLI,
        cloudformation=iac.MULTI_AZ_CFN,
        terraform=iac.MULTI_AZ_TERRAFORM,
        console=(
            "Open the ElastiCache console and select the replication group.",
            "Make sure each shard has a replica in a different Availability Zone from its "
            "primary; add one if needed.",
            "Choose Actions, then Modify, and turn on Multi-AZ (this also turns on auto-failover).",
            "Apply the change immediately and save.",
        ),
        permissions=(
            "elasticache:IncreaseReplicaCount",
            "elasticache:ModifyReplicationGroup",
        ),
    ),
    backout=(
        "Run modify-replication-group with --no-multi-az-enabled and --apply-immediately; "
        "automatic failover can stay on. Remove replicas added only for this change with "
        "decrease-replica-count."
    ),
    compliance=("NIST SP 800-53 CP-10", "NIST SP 800-53 SC-36", "SOC 2 A1.2"),
    permissions=(
        "elasticache:DescribeReplicationGroups",
        "elasticache:DescribeCacheClusters",
    ),
    references=(
        f"{DOCS}/dg/AutoFailover.html",
        f"{DOCS}/APIReference/API_ModifyReplicationGroup.html",
    ),
    aliases={
        Framework.CONFORMITY: ("EC-002",),
        Framework.PROWLER: ("elasticache_redis_cluster_multi_az_enabled",),
        Framework.CLOUDSPLOIT: ("elasticacheRedisMultiAZ",),
    },
)


@check(CW_404)
def check_multi_az(group: ReplicationGroup, ctx: RuleContext) -> Verdict:
    """CW-404: replicas in other Availability Zones survive the loss of one zone."""
    why = "the group lives in a single Availability Zone"
    return _group_switch(group, ctx, "MultiAZ", group.multi_az, why)
