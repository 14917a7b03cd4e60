"""The Teams app package: manifest.json (schema 1.17) with the bot's commands, and two icons.

Upload the zip in Teams (Apps > Manage your apps > Upload an app) or the Teams admin centre.
Manifest reference: https://learn.microsoft.com/en-us/microsoftteams/platform/resources/schema/manifest-schema
There is no offline schema validator, so `manifest_problems` checks the fields and limits
this bot uses; the unit tests hold it to them.
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.teams.commands import MANIFEST_COMMANDS
from bot.teams.icons import color_icon, outline_icon

MANIFEST_VERSION = "1.17"
SCHEMA_URL = f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
SCOPES = ("personal", "team", "groupChat")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_SEMVER = re.compile(r"^\d+\.\d+\.\d+$")
# Schema 1.17 limits on the fields used here.
LIMITS = {"name.short": 30, "name.full": 100, "description.short": 80, "description.full": 4000}
MAX_COMMANDS, MAX_COMMAND_TITLE, MAX_COMMAND_DESCRIPTION = 10, 32, 128


class ManifestError(ValueError):
    """The options would build a manifest Teams refuses; the message lists why."""


@dataclass(frozen=True)
class PackageOptions:
    app_id: str  # the Teams app's own GUID
    bot_id: str  # the Entra app (client) id of the bot registration
    website_url: str
    privacy_url: str
    terms_url: str
    version: str = "1.0.0"
    name: str = "cachewarden"
    developer: str = "cachewarden"
    valid_domains: tuple[str, ...] = ()


def build_manifest(options: PackageOptions) -> dict[str, Any]:
    commands = [{"title": title, "description": text} for title, text in MANIFEST_COMMANDS]
    return {
        "$schema": SCHEMA_URL,
        "manifestVersion": MANIFEST_VERSION,
        "version": options.version,
        "id": options.app_id,
        "developer": {
            "name": options.developer,
            "websiteUrl": options.website_url,
            "privacyUrl": options.privacy_url,
            "termsOfUseUrl": options.terms_url,
        },
        "name": {"short": options.name, "full": f"{options.name}: ElastiCache security"},
        "description": {
            "short": "Audit and fix Amazon ElastiCache security from Teams.",
            "full": (
                "cachewarden audits Amazon ElastiCache (Redis OSS, Valkey, Memcached and "
                "serverless caches) against security rules, explains each rule, and runs "
                "approved fixes and AUTH token rotations with four-eyes approval. Mention the "
                "bot with a command, for example: audit orders-prod, explain CW-101, help."
            ),
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#0B6E99",
        "bots": [
            {
                "botId": options.bot_id,
                "scopes": list(SCOPES),
                "isNotificationOnly": False,
                "supportsFiles": False,
                "commandLists": [{"scopes": list(SCOPES), "commands": commands}],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": list(options.valid_domains),
    }


def _https(url: str) -> bool:
    return url.startswith("https://") and len(url) <= 2048 and " " not in url


def manifest_problems(manifest: dict[str, Any]) -> list[str]:
    problems = []
    if not _GUID.match(manifest["id"]):
        problems.append("id must be a GUID")
    if not _SEMVER.match(manifest["version"]):
        problems.append("version must look like 1.0.0")
    for path, limit in LIMITS.items():
        group, field = path.split(".")
        if not 0 < len(manifest[group][field]) <= limit:
            problems.append(f"{path} must be 1 to {limit} characters")
    for key in ("websiteUrl", "privacyUrl", "termsOfUseUrl"):
        if not _https(manifest["developer"][key]):
            problems.append(f"developer.{key} must be an https URL")
    for bot in manifest["bots"]:
        if not _GUID.match(bot["botId"]):
            problems.append("bots[].botId must be the bot's Entra app id (a GUID)")
        for command_list in bot["commandLists"]:
            commands = command_list["commands"]
            if len(commands) > MAX_COMMANDS:
                problems.append(f"a command list holds at most {MAX_COMMANDS} commands")
            for command in commands:
                if not 0 < len(command["title"]) <= MAX_COMMAND_TITLE:
                    problems.append(f"command title {command['title'][:40]!r} is too long")
                if not 0 < len(command["description"]) <= MAX_COMMAND_DESCRIPTION:
                    problems.append(f"command {command['title'][:40]!r} description is too long")
    return problems


def write_package(options: PackageOptions, output: Path) -> Path:
    manifest = build_manifest(options)
    problems = manifest_problems(manifest)
    if problems:
        raise ManifestError("; ".join(problems))
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
        archive.writestr("color.png", color_icon())
        archive.writestr("outline.png", outline_icon())
    return output
