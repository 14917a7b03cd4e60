"""CW-101 to CW-105 on literal boto3-shaped resources."""

from __future__ import annotations

import pytest

from posture.rules import at_rest, encryption
from tests.unit.rules.table import ERROR, FAIL, NA, PASS, assert_verdict, case
from tests.unit.rules.world import (
    ACCOUNT,
    CMK_ARN,
    REGION,
    access_sections,
    inventory,
    policy,
    replication_group,
    serverless_cache,
    standalone_cluster,
)

TLS_OFF = {"TransitEncryptionEnabled": False, "TransitEncryptionMode": None}


def memcached(version: str, **cluster: object):
    return lambda: standalone_cluster("memcached", version, cluster=cluster)


IN_TRANSIT = [
    case("group-tls-on", lambda: replication_group(), PASS, "in-transit encryption on"),
    case("group-tls-off", lambda: replication_group(group=TLS_OFF), FAIL, "plaintext"),
    case("redis-cluster-tls-off", lambda: standalone_cluster(cluster=TLS_OFF), FAIL, "off"),
    case(
        "valkey-cluster-tls-on",
        lambda: standalone_cluster("valkey", "8.1.0"),
        PASS,
        "(valkey 8.1.0)",
    ),
    # Memcached before 1.6.12 cannot use TLS: its clients talk in plaintext, so it fails.
    case(
        "memcached-1.6.6-predates-tls",
        memcached("1.6.6", TransitEncryptionEnabled=False),
        FAIL,
        "clients connect in plaintext, and this version cannot use TLS",
    ),
    case("memcached-1.6.12-tls-on", memcached("1.6.12"), PASS, "on"),
    case("memcached-1.6.12-tls-off", memcached("1.6.12", **TLS_OFF), FAIL, "off"),
    case("memcached-no-version", memcached("", EngineVersion=None), ERROR, "no engine version"),
    case("serverless-memcached", lambda: serverless_cache("memcached"), PASS, "always encrypts"),
]


@pytest.mark.parametrize(("build", "status", "fragment", "policy"), IN_TRANSIT)
def test_cw101_in_transit(build, status, fragment, policy) -> None:
    assert_verdict(encryption.check_in_transit, build, status, fragment, policy)


IN_TRANSIT_REQUIRED = [
    case("group-required", lambda: replication_group(), PASS, "requires TLS"),
    case(
        "group-preferred-accepts-plaintext",
        lambda: replication_group(group={"TransitEncryptionMode": "preferred"}),
        FAIL,
        "TransitEncryptionMode preferred",
    ),
    case("group-tls-off-is-cw101", lambda: replication_group(group=TLS_OFF), NA, "CW-101"),
    case(
        "group-tls-on-without-mode",
        lambda: replication_group(group={"TransitEncryptionMode": None}),
        PASS,
        "TLS only",
    ),
    case("memcached-1.6.6", memcached("1.6.6"), NA, "CW-101 reports the plaintext traffic"),
    case(
        "memcached-1.6.22-preferred",
        memcached("1.6.22", TransitEncryptionMode="preferred"),
        FAIL,
        "plaintext",
    ),
    case("serverless", lambda: serverless_cache(), PASS, "always requires TLS"),
]


@pytest.mark.parametrize(("build", "status", "fragment", "policy"), IN_TRANSIT_REQUIRED)
def test_cw102_in_transit_required(build, status, fragment, policy) -> None:
    assert_verdict(encryption.check_in_transit_required, build, status, fragment, policy)


def storage(kind: str | None, flag: bool):
    return lambda: replication_group(
        group={"StorageEncryptionType": kind, "AtRestEncryptionEnabled": flag}
    )


AT_REST = [
    case(
        "sse-kms-overrides-false-boolean",
        storage("sse-kms", False),
        PASS,
        "StorageEncryptionType sse-kms",
    ),
    case(
        "sse-elasticache-overrides-false-boolean",
        storage("sse-elasticache", False),
        PASS,
        "StorageEncryptionType sse-elasticache",
    ),
    case("type-none-is-effective-state", storage("none", True), FAIL, "StorageEncryptionType none"),
    case("no-type-boolean-true", storage(None, True), PASS, "AtRestEncryptionEnabled True"),
    case("no-type-boolean-false", storage(None, False), FAIL, "AtRestEncryptionEnabled False"),
    case("memcached-node-based", memcached("1.6.22"), NA, "serverless only"),
    case(
        "valkey-cluster-unencrypted",
        lambda: standalone_cluster("valkey", "7.2.4", cluster={"AtRestEncryptionEnabled": False}),
        FAIL,
        "not encrypted at rest",
    ),
    case("serverless", lambda: serverless_cache("redis"), PASS, "always encrypts at rest"),
]


@pytest.mark.parametrize(("build", "status", "fragment", "policy"), AT_REST)
def test_cw103_at_rest(build, status, fragment, policy) -> None:
    assert_verdict(at_rest.check_at_rest, build, status, fragment, policy)


def with_key(**key: object) -> dict[str, object]:
    return {"KmsKeys": [{"KeyId": "key-cmk", "Arn": CMK_ARN, **key}]}


CUSTOMER_KEY = [
    case("group-cmk-enabled", lambda: replication_group(), PASS, "customer-managed key key-cmk"),
    case(
        "group-key-by-bare-id",
        lambda: replication_group(
            group={"KmsKeyId": "key-cmk", "StorageEncryptionType": "sse-kms"}
        ),
        PASS,
        "key-cmk",
    ),
    case(
        "group-service-key",
        lambda: replication_group(group={"KmsKeyId": None}),
        FAIL,
        "AWS-owned",
    ),
    case(
        "group-unencrypted-is-cw103",
        lambda: replication_group(group={"AtRestEncryptionEnabled": False, "KmsKeyId": None}),
        NA,
        "CW-103",
    ),
    case(
        "group-aws-managed-key",
        lambda: replication_group(**with_key(KeyManager="AWS", KeyState="Enabled")),
        FAIL,
        "managed by AWS",
    ),
    case(
        "group-key-pending-deletion",
        lambda: replication_group(**with_key(KeyManager="CUSTOMER", KeyState="PendingDeletion")),
        FAIL,
        "PendingDeletion",
    ),
    case(
        "group-unknown-key", lambda: replication_group(KmsKeys=[]), ERROR, "could not be described"
    ),
    case(
        "group-sse-kms-without-key-id",
        lambda: replication_group(group={"KmsKeyId": None, "StorageEncryptionType": "sse-kms"}),
        ERROR,
        "no KmsKeyId",
    ),
    case("serverless-cmk", lambda: serverless_cache(), PASS, "key-cmk"),
    case(
        "serverless-owned-key",
        lambda: serverless_cache(cache={"KmsKeyId": None}),
        FAIL,
        "AWS-owned",
    ),
    case(
        "service-key-when-policy-does-not-require-cmk",
        lambda: replication_group(group={"KmsKeyId": None}),
        NA,
        "require_cmk = false",
        policy(encryption={"require_cmk": False}),
    ),
]


@pytest.mark.parametrize(("build", "status", "fragment", "policy"), CUSTOMER_KEY)
def test_cw104_customer_key(build, status, fragment, policy) -> None:
    assert_verdict(at_rest.check_customer_key, build, status, fragment, policy)


def snapshot(kms_key_id: str | None, keys: list[dict[str, object]] | None = None):
    def build():
        inv = inventory(
            Snapshots=[
                {
                    "SnapshotName": "orders-nightly",
                    "ARN": f"arn:aws:elasticache:{REGION}:{ACCOUNT}:snapshot:orders-nightly",
                    "ReplicationGroupId": "orders",
                    "Engine": "redis",
                    "EngineVersion": "7.1.0",
                    "KmsKeyId": kms_key_id,
                }
            ],
            KmsKeys=access_sections()["KmsKeys"] if keys is None else keys,
        )
        return inv.snapshots[0], inv

    return build


SNAPSHOT_KEY = [
    case("cmk", snapshot(CMK_ARN), PASS, "snapshot orders-nightly (redis 7.1.0)"),
    case("no-key", snapshot(None), FAIL, "no KMS key"),
    case(
        "aws-managed-key",
        snapshot(
            CMK_ARN,
            [{"KeyId": "key-cmk", "Arn": CMK_ARN, "KeyManager": "AWS", "KeyState": "Enabled"}],
        ),
        FAIL,
        "managed by AWS",
    ),
    case("unknown-key", snapshot(CMK_ARN, []), ERROR, "could not be described"),
    case(
        "no-key-when-policy-does-not-require-cmk",
        snapshot(None),
        NA,
        "does not require customer-managed keys",
        policy(encryption={"require_cmk": False}),
    ),
]


@pytest.mark.parametrize(("build", "status", "fragment", "policy"), SNAPSHOT_KEY)
def test_cw105_snapshot_key(build, status, fragment, policy) -> None:
    assert_verdict(at_rest.check_snapshot_key, build, status, fragment, policy)
