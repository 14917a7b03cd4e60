"""What a person types after @mentioning the bot (or in personal chat), parsed by the same
commands/ parsers the Slack slash commands use, so both front ends accept the same words
and give the same answers to bad input.

    audit [scope]          explain <id>          rotate-token <group> [region=..] [account=..]
    subscribe daily 09:00 [tz=..] [scope]        unsubscribe          subscriptions
    alerts on [scope]      alerts off            (also: subscribe alerts [scope], unsubscribe alerts)
    digest now [scope]     log [n]               help [command]
    pending (or approvals, in a personal chat: the requests waiting for a decision)
"""

from __future__ import annotations

import re

from commands.errors import UsageError
from commands.help import USAGE
from commands.requests import Request, parse_command, split_words

# A Teams word -> the slash command whose parser reads the rest of the text.
COMMAND_WORDS = {
    "audit": "/cache-audit",
    "explain": "/cache-explain",
    "rotate-token": "/cache-rotate-token",
    "help": "/cache-help",
}
# Words that are /cache-audit sub-commands on Slack stand alone in Teams.
AUDIT_WORDS = ("subscribe", "unsubscribe", "subscriptions", "digest", "log", "alerts")
# What the manifest lists, in the order people need them.
MANIFEST_COMMANDS = (
    ("audit", "Scan ElastiCache: audit [group] [region=..] [engine=..]"),
    ("explain", "Explain a rule or another tool's control id: explain <id>, e.g. CW-101"),
    ("rotate-token", "Rotate an AUTH token with approval: rotate-token <group>"),
    ("subscribe", "Daily digest here: subscribe daily 09:00 [tz=Europe/Berlin]"),
    ("alerts on", "Real-time alerts here: alerts on [scope] (alerts off stops them)"),
    ("digest now", "Post the digest now"),
    ("log", "Latest audit-log entries (approvers only)"),
    ("pending", "Requests waiting for approval, with Approve/Deny (personal chat)"),
    ("help", "Show the commands"),
)
_SLASH = re.compile(r"/cache-(audit|explain|rotate-token|help)\b ?")
_AT_TAG = re.compile(r"<at>[^<]{0,200}</at>", re.IGNORECASE)


def teams_wording(text: str) -> str:
    """Usage text written for slash commands, reworded for @mentions ("/cache-audit x" -> "audit x")."""
    return _SLASH.sub(lambda match: f"{match.group(1)} ", text).replace(" \n", "\n")


def strip_mentions(text: str) -> str:
    """Remove any <at>…</at> tags left in the text (the SDK strips only the bot's own)."""
    return " ".join(_AT_TAG.sub(" ", text).split())


def alerts_alias(text: str) -> str:
    """ "subscribe alerts [scope]" -> "alerts on [scope]"; "unsubscribe alerts" -> "alerts off"."""
    words = text.split()
    if len(words) >= 2 and words[1].lower() == "alerts":
        if words[0].lower() == "subscribe":
            return " ".join(["alerts", "on", *words[2:]])
        if words[0].lower() == "unsubscribe":
            return " ".join(["alerts", "off", *words[2:]])
    return text


def parse_teams_text(text: str) -> Request:
    """Parse one message to the bot; raises UsageError worded for Teams."""
    try:
        cleaned = alerts_alias(strip_mentions(text))
        word, _, after = cleaned.partition(" ")
        if word.lower() in AUDIT_WORDS:  # the slash command's own parser checks the rest
            return parse_command("/cache-audit", cleaned)
        if word.lower() in COMMAND_WORDS and word.lower() != "help":
            return parse_command(COMMAND_WORDS[word.lower()], after)
        words = split_words(cleaned, USAGE["/cache-help"])
        first = words[0].lower() if words else "help"
        rest = " ".join(words[1:])
        if first in AUDIT_WORDS:
            return parse_command("/cache-audit", " ".join(words))
        if first == "help":
            topic = COMMAND_WORDS.get(rest.lower().strip(), "")
            return parse_command("/cache-help", topic.removeprefix("/"))
        command = COMMAND_WORDS.get(first)
        if command is None:
            raise UsageError(f"I don't know the command {first[:40]}.", USAGE["/cache-help"])
        return parse_command(command, rest)
    except UsageError as exc:
        raise UsageError(teams_wording(exc.message), teams_wording(exc.usage)) from None
