""" "Apply anyway": the live fix of a resource a template owns, chosen explicitly.

The template change stays the default (`posture.remediation.iac`). This flow hands the
finding to `prepare_fix` with `allow_drift`, which reads the resource fresh, plans the live
fix with a drift warning for the approver, and records `fix.drift_accepted` in the audit
log with the request. The usual approval (four eyes) still decides.
"""

from __future__ import annotations

from posture.conversations import Actor, ConversationRef
from posture.messages import Notice
from workers.approvals.flows import finding_for_click
from workers.platform.context import FlowContext
from workers.platform.enqueue import enqueue_prepare_fix_anyway
from workers.trail.log import AuditLog


def apply_anyway(ctx: FlowContext, actor: Actor, finding_id: str, where: ConversationRef) -> Notice:
    found = finding_for_click(ctx, actor, finding_id)
    if isinstance(found, Notice):
        return found
    place = (str(where.platform), where.workspace, where.channel, where.thread)
    if not enqueue_prepare_fix_anyway(ctx.connection, finding_id, actor.user, place):
        return Notice(text="A fix request for this finding is already being prepared.")
    AuditLog(ctx.connection).append(
        "fix.drift_chosen", actor=actor.user, rule_id=found.rule_id,
        target=f"{found.resource_kind}/{found.resource_id}", account=found.account,
        region=found.region,
    )  # fmt: skip
    return Notice(
        text=f"Preparing the live fix for {found.rule_id} on {found.resource_id} anyway: the "
        "approver sees that the stack will drift, and the choice is in the audit log."
    )
