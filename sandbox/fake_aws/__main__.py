"""`python -m sandbox.fake_aws --port N [--seed demo|none] [--groups N]`

Runs the fake AWS in the foreground on 127.0.0.1, prints its URL, stops on Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import threading
from collections.abc import Sequence

from sandbox.fake_aws.fleet import demo_fleet_spec, seed_fleet
from sandbox.fake_aws.fleet_model import FleetSpec
from sandbox.fake_aws.server import FakeAwsServer


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sandbox.fake_aws", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--seed", choices=("demo", "none"), default="none")
    parser.add_argument("--groups", type=int, default=None, help="replication groups to seed")
    parser.add_argument("--modify-delay-describes", type=int, default=1)
    return parser.parse_args(argv)


def fleet_spec(args: argparse.Namespace) -> FleetSpec | None:
    if args.seed == "none" and args.groups is None:
        return None
    spec = demo_fleet_spec()
    if args.groups is not None:
        return FleetSpec(groups=args.groups, regions=spec.regions, accounts=spec.accounts)
    return spec


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    # boto3 inside this process (the seeding) must never reach real AWS
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with FakeAwsServer(args.port, modify_delay_describes=args.modify_delay_describes) as server:
        spec = fleet_spec(args)
        if spec is not None:
            manifest = seed_fleet(server.url, spec)
            print(f"seeded {len(manifest.resources())} resources", flush=True)
        print(server.url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()


if __name__ == "__main__":
    main()
