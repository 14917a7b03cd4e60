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
    FINDING_MENU = "finding_menu"  # the "..." menu on a finding line; options name the above
    REQUEST_REBUILD = "finding_request_rebuild"  # a fix that is a rebuild (issue 17)
    REBUILD_CANCEL = "rebuild_cancel"  # on a rebuild's card: remove what it created
    REBUILD_DELETE_SOURCE = "rebuild_delete_source"  # on a rebuild's card: ask the 2nd approval
    REBUILD_INPUTS = "finding_rebuild_inputs"  # under a rebuild runbook: choose key/subnets/port
    APPLY_ANYWAY = "finding_apply_anyway"  # a template owns it: fix live, the stack will drift


FINDING_ACTION_IDS: Mapping[FindingAction, ActionId] = MappingProxyType(
    {
        FindingAction.EXPLAIN: ActionId.EXPLAIN,
        FindingAction.REQUEST_FIX: ActionId.REQUEST_FIX,
        FindingAction.ACCEPT_RISK: ActionId.ACCEPT_RISK,
        FindingAction.REQUEST_REBUILD: ActionId.REQUEST_REBUILD,
    }
)


def action_id_for(action: FindingAction) -> ActionId:
    return FINDING_ACTION_IDS[action]


def finding_action_for(action_id: str) -> FindingAction | None:
    """The neutral action behind a clicked finding button, or None for any other id."""
    for action, known in FINDING_ACTION_IDS.items():
        if known == action_id:
            return action
    return None


_MENU_SEPARATOR = ":"


def menu_value(action: FindingAction, finding_id: str) -> str:
    """An overflow option's value: the button's action id and its opaque value, joined."""
    return f"{action_id_for(action)}{_MENU_SEPARATOR}{finding_id}"


def parse_menu_value(value: str) -> tuple[ActionId, str] | None:
    """The finding button an overflow option stands for, or None when it is not one of ours."""
    action_id, separator, finding_id = value.partition(_MENU_SEPARATOR)
    if not separator or finding_action_for(action_id) is None or not finding_id:
        return None
    return ActionId(action_id), finding_id
