"""cachewarden audit beside Prowler on the same seeded fleet: wall time and per-resource agreement.

Prowler runs from its own virtualenv (`bench/.prowler-venv`, created on first use with
`pip install prowler==PROWLER_VERSION`; it pins its own boto3). Both tools scan the
same fake AWS in the same run; the fake counts the requests each one sends. When
Prowler cannot be installed or run, the benchmark says why and exits non-zero. Each
tool runs twice per fleet, alternating, and the faster run of each is compared.
"""

from __future__ import annotations

import glob
import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from bench.fake_aws_process import FakeAwsProcess
from bench.fleet_runs import (
    REGIONS,
    SeededFleet,
    ToolRun,
    audit_command,
    audit_findings,
    run_tool,
    seed,
)
from bench.prowler_agreement import (
    REPLICATION_GROUP,
    ResourceKey,
    compare_all,
    failing_rules,
    our_verdicts,
    prowler_check_ids,
    prowler_verdicts,
)
from bench.report import fmt_percent, fmt_ratio, format_table, ratio, write_result

PROWLER_VERSION = "5.46.0"  # newest 5.x on PyPI when this benchmark was written
VENV_DIR = Path(__file__).resolve().parent / ".prowler-venv"
FULL_SIZES, QUICK_SIZES = (100, 1000), (10,)
FULL_REPEATS, QUICK_REPEATS = 2, 1  # runs of each tool per fleet; the fastest is kept
EXIT_PROWLER_UNAVAILABLE = 3


class ProwlerUnavailable(RuntimeError):
    """Prowler could not be installed or did not produce results; the message says why."""


def ensure_prowler(venv: Path = VENV_DIR, version: str = PROWLER_VERSION) -> Path:
    """The `prowler` executable of `venv`, installing the pinned version when missing."""
    exe = venv / "bin" / "prowler"
    if exe.exists() and _installed_version(venv) == version:
        return exe
    steps = [
        ["python3.11", "-m", "venv", str(venv)],
        [str(venv / "bin" / "pip"), "install", "-q", f"prowler=={version}"],
    ]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, timeout=1200, check=False)
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
            raise ProwlerUnavailable(f"`{' '.join(step)}` failed: " + " | ".join(tail))
    if not exe.exists():
        raise ProwlerUnavailable(f"pip installed prowler=={version} but {exe} is missing")
    return exe


def _installed_version(venv: Path) -> str | None:
    done = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import importlib.metadata as m; print(m.version('prowler'))",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() if done.returncode == 0 else None


def prowler_command(exe: Path, regions: tuple[str, ...], out_dir: str) -> list[str]:
    return [
        str(exe), "aws", "--services", "elasticache", "--region", *regions,
        "--output-formats", "json-ocsf", "--output-directory", out_dir,
        "--no-banner", "--no-color", "--ignore-exit-code-3",
    ]  # fmt: skip


def prowler_records(run: ToolRun, out_dir: str) -> list[dict[str, Any]]:
    files = glob.glob(os.path.join(out_dir, "*.ocsf.json"))
    if run.returncode != 0 or not files:
        tail = " | ".join((run.stderr or run.stdout).strip().splitlines()[-5:])
        raise ProwlerUnavailable(f"prowler exited {run.returncode} with no json-ocsf: {tail}")
    records: list[dict[str, Any]] = json.loads(Path(files[0]).read_text())
    return records


def member_map(fleet: SeededFleet) -> dict[ResourceKey, tuple[str, ...]]:
    """Each seeded replication group's member cluster ids."""
    return {
        (r.account, r.region, REPLICATION_GROUP, r.resource_id): tuple(r.member_clusters)
        for r in fleet.manifest.resources("replication-group")
    }


def alternate_runs(
    fake: FakeAwsProcess, exe: Path, repeats: int
) -> tuple[list[ToolRun], list[ToolRun], list[dict[str, Any]]]:
    """cachewarden, Prowler, cachewarden, ...; Prowler's findings from its first run."""
    ours: list[ToolRun] = []
    theirs: list[ToolRun] = []
    records: list[dict[str, Any]] = []
    for _ in range(repeats):
        ours.append(run_tool(fake, audit_command(REGIONS)))
        with tempfile.TemporaryDirectory(prefix="bench-prowler-") as out_dir:
            theirs.append(run_tool(fake, prowler_command(exe, REGIONS, out_dir)))
            found = prowler_records(theirs[-1], out_dir)
        records = records or found
    return ours, theirs, records


def fastest(runs: list[ToolRun]) -> ToolRun:
    return min(runs, key=lambda run: run.seconds)


def compare_on_fleet(fake: FakeAwsProcess, exe: Path, groups: int, repeats: int) -> dict[str, Any]:
    fleet = seed(fake, groups)
    ours_runs, prowler_runs, records = alternate_runs(fake, exe, repeats)
    ours_run, prowler_run = fastest(ours_runs), fastest(prowler_runs)
    checks, findings = prowler_check_ids(), audit_findings(ours_run)
    theirs = prowler_verdicts(records)
    agreements = compare_all(checks, our_verdicts(findings, checks, member_map(fleet)), theirs)
    failing = failing_rules(findings)
    return {
        "groups": groups,
        "regions": list(REGIONS),
        "groups_per_region": fleet.groups_per_region(),
        "seed_seconds": fleet.seconds,
        "cachewarden_seconds": ours_run.seconds,
        "prowler_seconds": prowler_run.seconds,
        "cachewarden_samples": [run.seconds for run in ours_runs],
        "prowler_samples": [run.seconds for run in prowler_runs],
        "time_ratio_prowler_over_cachewarden": ratio(prowler_run.seconds, ours_run.seconds),
        "cachewarden_requests": ours_run.requests,
        "prowler_requests": prowler_run.requests,
        "prowler_requests_by_operation": _by_operation(prowler_run),
        "cachewarden_requests_by_operation": _by_operation(ours_run),
        "groups_seen": {
            "cachewarden": len(
                {f["resource_id"] for f in findings if f["resource_kind"] == REPLICATION_GROUP}
            ),
            "prowler": _groups_seen(theirs),
        },
        "agreed": sum(a.agreed for a in agreements),
        "compared": sum(a.compared for a in agreements),
        "checks": [a.summary(failing) for a in agreements],
    }


def _by_operation(run: ToolRun) -> dict[str, int]:
    return {op: int(entry["requests"]) for op, entry in sorted(run.server.items())}


def _groups_seen(theirs: dict[str, dict[ResourceKey, Any]]) -> int:
    keys = {key for verdicts in theirs.values() for key in verdicts if key[2] == REPLICATION_GROUP}
    return len(keys)


def print_fleet(result: dict[str, Any]) -> None:
    print(
        f"\nFleet: {result['groups']} replication groups over {len(result['regions'])} regions "
        f"(seeded in {result['seed_seconds']:.1f}s)"
    )
    rows = [
        ["cachewarden audit", result["cachewarden_seconds"], result["cachewarden_requests"], result["groups_seen"]["cachewarden"]],
        ["prowler", result["prowler_seconds"], result["prowler_requests"], result["groups_seen"]["prowler"]],
    ]  # fmt: skip
    print(format_table(["tool", "best wall s", "AWS requests", "groups judged"], rows))
    print(
        f"wall-time ratio prowler / cachewarden: {fmt_ratio(result['time_ratio_prowler_over_cachewarden'])}"
    )
    print(_agreement_table(result["checks"]))
    overall = ratio(result["agreed"], result["compared"])
    print(
        f"overall: {result['agreed']}/{result['compared']} comparable verdicts agree ({fmt_percent(overall)})"
    )
    _print_disagreements(result["checks"])


def _agreement_table(checks: list[dict[str, Any]]) -> str:
    rows = [
        [
            c["check"], c["rule_id"], c["compared"], c["agreed"],
            fmt_percent(c["agreement"]),
            c["prowler_manual"], c["only_cachewarden"], c["only_prowler"],
        ]
        for c in checks
    ]  # fmt: skip
    headers = [
        "prowler check",
        "rule",
        "compared",
        "agree",
        "agree %",
        "MANUAL",
        "only cw",
        "only prowler",
    ]
    return format_table(headers, rows)


def _print_disagreements(checks: list[dict[str, Any]], limit: int = 10) -> None:
    for check in checks:
        found = check["disagreements"]
        if not found:
            continue
        print(f"disagreements on {check['check']} ({check['rule_id']}): {len(found)}")
        for item in found[:limit]:
            print(
                f"  {item['resource']}: cachewarden {item['cachewarden']}, prowler {item['prowler']}"
            )
            print(f"    prowler: {item['prowler_detail'][:150]}")
            print(
                f"    cachewarden fails it on: {', '.join(item['cachewarden_fails']) or 'nothing'}"
            )
        if len(found) > limit:
            print(f"  ... {len(found) - limit} more in bench/results/prowler.json")


def run(quick: bool = False) -> int:
    print("== prowler: cachewarden audit beside Prowler on the same fleet ==")
    try:
        exe = ensure_prowler()
        sizes = QUICK_SIZES if quick else FULL_SIZES
        repeats = QUICK_REPEATS if quick else FULL_REPEATS
        with FakeAwsProcess() as fake:
            fleets = [compare_on_fleet(fake, exe, n, repeats) for n in sizes]
    except ProwlerUnavailable as exc:
        print(f"PROWLER UNAVAILABLE, comparison skipped: {exc}")
        write_result("prowler", {"available": False, "reason": str(exc)})
        return EXIT_PROWLER_UNAVAILABLE
    for fleet in fleets:
        print_fleet(fleet)
    path = write_result(
        "prowler", {"available": True, "prowler_version": PROWLER_VERSION, "fleets": fleets}
    )
    print(f"results: {path}")
    return 0
