"""Alerts fire on state transitions of findings, never on "an event happened".

The last known state of each (rule, resource) is its `KeyHistory` (open while failing,
resolved otherwise). A fresh evaluation of the touched resources is compared with it:
pass -> fail opens an alert, fail -> pass resolves it, a deleted resource closes what was
open. Running the same comparison twice changes nothing the second time, so a duplicate
event, a re-delivered message or the bot's own fix (which only ever resolves) can never
post a second "new risk".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, time
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from posture.alerts import Actor, ApiCallEvent
from posture.base import ResourceKind, Severity
from posture.catalog import all_rules
from posture.findings import FAILING_STATUSES, Finding, Status
from posture.history import FindingKey, KeyHistory, finding_key
from posture.messages import FindingAction


class TransitionKind(StrEnum):
    OPENED = "opened"  # pass (or never seen failing) -> fail
    RESOLVED = "resolved"  # fail -> pass
    DELETED = "deleted"  # the resource is gone: what was open is closed


@dataclass(frozen=True)
class Transition:
    kind: TransitionKind
    key: FindingKey
    severity: Severity
    finding: Finding | None  # None for a deletion


@dataclass(frozen=True)
class TransitionPlan:
    transitions: tuple[Transition, ...]
    updated: dict[FindingKey, KeyHistory]  # the histories to write, all of them


def plan_transitions(
    findings: Iterable[Finding], prior: Mapping[FindingKey, KeyHistory], at: datetime
) -> TransitionPlan:
    """Compare a fresh evaluation with the last known states; unknown keys count as passing."""
    transitions: list[Transition] = []
    updated: dict[FindingKey, KeyHistory] = {}
    for finding in findings:
        key = finding_key(finding)
        known = prior.get(key)
        if finding.status in FAILING_STATUSES:
            newly = known is None or not known.is_open
            if newly and finding.status is Status.FAIL:  # an accepted risk is not news
                transitions.append(
                    Transition(TransitionKind.OPENED, key, finding.severity, finding)
                )
            updated[key] = _seen_failing(known, finding.severity, at)
        elif finding.status is Status.PASS and known is not None and known.is_open:
            transitions.append(Transition(TransitionKind.RESOLVED, key, known.severity, finding))
            updated[key] = replace(known, resolved_at=at)
    return TransitionPlan(tuple(transitions), updated)


def plan_deletion(prior: Mapping[FindingKey, KeyHistory], at: datetime) -> TransitionPlan:
    """Every open key of a deleted resource closes, as one DELETED transition each."""
    transitions = tuple(
        Transition(TransitionKind.DELETED, key, state.severity, None)
        for key, state in sorted(prior.items())
        if state.is_open
    )
    updated = {t.key: replace(prior[t.key], resolved_at=at) for t in transitions}
    return TransitionPlan(transitions, updated)


def _seen_failing(known: KeyHistory | None, severity: Severity, at: datetime) -> KeyHistory:
    if known is None:
        return KeyHistory(severity=severity, first_seen=at, last_seen=at, opened_at=at)
    if not known.is_open:
        return replace(
            known,
            severity=severity,
            last_seen=at,
            opened_at=at,
            resolved_at=None,
            reopen_count=known.reopen_count + 1,
        )
    return replace(known, severity=severity, last_seen=max(known.last_seen, at))


def resource_keys(
    kind: ResourceKind, resource_id: str, account: str, region: str
) -> list[FindingKey]:
    """Every key a rule could have for one resource (to close them when it is deleted)."""
    return [
        (rule.id, account, region, str(kind), resource_id)
        for rule in all_rules()
        if kind in rule.resource_kinds
    ]


# --- when a transition is posted -----------------------------------------------------------
@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time  # may be earlier than start: the window spans midnight

    def contains(self, moment: time) -> bool:
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


def parse_quiet_hours(text: str) -> QuietHours | None:
    """ "22:00-07:00" -> QuietHours; "" -> None. Raises ValueError on anything else."""
    if not text:
        return None
    start, sep, end = text.partition("-")
    if not sep:
        raise ValueError(f"{text!r} is not HH:MM-HH:MM")
    return QuietHours(time.fromisoformat(start.strip()), time.fromisoformat(end.strip()))


def worth_posting(
    severity: Severity,
    *,
    minimum: Severity,
    quiet: QuietHours | None,
    quiet_below: Severity,
    local_time: time,
) -> bool:
    """At or above the minimum, and not held back by quiet hours (which spare the severe)."""
    if severity.rank < minimum.rank:
        return False
    return not (quiet and severity.rank < quiet_below.rank and quiet.contains(local_time))


# --- neutral messages ----------------------------------------------------------------------
class _Message(BaseModel):
    model_config = ConfigDict(frozen=True)


class RiskAlert(_Message):
    """A finding that just opened, with who made the change that preceded it."""

    finding_id: str  # the opaque id the buttons carry (the same store as audit findings)
    rule_id: str
    severity: Severity
    failure: str  # the rule's failure headline
    title: str
    resource_kind: str
    resource_id: str
    account: str
    region: str
    evidence: str
    event_name: str
    event_time: datetime
    actor: Actor
    changes: tuple[str, ...] = ()
    actions: tuple[FindingAction, ...] = ()


class AlertFollowUp(_Message):
    """A short reply under an alert (or a short message when there was no alert)."""

    kind: TransitionKind
    rule_id: str
    failure: str
    resource_id: str
    account: str
    region: str
    event_name: str
    event_time: datetime
    actor: Actor


class AlertRollup(_Message):
    """Alerts held back by a channel's rate limit, summarised once per window."""

    held: int
    window_seconds: int
    examples: tuple[str, ...] = ()  # "CW-101 on orders-prod", at most a few


def risk_alert(
    event: ApiCallEvent, finding: Finding, finding_id: str, actions: tuple[FindingAction, ...]
) -> RiskAlert:
    return RiskAlert(
        finding_id=finding_id,
        rule_id=finding.rule_id,
        severity=finding.severity,
        failure=finding.failure or finding.title,
        title=finding.title,
        resource_kind=str(finding.resource_kind),
        resource_id=finding.resource_id,
        account=finding.account,
        region=finding.region,
        evidence=finding.evidence,
        event_name=event.event_name,
        event_time=event.event_time,
        actor=event.actor,
        changes=event.changes,
        actions=actions,
    )


def follow_up(event: ApiCallEvent, transition: Transition, failure: str) -> AlertFollowUp:
    rule, account, region, _, resource = transition.key
    return AlertFollowUp(
        kind=transition.kind,
        rule_id=rule,
        failure=failure,
        resource_id=resource,
        account=account,
        region=region,
        event_name=event.event_name,
        event_time=event.event_time,
        actor=event.actor,
    )
