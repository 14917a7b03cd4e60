"""What the access family's catalog entries share: family name, doc URLs, engines,
standards, permission sets and common text. The entries themselves (with their checks
right below them) are in posture/rules/ (tokens.py, access.py and acl.py).
"""

from __future__ import annotations

from posture.base import Engine, ResourceKind

FAMILY = "authentication"
DOCS = "https://docs.aws.amazon.com/AmazonElastiCache/latest"
KEY_VALUE_ENGINES = (Engine.REDIS, Engine.VALKEY)
NODE_BASED = (ResourceKind.REPLICATION_GROUP, ResourceKind.CACHE_CLUSTER)
AUTHN_STANDARDS = (
    "NIST SP 800-53 IA-2",
    "NIST SP 800-53 AC-3",
    "PCI DSS v4.0 8.3.1",
    "HIPAA 164.312(d)",
    "SOC 2 CC6.1",
)
TOKEN_FIX_PERMISSIONS = (
    "elasticache:ModifyReplicationGroup",
    "elasticache:DescribeReplicationGroups",
)
CREATE_USERS_PERMISSIONS = (
    "elasticache:CreateUser",
    "elasticache:CreateUserGroup",
    "elasticache:DescribeUserGroups",
)
CREATE_USERS_STEPS = (
    "In the ElastiCache console, open User management and create a user named default "
    "with access off (a replacement for the built-in open default user).",
    "Create one user per application with a password (or IAM authentication) and an "
    "access string limited to its key prefix and the commands it needs.",
    "Open User group management and create a group with the same engine holding the "
    "disabled default user and the application users.",
)
