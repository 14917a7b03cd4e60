"""The write calls of a fix: the approved calls of a fix plan.

A call outside its rule's declared writes (`posture.privileges.FIX_WRITES`, the same list
`cachewarden iam-policy remediation` grants) is refused before it leaves the process, so a
plan can never smuggle in another operation. Token rotation writes live in
`workers.aws.auth_tokens` and `workers.aws.secrets`; both run only on guarded remediation
sessions.
"""

from __future__ import annotations

from typing import Any

from posture.privileges import FIX_WRITES, REBUILD_WRITES
from posture.remediation import ApiCall
from workers.aws.errors import AWS_FAILURES, error_code, redact
from workers.aws.session import AccountSession, CallCounter

# Rebuilds (workers/rebuilds/steps.py) only: declared in posture.privileges.REBUILD_WRITES and
# kept apart from the fix writes, so an in-place fix plan can never carry a create or a delete.
REBUILD_WRITE_OPERATIONS = REBUILD_WRITES


class AwsRefusal(RuntimeError):
    """AWS (or the way to it) refused the call; `code` is AWS's error code."""

    def __init__(self, operation: str, code: str, message: str) -> None:
        super().__init__(f"{operation}: {code}: {message}")
        self.operation = operation
        self.code = code
        self.message = message


class NotAllowed(ValueError):
    """The call is not one of the write operations a fix may make."""


def apply_call(
    session: AccountSession,
    region: str,
    call: ApiCall,
    *,
    rule_id: str,
    counter: CallCounter | None = None,
) -> dict[str, Any]:
    """Make one approved call of `rule_id`'s fix; returns AWS's answer without its metadata."""
    if (call.service, call.operation) not in FIX_WRITES.get(rule_id, frozenset()):
        raise NotAllowed(f"{call.service}:{call.operation} is not a write of the {rule_id} fix")
    client = session.client(session.new_session(counter), call.service, region)
    try:
        answer = getattr(client, call.method)(**call.params)
    except AWS_FAILURES as exc:
        message = str(getattr(exc, "response", {}).get("Error", {}).get("Message") or exc)
        raise AwsRefusal(call.operation, error_code(exc), redact(message)) from exc
    return {k: v for k, v in dict(answer).items() if k != "ResponseMetadata"}
