"""What the encryption family's catalog entries share: family name, doc URLs, engines,
standards, permission sets and common text. The entries themselves (with their checks
right below them) are in posture/rules/ (encryption.py and at_rest.py).
"""

from __future__ import annotations

from posture.base import Engine

FAMILY = "encryption"
DOCS = "https://docs.aws.amazon.com/AmazonElastiCache/latest"
ALL_ENGINES = (Engine.REDIS, Engine.VALKEY, Engine.MEMCACHED)
REBUILD_RG = (
    "elasticache:CreateSnapshot",
    "elasticache:DescribeSnapshots",
    "elasticache:CreateReplicationGroup",
    "elasticache:DescribeReplicationGroups",
    "elasticache:DeleteReplicationGroup",
    # Read every setting of the source, tag the copy, read its AUTH token (rebuild text).
    "elasticache:DescribeCacheClusters",
    "elasticache:ListTagsForResource",
    "elasticache:AddTagsToResource",
    "secretsmanager:GetSecretValue",
)
TRANSIT_STANDARDS = (
    "PCI DSS v4.0 4.2.1",
    "HIPAA 164.312(e)(1)",
    "HIPAA 164.312(e)(2)(ii)",
    "NIST SP 800-53 SC-8",
    "NIST SP 800-53 SC-8(1)",
    "GDPR Art. 32",
    "SOC 2 CC6.7",
)
