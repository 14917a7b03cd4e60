"""Small builders for digest tests: findings on numbered resources, fixed moments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from posture.base import ResourceKind, Severity
from posture.findings import Finding, Status

T0 = datetime(2026, 5, 1, 7, 0, tzinfo=UTC)
ACCOUNT = "123456789012"
REGION = "eu-west-1"


def at(days: float = 0, hours: float = 0) -> datetime:
    return T0 + timedelta(days=days, hours=hours)


def finding(
    resource: str,
    *,
    rule: str = "CW-101",
    severity: Severity = Severity.HIGH,
    status: Status = Status.FAIL,
    account: str = ACCOUNT,
    region: str = REGION,
    title: str = "Caches encrypt traffic in transit",
) -> Finding:
    return Finding(
        rule_id=rule,
        title=title,
        aliases={},
        severity=severity,
        status=status,
        resource_kind=ResourceKind.REPLICATION_GROUP,
        resource_id=resource,
        resource_arn=f"arn:aws:elasticache:{region}:{account}:replicationgroup:{resource}",
        account=account,
        region=region,
        engine="redis",
        evidence="evidence",
    )


def failing(*resources: str, **kwargs: object) -> list[Finding]:
    return [finding(r, **kwargs) for r in resources]  # type: ignore[arg-type]


def scan_error(account: str = ACCOUNT, region: str = REGION) -> Finding:
    """The marker a part that could not be scanned leaves (see workers.audit.publish)."""
    return Finding(
        rule_id="SCAN",
        title="Scan coverage",
        aliases={},
        severity=Severity.HIGH,
        status=Status.ERROR,
        resource_kind=ResourceKind.ACCOUNT_REGION,
        resource_id=f"{account}/{region}",
        resource_arn="",
        account=account,
        region=region,
        engine=None,
        evidence="could not be assessed",
    )


def key(resource: str, rule: str = "CW-101") -> tuple[str, str, str, str, str]:
    return (rule, ACCOUNT, REGION, "replication_group", resource)
