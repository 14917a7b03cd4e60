"""Which accounts and regions a scan covers, each with the session that reaches it.

Accounts come from the default credential chain, an explicit list of role ARNs, or
every ACTIVE account of an AWS Organization through a named role. Regions come from
the configuration or from each account's enabled regions. An account that cannot be
reached is a `ScanError`, never an exception: the other accounts still get scanned.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from posture.resources import CollectionError
from workers.aws.errors import AWS_FAILURES, to_collection_error
from workers.aws.session import (
    DEFAULT_STS_REGION,
    AccountSession,
    CallCounter,
    account_of_role,
    assume_role_session,
)

ACCOUNT_KIND = "account"


class ScanScope(BaseModel):
    """Where to look. Empty means: the default chain's account, in all its enabled regions."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    role_arns: tuple[str, ...] = ()
    organization_role_name: str | None = None
    regions: tuple[str, ...] = ()
    external_id: str | None = None
    partition: str = "aws"
    home_region: str = DEFAULT_STS_REGION


class ScanError(BaseModel):
    """A failure tied to an account (and a region, once known)."""

    model_config = ConfigDict(frozen=True)

    account_id: str | None = None
    region: str | None = None
    operation: str
    code: str
    message: str
    resource_kind: str | None = None

    @classmethod
    def from_collection(
        cls, error: CollectionError, account_id: str | None, region: str | None
    ) -> ScanError:
        return cls(
            account_id=account_id,
            region=region,
            operation=error.operation,
            code=error.code,
            message=error.message,
            resource_kind=error.resource_kind,
        )


@dataclass(frozen=True)
class ScanTarget:
    account_id: str
    region: str
    session: AccountSession


@dataclass(frozen=True)
class ResolvedTargets:
    targets: tuple[ScanTarget, ...]
    errors: tuple[ScanError, ...] = ()


def resolve_targets(
    scope: ScanScope, base: AccountSession, *, counter: CallCounter | None = None
) -> ResolvedTargets:
    """Every (account, region, session) in scope, and an error per account left out."""
    sessions, errors = account_sessions(scope, base, counter=counter)
    targets: list[ScanTarget] = []
    for session in sessions:
        try:
            regions = scope.regions or enabled_regions(session, scope.home_region, counter)
        except AWS_FAILURES as exc:
            errors.append(_account_error(exc, "DescribeRegions", session.account_id))
            continue
        targets.extend(ScanTarget(session.account_id, region, session) for region in regions)
    return ResolvedTargets(targets=tuple(targets), errors=tuple(errors))


def account_sessions(
    scope: ScanScope, base: AccountSession, *, counter: CallCounter | None = None
) -> tuple[list[AccountSession], list[ScanError]]:
    if scope.organization_role_name:
        try:
            accounts = organization_accounts(base, scope.home_region, counter)
        except AWS_FAILURES as exc:
            return [], [_account_error(exc, "ListAccounts", base.account_id)]
        role_arns = [
            f"arn:{scope.partition}:iam::{account}:role/{scope.organization_role_name}"
            for account in accounts
            if account != base.account_id
        ]
        sessions, errors = assume_roles(base, role_arns, scope, counter)
        # The caller's own account needs no role: the base session already reaches it.
        own = [base] if base.account_id in accounts else []
        return own + sessions, errors
    if scope.role_arns:
        return assume_roles(base, scope.role_arns, scope, counter)
    return [base], []


def assume_roles(
    base: AccountSession,
    role_arns: Iterable[str],
    scope: ScanScope,
    counter: CallCounter | None,
) -> tuple[list[AccountSession], list[ScanError]]:
    sessions: list[AccountSession] = []
    errors: list[ScanError] = []
    for role_arn in role_arns:
        try:
            sessions.append(
                assume_role_session(
                    base,
                    role_arn,
                    external_id=scope.external_id,
                    counter=counter,
                    sts_region=scope.home_region,
                )
            )
        except (*AWS_FAILURES, ValueError) as exc:
            errors.append(_account_error(exc, "AssumeRole", _account_or_none(role_arn)))
    return sessions, errors


def organization_accounts(
    base: AccountSession, region: str, counter: CallCounter | None = None
) -> list[str]:
    """Ids of the organization's ACTIVE accounts (`State`, or the older `Status` field)."""
    client = base.client(base.new_session(counter), "organizations", region)
    accounts: list[str] = []
    for page in client.get_paginator("list_accounts").paginate():
        for account in page.get("Accounts", []):
            if (account.get("State") or account.get("Status")) == "ACTIVE":
                accounts.append(account["Id"])
    return accounts


def enabled_regions(
    session: AccountSession, region: str, counter: CallCounter | None = None
) -> tuple[str, ...]:
    """Regions enabled for this account (opt-in regions only once opted in)."""
    ec2 = session.client(session.new_session(counter), "ec2", region)
    answer = ec2.describe_regions(AllRegions=False)
    return tuple(sorted(item["RegionName"] for item in answer.get("Regions", [])))


def _account_error(exc: Exception, operation: str, account_id: str | None) -> ScanError:
    return ScanError.from_collection(
        to_collection_error(exc, operation, ACCOUNT_KIND), account_id, None
    )


def _account_or_none(role_arn: str) -> str | None:
    try:
        return account_of_role(role_arn)
    except ValueError:
        return None
