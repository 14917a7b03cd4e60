"""build_digest: what a digest says, from findings, history and the approval records."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from posture.base import Severity
from posture.digest import (
    Baseline,
    DigestInputs,
    ExpiringRisk,
    PendingApproval,
    ScheduleNote,
    TokenWindow,
    build_digest,
    lateness,
    tokens_due,
)
from posture.findings import Finding
from posture.history import KeyHistory, PreviousScan, observe
from posture.messages import SeverityCounts
from posture.resources import CacheCluster, Inventory, ReplicationGroup
from tests.unit.digest.factories import ACCOUNT, REGION, at, failing, finding, key

NOW = at(10)


def state(
    opened_days_ago: int, severity: Severity = Severity.HIGH, first: int | None = None
) -> KeyHistory:
    opened = NOW - timedelta(days=opened_days_ago)
    first_seen = NOW - timedelta(days=first) if first is not None else opened
    return KeyHistory(severity=severity, first_seen=first_seen, last_seen=NOW, opened_at=opened)


def inputs(findings: list[Finding], **overrides: object) -> DigestInputs:
    observation = observe(findings, NOW)
    defaults: dict[str, object] = {
        "channel": "C1",
        "scope": "everything",
        "day": NOW.date(),
        "timezone": "UTC",
        "now": NOW,
        "findings": findings,
        "observation": observation,
        "states": {k: state(1) for k in observation.failing},
    }
    defaults.update(overrides)
    return DigestInputs(**defaults)  # type: ignore[arg-type]


def titles(rule_id: str) -> str:
    return f"title of {rule_id}"


def test_first_digest_has_no_changes_but_lists_oldest_serious_findings() -> None:
    findings = [
        *failing("young", "old"),
        finding("crit", severity=Severity.CRITICAL),
        finding("low", severity=Severity.LOW),
    ]
    observation = observe(findings, NOW)
    states = {
        key("young"): state(1),
        key("old"): state(30),
        key("crit"): state(5, Severity.CRITICAL),
    }
    states[key("low")] = state(90, Severity.LOW)
    digest = build_digest(inputs(findings, observation=observation, states=states), titles)
    assert digest.compared_to is None and digest.new.total == 0 and digest.resolved.total == 0
    assert [f.resource_id for f in digest.oldest_open.items] == ["old", "crit", "young"]
    assert [f.open_days for f in digest.oldest_open.items] == [30, 5, 1]
    assert digest.failing == SeverityCounts(critical=1, high=2, low=1)
    assert digest.score == 0 and digest.score_change is None


def test_changes_since_the_baseline_with_titles_for_resolved_rules() -> None:
    findings = [*failing("kept", "fresh"), finding("p", status="pass")]  # type: ignore[arg-type]
    baseline = Baseline(
        scan=PreviousScan(at=at(9), open_keys=frozenset({key("kept"), key("gone")})),
        failing=SeverityCounts(high=2),
        passing=SeverityCounts(),
    )
    states = {
        key("kept"): state(3, first=3),
        key("fresh"): state(0, first=0),
        key("gone"): KeyHistory(Severity.MEDIUM, at(2), at(9), at(2), resolved_at=NOW),
    }
    digest = build_digest(inputs(findings, baseline=baseline, states=states), titles)
    assert digest.compared_to == at(9)
    assert [f.resource_id for f in digest.new.items] == ["fresh"]
    gone = digest.resolved.items[0]
    assert (gone.resource_id, gone.title, gone.severity, gone.open_days) == (
        "gone",
        "title of CW-101",
        Severity.MEDIUM,
        None,
    )
    assert digest.previous_score == 0 and digest.score == 33  # 5 / (5 + 10)
    assert digest.score_change == 33


def test_seen_before_the_baseline_is_reopened() -> None:
    baseline = Baseline(PreviousScan(at(9), frozenset()), SeverityCounts(), SeverityCounts())
    states = {key("back"): state(0, first=8)}
    digest = build_digest(inputs(failing("back"), baseline=baseline, states=states), titles)
    assert digest.reopened.total == 1 and digest.new.total == 0


def test_lists_are_capped_with_true_totals() -> None:
    findings = failing(*(f"r{i:05d}" for i in range(10_000)))
    baseline = Baseline(PreviousScan(at(9), frozenset()), SeverityCounts(), SeverityCounts())
    fresh = {k: state(0) for k in observe(findings, NOW).failing}  # first seen after the baseline
    digest = build_digest(inputs(findings, baseline=baseline, states=fresh, shown=5), titles)
    assert (digest.new.total, len(digest.new.items), digest.new.more) == (10_000, 5, 9_995)
    assert digest.oldest_open.total == 10_000 and len(digest.oldest_open.items) == 5


def test_approvals_risks_schedule_and_unassessed_pass_through() -> None:
    today = NOW.date()
    risks = [
        ExpiringRisk(
            rule_id="CW-1",
            resource_id="x",
            account=ACCOUNT,
            region=REGION,
            until=today + timedelta(days=d),
            accepted_by="U1",
        )
        for d in (-1, 0, 3, 7, 8)
    ]
    approval = PendingApproval(
        request_id="abcd1234",
        kind="fix",
        requester="U2",
        resource_id="x",
        change="c",
        expires_at=NOW,
    )
    note = ScheduleNote(
        trigger="schedule",
        scheduled_for="09:00 UTC",
        late_minutes=90,
        missed_days=(date(2026, 5, 9),),
    )
    findings = [*failing("a"), finding("SCAN-x", rule="SCAN", status="error", region="us-east-1")]  # type: ignore[arg-type]
    digest = build_digest(
        inputs(findings, risks=risks, approvals=[approval], schedule=note), titles
    )
    assert [r.until for r in digest.expiring_risks.items] == [
        today + timedelta(days=d) for d in (0, 3, 7)
    ]
    assert digest.pending_approvals.items == (approval,)
    assert digest.schedule == note
    assert digest.unassessed == (f"{ACCOUNT}/us-east-1",)


def _inventory(**resources: object) -> Inventory:
    return Inventory(account=ACCOUNT, region=REGION, **resources)  # type: ignore[arg-type]


def test_tokens_due_from_auth_token_last_modified_date() -> None:
    now = datetime(2026, 5, 10, tzinfo=UTC)
    groups = (
        ReplicationGroup(
            replication_group_id="overdue",
            auth_token_enabled=True,
            auth_token_last_modified_date=now - timedelta(days=100),
        ),
        ReplicationGroup(
            replication_group_id="soon",
            auth_token_enabled=True,
            auth_token_last_modified_date=now - timedelta(days=85),
        ),
        ReplicationGroup(
            replication_group_id="fresh",
            auth_token_enabled=True,
            auth_token_last_modified_date=now - timedelta(days=10),
        ),
        ReplicationGroup(
            replication_group_id="never",
            auth_token_enabled=True,
            replication_group_create_time=now - timedelta(days=200),
        ),
        ReplicationGroup(replication_group_id="unknown", auth_token_enabled=True),
        ReplicationGroup(replication_group_id="no-auth", auth_token_enabled=False),
    )
    clusters = (
        CacheCluster(
            cache_cluster_id="member",
            engine="redis",
            auth_token_enabled=True,
            replication_group_id="overdue",
        ),
        CacheCluster(
            cache_cluster_id="solo",
            engine="valkey",
            auth_token_enabled=True,
            auth_token_last_modified_date=now - timedelta(days=95),
        ),
        CacheCluster(cache_cluster_id="memc", engine="memcached", auth_token_enabled=True),
    )
    due = tokens_due(
        [_inventory(replication_groups=groups, cache_clusters=clusters)], TokenWindow(90, now)
    )
    by_id = {t.resource_id: t for t in due}
    assert set(by_id) == {"overdue", "soon", "never", "unknown", "solo"}
    assert by_id["overdue"].overdue and by_id["overdue"].due_on == date(2026, 4, 30)
    assert not by_id["soon"].overdue and by_id["soon"].due_on == date(2026, 5, 15)
    assert by_id["unknown"].changed_on is None and by_id["unknown"].overdue
    assert by_id["solo"].resource_kind == "cache_cluster"


def test_lateness_is_measured_when_the_digest_runs() -> None:
    note = ScheduleNote(trigger="schedule", scheduled_at=at(0), late_minutes=0)
    assert lateness(note, at(0, hours=0.4), 30).late_minutes == 0
    assert lateness(note, at(0, hours=2), 30).late_minutes == 120
    manual = ScheduleNote(trigger="manual")
    assert lateness(manual, at(3), 30) == manual


def test_failing_items_lead_with_the_failure_and_resolved_ones_with_the_title() -> None:
    findings = failing("fresh")
    baseline = Baseline(
        scan=PreviousScan(at=at(9), open_keys=frozenset({key("gone")})),
        failing=SeverityCounts(high=1),
        passing=SeverityCounts(),
    )
    states = {
        key("fresh"): state(0, first=0),
        key("gone"): KeyHistory(Severity.HIGH, at(2), at(9), at(2), resolved_at=NOW),
    }
    digest = build_digest(inputs(findings, baseline=baseline, states=states), titles)
    (fresh,) = digest.new.items
    assert fresh.headline == "In-transit encryption is off: clients connect in plaintext"
    assert fresh.title == "Caches encrypt traffic in transit"
    (gone,) = digest.resolved.items
    assert gone.headline == gone.title == "title of CW-101"


def test_cost_findings_are_marked_and_never_among_the_oldest_serious() -> None:
    findings = [
        finding("idle", rule="CW-604", severity=Severity.CRITICAL),  # raised by a policy
        finding("open", severity=Severity.HIGH),
    ]
    observation = observe(findings, NOW)
    states = {key("idle", "CW-604"): state(40, Severity.CRITICAL), key("open"): state(2)}
    digest = build_digest(inputs(findings, observation=observation, states=states), titles)
    assert [f.resource_id for f in digest.oldest_open.items] == ["open"]
    assert digest.oldest_open.items[0].category == "security"
    baseline = Baseline(PreviousScan(at(9), frozenset()), SeverityCounts(), SeverityCounts())
    fresh = build_digest(inputs(findings, baseline=baseline, states=states), titles)
    listed = fresh.reopened.items + fresh.new.items
    assert [(f.rule_id, f.category) for f in listed] == [
        ("CW-101", "security"),
        ("CW-604", "cost"),  # after the security high although a policy made it critical
    ]
