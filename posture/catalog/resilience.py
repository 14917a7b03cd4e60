"""Rules of the resilience family: backups, failover, Multi-AZ, engine upkeep (CW-401..CW-406)."""

from __future__ import annotations

from posture.base import Engine, ResourceKind, Severity
from posture.catalog import _resilience_snippets as iac
from posture.catalog.model import FixKind, Framework, Remediation, Rule, RuleCategory

_FAMILY = "resilience"
_DOCS = "https://docs.aws.amazon.com/AmazonElastiCache/latest"
_SECURITY_HUB_DOCS = (
    "https://docs.aws.amazon.com/securityhub/latest/userguide/elasticache-controls.html"
)
_NODE_BASED = (ResourceKind.REPLICATION_GROUP, ResourceKind.CACHE_CLUSTER)
_ALL_KINDS = (*_NODE_BASED, ResourceKind.SERVERLESS_CACHE)
_REDIS_FAMILY = (Engine.REDIS, Engine.VALKEY)
_ALL_ENGINES = (Engine.REDIS, Engine.VALKEY, Engine.MEMCACHED)
_DESCRIBE_ALL = (
    "elasticache:DescribeReplicationGroups",
    "elasticache:DescribeCacheClusters",
    "elasticache:DescribeServerlessCaches",
)
_MODIFY_ALL = (
    "elasticache:ModifyReplicationGroup",
    "elasticache:ModifyCacheCluster",
    "elasticache:ModifyServerlessCache",
)

_RETENTION_AUDIT = """\
aws elasticache describe-replication-groups --replication-group-id <replication-group-id> \\
  --query "ReplicationGroups[0].[SnapshotRetentionLimit,SnapshotWindow]"
aws elasticache describe-cache-clusters --cache-cluster-id <cache-cluster-id> \\
  --query "CacheClusters[0].[Engine,ReplicationGroupId,SnapshotRetentionLimit]"
aws elasticache describe-serverless-caches --serverless-cache-name <serverless-cache-name> \\
  --query "ServerlessCaches[0].[SnapshotRetentionLimit,DailySnapshotTime]"
"""

_BACKUP_CONSOLE = (
    "Open the ElastiCache console and select the cache (a replication group, a standalone "
    "cluster or a serverless cache).",
    "Choose Actions, then Modify.",
    "In the backup settings turn on automatic backups, set the retention period in days and "
    "pick a backup window that does not overlap the maintenance window.",
    "Preview the change, apply it immediately and save.",
)

CW_401 = Rule(
    id="CW-401",
    title="Caches take automatic daily backups",
    severity=Severity.HIGH,
    category=RuleCategory.SECURITY,
    failure="Automatic backups are off",
    family=_FAMILY,
    resource_kinds=_ALL_KINDS,
    engines=_ALL_ENGINES,
    rationale=(
        "With a snapshot retention limit of 0 ElastiCache takes no automatic backups, so a faulty "
        "release, a FLUSHALL from a compromised client or an accidental delete leaves nothing to "
        "restore and the data must be rebuilt from its source, if it has one. Caches used as the "
        "primary store for sessions, queues or counters lose that data for good. Node-based "
        "Memcached cannot snapshot at all and is reported as not applicable; serverless "
        "Memcached, Valkey and Redis OSS can."
    ),
    audit=_RETENTION_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.IN_PLACE,
        cli=iac.BACKUPS_CLI,
        cloudformation=iac.BACKUPS_CFN,
        terraform=iac.BACKUPS_TERRAFORM,
        console=_BACKUP_CONSOLE,
        permissions=_MODIFY_ALL,
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
    permissions=_DESCRIBE_ALL,
    references=(
        f"{_DOCS}/dg/backups-automatic.html",
        f"{_DOCS}/dg/backups.html",
        _SECURITY_HUB_DOCS,
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

CW_402 = Rule(
    id="CW-402",
    title="Automatic backups are kept at least the policy's minimum number of days",
    severity=Severity.LOW,
    category=RuleCategory.SECURITY,
    failure="Backups are kept fewer days than the policy's minimum",
    family=_FAMILY,
    resource_kinds=_ALL_KINDS,
    engines=_ALL_ENGINES,
    rationale=(
        "A retention of one or two days only helps with failures that are noticed at once. "
        "Corruption written by a bad release, or data removed by an intruder who stayed quiet for "
        "a week, is already inside every snapshot still kept, so recovery needs a restore point "
        "from before the incident. The minimum comes from the organisation's policy (7 days unless "
        "set; a limit equal to the minimum passes) and AWS allows at most 35 days."
    ),
    audit=_RETENTION_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.IN_PLACE,
        cli=iac.RETENTION_CLI,
        cloudformation=iac.RETENTION_CFN,
        terraform=iac.RETENTION_TERRAFORM,
        console=_BACKUP_CONSOLE,
        permissions=_MODIFY_ALL,
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
    permissions=_DESCRIBE_ALL,
    references=(
        f"{_DOCS}/dg/backups-automatic.html",
        f"{_DOCS}/APIReference/API_ModifyReplicationGroup.html",
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

CW_403 = Rule(
    id="CW-403",
    title="Replication groups fail over automatically",
    severity=Severity.MEDIUM,
    category=RuleCategory.SECURITY,
    failure="Automatic failover is off",
    family=_FAMILY,
    resource_kinds=(ResourceKind.REPLICATION_GROUP,),
    engines=_REDIS_FAMILY,
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
        fix_kind=FixKind.IN_PLACE,
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
        f"{_DOCS}/dg/AutoFailover.html",
        _SECURITY_HUB_DOCS,
    ),
    aliases={
        Framework.SECURITY_HUB: ("ElastiCache.3",),
        Framework.PROWLER: ("elasticache_redis_cluster_automatic_failover_enabled",),
        Framework.STEAMPIPE: ("elasticache_replication_group_auto_failover_enabled",),
        Framework.CHECKOV: ("CKV2_AWS_50",),
        Framework.AWS_CONFIG: ("elasticache-repl-grp-auto-failover-enabled",),
    },
)

CW_404 = Rule(
    id="CW-404",
    title="Replication groups are Multi-AZ",
    severity=Severity.MEDIUM,
    category=RuleCategory.SECURITY,
    failure="Multi-AZ is off",
    family=_FAMILY,
    resource_kinds=(ResourceKind.REPLICATION_GROUP,),
    engines=_REDIS_FAMILY,
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
        fix_kind=FixKind.IN_PLACE,
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
        f"{_DOCS}/dg/AutoFailover.html",
        f"{_DOCS}/APIReference/API_ModifyReplicationGroup.html",
    ),
    aliases={
        Framework.CONFORMITY: ("EC-002",),
        Framework.PROWLER: ("elasticache_redis_cluster_multi_az_enabled",),
        Framework.CLOUDSPLOIT: ("elasticacheRedisMultiAZ",),
    },
)

CW_405 = Rule(
    id="CW-405",
    title="Auto minor version upgrade is on",
    severity=Severity.HIGH,
    category=RuleCategory.SECURITY,
    failure="Auto minor version upgrade is off",
    family=_FAMILY,
    resource_kinds=_NODE_BASED,
    engines=_REDIS_FAMILY,
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
        fix_kind=FixKind.IN_PLACE,
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
        f"{_DOCS}/dg/VersionManagement.html",
        _SECURITY_HUB_DOCS,
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

CW_406 = Rule(
    id="CW-406",
    title="Engine version is supported and at or above the policy minimum",
    severity=Severity.MEDIUM,
    category=RuleCategory.SECURITY,
    failure="Engine version is past support or below the policy minimum",
    family=_FAMILY,
    resource_kinds=_ALL_KINDS,
    engines=_ALL_ENGINES,
    rationale=(
        "Two tests, in this order. First the support calendar: we keep AWS's published end "
        "of standard support per engine major version as data (Redis OSS 2 and 3 ended in "
        "2023 with no Extended Support; 4 and 5 ended on 2026-01-31; 6 ends on 2027-01-31), "
        "and a cache on a major whose date has passed fails, whatever the policy says. After "
        "that date the cache gets no routine fixes, is billed for Extended Support where AWS "
        "offers it, and is later upgraded by AWS on AWS's date. Then the policy: a version "
        "below the organisation's minimum for its engine fails; with no minimum set for the "
        "engine, a version still in support is not applicable. A serverless cache that "
        "reports only its major version is compared by major. A group whose version cannot "
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
        fix_kind=FixKind.IN_PLACE,
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
        f"{_DOCS}/dg/engine-versions.html",
        f"{_DOCS}/dg/extended-support.html",
        f"{_DOCS}/dg/extended-support-charges.html",
        f"{_DOCS}/red-ug/deprecated-engine-versions.html",
        f"{_DOCS}/dg/VersionManagement.html",
    ),
    aliases={
        Framework.CONFORMITY: ("EC-013",),
        Framework.CLOUDSPLOIT: ("redisEngineVersions",),
        Framework.AWS_CONFIG: ("elasticache-supported-engine-version",),
    },
)

CW_407 = Rule(
    id="CW-407",
    title="Manual backups belong to a cache that still exists",
    severity=Severity.LOW,
    family=_FAMILY,
    resource_kinds=(ResourceKind.SNAPSHOT,),
    engines=_ALL_ENGINES,
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
        *_DESCRIBE_ALL,
    ),
    references=(
        f"{_DOCS}/dg/backups-deleting.html",
        f"{_DOCS}/dg/backups-exporting.html",
        f"{_DOCS}/APIReference/API_DescribeSnapshots.html",
    ),
    category=RuleCategory.SECURITY,
    failure="Manual backup outlives the cache it was taken from",
)
