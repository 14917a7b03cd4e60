"""The approval state machine: who may decide what, and what a decision changes. Pure.

Redis holds the state and applies a transition only if the state is still the one the
decision was made against (compare-and-set), so exactly one of many concurrent clicks wins.

    pending --approve--> approved --start--> running --finish--> done | failed
    pending --deny-----> denied
    pending --(time)---> expired
    pending|approved --cancel--> cancelled
Final states: denied, expired, done, failed, cancelled.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from posture.conversations import ConversationRef, MessageRef, legacy_conversation, legacy_message


class RequestKind(StrEnum):
    FIX = "fix"  # one in-place remediation of one finding
    ACCEPT_RISK = "accept_risk"  # suppress a finding until a date, with a reason
    ROTATE = "rotate"  # AUTH token rotation, phase 1 (ROTATE)
    FINALIZE = "finalize"  # AUTH token rotation, phase 2 (SET)
    REBUILD = "rebuild"  # start a rebuild migration (snapshot, copy with the fix, verify)
    REBUILD_DELETE = "rebuild_delete"  # delete a rebuilt cache's source, with a final snapshot


class State(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    DENIED = "denied"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


FINAL_STATES = frozenset({State.DONE, State.FAILED, State.DENIED, State.EXPIRED, State.CANCELLED})


class Decision(StrEnum):
    APPROVE = "approve"
    DENY = "deny"


class ApprovalRequest(BaseModel):
    """Everything an approver needs to decide, and what happened since.

    `target` is the resource; `change` says in words what will change and `api_call` the
    exact call (operation and parameters, never secret values).
    """

    model_config = ConfigDict(frozen=True)

    request_id: str = Field(pattern=r"^[a-z0-9]{8,32}$")
    kind: RequestKind
    state: State = State.PENDING
    requester: str
    created_at: datetime
    expires_at: datetime
    rule_id: str | None = None
    finding_id: str | None = None
    account: str
    region: str
    resource_kind: str
    resource_id: str
    change: str
    api_call: str
    risk: str = ""
    backout: str = ""
    reason: str = ""  # accept risk: why
    accept_until: datetime | None = None  # accept risk: until when
    fingerprint: str = ""  # the resource's relevant state when requested
    origin: ConversationRef = ConversationRef()  # where it was asked (the finding's thread)
    posted: MessageRef | None = None  # the request's own message
    mirror: MessageRef | None = None  # its copy in the security channel
    decided_by: str | None = None
    decided_at: datetime | None = None
    outcome: str = ""
    correlation_id: str = ""
    warning: str = ""  # a fix's must-read before approving (endpoints that change)
    decision_reason: str = ""  # why the approver denied it (asked on Deny)

    @property
    def changes_aws(self) -> bool:
        """Approving starts a job that writes to AWS (an accepted risk only records a note)."""
        return self.kind is not RequestKind.ACCEPT_RISK

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES

    @property
    def messages(self) -> tuple[MessageRef, ...]:
        """Where the request is shown: its own message and its security-channel copy."""
        return tuple(ref for ref in (self.posted, self.mirror) if ref is not None)

    @model_validator(mode="before")
    @classmethod
    def _read_slack_fields(cls, data: Any) -> Any:
        """Records stored before references existed carried Slack channel ids and ts."""
        if not isinstance(data, dict) or not {"channel", "thread_ts", "message_ts"} & data.keys():
            return data
        doc = dict(data)
        channel = str(doc.pop("channel", "") or "")
        doc.setdefault("origin", legacy_conversation(channel, str(doc.pop("thread_ts", "") or "")))
        doc.setdefault("posted", legacy_message(channel, str(doc.pop("message_ts", "") or "")))
        mirror_channel = str(doc.pop("mirror_channel", "") or "")
        doc.setdefault(
            "mirror", legacy_message(mirror_channel, str(doc.pop("mirror_ts", "") or ""))
        )
        return doc


class Approvers(BaseModel):
    """Who may decide: user ids, plus members of approver groups (Slack user groups, Entra
    groups), resolved by the caller through `workers.platform.ApproverDirectory`."""

    model_config = ConfigDict(frozen=True)

    users: frozenset[str] = frozenset()
    group_members: frozenset[str] = frozenset()

    def allows(self, user_id: str) -> bool:
        return user_id in self.users or user_id in self.group_members


class Transition(BaseModel):
    """Apply `to` if the stored state is still `expected`."""

    model_config = ConfigDict(frozen=True)

    expected: State
    to: State
    decided_by: str | None = None
    decided_at: datetime | None = None
    outcome: str = ""
    reason: str = ""  # the decider's own words (a denial's reason)


class Refusal(BaseModel):
    """The click changes nothing; `message` is shown only to the clicker."""

    model_config = ConfigDict(frozen=True)

    message: str
    expire: Transition | None = None  # the request turned out to be expired: record that


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "earlier"


def decide(
    request: ApprovalRequest,
    actor: str,
    decision: Decision,
    now: datetime,
    approvers: Approvers,
    *,
    reason: str = "",
) -> Transition | Refusal:
    """The one place that says whether `actor` may approve or deny `request` now.

    `reason` (the approver's words, asked on Deny) is kept with the decision."""
    if request.is_final or request.state is not State.PENDING:
        who = f" by {request.decided_by}" if request.decided_by else ""
        return Refusal(
            message=f"This request is already {request.state}{who} ({_when(request.decided_at)})."
        )
    if now >= request.expires_at:
        expire = Transition(
            expected=State.PENDING, to=State.EXPIRED, decided_at=now, outcome="expired"
        )
        return Refusal(
            message=f"This request expired at {_when(request.expires_at)}; ask for a new one.",
            expire=expire,
        )
    if actor == request.requester:
        return Refusal(
            message="You asked for this change, so someone else must decide it (four-eyes rule)."
        )
    if not approvers.allows(actor):
        return Refusal(
            message="Only configured approvers can decide requests; nothing was changed."
        )
    target = State.APPROVED if decision is Decision.APPROVE else State.DENIED
    return Transition(
        expected=State.PENDING, to=target, decided_by=actor, decided_at=now, reason=reason.strip()
    )


def expiry_sweep(request: ApprovalRequest, now: datetime) -> Transition | None:
    """A pending request past its expiry becomes expired (run by whoever looks at it)."""
    if request.state is State.PENDING and now >= request.expires_at:
        return Transition(
            expected=State.PENDING, to=State.EXPIRED, decided_at=now, outcome="expired"
        )
    return None


def start(request: ApprovalRequest) -> Transition | Refusal:
    """A job may start only an approved request, and only once."""
    if request.state is not State.APPROVED:
        return Refusal(message=f"not approved (state {request.state})")
    return Transition(expected=State.APPROVED, to=State.RUNNING)


def finish(request: ApprovalRequest, *, ok: bool, outcome: str) -> Transition | Refusal:
    if request.state is not State.RUNNING:
        return Refusal(message=f"not running (state {request.state})")
    return Transition(
        expected=State.RUNNING, to=State.DONE if ok else State.FAILED, outcome=outcome
    )


def cancel(
    request: ApprovalRequest, actor: str, approvers: Approvers, now: datetime
) -> Transition | Refusal:
    """The requester or an approver may withdraw a request that has not started."""
    if request.state not in (State.PENDING, State.APPROVED):
        return Refusal(message=f"This request is already {request.state}; it cannot be cancelled.")
    if actor != request.requester and not approvers.allows(actor):
        return Refusal(message="Only the requester or an approver can cancel this request.")
    return Transition(expected=request.state, to=State.CANCELLED, decided_by=actor, decided_at=now)


def default_expiry(now: datetime, hours: int) -> datetime:
    return now + timedelta(hours=hours)
