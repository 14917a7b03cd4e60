"""Rotations in Redis: ids, names, phases and dates; never a credential.

    cw:rotation:<id>                           string  the Rotation as JSON
    cw:rotation:active:<account>:<region>:<group>  string  id of the group's live rotation
    cw:rotation:finalize:<approval id>         string  rotation id of a FINALIZE request
    cw:rotation:intake:<ticket>                string  a /cache-rotate-token awaiting its check

Changes are compare-and-set on the rotation's `seq`, so two runners of the same step
cannot both record progress: the loser sees `False` and stops.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import redis
from pydantic import BaseModel, ConfigDict, Field, model_validator

from posture.conversations import ConversationRef, legacy_conversation
from posture.rotation import Rotation

RETENTION_SECONDS = 90 * 24 * 3600
INTAKE_SECONDS = 3600


class RotationIntake(BaseModel):
    """What a user asked for, kept until the check job has looked at AWS."""

    model_config = ConfigDict(frozen=True)

    ticket_id: str = Field(pattern=r"^[a-z0-9]{8,32}$")
    group_id: str
    region: str | None = None
    account: str | None = None
    requester: str
    origin: ConversationRef  # where the command was typed; the answer goes there
    correlation_id: str = ""
    created_at: datetime

    @model_validator(mode="before")
    @classmethod
    def _read_slack_channel(cls, data: Any) -> Any:
        """Intakes stored before references existed carried a Slack channel id."""
        if isinstance(data, dict) and "channel" in data and "origin" not in data:
            doc = dict(data)
            doc["origin"] = legacy_conversation(str(doc.pop("channel") or ""))
            return doc
        return data


def _key(rotation_id: str) -> str:
    return f"cw:rotation:{rotation_id}"


def active_key(account: str, region: str, group_id: str) -> str:
    return f"cw:rotation:active:{account}:{region}:{group_id}"


def _text(raw: bytes | str | None) -> str | None:
    return raw.decode() if isinstance(raw, bytes) else raw


class RotationStore:
    def __init__(self, connection: redis.Redis) -> None:
        self._redis = connection

    def create(self, rotation: Rotation) -> str | None:
        """Store a new rotation; returns the id of the group's other live rotation instead, if any."""
        claim = active_key(rotation.account, rotation.region, rotation.group_id)
        if not self._redis.set(claim, rotation.rotation_id, nx=True, ex=RETENTION_SECONDS):
            holder = _text(self._redis.get(claim)) or ""
            if holder != rotation.rotation_id:  # a re-run of the same check holds it already
                return holder
        key = _key(rotation.rotation_id)
        self._redis.set(key, rotation.model_dump_json(), ex=RETENTION_SECONDS, nx=True)
        return None

    def get(self, rotation_id: str) -> Rotation | None:
        raw = self._redis.get(_key(rotation_id))
        return Rotation.model_validate_json(raw) if raw else None

    def active_id(self, account: str, region: str, group_id: str) -> str | None:
        return _text(self._redis.get(active_key(account, region, group_id)))

    def replace(self, expected: Rotation, new: Rotation) -> bool:
        """Write `new` only if the stored rotation is still `expected` (same seq)."""
        key = _key(expected.rotation_id)
        with self._redis.pipeline() as pipe:
            try:
                pipe.watch(key)  # type: ignore[no-untyped-call]
                raw = pipe.get(key)
                if not raw or Rotation.model_validate_json(raw).seq != expected.seq:
                    return False
                pipe.multi()
                pipe.set(key, new.model_dump_json(), ex=RETENTION_SECONDS)
                if new.is_final:
                    self._release(pipe, new)
                pipe.execute()
                return True
            except redis.WatchError:
                return False

    @staticmethod
    def _release(pipe: redis.client.Pipeline, rotation: Rotation) -> None:
        # Only this rotation's own claim is dropped; a later rotation's claim is never touched.
        claim = active_key(rotation.account, rotation.region, rotation.group_id)
        pipe.eval(
            "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end "
            "return 0",
            1,
            claim,
            rotation.rotation_id,
        )

    def link_finalize(self, request_id: str, rotation_id: str) -> None:
        self._redis.set(f"cw:rotation:finalize:{request_id}", rotation_id, ex=RETENTION_SECONDS)

    def by_finalize(self, request_id: str) -> Rotation | None:
        rotation_id = _text(self._redis.get(f"cw:rotation:finalize:{request_id}"))
        return self.get(rotation_id) if rotation_id else None

    def save_intake(self, intake: RotationIntake) -> None:
        key = f"cw:rotation:intake:{intake.ticket_id}"
        self._redis.set(key, intake.model_dump_json(), ex=INTAKE_SECONDS)

    def get_intake(self, ticket_id: str) -> RotationIntake | None:
        raw = self._redis.get(f"cw:rotation:intake:{ticket_id}")
        return RotationIntake.model_validate_json(raw) if raw else None
