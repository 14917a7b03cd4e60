"""A rebuild whose copy needs a value a person chooses (CW-306: a new port): the runbook
comes with Request rebuild…, a form checks the value, and the approved migration builds the
copy on that port. Real processes: emulator, bot, redis-server, fake AWS, worker."""

from __future__ import annotations

from typing import Any

import pytest

from posture.rebuilds import RebuildPhase
from sandbox.stack import Stack
from tests.integration.rebuild_chat.conftest import ec_client
from tests.integration.remediation.flow import (
    CHANNEL,
    Message,
    approval_message,
    click_finding,
    decide,
    request_id_of,
    text_of,
    thread,
    wait_for,
)
from workers.platform.redis_connection import connect
from workers.rebuilds.store import RebuildStore
from workers.trail.log import AuditLog

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("rebuild-chat")]
GROUP = "plain-port"


def _modal(stack: Stack) -> dict[str, Any]:
    opened = wait_for(lambda: stack.emulator.modals("U_ENGINEER"), what="the rebuild form")
    return dict(opened[-1].view)


def test_a_port_chosen_in_the_form_reaches_the_copy(stack: Stack, parent: Message) -> None:
    click_finding(stack, parent, GROUP, "CW-306", "finding_request_rebuild", "U_ENGINEER")
    runbook = wait_for(
        lambda: next(
            (m for m in thread(stack, parent) if "finding_rebuild_inputs" in text_of(m.get("blocks"))
             and f"Rebuild {GROUP} for CW-306" in text_of(m.get("blocks"))),
            None,
        ),
        what="the runbook with Request rebuild…",
    )  # fmt: skip
    client = stack.signed_client()
    client.click(runbook, "finding_rebuild_inputs", user_id="U_ENGINEER", channel_id=CHANNEL)
    view = _modal(stack)
    client.submit_view(view, {"rebuild_input_port": {"port": "6379"}}, user_id="U_ENGINEER")
    assert "rebuild_input_port" in stack.emulator.modals("U_ENGINEER")[-1].errors  # default port
    client.submit_view(view, {"rebuild_input_port": {"port": "6390"}}, user_id="U_ENGINEER")
    wait_for(lambda: not stack.emulator.modals("U_ENGINEER"), what="the form to close")

    request = approval_message(stack, parent, GROUP, "CW-306")
    assert "Port: 6379 -&gt; 6390" in text_of(request["blocks"]), text_of(request["blocks"])[:1500]
    rebuild_id = request_id_of(request)
    decide(stack, request, "U_SECURITY")
    store = RebuildStore(connect(stack.redis.url))
    ready = wait_for(
        lambda: (
            (r := store.get(rebuild_id)) is not None
            and r.phase in (RebuildPhase.CUTOVER_READY, RebuildPhase.FAILED)
            and r
        ),
        120,
        "the verified copy",
    )
    assert ready.phase is RebuildPhase.CUTOVER_READY, ready.problem
    assert ready.endpoints and all(e.endswith(":6390") for e in ready.endpoints)
    copy = ec_client(stack).describe_replication_groups(ReplicationGroupId=f"{GROUP}-v2")
    assert copy["ReplicationGroups"][0]["Status"] == "available"
    chosen = [
        e.fields for e in AuditLog(connect(stack.redis.url)).all()
        if e.fields.get("event") == "rebuild.inputs_chosen"
    ]  # fmt: skip
    assert chosen and chosen[-1]["inputs"] == "port=6390"
