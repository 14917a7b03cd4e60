"""Rules of the encryption family: CW-101..CW-105 (in transit, at rest, customer keys)."""

from __future__ import annotations

from posture.base import Engine, ResourceKind, Severity
from posture.catalog import _encryption_snippets as snip
from posture.catalog.model import FixKind, Framework, Remediation, Rule, RuleCategory

FAMILY = "encryption"
_DOCS = "https://docs.aws.amazon.com/AmazonElastiCache/latest"
_ALL_ENGINES = (Engine.REDIS, Engine.VALKEY, Engine.MEMCACHED)
_REBUILD_RG = (
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
_TRANSIT_STANDARDS = (
    "PCI DSS v4.0 4.2.1",
    "HIPAA 164.312(e)(1)",
    "HIPAA 164.312(e)(2)(ii)",
    "NIST SP 800-53 SC-8",
    "NIST SP 800-53 SC-8(1)",
    "GDPR Art. 32",
    "SOC 2 CC6.7",
)

CW_101 = Rule(
    id="CW-101",
    title="Caches encrypt traffic in transit",
    severity=Severity.HIGH,
    category=RuleCategory.SECURITY,
    failure="In-transit encryption is off: clients connect in plaintext",
    family=FAMILY,
    resource_kinds=(
        ResourceKind.REPLICATION_GROUP,
        ResourceKind.CACHE_CLUSTER,
        ResourceKind.SERVERLESS_CACHE,
    ),
    engines=_ALL_ENGINES,
    rationale=(
        "Without TLS, every command and reply crosses the network in clear text: cached "
        "sessions, tokens and personal data, and the AUTH password itself. Anyone who can "
        "observe traffic inside the VPC (a compromised instance, a mirrored interface, a "
        "misrouted peering link) can read or replay it. Serverless caches always use TLS; "
        "node-based groups and Memcached 1.6.12+ clusters only do when it is turned on."
    ),
    audit=snip.TRANSIT_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.IN_PLACE,
        cli=snip.TRANSIT_ON_CLI,
        cloudformation=snip.TRANSIT_ON_CFN,
        terraform=snip.TRANSIT_ON_TERRAFORM,
        console=(
            "Check the engine version first: AWS turns TLS on in place only on Redis OSS 7.0 "
            "or later and Valkey 7.2 or later; upgrade older groups first or rebuild them.",
            "Open the ElastiCache console and choose Valkey caches or Redis OSS caches.",
            "Select the cache, choose Actions, then Modify.",
            "Under Security, turn on encryption in transit with the transit encryption "
            "mode set to Preferred, so existing plaintext clients keep working.",
            "Choose to apply the change immediately, review it and confirm; wait for the "
            "status to return to available.",
            "Read the new TLS endpoint names on the cache's details page (primary and reader "
            "endpoints, or the configuration endpoint in cluster mode): the old names stop "
            "working once TLS is required.",
            "Move every client to TLS and to the new endpoint names, then require TLS (CW-102).",
            "If the engine version rejects the change, or the cache is a standalone "
            "cluster (Memcached or single-node), create a new cache with encryption in "
            "transit and all the old cache's settings (from a snapshot where the engine "
            "supports one) and move clients to its endpoints.",
        ),
        permissions=(
            "elasticache:ModifyReplicationGroup",
            "elasticache:DescribeReplicationGroups",
        ),
    ),
    backout=(
        "While the mode is still preferred, plaintext and TLS clients both work, so nothing "
        "breaks. To undo, make sure the mode is preferred and modify the group with "
        "--no-transit-encryption-enabled and --apply-immediately; clients that were moved "
        "to TLS or to the new endpoint names must be switched back first. A rebuilt cache "
        "is undone by pointing clients at the old cache, which stays until you delete it."
    ),
    compliance=_TRANSIT_STANDARDS,
    permissions=(
        "elasticache:DescribeReplicationGroups",
        "elasticache:DescribeCacheClusters",
        "elasticache:DescribeServerlessCaches",
    ),
    references=(
        f"{_DOCS}/dg/in-transit-encryption.html",
        f"{_DOCS}/APIReference/API_ModifyReplicationGroup.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/elasticache-controls.html",
    ),
    aliases={
        Framework.SECURITY_HUB: ("ElastiCache.5",),
        Framework.PROWLER: ("elasticache_redis_cluster_in_transit_encryption_enabled",),
        Framework.CLOUDSPLOIT: ("redisClusterEncryptionInTransit",),
        Framework.STEAMPIPE: ("elasticache_replication_group_encryption_in_transit_enabled",),
        Framework.CHECKOV: ("CKV_AWS_30",),
        Framework.AWS_CONFIG: ("elasticache-repl-grp-encrypted-in-transit",),
    },
)

CW_102 = Rule(
    id="CW-102",
    title="Caches refuse clients that do not use TLS",
    severity=Severity.MEDIUM,
    category=RuleCategory.SECURITY,
    failure="TLS is optional: the cache still accepts plaintext clients",
    family=FAMILY,
    # Serverless caches are listed too: they always require TLS, so they pass.
    resource_kinds=(
        ResourceKind.REPLICATION_GROUP,
        ResourceKind.CACHE_CLUSTER,
        ResourceKind.SERVERLESS_CACHE,
    ),
    engines=(Engine.REDIS, Engine.VALKEY),
    rationale=(
        "In the preferred mode the cache accepts TLS but still answers plaintext "
        "connections, so one forgotten or misconfigured client keeps sending data and "
        "credentials in clear text. An attacker inside the network can also simply connect "
        "without TLS. Only the required mode guarantees that every connection is encrypted."
    ),
    audit=snip.TRANSIT_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.IN_PLACE,
        cli=snip.TRANSIT_REQUIRED_CLI,
        cloudformation=snip.TRANSIT_REQUIRED_CFN,
        terraform=snip.TRANSIT_REQUIRED_TERRAFORM,
        console=(
            "Confirm from each application's connection settings that it connects with "
            "TLS and to the TLS endpoint names shown on the cache's details page; plaintext "
            "clients are disconnected and the old non-TLS endpoint names are deleted by the "
            "next step.",
            "Open the ElastiCache console and choose Valkey caches or Redis OSS caches.",
            "Select the cache, choose Actions, then Modify.",
            "Under Security, set the transit encryption mode to Required.",
            "Choose to apply the change immediately, review it and confirm.",
        ),
        permissions=(
            "elasticache:ModifyReplicationGroup",
            "elasticache:DescribeReplicationGroups",
        ),
    ),
    backout=(
        "Modify the group with --transit-encryption-mode preferred and --apply-immediately; "
        "plaintext clients can connect again once the group is available, through the "
        "endpoint names describe-replication-groups reports then (do not count on the "
        "deleted non-TLS names). Use this only to restore service while the remaining "
        "clients are moved to TLS."
    ),
    compliance=_TRANSIT_STANDARDS,
    permissions=(
        "elasticache:DescribeReplicationGroups",
        "elasticache:DescribeCacheClusters",
    ),
    references=(
        f"{_DOCS}/dg/in-transit-encryption.html",
        f"{_DOCS}/APIReference/API_ModifyReplicationGroup.html",
    ),
)

CW_103 = Rule(
    id="CW-103",
    title="Cache data and backups are encrypted at rest",
    severity=Severity.HIGH,
    category=RuleCategory.SECURITY,
    failure="Cache data and backups are not encrypted at rest",
    family=FAMILY,
    resource_kinds=(
        ResourceKind.REPLICATION_GROUP,
        ResourceKind.CACHE_CLUSTER,
        ResourceKind.SERVERLESS_CACHE,
    ),
    engines=_ALL_ENGINES,
    rationale=(
        "A node writes its data to disk during synchronisation, swap and backup, and "
        "backups are kept in Amazon S3 and can be copied out of the account. Unencrypted, "
        "those copies expose the whole dataset to anyone who obtains the media or the "
        "export. Serverless caches are always encrypted; node-based Memcached cannot be, "
        "so it is reported as not applicable."
    ),
    audit=snip.AT_REST_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.REBUILD,
        cli=snip.AT_REST_CLI,
        cloudformation=snip.AT_REST_CFN,
        terraform=snip.AT_REST_TERRAFORM,
        console=(
            "At-rest encryption cannot be turned on for an existing group: plan a rebuild "
            "and a client cut-over window.",
            "In the ElastiCache console, select the cache and choose Actions, then Backup, "
            "and wait until the backup is available.",
            "Under Backups, select it and choose Restore; turn on encryption at rest (and "
            "in transit) and repeat every other setting of the old cache: engine version, "
            "node type and shard layout, parameter group, subnet and security groups, port, "
            "failover and Multi-AZ, AUTH token or user group, backup and maintenance windows, "
            "log delivery, notifications and tags.",
            "Point clients at the new cache's endpoint names and watch errors and hit rate.",
            "Delete the old cache with a final backup once nothing connects to it.",
            "For node-based Memcached, move to a serverless Memcached cache, which is "
            "always encrypted, or accept the finding as not applicable.",
        ),
        permissions=_REBUILD_RG,
    ),
    backout=(
        "This is a one-way change: encryption at rest cannot be switched off on the new "
        "group. Until the old group is deleted, roll back by pointing clients at its "
        "endpoint again; after deletion, restore its final snapshot into a new group."
    ),
    compliance=(
        "PCI DSS v4.0 3.5.1",
        "HIPAA 164.312(a)(2)(iv)",
        "NIST SP 800-53 SC-28",
        "NIST SP 800-53 SC-28(1)",
        "GDPR Art. 32",
        "SOC 2 CC6.1",
    ),
    permissions=(
        "elasticache:DescribeReplicationGroups",
        "elasticache:DescribeCacheClusters",
        "elasticache:DescribeServerlessCaches",
    ),
    references=(
        f"{_DOCS}/dg/at-rest-encryption.html",
        f"{_DOCS}/dg/encryption.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/elasticache-controls.html",
    ),
    aliases={
        Framework.SECURITY_HUB: ("ElastiCache.4",),
        Framework.PROWLER: ("elasticache_redis_cluster_rest_encryption_enabled",),
        Framework.CLOUDSPLOIT: ("redisClusterEncryptionAtRest",),
        Framework.STEAMPIPE: ("elasticache_replication_group_encryption_at_rest_enabled",),
        Framework.CHECKOV: ("CKV_AWS_29",),
        Framework.AWS_CONFIG: ("elasticache-repl-grp-encrypted-at-rest",),
    },
)

CW_104 = Rule(
    id="CW-104",
    title="Data at rest is encrypted with an enabled customer-managed KMS key",
    severity=Severity.MEDIUM,
    category=RuleCategory.SECURITY,
    failure="Data at rest is not under an enabled customer-managed KMS key",
    family=FAMILY,
    resource_kinds=(ResourceKind.REPLICATION_GROUP, ResourceKind.SERVERLESS_CACHE),
    engines=_ALL_ENGINES,
    rationale=(
        "With the default service key, AWS decides who may use the key and you cannot "
        "revoke it. A customer-managed key puts decryption behind a key policy you "
        "control, records every use in CloudTrail, and lets you cut off access to the data "
        "and its backups in an incident. A key that is disabled or pending deletion makes "
        "the cache unrecoverable, so its state is checked too."
    ),
    audit=snip.CMK_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.REBUILD,
        cli=snip.CMK_CLI,
        cloudformation=snip.CMK_CFN,
        terraform=snip.CMK_TERRAFORM,
        console=(
            "In the KMS console, create a symmetric encryption key, turn on automatic "
            "rotation, and let the roles that manage caches use it.",
            "The key of an existing cache cannot be changed: back the cache up from the "
            "ElastiCache console (Actions, then Backup).",
            "Restore the backup into a new cache, choosing encryption at rest with the "
            "customer managed key you created.",
            "For a serverless cache, create a serverless backup and restore it into a new "
            "serverless cache that uses the customer managed key.",
            "Move clients to the new endpoint, then delete the old cache with a final backup.",
        ),
        permissions=(
            "kms:CreateKey",
            "kms:EnableKeyRotation",
            "kms:DescribeKey",
            "kms:CreateGrant",
            *_REBUILD_RG,
            "elasticache:CreateServerlessCacheSnapshot",
            "elasticache:CreateServerlessCache",
            "elasticache:DeleteServerlessCache",
        ),
    ),
    backout=(
        "One-way for the new cache: its key cannot be swapped back. Roll back by pointing "
        "clients at the old cache until it is deleted. Never disable or schedule deletion "
        "of the new key while the cache or its backups exist: they become unreadable."
    ),
    compliance=(
        "PCI DSS v4.0 3.6.1",
        "HIPAA 164.312(a)(2)(iv)",
        "NIST SP 800-53 SC-12",
        "NIST SP 800-53 SC-28(1)",
        "GDPR Art. 32",
    ),
    permissions=(
        "elasticache:DescribeReplicationGroups",
        "elasticache:DescribeServerlessCaches",
        "kms:DescribeKey",
    ),
    references=(
        f"{_DOCS}/dg/at-rest-encryption.html",
        "https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html",
    ),
    aliases={
        Framework.STEAMPIPE: (
            "elasticache_replication_group_encryption_at_rest_enabled_with_kms_cmk",
        ),
        Framework.CHECKOV: ("CKV_AWS_191",),
    },
)

CW_105 = Rule(
    id="CW-105",
    title="Cache snapshots are encrypted with a customer-managed KMS key",
    severity=Severity.LOW,
    category=RuleCategory.SECURITY,
    failure="Snapshot is not encrypted with a customer-managed KMS key",
    family=FAMILY,
    resource_kinds=(ResourceKind.SNAPSHOT,),
    engines=(Engine.REDIS, Engine.VALKEY),
    rationale=(
        "A snapshot is a complete, portable copy of the dataset that outlives the cache "
        "and can be copied, exported to S3 or restored elsewhere. Under a customer-managed "
        "key, every restore or copy needs permission on that key, so a leaked snapshot "
        "name or a broad ElastiCache permission is not enough to read the data."
    ),
    audit=snip.SNAPSHOT_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.REBUILD,
        cli=snip.SNAPSHOT_CLI,
        cloudformation=snip.SNAPSHOT_CFN,
        terraform=snip.SNAPSHOT_TERRAFORM,
        console=(
            "In the ElastiCache console, open Backups and select the snapshot.",
            "Choose Copy, give the copy a new name and pick the customer managed key.",
            "Test a restore from the copy, then delete the original manual snapshot.",
            "Automatic snapshots follow the key of their cache: fix the cache (CW-104) so "
            "new ones are taken under the customer key, and let old ones age out.",
        ),
        permissions=(
            "elasticache:CopySnapshot",
            "elasticache:DescribeSnapshots",
            "elasticache:DeleteSnapshot",
            "elasticache:CopyServerlessCacheSnapshot",
            "elasticache:DeleteServerlessCacheSnapshot",
            "kms:DescribeKey",
            "kms:CreateGrant",
        ),
    ),
    backout=(
        "Copying adds a snapshot and changes nothing else, so until the original is "
        "deleted the fix is undone by deleting the copy. Deleting the original cannot be "
        "reversed: keep it until a restore from the copy has been tested."
    ),
    compliance=(
        "NIST SP 800-53 CP-9(8)",
        "NIST SP 800-53 SC-28(1)",
        "PCI DSS v4.0 3.5.1",
        "HIPAA 164.312(a)(2)(iv)",
    ),
    permissions=(
        "elasticache:DescribeSnapshots",
        "elasticache:DescribeServerlessCacheSnapshots",
        "kms:DescribeKey",
    ),
    references=(
        f"{_DOCS}/APIReference/API_CopySnapshot.html",
        f"{_DOCS}/APIReference/API_CopyServerlessCacheSnapshot.html",
        f"{_DOCS}/dg/at-rest-encryption.html",
    ),
)
