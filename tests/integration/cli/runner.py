"""Run the real `cachewarden audit` console command in child processes, against a fake AWS."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import threading
from collections.abc import Collection, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[3]
RUN_TIMEOUT_SECONDS = 180
# Variables a developer's shell may hold that would change what the child scans or reads.
_AWS_LEAKS = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_ROLE_ARN")

Finding = dict[str, Any]
Pair = tuple[str, str]


@dataclass(frozen=True)
class CliResult:
    """What one `cachewarden audit` run printed and returned."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)

    def describe(self) -> str:
        """For assertion messages: the command and its stderr."""
        return f"audit {' '.join(self.args)} -> {self.returncode}\nstderr: {self.stderr[-2000:]}"


def cli_env(endpoint_url: str, config_path: Path | None = None) -> dict[str, str]:
    """A child environment that can only reach the fake AWS, with test-only credentials."""
    env = {key: value for key, value in os.environ.items() if key not in _AWS_LEAKS}
    env.pop("CACHEWARDEN_CONFIG", None)
    env.update(
        AWS_ENDPOINT_URL=endpoint_url,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
    )
    if config_path is not None:
        env["CACHEWARDEN_CONFIG"] = str(config_path)
    return env


def _command(args: Sequence[str]) -> list[str]:
    return [sys.executable, "-m", "bot.cli", "audit", *args]


def run_audit(args: Sequence[str], env: Mapping[str, str]) -> CliResult:
    """`python -m bot.cli audit ARGS` with pipes for stdout and stderr (so no TTY)."""
    completed = subprocess.run(
        _command(args),
        cwd=REPO_ROOT,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_SECONDS,
        check=False,
    )
    return CliResult(tuple(args), completed.returncode, completed.stdout, completed.stderr)


def _drain(fd: int, chunks: list[bytes]) -> None:
    while True:
        try:
            data = os.read(fd, 4096)
        except OSError:  # EIO: the child's side of the terminal closed
            return
        if not data:
            return
        chunks.append(data)


def run_audit_with_tty_stderr(args: Sequence[str], env: Mapping[str, str]) -> CliResult:
    """Like `run_audit`, but stderr is a terminal (as in an interactive shell); stdout a pipe."""
    leader, follower = pty.openpty()
    chunks: list[bytes] = []
    reader = threading.Thread(target=_drain, args=(leader, chunks), daemon=True)
    try:
        process = subprocess.Popen(
            _command(args),
            cwd=REPO_ROOT,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=follower,
            text=True,
        )
        os.close(follower)
        reader.start()
        stdout, _ = process.communicate(timeout=RUN_TIMEOUT_SECONDS)
        reader.join(timeout=10)
    finally:
        os.close(leader)
    stderr = b"".join(chunks).decode("utf-8", "replace")
    return CliResult(tuple(args), process.returncode, stdout, stderr)


def run_audits(
    runs: Mapping[str, Sequence[str]],
    env: Mapping[str, str],
    *,
    env_for: Mapping[str, Mapping[str, str]] | None = None,
    tty_stderr: Collection[str] = (),
) -> dict[str, CliResult]:
    """Several named runs at once (a child spends most of its time importing, not scanning).

    `env_for` gives some runs their own environment instead of `env`; the runs named in
    `tty_stderr` get a terminal for stderr.
    """
    special = env_for or {}
    with ThreadPoolExecutor(max_workers=max(1, len(runs))) as pool:
        futures = {
            name: pool.submit(
                run_audit_with_tty_stderr if name in tty_stderr else run_audit,
                args,
                special.get(name, env),
            )
            for name, args in runs.items()
        }
        return {name: future.result() for name, future in futures.items()}


def with_status(findings: Iterable[Finding], status: str) -> set[Pair]:
    """(resource_id, rule_id) of every finding with that status."""
    return {(f["resource_id"], f["rule_id"]) for f in findings if f["status"] == status}


def finding_of(findings: Iterable[Finding], resource_id: str, rule_id: str) -> Finding:
    matches = [f for f in findings if (f["resource_id"], f["rule_id"]) == (resource_id, rule_id)]
    assert len(matches) == 1, f"expected one {rule_id} finding on {resource_id}, got {matches}"
    return matches[0]


def resource_ids(findings: Iterable[Finding], *, kinds: Iterable[str]) -> set[str]:
    wanted = set(kinds)
    return {f["resource_id"] for f in findings if f["resource_kind"] in wanted}
