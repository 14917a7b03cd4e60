"""Hand audits, CLI and infrastructure-as-code fixes for the cost rules (CW-601..CW-609).

Cache templates reuse the replication-group builders of the resilience snippets.
Reserved-node purchases have no CloudFormation form; Terraform can buy one.
"""

from __future__ import annotations

from posture.catalog._resilience_snippets import (
    cfn_replication_group,
    cfn_template,
    terraform_replication_group,
)

CURRENT_GENERATION_CLI = """\
aws elasticache list-allowed-node-type-modifications --replication-group-id <replication-group-id>
aws elasticache modify-replication-group --replication-group-id <replication-group-id> \\
  --cache-node-type <current-generation-node-type> --apply-immediately
aws elasticache modify-cache-cluster --cache-cluster-id <cache-cluster-id> \\
  --cache-node-type <current-generation-node-type> --apply-immediately
"""

CURRENT_GENERATION_CFN = cfn_template(
    "Replication group restricted to current-generation node types",
    cfn_replication_group(
        "Valkey cache on a current-generation node type",
        "      CacheNodeType: !Ref CacheNodeType\n",
        node_type=None,
    ),
    """\
  CacheNodeType:
    Type: String
    Description: A current-generation node type (no t1, m1, m2, m3, c1 or r3)
    Default: cache.r7g.large
    AllowedValues:
      - cache.t4g.small
      - cache.t4g.medium
      - cache.m7g.large
      - cache.m7g.xlarge
      - cache.r7g.large
      - cache.r7g.xlarge
""",
)

CURRENT_GENERATION_TERRAFORM = terraform_replication_group(
    "Valkey cache on a current-generation node type",
    '  node_type = "cache.r7g.large" # replaces a previous-generation cache.r3.large\n',
    node_type=None,
)

APPROVED_TYPE_CLI = """\
aws elasticache list-allowed-node-type-modifications --replication-group-id <replication-group-id>
aws elasticache modify-replication-group --replication-group-id <replication-group-id> \\
  --cache-node-type <approved-node-type> --apply-immediately
aws elasticache modify-cache-cluster --cache-cluster-id <cache-cluster-id> \\
  --cache-node-type <approved-node-type> --apply-immediately
"""

APPROVED_TYPE_CFN = cfn_template(
    "Replication group that can only be launched on the organisation's approved node types",
    cfn_replication_group(
        "Valkey cache on an approved node type",
        "      CacheNodeType: !Ref CacheNodeType\n",
        node_type=None,
    ),
    """\
  CacheNodeType:
    Type: String
    Description: Node type from the approved list in the cachewarden policy file
    Default: cache.r7g.large
    AllowedValues:
      - cache.t4g.medium
      - cache.r7g.large
      - cache.r7g.xlarge
""",
)

APPROVED_TYPE_TERRAFORM = """\
locals {
  approved_node_types = ["cache.t4g.medium", "cache.r7g.large", "cache.r7g.xlarge"] # the policy's list
  node_type           = "cache.r7g.large"
}

""" + terraform_replication_group(
    "Valkey cache on an approved node type",
    """\
  node_type = local.node_type

  lifecycle {
    precondition {
      condition     = contains(local.approved_node_types, local.node_type)
      error_message = "The node type is not on the approved list of the cachewarden policy."
    }
  }
""",
    node_type=None,
)

NODE_COUNT_CLI = """\
aws elasticache describe-cache-clusters --query "sum(CacheClusters[].NumCacheNodes)"
aws elasticache decrease-replica-count --replication-group-id <replication-group-id> \\
  --new-replica-count <replica-count> --apply-immediately
aws elasticache modify-cache-cluster --cache-cluster-id <memcached-cluster-id> \\
  --num-cache-nodes <node-count> --cache-node-ids-to-remove <cache-node-id> --apply-immediately
aws elasticache delete-replication-group --replication-group-id <unneeded-replication-group-id> \\
  --final-snapshot-identifier <final-snapshot-name>
"""

NODE_COUNT_CFN = cfn_template(
    "Replication group whose node count is capped by a template parameter",
    cfn_replication_group(
        "Valkey cache sized within the node budget",
        "      NumCacheClusters: !Ref NodeCount\n",
    ),
    """\
  NodeCount:
    Type: Number
    Description: Nodes in the group (primary plus replicas), kept inside the regional budget
    Default: 2
    MinValue: 1
    MaxValue: 3
""",
)

NODE_COUNT_TERRAFORM = terraform_replication_group(
    "Valkey cache sized within the node budget",
    "  num_cache_clusters = 2 # primary plus one replica, inside the regional node budget\n",
)

IDLE_CLI = """\
aws elasticache delete-replication-group --replication-group-id <replication-group-id> \\
  --final-snapshot-identifier <final-snapshot-name>
aws elasticache delete-cache-cluster --cache-cluster-id <cache-cluster-id> \\
  --final-snapshot-identifier <final-snapshot-name>
aws elasticache delete-cache-cluster --cache-cluster-id <memcached-cluster-id>
"""

IDLE_CFN = cfn_template(
    "Idle replication group set to leave a final snapshot; then remove it from the template",
    cfn_replication_group(
        "Idle Valkey cache about to be removed",
        "",
        attributes=(
            "    # Deploy this first, then delete the resource from the template:\n"
            "    DeletionPolicy: Snapshot\n"
            "    UpdateReplacePolicy: Snapshot\n"
        ),
    ),
)

IDLE_TERRAFORM = terraform_replication_group(
    "Idle Valkey cache about to be removed",
    "  # Apply this first, then delete the block: the group goes, its final snapshot stays.\n"
    '  final_snapshot_identifier = "orders-cache-final"\n',
)

RESERVATION_CLI = """\
aws elasticache describe-reserved-cache-nodes-offerings --cache-node-type <cache-node-type> \\
  --product-description <engine> --offering-type "No Upfront" --duration 1
aws elasticache purchase-reserved-cache-nodes-offering \\
  --reserved-cache-nodes-offering-id <offering-id> --reserved-cache-node-id <new-reservation-id> \\
  --cache-node-count <node-count>
"""

RESERVATION_TERRAFORM = """\
data "aws_elasticache_reserved_cache_node_offering" "redis_r7g_large" {
  cache_node_type     = "cache.r7g.large"
  duration            = "P1Y"
  offering_type       = "No Upfront"
  product_description = "redis"
}

# Buying is final: AWS cannot cancel a reservation, and terraform destroy only forgets it.
resource "aws_elasticache_reserved_cache_node" "redis_r7g_large" {
  reserved_cache_nodes_offering_id = data.aws_elasticache_reserved_cache_node_offering.redis_r7g_large.offering_id
  cache_node_count                 = 2
}
"""

PAYMENT_PENDING_CLI = """\
aws elasticache describe-reserved-cache-nodes --reserved-cache-node-id <reservation-id> \\
  --query "ReservedCacheNodes[0].[State,StartTime,FixedPrice,CacheNodeCount]"
"""

PAYMENT_FAILED_CLI = PAYMENT_PENDING_CLI + RESERVATION_CLI

UNUSED_RESERVATION_CLI = """\
aws elasticache describe-cache-clusters \\
  --query "CacheClusters[?starts_with(CacheNodeType, '<reserved-node-family>')].[CacheClusterId,Engine,CacheNodeType]"
aws elasticache modify-replication-group --replication-group-id <replication-group-id> \\
  --cache-node-type <reserved-node-type> --apply-immediately
"""

UNUSED_RESERVATION_CFN = cfn_template(
    "Replication group placed on the node type an otherwise unused reservation covers",
    cfn_replication_group(
        "Valkey cache running on reserved capacity",
        "      CacheNodeType: !Ref ReservedNodeType\n",
        node_type=None,
    ),
    """\
  ReservedNodeType:
    Type: String
    Description: Node type of the reservation that has no running node
    Default: cache.r7g.large
""",
)

UNUSED_RESERVATION_TERRAFORM = terraform_replication_group(
    "Valkey cache running on reserved capacity",
    '  node_type = "cache.r7g.large" # the type of the unused reservation\n',
    node_type=None,
)

# Hand audits, one command per line.

NODE_TYPE_AUDIT = """\
aws elasticache describe-replication-groups \\
  --query "ReplicationGroups[].[ReplicationGroupId,CacheNodeType]"
aws elasticache describe-cache-clusters --query "CacheClusters[].[CacheClusterId,Engine,CacheNodeType]"
"""

RESERVATION_AUDIT = """\
aws elasticache describe-reserved-cache-nodes \\
  --query "ReservedCacheNodes[].[ReservedCacheNodeId,CacheNodeType,ProductDescription,CacheNodeCount,State,StartTime,Duration]"
"""

NODE_COUNT_AUDIT = """\
aws elasticache describe-cache-clusters --query "sum(CacheClusters[].NumCacheNodes)"
aws service-quotas list-service-quotas --service-code elasticache \\
  --query "Quotas[].[QuotaName,Value]"
"""

IDLE_AUDIT = """\
aws cloudwatch get-metric-statistics --namespace AWS/ElastiCache --metric-name CPUUtilization \\
  --dimensions Name=CacheClusterId,Value=<cache-cluster-id> Name=CacheNodeId,Value=0001 \\
  --start-time <start-time> --end-time <end-time> --period 86400 --statistics Average
aws cloudwatch get-metric-statistics --namespace AWS/ElastiCache --metric-name CurrConnections \\
  --dimensions Name=CacheClusterId,Value=<cache-cluster-id> Name=CacheNodeId,Value=0001 \\
  --start-time <start-time> --end-time <end-time> --period 86400 --statistics Maximum
"""

UNUSED_RESERVATION_AUDIT = """\
aws elasticache describe-reserved-cache-nodes \\
  --query "ReservedCacheNodes[?State=='active'].[ReservedCacheNodeId,CacheNodeType,ProductDescription,CacheNodeCount]"
aws elasticache describe-cache-clusters --query "CacheClusters[].[CacheClusterId,Engine,CacheNodeType]"
"""
