"""One event, handled: re-read, compare, record, post. Safe to run twice.

The comparison and the write of the new key states happen under the history lock, and
the transitions found are written to an outbox keyed by the event (and re-check attempt)
before anything is posted. A second run of the same attempt finds the outbox and only
posts what is not marked posted yet; a second run with fresh state finds no transition.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from commands.scope import Scope
from posture.alert_transitions import (
    Transition,
    TransitionKind,
    plan_deletion,
    plan_transitions,
    resource_keys,
)
from posture.alerts import ApiCallEvent
from posture.base import ResourceKind
from posture.history import FindingKey, finding_key, key_text
from workers.alerts.posting import post_item
from workers.alerts.resolve import Resolved, resolve_event
from workers.alerts.store import AlertStore
from workers.approvals.suppressions_store import with_accepted_risks
from workers.audit.history_store import HistoryStore
from workers.audit.scanning import session_for
from workers.aws.session import AccountSession
from workers.platform.config import AppConfig
from workers.platform.runtime import JobEnvironment
from workers.platform.telemetry import count

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Handled:
    posted: int
    recheck: bool  # the resource is still modifying: look again later


class AccountSessions:
    """AWS sessions by role, kept warm between events (the listener handles many)."""

    def __init__(self, endpoint_url: str | None, *, max_age_seconds: float = 1800.0) -> None:
        self._endpoint_url = endpoint_url
        self._max_age = max_age_seconds
        self._lock = threading.Lock()
        self._sessions: dict[str, tuple[float, AccountSession]] = {}

    def get(self, role_arn: str | None) -> AccountSession:
        now = time.monotonic()
        with self._lock:
            cached = self._sessions.get(role_arn or "")
            if cached is not None and now - cached[0] < self._max_age:
                return cached[1]
            session = session_for(role_arn, endpoint_url=self._endpoint_url)
            self._sessions[role_arn or ""] = (now, session)
            return session


def handle_event(
    env: JobEnvironment,
    event: ApiCallEvent,
    attempt: int = 0,
    sessions: AccountSessions | None = None,
) -> Handled:
    store = AlertStore(env.connection)
    run_id = f"{event.event_id}.{attempt}"
    items = store.outbox(run_id)
    recheck = False
    if not items:
        sessions = sessions or AccountSessions(env.endpoint_url)
        session = sessions.get(role_for_account(env.config, event.account))
        resolved = resolve_event(session, event, env.config.policy, now=env.clock())
        items = record_transitions(env, store, event, resolved, run_id)
        recheck = resolved.modifying and attempt < env.config.alerts.recheck_attempts
    posted = sum(post_item(env, store, event, item_id, item) for item_id, item in items.items())
    return Handled(posted=posted, recheck=recheck)


def role_for_account(config: AppConfig, account: str) -> str | None:
    """The audit role for the account the event came from (None: the default credentials)."""
    for arn in config.scan.role_arns:
        if arn.split(":")[4] == account:
            return arn
    if config.scan.organization_role:
        return f"arn:aws:iam::{account}:role/{config.scan.organization_role}"
    return None


def record_transitions(
    env: JobEnvironment,
    store: AlertStore,
    event: ApiCallEvent,
    resolved: Resolved,
    run_id: str,
) -> dict[str, dict[str, Any]]:
    now = env.clock()
    findings = with_accepted_risks(env.connection, resolved.findings, now)
    store.forget_gone(event.account, event.region, sorted(resolved.affected - resolved.missing))
    gone = [
        resource
        for resource in sorted(resolved.missing)
        if event.deletes and store.claim_gone(event.account, event.region, *resource)
    ]
    gone_keys = {
        resource: resource_keys(ResourceKind(resource[0]), resource[1], event.account, event.region)
        for resource in gone
    }
    history = HistoryStore(env.connection, retention_days=env.config.digest.retention_days)
    wanted = [finding_key(f) for f in findings] + [k for keys in gone_keys.values() for k in keys]
    subscriptions = store.subscriptions()
    with history.key_lock():
        prior = history.states(wanted)
        plan = plan_transitions(findings, prior, now)
        items = {}
        for transition in plan.transitions:
            channels = _channels(subscriptions, event, resolved, transition.key)
            items[_item_id(run_id, transition.kind, key_text(transition.key))] = _item(
                transition, channels
            )
        updated = dict(plan.updated)
        for resource, keys in gone_keys.items():
            deletion = plan_deletion({k: prior[k] for k in keys if k in prior}, now)
            updated.update(deletion.updated)
            channels = _channels(subscriptions, event, resolved, (
                "", event.account, event.region, resource[0], resource[1]
            ))  # fmt: skip
            items[_item_id(run_id, TransitionKind.DELETED, "|".join(resource))] = {
                "kind": TransitionKind.DELETED.value,
                "resource": list(resource),
                "closed": len(deletion.transitions),
                "channels": channels,
            }
        history.write_states(updated)
        pipe = env.connection.pipeline()
        store.outbox_write(pipe, run_id, items)
        pipe.execute()
    for item in items.values():
        count(env.connection, "alert_transitions", kind=str(item["kind"]))
    return items


def _item_id(run_id: str, kind: str, subject: str) -> str:
    return hashlib.sha256(f"{run_id}|{kind}|{subject}".encode()).hexdigest()[:24]


def _item(transition: Transition, channels: list[str]) -> dict[str, Any]:
    finding = transition.finding
    return {
        "kind": transition.kind.value,
        "key": list(transition.key),
        "severity": transition.severity.value,
        "finding": finding.model_dump(mode="json") if finding else None,
        "channels": channels,
    }


def _channels(
    subscriptions: dict[str, Scope], event: ApiCallEvent, resolved: Resolved, key: FindingKey
) -> list[str]:
    _, account, region, kind, resource = key
    names = {resource} | {lookup.resource_id for lookup in event.lookups}
    engine = resolved.engines.get((kind, resource))
    tags = resolved.tags.get((kind, resource))
    return sorted(
        channel
        for channel, scope in subscriptions.items()
        if scope_covers(scope, account, region, names, engine, tags)
    )


def scope_covers(
    scope: Scope,
    account: str,
    region: str,
    names: set[str],
    engine: str | None,
    tags: dict[str, str] | None,
) -> bool:
    """A channel's alert scope covers a resource; facts we could not read never exclude it."""
    if scope.accounts and account not in scope.accounts:
        return False
    if scope.regions and region not in scope.regions:
        return False
    if scope.resource_ids and not names & set(scope.resource_ids):
        return False
    if scope.engines and engine is not None and engine.lower() not in scope.engines:
        return False
    if scope.tags and tags is not None:
        return all(tags.get(k) == v for k, v in scope.tags)
    return True


def event_age_seconds(event: ApiCallEvent, now: datetime) -> float:
    return max((now - event.event_time).total_seconds(), 0.0)
