"""`record_acceptance`: an approved accept-risk request becomes a suppression record."""

from __future__ import annotations

from posture.approvals import RequestKind
from posture.messages import Notice
from posture.suppressions import acceptance_from
from workers.approvals.flow import request_fields
from workers.approvals.jobs import flow
from workers.approvals.suppressions_store import SuppressionStore
from workers.audit.publish import refresh_cards
from workers.platform.runtime import environment


def record_acceptance(request_id: str) -> None:
    """Idempotent: the record is keyed by the finding, so a second run writes the same record."""
    env, approvals = environment(), flow()
    request = approvals.store.get(request_id)
    if request is None or request.kind is not RequestKind.ACCEPT_RISK:
        return
    running = approvals.start(request)
    if running is None:
        return
    risk = acceptance_from(running, env.clock())
    SuppressionStore(env.connection).put(risk)
    until = risk.until.strftime("%Y-%m-%d")
    approvals.audit.append(
        "suppression.recorded",
        actor=risk.accepted_by,
        **request_fields(running),
        until=until,
        reason=risk.reason[:300],
    )
    env.notifiers.to(running.origin).say(
        running.origin,
        Notice(
            text=f"{risk.rule_id} on {risk.resource_id} is reported as suppressed until {until} "
            "(accepted risk). Audits count it as suppressed, not failing, until then.",
            detail=f"request {running.request_id}",
        ),
    )
    approvals.finish(running, ok=True, outcome=f"suppressed until {until}")
    if running.finding_id:
        refresh_cards(running.finding_id)  # the line and the summary now show it accepted
