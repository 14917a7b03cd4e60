"""Thread size per 100 findings: messages, blocks, buttons and menus, before and after issue 13.

`python -m bench thread_size`. One run renders the same fleet with the renderer before
issue 13 (loaded from git at BEFORE_COMMIT; when git is not available, the numbers frozen
in bench/fixtures/thread_size_before.json) and with the current one, and prints ratios.
Both sides count what the channel receives: the notifier's reply cap applies (10 replies).
"""

from __future__ import annotations

import json
import subprocess
import sys
import types
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from posture.base import ResourceKind
from posture.catalog import get_rule
from posture.findings import Finding, Status

BEFORE_COMMIT = "d2cc42b"  # the last commit with one section + a button row per finding
MAX_REPLIES = 10  # SlackNotifier's default cap, before and after
FROZEN = Path(__file__).parent / "fixtures" / "thread_size_before.json"
ROOT = Path(__file__).resolve().parent.parent

# Resource profiles seen on real fleets: (kind, failing rules).
PROFILES: tuple[tuple[ResourceKind, tuple[str, ...]], ...] = (
    (ResourceKind.REPLICATION_GROUP, ("CW-101", "CW-103", "CW-201", "CW-401", "CW-403", "CW-404", "CW-405")),
    (ResourceKind.REPLICATION_GROUP, ("CW-304", "CW-305", "CW-303", "CW-501", "CW-504")),
    (ResourceKind.RESERVED_NODE, ("CW-605", "CW-606")),
    (ResourceKind.CACHE_CLUSTER, ("CW-302", "CW-306", "CW-502", "CW-406")),
    (ResourceKind.SERVERLESS_CACHE, ("CW-205", "CW-104")),
)  # fmt: skip


def fleet(count: int) -> list[Finding]:
    """`count` failing findings over resources cycling through PROFILES."""
    findings: list[Finding] = []
    number = 0
    while len(findings) < count:
        kind, rules = PROFILES[number % len(PROFILES)]
        for rule_id in rules[: count - len(findings)]:
            rule = get_rule(rule_id)
            findings.append(
                Finding(
                    rule_id=rule_id,
                    title=rule.title,
                    aliases={str(k): v for k, v in rule.aliases.items()},
                    severity=rule.severity,
                    status=Status.FAIL,
                    resource_kind=kind,
                    resource_id=f"cache-{number:04d}",
                    resource_arn="",
                    account="123456789012",
                    region=("eu-west-1", "us-east-1")[number % 2],
                    engine="redis",
                    evidence=f"{rule_id} evidence for cache-{number:04d}: " + "value " * 12,
                    category=rule.category,
                    failure=rule.failure,
                )
            )
        number += 1
    return findings


@dataclass(frozen=True)
class Size:
    findings: int
    messages: int
    blocks: int
    buttons: int
    menus: int
    json_chars: int
    resources_named: int
    resources_total: int

    def per_100(self, value: int) -> float:
        return 100 * value / self.findings


Reply = tuple[str, list[dict[str, Any]]]


def measure(findings: list[Finding], replies: list[Reply]) -> Size:
    blocks = [b for _, bs in replies for b in bs]
    elements = [e for b in blocks for e in (b.get("elements") or []) if isinstance(e, dict)]
    elements += [b["accessory"] for b in blocks if isinstance(b.get("accessory"), dict)]
    text = json.dumps(replies)
    resources = {f.resource_id for f in findings}
    return Size(
        findings=len(findings),
        messages=len(replies),
        blocks=len(blocks),
        buttons=sum(1 for e in elements if e.get("type") == "button"),
        menus=sum(1 for e in elements if e.get("type") == "overflow"),
        json_chars=len(text),
        resources_named=sum(1 for r in resources if f"`{r}`" in text),
        resources_total=len(resources),
    )


def _load_old(path: str, name: str) -> types.ModuleType:
    source = subprocess.run(
        ["git", "show", f"{BEFORE_COMMIT}:{path}"],
        cwd=ROOT,
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    module = types.ModuleType(name)
    sys.modules[name] = module
    exec(compile(source, f"{BEFORE_COMMIT}:{path}", "exec"), module.__dict__)
    return module


def render_before() -> Callable[[list[Finding]], list[Reply]]:
    """The renderer before issue 13, with its notifier's cap (the last reply a note)."""
    report = _load_old("posture/report.py", "bench_before_report")
    slack = _load_old("bot/render/slack_findings.py", "bench_before_slack_findings")
    from bot.slack.render.blocks import render_notice
    from posture.catalog import FixKind, all_rules
    from posture.messages import Notice
    from workers.audit.publish import fixable_rules

    old_fixable = frozenset(
        r.id for r in all_rules() if r.remediation.fix_kind is not FixKind.MANUAL
    )
    del fixable_rules

    def render(findings: list[Finding]) -> list[Reply]:
        thread = report.build_findings_thread("bench", findings, fixable_rules=old_fixable)
        replies: list[Reply] = slack.render_findings_thread(thread)
        if len(replies) > MAX_REPLIES:
            note = render_notice(Notice(text="more pages are in the attached report files"))
            replies = [*replies[: MAX_REPLIES - 1], note]
        return replies

    return render


def render_after(findings: list[Finding]) -> list[Reply]:
    from bot.slack.render.slack_findings import render_thread_replies
    from posture.report import build_findings_thread
    from workers.audit.publish import fixable_rules

    thread = build_findings_thread("bench", findings, fixable_rules=fixable_rules())
    return [(r.text, r.blocks) for r in render_thread_replies(thread, max_replies=MAX_REPLIES)]


SIZES = (100, 1000)


def before_sizes() -> tuple[dict[int, Size], str]:
    try:
        render = render_before()
    except (OSError, subprocess.CalledProcessError, ImportError) as exc:
        # The old renderer imports modules that have since moved (bot/render -> bot/slack/render),
        # so it no longer loads beside today's code: its numbers were frozen when it still did.
        frozen = json.loads(FROZEN.read_text())
        print(f"old renderer not loadable ({exc.__class__.__name__}); using {FROZEN.name}")
        return {int(k): Size(**v) for k, v in frozen["sizes"].items()}, "frozen fixture"
    sizes = {count: measure(fleet(count), render(fleet(count))) for count in SIZES}
    return sizes, f"git {BEFORE_COMMIT}"


def _row(label: str, size: Size) -> str:
    return (
        f"  {label:<7} {size.messages:>4} msgs  {size.per_100(size.blocks):>6.1f} blocks"
        f"  {size.per_100(size.buttons):>6.1f} buttons  {size.per_100(size.menus):>6.1f} menus"
        f"  {size.per_100(size.json_chars) / 1000:>6.1f} kB JSON"
        f"  resources named {size.resources_named}/{size.resources_total}"
    )


def run(quick: bool = False) -> int:
    before, source = before_sizes()
    print(f"Thread size per 100 findings (before: {source}; reply cap {MAX_REPLIES})")
    for count in SIZES:
        after = measure(fleet(count), render_after(fleet(count)))
        old = before[count]
        print(f"{count} findings:")
        print(_row("before", old))
        print(_row("after", after))
        print(
            f"  ratio after/before: messages {after.messages / old.messages:.2f},"
            f" blocks {after.blocks / old.blocks:.2f},"
            f" buttons+menus {(after.buttons + after.menus) / (old.buttons + old.menus):.2f},"
            f" JSON {after.json_chars / old.json_chars:.2f}"
        )
    if not quick and source.startswith("git"):
        FROZEN.parent.mkdir(exist_ok=True)
        payload = {"commit": BEFORE_COMMIT, "sizes": {k: asdict(v) for k, v in before.items()}}
        FROZEN.write_text(json.dumps(payload, indent=2) + "\n")
    return 0
