"""What a finished rotation redraws besides its own card (issue 13: cards that stay true).

- The CW-204 line ("AUTH token is due for rotation") of the rotated group, in each recent
  audit that posted it, now shows it fixed, and the audit's summary counts it so; the same
  redraw a verified fix does (`workers.audit.publish.refresh_cards`).
- Step 1's request stops saying "press Finalize" once the rotation is over, so the step
  cards in the thread agree with the rotation card.
Both are drawn from stored state, so running them twice changes nothing.
"""

from __future__ import annotations

import logging

import redis

from posture.approvals import State
from posture.base import ResourceKind
from posture.report import key_finding_id
from posture.rotation import Phase, Rotation, RotationMode
from workers.approvals.flow import ApprovalFlow
from workers.audit.cards_store import AuditCardStore
from workers.audit.history_store import HistoryStore
from workers.audit.publish import refresh_cards

log = logging.getLogger(__name__)
TOKEN_AGE_RULE = "CW-204"  # the finding a finished AUTH token rotation resolves
RECENT_AUDITS = 10


def step_one_outcome(rotation: Rotation) -> str:
    """Step 1's last words once the rotation has ended (no longer an instruction)."""
    if rotation.phase is Phase.DONE:
        return f"ROTATE worked, and the rotation has since finished: only the new {rotation.credential} works now."
    return (
        f"ROTATE worked; the rotation then stopped ({rotation.phase}). "
        "The rotation card in this thread says where things stand."
    )


def settle_step_cards(flow: ApprovalFlow, rotation: Rotation) -> None:
    """After the rotation ends, step 1's request tells what happened, not what to do next."""
    if not rotation.is_final:
        return
    request = flow.store.get(rotation.rotation_id)
    if request is None or request.state is not State.DONE:
        return
    words = step_one_outcome(rotation)
    if request.outcome != words:
        flow.note_progress(request, words)


def rotated_finding_ids(
    connection: redis.Redis, rotation: Rotation, retention_days: int
) -> list[str]:
    """The posted CW-204 lines of the rotated group, in the most recent audits."""
    if rotation.phase is not Phase.DONE or rotation.mode is not RotationMode.AUTH_TOKEN:
        return []
    key = (
        TOKEN_AGE_RULE,
        rotation.account,
        rotation.region,
        str(ResourceKind.REPLICATION_GROUP),
        rotation.group_id,
    )
    cards = AuditCardStore(connection)
    found = []
    for scan in HistoryStore(connection, retention_days=retention_days).recent_scans(RECENT_AUDITS):
        run_id = scan.meta.run_id
        candidate = key_finding_id(run_id, key) if run_id else ""
        if candidate and cards.run_of(candidate) == run_id:
            found.append(candidate)
    return found


def redraw_after_rotation(
    connection: redis.Redis, flow: ApprovalFlow, rotation: Rotation, retention_days: int
) -> None:
    """Called when a rotation reaches a final phase; a failed redraw is logged, never raised."""
    settle_step_cards(flow, rotation)
    for finding_id in rotated_finding_ids(connection, rotation, retention_days):
        if not refresh_cards(finding_id, fixed_by=rotation.requester):
            log.info("finding line not redrawn", extra={"rotation_id": rotation.rotation_id})
