"""The I/O around an approval request, shared by the listener and the jobs of every kind.

Opening a request stores it, posts it in the finding's thread, mirrors it to the security
channel, schedules its expiry and writes the audit log. Every state change goes through
`ApprovalStore.apply` (compare-and-set) and, when it wins, is logged and redrawn on both
messages. Fix, accept-risk and token-rotation requests all use these functions.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from datetime import datetime

import redis

from posture.approvals import ApprovalRequest, RequestKind, State, Transition, finish, start
from posture.conversations import ConversationRef, MessageRef
from posture.findings import Finding
from workers.approvals.store import ApprovalStore
from workers.platform.enqueue import enqueue_expiry
from workers.platform.notifier import Notifiers, NotifyError
from workers.trail.log import AuditLog

log = logging.getLogger(__name__)

EVENTS = {
    State.APPROVED: "request.approved",
    State.DENIED: "request.denied",
    State.EXPIRED: "request.expired",
    State.RUNNING: "job.started",
    State.DONE: "request.done",
    State.FAILED: "request.failed",
    State.CANCELLED: "request.cancelled",
}


def request_fields(request: ApprovalRequest) -> dict[str, str]:
    """What every audit entry about a request carries: ids and names, never secrets."""
    return {
        "request_id": request.request_id,
        "kind": str(request.kind),
        "rule_id": request.rule_id or "",
        "account": request.account,
        "region": request.region,
        "target": f"{request.resource_kind}/{request.resource_id}",
    }


def subject_of(finding: Finding, kind: RequestKind) -> str:
    """What at most one open request may be about: a kind of request on one finding."""
    return json.dumps([str(kind), *[str(part) for part in finding.key]])


class ApprovalFlow:
    def __init__(
        self,
        connection: redis.Redis,
        notifiers: Notifiers,
        *,
        security_channel: str = "",
        clock: Callable[[], datetime],
    ) -> None:
        self.connection = connection
        self.store = ApprovalStore(connection)
        self.audit = AuditLog(connection)
        self.notifiers = notifiers
        self.security_channel = security_channel
        self.clock = clock

    def open(self, request: ApprovalRequest) -> ApprovalRequest:
        """Store, post in the thread, mirror to the security channel, schedule the expiry."""
        self.store.create(request)
        self.audit.append(
            "request.created",
            actor=request.requester,
            **request_fields(request),
            change=request.change[:300],
        )
        posted = self.notifiers.to(request.origin).post_approval(request.origin, request)
        shown = request.model_copy(update={"posted": posted})
        mirror = self._mirror_place(request.origin)
        mirror_ref: MessageRef | None = None
        if mirror is not None:
            try:  # the copy links back to the thread; the thread's message then links here
                mirror_ref = self.notifiers.to(mirror).post_approval(mirror, shown)
            except NotifyError:
                log.warning(
                    "could not mirror the request", extra={"request_id": request.request_id}
                )
        updated = self.store.update_fields(request.request_id, posted=posted, mirror=mirror_ref)
        if updated is not None and mirror_ref is not None:
            self._redraw(posted, updated)
        self._schedule_expiry(request)
        return updated or request

    def _mirror_place(self, origin: ConversationRef) -> ConversationRef | None:
        """The security channel, on the request's own platform; None when asked there."""
        if self.security_channel in ("", origin.channel):
            return None
        return origin.top_level().model_copy(update={"channel": self.security_channel})

    def claim_open(self, subject: str, request_id: str, ttl_seconds: int) -> str | None:
        """Reserve `subject` (a finding and a kind) for a new request.

        Returns None when the caller may go ahead, or the id of a request on the same
        subject that is still open (pending, approved or running).
        """
        digest = hashlib.sha256(subject.encode()).hexdigest()[:32]
        key = f"cw:approval:open:{digest}"
        if self.connection.set(key, request_id, nx=True, ex=ttl_seconds):
            return None
        raw = self.connection.get(key)
        existing = raw.decode() if isinstance(raw, bytes) else str(raw or "")
        current = self.store.get(existing) if existing else None
        if current is not None and not current.is_final:
            return existing
        self.connection.set(key, request_id, ex=ttl_seconds)
        return None

    def _schedule_expiry(self, request: ApprovalRequest) -> None:
        enqueue_expiry(self.connection, request)

    def refresh(self, request: ApprovalRequest) -> None:
        """Redraw both copies of the message; a failed redraw is logged, never raised."""
        for message in request.messages:
            self._redraw(message, request)

    def _redraw(self, message: MessageRef, request: ApprovalRequest) -> None:
        try:
            self.notifiers.to(message).update_approval(message, request)
        except NotifyError:
            log.warning("could not redraw the request", extra={"request_id": request.request_id})

    def apply(
        self, request: ApprovalRequest, transition: Transition, *, actor: str = "cachewarden"
    ) -> tuple[bool, ApprovalRequest | None]:
        """Compare-and-set; the winner logs the change and redraws the messages."""
        won, current = self.store.apply(request.request_id, transition)
        if won and current is not None:
            details = {"outcome": transition.outcome[:300]} if transition.outcome else {}
            if transition.reason:
                details["reason"] = transition.reason[:500]
            self.audit.append(
                EVENTS.get(transition.to, f"request.{transition.to}"),
                actor=actor,
                **request_fields(current),
                **details,
            )
            self.refresh(current)
        return won, current

    def start(self, request: ApprovalRequest) -> ApprovalRequest | None:
        """APPROVED -> RUNNING for the job; a retried job finds it RUNNING already and goes on."""
        if request.state is State.RUNNING:
            self.audit.append("job.resumed", **request_fields(request))
            return request
        transition = start(request)
        if not isinstance(transition, Transition):
            return None
        won, current = self.apply(request, transition)
        return current if won or (current is not None and current.state is State.RUNNING) else None

    def finish(self, request: ApprovalRequest, *, ok: bool, outcome: str) -> ApprovalRequest | None:
        transition = finish(request, ok=ok, outcome=outcome)
        if not isinstance(transition, Transition):
            return None
        return self.apply(request, transition)[1]

    def note_progress(self, request: ApprovalRequest, outcome: str) -> None:
        """A running request's status line says what it is doing now."""
        updated = self.store.update_fields(request.request_id, outcome=outcome)
        if updated is not None:
            self.refresh(updated)
