"""Every AWS call the remediation role may make, declared once. Pure.

Two readers: the runtime guard (`workers.aws.apply` checks each fix call against its rule's
writes, and remediation sessions refuse any call outside `remediation_calls()`), and
`cachewarden iam-policy remediation`, which grants exactly these calls as IAM actions. A
fixer that starts making a new call must be added here, or the guard refuses it.

Calls are (botocore service id, hyphenated as botocore's events name it, API operation);
`iam_action` turns one into its IAM action.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

Call = tuple[str, str]

_MODIFY_GROUP: Call = ("elasticache", "ModifyReplicationGroup")
_MODIFY_CLUSTER: Call = ("elasticache", "ModifyCacheCluster")
_MODIFY_SERVERLESS: Call = ("elasticache", "ModifyServerlessCache")
_REVOKE_INGRESS: Call = ("ec2", "RevokeSecurityGroupIngress")

# The writes of each in-place fixer (posture.remediation.planner.IN_PLACE_PLANNERS), by rule.
FIX_WRITES: Mapping[str, frozenset[Call]] = MappingProxyType(
    {
        "CW-101": frozenset({_MODIFY_GROUP}),  # TransitEncryptionMode=preferred
        "CW-102": frozenset({_MODIFY_GROUP}),  # TransitEncryptionMode=required
        "CW-202": frozenset({_MODIFY_GROUP}),  # UserGroupIdsToAdd
        "CW-304": frozenset({_REVOKE_INGRESS}),  # only the world-open part of a rule
        "CW-401": frozenset({_MODIFY_GROUP, _MODIFY_CLUSTER, _MODIFY_SERVERLESS}),
        "CW-402": frozenset({_MODIFY_GROUP, _MODIFY_CLUSTER, _MODIFY_SERVERLESS}),
        "CW-403": frozenset({_MODIFY_GROUP}),  # AutomaticFailoverEnabled
        "CW-404": frozenset({_MODIFY_GROUP}),  # MultiAZEnabled
        "CW-405": frozenset({_MODIFY_GROUP, _MODIFY_CLUSTER}),
    }
)

# The writes of each token-rotation step (workers.rotation.steps and rotation_users).
ROTATION_WRITES: Mapping[str, frozenset[Call]] = MappingProxyType(
    {
        "store the new credential as AWSPENDING": frozenset(
            {
                ("secrets-manager", "CreateSecret"),
                ("secrets-manager", "PutSecretValue"),
                ("secrets-manager", "UpdateSecretVersionStage"),
            }
        ),
        "send the AUTH token (ROTATE, then SET)": frozenset({_MODIFY_GROUP}),
        "send a standalone cluster's AUTH token (ROTATE, then SET)": frozenset({_MODIFY_CLUSTER}),
        "set RBAC user passwords": frozenset({("elasticache", "ModifyUser")}),
        "promote or deprecate a secret version": frozenset(
            {("secrets-manager", "UpdateSecretVersionStage")}
        ),
    }
)

# The writes of an approved rebuild (workers.rebuilds.steps): snapshot the source, restore the
# fixed copy from it, delete the source after a second approval (with a final snapshot), or
# delete only what the migration made on cancel.
# Standalone Redis OSS / Valkey clusters: CreateSnapshot(CacheClusterId), a one-node group,
# DeleteCacheCluster(FinalSnapshotIdentifier). Serverless caches: their own snapshot, create
# (SnapshotArnsToRestore) and delete (FinalSnapshotName) calls.
# https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateServerlessCache.html
REBUILD_WRITES: frozenset[Call] = frozenset(
    {
        ("elasticache", "CreateSnapshot"),
        ("elasticache", "CreateReplicationGroup"),
        ("elasticache", "DeleteReplicationGroup"),
        ("elasticache", "DeleteSnapshot"),
        ("elasticache", "DeleteCacheCluster"),
        ("elasticache", "CreateServerlessCacheSnapshot"),
        ("elasticache", "CreateServerlessCache"),
        ("elasticache", "DeleteServerlessCache"),
        ("elasticache", "DeleteServerlessCacheSnapshot"),
    }
)
# What a rebuild reads beyond a fix's reads: the copy's tags (to find what it made) and the
# AUTH token it passes to the copy (never stored elsewhere).
REBUILD_READS: frozenset[Call] = frozenset(
    {
        ("elasticache", "ListTagsForResource"),
        ("secrets-manager", "GetSecretValue"),
    }
)

# What a fix reads: the resource and what its rules read, narrowed to that resource
# (workers.fixes.reads.read_for_fix, without the account-wide facts), and its status.
FIX_READS: frozenset[Call] = frozenset(
    {
        ("elasticache", "DescribeReplicationGroups"),
        ("elasticache", "DescribeCacheClusters"),
        ("elasticache", "DescribeServerlessCaches"),
        ("elasticache", "DescribeServerlessCacheSnapshots"),
        ("elasticache", "DescribeUserGroups"),
        ("elasticache", "DescribeUsers"),
        ("elasticache", "DescribeCacheSubnetGroups"),
        ("elasticache", "DescribeSnapshots"),
        ("ec2", "DescribeSecurityGroups"),
        ("ec2", "DescribeSubnets"),
        ("ec2", "DescribeRouteTables"),
        ("ec2", "DescribeVpcs"),  # CW-305/CW-307: the cache's own VPC blocks, default VPC
        ("ec2", "DescribeManagedPrefixLists"),  # CW-304/CW-305: prefix lists used as sources
        ("ec2", "GetManagedPrefixListEntries"),
        ("kms", "DescribeKey"),  # only for a cache or snapshot encrypted with a customer key
        ("cloudwatch", "GetMetricData"),
        ("resource-groups-tagging-api", "GetResources"),
    }
)

# What a rotation reads: the group or its users, and the secrets that hold the credentials.
ROTATION_READS: frozenset[Call] = frozenset(
    {
        ("elasticache", "DescribeReplicationGroups"),
        ("elasticache", "DescribeUserGroups"),
        ("elasticache", "DescribeUsers"),
        # a name that is not a replication group: say what it is and why nothing rotates
        ("elasticache", "DescribeCacheClusters"),
        ("elasticache", "DescribeServerlessCaches"),
        ("secrets-manager", "DescribeSecret"),
        ("secrets-manager", "GetSecretValue"),
        # scheduled rotation: the age of each credential's AWSCURRENT version
        ("secrets-manager", "ListSecretVersionIds"),
    }
)

# IAM actions a call needs beyond its own: CreateSecret with Tags also needs TagResource.
# https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html
IMPLIED_ACTIONS: Mapping[Call, tuple[str, ...]] = MappingProxyType(
    {
        ("secrets-manager", "CreateSecret"): ("secretsmanager:TagResource",),
        # Tags passed at create time need the tagging permission too.
        # https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/IAM.ResourceLevelPermissions.html
        ("elasticache", "CreateReplicationGroup"): ("elasticache:AddTagsToResource",),
        ("elasticache", "CreateSnapshot"): ("elasticache:AddTagsToResource",),
        ("elasticache", "CreateServerlessCache"): ("elasticache:AddTagsToResource",),
        ("elasticache", "CreateServerlessCacheSnapshot"): ("elasticache:AddTagsToResource",),
    }
)
# botocore service ids whose IAM prefix differs from the id.
_IAM_PREFIX = {"resource-groups-tagging-api": "tag", "secrets-manager": "secretsmanager"}


def iam_action(call: Call) -> str:
    service, operation = call
    return f"{_IAM_PREFIX.get(service, service)}:{operation}"


def _union(groups: Iterable[frozenset[Call]]) -> frozenset[Call]:
    return frozenset().union(*groups)


def fix_writes() -> frozenset[Call]:
    return _union(FIX_WRITES.values())


def rotation_writes() -> frozenset[Call]:
    return _union(ROTATION_WRITES.values())


def remediation_writes() -> frozenset[Call]:
    return fix_writes() | rotation_writes() | REBUILD_WRITES


def remediation_calls() -> frozenset[Call]:
    """Every call a session of the remediation role may make: the writes and the reads."""
    return remediation_writes() | FIX_READS | ROTATION_READS | REBUILD_READS


def iam_actions(calls: Iterable[Call]) -> set[str]:
    actions: set[str] = set()
    for call in calls:
        actions.add(iam_action(call))
        actions.update(IMPLIED_ACTIONS.get(call, ()))
    return actions
