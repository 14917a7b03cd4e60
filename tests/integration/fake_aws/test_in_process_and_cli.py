"""The layer works inside `moto.mock_aws()` too, and `python -m sandbox.fake_aws` serves."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import boto3
import moto
import pytest
from botocore.exceptions import ClientError

from sandbox.fake_aws import health, install_patches
from tests.integration.fake_aws.helpers import client, create_group, error_code

pytestmark = pytest.mark.integration


@pytest.fixture
def mocked(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with moto.mock_aws():
        yield


def test_install_patches_is_idempotent_and_serves_mock_aws(mocked: None) -> None:
    first = install_patches()
    assert install_patches() is first
    elasticache = boto3.client("elasticache", region_name="us-east-1")
    group = create_group(elasticache, NumCacheClusters=3)
    assert len(group["MemberClusters"]) == 3
    with pytest.raises(ClientError) as error:
        elasticache.modify_replication_group(
            ReplicationGroupId=group["ReplicationGroupId"],
            AuthToken="Rotated-Token-0002",
            AuthTokenUpdateStrategy="SET",
        )
    assert error_code(error.value) == "InvalidParameterCombination"
    assert elasticache.describe_user_groups()["UserGroups"] == []


def test_module_entry_point_serves_until_stopped() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox.fake_aws", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        assert health(url)["pid"] == process.pid
        assert client(url, "elasticache").describe_users()["Users"][0]["UserId"] == "default"
    finally:
        process.terminate()
        process.wait(timeout=10)
