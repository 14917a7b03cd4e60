"""Python helpers for the `/_fake/` endpoints of a running FakeAwsServer."""

from __future__ import annotations

import json
import urllib.request
from typing import Any


def _call(url: str, method: str, path: str, payload: Any = None) -> Any:
    if not url.startswith(("http://127.0.0.1", "http://localhost")):
        raise ValueError(f"not a local fake AWS endpoint: {url}")
    data = None if payload is None else json.dumps(payload, default=str).encode()
    headers = {"Content-Type": "application/json"}
    # the scheme is checked above: only the local http fake is ever opened
    request = urllib.request.Request(f"{url.rstrip('/')}{path}", data, headers, method=method)  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return json.loads(response.read() or b"null")


def inject_fault(
    url: str,
    service: str,
    code: str,
    *,
    operation: str | None = None,
    region: str | None = None,
    account: str | None = None,
    status: int = 400,
    count: int | None = 1,
    message: str | None = None,
    rate: float | None = None,
    seed: int = 0,
) -> int:
    """Make matching calls fail with `code` (count=None: until cleared); returns the id.

    `service="*"` matches every service; `rate` fails only that share of the matching
    calls, drawn from a generator seeded with `seed`."""
    spec = {
        "service": service, "operation": operation, "region": region, "account": account,
        "code": code, "status": status, "count": count, "message": message,
        "rate": rate, "seed": seed,
    }  # fmt: skip
    return int(_call(url, "POST", "/_fake/faults", spec)["id"])


def health(url: str) -> dict[str, Any]:
    """`{"ok": true, "pid": <server process id>}`."""
    return dict(_call(url, "GET", "/_fake/health"))


def clear_faults(url: str) -> None:
    _call(url, "DELETE", "/_fake/faults")


def list_faults(url: str) -> list[dict[str, Any]]:
    return list(_call(url, "GET", "/_fake/faults")["faults"])


def reset(url: str) -> None:
    """Wipe every account's AWS state and the faults."""
    _call(url, "POST", "/_fake/reset", {})


def set_modify_delay(url: str, describes: int) -> None:
    _call(url, "POST", "/_fake/config", {"modify_delay_describes": describes})


def group_state(url: str, account: str, region: str, group_id: str) -> dict[str, Any]:
    """The fake's own view of a replication group (includes `auth_tokens`)."""
    return dict(_call(url, "GET", f"/_fake/state/elasticache/{account}/{region}/{group_id}"))


def patch_group(
    url: str, account: str, region: str, group_id: str, changes: dict[str, Any]
) -> dict[str, Any]:
    path = f"/_fake/state/elasticache/{account}/{region}/{group_id}"
    return dict(_call(url, "PATCH", path, changes))


def seed_reserved_node(url: str, account: str, region: str, spec: dict[str, Any]) -> dict[str, Any]:
    path = f"/_fake/elasticache/{account}/{region}/reserved-nodes"
    return dict(_call(url, "POST", path, spec))
