"""boto3 clients for each account and region of a fleet, pointed at the fake.

When the fake server runs in this very process (same moto state) ElastiCache calls go
straight to our in-process handlers, skipping HTTP and moto's (de)serialization: the
handlers, validation and records are exactly those the HTTP API uses, so what gets
created is identical, about twenty times faster.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3

from sandbox.fake_aws.client import health
from sandbox.fake_aws.fleet_model import FleetSpec
from sandbox.fake_aws.patches import HANDLERS

BASE_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def server_in_this_process(endpoint_url: str) -> bool:
    try:
        return health(endpoint_url).get("pid") == os.getpid()
    except OSError:
        return False


@dataclass
class _Request:
    """The three things our handlers read from a moto response object."""

    params: dict[str, Any]
    current_account: str
    region: str


class DirectElastiCache:
    """Looks like a boto3 ElastiCache client, answers from the in-process handlers."""

    def __init__(self, account: str, region: str) -> None:
        self._account, self._region = account, region
        self._handlers = {handler.__name__: handler for handler in HANDLERS}

    def __getattr__(self, name: str) -> Callable[..., dict[str, Any]]:
        handler = self._handlers.get(name)
        if handler is None:
            raise AttributeError(name)

        def call(**params: Any) -> dict[str, Any]:
            result = handler(_Request(params, self._account, self._region)).result
            return dict(result) if isinstance(result, dict) else {}

        return call


class Clients:
    """Clients of one account and region; all share one boto3 session (botocore caches
    the service models there) and pick the account by the credentials they carry."""

    def __init__(
        self,
        session: boto3.Session,
        credentials: dict[str, str],
        endpoint_url: str,
        place: tuple[str, str],
        direct: bool = False,
    ) -> None:
        self._session, self._credentials = session, credentials
        self.endpoint_url, (self.account, self.region) = endpoint_url, place
        self.direct = direct
        self._clients: dict[str, Any] = {}

    def client(self, service: str) -> Any:
        if service == "elasticache" and self.direct:
            return DirectElastiCache(self.account, self.region)
        if service not in self._clients:
            self._clients[service] = self._session.client(
                service,
                region_name=self.region,
                endpoint_url=self.endpoint_url,
                **self._credentials,
            )
        return self._clients[service]


def account_credentials(
    session: boto3.Session, endpoint_url: str, spec: FleetSpec
) -> dict[str, dict[str, str]]:
    """The caller's credentials for its own account, assumed-role ones for the rest."""
    sts = session.client(
        "sts", endpoint_url=endpoint_url, region_name=spec.regions[0], **BASE_CREDENTIALS
    )
    own_account = sts.get_caller_identity()["Account"]
    credentials = {}
    for account in spec.accounts:
        if account == own_account:
            credentials[account] = dict(BASE_CREDENTIALS)
            continue
        role = f"arn:aws:iam::{account}:role/{spec.role_name}"
        creds = sts.assume_role(RoleArn=role, RoleSessionName="cachewarden-fleet")["Credentials"]
        credentials[account] = {
            "aws_access_key_id": creds["AccessKeyId"],
            "aws_secret_access_key": creds["SecretAccessKey"],
            "aws_session_token": creds["SessionToken"],
        }
    return credentials
