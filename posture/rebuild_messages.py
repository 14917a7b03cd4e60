"""What chat shows about a rebuild: its approval requests and its progress card. Pure.

The approval request (the same card and decision flow as every fix) carries the plan as a
diff: each setting the copy changes, old -> new. The progress card follows the migration
and, once the copy is verified, names its endpoints and the client cutover steps, with
"Delete the old cache" (a second approval) and "Cancel rebuild" while they are allowed.
"""

from __future__ import annotations

import json
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from posture.approvals import ApprovalRequest, RequestKind, default_expiry
from posture.base import ResourceKind
from posture.conversations import ConversationRef
from posture.rebuild_calls import calls_for
from posture.rebuilds import CANCELLABLE, Rebuild, RebuildPhase

# Where a setting's old value reads "(not set)": the API default applies (false, or none).
NOT_SET = "(not set)"
PHASE_WORDS = {
    RebuildPhase.REQUESTED: "Waiting for an approver.",
    RebuildPhase.DENIED: "Denied. Nothing was created.",
    RebuildPhase.APPROVED: "Approved. Starting…",
    RebuildPhase.SNAPSHOTTING: "Taking a snapshot of the source…",
    RebuildPhase.CREATING: "Creating the new cache from the snapshot…",
    RebuildPhase.VERIFYING: "Verifying the new cache (fresh rescan)…",
    RebuildPhase.CUTOVER_READY: "The new cache passes. Move clients to it, then delete the old one.",
    RebuildPhase.DELETE_REQUESTED: "Deleting the old cache waits for a second approval.",
    RebuildPhase.DELETING: "Deleting the old cache (a final snapshot is kept)…",
    RebuildPhase.DONE: "Done. The old cache is deleted; its final snapshot is kept.",
    RebuildPhase.CANCELLING: "Cancelling: removing what this rebuild created…",
    RebuildPhase.CANCELLED: "Cancelled. Only the source remains.",
    RebuildPhase.FAILED: "Failed.",
}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class SettingDiff(_Frozen):
    """One setting the copy has differently from the source."""

    setting: str
    before: str
    after: str


class RebuildCard(_Frozen):
    """A rebuild's state for people: the diff, who decided, where it is, what to do next."""

    rebuild_id: str
    rule_id: str
    account: str
    region: str
    source_id: str
    copy_id: str
    phase: RebuildPhase
    status: str
    diff: tuple[SettingDiff, ...]
    requester: str
    approver: str = ""
    delete_requester: str = ""
    delete_approver: str = ""
    endpoints: tuple[str, ...] = ()
    cutover_steps: tuple[str, ...] = ()
    final_snapshot: str = ""
    problem: str = ""
    can_cancel: bool = False
    can_delete_source: bool = False


def parse_diff_line(line: str) -> SettingDiff:
    """`Setting: before -> after` (as `GroupRebuildPlan.diff_lines` writes it) as parts."""
    setting, _, values = line.partition(": ")
    before, _, after = values.partition(" -> ")
    return SettingDiff(setting=setting, before=before, after=after)


def diff_text(rebuild: Rebuild) -> str:
    """The diff in plain words, one setting a line, for the approval request's body."""
    lines = [f"• {d.setting}: {d.before} -> {d.after}" for d in map(parse_diff_line, rebuild.diff)]
    return "\n".join(lines)


def cutover_steps(rebuild: Rebuild) -> tuple[str, ...]:
    """What client owners do once the copy is verified; the endpoints are on the card."""
    # serverless caches always require TLS
    tls = rebuild.params.get("TransitEncryptionEnabled") is True or (
        rebuild.source_kind is ResourceKind.SERVERLESS_CACHE
    )
    auth = (
        "the same AUTH token (read from the same secret)"
        if rebuild.auth_secret
        else "the same user group and users"
        if rebuild.params.get("UserGroupIds") or rebuild.params.get("UserGroupId")
        else "no credentials, as before"
    )
    return (
        f"Point every client (configuration, secrets, DNS alias) from {rebuild.source_id}'s "
        f"endpoints to the new ones above; connect {'with TLS' if tls else 'without TLS'} and "
        f"with {auth}.",
        "Writes made to the old cache after the snapshot are not in the copy: move writers "
        "first, or stop them during the switch.",
        f"Deploy, then watch CurrConnections (CloudWatch, AWS/ElastiCache) fall to zero on "
        f"{rebuild.source_id}"
        + ("." if rebuild.source_kind is ResourceKind.SERVERLESS_CACHE else "'s nodes."),
        "Then press Delete the old cache: a second approver confirms, and a final snapshot "
        f"({rebuild.final_snapshot_name}) is kept.",
    )


def rebuild_card(rebuild: Rebuild) -> RebuildCard:
    status = PHASE_WORDS[rebuild.phase]
    ready = rebuild.phase in (RebuildPhase.CUTOVER_READY, RebuildPhase.DELETE_REQUESTED)
    return RebuildCard(
        rebuild_id=rebuild.rebuild_id,
        rule_id=rebuild.rule_id,
        account=rebuild.account,
        region=rebuild.region,
        source_id=rebuild.source_id,
        copy_id=rebuild.copy_id,
        phase=rebuild.phase,
        status=status,
        diff=tuple(parse_diff_line(line) for line in rebuild.diff),
        requester=rebuild.requester,
        approver=rebuild.approver,
        delete_requester=rebuild.delete_requester,
        delete_approver=rebuild.delete_approver,
        endpoints=rebuild.endpoints,
        cutover_steps=cutover_steps(rebuild) if ready else (),
        final_snapshot=rebuild.final_snapshot_name if rebuild.phase is RebuildPhase.DONE else "",
        problem=rebuild.problem,
        can_cancel=rebuild.phase in CANCELLABLE and rebuild.phase is not RebuildPhase.REQUESTED,
        can_delete_source=rebuild.phase is RebuildPhase.CUTOVER_READY,
    )


def _create_call(rebuild: Rebuild) -> str:
    calls = calls_for(rebuild.source_kind)
    snapshot = {"SnapshotName": rebuild.snapshot_name, "ARN": f"<ARN of {rebuild.snapshot_name}>"}
    description = f"Rebuild of {rebuild.source_id} ({rebuild.rule_id})"
    params = calls.create_params(dict(rebuild.params), rebuild.copy_id, description, snapshot)
    take = calls.snapshot_params(rebuild.source_id, rebuild.snapshot_name, [])
    del take["Tags"]
    return "\n".join(
        (
            f"elasticache:{calls.snapshot_op} {json.dumps(take, sort_keys=True)}",
            f"elasticache:{calls.create_op} {json.dumps(params, sort_keys=True)}",
        )
    )


def _copy_words(rebuild: Rebuild) -> str:
    if rebuild.source_kind is ResourceKind.SERVERLESS_CACHE:
        return "a new serverless cache"
    if rebuild.source_kind is ResourceKind.CACHE_CLUSTER:
        return "a new one-node replication group"
    return "a new replication group"


def rebuild_request(
    rebuild: Rebuild,
    *,
    request_id: str,
    where: ConversationRef,
    now: datetime,
    ttl_hours: int,
    correlation_id: str = "",
) -> ApprovalRequest:
    """The approval that starts the migration; its body is the plan as a diff."""
    change = (
        f"Rebuild {rebuild.source_id} as {_copy_words(rebuild)} {rebuild.copy_id}, built from a "
        f"snapshot, with every setting kept except (old -> new):\n{diff_text(rebuild)}\n"
        "The old cache stays until a second approval deletes it."
    )
    return ApprovalRequest(
        request_id=request_id,
        kind=RequestKind.REBUILD,
        requester=rebuild.requester,
        created_at=now,
        expires_at=default_expiry(now, ttl_hours),
        rule_id=rebuild.rule_id,
        finding_id=rebuild.finding_id or None,
        account=rebuild.account,
        region=rebuild.region,
        resource_kind=str(rebuild.source_kind),
        resource_id=rebuild.source_id,
        change=change,
        api_call=_create_call(rebuild),
        risk=(
            "Clients must move to the new cache's endpoints; writes made to the old cache after "
            "the snapshot are not copied."
        ),
        backout=(
            "Cancel rebuild removes only what the migration created; the source is never "
            "changed before the second approval."
        ),
        fingerprint=rebuild.source_fingerprint,
        origin=where,
        correlation_id=correlation_id,
        warning=(
            f"The new cache {rebuild.copy_id} has new endpoint names: every client must be "
            "reconfigured before the old cache is deleted."
        ),
    )


def delete_request(
    rebuild: Rebuild,
    *,
    request_id: str,
    requester: str,
    where: ConversationRef,
    now: datetime,
    ttl_hours: int,
    correlation_id: str = "",
) -> ApprovalRequest:
    """The second approval: delete the source, keeping a final snapshot."""
    calls = calls_for(rebuild.source_kind)
    call = calls.delete_source_params(rebuild.source_id, rebuild.final_snapshot_name)
    return ApprovalRequest(
        request_id=request_id,
        kind=RequestKind.REBUILD_DELETE,
        requester=requester,
        created_at=now,
        expires_at=default_expiry(now, ttl_hours),
        rule_id=rebuild.rule_id,
        finding_id=rebuild.finding_id or None,
        account=rebuild.account,
        region=rebuild.region,
        resource_kind=str(rebuild.source_kind),
        resource_id=rebuild.source_id,
        change=(
            f"Delete the old cache {rebuild.source_id}: every client now uses {rebuild.copy_id}. "
            f"A final snapshot {rebuild.final_snapshot_name} is kept."
        ),
        api_call=f"elasticache:{calls.delete_source_op} {json.dumps(call, sort_keys=True)}",
        risk=f"A client still on {rebuild.source_id} loses its cache.",
        backout=(
            f"Restore from the final snapshot {rebuild.final_snapshot_name} "
            + (
                "(CreateServerlessCache --snapshot-arns-to-restore)."
                if rebuild.source_kind is ResourceKind.SERVERLESS_CACHE
                else "(CreateReplicationGroup --snapshot-name)."
            )
        ),
        fingerprint=rebuild.rebuild_id,
        origin=where,
        correlation_id=correlation_id,
        warning=f"Approve only once the owners confirm that nothing connects to {rebuild.source_id}.",
    )
