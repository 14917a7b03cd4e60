"""What evaluation produces: one finding per (rule, resource)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from posture.base import ResourceKind, Severity


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"
    ERROR = "error"
    SUPPRESSED = "suppressed"


class Finding(BaseModel):
    model_config = ConfigDict(frozen=True)

    rule_id: str
    title: str
    aliases: dict[str, tuple[str, ...]]
    severity: Severity
    status: Status
    resource_kind: ResourceKind
    resource_id: str
    resource_arn: str
    account: str
    region: str
    engine: str | None
    evidence: str

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        """Identity across scans: the same rule on the same resource."""
        return (self.rule_id, self.account, self.region, self.resource_kind, self.resource_id)
