"""A rebuild as an approved, resumable migration: the state machine, no I/O.

requested -> approved -> snapshotting -> creating -> verifying -> cutover_ready
  -> delete_requested -> deleting -> done          (a second approval deletes the source)
Cancel, allowed before `deleting`, goes to `cancelling` -> `cancelled` and removes only
what the migration created. Every move that changes AWS needs a person other than the
requester (four eyes); a denied delete returns to `cutover_ready` and keeps both caches.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from posture.base import ResourceKind
from posture.conversations import ConversationRef


class RebuildPhase(StrEnum):
    REQUESTED = "requested"
    DENIED = "denied"
    APPROVED = "approved"
    SNAPSHOTTING = "snapshotting"
    CREATING = "creating"
    VERIFYING = "verifying"
    CUTOVER_READY = "cutover_ready"
    DELETE_REQUESTED = "delete_requested"
    DELETING = "deleting"
    DONE = "done"
    CANCELLING = "cancelling"
    CANCELLED = "cancelled"
    FAILED = "failed"


# Phases a worker step moves on its own; the others wait for a person.
WORKING = frozenset(
    {
        RebuildPhase.APPROVED,
        RebuildPhase.SNAPSHOTTING,
        RebuildPhase.CREATING,
        RebuildPhase.VERIFYING,
        RebuildPhase.DELETING,
        RebuildPhase.CANCELLING,
    }
)
CANCELLABLE = frozenset(
    {
        RebuildPhase.APPROVED,
        RebuildPhase.SNAPSHOTTING,
        RebuildPhase.CREATING,
        RebuildPhase.VERIFYING,
        RebuildPhase.CUTOVER_READY,
        RebuildPhase.DELETE_REQUESTED,
        RebuildPhase.FAILED,
    }
)
FINAL = frozenset({RebuildPhase.DENIED, RebuildPhase.DONE, RebuildPhase.CANCELLED})
REBUILD_TAG = "cachewarden:rebuild"


class RebuildRefused(ValueError):
    """The move is not allowed now, or not for this person; the text says why."""


class Rebuild(BaseModel):
    """One migration of one cache to a fixed copy; stored as JSON, never holds a secret."""

    model_config = ConfigDict(frozen=True)

    rebuild_id: str
    # replication_group, cache_cluster (a standalone cluster: its copy is a one-node
    # replication group) or serverless_cache (its copy is a serverless cache)
    source_kind: ResourceKind = ResourceKind.REPLICATION_GROUP
    account: str
    region: str
    rule_id: str
    source_id: str
    copy_id: str
    snapshot_name: str
    final_snapshot_name: str
    params: dict[str, Any]  # the copy's create call; an AUTH token is only a marker
    diff: tuple[str, ...]
    auth_secret: str = ""  # where the source's AUTH token is read from, at create time
    source_fingerprint: str
    requester: str
    approver: str = ""
    delete_requester: str = ""
    delete_approver: str = ""
    dry_run: bool = False
    phase: RebuildPhase = RebuildPhase.REQUESTED
    created: tuple[str, ...] = ()  # "snapshot:<name>", "replication_group:<id>", ...
    endpoints: tuple[str, ...] = ()
    problem: str = ""
    waits: int = 0
    where: ConversationRef | None = None  # the finding's thread, when asked from chat
    finding_id: str = ""
    updated: datetime | None = None
    version: int = 0

    def moved(self, phase: RebuildPhase, now: datetime, **changes: Any) -> Rebuild:
        return self.model_copy(
            update={
                "phase": phase,
                "updated": now,
                "waits": 0,
                "version": self.version + 1,
                **changes,
            }
        )

    def waited(self, now: datetime) -> Rebuild:
        return self.model_copy(
            update={"waits": self.waits + 1, "updated": now, "version": self.version + 1}
        )

    def with_created(self, item: str) -> tuple[str, ...]:
        return self.created if item in self.created else (*self.created, item)


def _other_person(rebuild: Rebuild, actor: str, what: str) -> None:
    if actor == rebuild.requester:
        raise RebuildRefused(f"{what} needs a second person: the requester cannot do it.")


def approve(rebuild: Rebuild, actor: str, now: datetime) -> Rebuild:
    if rebuild.phase is not RebuildPhase.REQUESTED:
        raise RebuildRefused(f"This rebuild is {rebuild.phase.value}, not waiting for approval.")
    _other_person(rebuild, actor, "Approving a rebuild")
    return rebuild.moved(RebuildPhase.APPROVED, now, approver=actor)


def deny(rebuild: Rebuild, actor: str, now: datetime) -> Rebuild:
    if rebuild.phase is not RebuildPhase.REQUESTED:
        raise RebuildRefused(f"This rebuild is {rebuild.phase.value}, not waiting for approval.")
    return rebuild.moved(RebuildPhase.DENIED, now, approver=actor)


def request_delete(rebuild: Rebuild, actor: str, now: datetime) -> Rebuild:
    """The owners confirm every client uses the new cache; another person must approve."""
    if rebuild.phase is not RebuildPhase.CUTOVER_READY:
        raise RebuildRefused("The source can be deleted only once the new cache is verified.")
    return rebuild.moved(RebuildPhase.DELETE_REQUESTED, now, delete_requester=actor)


def decide_delete(rebuild: Rebuild, actor: str, now: datetime, *, approved: bool) -> Rebuild:
    if rebuild.phase is not RebuildPhase.DELETE_REQUESTED:
        raise RebuildRefused("No deletion of the source is waiting for a decision.")
    if not approved:  # both caches stay; the owners may ask again later
        return rebuild.moved(RebuildPhase.CUTOVER_READY, now, delete_requester="")
    if actor in (rebuild.requester, rebuild.delete_requester):
        raise RebuildRefused("Deleting the source needs a person who did not ask for it.")
    return rebuild.moved(RebuildPhase.DELETING, now, delete_approver=actor)


def cancel(rebuild: Rebuild, actor: str, now: datetime) -> Rebuild:
    """Undo what the migration created; the source is never touched."""
    if rebuild.phase not in CANCELLABLE:
        raise RebuildRefused(f"A rebuild that is {rebuild.phase.value} cannot be cancelled.")
    if rebuild.created:
        _other_person(rebuild, actor, "Cancelling a rebuild that created resources")
    return rebuild.moved(RebuildPhase.CANCELLING, now, problem="")


def wait_seconds(waits: int) -> int:
    """1, 2, 4, ... seconds, then every 60 s: a snapshot or a create takes minutes in AWS."""
    return int(min(60, 2 ** min(waits, 6)))
