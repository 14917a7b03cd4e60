"""Platform-neutral messages: what to say, never how a chat platform draws it.

Jobs build these; the Slack renderer turns them into Block Kit and a Teams renderer
would turn them into Adaptive Cards. Nothing here knows either format.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from posture.base import Severity
from posture.catalog.model import RuleCategory
from posture.findings import Finding, Status


class _Message(BaseModel):
    model_config = ConfigDict(frozen=True)


class AuditState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class FindingAction(StrEnum):
    """Buttons a finding may carry; the value sent back is only an opaque id."""

    EXPLAIN = "explain"
    REQUEST_FIX = "request_fix"
    ACCEPT_RISK = "accept_risk"


class SeverityCounts(_Message):
    critical: int = 0
    high: int = 0
    medium: int = 0
    low: int = 0
    info: int = 0

    @classmethod
    def of(
        cls, findings: Iterable[Finding], category: RuleCategory | None = None
    ) -> SeverityCounts:
        """Failing findings by severity, of one category when `category` is given."""
        counts = Counter(
            str(f.severity)
            for f in findings
            if f.status is Status.FAIL and (category is None or f.category is category)
        )
        return cls(**counts)

    @property
    def total(self) -> int:
        return self.critical + self.high + self.medium + self.low + self.info


class AuditSummary(_Message):
    """The parent message of an audit, updated as parts finish."""

    run_id: str
    scope: str
    state: AuditState
    requested_by: str
    parts_done: int = 0
    parts_total: int = 0
    accounts: int = 0
    regions: int = 0
    failing: SeverityCounts = SeverityCounts()  # security findings only
    cost: SeverityCounts = SeverityCounts()  # failing cost findings, reported on their own
    passed: int = 0
    not_applicable: int = 0
    errors: int = 0
    suppressed: int = 0
    duration_seconds: float | None = None
    correlation_id: str = ""
    problem: str | None = None  # what failed, in words a user can act on

    @property
    def pass_rate(self) -> float | None:
        assessed = self.passed + self.failing.total + self.cost.total
        return None if assessed == 0 else self.passed / assessed


class FindingLine(_Message):
    finding_id: str  # opaque id the buttons carry
    rule_id: str
    title: str
    headline: str  # what is wrong for a failing finding (Finding.headline)
    category: RuleCategory = RuleCategory.SECURITY
    severity: Severity
    aliases: dict[str, tuple[str, ...]]
    evidence: str
    status: Status
    actions: tuple[FindingAction, ...]


class ResourceFindings(_Message):
    resource_kind: str
    resource_id: str
    account: str
    region: str
    engine: str | None
    findings: tuple[FindingLine, ...]

    @property
    def worst(self) -> Severity:
        return max((line.severity for line in self.findings), key=lambda s: s.rank)


class FindingsThread(_Message):
    """Details posted in the parent's thread; the renderer splits it into replies."""

    run_id: str
    resources: tuple[ResourceFindings, ...]  # security findings
    cost_resources: tuple[ResourceFindings, ...] = ()  # cost findings, in their own section
    errors: tuple[str, ...] = ()


class Notice(_Message):
    """A short line, e.g. an ephemeral acknowledgement or a usage answer."""

    text: str
    detail: str | None = None
