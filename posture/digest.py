"""The daily digest as a neutral message, and the pure function that builds it.

Every list in a digest is a `Shown`: the first few items plus the true total, so a
renderer can stay within a chat platform's limits for any number of findings and
point to the attached report for the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from posture.base import Severity
from posture.catalog.model import RuleCategory
from posture.findings import Finding, catalog_facts
from posture.history import (
    FindingKey,
    KeyHistory,
    PreviousScan,
    ScanObservation,
    classify,
    finding_key,
    posture_score,
)
from posture.messages import SeverityCounts
from posture.resources import Inventory

T = TypeVar("T")
DEFAULT_SHOWN = 8
EXPIRY_WINDOW_DAYS = 7


class _Message(BaseModel):
    model_config = ConfigDict(frozen=True)


class Shown(_Message, Generic[T]):
    """The first items of a list, and how many there are in all."""

    items: tuple[T, ...] = ()
    total: int = 0

    @property
    def more(self) -> int:
        return max(self.total - len(self.items), 0)


class DigestFinding(_Message):
    rule_id: str
    title: str  # the desired state
    headline: str = ""  # what is wrong while it fails; the title once resolved
    category: RuleCategory = RuleCategory.SECURITY
    severity: Severity
    account: str
    region: str
    resource_kind: str
    resource_id: str
    open_days: int | None = None


class TokenDue(_Message):
    """An AUTH token past, or within a week of, the policy's maximum age."""

    resource_kind: str
    resource_id: str
    account: str
    region: str
    changed_on: date | None  # None: AWS reports no date
    due_on: date | None
    overdue: bool


class PendingApproval(_Message):
    request_id: str
    kind: str
    requester: str
    resource_id: str
    change: str
    expires_at: datetime
    # enough to decide from a list (App Home): what the Approve would run, and where
    rule_id: str = ""
    account: str = ""
    region: str = ""
    api_call: str = ""
    changes_aws: bool = False
    warning: str = ""


class ExpiringRisk(_Message):
    rule_id: str
    resource_id: str
    account: str
    region: str
    until: date
    accepted_by: str
    reason: str = ""


class ScheduleNote(_Message):
    """How this digest came about: on time, late, on request, and which days were missed."""

    trigger: str  # "schedule" or "manual"
    request_id: str = ""  # manual requests: tells two requests of one day apart
    scheduled_for: str = ""  # e.g. "09:00 Europe/Berlin"
    scheduled_at: datetime | None = None  # UTC
    late_minutes: int = 0
    missed_days: tuple[date, ...] = ()


def lateness(note: ScheduleNote, now: datetime, late_after_minutes: int) -> ScheduleNote:
    """The note as of `now`: a digest that waited for a worker is late even if queued on time."""
    if note.scheduled_at is None:
        return note
    minutes = max(int((now - note.scheduled_at).total_seconds() // 60), 0)
    late = minutes if minutes >= late_after_minutes else 0
    return note.model_copy(update={"late_minutes": max(late, note.late_minutes)})


class Digest(_Message):
    channel: str
    scope: str
    day: date
    timezone: str
    generated_at: datetime
    score: int | None
    previous_score: int | None = None
    failing: SeverityCounts
    previous_failing: SeverityCounts | None = None
    compared_to: datetime | None = None  # None: the first digest, nothing to compare with
    new: Shown[DigestFinding] = Shown()
    resolved: Shown[DigestFinding] = Shown()
    reopened: Shown[DigestFinding] = Shown()
    oldest_open: Shown[DigestFinding] = Shown()
    tokens_due: Shown[TokenDue] = Shown()
    pending_approvals: Shown[PendingApproval] = Shown()
    expiring_risks: Shown[ExpiringRisk] = Shown()
    approvals_available: bool = True
    unassessed: tuple[str, ...] = ()
    schedule: ScheduleNote | None = None
    report_filename: str = ""
    chart_filename: str = ""

    @property
    def score_change(self) -> int | None:
        if self.score is None or self.previous_score is None:
            return None
        return self.score - self.previous_score


@dataclass(frozen=True)
class Baseline:
    """The scan the digest is compared with (normally the one the last digest used)."""

    scan: PreviousScan
    failing: SeverityCounts
    passing: SeverityCounts


@dataclass(frozen=True)
class DigestInputs:
    channel: str
    scope: str
    day: date
    timezone: str
    now: datetime
    findings: Sequence[Finding]
    observation: ScanObservation
    states: Mapping[FindingKey, KeyHistory]  # after this scan was recorded
    baseline: Baseline | None = None
    tokens: Sequence[TokenDue] = ()
    approvals: Sequence[PendingApproval] = ()
    risks: Sequence[ExpiringRisk] = ()
    approvals_available: bool = True
    schedule: ScheduleNote | None = None
    report_filename: str = ""
    chart_filename: str = ""
    shown: int = DEFAULT_SHOWN


def shown(items: Iterable[T], limit: int) -> Shown[T]:
    every = tuple(items)
    return Shown[T](items=every[:limit], total=len(every))


TitleLookup = Callable[[str], str]


def _digest_finding(
    key: FindingKey, inputs: DigestInputs, titles: Mapping[FindingKey, str], lookup: TitleLookup
) -> DigestFinding:
    rule, account, region, kind, resource = key
    state = inputs.states.get(key)
    severity = inputs.observation.failing.get(key) or (state.severity if state else Severity.INFO)
    open_days = state.open_days(inputs.now) if state and state.is_open else None
    title = titles.get(key) or lookup(rule)
    category, failure = catalog_facts(rule)
    failing = key in inputs.observation.failing
    return DigestFinding(
        rule_id=rule,
        title=title,
        headline=failure if failing and failure else title,
        category=category,
        severity=severity,
        account=account,
        region=region,
        resource_kind=kind,
        resource_id=resource,
        open_days=open_days,
    )


def _by_severity(findings: Iterable[DigestFinding]) -> list[DigestFinding]:
    """Most severe first, and every security finding before any cost one."""
    return sorted(
        findings,
        key=lambda f: (
            f.category is RuleCategory.COST,
            -f.severity.rank,
            f.rule_id,
            f.resource_id,
            f.account,
        ),
    )


def _oldest_open(inputs: DigestInputs) -> list[FindingKey]:
    """Serious open security findings, oldest first; cost findings never rank among them."""
    serious = [
        k
        for k, s in inputs.observation.failing.items()
        if s.rank >= Severity.HIGH.rank and catalog_facts(k[0])[0] is RuleCategory.SECURITY
    ]
    far_past = inputs.now

    def opened(key: FindingKey) -> tuple[datetime, int, FindingKey]:
        state = inputs.states.get(key)
        return (state.opened_at if state else far_past, -inputs.observation.failing[key].rank, key)

    return sorted(serious, key=opened)


def _expiring(risks: Iterable[ExpiringRisk], today: date) -> list[ExpiringRisk]:
    window_end = today + timedelta(days=EXPIRY_WINDOW_DAYS)
    return sorted((r for r in risks if today <= r.until <= window_end), key=lambda r: r.until)


def build_digest(inputs: DigestInputs, lookup_title: TitleLookup) -> Digest:
    """The digest for one channel and day; `lookup_title` names rules no longer failing."""
    titles = {finding_key(f): f.title for f in inputs.findings}
    baseline = inputs.baseline
    first_seen = {key: state.first_seen for key, state in inputs.states.items()}
    delta = classify(baseline.scan if baseline else None, inputs.observation, first_seen)
    limit = inputs.shown

    def listed(keys: Iterable[FindingKey], *, sort: bool = True) -> Shown[DigestFinding]:
        items = [_digest_finding(k, inputs, titles, lookup_title) for k in keys]
        return shown(_by_severity(items) if sort else items, limit)

    compared = baseline is not None
    return Digest(
        channel=inputs.channel,
        scope=inputs.scope,
        day=inputs.day,
        timezone=inputs.timezone,
        generated_at=inputs.now,
        score=posture_score(inputs.observation.failing_counts, inputs.observation.passing),
        previous_score=posture_score(baseline.failing, baseline.passing) if baseline else None,
        failing=inputs.observation.failing_counts,
        previous_failing=baseline.failing if baseline else None,
        compared_to=baseline.scan.at if baseline else None,
        new=listed(delta.new) if compared else Shown(),
        resolved=listed(delta.resolved) if compared else Shown(),
        reopened=listed(delta.reopened) if compared else Shown(),
        oldest_open=listed(_oldest_open(inputs), sort=False),
        tokens_due=shown(sorted(inputs.tokens, key=_token_order), limit),
        pending_approvals=shown(sorted(inputs.approvals, key=lambda a: a.expires_at), limit),
        expiring_risks=shown(_expiring(inputs.risks, inputs.day), limit),
        approvals_available=inputs.approvals_available,
        unassessed=tuple(
            sorted("/".join(p for p in part if p) for part in inputs.observation.unassessed_parts)
        ),
        schedule=inputs.schedule,
        report_filename=inputs.report_filename,
        chart_filename=inputs.chart_filename,
    )


def _token_order(token: TokenDue) -> tuple[bool, date, str]:
    return (not token.overdue, token.due_on or date.min, token.resource_id)


def _token_due(
    kind: str,
    resource_id: str,
    inventory: Inventory,
    changed: datetime | None,
    policy: TokenWindow,
) -> TokenDue | None:
    if changed is None:
        return TokenDue(
            resource_kind=kind,
            resource_id=resource_id,
            account=inventory.account,
            region=inventory.region,
            changed_on=None,
            due_on=None,
            overdue=True,  # no date means no evidence of rotation
        )
    due = changed + timedelta(days=policy.maximum_age_days)
    if due > policy.now + timedelta(days=policy.warn_days):
        return None
    return TokenDue(
        resource_kind=kind,
        resource_id=resource_id,
        account=inventory.account,
        region=inventory.region,
        changed_on=changed.date(),
        due_on=due.date(),
        overdue=due <= policy.now,
    )


@dataclass(frozen=True)
class TokenWindow:
    maximum_age_days: int
    now: datetime
    warn_days: int = EXPIRY_WINDOW_DAYS


def tokens_due(inventories: Iterable[Inventory], window: TokenWindow) -> list[TokenDue]:
    """AUTH tokens overdue for rotation or due within the window (AuthTokenLastModifiedDate).

    A token never rotated dates from the resource's creation; member clusters of a
    replication group are covered by the group, and Memcached has no AUTH token.
    """
    due: list[TokenDue] = []
    for inventory in inventories:
        for group in inventory.replication_groups:
            if group.auth_token_enabled and group.engine != "memcached":
                changed = group.auth_token_last_modified_date or group.replication_group_create_time
                found = _token_due(
                    "replication_group", group.replication_group_id, inventory, changed, window
                )
                due += [found] if found else []
        for cluster in inventory.cache_clusters:
            if (
                cluster.auth_token_enabled
                and not cluster.replication_group_id
                and cluster.engine != "memcached"
            ):
                changed = cluster.auth_token_last_modified_date or cluster.cache_cluster_create_time
                found = _token_due(
                    "cache_cluster", cluster.cache_cluster_id, inventory, changed, window
                )
                due += [found] if found else []
    return due
