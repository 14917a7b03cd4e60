"""Platform-neutral messages: what to say, never how a chat platform draws it.

Jobs build these; the Slack renderer turns them into Block Kit and a Teams renderer
would turn them into Adaptive Cards. Nothing here knows either format.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
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
    REQUEST_REBUILD = "request_rebuild"  # the fix is a migration to a rebuilt copy


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


class TopFinding(_Message):
    """One root cause named in the summary: what is wrong, and where."""

    severity: Severity
    headline: str
    rule_id: str
    also: tuple[str, ...] = ()  # weaker rules folded under this one (posture.overlaps)
    resource_kind: str
    resource_id: str
    account: str
    region: str
    others: int = 0  # more resources failing the same rule, not named here


class AcceptedLine(_Message):
    """A suppressed finding: listed with who accepted the risk and until when."""

    headline: str
    rule_id: str
    resource_kind: str
    resource_id: str
    accepted_by: str
    until: datetime


class AuditSummary(_Message):
    """The parent message of an audit, updated as parts finish.

    Counts are of root causes: a finding folded under a stronger one (posture.overlaps)
    is not counted twice; `folded` says how many were.
    """

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
    resolved: int = 0  # failing when scanned, since fixed and verified
    folded: int = 0  # weaker findings folded under a stronger one on the same resource
    top: tuple[TopFinding, ...] = ()  # the worst security root causes, worst first
    cost_top: tuple[TopFinding, ...] = ()  # the first cost root causes, kept apart
    accepted: tuple[AcceptedLine, ...] = ()  # suppressed findings, who and until when
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
    status: Status  # PASS here means failing when scanned, since fixed and verified
    actions: tuple[FindingAction, ...]
    also: tuple[str, ...] = ()  # weaker rules on this resource folded under this line
    accepted_by: str | None = None  # a suppressed line: who accepted the risk
    accepted_until: datetime | None = None
    resolved_by: str | None = None  # a resolved line: whose fix was verified

    @property
    def is_open(self) -> bool:
        """Still failing: neither fixed nor accepted."""
        return self.status is Status.FAIL


class ResourceFindings(_Message):
    resource_kind: str
    resource_id: str
    account: str
    region: str
    engine: str | None
    findings: tuple[FindingLine, ...]

    @property
    def worst(self) -> Severity:
        """Worst severity among the open lines (all lines when none is open)."""
        lines = [line for line in self.findings if line.is_open] or list(self.findings)
        return max((line.severity for line in lines), key=lambda s: s.rank)


class FindingsThread(_Message):
    """Details posted in the parent's thread; the renderer splits it into replies."""

    run_id: str
    resources: tuple[ResourceFindings, ...]  # security findings
    cost_resources: tuple[ResourceFindings, ...] = ()  # cost findings, in their own section
    errors: tuple[str, ...] = ()

    @property
    def finding_count(self) -> int:
        return sum(len(r.findings) for r in (*self.resources, *self.cost_resources))

    def only(self, finding_ids: Iterable[str]) -> FindingsThread:
        """The same thread keeping only these findings (one posted reply, to redraw it)."""
        wanted = set(finding_ids)

        def keep(resources: tuple[ResourceFindings, ...]) -> tuple[ResourceFindings, ...]:
            kept = []
            for resource in resources:
                lines = tuple(line for line in resource.findings if line.finding_id in wanted)
                if lines:
                    kept.append(resource.model_copy(update={"findings": lines}))
            return tuple(kept)

        return self.model_copy(
            update={
                "resources": keep(self.resources),
                "cost_resources": keep(self.cost_resources),
                "errors": (),
            }
        )


class Notice(_Message):
    """A short line, e.g. an ephemeral acknowledgement or a usage answer."""

    text: str
    detail: str | None = None
    # The user id `text` starts with, when the line says what someone did: a front end that
    # knows people draws it by name (Slack: a mention) instead of as a raw id.
    by: str | None = None
