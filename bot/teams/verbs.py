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
