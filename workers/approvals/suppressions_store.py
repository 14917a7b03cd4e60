"""Accepted risks in Redis, and applying them to an audit's findings.

    cw:suppressions    hash   finding key (JSON) -> AcceptedRisk (JSON)

Records stay until their date passes; reading drops the expired ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import redis

from posture.findings import Finding
from posture.suppressions import AcceptedRisk, apply_suppressions, storage_key

SUPPRESSIONS = "cw:suppressions"


class SuppressionStore:
    def __init__(self, connection: redis.Redis) -> None:
        self._redis = connection

    def put(self, risk: AcceptedRisk) -> None:
        """Idempotent: the same finding accepted again replaces the earlier record."""
        self._redis.hset(SUPPRESSIONS, storage_key(risk.key), risk.model_dump_json())

    def active(self, now: datetime) -> list[AcceptedRisk]:
        risks: list[AcceptedRisk] = []
        expired: list[str] = []
        for field, raw in self._redis.hgetall(SUPPRESSIONS).items():
            risk = AcceptedRisk.model_validate_json(raw)
            if risk.active(now):
                risks.append(risk)
            else:
                expired.append(field.decode() if isinstance(field, bytes) else str(field))
        if expired:
            self._redis.hdel(SUPPRESSIONS, *expired)
        return risks


def with_accepted_risks(
    connection: redis.Redis, findings: Iterable[Finding], now: datetime
) -> list[Finding]:
    """The findings with every active accepted risk applied (failing -> suppressed)."""
    return apply_suppressions(findings, SuppressionStore(connection).active(now), now)
