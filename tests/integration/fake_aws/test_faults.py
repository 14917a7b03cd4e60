"""Fault injection over HTTP: botocore sees real AWS errors in each protocol."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from botocore.exceptions import ClientError

from sandbox.fake_aws import clear_faults, inject_fault, list_faults
from tests.integration.fake_aws.helpers import client, error_code

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def no_faults_left(fake_aws: str) -> Iterator[None]:
    yield
    clear_faults(fake_aws)


def test_access_denied_is_a_client_error_with_its_status(fake_aws: str) -> None:
    inject_fault(
        fake_aws, "elasticache", "AccessDenied", operation="DescribeReplicationGroups", status=403
    )
    elasticache = client(fake_aws, "elasticache")
    with pytest.raises(ClientError) as error:
        elasticache.describe_replication_groups()
    assert error_code(error.value) == "AccessDenied"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert elasticache.describe_replication_groups()["ReplicationGroups"] is not None


def test_throttling_is_retried_by_botocore(fake_aws: str) -> None:
    inject_fault(fake_aws, "elasticache", "Throttling", operation="DescribeCacheClusters", count=1)
    answer = client(fake_aws, "elasticache").describe_cache_clusters()
    assert answer["ResponseMetadata"]["RetryAttempts"] == 1
    assert list_faults(fake_aws) == []


def test_a_fault_matches_only_its_region_and_account(fake_aws: str) -> None:
    inject_fault(fake_aws, "elasticache", "AccessDenied", region="eu-west-1", count=None)
    inject_fault(fake_aws, "ec2", "UnauthorizedOperation", account="210987654321", count=None)
    client(fake_aws, "elasticache", "us-east-1").describe_replication_groups()
    client(fake_aws, "ec2").describe_vpcs()
    for _ in range(2):
        with pytest.raises(ClientError) as error:
            client(fake_aws, "elasticache", "eu-west-1").describe_users()
        assert error_code(error.value) == "AccessDenied"
    keys = client(fake_aws, "sts").assume_role(
        RoleArn="arn:aws:iam::210987654321:role/Audit", RoleSessionName="test"
    )["Credentials"]
    other = client(
        fake_aws,
        "ec2",
        aws_access_key_id=keys["AccessKeyId"],
        aws_secret_access_key=keys["SecretAccessKey"],
        aws_session_token=keys["SessionToken"],
    )
    with pytest.raises(ClientError) as denied:
        other.describe_vpcs()
    assert error_code(denied.value) == "UnauthorizedOperation"


@pytest.mark.parametrize(
    ("service", "code", "call"),
    [
        ("sts", "UnrecognizedClientException", lambda c: c.get_caller_identity()),
        ("kms", "AccessDeniedException", lambda c: c.list_keys()),
        ("ec2", "UnauthorizedOperation", lambda c: c.describe_security_groups()),
        ("resourcegroupstaggingapi", "AccessDeniedException", lambda c: c.get_resources()),
        ("cloudwatch", "AccessDenied", lambda c: c.list_metrics()),
    ],
)
def test_every_protocol_carries_the_code(fake_aws: str, service: str, code: str, call) -> None:  # type: ignore[no-untyped-def]
    inject_fault(fake_aws, service, code, status=403)
    with pytest.raises(ClientError) as error:
        call(client(fake_aws, service))
    assert error_code(error.value) == code


def test_clear_removes_standing_faults(fake_aws: str) -> None:
    inject_fault(fake_aws, "elasticache", "AccessDenied", count=None)
    assert len(list_faults(fake_aws)) == 1
    clear_faults(fake_aws)
    assert client(fake_aws, "elasticache").describe_users()["Users"]
