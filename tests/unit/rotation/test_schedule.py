"""Scheduled rotation's reads, with a stand-in ElastiCache/Secrets Manager client: which
caches hold credentials, and how old each credential's AWSCURRENT version is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from workers.platform.enqueue import JOBS, SCANS_QUEUE, rotation_schedule_options
from workers.rotation.schedule import Holder, holders, secret_age_days

NOW = datetime(2026, 12, 8, 4, 41, tzinfo=UTC)


class Pages:
    def __init__(self, pages: list[dict[str, Any]]) -> None:
        self.pages = pages

    def paginate(self) -> list[dict[str, Any]]:
        return self.pages


class FakeElastiCache:
    def __init__(self) -> None:
        self.groups = [
            {"ReplicationGroupId": "auth-only", "Engine": "redis", "AuthTokenEnabled": True},
            {"ReplicationGroupId": "rbac", "Engine": "valkey", "UserGroupIds": ["ug1"]},
            {"ReplicationGroupId": "open", "Engine": "redis"},
            {"ReplicationGroupId": "mc", "Engine": "memcached", "AuthTokenEnabled": True},
        ]
        self.serverless = [
            [{"ServerlessCacheName": "sv-a", "Engine": "valkey", "UserGroupId": "ug1"}],
            [{"ServerlessCacheName": "sv-bare", "Engine": "valkey"},
             {"ServerlessCacheName": "sv-iam", "Engine": "redis", "UserGroupId": "ug2"}],
        ]  # fmt: skip
        self.user_groups = {"ug1": ["default", "app"], "ug2": ["default", "robot"]}
        self.users = {"default": "no-password", "app": "password", "robot": "iam"}

    def get_paginator(self, name: str) -> Pages:
        assert name == "describe_replication_groups"
        return Pages([{"ReplicationGroups": self.groups}])

    def describe_serverless_caches(self, **token: str) -> dict[str, Any]:
        page = int(token.get("NextToken", "0"))
        answer: dict[str, Any] = {"ServerlessCaches": self.serverless[page]}
        if page + 1 < len(self.serverless):
            answer["NextToken"] = str(page + 1)
        return answer

    def describe_user_groups(self, UserGroupId: str) -> dict[str, Any]:
        return {"UserGroups": [{"UserIds": self.user_groups[UserGroupId]}]}

    def describe_users(self, UserId: str) -> dict[str, Any]:
        return {"Users": [{"UserId": UserId, "Authentication": {"Type": self.users[UserId]}}]}


def test_holders_are_groups_and_serverless_caches_with_a_token_or_password_users() -> None:
    found = list(holders(FakeElastiCache(), "cw/"))
    assert found == [
        Holder("auth-only", ("cw/auth-only",)),
        Holder("rbac", ("cw/users/app",)),
        Holder("sv-a", ("cw/users/app",)),
    ]  # no open group, no Memcached, no cache without a user group or password user


class FakeSecrets:
    def __init__(self, versions: dict[str, list[dict[str, Any]]]) -> None:
        self.versions = versions

    def list_secret_version_ids(self, SecretId: str) -> dict[str, Any]:
        if SecretId not in self.versions:
            error = {"Error": {"Code": "ResourceNotFoundException", "Message": "no"}}
            raise ClientError(error, "ListSecretVersionIds")  # type: ignore[arg-type]
        return {"Versions": self.versions[SecretId]}


def test_a_secret_is_as_old_as_its_awscurrent_version() -> None:
    client = FakeSecrets(
        {
            "s": [
                {"VersionStages": ["AWSPREVIOUS"], "CreatedDate": NOW - timedelta(days=200)},
                {"VersionStages": ["AWSCURRENT"], "CreatedDate": NOW - timedelta(days=40)},
                {"VersionStages": ["AWSPENDING"], "CreatedDate": NOW - timedelta(days=1)},
            ],
            "pending-only": [{"VersionStages": ["AWSPENDING"], "CreatedDate": NOW}],
        }
    )
    assert secret_age_days(client, "s", NOW) == 40
    assert secret_age_days(client, "pending-only", NOW) is None
    assert secret_age_days(client, "missing", NOW) is None


def test_the_daily_check_is_a_scan_queue_job_on_a_daily_cron() -> None:
    options = rotation_schedule_options()
    assert options["cron"] == "41 4 * * *" and options["queue_name"] == SCANS_QUEUE
    assert JOBS["request_due_rotations"].path == "workers.rotation.schedule.request_due_rotations"
