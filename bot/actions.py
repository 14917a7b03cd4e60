"""Every Block Kit action id the bot sends and listens for, in one enum."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from posture.messages import FindingAction


class ActionId(StrEnum):
    EXPLAIN = "finding_explain"
    REQUEST_FIX = "finding_request_fix"
    ACCEPT_RISK = "finding_accept_risk"
    APPROVE = "approval_approve"
    DENY = "approval_deny"
    FINALIZE = "rotation_finalize"
    CANCEL = "rotation_cancel"


FINDING_ACTION_IDS: Mapping[FindingAction, ActionId] = MappingProxyType(
    {
        FindingAction.EXPLAIN: ActionId.EXPLAIN,
        FindingAction.REQUEST_FIX: ActionId.REQUEST_FIX,
        FindingAction.ACCEPT_RISK: ActionId.ACCEPT_RISK,
    }
)


def action_id_for(action: FindingAction) -> ActionId:
    return FINDING_ACTION_IDS[action]
