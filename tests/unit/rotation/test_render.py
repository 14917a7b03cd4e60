"""Rotation messages in Block Kit: names and ARNs, escaped values, buttons with ids only."""

from __future__ import annotations

import json

from bot.slack.actions import ActionId
from bot.slack.render.slack_rotation import render_rotation, render_rotation_closed
from posture.rotation import Phase, RotationAction, RotationMode, RotationUpdate, SecretView

ARN = "arn:aws:secretsmanager:us-east-1:111111111111:secret:cachewarden/auth/orders-AbCdEf"


def _update(**fields: object) -> RotationUpdate:
    base: dict[str, object] = {
        "rotation_id": "abcdef0123456789",
        "group_id": "orders",
        "account": "111111111111",
        "region": "us-east-1",
        "mode": RotationMode.AUTH_TOKEN,
        "phase": Phase.BOTH_VALID,
        "headline": "both tokens work",
        "state": "Both tokens work now. Move every client to AWSPENDING, then press Finalize.",
        "secrets": (SecretView(name="cachewarden/auth/orders", arn=ARN),),
        "actions": (RotationAction.FINALIZE, RotationAction.CANCEL),
        "correlation_id": "cid123",
    }
    base.update(fields)
    return RotationUpdate.model_validate(base)


def _buttons(blocks: list[dict[str, object]]) -> list[dict[str, object]]:
    found = []
    for block in blocks:
        if block["type"] == "actions":
            found.extend(block["elements"])  # type: ignore[arg-type]
    return found


def test_both_valid_shows_the_secret_and_offers_finalize_and_cancel() -> None:
    text, blocks = render_rotation(_update())
    shown = json.dumps(blocks)
    assert "cachewarden/auth/orders" in shown and ARN in shown
    buttons = _buttons(blocks)
    assert [b["action_id"] for b in buttons] == [ActionId.FINALIZE, ActionId.CANCEL]
    assert {b["value"] for b in buttons} == {"abcdef0123456789"}
    assert "both tokens work" in text


def test_other_phases_have_no_buttons() -> None:
    _, blocks = render_rotation(_update(phase=Phase.DONE, actions=()))
    assert _buttons(blocks) == []


def test_hostile_names_render_inert() -> None:
    hostile = "<!channel> <https://evil.example|x> & co"
    _, blocks = render_rotation(
        _update(group_id=hostile, state=hostile, secrets=(SecretView(name=hostile, arn=ARN),))
    )
    shown = json.dumps(blocks)
    assert "<!channel>" not in shown and "<https://evil" not in shown


def test_rbac_updates_name_each_user() -> None:
    secrets = (
        SecretView(name="p/users/app", arn=ARN, user_id="app"),
        SecretView(name="p/users/ro", arn=ARN, user_id="ro"),
    )
    _, blocks = render_rotation(_update(mode=RotationMode.RBAC_USERS, secrets=secrets))
    shown = json.dumps(blocks)
    assert "RBAC password rotation" in shown and "`app`" in shown and "`ro`" in shown


def test_passing_phases_leave_the_secret_out() -> None:
    _, blocks = render_rotation(_update(phase=Phase.SET_APPLIED, actions=()))
    assert ARN not in json.dumps(blocks)


def test_after_a_click_the_buttons_give_way_to_who_did_what() -> None:
    _, blocks = render_rotation_closed(_update(), "U012ABCDEF", "Finalize requested")
    assert _buttons(blocks) == []
    assert "Finalize requested by <@U012ABCDEF>." in json.dumps(blocks)
