"""`cachewarden audit`: the chat scan for terminals and CI pipelines.

Exit codes: 0 nothing failing at or above --fail-on and everything assessed; 1 something
fails at or above --fail-on; 2 usage or setup error; 3 nothing fails, but some account,
region or rule could not be assessed (an `error` finding), unless --allow-partial.
A failing finding (1) outranks a partial scan (3): both stop a pipeline.
"""

from __future__ import annotations

import argparse
import os
import sys
from importlib.metadata import version
from typing import TextIO

from commands.errors import UsageError
from commands.scope import Scope, parse_scope
from posture.base import Severity
from posture.export import to_csv, to_json, to_ocsf
from posture.findings import Finding, Status
from workers.audit.publish import error_findings
from workers.audit.scanning import (
    findings_for,
    scan_filters,
    scan_scope,
    session_for,
    targets_in_scope,
    unassessed_errors,
)
from workers.aws.scan import ScanResult, scan
from workers.aws.session import CallCounter, MissingCredentialsError
from workers.aws.targets import resolve_targets
from workers.platform.config import AppConfig, ConfigError, load_config

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3


def add_audit_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "audit",
        help="scan ElastiCache and print findings (no chat needed)",
        description="Scan ElastiCache and print findings.",
        epilog=(
            "exit codes: 0 all assessed and nothing fails at or above --fail-on; "
            "1 a finding fails at or above --fail-on; 2 usage or setup error; "
            "3 some account, region or rule could not be assessed (see the error "
            "findings), unless --allow-partial"
        ),
    )
    parser.add_argument("ids", nargs="*", help="replication group, cluster or serverless cache ids")
    parser.add_argument(
        "--region", action="append", default=[], help="repeatable; default: config or all enabled"
    )
    parser.add_argument("--account", action="append", default=[], help="only these account ids")
    parser.add_argument(
        "--role-arn", action="append", default=[], help="assume these roles (repeatable)"
    )
    parser.add_argument(
        "--organization-role", default="", help="scan every Organization account via this role"
    )
    parser.add_argument("--tag", default=None, help="key=value")
    parser.add_argument("--engine", default=None, choices=("redis", "valkey", "memcached"))
    parser.add_argument("--format", choices=("table", "json", "csv", "ocsf"), default="table")
    parser.add_argument("--fail-on", choices=[s.value for s in Severity], default=None)
    parser.add_argument(
        "--all", action="store_true", help="table: also show pass and not-applicable"
    )
    parser.add_argument("--max-workers", type=int, default=None)
    parser.add_argument(
        "--allow-partial",
        action="store_true",
        help="exit 0 (not 3) when some part could not be assessed",
    )
    parser.set_defaults(handler=run_audit)


def _scope(args: argparse.Namespace) -> Scope:
    words = list(args.ids)
    words += [f"region={r}" for r in args.region] + [f"account={a}" for a in args.account]
    words += [f"tag={args.tag}"] if args.tag else []
    words += [f"engine={args.engine}"] if args.engine else []
    return parse_scope(words)


def _config(args: argparse.Namespace) -> AppConfig:
    config = load_config(os.environ.get("CACHEWARDEN_CONFIG"))
    scan_update: dict[str, object] = {}
    if args.role_arn:
        scan_update["role_arns"] = tuple(args.role_arn)
    if args.organization_role:
        scan_update["organization_role"] = args.organization_role
    if args.max_workers:
        scan_update["max_workers"] = args.max_workers
    if not scan_update:
        return config
    return config.model_copy(update={"scan": config.scan.model_copy(update=scan_update)})


def _progress(stream: TextIO):  # type: ignore[no-untyped-def]
    def report(account: str, region: str, done: int, total: int) -> None:
        stream.write(f"\r  scanned {done}/{total}  ({account} {region})\x1b[K")
        stream.flush()
        if done == total:
            stream.write("\n")

    return report if stream.isatty() else None


def collect_findings(scope: Scope, config: AppConfig) -> tuple[list[Finding], ScanResult]:
    counter = CallCounter()
    endpoint = os.environ.get("AWS_ENDPOINT_URL") or None
    base = session_for(None, endpoint_url=endpoint, counter=counter)
    resolved = resolve_targets(scan_scope(scope, config), base, counter=counter)
    result = scan(
        targets_in_scope(resolved, scope),
        scan_filters(scope),
        max_workers=config.scan.max_workers,
        on_progress=_progress(sys.stderr),
        counter=counter,
        lookback=config.policy.nodes.idle_window,
    )
    findings = error_findings(unassessed_errors(result))
    for inventory in result.inventories:
        findings += findings_for(inventory, scope, config.policy, result.finished)
    return findings, result


def _table(findings: list[Finding], show_all: bool) -> str:
    shown = [f for f in findings if show_all or f.status in (Status.FAIL, Status.ERROR)]
    # Cost findings come after every security finding, whatever their severity.
    shown.sort(
        key=lambda f: (f.is_cost, -f.severity.rank, f.account, f.region, f.resource_id, f.rule_id)
    )
    rows = [
        f"{'SEVERITY':<9} {'STATUS':<8} {'RULE':<7} {'CATEGORY':<8} {'ACCOUNT/REGION':<28} "
        f"{'RESOURCE':<28} FINDING"
    ]
    for f in shown:
        where = f"{f.account}/{f.region}"
        rows.append(
            f"{f.severity:<9} {f.status:<8} {f.rule_id:<7} {f.category:<8} {where:<28} "
            f"{f.resource_id[:28]:<28} {f.headline}: {f.evidence}"
        )
    failing = sum(1 for f in findings if f.status is Status.FAIL)
    rows.append(
        f"\n{failing} failing, {sum(1 for f in findings if f.status is Status.PASS)} passing, "
        f"{sum(1 for f in findings if f.status is Status.ERROR)} not assessed."
    )
    return "\n".join(rows) + "\n"


def _render(fmt: str, findings: list[Finding], result: ScanResult, show_all: bool) -> str:
    scan_meta = {
        "started": result.started.isoformat(),
        "finished": result.finished.isoformat(),
        "accounts": sorted({i.account for i in result.inventories}),
        "regions": sorted({i.region for i in result.inventories}),
        "api_calls": result.api_calls,
        "errors": [e.model_dump(mode="json") for e in result.errors],
    }
    if fmt == "json":
        return to_json(findings, scan_meta) + "\n"
    if fmt == "csv":
        return to_csv(findings)
    if fmt == "ocsf":
        return (
            to_ocsf(findings, generated_at=result.finished, version=version("cachewarden")) + "\n"
        )
    return _table(findings, show_all)


def run_audit(args: argparse.Namespace) -> int:
    try:
        scope = _scope(args)
        config = _config(args)
    except UsageError as exc:
        print(f"cachewarden audit: {exc.message}", file=sys.stderr)
        return EXIT_USAGE
    except ConfigError as exc:
        print(f"cachewarden audit: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        findings, result = collect_findings(scope, config)
    except MissingCredentialsError as exc:
        print(f"cachewarden audit: {exc} (set AWS_PROFILE or AWS credentials)", file=sys.stderr)
        return EXIT_USAGE
    sys.stdout.write(_render(args.format, findings, result, args.all))
    return exit_code(findings, result, fail_on=args.fail_on, allow_partial=args.allow_partial)


def exit_code(
    findings: list[Finding], result: ScanResult, *, fail_on: str | None, allow_partial: bool
) -> int:
    if fail_on is not None:
        threshold = Severity(fail_on).rank
        if any(f.status is Status.FAIL and f.severity.rank >= threshold for f in findings):
            return EXIT_FINDINGS
    unassessed = sum(1 for f in findings if f.status is Status.ERROR)
    if (unassessed or result.errors) and not allow_partial:
        print(
            f"cachewarden audit: {unassessed} error finding(s), {len(result.errors)} scan "
            "error(s): part of the scope could not be assessed (exit 3; --allow-partial "
            "accepts a partial scan)",
            file=sys.stderr,
        )
        return EXIT_PARTIAL
    return EXIT_OK
