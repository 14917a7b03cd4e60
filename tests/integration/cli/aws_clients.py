"""boto3 clients for seeding the fake AWS, the way an operator would create resources."""

from __future__ import annotations

from typing import Any

import boto3

TEST_KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def fake_client(url: str, service: str, region: str, keys: dict[str, str] | None = None) -> Any:
    """A client of the fake at `url`; without `keys`, in moto's default account."""
    return boto3.client(service, endpoint_url=url, region_name=region, **(keys or TEST_KEYS))


def role_keys(url: str, account: str, role_name: str) -> dict[str, str]:
    """Keys acting inside `account` through `role_name`, as the audit gets them."""
    sts = fake_client(url, "sts", "us-east-1")
    role = f"arn:aws:iam::{account}:role/{role_name}"
    answer = sts.assume_role(RoleArn=role, RoleSessionName="cli-test")["Credentials"]
    return {
        "aws_access_key_id": answer["AccessKeyId"],
        "aws_secret_access_key": answer["SecretAccessKey"],
        "aws_session_token": answer["SessionToken"],
    }
