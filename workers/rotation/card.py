"""Where a rotation's progress card is, so each phase edits it instead of posting a reply."""

from __future__ import annotations

import redis

CARD_TTL_SECONDS = 30 * 24 * 3600  # longer than any rotation stays open


def _key(rotation_id: str) -> str:
    return f"cw:rotation:{rotation_id}:card"


def rotation_card(connection: redis.Redis, rotation_id: str) -> str | None:
    value = connection.get(_key(rotation_id))
    if value is None:
        return None
    return value.decode() if isinstance(value, bytes) else str(value)


def remember_rotation_card(connection: redis.Redis, rotation_id: str, ts: str) -> None:
    connection.set(_key(rotation_id), ts, ex=CARD_TTL_SECONDS)
