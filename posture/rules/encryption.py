"""Encryption checks: CW-101 to CW-105."""

from __future__ import annotations

from posture.findings import Status
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
from posture.rules.facts import (
    MEMCACHED_TLS_MINIMUM,
    CacheResource,
    describe,
    engine_label,
    engine_name,
    parse_version,
)

ENCRYPTED_STORAGE_TYPES = ("sse-elasticache", "sse-kms")


def _memcached_without_tls(cluster: CacheCluster, ctx: RuleContext) -> Verdict | None:
    """A reason the cluster cannot use TLS at all, or None when it can."""
    if engine_name(cluster) != "memcached":
        return None
    version = parse_version(cluster.engine_version)
    if version is None:
        return errored(
            f"{describe(cluster, ctx)} reports no engine version, so TLS support is unknown"
        )
    if version < MEMCACHED_TLS_MINIMUM:
        return not_applicable(
            f"{describe(cluster, ctx)} predates in-transit encryption, which Memcached "
            f"supports from {MEMCACHED_TLS_MINIMUM}; CW-101 reports the plaintext traffic"
        )
    return None


@check("CW-101")
def check_in_transit(resource: CacheResource, ctx: RuleContext) -> Verdict:
    """CW-101: TLS between clients and the cache.

    Memcached before 1.6.12 cannot use TLS at all: its clients always talk in plaintext,
    so it fails, and the fix is an engine upgrade.
    """
    subject = describe(resource, ctx)
    if isinstance(resource, ServerlessCache):
        return passed(f"{subject} always encrypts in transit")
    if isinstance(resource, CacheCluster):
        unsupported = _memcached_without_tls(resource, ctx)
        if unsupported and unsupported.status is Status.NOT_APPLICABLE:
            return failed(
                f"{subject} has in-transit encryption off: clients connect in plaintext, and "
                f"this version cannot use TLS (Memcached supports it from "
                f"{MEMCACHED_TLS_MINIMUM}); upgrade the engine"
            )
        if unsupported:
            return unsupported
    if resource.transit_encryption_enabled:
        return passed(f"{subject} has in-transit encryption on")
    return failed(f"{subject} has in-transit encryption off: clients connect in plaintext")


@check("CW-102")
def check_in_transit_required(resource: CacheResource, ctx: RuleContext) -> Verdict:
    """CW-102: TLS enforced, not merely offered (mode "preferred" accepts plaintext)."""
    subject = describe(resource, ctx)
    if isinstance(resource, ServerlessCache):
        return passed(f"{subject} always requires TLS")
    if isinstance(resource, CacheCluster):
        unsupported = _memcached_without_tls(resource, ctx)
        if unsupported:
            return unsupported
    if not resource.transit_encryption_enabled:
        return not_applicable(f"{subject} has in-transit encryption off; CW-101 reports that")
    mode = resource.transit_encryption_mode
    if mode == "required":
        return passed(f"{subject} requires TLS (TransitEncryptionMode required)")
    if mode is None:
        # Groups that got TLS before the mode setting existed accept TLS only.
        return passed(f"{subject} has TLS on and reports no mode, which means TLS only")
    return failed(f"{subject} still accepts plaintext clients (TransitEncryptionMode {mode})")


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


@check("CW-103")
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


@check("CW-104")
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


@check("CW-105")
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
