"""What chat shows about a rebuild: the approval body is the diff, the card's buttons follow
the phase, endpoints and cutover steps appear once the copy is verified; values escaped."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.slack.actions import ActionId
from bot.slack.render.rebuild import render_rebuild
from bot.teams.cards.rebuild import render_rebuild_card
from posture.approvals import RequestKind
from posture.conversations import ConversationRef
from posture.findings import Status
from posture.messages import FindingAction
from posture.rebuild_messages import (
    delete_request,
    parse_diff_line,
    rebuild_card,
    rebuild_request,
)
from posture.rebuilds import Rebuild, RebuildPhase
from posture.remediation.rebuild_params import (
    RebuildInputs,
    needs_inputs,
    read_inputs,
    rebuilds_from_chat,
)
from posture.report import finding_actions

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
WHERE = ConversationRef(channel="C1", thread="1712.0001")


def _rebuild(**changes: object) -> Rebuild:
    base = Rebuild(
        rebuild_id="a" * 32, account="111122223333", region="eu-west-1", rule_id="CW-103",
        source_id="orders", copy_id="orders-v2", snapshot_name="orders-cw-aaaa",
        final_snapshot_name="orders-cw-aaaa-final",
        params={"AtRestEncryptionEnabled": True, "TransitEncryptionEnabled": True,
                "AuthToken": "<read from Secrets Manager at create time>"},
        diff=("AtRestEncryptionEnabled: (not set) -> true",), auth_secret="cachewarden/auth/orders",
        source_fingerprint="f", requester="U_DEV", where=WHERE,
    )  # fmt: skip
    return base.model_copy(update=changes)


def test_a_diff_line_splits_into_setting_old_and_new() -> None:
    parsed = parse_diff_line('Tags: [{"Key": "a"}] -> [{"Key": "b"}]')
    assert (parsed.setting, parsed.before, parsed.after) == (
        "Tags",
        '[{"Key": "a"}]',
        '[{"Key": "b"}]',
    )


def test_the_approval_request_body_is_the_diff_and_the_calls_hold_no_secret() -> None:
    request = rebuild_request(_rebuild(), request_id="a" * 32, where=WHERE, now=NOW, ttl_hours=4)
    assert request.kind is RequestKind.REBUILD and request.requester == "U_DEV"
    assert "AtRestEncryptionEnabled: (not set) -> true" in request.change
    assert "CreateSnapshot" in request.api_call and "CreateReplicationGroup" in request.api_call
    assert '"SnapshotName": "orders-cw-aaaa"' in request.api_call
    assert "Secrets Manager" in request.api_call  # the marker, never a token
    deletion = delete_request(
        _rebuild(), request_id="b" * 16, requester="U_OWNER", where=WHERE, now=NOW, ttl_hours=4
    )
    assert deletion.kind is RequestKind.REBUILD_DELETE and deletion.requester == "U_OWNER"
    assert '"FinalSnapshotIdentifier": "orders-cw-aaaa-final"' in deletion.api_call


@pytest.mark.parametrize(
    ("phase", "buttons"),
    [
        (RebuildPhase.REQUESTED, set()),
        (RebuildPhase.CREATING, {ActionId.REBUILD_CANCEL}),
        (RebuildPhase.CUTOVER_READY, {ActionId.REBUILD_CANCEL, ActionId.REBUILD_DELETE_SOURCE}),
        (RebuildPhase.DELETE_REQUESTED, {ActionId.REBUILD_CANCEL}),
        (RebuildPhase.DELETING, set()),
        (RebuildPhase.DONE, set()),
        (RebuildPhase.CANCELLED, set()),
    ],
)
def test_the_card_offers_only_the_moves_its_phase_allows(
    phase: RebuildPhase, buttons: set[ActionId]
) -> None:
    _, blocks = render_rebuild(rebuild_card(_rebuild(phase=phase)))
    shown = {
        element["action_id"]
        for block in blocks
        if block["type"] == "actions"
        for element in block["elements"]
    }
    assert shown == {str(b) for b in buttons}
    for block in blocks:
        for element in block.get("elements", []):
            if "value" in element:
                assert element["value"] == "a" * 32  # the rebuild id, nothing else


def test_endpoints_and_cutover_steps_appear_once_verified() -> None:
    endpoints = ("master.orders-v2.abc.euw1.cache.amazonaws.com:6379",)
    creating = json.dumps(render_rebuild(rebuild_card(_rebuild(phase=RebuildPhase.CREATING)))[1])
    assert "Client cutover" not in creating
    ready = rebuild_card(_rebuild(phase=RebuildPhase.CUTOVER_READY, endpoints=endpoints))
    text = json.dumps(render_rebuild(ready)[1])
    assert endpoints[0] in text and "Client cutover" in text
    assert "with TLS" in text and "same AUTH token" in text
    assert "orders-cw-aaaa-final" in text  # the final snapshot the delete will keep
    done = json.dumps(render_rebuild(rebuild_card(_rebuild(phase=RebuildPhase.DONE)))[1])
    assert "Final snapshot of the old cache" in done


def test_names_are_escaped_in_slack_and_teams() -> None:
    hostile = _rebuild(problem="<!channel> broke", phase=RebuildPhase.FAILED)
    text = json.dumps(render_rebuild(rebuild_card(hostile)))
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
    card = render_rebuild_card(rebuild_card(hostile))
    assert card["type"] == "AdaptiveCard" and "orders-v2" in json.dumps(card)


def test_which_rebuilds_run_from_chat_and_what_the_others_need() -> None:
    assert rebuilds_from_chat("CW-103") and rebuilds_from_chat("CW-101")
    assert needs_inputs("CW-104") == ("kms_key_id",)
    assert needs_inputs("CW-306") == ("port",)
    assert not rebuilds_from_chat("CW-302") and not rebuilds_from_chat("CW-401")


def test_the_menu_offers_a_rebuild_for_rules_that_always_need_one() -> None:
    assert FindingAction.REQUEST_REBUILD in finding_actions("CW-103", frozenset())
    assert FindingAction.REQUEST_REBUILD not in finding_actions("CW-101", frozenset({"CW-101"}))
    assert finding_actions("CW-103", frozenset(), Status.PASS) == (FindingAction.EXPLAIN,)


@pytest.mark.parametrize(
    ("rule", "typed", "expected"),
    [
        ("CW-306", {"port": "6390"}, RebuildInputs(port=6390)),
        ("CW-306", {"port": "6379"}, {"port"}),
        ("CW-306", {"port": "80"}, {"port"}),
        ("CW-306", {"port": "x"}, {"port"}),
        ("CW-302", {"subnet_group": "private-cache"}, RebuildInputs(subnet_group="private-cache")),
        ("CW-302", {"subnet_group": "default"}, {"subnet_group"}),
        ("CW-302", {"subnet_group": "Bad Name"}, {"subnet_group"}),
        (
            "CW-104",
            {"kms_key_id": "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
            RebuildInputs(kms_key_id="arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
        ),
        ("CW-104", {"kms_key_id": "alias/aws/elasticache"}, {"kms_key_id"}),
        ("CW-103", {}, RebuildInputs()),
    ],
)  # fmt: skip
def test_values_typed_in_the_rebuild_form_are_checked(
    rule: str, typed: dict[str, str], expected: object
) -> None:
    read = read_inputs(rule, typed)
    assert (set(read) if isinstance(read, dict) else read) == expected
