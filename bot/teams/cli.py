"""Terminal commands of the Teams front end: `serve --teams` and `teams-package`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _serve(args: argparse.Namespace) -> int:
    if not args.teams:
        print("cachewarden: this form of serve needs --teams", file=sys.stderr)
        return 2
    from bot.teams.server import run_teams

    return run_teams(args.port, args.host)


def add_serve_teams(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("serve", help="run the Teams bot (aiohttp, POST /api/messages)")
    parser.add_argument("--teams", action="store_true", help="serve Microsoft Teams")
    parser.add_argument("--port", type=int, default=3978)
    parser.add_argument("--host", default="0.0.0.0")
    parser.set_defaults(handler=_serve)


def _package(args: argparse.Namespace) -> int:
    from bot.teams.package import ManifestError, PackageOptions, write_package

    try:
        options = PackageOptions(
            app_id=args.app_id,
            bot_id=args.bot_id or args.app_id,
            version=args.version,
            name=args.name,
            developer=args.developer,
            website_url=args.website_url,
            privacy_url=args.privacy_url,
            terms_url=args.terms_url,
            valid_domains=tuple(args.valid_domain or ()),
        )
        path = write_package(options, Path(args.output))
    except (ManifestError, ValueError) as exc:
        print(f"cachewarden: {exc}", file=sys.stderr)
        return 2
    print(path)
    return 0


def add_teams_package(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "teams-package", help="build the Teams app package (manifest.json and icons, zipped)"
    )
    parser.add_argument("--app-id", required=True, help="a GUID naming the Teams app")
    parser.add_argument("--bot-id", help="the bot's Entra app (client) id; default: --app-id")
    parser.add_argument("--version", default="1.0.0")
    parser.add_argument("--name", default="cachewarden")
    parser.add_argument("--developer", default="cachewarden")
    parser.add_argument("--website-url", required=True)
    parser.add_argument("--privacy-url", required=True)
    parser.add_argument("--terms-url", required=True)
    parser.add_argument("--valid-domain", action="append", help="repeatable")
    parser.add_argument("--output", default="cachewarden-teams.zip")
    parser.set_defaults(handler=_package)


def add_teams_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    add_serve_teams(sub)
    add_teams_package(sub)
