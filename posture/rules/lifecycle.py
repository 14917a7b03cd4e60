"""Upgrades, engine support and orphaned backups: CW-405 to CW-407, each entry with its
check below it.
"""

from __future__ import annotations

from packaging.version import Version

from posture.base import ResourceKind, Severity
from posture.catalog import _resilience_snippets as iac
from posture.catalog.model import FixKind, Framework, Remediation, Rule, RuleCategory
from posture.catalog.resilience import (
    ALL_ENGINES,
    ALL_KINDS,
    DESCRIBE_ALL,
    DOCS,
    FAMILY,
    NODE_BASED,
    REDIS_FAMILY,
    SECURITY_HUB_DOCS,
)
from posture.resources import CacheCluster, CacheSnapshot, ReplicationGroup, ServerlessCache
from posture.rules.context import (
    RuleContext,
    Verdict,
    check,
    errored,
    failed,
    not_applicable,
    passed,
)
from posture.rules.engine_support import past_standard_support
from posture.rules.facts import (
    RBAC_MINIMUM_REDIS,
    CacheResource,
    describe,
    engine_name,
    engine_version,
    missing_members_reason,
    parse_version,
)

CW_405 = Rule(
    id="CW-405",
    title="Auto minor version upgrade is on",
    severity=Severity.HIGH,
    category=RuleCategory.SECURITY,
    failure="Auto minor version upgrade is off",
    family=FAMILY,
    resource_kinds=NODE_BASED,
    engines=REDIS_FAMILY,
    rationale=(
        "Minor and patch releases carry the engine's security fixes. With the flag off a node "
        "keeps running a build with published vulnerabilities until someone schedules an upgrade "
        "by hand, which often never happens. With it on, ElastiCache rolls new minor versions "
        "out in the maintenance window. The flag works for Redis OSS 6.0 and later and for "
        "Valkey; older versions need an engine upgrade first (CW-406), and serverless caches are "
        "always kept on the latest minor version."
    ),
    audit="""\
aws elasticache describe-replication-groups --replication-group-id <replication-group-id> \\
  --query "ReplicationGroups[0].AutoMinorVersionUpgrade"
aws elasticache describe-cache-clusters --cache-cluster-id <cache-cluster-id> \\
  --query "CacheClusters[0].[Engine,EngineVersion,AutoMinorVersionUpgrade]"
""",
    remediation=Remediation(
        fix_kind=FixKind.MODIFY,
        cli=iac.MINOR_UPGRADE_CLI,
        cloudformation=iac.MINOR_UPGRADE_CFN,
        terraform=iac.MINOR_UPGRADE_TERRAFORM,
        console=(
            "Open the ElastiCache console and select the replication group or cluster.",
            "Choose Actions, then Modify.",
            "Under maintenance, turn on auto upgrade of minor versions and check the maintenance "
            "window suits the workload.",
            "Save the change.",
        ),
        permissions=(
            "elasticache:ModifyReplicationGroup",
            "elasticache:ModifyCacheCluster",
        ),
    ),
    backout=(
        "Run the same modify command with --no-auto-minor-version-upgrade. That stops future "
        "automatic upgrades only: a minor version already applied cannot be rolled back in place, "
        "so a rollback means restoring a snapshot into a new cluster on the older version."
    ),
    compliance=(
        "NIST SP 800-53 SI-2",
        "PCI DSS v4.0 6.3.3",
        "SOC 2 CC7.1",
        "ISO/IEC 27001:2022 A.8.8",
    ),
    permissions=(
        "elasticache:DescribeReplicationGroups",
        "elasticache:DescribeCacheClusters",
    ),
    references=(
        f"{DOCS}/dg/VersionManagement.html",
        SECURITY_HUB_DOCS,
    ),
    aliases={
        Framework.SECURITY_HUB: ("ElastiCache.2",),
        Framework.PROWLER: ("elasticache_redis_cluster_auto_minor_version_upgrades",),
        Framework.STEAMPIPE: ("elasticache_cluster_auto_minor_version_upgrade_enabled",),
        Framework.CHECKOV: ("CKV_AWS_322",),
        Framework.AWS_CONFIG: ("elasticache-auto-minor-version-upgrade-check",),
    },
    alias_notes={
        "elasticache_redis_cluster_auto_minor_version_upgrades": (
            "Prowler reads replication groups only and also fails Redis OSS before 6.0, where "
            "AWS disables the setting; CW-405 reports those as not applicable."
        ),
        "elasticache-auto-minor-version-upgrade-check": (
            "AWS Config evaluates cache clusters (AWS::ElastiCache::CacheCluster) running Redis "
            "OSS or Valkey, not replication groups, and also fails Redis OSS before 6.0, where "
            "AWS disables the setting; CW-405 reports those as not applicable."
        ),
    },
)


@check(CW_405)
def check_minor_upgrades(resource: ReplicationGroup | CacheCluster, ctx: RuleContext) -> Verdict:
    """CW-405: minor versions carry security fixes; let AWS apply them in the maintenance window.

    The setting exists for Redis OSS 6.0+ and Valkey only: Memcached and older Redis OSS
    take minor versions by hand, so the rule does not apply to them.
    """
    subject = describe(resource, ctx)
    if engine_name(resource) == "memcached":
        return not_applicable(f"{subject}: auto minor version upgrade does not apply to Memcached")
    version = parse_version(engine_version(resource, ctx))
    if engine_name(resource) == "redis" and version is not None and version < RBAC_MINIMUM_REDIS:
        return not_applicable(
            f"{subject}: auto minor version upgrade needs Redis OSS 6.0 or later; "
            "CW-406 covers the engine upgrade"
        )
    setting = resource.auto_minor_version_upgrade
    if setting is None and isinstance(resource, ReplicationGroup):
        member_settings = [m.auto_minor_version_upgrade for m in ctx.members(resource)]
        known = [value for value in member_settings if value is not None]
        setting = all(known) if known else None
    if setting is None:
        return errored(f"{subject} reports no AutoMinorVersionUpgrade setting")
    if setting:
        return passed(f"{subject} has automatic minor version upgrades on")
    return failed(f"{subject} has automatic minor version upgrades off")


def _meets_minimum(resource: CacheResource, version: Version, minimum: Version) -> bool:
    if isinstance(resource, ServerlessCache):
        # AWS keeps a serverless cache on the newest minor and patch of its line and reports only
        # as much of the version as it pins ("7", "7.1", Memcached "1.6"): compare at that
        # precision, so a 1.6 cache is not held to a node-based minimum such as 1.6.12.
        # https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/VersionManagement.html
        return version.release >= minimum.release[: len(version.release)]
    return version >= minimum


def _unreadable_version(resource: CacheResource, ctx: RuleContext) -> Verdict:
    reason = (
        missing_members_reason(resource, ctx) if isinstance(resource, ReplicationGroup) else None
    )
    return errored(reason or f"{describe(resource, ctx)}: engine version cannot be read")


CW_406 = Rule(
    id="CW-406",
    title="Engine version is supported and at or above the policy minimum",
    severity=Severity.MEDIUM,
    category=RuleCategory.SECURITY,
    failure="Engine version is past support or below the policy minimum",
    family=FAMILY,
    resource_kinds=ALL_KINDS,
    engines=ALL_ENGINES,
    rationale=(
        "Two tests, in this order. First the support calendar: we keep AWS's published end "
        "of standard support per engine major version as data (Redis OSS 2 and 3 ended in "
        "2023 with no Extended Support; 4 and 5 ended on 2026-01-31; 6 ends on 2027-01-31), "
        "and a cache on a major whose date has passed fails, whatever the policy says. After "
        "that date the cache gets no routine fixes, is billed for Extended Support where AWS "
        "offers it, and is later upgraded by AWS on AWS's date. Then the policy: a version "
        "below the organisation's minimum for its engine fails; with no minimum set for the "
        "engine, a version still in support is not applicable. A serverless cache is "
        'compared only as far as AWS reports its version ("7", "7.1", Memcached '
        '"1.6"), because AWS keeps it on the newest patch of that line. A group whose version cannot '
        "be read is an error. Old versions also lack controls this catalog relies on, such "
        "as RBAC users (Redis OSS 6.0+) and engine log delivery (6.2+)."
    ),
    audit="""\
aws elasticache describe-cache-clusters --cache-cluster-id <cache-cluster-id> \\
  --query "CacheClusters[0].[Engine,EngineVersion,ReplicationGroupId]"
aws elasticache describe-serverless-caches --serverless-cache-name <serverless-cache-name> \\
  --query "ServerlessCaches[0].[Engine,MajorEngineVersion,FullEngineVersion]"
aws elasticache describe-cache-engine-versions --engine <engine> \\
  --query "CacheEngineVersions[].[EngineVersion,CacheParameterGroupFamily]"
""",
    remediation=Remediation(
        fix_kind=FixKind.MODIFY,
        cli=iac.ENGINE_VERSION_CLI,
        cloudformation=iac.ENGINE_VERSION_CFN,
        terraform=iac.ENGINE_VERSION_TERRAFORM,
        console=(
            "Take a manual backup of the cache and wait until it is available.",
            "Open the ElastiCache console, select the cache and choose Actions, then Modify.",
            "Pick the target engine and version (Redis OSS groups can move to Valkey here) and a "
            "parameter group of the matching family.",
            "Apply immediately or in the next maintenance window. For node-based Memcached an "
            "engine upgrade restarts the nodes and empties the cache.",
        ),
        permissions=(
            "elasticache:CreateSnapshot",
            "elasticache:ModifyReplicationGroup",
            "elasticache:ModifyCacheCluster",
            "elasticache:ModifyServerlessCache",
        ),
    ),
    backout=(
        "Engine upgrades are one-way: ElastiCache never downgrades a cache in place. To roll back, "
        "restore the pre-upgrade snapshot into a new replication group on the old version "
        "(create-replication-group --snapshot-name ... --engine-version <old-version>), point "
        "clients at it and delete the upgraded group once it is no longer used. Memcached has no "
        "snapshot to restore, so a rollback there is a new, empty cluster."
    ),
    compliance=(
        "NIST SP 800-53 SI-2",
        "NIST SP 800-53 SA-22",
        "PCI DSS v4.0 6.3.3",
        "PCI DSS v4.0 12.3.4",
        "SOC 2 CC7.1",
    ),
    permissions=(
        "elasticache:DescribeReplicationGroups",
        "elasticache:DescribeCacheClusters",
        "elasticache:DescribeServerlessCaches",
        "elasticache:DescribeCacheEngineVersions",
    ),
    references=(
        f"{DOCS}/dg/engine-versions.html",
        f"{DOCS}/dg/extended-support.html",
        f"{DOCS}/dg/extended-support-charges.html",
        f"{DOCS}/red-ug/deprecated-engine-versions.html",
        f"{DOCS}/dg/VersionManagement.html",
    ),
    aliases={
        Framework.CONFORMITY: ("EC-013",),
        Framework.CLOUDSPLOIT: ("redisEngineVersions",),
        Framework.AWS_CONFIG: ("elasticache-supported-engine-version",),
    },
)


@check(CW_406)
def check_engine_version(resource: CacheResource, ctx: RuleContext) -> Verdict:
    """CW-406: versions past AWS standard support, or under the policy minimum, fail.

    End of standard support (posture.rules.engine_support) fails whatever the policy
    minimum says: the cache then runs on paid Extended Support or is about to be
    upgraded by AWS.
    """
    subject = describe(resource, ctx)
    engine = engine_name(resource)
    version = parse_version(engine_version(resource, ctx))
    if version is None:
        return _unreadable_version(resource, ctx)
    ended = past_standard_support(engine, version, ctx.now.date())
    if ended is not None:
        extended = (
            f"paid Extended Support lasts until {ended.extended_support_ends.isoformat()}"
            if ended.extended_support_ends
            else "there is no Extended Support for it"
        )
        return failed(
            f"{subject} runs {engine} {version}, whose AWS standard support ended on "
            f"{ended.standard_support_ends.isoformat()}; {extended} ({ended.source})"
        )
    minimum_text = ctx.policy.engines.minimum_versions.get(engine)
    if minimum_text is None:
        return not_applicable(f"{subject}: the policy sets no minimum version for {engine}")
    minimum = parse_version(minimum_text)
    if minimum is None:
        return errored(f"{subject}: the policy minimum {minimum_text!r} cannot be read")
    if _meets_minimum(resource, version, minimum):
        return passed(
            f"{subject} runs {engine} {version}, at or above the policy minimum {minimum_text}"
        )
    return failed(f"{subject} runs {engine} {version}, below the policy minimum {minimum_text}")


def _source_of(snapshot: CacheSnapshot) -> tuple[str, str] | None:
    """(kind, id) of the cache a backup was taken from."""
    if snapshot.serverless_cache_name:
        return "serverless cache", snapshot.serverless_cache_name
    if snapshot.replication_group_id:
        return "replication group", snapshot.replication_group_id
    if snapshot.cache_cluster_id:
        return "cache cluster", snapshot.cache_cluster_id
    return None


def _source_exists(snapshot: CacheSnapshot, ctx: RuleContext) -> bool:
    inventory = ctx.inventory
    if snapshot.serverless_cache_name:
        return any(
            c.serverless_cache_name == snapshot.serverless_cache_name
            for c in inventory.serverless_caches
        )
    if snapshot.replication_group_id:
        return any(
            g.replication_group_id == snapshot.replication_group_id
            for g in inventory.replication_groups
        )
    return snapshot.cache_cluster_id in ctx.clusters_by_id


CW_407 = Rule(
    id="CW-407",
    title="Manual backups belong to a cache that still exists",
    severity=Severity.LOW,
    family=FAMILY,
    resource_kinds=(ResourceKind.SNAPSHOT,),
    engines=ALL_ENGINES,
    rationale=(
        "ElastiCache removes automatic backups with their cache, but manual ones stay until "
        "someone deletes them. A manual backup of a deleted cache keeps a full copy of its "
        "data, under whatever key and access it had, with nobody left who owns the cache "
        "or remembers why the copy exists, and it is billed every month. Decide for each "
        "one: keep it on purpose (tag its owner and retention), export it, or delete it."
    ),
    audit=iac.ORPHAN_SNAPSHOT_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.MANUAL,
        cli=iac.ORPHAN_SNAPSHOT_CLI,
        cloudformation=None,
        terraform=None,
        console=(
            "In the ElastiCache console open Backups and filter on manual backups.",
            "For each backup whose source cache no longer exists, ask the data owner "
            "whether it must be kept.",
            "Export the ones to keep to an S3 bucket with a retention policy (Actions, "
            "then Export), then delete the backup (Actions, then Delete).",
        ),
        permissions=(
            "elasticache:CopySnapshot",
            "elasticache:DeleteSnapshot",
            "elasticache:ExportServerlessCacheSnapshot",
            "elasticache:DeleteServerlessCacheSnapshot",
        ),
    ),
    backout=(
        "A deleted backup cannot be brought back; an exported copy can be restored into a "
        "new cache by seeding it from the .rdb file in S3. Export before deleting whenever "
        "in doubt."
    ),
    compliance=(
        "NIST SP 800-53 CM-8",
        "NIST SP 800-53 SI-12",
        "GDPR Art. 5(1)(e)",
        "SOC 2 C1.2",
    ),
    permissions=(
        "elasticache:DescribeSnapshots",
        "elasticache:DescribeServerlessCacheSnapshots",
        *DESCRIBE_ALL,
    ),
    references=(
        f"{DOCS}/dg/backups-deleting.html",
        f"{DOCS}/dg/backups-exporting.html",
        f"{DOCS}/APIReference/API_DescribeSnapshots.html",
    ),
    category=RuleCategory.SECURITY,
    failure="Manual backup outlives the cache it was taken from",
)


@check(CW_407)
def check_snapshot_source_exists(snapshot: CacheSnapshot, ctx: RuleContext) -> Verdict:
    """CW-407: a manual backup of a deleted cache keeps its data (and its cost) with no owner."""
    subject = f"snapshot {snapshot.snapshot_name}"
    if (snapshot.snapshot_source or "").lower() != "manual":
        return not_applicable(
            f"{subject} is an automatic backup; ElastiCache removes those with their cache"
        )
    source = _source_of(snapshot)
    if source is None:
        return errored(f"{subject} names no source cache")
    kind, source_id = source
    if _source_exists(snapshot, ctx):
        return passed(f"{subject} belongs to {kind} {source_id}, which still exists")
    return failed(
        f"{subject} is a manual backup of {kind} {source_id}, which no longer exists in "
        f"{ctx.inventory.region}"
    )
