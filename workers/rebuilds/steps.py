"""One step of a rebuild: look at AWS, make at most one write, say what comes next.

A step never sleeps while AWS works: it returns a wait and the job re-enqueues itself.
Every step is safe to run twice: it finds what an earlier run (or a run killed halfway)
already created by name and by the `cachewarden:rebuild` tag, and never creates it again.
The source is only read until the second approval, and cancel deletes only what carries
this rebuild's tag.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from posture.base import ResourceKind
from posture.findings import Status
from posture.rebuild_calls import GROUP_FIELDS, RebuildCalls, calls_for, endpoints_of
from posture.rebuilds import REBUILD_TAG, Rebuild, RebuildPhase, wait_seconds
from posture.remediation.rebuild_params import AUTH_FROM_SECRET
from workers.aws.apply import REBUILD_WRITE_OPERATIONS, NotAllowed
from workers.aws.errors import AWS_FAILURES, error_code, redact
from workers.aws.secrets import CredentialVault
from workers.rebuilds.kinds import copy_of, snapshot_of, source_of

Record = Callable[[Rebuild, str, dict[str, Any]], None]
# What must not change between the request and the work: the settings the copy repeats.
FINGERPRINT_FIELDS = GROUP_FIELDS


def fingerprint_of(source: dict[str, Any], fields: tuple[str, ...] = GROUP_FIELDS) -> str:
    state = {key: source.get(key) for key in fields}
    canonical = json.dumps(state, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:24]


class StepFailed(RuntimeError):
    """The rebuild cannot go on; the message is safe to show."""


@dataclass(frozen=True)
class StepResult:
    rebuild: Rebuild
    wait: int | None = None  # seconds until the next check; None: no next check


@dataclass(frozen=True)
class RebuildTools:
    elasticache: Any
    vault: CredentialVault | None
    # one rescan of a cache (id, kind): rule -> verdict
    verdicts: Callable[[str, ResourceKind], Mapping[str, Status]]
    now: Callable[[], datetime]
    record: Record


# A concurrent runner (a lock that expired mid-step) may have made the same call first.
ALREADY_DONE = {
    "CreateSnapshot": "SnapshotAlreadyExistsFault",
    "CreateReplicationGroup": "ReplicationGroupAlreadyExists",
    "CreateServerlessCacheSnapshot": "ServerlessCacheSnapshotAlreadyExistsFault",
    "CreateServerlessCache": "ServerlessCacheAlreadyExistsFault",
}


def _write(tools: RebuildTools, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    if ("elasticache", operation) not in REBUILD_WRITE_OPERATIONS:
        raise NotAllowed(f"elasticache:{operation} is not a rebuild operation")
    method = "".join(f"_{c.lower()}" if c.isupper() else c for c in operation).lstrip("_")
    try:
        return dict(getattr(tools.elasticache, method)(**params))
    except AWS_FAILURES as exc:
        if error_code(exc) == ALREADY_DONE.get(operation):
            return {}  # the next step checks that what exists carries this rebuild's tag
        message = str(getattr(exc, "response", {}).get("Error", {}).get("Message") or "")
        raise StepFailed(f"{operation} failed ({error_code(exc)}): {redact(message)}") from None


def _kind(rebuild: Rebuild) -> RebuildCalls:
    return calls_for(rebuild.source_kind)


def _ours(tools: RebuildTools, arn: str, rebuild: Rebuild) -> bool:
    tags = tools.elasticache.list_tags_for_resource(ResourceName=arn).get("TagList") or []
    return any(t["Key"] == REBUILD_TAG and t["Value"] == rebuild.rebuild_id for t in tags)


def _wait(tools: RebuildTools, rebuild: Rebuild) -> StepResult:
    return StepResult(rebuild.waited(tools.now()), wait_seconds(rebuild.waits))


def _tag(rebuild: Rebuild) -> list[dict[str, str]]:
    return [{"Key": REBUILD_TAG, "Value": rebuild.rebuild_id}]


def take_snapshot(tools: RebuildTools, rebuild: Rebuild) -> StepResult:
    """Refuse a changed source; snapshot it once (a crash re-finds the snapshot)."""
    kind = _kind(rebuild)
    source = source_of(tools.elasticache, kind, rebuild.source_id)
    if source is None:
        raise StepFailed(f"{rebuild.source_id} no longer exists.")
    if fingerprint_of(source, kind.fields) != rebuild.source_fingerprint:
        raise StepFailed(f"{rebuild.source_id} changed since the request; ask again.")
    if kind.source_status(source) != "available":
        return _wait(tools, rebuild)
    if snapshot_of(tools.elasticache, kind, rebuild.snapshot_name) is None:
        params = kind.snapshot_params(rebuild.source_id, rebuild.snapshot_name, _tag(rebuild))
        _write(tools, kind.snapshot_op, params)
        tools.record(rebuild, "rebuild.snapshot_started", {"snapshot": rebuild.snapshot_name})
    created = rebuild.with_created(f"{kind.snapshot_item}:{rebuild.snapshot_name}")
    return StepResult(rebuild.moved(RebuildPhase.SNAPSHOTTING, tools.now(), created=created), 0)


def _create_copy(tools: RebuildTools, rebuild: Rebuild, snapshot: dict[str, Any]) -> None:
    kind = _kind(rebuild)
    description = f"Rebuild of {rebuild.source_id} ({rebuild.rule_id})"
    params = kind.create_params(dict(rebuild.params), rebuild.copy_id, description, snapshot)
    params["Tags"] = [*rebuild.params.get("Tags", []), *_tag(rebuild)]
    if params.get("AuthToken") != AUTH_FROM_SECRET:
        _write(tools, kind.create_op, params)
        return
    if tools.vault is None or not rebuild.auth_secret:
        raise StepFailed("the source uses an AUTH token, and no secret holds it.")
    del params["AuthToken"]  # the token goes from Secrets Manager to AWS, nowhere else
    tools.vault.with_values(
        rebuild.auth_secret,
        [None],
        lambda token: _write(tools, kind.create_op, {**params, "AuthToken": token}),
    )


def create_copy(tools: RebuildTools, rebuild: Rebuild) -> StepResult:
    kind = _kind(rebuild)
    snapshot = snapshot_of(tools.elasticache, kind, rebuild.snapshot_name)
    if snapshot is None:
        raise StepFailed(f"the snapshot {rebuild.snapshot_name} is gone.")
    if snapshot["Status"] == "failed":
        raise StepFailed(f"AWS could not take the snapshot {rebuild.snapshot_name}.")
    if snapshot["Status"] != "available":
        return _wait(tools, rebuild)
    copy = copy_of(tools.elasticache, kind, rebuild.copy_id)
    if copy is None:
        _create_copy(tools, rebuild, snapshot)
        tools.record(rebuild, "rebuild.copy_started", {"copy": rebuild.copy_id})
    elif not _ours(tools, copy["ARN"], rebuild):
        raise StepFailed(
            f"a cache named {rebuild.copy_id} exists and this rebuild did not create it."
        )
    created = rebuild.with_created(f"{kind.copy_item}:{rebuild.copy_id}")
    return StepResult(rebuild.moved(RebuildPhase.CREATING, tools.now(), created=created), 0)


def wait_for_copy(tools: RebuildTools, rebuild: Rebuild) -> StepResult:
    copy = copy_of(tools.elasticache, _kind(rebuild), rebuild.copy_id)
    if copy is None:
        raise StepFailed(f"{rebuild.copy_id} disappeared while it was being created.")
    if not _ours(tools, copy["ARN"], rebuild):
        raise StepFailed(f"{rebuild.copy_id} exists and this rebuild did not create it.")
    if copy["Status"] == "create-failed":
        raise StepFailed(f"AWS could not create {rebuild.copy_id}; cancel removes it.")
    if copy["Status"] != "available":
        return _wait(tools, rebuild)
    now = tools.now()
    return StepResult(rebuild.moved(RebuildPhase.VERIFYING, now, endpoints=endpoints_of(copy)), 0)


def verify_copy(tools: RebuildTools, rebuild: Rebuild) -> StepResult:
    """The rule passes on the copy, and nothing fails there that passed on the source.

    A rule that did not apply to the source may apply to the copy (CW-104 once at-rest
    encryption is on): that is the fix opening a new question, not a regression.
    """
    kind = _kind(rebuild)
    copy = tools.verdicts(rebuild.copy_id, kind.copy_kind)
    source = tools.verdicts(rebuild.source_id, kind.source_kind)
    problems = sorted(
        f"{rule} now fails" for rule, verdict in copy.items()
        if verdict is Status.FAIL and source.get(rule) is Status.PASS
    )  # fmt: skip
    if copy.get(rebuild.rule_id) is not Status.PASS:
        problems.insert(0, f"{rebuild.rule_id} does not pass")
    if problems:
        raise StepFailed(f"the new cache does not pass: {', '.join(problems)}.")
    tools.record(rebuild, "rebuild.verified", {"copy": rebuild.copy_id})
    return StepResult(rebuild.moved(RebuildPhase.CUTOVER_READY, tools.now()))


def delete_source(tools: RebuildTools, rebuild: Rebuild) -> StepResult:
    kind = _kind(rebuild)
    source = source_of(tools.elasticache, kind, rebuild.source_id)
    if source is None:
        tools.record(
            rebuild, "rebuild.source_deleted", {"final_snapshot": rebuild.final_snapshot_name}
        )
        return StepResult(rebuild.moved(RebuildPhase.DONE, tools.now()))
    if kind.source_status(source) == "available":
        params = kind.delete_source_params(rebuild.source_id, rebuild.final_snapshot_name)
        _write(tools, kind.delete_source_op, params)
    return _wait(tools, rebuild)


def undo(tools: RebuildTools, rebuild: Rebuild) -> StepResult:
    """Delete what this rebuild created (by its tag), never the source."""
    kind = _kind(rebuild)
    copy = copy_of(tools.elasticache, kind, rebuild.copy_id)
    if copy is not None and _ours(tools, copy["ARN"], rebuild):
        if copy["Status"] in ("available", "create-failed"):
            _write(tools, kind.delete_copy_op, kind.delete_copy_params(rebuild.copy_id))
        return _wait(tools, rebuild)
    snapshot = snapshot_of(tools.elasticache, kind, rebuild.snapshot_name)
    if snapshot is not None and _ours(tools, snapshot["ARN"], rebuild):
        if snapshot["Status"] != "available":
            return _wait(tools, rebuild)
        params = kind.delete_snapshot_params(rebuild.snapshot_name)
        _write(tools, kind.delete_snapshot_op, params)
    tools.record(rebuild, "rebuild.cancelled", {"removed": list(rebuild.created)})
    return StepResult(rebuild.moved(RebuildPhase.CANCELLED, tools.now()))


def dry_run(tools: RebuildTools, rebuild: Rebuild) -> StepResult:
    kind = _kind(rebuild)
    calls = f"{kind.snapshot_op}, {kind.create_op} (from the snapshot), {kind.delete_source_op}"
    tools.record(rebuild, "rebuild.dry_run", {"calls": calls})
    note = f"Dry run: nothing was changed. A real run would call {calls}."
    return StepResult(rebuild.moved(RebuildPhase.DONE, tools.now(), problem=note))


STEPS: dict[RebuildPhase, Callable[[RebuildTools, Rebuild], StepResult]] = {
    RebuildPhase.APPROVED: take_snapshot,
    RebuildPhase.SNAPSHOTTING: create_copy,
    RebuildPhase.CREATING: wait_for_copy,
    RebuildPhase.VERIFYING: verify_copy,
    RebuildPhase.DELETING: delete_source,
    RebuildPhase.CANCELLING: undo,
}


def run_step(tools: RebuildTools, rebuild: Rebuild) -> StepResult:
    """The next step for the rebuild's phase; a failure becomes the FAILED phase."""
    step = STEPS.get(rebuild.phase)
    if step is None:
        return StepResult(rebuild)
    if rebuild.dry_run and rebuild.phase is RebuildPhase.APPROVED:
        step = dry_run
    try:
        return step(tools, rebuild)
    except StepFailed as exc:
        tools.record(rebuild, "rebuild.failed", {"reason": str(exc)})
        return StepResult(rebuild.moved(RebuildPhase.FAILED, tools.now(), problem=str(exc)))
