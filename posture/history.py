"""Finding history across scans, as pure functions: what is new, resolved, reopened, and for how long.

A finding's identity is `Finding.key`: (rule, account, region, resource kind, resource id).
Scans are compared only with earlier scans of the same scope, so a narrower scan never
"resolves" what it did not look at. A part (account and region) that could not be
scanned resolves nothing either: its previously open findings are carried forward.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from posture.base import Severity
from posture.findings import Finding, Status
from posture.messages import SeverityCounts

FindingKey = tuple[str, str, str, str, str]  # Finding.key: rule, account, region, kind, resource
Part = tuple[str, str]  # (account, region)
SCAN_RULE_ID = "SCAN"  # the marker findings for parts that could not be assessed
_KEY_SEPARATOR = "\x1f"  # unit separator: cannot occur in AWS ids, rule ids or region names

# How much one failing check of each severity weighs in the posture score.
SEVERITY_WEIGHTS: Mapping[Severity, int] = {
    Severity.CRITICAL: 10,
    Severity.HIGH: 5,
    Severity.MEDIUM: 2,
    Severity.LOW: 1,
    Severity.INFO: 0,
}


def key_text(key: FindingKey) -> str:
    return _KEY_SEPARATOR.join(key)


def finding_key(finding: Finding) -> FindingKey:
    """`Finding.key` with plain strings, so keys read back from storage compare equal."""
    rule, account, region, kind, resource = finding.key
    return (rule, account, region, str(kind), resource)


def parse_key_text(text: str) -> FindingKey:
    rule, account, region, kind, resource = text.split(_KEY_SEPARATOR, 4)
    return (rule, account, region, kind, resource)


@dataclass(frozen=True, slots=True)
class KeyHistory:
    """Everything remembered about one (rule, resource) across scans."""

    severity: Severity
    first_seen: datetime  # the first scan that saw it failing
    last_seen: datetime  # the latest scan that saw it failing
    opened_at: datetime  # start of the current (or last) failing streak
    resolved_at: datetime | None = None  # set while it is not failing
    reopen_count: int = 0

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    def open_days(self, now: datetime) -> int:
        return max((now - self.opened_at).days, 0)


@dataclass(frozen=True, slots=True)
class ScanObservation:
    """What one scan saw: failing keys with their severity, and what it could not judge."""

    at: datetime
    failing: Mapping[FindingKey, Severity]
    passing: SeverityCounts = field(default_factory=SeverityCounts)
    unassessed_parts: frozenset[Part] = frozenset()
    unknown_keys: frozenset[FindingKey] = frozenset()  # checks that errored this time
    accepted_keys: frozenset[FindingKey] = frozenset()  # failing, but the risk was accepted

    @property
    def failing_counts(self) -> SeverityCounts:
        return counts_of(self.failing.values())

    def could_judge(self, key: FindingKey) -> bool:
        return key not in self.unknown_keys and (key[1], key[2]) not in self.unassessed_parts


@dataclass(frozen=True, slots=True)
class PreviousScan:
    """The scan a new one is compared with: when it ran and what was open then."""

    at: datetime
    open_keys: frozenset[FindingKey]


@dataclass(frozen=True, slots=True)
class ScanDelta:
    new: tuple[FindingKey, ...] = ()
    reopened: tuple[FindingKey, ...] = ()
    resolved: tuple[FindingKey, ...] = ()
    still_open: tuple[FindingKey, ...] = ()
    carried: tuple[FindingKey, ...] = ()  # open before, not judged now: still counted open

    @property
    def open_keys(self) -> frozenset[FindingKey]:
        return frozenset((*self.new, *self.reopened, *self.still_open, *self.carried))


@dataclass(frozen=True, slots=True)
class StateChanges:
    """The key histories a scan changed; everything else stays as it was."""

    updated: dict[FindingKey, KeyHistory] = field(default_factory=dict)


def counts_of(severities: Iterable[Severity]) -> SeverityCounts:
    tally = Counter(str(severity) for severity in severities)
    return SeverityCounts(**tally)


def observe(findings: Iterable[Finding], at: datetime) -> ScanObservation:
    """Reduce a scan's findings to what history needs; a repeated key counts once."""
    failing: dict[FindingKey, Severity] = {}
    passing: Counter[str] = Counter()
    unassessed: set[Part] = set()
    unknown: set[FindingKey] = set()
    accepted: set[FindingKey] = set()
    for finding in findings:
        if finding.rule_id == SCAN_RULE_ID:
            unassessed.add((finding.account, finding.region))
        elif finding.status is Status.FAIL:
            failing[finding_key(finding)] = finding.severity
        elif finding.status is Status.PASS:
            passing[str(finding.severity)] += 1
        elif finding.status is Status.ERROR:
            unknown.add(finding_key(finding))
        elif finding.status is Status.SUPPRESSED:
            accepted.add(finding_key(finding))
    return ScanObservation(
        at=at,
        failing=failing,
        passing=SeverityCounts(**passing),
        unassessed_parts=frozenset(unassessed),
        unknown_keys=frozenset(unknown),
        accepted_keys=frozenset(accepted),
    )


def _part_blocked(key: FindingKey, observation: ScanObservation) -> bool:
    """An unreachable account's marker has no region: it blocks every region of that account."""
    account = key[1]
    return not observation.could_judge(key) or (account, "") in observation.unassessed_parts


def classify(
    previous: PreviousScan | None,
    observation: ScanObservation,
    first_seen: Mapping[FindingKey, datetime],
) -> ScanDelta:
    """Compare a scan with the previous one of the same scope.

    New: failing now, not open before, and first seen after the previous scan.
    Reopened: failing now, not open before, but seen failing before the previous scan.
    Resolved: open before, not failing now, and this scan could judge it. An accepted risk
    (suppressed) still fails: it leaves the open set but is never listed as resolved.
    """
    before = previous.open_keys if previous else frozenset()
    since = previous.at if previous else None
    new: list[FindingKey] = []
    reopened: list[FindingKey] = []
    still_open: list[FindingKey] = []
    for key in observation.failing:
        if key in before:
            still_open.append(key)
        elif since is not None and key in first_seen and first_seen[key] <= since:
            reopened.append(key)
        else:
            new.append(key)
    resolved: list[FindingKey] = []
    carried: list[FindingKey] = []
    for key in before:
        if key in observation.failing or key in observation.accepted_keys:
            continue
        (carried if _part_blocked(key, observation) else resolved).append(key)
    return ScanDelta(
        new=tuple(sorted(new)),
        reopened=tuple(sorted(reopened)),
        resolved=tuple(sorted(resolved)),
        still_open=tuple(sorted(still_open)),
        carried=tuple(sorted(carried)),
    )


def _seen_failing(known: KeyHistory | None, severity: Severity, at: datetime) -> KeyHistory:
    if known is None:
        return KeyHistory(severity=severity, first_seen=at, last_seen=at, opened_at=at)
    if known.resolved_at is not None:
        return replace(
            known,
            severity=severity,
            last_seen=at,
            opened_at=at,
            resolved_at=None,
            reopen_count=known.reopen_count + 1,
        )
    return replace(known, severity=severity, last_seen=at)


def advance(
    states: Mapping[FindingKey, KeyHistory], observation: ScanObservation, delta: ScanDelta
) -> StateChanges:
    """The key histories after this scan: failing keys seen now, resolved keys closed."""
    updated: dict[FindingKey, KeyHistory] = {}
    for key, severity in observation.failing.items():
        updated[key] = _seen_failing(states.get(key), severity, observation.at)
    for key in delta.resolved:
        known = states.get(key)
        if known is not None and known.resolved_at is None:
            updated[key] = replace(known, resolved_at=observation.at)
    return StateChanges(updated=updated)


def posture_score(failing: SeverityCounts, passing: SeverityCounts) -> int | None:
    """0-100: the weighted share of assessed checks that pass; None when nothing was assessed."""
    failed = _weighted(failing)
    passed = _weighted(passing)
    if failed + passed == 0:
        return None if failing.total + passing.total == 0 else 100
    return round(100 * passed / (failed + passed))


def _weighted(counts: SeverityCounts) -> int:
    return sum(
        getattr(counts, str(severity)) * weight for severity, weight in SEVERITY_WEIGHTS.items()
    )


@dataclass(frozen=True, slots=True)
class TrendPoint:
    day: date
    failing: SeverityCounts | None  # None: no scan that day


def daily_trend(
    scans: Iterable[tuple[datetime, SeverityCounts]], last_day: date, days: int = 30
) -> tuple[TrendPoint, ...]:
    """One point per day ending on `last_day`: the last scan of each day, or a gap."""
    first_day = last_day - timedelta(days=days - 1)
    latest: dict[date, tuple[datetime, SeverityCounts]] = {}
    for at, counts in scans:
        day = at.date()
        if first_day <= day <= last_day and (day not in latest or latest[day][0] <= at):
            latest[day] = (at, counts)
    return tuple(
        TrendPoint(day=day, failing=latest[day][1] if day in latest else None)
        for day in (first_day + timedelta(days=offset) for offset in range(days))
    )
