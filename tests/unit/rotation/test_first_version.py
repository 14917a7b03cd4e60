"""The first rotation of a group must never ask Secrets Manager to label the new token
AWSCURRENT before ElastiCache accepts it (issue 17): the secret is created without a
value, and the value follows with AWSPENDING as its only requested label."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from workers.aws.secrets import CURRENT, PENDING, CredentialVault, NewSecret

NEW = NewSecret(description="AUTH token", tags={"cachewarden:replication-group": "orders"})
VERSION = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"


class RecordingSecrets:
    """Secrets Manager in memory that records each call and applies labels as asked."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.exists = False
        self.stages: dict[str, list[str]] = {}

    def describe_secret(self, **kw: Any) -> dict[str, Any]:
        self.calls.append(("DescribeSecret", kw))
        if not self.exists:
            raise ClientError(
                {"Error": {"Code": "ResourceNotFoundException", "Message": "no"}}, "DescribeSecret"
            )
        return {
            "ARN": "arn:aws:secretsmanager:us-east-1:1:secret:x",
            "VersionIdsToStages": {vid: list(labels) for vid, labels in self.stages.items()},
        }

    def create_secret(self, **kw: Any) -> dict[str, Any]:
        self.calls.append(("CreateSecret", kw))
        self.exists = True
        if "SecretString" in kw:  # AWS stages a secret's value given at creation AWSCURRENT
            self.stages[kw["ClientRequestToken"]] = [CURRENT]
        return {}

    def put_secret_value(self, **kw: Any) -> dict[str, Any]:
        self.calls.append(("PutSecretValue", kw))
        self.stages[kw["ClientRequestToken"]] = list(kw.get("VersionStages") or [CURRENT])
        return {}

    def update_secret_version_stage(self, **kw: Any) -> dict[str, Any]:
        self.calls.append(("UpdateSecretVersionStage", kw))
        if kw.get("RemoveFromVersionId"):
            self.stages[kw["RemoveFromVersionId"]].remove(kw["VersionStage"])
        if kw.get("MoveToVersionId"):
            self.stages[kw["MoveToVersionId"]].append(kw["VersionStage"])
        return {}


def test_first_version_is_created_empty_then_put_as_pending_only() -> None:
    client = RecordingSecrets()
    state = CredentialVault(client).store_pending(
        "cachewarden/auth/orders", VERSION, lambda _r: "Tok-1", NEW
    )

    writes = [(op, kw) for op, kw in client.calls if op != "DescribeSecret"]
    assert [op for op, _ in writes] == ["CreateSecret", "PutSecretValue"]
    create, put = writes[0][1], writes[1][1]
    assert "SecretString" not in create and "SecretBinary" not in create
    assert put["VersionStages"] == [PENDING] and put["ClientRequestToken"] == VERSION
    assert state.labels_of(VERSION) == (PENDING,)


def test_current_moves_to_the_new_version_only_at_promotion() -> None:
    client = RecordingSecrets()
    vault = CredentialVault(client)
    vault.store_pending("cachewarden/auth/orders", VERSION, lambda _r: "Tok-1", NEW)
    assert all(CURRENT not in labels for labels in client.stages.values())
    promoted = vault.promote("cachewarden/auth/orders", VERSION)
    assert promoted.labels_of(VERSION) == (CURRENT,)


def test_a_crash_after_the_empty_secret_resumes_with_the_value() -> None:
    client = RecordingSecrets()
    client.exists = True  # CreateSecret landed, the worker died before PutSecretValue
    state = CredentialVault(client).store_pending(
        "cachewarden/auth/orders", VERSION, lambda _r: "Tok-1", NEW
    )
    assert [op for op, _ in client.calls if op != "DescribeSecret"] == ["PutSecretValue"]
    assert state.labels_of(VERSION) == (PENDING,)
