"""Long CLI, CloudFormation and Terraform texts of the encryption rules (CW-101..CW-105).

Kept apart from `encryption.py` so the rule entries stay readable. Every `aws` line names
a real botocore operation and parameters; every template passes cfn-lint.
"""

from __future__ import annotations

from posture.catalog._rebuild_snippets import create_copy, rebuild_cli

# --- CW-101 / CW-102: encryption in transit -------------------------------------------

TRANSIT_AUDIT = """\
aws elasticache describe-replication-groups \\
    --replication-group-id <replication-group-id> \\
    --query "ReplicationGroups[0].[TransitEncryptionEnabled,TransitEncryptionMode]"
aws elasticache describe-cache-clusters \\
    --cache-cluster-id <cache-cluster-id> \\
    --query "CacheClusters[0].[Engine,EngineVersion,ReplicationGroupId,TransitEncryptionEnabled]"
"""

_TLS_ENGINE_DOC = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/in-transit-encryption-enable-python.html"
_TLS_DNS_DOC = (
    "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/enable-python-best-practices.html"
)
_SHOW_ENDPOINTS = """\
aws elasticache describe-replication-groups \\
    --replication-group-id <replication-group-id> \\
    --query "ReplicationGroups[0].[Status,TransitEncryptionEnabled,TransitEncryptionMode,ConfigurationEndpoint,NodeGroups[].[PrimaryEndpoint,ReaderEndpoint]]"
"""

TRANSIT_ON_CLI = f"""\
aws elasticache describe-cache-clusters \\
    --cache-cluster-id <member-cluster-id> \\
    --query "CacheClusters[0].[Engine,EngineVersion]"
# In place only on Redis OSS 7.0+ and Valkey 7.2+; older engines: upgrade first, or rebuild a
# copy with TLS and every other setting (cachewarden posts that runbook). {_TLS_ENGINE_DOC}
aws elasticache modify-replication-group \\
    --replication-group-id <replication-group-id> \\
    --transit-encryption-enabled \\
    --transit-encryption-mode preferred \\
    --apply-immediately
# TLS gets new endpoint DNS names (primary and reader, or the configuration endpoint when
# cluster mode is enabled). Plaintext clients keep the old names until `required` (CW-102)
# deletes them; per-node names change already now. Move every client to the names printed
# here. {_TLS_DNS_DOC}
{_SHOW_ENDPOINTS}"""

TRANSIT_REQUIRED_CLI = f"""\
{_SHOW_ENDPOINTS}\
# `required` deletes the old non-TLS endpoint names: every client must already use TLS and
# the names printed above. {_TLS_DNS_DOC}
aws elasticache modify-replication-group \\
    --replication-group-id <replication-group-id> \\
    --transit-encryption-enabled \\
    --transit-encryption-mode required \\
    --apply-immediately
"""


def _transit_template(mode: str, note: str) -> str:
    """The same replication group template, differing only in the transit mode."""
    return f"""\
AWSTemplateFormatVersion: "2010-09-09"
Description: Valkey replication group that encrypts client and replication traffic with TLS
Parameters:
  CacheSubnetGroupName:
    Type: String
    Description: Existing cache subnet group made of private subnets
  CacheSecurityGroupId:
    Type: AWS::EC2::SecurityGroup::Id
    Description: Security group that admits the cache port from the application tier only
Resources:
  ReplicationGroup:
    Type: AWS::ElastiCache::ReplicationGroup
    Properties:
      ReplicationGroupDescription: Cache with encryption in transit
      Engine: valkey
      EngineVersion: "7.2"
      CacheNodeType: cache.t4g.micro
      NumCacheClusters: 2
      AutomaticFailoverEnabled: true
      MultiAZEnabled: true
      CacheSubnetGroupName: !Ref CacheSubnetGroupName
      SecurityGroupIds:
        - !Ref CacheSecurityGroupId
      # Only the TLS settings change here: AtRestEncryptionEnabled cannot change on an
      # existing group, so it is left as the group was created. TLS on an existing group
      # needs Redis OSS 7.0+ or Valkey 7.2+ and gives it new endpoint names.
      TransitEncryptionEnabled: true
      # {note}
      TransitEncryptionMode: {mode}
"""


TRANSIT_ON_CFN = _transit_template(
    "preferred",
    "An existing group goes through preferred first; require TLS later (CW-102).",
)
TRANSIT_REQUIRED_CFN = _transit_template(
    "required",
    "Set only after every client connects with TLS; plaintext clients are refused.",
)


def _transit_terraform(mode: str, note: str) -> str:
    return f"""\
resource "aws_elasticache_replication_group" "example" {{
  replication_group_id       = "example-cache"
  description                = "Cache with encryption in transit"
  engine                     = "valkey"
  engine_version             = "7.2"
  node_type                  = "cache.t4g.micro"
  num_cache_clusters         = 2
  automatic_failover_enabled = true
  multi_az_enabled           = true
  subnet_group_name          = "example-private-subnets"
  security_group_ids         = ["sg-0123456789abcdef0"]
  # at_rest_encryption_enabled is deliberately not set here: it forces a new group, so keep
  # whatever your configuration already says. Changing transit_encryption_enabled on an
  # engine_version below 7.0.5 also forces replacement (a new group with new endpoints):
  # https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/elasticache_replication_group#transit_encryption_enabled
  # In place, TLS gives the group new endpoint names; clients must move to them:
  # {_TLS_DNS_DOC}
  transit_encryption_enabled = true
  # {note}
  transit_encryption_mode = "{mode}"
  apply_immediately       = true
}}
"""


TRANSIT_ON_TERRAFORM = _transit_terraform(
    "preferred", "Existing groups apply preferred first, then required (CW-102)."
)
TRANSIT_REQUIRED_TERRAFORM = _transit_terraform(
    "required", "Apply only after every client connects with TLS."
)

# --- CW-103 / CW-104: encryption at rest ---------------------------------------------

AT_REST_AUDIT = """\
aws elasticache describe-replication-groups \\
    --replication-group-id <replication-group-id> \\
    --query "ReplicationGroups[0].[AtRestEncryptionEnabled,StorageEncryptionType,KmsKeyId]"
aws elasticache describe-serverless-caches \\
    --serverless-cache-name <serverless-cache-name> \\
    --query "ServerlessCaches[0].[StorageEncryptionType,KmsKeyId]"
"""

_DELETE_GROUP = """\
aws elasticache delete-replication-group \\
    --replication-group-id <replication-group-id> \\
    --final-snapshot-identifier <final-snapshot-name>
"""

# At-rest encryption is fixed when a group is created: the copy turns it on and keeps the rest.
AT_REST_CLI = rebuild_cli(
    "--replication-group-id <replication-group-id>",
    create_copy("Encrypted rebuild of <replication-group-id>"),
    _DELETE_GROUP,
)

AT_REST_CFN = """\
AWSTemplateFormatVersion: "2010-09-09"
Description: Valkey replication group whose data, swap and backups are encrypted at rest
Parameters:
  CacheSubnetGroupName:
    Type: String
    Description: Existing cache subnet group made of private subnets
  CacheSecurityGroupId:
    Type: AWS::EC2::SecurityGroup::Id
    Description: Security group that admits the cache port from the application tier only
  SourceSnapshotName:
    Type: String
    Description: Snapshot of the unencrypted group to seed the new one (empty for none)
    Default: ""
Conditions:
  RestoreFromSnapshot: !Not [!Equals [!Ref SourceSnapshotName, ""]]
Resources:
  ReplicationGroup:
    Type: AWS::ElastiCache::ReplicationGroup
    Properties:
      ReplicationGroupDescription: Cache encrypted at rest
      Engine: valkey
      EngineVersion: "7.2"
      CacheNodeType: cache.t4g.micro
      NumCacheClusters: 2
      AutomaticFailoverEnabled: true
      CacheSubnetGroupName: !Ref CacheSubnetGroupName
      SecurityGroupIds:
        - !Ref CacheSecurityGroupId
      SnapshotName: !If [RestoreFromSnapshot, !Ref SourceSnapshotName, !Ref "AWS::NoValue"]
      # Fixed at creation: changing it replaces the group.
      AtRestEncryptionEnabled: true
      TransitEncryptionEnabled: true
"""

AT_REST_TERRAFORM = """\
resource "aws_elasticache_replication_group" "encrypted" {
  replication_group_id       = "example-cache-encrypted"
  description                = "Cache encrypted at rest"
  engine                     = "valkey"
  engine_version             = "7.2"
  node_type                  = "cache.t4g.micro"
  num_cache_clusters         = 2
  automatic_failover_enabled = true
  subnet_group_name          = "example-private-subnets"
  security_group_ids         = ["sg-0123456789abcdef0"]
  snapshot_name              = "example-cache-before-encryption"
  # Fixed at creation: changing it forces a new replication group.
  at_rest_encryption_enabled = true
  transit_encryption_enabled = true
}
"""

CMK_AUDIT = """\
aws elasticache describe-replication-groups \\
    --replication-group-id <replication-group-id> \\
    --query "ReplicationGroups[0].[StorageEncryptionType,KmsKeyId]"
aws elasticache describe-serverless-caches \\
    --serverless-cache-name <serverless-cache-name> \\
    --query "ServerlessCaches[0].KmsKeyId"
aws kms describe-key \\
    --key-id <kms-key-arn> \\
    --query "KeyMetadata.[KeyManager,KeyState]"
"""

CMK_CLI = """\
aws kms create-key \\
    --description "ElastiCache data at rest" \\
    --key-usage ENCRYPT_DECRYPT
aws kms enable-key-rotation --key-id <kms-key-arn>
""" + rebuild_cli(
    "--replication-group-id <replication-group-id>",
    create_copy("Rebuild of <replication-group-id> under a customer key", key="<kms-key-arn>"),
    _DELETE_GROUP,
)

_KMS_KEY_RESOURCE = """\
  CacheKey:
    Type: AWS::KMS::Key
    Properties:
      Description: Customer-managed key for ElastiCache data at rest and backups
      EnableKeyRotation: true
      KeyPolicy:
        Version: "2012-10-17"
        Statement:
          - Sid: AccountAdministersKeyThroughIam
            Effect: Allow
            Principal:
              AWS: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"
            Action: "kms:*"
            Resource: "*"
"""

CMK_CFN = f"""\
AWSTemplateFormatVersion: "2010-09-09"
Description: Valkey replication group encrypted at rest with a customer-managed KMS key
Parameters:
  CacheSubnetGroupName:
    Type: String
    Description: Existing cache subnet group made of private subnets
  CacheSecurityGroupId:
    Type: AWS::EC2::SecurityGroup::Id
    Description: Security group that admits the cache port from the application tier only
Resources:
{_KMS_KEY_RESOURCE}\
  ReplicationGroup:
    Type: AWS::ElastiCache::ReplicationGroup
    Properties:
      ReplicationGroupDescription: Cache encrypted with a customer-managed key
      Engine: valkey
      EngineVersion: "7.2"
      CacheNodeType: cache.t4g.micro
      NumCacheClusters: 2
      AutomaticFailoverEnabled: true
      CacheSubnetGroupName: !Ref CacheSubnetGroupName
      SecurityGroupIds:
        - !Ref CacheSecurityGroupId
      TransitEncryptionEnabled: true
      AtRestEncryptionEnabled: true
      # Fixed at creation: changing the key replaces the group.
      KmsKeyId: !GetAtt CacheKey.Arn
"""

_KMS_KEY_TERRAFORM = """\
resource "aws_kms_key" "cache" {
  description         = "Customer-managed key for ElastiCache data at rest and backups"
  enable_key_rotation = true
}
"""

CMK_TERRAFORM = f"""\
{_KMS_KEY_TERRAFORM}
resource "aws_elasticache_replication_group" "example" {{
  replication_group_id       = "example-cache-cmk"
  description                = "Cache encrypted with a customer-managed key"
  engine                     = "valkey"
  engine_version             = "7.2"
  node_type                  = "cache.t4g.micro"
  num_cache_clusters         = 2
  automatic_failover_enabled = true
  subnet_group_name          = "example-private-subnets"
  security_group_ids         = ["sg-0123456789abcdef0"]
  transit_encryption_enabled = true
  at_rest_encryption_enabled = true
  # Fixed at creation: changing the key forces a new replication group.
  kms_key_id = aws_kms_key.cache.arn
}}
"""

# --- CW-105: snapshots under a customer-managed key ------------------------------------

SNAPSHOT_AUDIT = """\
aws elasticache describe-snapshots \\
    --query "Snapshots[].[SnapshotName,SnapshotSource,KmsKeyId]"
aws elasticache describe-serverless-cache-snapshots \\
    --query "ServerlessCacheSnapshots[].[ServerlessCacheSnapshotName,SnapshotType,KmsKeyId]"
aws kms describe-key \\
    --key-id <kms-key-arn> \\
    --query "KeyMetadata.[KeyManager,KeyState]"
"""

SNAPSHOT_CLI = """\
aws elasticache copy-snapshot \\
    --source-snapshot-name <snapshot-name> \\
    --target-snapshot-name <snapshot-name>-cmk \\
    --kms-key-id <kms-key-arn>
aws elasticache describe-snapshots \\
    --snapshot-name <snapshot-name>-cmk \\
    --query "Snapshots[0].[SnapshotStatus,KmsKeyId]"
aws elasticache delete-snapshot --snapshot-name <snapshot-name>
aws elasticache copy-serverless-cache-snapshot \\
    --source-serverless-cache-snapshot-name <serverless-snapshot-name> \\
    --target-serverless-cache-snapshot-name <serverless-snapshot-name>-cmk \\
    --kms-key-id <kms-key-arn>
aws elasticache delete-serverless-cache-snapshot \\
    --serverless-cache-snapshot-name <serverless-snapshot-name>
"""

SNAPSHOT_CFN = f"""\
AWSTemplateFormatVersion: "2010-09-09"
Description: >-
  Valkey serverless cache whose automatic snapshots are encrypted with a customer-managed
  KMS key (node-based groups inherit the key the same way through KmsKeyId)
Parameters:
  SubnetIds:
    Type: List<AWS::EC2::Subnet::Id>
    Description: Private subnets for the cache endpoint
  CacheSecurityGroupId:
    Type: AWS::EC2::SecurityGroup::Id
    Description: Security group that admits the cache port from the application tier only
Resources:
{_KMS_KEY_RESOURCE}\
  ServerlessCache:
    Type: AWS::ElastiCache::ServerlessCache
    Properties:
      ServerlessCacheName: example-cache
      Engine: valkey
      MajorEngineVersion: "8"
      SubnetIds: !Ref SubnetIds
      SecurityGroupIds:
        - !Ref CacheSecurityGroupId
      # Data and every snapshot taken from this cache use the customer key.
      KmsKeyId: !GetAtt CacheKey.Arn
      SnapshotRetentionLimit: 7
      DailySnapshotTime: "03:00"
"""

SNAPSHOT_TERRAFORM = f"""\
{_KMS_KEY_TERRAFORM}
resource "aws_elasticache_serverless_cache" "example" {{
  name                     = "example-cache"
  engine                   = "valkey"
  major_engine_version     = "8"
  subnet_ids               = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
  security_group_ids       = ["sg-0123456789abcdef0"]
  snapshot_retention_limit = 7
  daily_snapshot_time      = "03:00"
  # Data and every snapshot taken from this cache use the customer key.
  kms_key_id = aws_kms_key.cache.arn
}}
"""
