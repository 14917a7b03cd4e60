"""Secrets Manager through the fake AWS server: pending versions, promotion, deprecation,
and errors that never carry a value."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import boto3
import pytest

from sandbox.fake_aws import FakeAwsServer, clear_faults, inject_fault
from workers.aws.secrets import (
    CURRENT,
    PENDING,
    PREVIOUS,
    CredentialVault,
    MissingVersion,
    NewSecret,
    SecretsError,
)
from workers.platform.telemetry import MASK, redact

pytestmark = pytest.mark.integration
NEW = NewSecret(description="test secret", tags={"cachewarden:replication-group": "orders"})


@pytest.fixture(scope="module")
def aws() -> Iterator[str]:
    with FakeAwsServer() as server:
        yield server.url


@pytest.fixture
def client(aws: str) -> Any:
    return boto3.client(
        "secretsmanager",
        endpoint_url=aws,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def _name() -> str:
    return f"cachewarden/auth/test-{uuid.uuid4().hex[:8]}"


class Generator:
    def __init__(self, *values: str) -> None:
        self.values = list(values)
        self.seen: list[list[str]] = []

    def __call__(self, recent: Sequence[str]) -> str:
        self.seen.append(list(recent))
        return self.values.pop(0)


def _never(_recent: Sequence[str]) -> str:
    raise AssertionError("a stored version must not be generated again")


def test_first_version_creates_the_secret_with_tags_and_pending_label(client: Any) -> None:
    vault, name, version = CredentialVault(client), _name(), uuid.uuid4().hex
    state = vault.store_pending(name, version, Generator("First-Value-0001"), NEW)
    assert state.exists and state.arn.startswith("arn:aws:secretsmanager:")
    assert PENDING in state.labels_of(version)
    tags = {t["Key"]: t["Value"] for t in client.describe_secret(SecretId=name)["Tags"]}
    assert tags == {"cachewarden:managed": "true", "cachewarden:replication-group": "orders"}
    # Re-running the step finds the version and generates nothing.
    again = vault.store_pending(name, version, _never, NEW)
    assert again.stages == state.stages
    assert (
        client.get_secret_value(SecretId=name, VersionId=version)["SecretString"]
        == "First-Value-0001"
    )


def test_a_new_version_is_pending_beside_the_current_one_and_sees_recent_values(
    client: Any,
) -> None:
    vault, name = CredentialVault(client), _name()
    client.create_secret(Name=name, SecretString="Old-Current-Value-1")
    generator, version = Generator("New-Pending-Value-2"), uuid.uuid4().hex
    state = vault.store_pending(name, version, generator, NEW)
    assert generator.seen == [["Old-Current-Value-1"]]
    assert state.labels_of(version) == (PENDING,)
    assert client.get_secret_value(SecretId=name)["SecretString"] == "Old-Current-Value-1"
    assert vault.with_values(name, [version, None], lambda new, old: (new, old)) == (
        "New-Pending-Value-2",
        "Old-Current-Value-1",
    )


def test_values_are_masked_while_they_are_held(client: Any) -> None:
    vault, name, version = CredentialVault(client), _name(), uuid.uuid4().hex
    vault.store_pending(name, version, Generator("Held-Value-Masked-3"), NEW)
    inside = vault.with_values(name, [version], lambda value: redact(f"saw {value}"))
    assert inside == f"saw {MASK}"
    assert redact("Held-Value-Masked-3") == "Held-Value-Masked-3"


def test_promote_and_deprecate_are_safe_to_repeat(client: Any) -> None:
    vault, name = CredentialVault(client), _name()
    client.create_secret(Name=name, SecretString="Old-Current-Value-4")
    old = vault.describe(name).version_with(CURRENT)
    promoted, abandoned = uuid.uuid4().hex, uuid.uuid4().hex
    vault.store_pending(name, promoted, Generator("Promoted-Value-5"), NEW)
    first = vault.promote(name, promoted)
    assert first.labels_of(promoted) == (CURRENT,) and first.labels_of(old or "") == (PREVIOUS,)
    assert vault.promote(name, promoted).stages == first.stages
    vault.store_pending(name, abandoned, Generator("Abandoned-Value-6"), NEW)
    deprecated = vault.deprecate(name, abandoned)
    assert deprecated.labels_of(abandoned) == ()
    assert vault.deprecate(name, abandoned).labels_of(promoted) == (CURRENT,)


def test_missing_secrets_and_versions(client: Any) -> None:
    vault = CredentialVault(client)
    assert not vault.describe(_name()).exists
    name = _name()
    client.create_secret(Name=name, SecretString="Some-Value-Here-7")
    with pytest.raises(MissingVersion):
        vault.with_values(name, [uuid.uuid4().hex], lambda value: value)
    with pytest.raises(MissingVersion):
        vault.promote(name, uuid.uuid4().hex)


def test_a_refused_write_raises_an_error_without_the_value(aws: str, client: Any) -> None:
    vault, name = CredentialVault(client), _name()
    client.create_secret(Name=name, SecretString="Old-Current-Value-8")
    inject_fault(
        aws, "secretsmanager", "AccessDeniedException", operation="PutSecretValue", status=400
    )
    try:
        with pytest.raises(SecretsError) as error:
            vault.store_pending(name, uuid.uuid4().hex, Generator("Never-Stored-Value-9"), NEW)
    finally:
        clear_faults(aws)
    assert error.value.code == "AccessDeniedException"
    assert "Never-Stored-Value-9" not in str(error.value)
    assert error.value.__cause__ is None and error.value.__suppress_context__
