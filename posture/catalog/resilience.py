"""Rules of the resilience family (filled in by the catalog work)."""

from __future__ import annotations

from posture.catalog.model import Rule

RULES: tuple[Rule, ...] = ()
