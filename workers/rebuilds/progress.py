"""A rebuild in chat: its progress card, edited as the migration moves, and once the
notice that the copy is ready (endpoints and cutover steps are on the card).

Keys (ids and message references only, never a secret):

    cw:rebuild:card:<rebuild id>            the progress card's MessageRef (JSON)
    cw:rebuild:for-request:<request id>     the rebuild a delete request is about
    cw:rebuild:delete-request:<rebuild id>  the delete request open for the rebuild
    cw:rebuild:ready-said:<rebuild id>      set once the cutover notice is in the thread
"""

from __future__ import annotations

import logging

import redis

from posture.conversations import MessageRef
from posture.messages import Notice
from posture.rebuild_messages import rebuild_card
from posture.rebuilds import Rebuild, RebuildPhase
from workers.platform.notifier import Notifiers, NotifyError
from workers.rebuilds.store import RETENTION_SECONDS
from workers.trail.log import AuditLog

log = logging.getLogger(__name__)


def _text(raw: bytes | str | None) -> str:
    return raw.decode() if isinstance(raw, bytes) else (raw or "")


class RebuildChat:
    """Where a rebuild shows in chat, and the approval requests tied to it."""

    def __init__(self, connection: redis.Redis) -> None:
        self._redis = connection

    def card(self, rebuild_id: str) -> MessageRef | None:
        raw = _text(self._redis.get(f"cw:rebuild:card:{rebuild_id}"))
        return MessageRef.model_validate_json(raw) if raw else None

    def keep_card(self, rebuild_id: str, message: MessageRef) -> None:
        key = f"cw:rebuild:card:{rebuild_id}"
        self._redis.set(key, message.model_dump_json(), ex=RETENTION_SECONDS)

    def claim_delete(self, rebuild_id: str, request_id: str, is_open: bool) -> str | None:
        """Reserve the rebuild's one delete request; the id of the open one when taken."""
        key = f"cw:rebuild:delete-request:{rebuild_id}"
        if not self._redis.set(key, request_id, nx=True, ex=RETENTION_SECONDS):
            holder = _text(self._redis.get(key))
            if is_open and holder:
                return holder
            self._redis.set(key, request_id, ex=RETENTION_SECONDS)
        self._redis.set(f"cw:rebuild:for-request:{request_id}", rebuild_id, ex=RETENTION_SECONDS)
        return None

    def delete_request_id(self, rebuild_id: str) -> str:
        return _text(self._redis.get(f"cw:rebuild:delete-request:{rebuild_id}"))

    def rebuild_for(self, request_id: str) -> str:
        return _text(self._redis.get(f"cw:rebuild:for-request:{request_id}")) or request_id

    def first_ready_notice(self, rebuild_id: str) -> bool:
        key = f"cw:rebuild:ready-said:{rebuild_id}"
        return bool(self._redis.set(key, "1", nx=True, ex=RETENTION_SECONDS))


def show_progress(
    connection: redis.Redis, notifiers: Notifiers, rebuild: Rebuild, *, phase_changed: bool = True
) -> None:
    """Redraw the rebuild's card (post it the first time); once, say the copy is ready.

    Chat failures are logged, never raised: the migration goes on whatever Slack says."""
    if rebuild.where is None or not phase_changed:
        return
    chat = RebuildChat(connection)
    where = rebuild.where
    try:
        notifier = notifiers.to(where)
        shown = chat.card(rebuild.rebuild_id)
        posted = notifier.post_rebuild(where, rebuild_card(rebuild), message=shown)
        if shown is None:
            chat.keep_card(rebuild.rebuild_id, posted)
        if rebuild.phase is RebuildPhase.CUTOVER_READY and chat.first_ready_notice(
            rebuild.rebuild_id
        ):
            names = ", ".join(rebuild.endpoints) or "(none read)"
            text = (
                f"{rebuild.copy_id} is ready and passes {rebuild.rule_id}. New endpoints: "
                f"{names}. The client cutover steps are on the rebuild card; delete the old "
                f"cache {rebuild.source_id} there once every client has moved."
            )
            notifier.say(where, Notice(text=text))
            AuditLog(connection).append(
                "rebuild.cutover_posted", rebuild_id=rebuild.rebuild_id,
                target=f"{rebuild.source_kind.value}/{rebuild.source_id}",
                endpoints=" ".join(rebuild.endpoints),
            )  # fmt: skip
    except NotifyError:
        log.warning("could not show the rebuild", extra={"rebuild_id": rebuild.rebuild_id})
