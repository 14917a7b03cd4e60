"""What the resilience family's catalog entries share: family name, doc URLs, engines,
standards, permission sets and common text. The entries themselves (with their checks
right below them) are in posture/rules/ (resilience.py and lifecycle.py).
"""

from __future__ import annotations

from posture.base import Engine, ResourceKind

FAMILY = "resilience"
DOCS = "https://docs.aws.amazon.com/AmazonElastiCache/latest"
SECURITY_HUB_DOCS = (
    "https://docs.aws.amazon.com/securityhub/latest/userguide/elasticache-controls.html"
)
NODE_BASED = (ResourceKind.REPLICATION_GROUP, ResourceKind.CACHE_CLUSTER)
ALL_KINDS = (*NODE_BASED, ResourceKind.SERVERLESS_CACHE)
REDIS_FAMILY = (Engine.REDIS, Engine.VALKEY)
ALL_ENGINES = (Engine.REDIS, Engine.VALKEY, Engine.MEMCACHED)
DESCRIBE_ALL = (
    "elasticache:DescribeReplicationGroups",
    "elasticache:DescribeCacheClusters",
    "elasticache:DescribeServerlessCaches",
)
MODIFY_ALL = (
    "elasticache:ModifyReplicationGroup",
    "elasticache:ModifyCacheCluster",
    "elasticache:ModifyServerlessCache",
)

RETENTION_AUDIT = """\
aws elasticache describe-replication-groups --replication-group-id <replication-group-id> \\
  --query "ReplicationGroups[0].[SnapshotRetentionLimit,SnapshotWindow]"
aws elasticache describe-cache-clusters --cache-cluster-id <cache-cluster-id> \\
  --query "CacheClusters[0].[Engine,ReplicationGroupId,SnapshotRetentionLimit]"
aws elasticache describe-serverless-caches --serverless-cache-name <serverless-cache-name> \\
  --query "ServerlessCaches[0].[SnapshotRetentionLimit,DailySnapshotTime]"
"""

BACKUP_CONSOLE = (
    "Open the ElastiCache console and select the cache (a replication group, a standalone "
    "cluster or a serverless cache).",
    "Choose Actions, then Modify.",
    "In the backup settings turn on automatic backups, set the retention period in days and "
    "pick a backup window that does not overlap the maintenance window.",
    "Preview the change, apply it immediately and save.",
)
