"""Scope words shared by `/cache-audit`, `cachewarden audit` and subscriptions.

    orders-prod region=eu-west-1 account=123456789012 tag=team=payments engine=valkey

A bare word is a replication group or cache cluster id. Every word is validated, so a
typo is answered with usage help instead of a scan of the wrong thing.
"""

from __future__ import annotations

import difflib
import re

from pydantic import BaseModel, ConfigDict

from commands.errors import UsageError

SCOPE_USAGE = (
    "Scope words (all optional, combine freely):\n"
    "  <group-or-cluster-id>   one replication group, cache cluster or serverless cache\n"
    "  region=<region>         e.g. region=eu-west-1 (repeatable)\n"
    "  account=<12 digits>     e.g. account=123456789012 (repeatable)\n"
    "  tag=<key>=<value>       e.g. tag=team=payments\n"
    "  engine=<engine>         redis, valkey or memcached"
)

_RESOURCE_ID = re.compile(r"^[a-zA-Z][a-zA-Z0-9-]{0,39}$")
_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$")
_ACCOUNT = re.compile(r"^\d{12}$")
_TAG_KEY = re.compile(r"^[\w.:/=+\-@ ]{1,128}$")
ENGINES = ("redis", "valkey", "memcached")
SCOPE_KEYS = ("region", "account", "tag", "engine")
MAX_WORDS = 30
# Engines and words for other AWS services people reach for; ElastiCache only is audited.
OTHER_SERVICES = {
    "memorydb": "MemoryDB",
    "dax": "DynamoDB Accelerator (DAX)",
    "rds": "RDS",
    "aurora": "Aurora",
    "opensearch": "OpenSearch",
    "elasticsearch": "OpenSearch",
    "documentdb": "DocumentDB",
}
KIND_KEYS = ("kind", "type", "service", "resource")
SUPPORTED_KINDS = (
    "replication groups, cache clusters and serverless caches (Redis OSS, Valkey, Memcached)"
)


class Scope(BaseModel):
    """What to scan. Empty tuples mean "everything configured"."""

    model_config = ConfigDict(frozen=True)

    resource_ids: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()
    engines: tuple[str, ...] = ()

    def describe(self) -> str:
        """Human summary, e.g. "orders-prod in eu-west-1"; "everything" when empty."""
        parts = list(self.resource_ids)
        parts += [f"region={r}" for r in self.regions]
        parts += [f"account={a}" for a in self.accounts]
        parts += [f"tag={k}={v}" for k, v in self.tags]
        parts += [f"engine={e}" for e in self.engines]
        return " ".join(parts) if parts else "everything"

    def canonical(self) -> str:
        """Order-independent text form, stable across submits (used for job ids)."""
        parts = sorted(self.describe().split(" ")) if self.describe() != "everything" else []
        return " ".join(parts)


def _fail(message: str) -> UsageError:
    return UsageError(message, SCOPE_USAGE)


def _parse_keyword(key: str, value: str, acc: dict[str, list[str]]) -> None:
    if key == "region":
        if not _REGION.match(value):
            raise _fail(f"`{value}` is not an AWS region name (like eu-west-1).")
        acc["regions"].append(value)
    elif key == "account":
        if not _ACCOUNT.match(value):
            raise _fail(f"`{value}` is not an AWS account id (12 digits).")
        acc["accounts"].append(value)
    elif key == "engine":
        if value.lower() in OTHER_SERVICES:
            raise _fail(_unsupported(value))
        if value.lower() not in ENGINES:
            raise _fail(f"`{value}` is not an engine; use redis, valkey or memcached.")
        acc["engines"].append(value.lower())
    elif key == "tag":
        tag_key, sep, tag_value = value.partition("=")
        if not sep or not tag_key or not _TAG_KEY.match(tag_key):
            raise _fail(f"`tag={value}` needs the form tag=<key>=<value>.")
        acc["tags"].append(f"{tag_key}={tag_value}")
    elif key in KIND_KEYS:
        if value.lower() in OTHER_SERVICES:
            raise _fail(_unsupported(value))
        raise _fail(
            f"`{key}=` is not needed: cachewarden audits {SUPPORTED_KINDS}, and a bare id "
            "names any of them."
        )
    else:
        raise _fail(f"I don't know the scope word `{key}=`.")


def _unsupported(value: str) -> str:
    service = OTHER_SERVICES[value.lower()]
    return f"{service} is not supported: cachewarden audits ElastiCache {SUPPORTED_KINDS} only."


def _key_suggestions(words: list[str], word: str) -> tuple[str, ...]:
    """`regoin=eu-west-1` -> the same scope with `region=eu-west-1`, for each close key."""
    key, _, value = word.partition("=")
    keys = difflib.get_close_matches(key.lower(), SCOPE_KEYS, n=2, cutoff=0.5)
    return tuple(
        " ".join(f"{k}={value}" if w == word else w for w in words)
        for k in keys
        if _value_fits(k, value)
    )


def _value_fits(key: str, value: str) -> bool:
    """Would `key=value` parse? Keeps `engine=eu-west-1` out of the suggestions for `regoin=`."""
    try:
        _parse_keyword(key, value, {"regions": [], "accounts": [], "tags": [], "engines": []})
    except UsageError:
        return False
    return True


def parse_scope(words: list[str]) -> Scope:
    """Parse already-split words into a Scope; raises UsageError only."""
    if len(words) > MAX_WORDS:
        raise _fail(f"That is {len(words)} words; a scope takes at most {MAX_WORDS}.")
    acc: dict[str, list[str]] = {
        "ids": [],
        "regions": [],
        "accounts": [],
        "tags": [],
        "engines": [],
    }
    for word in words:
        key, sep, value = word.partition("=")
        if sep and key.lower() not in (*SCOPE_KEYS, *KIND_KEYS):
            suggestions = _key_suggestions(words, word)
            hint = (
                f" Did you mean `{suggestions[0].split()[words.index(word)]}`?"
                if suggestions
                else ""
            )
            raise UsageError(
                f"I don't know the scope word `{key[:40]}=`.{hint}", SCOPE_USAGE, suggestions
            )
        if sep:
            _parse_keyword(key.lower(), value, acc)
        elif _RESOURCE_ID.match(word):
            acc["ids"].append(word)
        else:
            raise _fail(f"`{word[:60]}` is not a group or cluster id.")
    if len(set(acc["tags"])) > 1 or len(set(acc["engines"])) > 1:
        raise _fail("Give at most one tag= and one engine= per scope.")
    return Scope(
        resource_ids=tuple(dict.fromkeys(acc["ids"])),
        regions=tuple(dict.fromkeys(acc["regions"])),
        accounts=tuple(dict.fromkeys(acc["accounts"])),
        tags=tuple((k, v) for k, _, v in (t.partition("=") for t in dict.fromkeys(acc["tags"]))),
        engines=tuple(dict.fromkeys(acc["engines"])),
    )
