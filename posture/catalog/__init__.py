"""The rule catalog: every rule, every multi-rule control, and id/alias lookup.

Ids and aliases resolve case-insensitively; a near miss raises `UnknownIdError`
carrying suggestions ("EC-14" -> "EC-014").
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache

from posture.catalog import access, cost, detection, encryption, network, resilience
from posture.catalog.model import Control, FixKind, Framework, Remediation, Rule

__all__ = [
    "Catalog",
    "Control",
    "FixKind",
    "Framework",
    "Remediation",
    "Rule",
    "UnknownIdError",
    "all_controls",
    "all_rules",
    "finding_aliases",
    "get_rule",
    "resolve",
]

CONTROLS: tuple[Control, ...] = (
    Control(
        id="EC-014",
        framework=Framework.CONFORMITY,
        title="Redis encryption in transit and at rest",
        rules=("CW-101", "CW-103"),
    ),
)


class UnknownIdError(LookupError):
    """No rule, alias or control has this id. `suggestions` holds near misses."""

    def __init__(self, query: str, suggestions: tuple[str, ...]) -> None:
        self.query = query
        self.suggestions = suggestions
        hint = f" Did you mean {' or '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"No rule or control is called {query!r}.{hint}")


def _normalise(text: str) -> str:
    return text.strip().casefold()


def _loose(text: str) -> str:
    """Drop separators and leading zeros of numbers, so "ec-14" meets "EC-014"."""
    squashed = re.sub(r"[\s_\-.]+", "", text.casefold())
    return re.sub(r"0+(\d)", r"\1", squashed)


@dataclass(frozen=True)
class Catalog:
    rules: tuple[Rule, ...]
    controls: tuple[Control, ...]
    index: dict[str, Rule | Control]

    @classmethod
    def build(cls, rules: tuple[Rule, ...], controls: tuple[Control, ...]) -> Catalog:
        index: dict[str, Rule | Control] = {}

        def claim(key: str, target: Rule | Control) -> None:
            norm = _normalise(key)
            owner = index.get(norm)
            if owner is not None and owner is not target:
                raise ValueError(f"id {key!r} is claimed by both {owner.id} and {target.id}")
            index[norm] = target

        for rule in rules:
            claim(rule.id, rule)
            for alias in rule.all_aliases():
                claim(alias, rule)
        known = {rule.id for rule in rules}
        for control in controls:
            missing = [rule_id for rule_id in control.rules if rule_id not in known]
            if missing and rules:
                raise ValueError(f"control {control.id} lists unknown rules {missing}")
            claim(control.id, control)
        return cls(rules=rules, controls=controls, index=index)

    def resolve(self, query: str) -> Rule | Control:
        norm = _normalise(query)
        found = self.index.get(norm)
        if found is not None:
            return found
        return self._loose_match(query)

    def _loose_match(self, query: str) -> Rule | Control:
        loose = _loose(query)
        by_loose: dict[str, str] = {}
        for key, target in self.index.items():
            by_loose.setdefault(_loose(key), target.id if key == _normalise(target.id) else key)
        exact = by_loose.get(loose)
        if exact is not None and loose:
            # Same id but for case, separators or zero padding: one confident answer.
            raise UnknownIdError(query, (self._display(exact),))
        suggestions: list[str] = []
        for near in difflib.get_close_matches(loose, list(by_loose), n=3, cutoff=0.75):
            shown = self._display(by_loose[near])
            if shown not in suggestions:
                suggestions.append(shown)
        raise UnknownIdError(query, tuple(suggestions[:3]))

    def _display(self, key: str) -> str:
        """The id as its owner spells it (aliases keep their own spelling)."""
        target = self.index[_normalise(key)]
        if _normalise(target.id) == _normalise(key):
            return target.id
        for alias in target.all_aliases() if isinstance(target, Rule) else ():
            if _normalise(alias) == _normalise(key):
                return alias
        return key


@cache
def _catalog() -> Catalog:
    rules = (
        *encryption.RULES,
        *access.RULES,
        *network.RULES,
        *resilience.RULES,
        *detection.RULES,
        *cost.RULES,
    )
    return Catalog.build(tuple(sorted(rules, key=lambda rule: rule.id)), CONTROLS)


def all_rules() -> tuple[Rule, ...]:
    return _catalog().rules


def all_controls() -> tuple[Control, ...]:
    return _catalog().controls


def get_rule(rule_id: str) -> Rule:
    """Exact lookup by CW id (any case); KeyError when unknown."""
    found = _catalog().index.get(_normalise(rule_id))
    if not isinstance(found, Rule) or _normalise(found.id) != _normalise(rule_id):
        raise KeyError(rule_id)
    return found


def resolve(query: str) -> Rule | Control:
    """A rule id, any framework alias, or a control id; raises UnknownIdError."""
    if len(query) > 200:
        raise UnknownIdError(query[:40] + "...", ())
    return _catalog().resolve(query)


def finding_aliases(rule_id: str) -> dict[str, tuple[str, ...]]:
    """The rule's own aliases plus every control that includes it, by framework."""
    rule = get_rule(rule_id)
    merged: dict[str, list[str]] = {str(fw): list(ids) for fw, ids in rule.aliases.items()}
    for control in _catalog().controls:
        if rule.id in control.rules:
            merged.setdefault(str(control.framework), []).append(control.id)
    return {framework: tuple(ids) for framework, ids in sorted(merged.items())}
