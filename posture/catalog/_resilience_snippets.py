"""CLI and infrastructure-as-code fixes for the resilience rules (CW-401..CW-406).

Most fixes are one or two settings on an otherwise ordinary replication group, so
the builders below write the common part once (private subnets, a restricted
security group, encryption on) and each fix adds only its compliant settings,
last and under a comment, so a reader finds them at once. The cost and
detection snippets reuse the builders. Every template passes cfn-lint.
"""

from __future__ import annotations

_CACHE_PARAMETERS = """\
  ReplicationGroupId:
    Type: String
    Description: Identifier of the replication group
  CacheSubnetGroupName:
    Type: String
    Description: Existing cache subnet group made of private subnets
  CacheSecurityGroupId:
    Type: AWS::EC2::SecurityGroup::Id
    Description: Security group that admits only the application tier
"""


def cfn_template(description: str, resources: str, extra_parameters: str = "") -> str:
    """A complete template: the shared cache parameters, any extra ones, then `resources`."""
    return (
        'AWSTemplateFormatVersion: "2010-09-09"\n'
        f"Description: {description}\n"
        f"Parameters:\n{_CACHE_PARAMETERS}{extra_parameters}"
        f"Resources:\n{resources}"
    )


def cfn_replication_group(
    purpose: str,
    compliant: str,
    node_type: str | None = "cache.t4g.micro",
    attributes: str = "",
) -> str:
    """An `AWS::ElastiCache::ReplicationGroup` resource ending with the `compliant` properties.

    Pass `node_type=None` when the node type is itself the compliant setting, and
    `attributes` for resource-level keys such as `DeletionPolicy`.
    """
    node_line = f"      CacheNodeType: {node_type}\n" if node_type else ""
    marker = "      # The compliant settings:\n" if compliant else ""
    return f"""\
  CacheReplicationGroup:
    Type: AWS::ElastiCache::ReplicationGroup
{attributes}    Properties:
      ReplicationGroupId: !Ref ReplicationGroupId
      ReplicationGroupDescription: {purpose}
      Engine: valkey
      EngineVersion: "8.0"
{node_line}      CacheSubnetGroupName: !Ref CacheSubnetGroupName
      SecurityGroupIds:
        - !Ref CacheSecurityGroupId
      AtRestEncryptionEnabled: true
      TransitEncryptionEnabled: true
{marker}{compliant}"""


def terraform_replication_group(
    purpose: str, compliant: str, node_type: str | None = '"cache.t4g.micro"'
) -> str:
    """An `aws_elasticache_replication_group` block ending with the `compliant` arguments.

    `node_type` is an HCL expression (quote literals); None leaves it to `compliant`.
    """
    node_line = f"  node_type                  = {node_type}\n" if node_type else ""
    return f"""\
resource "aws_elasticache_replication_group" "cache" {{
  replication_group_id       = "orders-cache"
  description                = "{purpose}"
  engine                     = "valkey"
  engine_version             = "8.0"
{node_line}  subnet_group_name          = "private-cache-subnets"
  security_group_ids         = ["sg-0123456789abcdef0"]
  at_rest_encryption_enabled = true
  transit_encryption_enabled = true

  # The compliant settings:
{compliant}}}
"""


_SERVERLESS_PARAMETERS = """\
  ServerlessCacheName:
    Type: String
    Description: Name of the serverless cache
  SubnetIds:
    Type: List<AWS::EC2::Subnet::Id>
    Description: Private subnets for the serverless cache
"""

_SERVERLESS_WITH_BACKUPS = """\
  ServerlessCache:
    Type: AWS::ElastiCache::ServerlessCache
    Properties:
      ServerlessCacheName: !Ref ServerlessCacheName
      Engine: valkey
      MajorEngineVersion: "8"
      SubnetIds: !Ref SubnetIds
      SecurityGroupIds:
        - !Ref CacheSecurityGroupId
      # The compliant settings:
      SnapshotRetentionLimit: 7
      DailySnapshotTime: "03:00"
"""

BACKUPS_CFN = cfn_template(
    "Replication group and serverless cache with daily automatic backups",
    cfn_replication_group(
        "Valkey cache with automatic backups",
        '      SnapshotRetentionLimit: 7\n      SnapshotWindow: "03:00-04:00"\n',
    )
    + _SERVERLESS_WITH_BACKUPS,
    _SERVERLESS_PARAMETERS,
)

BACKUPS_TERRAFORM = (
    terraform_replication_group(
        "Valkey cache with automatic backups",
        '  snapshot_retention_limit = 7\n  snapshot_window          = "03:00-04:00"\n',
    )
    + """
resource "aws_elasticache_serverless_cache" "sessions" {
  name                 = "sessions"
  engine               = "valkey"
  major_engine_version = "8"
  subnet_ids           = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
  security_group_ids   = ["sg-0123456789abcdef0"]

  # The compliant settings:
  snapshot_retention_limit = 7
  daily_snapshot_time      = "03:00"
}
"""
)

RETENTION_CFN = cfn_template(
    "Replication group whose automatic backups are kept at least the policy minimum",
    cfn_replication_group(
        "Valkey cache with a long enough backup history",
        "      SnapshotRetentionLimit: !Ref BackupRetentionDays\n",
    ),
    """\
  BackupRetentionDays:
    Type: Number
    Description: Days to keep automatic backups (the policy minimum up to the AWS maximum of 35)
    Default: 14
    MinValue: 7
    MaxValue: 35
""",
)

RETENTION_TERRAFORM = terraform_replication_group(
    "Valkey cache with a long enough backup history",
    "  # At least the policy minimum (7 days by default); AWS allows up to 35.\n"
    "  snapshot_retention_limit = 14\n",
)

FAILOVER_CFN = cfn_template(
    "Replication group with a replica and automatic failover",
    cfn_replication_group(
        "Valkey cache that promotes a replica when the primary fails",
        "      NumCacheClusters: 2\n      AutomaticFailoverEnabled: true\n",
        node_type="cache.t4g.small",
    ),
)

FAILOVER_TERRAFORM = terraform_replication_group(
    "Valkey cache that promotes a replica when the primary fails",
    "  num_cache_clusters         = 2\n  automatic_failover_enabled = true\n",
    node_type='"cache.t4g.small"',
)

MULTI_AZ_CFN = cfn_template(
    "Replication group with a replica in another Availability Zone (Multi-AZ)",
    cfn_replication_group(
        "Valkey cache that survives the loss of one Availability Zone",
        "      NumCacheClusters: 2\n"
        "      AutomaticFailoverEnabled: true\n"
        "      MultiAZEnabled: true\n",
        node_type="cache.t4g.small",
    ),
)

MULTI_AZ_TERRAFORM = terraform_replication_group(
    "Valkey cache that survives the loss of one Availability Zone",
    "  num_cache_clusters         = 2\n"
    "  automatic_failover_enabled = true\n"
    "  multi_az_enabled           = true\n",
    node_type='"cache.t4g.small"',
)

MINOR_UPGRADE_CFN = cfn_template(
    "Replication group that takes new minor engine versions automatically",
    cfn_replication_group(
        "Valkey cache patched with each minor release",
        "      PreferredMaintenanceWindow: sun:05:00-sun:06:00\n"
        "      AutoMinorVersionUpgrade: true\n",
    ),
)

MINOR_UPGRADE_TERRAFORM = terraform_replication_group(
    "Valkey cache patched with each minor release",
    '  maintenance_window         = "sun:05:00-sun:06:00"\n  auto_minor_version_upgrade = true\n',
)

# The engine is the compliant setting here, so this template is written out in full.
ENGINE_VERSION_CFN = cfn_template(
    "Replication group moved from an old Redis OSS release to a supported Valkey version",
    """\
  CacheReplicationGroup:
    Type: AWS::ElastiCache::ReplicationGroup
    Properties:
      ReplicationGroupId: !Ref ReplicationGroupId
      ReplicationGroupDescription: Cache on a supported engine version
      CacheNodeType: cache.t4g.micro
      CacheSubnetGroupName: !Ref CacheSubnetGroupName
      SecurityGroupIds:
        - !Ref CacheSecurityGroupId
      AtRestEncryptionEnabled: true
      TransitEncryptionEnabled: true
      AutoMinorVersionUpgrade: true
      # The compliant settings:
      Engine: valkey
      EngineVersion: "8.0"
      CacheParameterGroupName: default.valkey8
""",
)

ENGINE_VERSION_TERRAFORM = """\
resource "aws_elasticache_replication_group" "cache" {
  replication_group_id       = "orders-cache"
  description                = "Cache on a supported engine version"
  node_type                  = "cache.t4g.micro"
  subnet_group_name          = "private-cache-subnets"
  security_group_ids         = ["sg-0123456789abcdef0"]
  at_rest_encryption_enabled = true
  transit_encryption_enabled = true
  auto_minor_version_upgrade = true

  # The compliant settings:
  engine               = "valkey"
  engine_version       = "8.0"
  parameter_group_name = "default.valkey8"
}
"""

# AWS CLI fixes, one command per line; the catalog tests check each flag against botocore.

BACKUPS_CLI = """\
aws elasticache modify-replication-group --replication-group-id <replication-group-id> \\
  --snapshot-retention-limit 7 --snapshot-window 03:00-04:00 --apply-immediately
aws elasticache modify-cache-cluster --cache-cluster-id <cache-cluster-id> \\
  --snapshot-retention-limit 7 --snapshot-window 03:00-04:00 --apply-immediately
aws elasticache modify-serverless-cache --serverless-cache-name <serverless-cache-name> \\
  --snapshot-retention-limit 7 --daily-snapshot-time 03:00
"""

RETENTION_CLI = """\
aws elasticache modify-replication-group --replication-group-id <replication-group-id> \\
  --snapshot-retention-limit <retention-days> --apply-immediately
aws elasticache modify-cache-cluster --cache-cluster-id <cache-cluster-id> \\
  --snapshot-retention-limit <retention-days> --apply-immediately
aws elasticache modify-serverless-cache --serverless-cache-name <serverless-cache-name> \\
  --snapshot-retention-limit <retention-days>
"""

FAILOVER_CLI = """\
aws elasticache increase-replica-count --replication-group-id <replication-group-id> \\
  --new-replica-count 1 --apply-immediately
aws elasticache modify-replication-group --replication-group-id <replication-group-id> \\
  --automatic-failover-enabled --apply-immediately
"""

MULTI_AZ_CLI = """\
aws elasticache increase-replica-count --replication-group-id <replication-group-id> \\
  --new-replica-count 1 --apply-immediately
aws elasticache modify-replication-group --replication-group-id <replication-group-id> \\
  --multi-az-enabled --automatic-failover-enabled --apply-immediately
"""

MINOR_UPGRADE_CLI = """\
aws elasticache modify-replication-group --replication-group-id <replication-group-id> \\
  --auto-minor-version-upgrade --apply-immediately
aws elasticache modify-cache-cluster --cache-cluster-id <cache-cluster-id> \\
  --auto-minor-version-upgrade --apply-immediately
"""

ENGINE_VERSION_CLI = """\
aws elasticache create-snapshot --replication-group-id <replication-group-id> \\
  --snapshot-name <pre-upgrade-snapshot-name>
aws elasticache modify-replication-group --replication-group-id <replication-group-id> \\
  --engine valkey --engine-version <target-version> \\
  --cache-parameter-group-name <parameter-group-for-target-version> --apply-immediately
aws elasticache modify-cache-cluster --cache-cluster-id <cache-cluster-id> \\
  --engine-version <target-version> --apply-immediately
aws elasticache modify-serverless-cache --serverless-cache-name <serverless-cache-name> \\
  --major-engine-version <target-major-version>
"""

# CW-407: manual backups whose source cache is gone.
ORPHAN_SNAPSHOT_AUDIT = """\
aws elasticache describe-snapshots --snapshot-source manual \\
  --query "Snapshots[].[SnapshotName,ReplicationGroupId,CacheClusterId]"
aws elasticache describe-replication-groups --replication-group-id <replication-group-id> \\
  --query "ReplicationGroups[0].Status"
aws elasticache describe-serverless-cache-snapshots --snapshot-type manual \\
  --query "ServerlessCacheSnapshots[].[ServerlessCacheSnapshotName,ServerlessCacheConfiguration.ServerlessCacheName]"
"""

# Keep a copy outside ElastiCache only when the data must be retained: the S3 bucket needs
# the grants in https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/backups-exporting.html
# and export works for node-based Valkey and Redis OSS backups. Deleting a snapshot is final.
ORPHAN_SNAPSHOT_CLI = """\
aws elasticache copy-snapshot --source-snapshot-name <snapshot-name> \\
  --target-snapshot-name <snapshot-name>-export --target-bucket <s3-bucket-name>
aws elasticache delete-snapshot --snapshot-name <snapshot-name>
aws elasticache export-serverless-cache-snapshot \\
  --serverless-cache-snapshot-name <serverless-snapshot-name> --s3-bucket-name <s3-bucket-name>
aws elasticache delete-serverless-cache-snapshot \\
  --serverless-cache-snapshot-name <serverless-snapshot-name>
"""
