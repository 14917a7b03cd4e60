"""Display names for the Entra object ids the flows keep.

Flows, approvals and the audit log hold the sender's Entra object id (`from.aadObjectId`):
stable, and what approver lists name, so authorisation never depends on a name. People read
names, so every turn remembers the sender's `from.name` under that id, and the Teams notifier
shows the name where a card would show the id ("Requested by Sam Security"). An id the bot
has never seen (or a Slack id) is shown as it is.

cw:teams:names    hash    lower-case Entra object id -> display name (as Teams sent it)
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import redis

from posture.approvals import ApprovalRequest
from posture.messages import AuditSummary, FindingsThread, ResourceFindings

NAMES_KEY = "cw:teams:names"
MAX_NAME = 80
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_name(name: str) -> str:
    """One line, no control characters, at most MAX_NAME characters ("" when nothing is left)."""
    return " ".join(_CONTROL.sub(" ", name).split())[:MAX_NAME]


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class DisplayNames:
    def __init__(self, connection: redis.Redis) -> None:
        self._redis = connection

    def remember(self, aad_object_id: str, name: str) -> None:
        """Called on every turn: Teams sends the sender's current name with each activity."""
        cleaned = clean_name(name)
        if aad_object_id and cleaned:
            self._redis.hset(NAMES_KEY, aad_object_id.lower(), cleaned)

    def names(self, ids: Iterable[str]) -> dict[str, str]:
        wanted = sorted({i for i in ids if i})
        if not wanted:
            return {}
        found = self._redis.hmget(NAMES_KEY, [i.lower() for i in wanted])
        return {i: _text(n) for i, n in zip(wanted, found, strict=True) if n}

    def of(self, user_id: str) -> str:
        return self.names([user_id]).get(user_id, user_id)

    # --- neutral messages with names where they hold ids --------------------------------
    def approval(self, request: ApprovalRequest) -> ApprovalRequest:
        known = self.names([request.requester, request.decided_by or ""])
        if not known:
            return request
        update: dict[str, str] = {"requester": known.get(request.requester, request.requester)}
        if request.decided_by:
            update["decided_by"] = known.get(request.decided_by, request.decided_by)
        return request.model_copy(update=update)

    def summary(self, summary: AuditSummary) -> AuditSummary:
        known = self.names([summary.requested_by, *(a.accepted_by for a in summary.accepted)])
        if not known:
            return summary
        accepted = tuple(
            a.model_copy(update={"accepted_by": known.get(a.accepted_by, a.accepted_by)})
            for a in summary.accepted
        )
        requested_by = known.get(summary.requested_by, summary.requested_by)
        return summary.model_copy(update={"requested_by": requested_by, "accepted": accepted})

    def thread(self, thread: FindingsThread) -> FindingsThread:
        ids = [
            who
            for resource in (*thread.resources, *thread.cost_resources)
            for line in resource.findings
            for who in (line.resolved_by, line.accepted_by)
            if who
        ]
        known = self.names(ids)
        if not known:
            return thread

        def named(resources: tuple[ResourceFindings, ...]) -> tuple[ResourceFindings, ...]:
            return tuple(
                resource.model_copy(
                    update={
                        "findings": tuple(
                            line.model_copy(
                                update={
                                    "resolved_by": known.get(line.resolved_by or "")
                                    or line.resolved_by,
                                    "accepted_by": known.get(line.accepted_by or "")
                                    or line.accepted_by,
                                }
                            )
                            for line in resource.findings
                        )
                    }
                )
                for resource in resources
            )

        return thread.model_copy(
            update={
                "resources": named(thread.resources),
                "cost_resources": named(thread.cost_resources),
            }
        )
