"""The only AWS write calls cachewarden makes: the approved calls of a fix plan.

Every other module only reads. A call outside `WRITE_OPERATIONS` is refused before it
leaves the process, so a plan can never smuggle in another operation.
"""

from __future__ import annotations

from typing import Any

from posture.remediation import ApiCall
from workers.aws.errors import AWS_FAILURES, error_code, redact
from workers.aws.session import AccountSession, CallCounter

WRITE_OPERATIONS = frozenset(
    {
        ("elasticache", "ModifyReplicationGroup"),
        ("elasticache", "ModifyCacheCluster"),
        ("elasticache", "ModifyServerlessCache"),
        ("ec2", "RevokeSecurityGroupIngress"),
    }
)
# Rebuilds (workers/rebuilds/steps.py) only: snapshot the source, restore the fixed copy,
# delete the source after a second approval (with a final snapshot), or undo on cancel.
# Kept apart so an in-place fix plan can never carry a create or a delete.
REBUILD_WRITE_OPERATIONS = frozenset(
    {
        ("elasticache", "CreateSnapshot"),
        ("elasticache", "CreateReplicationGroup"),
        ("elasticache", "DeleteReplicationGroup"),
        ("elasticache", "DeleteSnapshot"),
    }
)


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
    session: AccountSession, region: str, call: ApiCall, *, counter: CallCounter | None = None
) -> dict[str, Any]:
    """Make one approved call; returns AWS's answer without its response metadata."""
    if (call.service, call.operation) not in WRITE_OPERATIONS:
        raise NotAllowed(f"{call.service}:{call.operation} is not a fix operation")
    client = session.client(session.new_session(counter), call.service, region)
    try:
        answer = getattr(client, call.method)(**call.params)
    except AWS_FAILURES as exc:
        message = str(getattr(exc, "response", {}).get("Error", {}).get("Message") or exc)
        raise AwsRefusal(call.operation, error_code(exc), redact(message)) from exc
    return {k: v for k, v in dict(answer).items() if k != "ResponseMetadata"}
