"""The "..." menu on a finding line maps back onto the finding buttons' ids and values."""

from __future__ import annotations

import pytest

from bot.slack.actions import ActionId, menu_value, parse_menu_value
from bot.slack.listeners.finding_menu import as_button_click
from posture.messages import FindingAction


@pytest.mark.parametrize("action", list(FindingAction))
def test_a_menu_value_round_trips_to_the_button_it_stands_for(action: FindingAction) -> None:
    value = menu_value(action, "a1b2c3")
    assert len(value) <= 150
    parsed = parse_menu_value(value)
    assert parsed is not None and parsed[1] == "a1b2c3"
    assert parsed[0] in (
        ActionId.EXPLAIN,
        ActionId.REQUEST_FIX,
        ActionId.ACCEPT_RISK,
        ActionId.REQUEST_REBUILD,
    )


@pytest.mark.parametrize(
    "value", ["", "a1b2c3", "approval_approve:a1b2c3", "finding_explain:", "finding_menu:x"]
)
def test_anything_else_is_not_ours(value: str) -> None:
    assert parse_menu_value(value) is None


def test_a_menu_choice_becomes_the_matching_button_click() -> None:
    body = {
        "type": "block_actions",
        "trigger_id": "t-1",
        "container": {"channel_id": "C1", "thread_ts": "1.0"},
        "actions": [
            {
                "type": "overflow",
                "action_id": "finding_menu",
                "block_id": "b3",
                "selected_option": {"value": "finding_request_fix:a1b2c3"},
            }
        ],
    }
    clicked = as_button_click(body)
    assert clicked is not None
    (action,) = clicked["actions"]
    assert (action["action_id"], action["value"], action["type"]) == (
        "finding_request_fix",
        "a1b2c3",
        "button",
    )
    assert clicked["trigger_id"] == "t-1" and clicked["container"] == body["container"]
    body["actions"][0]["selected_option"] = {"value": "approval_approve:a1b2c3"}
    assert as_button_click(body) is None  # a menu cannot approve anything
