"""Usage text for every command, written once and shown everywhere."""

from __future__ import annotations

from commands.scope import SCOPE_USAGE

USAGE: dict[str, str] = {
    "/cache-audit": (
        "Usage: /cache-audit [scope]\n"
        "Scans ElastiCache and posts a summary here with the details in its thread.\n"
        f"{SCOPE_USAGE}\n"
        "Examples: /cache-audit   /cache-audit orders-prod   /cache-audit region=eu-west-1 engine=valkey\n"
        "Also: /cache-audit log [n] shows the latest audit-log entries (approvers only).\n"
        "Daily digest in this channel:\n"
        "  /cache-audit subscribe daily 09:00 [tz=Europe/Berlin] [scope]\n"
        "  /cache-audit unsubscribe     /cache-audit subscriptions     /cache-audit digest now\n"
        "Real-time alerts in this channel: /cache-audit alerts on [scope]   /cache-audit alerts off"
    ),
    "/cache-explain": (
        "Usage: /cache-explain <rule-id-or-alias>\n"
        "Explains a rule: what it checks, why it matters, how to audit, fix and back out.\n"
        "Accepts our ids (CW-101) and other tools' ids (EC-014, ElastiCache.5, CKV_AWS_30, ...)."
    ),
    "/cache-rotate-token": (
        "Usage: /cache-rotate-token <replication-group-id> [region=<region>] [account=<id>]\n"
        "Rotates the group's AUTH token in two approved steps (ROTATE, then SET). The new token\n"
        "is kept in AWS Secrets Manager and is never shown."
    ),
    "/cache-help": (
        "cachewarden keeps ElastiCache secure from chat.\n"
        "  /cache-audit [scope]            scan and report findings\n"
        "  /cache-audit subscribe daily 09:00 [tz=...] [scope]   a daily digest here\n"
        "  /cache-explain <id>             explain a rule or another tool's control id\n"
        "  /cache-rotate-token <group>     rotate an AUTH token with approval\n"
        "  /cache-help [command]           this help, or one command's usage"
    ),
}


def help_text(topic: str | None) -> str:
    return USAGE.get(topic or "/cache-help", USAGE["/cache-help"])
