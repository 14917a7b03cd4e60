"""`python -m sandbox.teams_connector`: run the emulator and print how to point a bot at it."""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from sandbox.teams_connector.server import ConnectorEmulator


def main() -> int:
    parser = argparse.ArgumentParser(description="Local Bot Connector and sign-in emulator")
    parser.add_argument("--anonymous", action="store_true", help="accept calls without a token")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as state,
        ConnectorEmulator(Path(state), require_token=not args.anonymous) as emulator,
    ):
        print(json.dumps({"service_url": emulator.service_url, "env": emulator.bot_environment()}))
        print(
            "Recorded activities: GET", emulator.service_url + "/_emulator/activities", flush=True
        )
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    raise SystemExit(main())
