"""What evaluation produces: one finding per (rule, resource)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

from posture.base import ResourceKind, Severity
from posture.catalog import get_rule
from posture.catalog.model import RuleCategory


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"
    ERROR = "error"
    SUPPRESSED = "suppressed"


# A suppressed finding still fails; the risk was accepted, so it is named by what is wrong.
FAILING_STATUSES = frozenset({Status.FAIL, Status.SUPPRESSED})


def catalog_facts(rule_id: object) -> tuple[RuleCategory, str]:
    """Category and failure headline of a rule; an unknown id is a security rule without one."""
    try:
        rule = get_rule(str(rule_id))
    except KeyError:
        return RuleCategory.SECURITY, ""
    return rule.category, rule.failure


class Finding(BaseModel):
    model_config = ConfigDict(frozen=True)

    rule_id: str
    title: str  # the desired state, as the rule's title says it
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
    category: RuleCategory = RuleCategory.SECURITY
    failure: str = ""  # what is wrong when the rule fails

    @model_validator(mode="before")
    @classmethod
    def _from_catalog(cls, data: Any) -> Any:
        """Findings stored before category and failure existed take them from the catalog."""
        if isinstance(data, dict) and ("category" not in data or "failure" not in data):
            category, failure = catalog_facts(data.get("rule_id"))
            data = {"category": category, "failure": failure, **data}
        return data

    @property
    def headline(self) -> str:
        """The one line every report leads with: what is wrong when failing, else the title."""
        if self.status in FAILING_STATUSES and self.failure:
            return self.failure
        return self.title

    @property
    def is_cost(self) -> bool:
        return self.category is RuleCategory.COST

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        """Identity across scans: the same rule on the same resource."""
        return (self.rule_id, self.account, self.region, self.resource_kind, self.resource_id)
