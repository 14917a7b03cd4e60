"""Everything a digest needs, gathered: a fresh scan, history, approvals, accepted risks.

Shared by the digest job (records the scan and posts) and `cachewarden digest` (prints,
and by default leaves history untouched). The decisions are in `posture.digest`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypedDict
from zoneinfo import ZoneInfo

import redis

from commands.scope import Scope
from posture.base import Severity
from posture.catalog import get_rule
from posture.chart import render_trend_png
from posture.digest import (
    Baseline,
    Digest,
    DigestInputs,
    ExpiringRisk,
    PendingApproval,
    ScheduleNote,
    TokenDue,
    TokenWindow,
    build_digest,
    tokens_due,
)
from posture.export import to_csv
from posture.findings import Finding
from posture.history import FindingKey, KeyHistory, ScanObservation, daily_trend, observe
from posture.resources import Inventory
from workers.approvals.suppressions_store import with_accepted_risks
from workers.audit.history_store import (
    HistoryStore,
    RecordedScan,
    ScanMeta,
    StoredScan,
    scope_key_for,
)
from workers.audit.publish import error_findings
from workers.audit.scanning import (
    account_allowed,
    findings_for,
    scan_filters,
    scan_scope,
    session_for,
)
from workers.aws.scan import scan
from workers.aws.session import CallCounter
from workers.aws.targets import resolve_targets
from workers.digest.sources import read_expiring_risks, read_pending_approvals
from workers.platform.config import AppConfig

log = logging.getLogger(__name__)
TREND_DAYS = 30


@dataclass(frozen=True)
class ScanOutcome:
    findings: list[Finding]
    inventories: tuple[Inventory, ...]


@dataclass(frozen=True)
class DigestRequest:
    channel: str
    scope: Scope
    timezone: str
    day: date
    now: datetime
    user: str = ""
    schedule: ScheduleNote | None = None


@dataclass(frozen=True)
class BuiltDigest:
    digest: Digest
    chart_png: bytes
    report_csv: bytes
    scan_id: str | None  # None when the scan was not recorded


def scan_scope_now(scope: Scope, config: AppConfig, endpoint_url: str | None) -> ScanOutcome:
    """Scan the scope in this process (a thread pool), the way `cachewarden audit` does."""
    counter = CallCounter()
    base = session_for(None, endpoint_url=endpoint_url, counter=counter)
    resolved = resolve_targets(scan_scope(scope, config), base, counter=counter)
    targets = [t for t in resolved.targets if account_allowed(t.account_id, scope)]
    result = scan(
        targets,
        scan_filters(scope),
        max_workers=config.scan.max_workers,
        counter=counter,
        lookback=config.policy.nodes.idle_window,
    )
    collected = {(i.account, i.region) for i in result.inventories}
    # Parts with no inventory at all could not be judged; errors inside an inventory can.
    crashed = [
        e
        for e in result.errors
        if (e.account_id, e.region) not in collected and e not in resolved.errors
    ]
    findings = error_findings([*resolved.errors, *crashed])
    for inventory in result.inventories:
        findings += findings_for(inventory, scope, config.policy, result.finished)
    return ScanOutcome(findings=findings, inventories=result.inventories)


def rule_title(rule_id: str) -> str:
    try:
        return get_rule(rule_id).title
    except KeyError:
        return rule_id


def _history_inputs(
    history: HistoryStore | None,
    request: DigestRequest,
    findings: Sequence[Finding],
    record: bool,
) -> tuple[ScanObservation, dict[FindingKey, KeyHistory], Baseline | None, str | None]:
    """Observation, key histories, baseline and the recorded scan id (if any)."""
    scope = scope_key_for(request.scope.canonical())
    if history is None:
        observation = observe(findings, request.now)
        states = {k: _fresh_state(s, request.now) for k, s in observation.failing.items()}
        return observation, states, None, None
    recorded: RecordedScan | None = None
    if record:
        meta = ScanMeta(
            scope, request.scope.describe(), request.channel, request.user, source="digest"
        )
        recorded = history.record_scan(findings, meta, request.now)
        observation, states = recorded.observation, dict(recorded.states)
    else:
        observation = observe(findings, request.now)
        states = history.states(observation.failing)
    baseline = _baseline(history, request.channel, scope, recorded)
    if baseline is not None:
        missing = [k for k in baseline.open_keys if k not in states]
        states.update(history.states(missing))
    scan_id = recorded.scan.scan_id if recorded else None
    return observation, states, baseline.as_baseline() if baseline else None, scan_id


def _baseline(
    history: HistoryStore, channel: str, scope: str, recorded: RecordedScan | None
) -> StoredScan | None:
    """The scan the channel's last digest reported, else the scope's previous scan."""
    current = recorded.scan.scan_id if recorded else ""
    last_digest = history.digest_baseline(channel) if channel else None
    if last_digest and last_digest != current:
        stored = history.get_scan(last_digest)
        if stored is not None and stored.meta.scope_key == scope:
            return stored
    if recorded is not None:
        return recorded.previous
    return history.latest_scan(scope)


def _fresh_state(severity: Severity, now: datetime) -> KeyHistory:
    return KeyHistory(severity=severity, first_seen=now, last_seen=now, opened_at=now)


def _trend_png(
    history: HistoryStore | None, request: DigestRequest, observation: ScanObservation
) -> bytes:
    zone = ZoneInfo(request.timezone)
    if history is None:
        points = [(request.now, observation.failing_counts)]
    else:
        since = request.now - timedelta(days=TREND_DAYS + 1)
        points = history.trend(scope_key_for(request.scope.canonical()), since)
        points.append((request.now, observation.failing_counts))
    local = [(at.astimezone(zone).replace(tzinfo=None), counts) for at, counts in points]
    return render_trend_png(daily_trend(local, request.day, TREND_DAYS))


class _Sections(TypedDict):
    tokens: list[TokenDue]
    approvals: list[PendingApproval]
    risks: list[ExpiringRisk]
    approvals_available: bool


def _sections(
    connection: redis.Redis | None, config: AppConfig, request: DigestRequest, outcome: ScanOutcome
) -> _Sections:
    """Tokens due, pending approvals and accepted risks: what the digest lists beside findings."""
    window = TokenWindow(
        maximum_age_days=config.policy.auth.maximum_token_age_days, now=request.now
    )
    return {
        "tokens": tokens_due(outcome.inventories, window),
        "approvals": read_pending_approvals(connection) if connection else [],
        "risks": read_expiring_risks(connection, request.now) if connection else [],
        "approvals_available": connection is not None,
    }


def assemble_digest(
    connection: redis.Redis | None,
    config: AppConfig,
    request: DigestRequest,
    outcome: ScanOutcome,
    *,
    record: bool,
) -> BuiltDigest:
    """Build the digest, its chart and report; records the scan in history when asked."""
    history = None
    findings = outcome.findings
    if connection is not None:
        history = HistoryStore(connection, retention_days=config.digest.retention_days)
        findings = with_accepted_risks(connection, findings, request.now)  # as audits do
    observation, states, baseline, scan_id = _history_inputs(history, request, findings, record)
    stamp = request.day.isoformat()
    inputs = DigestInputs(
        channel=request.channel,
        scope=request.scope.describe(),
        day=request.day,
        timezone=request.timezone,
        now=request.now,
        findings=findings,
        observation=observation,
        states=states,
        baseline=baseline,
        schedule=request.schedule,
        report_filename=f"cachewarden-digest-{stamp}.csv",
        chart_filename=f"cachewarden-trend-{stamp}.png",
        shown=config.digest.shown_per_section,
        **_sections(connection, config, request, outcome),
    )
    digest = build_digest(inputs, rule_title)
    chart = _trend_png(history, request, observation)
    return BuiltDigest(digest, chart, to_csv(findings).encode(), scan_id)
