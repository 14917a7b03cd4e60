"""From a user's scope and the configuration to scan targets, filters and findings.

Shared by `cachewarden audit` (one process scans everything) and the audit jobs (one RQ
job per account and region); both end in the same `findings_for`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from commands.scope import Scope
from posture.base import Engine, ResourceKind
from posture.evaluate import evaluate
from posture.findings import Finding, Status
from posture.policy import OrgPolicy
from posture.resources import Inventory
from workers.aws.filters import ScanFilters
from workers.aws.scan import ScanResult
from workers.aws.session import (
    AccountSession,
    CallCounter,
    assume_role_session,
    default_chain_session,
)
from workers.aws.targets import ResolvedTargets, ScanError, ScanScope
from workers.platform.config import AppConfig

WHOLE_REGION_KINDS = (ResourceKind.ACCOUNT, ResourceKind.ACCOUNT_REGION)


def scan_scope(scope: Scope, config: AppConfig) -> ScanScope:
    """Accounts named in the scope narrow the configured roles; regions replace the configured ones."""
    role_arns = config.scan.role_arns
    if scope.accounts:
        role_arns = tuple(arn for arn in role_arns if arn.split(":")[4] in scope.accounts)
    return ScanScope(
        role_arns=role_arns,
        organization_role_name=config.scan.organization_role or None,
        regions=scope.regions or config.scan.regions,
    )


def scan_filters(scope: Scope) -> ScanFilters:
    """One id narrows the AWS calls to it (whatever kind it is); several are filtered after."""
    only_id = scope.resource_ids[0] if len(scope.resource_ids) == 1 else None
    tag_key, tag_value = scope.tags[0] if scope.tags else (None, None)
    return ScanFilters(
        replication_group_id=only_id,
        cache_cluster_id=only_id,
        serverless_cache_name=only_id,
        tag_key=tag_key,
        tag_value=tag_value,
        engine=Engine(scope.engines[0]) if scope.engines else None,
    )


def keep_in_scope(findings: Iterable[Finding], scope: Scope) -> list[Finding]:
    """The findings a scope asks about; `error` findings always stay (they may hide some).

    A scope naming ids, a tag or an engine reads part of a region, so a verdict on the whole
    region or account (like CW-603's node count) would pass off that part as the whole;
    with several ids, only findings on those resources are kept.
    """
    narrowed = bool(scope.resource_ids or scope.tags or scope.engines)
    wanted = set(scope.resource_ids) if len(scope.resource_ids) > 1 else None
    return [f for f in findings if _in_scope(f, narrowed, wanted)]


def _in_scope(finding: Finding, narrowed: bool, wanted: set[str] | None) -> bool:
    if finding.status is Status.ERROR:
        return True
    if narrowed and finding.resource_kind in WHOLE_REGION_KINDS:
        return False
    return wanted is None or finding.resource_id in wanted


def unassessed_errors(result: ScanResult) -> list[ScanError]:
    """Errors that left no inventory behind: an account never reached, a region that crashed.

    Errors inside an inventory are not listed: evaluation already turns them into one
    `error` finding per rule they starved of data.
    """
    collected = {(inventory.account, inventory.region) for inventory in result.inventories}
    return [error for error in result.errors if (error.account_id, error.region) not in collected]


def account_allowed(account: str, scope: Scope) -> bool:
    return not scope.accounts or account in scope.accounts


def targets_in_scope(resolved: ResolvedTargets, scope: Scope) -> ResolvedTargets:
    """The targets and account errors of the scope's accounts (an Organization has more).

    Keeping the errors lets `scan` report them with its own, so no failure goes unlisted.
    """
    return ResolvedTargets(
        targets=tuple(t for t in resolved.targets if account_allowed(t.account_id, scope)),
        errors=tuple(
            e
            for e in resolved.errors
            if e.account_id is None or account_allowed(e.account_id, scope)
        ),
    )


def findings_for(
    inventory: Inventory, scope: Scope, policy: OrgPolicy, now: datetime
) -> list[Finding]:
    return keep_in_scope(evaluate(inventory, policy, now=now), scope)


def session_for(
    role_arn: str | None, *, endpoint_url: str | None, counter: CallCounter | None = None
) -> AccountSession:
    """The session a part job needs: the default chain, or a role assumed from it."""
    base = default_chain_session(endpoint_url=endpoint_url, counter=counter)
    if not role_arn:
        return base
    return assume_role_session(base, role_arn, counter=counter)
