"""Every Action.Execute verb the Teams cards send and the invoke handler listens for.

A verb names the intent; the action's data carries only an opaque id (finding, request or
rotation id), and the handler reloads everything else, as the Slack action ids do.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from posture.messages import FindingAction


class Verb(StrEnum):
    EXPLAIN = "finding.explain"
    REQUEST_FIX = "finding.request_fix"
    ACCEPT_RISK = "finding.accept_risk"
    SUBMIT_RISK = "risk.submit"  # the accept-risk form: reason and expiry
    APPROVE = "approval.approve"
    DENY = "approval.deny"
    FINALIZE = "rotation.finalize"
    CANCEL = "rotation.cancel"
    AUDIT = "audit.run"  # a suggested scope, or "Scan anyway" (data: scope text, anyway flag)
    PENDING_APPROVE = "pending.approve"  # the same decisions from the personal-chat list
    PENDING_DENY = "pending.deny"
    PENDING_LIST = "pending.list"  # draw the list again
    REBUILD_DELETE_SOURCE = "rebuild.delete_source"
    REBUILD_CANCEL = "rebuild.cancel"
    REBUILD_INPUTS = "rebuild.inputs"  # the "Request rebuild…" form under a rebuild runbook
    APPLY_ANYWAY = "fix.apply_anyway"  # the live fix of a template-owned resource


FINDING_VERBS: Mapping[FindingAction, Verb] = MappingProxyType(
    {
        FindingAction.EXPLAIN: Verb.EXPLAIN,
        FindingAction.REQUEST_FIX: Verb.REQUEST_FIX,
        FindingAction.ACCEPT_RISK: Verb.ACCEPT_RISK,
        FindingAction.REQUEST_REBUILD: Verb.REQUEST_FIX,  # the same job plans a rebuild
    }
)

# Inputs of the accept-risk form, as they arrive in the invoke's action data.
REASON_INPUT = "reason"
UNTIL_INPUT = "until"
# The Deny form's reason; one input per request, so a list of requests keeps them apart.
DENY_REASON_PREFIX = "deny_reason_"
# The "Request rebuild…" form's values (kms_key_id, subnet_group, port), prefixed.
REBUILD_INPUT_PREFIX = "rebuild_"


def deny_reason_input(request_id: str) -> str:
    return f"{DENY_REASON_PREFIX}{request_id}"
