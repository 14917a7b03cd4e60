"""The steps of an approved fix: re-read and compare, apply once, wait, verify, report.

Each step reloads what it needs from Redis and AWS, so a step can run again after a crash:
the phase in `FixStore` tells a retried job whether the calls were sent, and a call sent
just before a crash is recognised by its effect (the resource is changing, or passes).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property

from posture.approvals import ApprovalRequest
from posture.findings import Finding, Status
from posture.messages import Notice
from posture.remediation import FixPlan, current_finding, plan_fix
from posture.remediation.endpoints import group_endpoints
from posture.remediation.target import find_resource
from posture.remediation.words import changed_text, gone_text, unavailable_text
from posture.resources import Inventory, ReplicationGroup
from workers.approvals.flow import ApprovalFlow, request_fields
from workers.aws.session import AccountSession
from workers.fixes.reads import AVAILABLE, read_for_fix, remediation_session, status_of
from workers.fixes.store import FixStore
from workers.platform.enqueue import enqueue_fix_check
from workers.platform.runtime import JobEnvironment

log = logging.getLogger(__name__)
CHECK_FIRST_SECONDS = 1
CHECK_MAX_SECONDS = 30
MAX_CHECKS = 200  # about an hour and a half of waiting for AWS at the longest interval


@dataclass(frozen=True)
class FixRun:
    """One approved fix being carried out: its request, its approved plan, and the job's tools."""

    env: JobEnvironment
    flow: ApprovalFlow
    fixes: FixStore
    request: ApprovalRequest
    plan: FixPlan

    @cached_property
    def session(self) -> AccountSession:
        """One session per job: building one parses the service models again."""
        return remediation_session(self.env, self.plan.account)

    def read(self, session: AccountSession) -> Inventory:
        groups = self.env.config.policy.auth.allowed_user_groups[:1]
        return read_for_fix(
            session,
            self.plan.account,
            self.plan.region,
            self.plan.resource_kind,
            self.plan.resource_id,
            now=self.env.clock(),
            user_groups=groups,
        )

    def verdict(self, inventory: Inventory) -> Finding | None:
        plan = self.plan
        return current_finding(
            plan.rule_id,
            plan.resource_kind,
            plan.resource_id,
            inventory,
            self.env.config.policy,
            self.env.clock(),
        )

    def replan(self, inventory: Inventory) -> FixPlan:
        plan = self.plan
        return plan_fix(
            plan.rule_id,
            plan.resource_kind,
            plan.resource_id,
            inventory,
            self.env.config.policy,
            self.env.clock(),
            allow_drift=plan.drift_accepted,
        )

    def say(self, text: str) -> None:
        """A line in the finding's thread, for everyone following it."""
        notice = Notice(text=text, detail=f"request {self.request.request_id}")
        self.env.notifiers.to(self.request.origin).say(self.request.origin, notice)

    def audit(self, event: str, **details: str) -> None:
        self.flow.audit.append(event, **request_fields(self.request), **details)

    def fail(self, text: str, outcome: str) -> None:
        self.say(text)
        self.flow.finish(self.request, ok=False, outcome=outcome)


def resource_state(inventory: Inventory, plan: FixPlan) -> str | None:
    resource = find_resource(inventory, plan.resource_kind, plan.resource_id)
    return None if resource is None else status_of(resource)


# Fixes after which clients must read the endpoint names again (TLS replaces them).
ENDPOINT_CHANGING_RULES = frozenset({"CW-101", "CW-102"})


def endpoints_after(plan: FixPlan, inventory: Inventory) -> tuple[str, ...]:
    """The group's endpoint names as re-collected after a TLS fix; () for other fixes."""
    if plan.rule_id not in ENDPOINT_CHANGING_RULES:
        return ()
    resource = find_resource(inventory, plan.resource_kind, plan.resource_id)
    return group_endpoints(resource) if isinstance(resource, ReplicationGroup) else ()


def calls_to_send(run: FixRun, inventory: Inventory, phase_applying: bool) -> FixPlan | None:
    """The calls still to make, or None after reporting why nothing may be sent.

    First run: the resource must be available and unchanged since the request. After a
    crash mid-call: if the call landed (the resource is changing or passes) there is
    nothing to send; if the remaining calls are a subset of the approved ones, send those.
    """
    status = resource_state(inventory, run.plan)
    if status is None:
        run.fail(gone_text(run.plan), "the resource no longer exists")
        return None
    verdict = run.verdict(inventory)
    if phase_applying and (
        status != AVAILABLE or (verdict is not None and verdict.status is Status.PASS)
    ):
        run.audit("aws.call.landed", status=status)
        return run.plan.model_copy(update={"calls": ()})
    if status != AVAILABLE:
        run.fail(unavailable_text(run.plan, status), f"not applied: the resource was {status}")
        return None
    fresh = run.replan(inventory)
    if fresh.fingerprint == run.plan.fingerprint:
        return run.plan
    if phase_applying and fresh.runs_calls and fresh.calls_subset_of(run.plan):
        return fresh
    run.fail(changed_text(run.plan), "not applied: the resource changed since the request")
    return None


def schedule_check(run: FixRun, attempt: int) -> None:
    """Verification runs later as its own job, so no worker waits for AWS."""
    delay = min(CHECK_FIRST_SECONDS * 2 ** (attempt - 1), CHECK_MAX_SECONDS)
    if not enqueue_fix_check(run.env.connection, run.request.request_id, attempt, delay):
        log.info(
            "check already scheduled",
            extra={"request_id": run.request.request_id, "attempt": attempt},
        )
