"""Encryption at rest and the keys behind it: CW-103 to CW-105, each entry with its check."""

from __future__ import annotations

from posture.base import Engine, ResourceKind, Severity
from posture.catalog import _encryption_snippets as snip
from posture.catalog.encryption import ALL_ENGINES, DOCS, FAMILY, REBUILD_RG
from posture.catalog.model import FixKind, Framework, Remediation, Rule, RuleCategory
from posture.resources import CacheCluster, CacheSnapshot, ReplicationGroup, ServerlessCache
from posture.rules.context import (
    RuleContext,
    Verdict,
    check,
    errored,
    failed,
    not_applicable,
    passed,
)
from posture.rules.encryption import ENCRYPTED_STORAGE_TYPES
from posture.rules.facts import CacheResource, describe, engine_label, engine_name


def group_encrypted_at_rest(group: ReplicationGroup) -> tuple[bool, str]:
    """At-rest state of a group and the field that told us.

    StorageEncryptionType (none, sse-elasticache, sse-kms) is the effective state when
    present: the API warns the AtRestEncryptionEnabled boolean can read false while
    encryption is on. Older responses lack it, so the boolean is the fallback.
    """
    storage = group.storage_encryption_type
    if storage is not None:
        return storage in ENCRYPTED_STORAGE_TYPES, f"StorageEncryptionType {storage}"
    return bool(group.at_rest_encryption_enabled), (
        f"AtRestEncryptionEnabled {bool(group.at_rest_encryption_enabled)}"
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
    engines=ALL_ENGINES,
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
        permissions=REBUILD_RG,
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
        f"{DOCS}/dg/at-rest-encryption.html",
        f"{DOCS}/dg/encryption.html",
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


@check(CW_103)
def check_at_rest(resource: CacheResource, ctx: RuleContext) -> Verdict:
    """CW-103: data on disk (snapshots, swap) encrypted."""
    subject = describe(resource, ctx)
    if isinstance(resource, ServerlessCache):
        return passed(f"{subject} always encrypts at rest")
    if isinstance(resource, CacheCluster):
        if engine_name(resource) == "memcached":
            return not_applicable(
                f"{subject}: node-based Memcached has no at-rest encryption (serverless only)"
            )
        encrypted, source = bool(resource.at_rest_encryption_enabled), "AtRestEncryptionEnabled"
        source = f"{source} {encrypted}"
    else:
        encrypted, source = group_encrypted_at_rest(resource)
    if encrypted:
        return passed(f"{subject} is encrypted at rest ({source})")
    return failed(f"{subject} is not encrypted at rest ({source})")


def _customer_key_verdict(subject: str, key_ref: str, ctx: RuleContext) -> Verdict:
    """Pass only for a customer-managed key that is enabled."""
    key = ctx.kms_key(key_ref)
    if key is None:
        return errored(f"{subject} uses KMS key {key_ref}, which could not be described")
    if key.key_manager != "CUSTOMER":
        return failed(f"{subject} uses KMS key {key.key_id}, managed by {key.key_manager or 'AWS'}")
    if key.key_state != "Enabled":
        return failed(f"{subject} uses customer-managed key {key.key_id} in state {key.key_state}")
    return passed(f"{subject} is encrypted with customer-managed key {key.key_id} (Enabled)")


def _keys_not_required(subject: str, ctx: RuleContext) -> Verdict | None:
    if ctx.policy.encryption.require_cmk:
        return None
    return not_applicable(
        f"{subject}: the policy does not require customer-managed keys "
        "([encryption] require_cmk = false)"
    )


CW_104 = Rule(
    id="CW-104",
    title="Data at rest is encrypted with an enabled customer-managed KMS key",
    severity=Severity.MEDIUM,
    category=RuleCategory.SECURITY,
    failure="Data at rest is not under an enabled customer-managed KMS key",
    family=FAMILY,
    resource_kinds=(ResourceKind.REPLICATION_GROUP, ResourceKind.SERVERLESS_CACHE),
    engines=ALL_ENGINES,
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
            *REBUILD_RG,
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
        f"{DOCS}/dg/at-rest-encryption.html",
        "https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html",
    ),
    aliases={
        Framework.STEAMPIPE: (
            "elasticache_replication_group_encryption_at_rest_enabled_with_kms_cmk",
        ),
        Framework.CHECKOV: ("CKV_AWS_191",),
    },
)


@check(CW_104)
def check_customer_key(resource: ReplicationGroup | ServerlessCache, ctx: RuleContext) -> Verdict:
    """CW-104: at-rest encryption under a customer-managed, enabled KMS key."""
    subject = describe(resource, ctx)
    off = _keys_not_required(subject, ctx)
    if off:
        return off
    if isinstance(resource, ReplicationGroup):
        encrypted, source = group_encrypted_at_rest(resource)
        if not encrypted:
            return not_applicable(
                f"{subject} is not encrypted at rest ({source}); CW-103 reports that"
            )
    if resource.kms_key_id:
        return _customer_key_verdict(subject, resource.kms_key_id, ctx)
    if resource.storage_encryption_type == "sse-kms":
        return errored(f"{subject} reports sse-kms but no KmsKeyId to check")
    return failed(f"{subject} is encrypted with the AWS-owned ElastiCache key, not a customer key")


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
        f"{DOCS}/APIReference/API_CopySnapshot.html",
        f"{DOCS}/APIReference/API_CopyServerlessCacheSnapshot.html",
        f"{DOCS}/dg/at-rest-encryption.html",
    ),
)


@check(CW_105)
def check_snapshot_key(snapshot: CacheSnapshot, ctx: RuleContext) -> Verdict:
    """CW-105: a backup outlives its cache, so it needs a key the organisation controls."""
    subject = (
        f"snapshot {snapshot.snapshot_name} ({engine_label(snapshot, ctx) or 'engine unknown'})"
    )
    off = _keys_not_required(subject, ctx)
    if off:
        return off
    if not snapshot.kms_key_id:
        return failed(f"{subject} has no KMS key: it is not under a customer-managed key")
    return _customer_key_verdict(subject, snapshot.kms_key_id, ctx)
