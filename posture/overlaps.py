"""Rules that overlap: when the stronger fails on a resource, the weaker fails for the same cause.

Reports show one line per root cause: the weaker finding is folded under the stronger one
on the same resource (same kind, id, account and region), not repeated. Pure data and a
pure function; the pairs are tested against the checks in tests/unit/render/test_overlaps.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from posture.findings import Finding

# (stronger, weaker): the stronger failing means the weaker fails too, on the same resource.
IMPLIES: tuple[tuple[str, str], ...] = (
    # A source of 0.0.0.0/0 or ::/0 on the cache port is also a source the policy does not trust.
    ("CW-304", "CW-305"),
    # In-transit encryption off means the cache accepts plaintext clients.
    ("CW-101", "CW-102"),
    # A lease ending within 7 days also ends within 30.
    ("CW-605", "CW-606"),
    # Multi-AZ needs automatic failover, so failover off means Multi-AZ off.
    # https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/AutoFailover.html
    ("CW-403", "CW-404"),
)

ResourceKey = tuple[str, str, str, str]  # (kind, id, account, region)


def _stronger_of() -> Mapping[str, tuple[str, ...]]:
    table: dict[str, list[str]] = {}
    for stronger, weaker in IMPLIES:
        table.setdefault(weaker, []).append(stronger)
    return MappingProxyType({weaker: tuple(found) for weaker, found in table.items()})


STRONGER_OF = _stronger_of()


@dataclass(frozen=True)
class RootCause:
    """One line of a report: the lead finding and the weaker ones it implies."""

    lead: Finding
    folded: tuple[Finding, ...] = ()

    @property
    def also(self) -> tuple[str, ...]:
        return tuple(f.rule_id for f in self.folded)


def resource_key(finding: Finding) -> ResourceKey:
    return (str(finding.resource_kind), finding.resource_id, finding.account, finding.region)


def _root_rule(rule_id: str, present: set[str]) -> str:
    """The strongest rule present that implies `rule_id` (itself when none does)."""
    seen = {rule_id}
    current = rule_id
    while True:
        above = [s for s in STRONGER_OF.get(current, ()) if s in present and s not in seen]
        if not above:
            return current
        current = sorted(above)[0]
        seen.add(current)


def root_causes(findings: Iterable[Finding]) -> list[RootCause]:
    """Findings of one status, folded by resource: a weaker rule joins its stronger one.

    Only findings of the same status fold together (a suppressed CW-304 does not hide a
    failing CW-305). Order follows the input's first appearance of each lead.
    """
    items = list(findings)
    present: dict[tuple[ResourceKey, str], set[str]] = {}  # (resource, status) -> rule ids
    for finding in items:
        present.setdefault((resource_key(finding), str(finding.status)), set()).add(finding.rule_id)
    leads: dict[tuple[ResourceKey, str, str], Finding] = {}
    folded: dict[tuple[ResourceKey, str, str], list[Finding]] = {}
    pending: list[tuple[tuple[ResourceKey, str, str], Finding]] = []
    for finding in items:
        where = (resource_key(finding), str(finding.status))
        root = _root_rule(finding.rule_id, present[where])
        slot = (where[0], where[1], root)
        if root == finding.rule_id:
            leads.setdefault(slot, finding)
        else:
            pending.append((slot, finding))
    for slot, finding in pending:
        folded.setdefault(slot, []).append(finding)
    return [RootCause(lead, tuple(folded.get(slot, ()))) for slot, lead in leads.items()]
