"""`python -m bench [scan_cost|prowler|ack_latency|render|thread_size|chat_path|alerts_latency|all] [--quick]`.

Exit status: 0 when every benchmark ran cleanly, else the first non-zero status
(Prowler being unavailable is reported by the prowler benchmark alone).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable

from bench import (
    ack_latency,
    alerts_latency,
    chat_path,
    prowler_compare,
    render_bench,
    scan_cost,
    thread_size,
)

BENCHMARKS: dict[str, Callable[[bool], int]] = {
    "scan_cost": scan_cost.run,
    "prowler": prowler_compare.run,
    "ack_latency": ack_latency.run,
    "render": render_bench.run,
    "thread_size": thread_size.run,
    "chat_path": chat_path.run,
    "alerts_latency": alerts_latency.run,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("which", nargs="?", default="all", choices=[*BENCHMARKS, "all"])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    args = parser.parse_args(argv)
    chosen = list(BENCHMARKS) if args.which == "all" else [args.which]
    statuses = []
    for name in chosen:
        print(f"load average before {name}: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        statuses.append(BENCHMARKS[name](args.quick))
        print()
    failed = [(name, status) for name, status in zip(chosen, statuses, strict=True) if status]
    for name, status in failed:
        print(f"{name}: exit status {status}")
    return failed[0][1] if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
