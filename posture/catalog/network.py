"""What the network family's catalog entries share: family name, doc URLs, engines,
standards, permission sets and common text. The entries themselves (with their checks
right below them) are in posture/rules/ (network.py and ingress.py).
"""

from __future__ import annotations

from posture.base import Engine, ResourceKind

FAMILY = "network"
DOCS = "https://docs.aws.amazon.com/AmazonElastiCache/latest"
VPC_DOCS = "https://docs.aws.amazon.com/vpc/latest/userguide"
ALL_ENGINES = (Engine.REDIS, Engine.VALKEY, Engine.MEMCACHED)
NODE_BASED = (ResourceKind.REPLICATION_GROUP, ResourceKind.CACHE_CLUSTER)
EVERY_CACHE = (*NODE_BASED, ResourceKind.SERVERLESS_CACHE)
BOUNDARY_STANDARDS = (
    "NIST SP 800-53 SC-7",
    "PCI DSS v4.0 1.3.1",
    "SOC 2 CC6.6",
)
REBUILD_PERMISSIONS = (
    "elasticache:CreateCacheSubnetGroup",
    "elasticache:CreateSnapshot",
    "elasticache:DescribeSnapshots",
    "elasticache:CreateReplicationGroup",
    "elasticache:DescribeReplicationGroups",
    "elasticache:DeleteReplicationGroup",
    "elasticache:DeleteCacheCluster",
    # Read every setting of the source, tag the copy, read its AUTH token (rebuild text).
    "elasticache:DescribeCacheClusters",
    "elasticache:ListTagsForResource",
    "elasticache:AddTagsToResource",
    "secretsmanager:GetSecretValue",
)
SG_FIX_PERMISSIONS = (
    "ec2:AuthorizeSecurityGroupIngress",
    "ec2:RevokeSecurityGroupIngress",
    "ec2:DescribeSecurityGroupRules",
)
SG_EVAL_PERMISSIONS = (
    "elasticache:DescribeReplicationGroups",
    "elasticache:DescribeCacheClusters",
    "elasticache:DescribeServerlessCaches",
    "ec2:DescribeSecurityGroups",
    # Prefix lists named as sources, and the VPC blocks CW-305 trusts by default.
    "ec2:DescribeManagedPrefixLists",
    "ec2:GetManagedPrefixListEntries",
    "ec2:DescribeVpcs",
)
MOVE_STEPS = (
    "The subnet group of a node-based cache cannot be changed: plan a rebuild and a "
    "client cut-over window.",
    "Under Subnet groups in the ElastiCache console, create a group from private "
    "subnets of the application VPC in at least two Availability Zones.",
    "Back the cache up (Actions, then Backup), restore the backup into a new cache that "
    "uses the new subnet group and repeats every other setting of the old one (engine "
    "version, node type and shards, parameter group, security groups, port, failover, "
    "Multi-AZ, encryption, AUTH token or user group, windows, logs, notifications, tags), "
    "and wait until available.",
    "Point clients at the new cache's endpoint names, then delete the old cache with a "
    "final backup. "
    "Memcached has no backups: create the new cluster empty and let it warm up.",
)
MOVE_BACKOUT = (
    "The old cache keeps running until you delete it, so roll back by pointing clients "
    "at its endpoint again. After deletion, restore its final snapshot into a new cache."
)
