"""Does a scope name anything? Checked against what the last scans saw, before anything is queued.

An audit of `cw-does-not-exist` used to run, find nothing and post a public "Passed 0 of
0" card, which reads like a clean bill of health. This check answers privately instead,
with the nearest names as one-click suggestions. It is pure: the caller passes what is
known (the known-resources index the audit parts keep in Redis, the configured accounts,
AWS's region list) and gets back either nothing (go ahead) or a `ScopeProblem`.

Unknown is not the same as absent: a cache created after the last scan is not in the
index yet, so the answer always offers to scan anyway.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from commands.scope import Scope

MAX_SUGGESTIONS = 3
_CUTOFF = 0.6  # difflib ratio; below it a "match" is a guess, not a typo


@dataclass(frozen=True)
class KnownScope:
    """What the bot has seen. `resources` maps an id to where it lives ("account/region")."""

    resources: Mapping[str, str] = field(default_factory=dict)
    regions: frozenset[str] = frozenset()  # every region name that can be scanned
    accounts: frozenset[str] = frozenset()  # every account the bot can reach
    scanned_at: str | None = None  # ISO time of the newest scan the index saw; None: never


@dataclass(frozen=True)
class ScopeProblem:
    """What in the scope names nothing, and whole scope texts the user may mean instead."""

    message: str
    suggestions: tuple[str, ...] = ()


def close_matches(word: str, candidates: Sequence[str], limit: int = MAX_SUGGESTIONS) -> list[str]:
    return difflib.get_close_matches(word, sorted(set(candidates)), n=limit, cutoff=_CUTOFF)


def _replace(words: Sequence[str], old: str, new: str) -> str:
    return " ".join(new if w == old else w for w in words)


def _scope_words(scope: Scope) -> list[str]:
    text = scope.describe()
    return [] if text == "everything" else text.split(" ")


def check_scope(scope: Scope, known: KnownScope) -> ScopeProblem | None:
    """None when every region, account and id of the scope is known (or cannot be judged)."""
    words = _scope_words(scope)
    for region in scope.regions:
        if known.regions and region not in known.regions:
            return _unknown(
                f"`{region}` is not an AWS region I can scan.", words, f"region={region}",
                [f"region={r}" for r in close_matches(region, list(known.regions))],
            )  # fmt: skip
    for account in scope.accounts:
        if known.accounts and account not in known.accounts:
            return _unknown(
                f"Account `{account}` is not one I can reach.", words, f"account={account}",
                [f"account={a}" for a in close_matches(account, list(known.accounts))],
            )  # fmt: skip
    if known.scanned_at is None:
        return None  # nothing scanned yet: no index to judge ids by
    missing = [rid for rid in scope.resource_ids if rid not in known.resources]
    if missing and len(missing) == len(scope.resource_ids):
        return _missing_ids(missing, words, known)
    return _outside_regions(scope, words, known)


def _unknown(message: str, words: list[str], word: str, options: list[str]) -> ScopeProblem:
    suggestions = tuple(_replace(words, word, option) for option in options)
    hint = " Did you mean one of these?" if suggestions else ""
    return ScopeProblem(message=f"{message}{hint} Nothing was queued.", suggestions=suggestions)


def _missing_ids(missing: list[str], words: list[str], known: KnownScope) -> ScopeProblem:
    names = ", ".join(f"`{rid}`" for rid in missing)
    noun = "cache" if len(missing) == 1 else "caches"
    suggestions: list[str] = []
    for rid in missing:
        suggestions += [_replace(words, rid, m) for m in close_matches(rid, list(known.resources))]
    message = (
        f"No {noun} named {names} was seen in the last scan ({_when(known.scanned_at)}), "
        "so nothing was queued."
    )
    message += (
        " Did you mean one of these?"
        if suggestions
        else " Check the name, or scan anyway if the cache was created since."
    )
    return ScopeProblem(message=message, suggestions=tuple(suggestions[:MAX_SUGGESTIONS]))


def _when(iso: str | None) -> str:
    """`2026-12-07T22:12:53+00:00` -> `7 Dec 22:12 UTC`; the text as given if it is not ISO."""
    try:
        moment = datetime.fromisoformat(iso or "").astimezone(UTC)
    except ValueError:
        return iso or "never"
    return f"{moment.day} {moment:%b %H:%M} UTC"


def _outside_regions(scope: Scope, words: list[str], known: KnownScope) -> ScopeProblem | None:
    """Ids that exist, but only in regions the scope leaves out."""
    if not scope.regions or not scope.resource_ids:
        return None
    homes = {rid: known.resources[rid].rpartition("/")[2] for rid in scope.resource_ids}
    if any(home in scope.regions for home in homes.values()):
        return None
    rid, home = next(iter(homes.items()))
    fixed = [w for w in words if not w.startswith("region=")] + [f"region={home}"]
    return ScopeProblem(
        message=f"`{rid}` lives in {home}, outside the regions you named. Nothing was queued.",
        suggestions=(" ".join(fixed),),
    )
