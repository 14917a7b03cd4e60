"""One rotation, one card: every phase edits it instead of posting a new thread reply.

Regression for issue 13 item 7 (one rotation used to post 7 replies whose steps then
contradicted each other).
"""

from __future__ import annotations

import json
import uuid

import pytest

from posture.rotation import Phase
from sandbox.stack import Stack
from tests.integration.rotation.flow import (
    CHANNEL,
    approve,
    create_auth_group,
    finalize,
    request_rotation,
    unique,
    wait_for,
    wait_phase,
)

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("rotation-stack")]


def _cards(stack: Stack, thread_ts: str) -> list[str]:
    texts = [json.dumps(m.get("blocks")) for m in stack.emulator.thread(CHANNEL, thread_ts)]
    return [t for t in texts if "AUTH token rotation:" in t]


def test_a_rotation_keeps_one_card_that_ends_done(stack: Stack) -> None:
    group = unique("cards")
    create_auth_group(stack, group, f"Start-{uuid.uuid4().hex}")
    rotation_id = approve(stack, request_rotation(stack, group))
    rotation = wait_phase(stack, rotation_id, Phase.BOTH_VALID, Phase.FAILED)
    assert rotation.phase is Phase.BOTH_VALID, rotation.problem
    done = finalize(stack, rotation)
    assert done.phase is Phase.DONE, done.problem
    cards = wait_for(
        lambda: (
            (found := _cards(stack, rotation.conversation.thread))
            and "Done. Only the new token works" in found[-1]
            and found
        ),
        what="the card to say done",
    )
    assert len(cards) == 1, f"{len(cards)} rotation cards in the thread"
