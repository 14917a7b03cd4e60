"""`cachewarden` console script: one entry point for every process and terminal command.

Exit codes: 0 success, 1 a finding at or above --fail-on (audit), 2 usage errors.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence

from posture.catalog import UnknownIdError, all_rules, resolve
from posture.explain import explain_document, rule_document

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def _cmd_rules(args: argparse.Namespace) -> int:
    from bot.slack.render.text import render_rules_table

    docs = [rule_document(rule) for rule in all_rules()]
    if args.format == "json":
        print(json.dumps(docs, indent=2))
    else:
        sys.stdout.write(render_rules_table(docs))
    return EXIT_OK


def _cmd_explain(args: argparse.Namespace) -> int:
    from bot.slack.render.text import render_explain_text

    try:
        target = resolve(args.id)
    except UnknownIdError as exc:
        print(f"cachewarden: {exc}", file=sys.stderr)
        return EXIT_USAGE
    doc = explain_document(target)
    if args.format == "json":
        print(json.dumps(doc, indent=2))
    else:
        sys.stdout.write(render_explain_text(doc))
    return EXIT_OK


def _add_rules(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("rules", help="list the rule catalog")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.set_defaults(handler=_cmd_rules)


def _add_explain(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "explain", help="explain a rule, alias or control (EC-014, CW-101, ...)"
    )
    parser.add_argument("id", help="a CW rule id or any framework alias, case-insensitive")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(handler=_cmd_explain)


def _cmd_iam_policy(args: argparse.Namespace) -> int:
    from posture.alert_iam import render_listen_policy
    from posture.iam import render_policy

    print(render_listen_policy() if args.kind == "listen" else render_policy(args.kind))
    return EXIT_OK


def _add_iam_policy(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("iam-policy", help="print a least-privilege IAM policy (generated)")
    parser.add_argument("kind", choices=("audit", "remediation", "organization", "listen"))
    parser.set_defaults(handler=_cmd_iam_policy)


def _add_processes(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from bot.processes import add_process_commands

    add_process_commands(sub)


def _add_audit(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from bot.cli.audit import add_audit_command

    add_audit_command(sub)


def _add_digest(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from bot.cli.digest import add_digest_commands

    add_digest_commands(sub)


def _add_audit_log(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from bot.cli.trail import add_audit_log_command

    add_audit_log_command(sub)


def _add_teams_package(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from bot.teams.cli import add_teams_package

    add_teams_package(sub)


def _add_serve_teams(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from bot.teams.cli import add_serve_teams

    add_serve_teams(sub)


def _add_listen(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from bot.listen_process import add_listen_command

    add_listen_command(sub)


REGISTRARS: list[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]] = [
    _add_rules,
    _add_explain,
    _add_audit,
    _add_iam_policy,
    _add_processes,
    _add_audit_log,
    _add_digest,
    _add_teams_package,
    _add_listen,
]


# Which registrar defines each subcommand: only that one is imported for a normal run, so
# `cachewarden audit` does not pay for importing Slack, RQ and the web server (about 1.3 s).
REGISTRAR_FOR = {
    "rules": _add_rules,
    "explain": _add_explain,
    "audit": _add_audit,
    "iam-policy": _add_iam_policy,
    "serve": _add_processes,
    "worker": _add_processes,
    "audit-log": _add_audit_log,
    "digest": _add_digest,
    "cron": _add_digest,
    "teams-package": _add_teams_package,
    "listen": _add_listen,
}


def build_parser(command: str | None = None, *, teams: bool = False) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cachewarden",
        description="Keep Amazon ElastiCache secure: audit, explain, approve and verify fixes.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    # `serve --teams` runs the Teams front end: only its registrar is imported, not Slack's.
    only = _add_serve_teams if teams else REGISTRAR_FOR.get(command or "")
    for register in [only] if only else REGISTRARS:
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    command = words[0] if words else None
    parser = build_parser(command, teams=command == "serve" and "--teams" in words)
    try:
        args = parser.parse_args(words)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    handler: Callable[[argparse.Namespace], int] = args.handler
    return handler(args)


if __name__ == "__main__":
    raise SystemExit(main())
