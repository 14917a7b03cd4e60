"""The rule catalog: every rule, every multi-rule control, and id/alias lookup.

Ids and aliases resolve case-insensitively; a near miss raises `UnknownIdError`
carrying suggestions ("EC-14" -> "EC-014").
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache

from posture.catalog.model import Control, FixKind, Framework, Remediation, Rule, Unmapped

__all__ = [
    "Catalog",
    "Control",
    "FixKind",
    "Framework",
    "Remediation",
    "Rule",
    "UnknownIdError",
    "Unmapped",
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


# Framework ids that exist but that no rule checks: asking for one says why, not "unknown".
UNMAPPED: tuple[Unmapped, ...] = (
    Unmapped(
        id="EC-008",
        framework=Framework.CONFORMITY,
        title="ElastiCache reserved cache node recent purchases",
        reason=(
            "Conformity asks for a review of reserved-node purchases started in the last 7 "
            "days, to catch unwanted ones while AWS Support can still cancel them. No "
            "cachewarden rule looks at purchase dates; CW-607 and CW-608 report purchases "
            "whose payment is pending or failed."
        ),
        reference=(
            "https://www.trendmicro.com/cloudoneconformity/knowledge-base/aws/ElastiCache/"
            "reserved-cache-node-recent-purchases.html"
        ),
    ),
)


class UnknownIdError(LookupError):
    """No rule, alias or control has this id. `suggestions` holds near misses.

    `unmapped` is set when the id is a real framework control that no rule checks.
    """

    def __init__(
        self, query: str, suggestions: tuple[str, ...], unmapped: Unmapped | None = None
    ) -> None:
        self.query = query
        self.suggestions = suggestions
        self.unmapped = unmapped
        if unmapped is not None:
            message = (
                f"{unmapped.id} ({unmapped.framework}: {unmapped.title}) has no cachewarden "
                f"rule. {unmapped.reason} See {unmapped.reference}"
            )
        else:
            hint = f" Did you mean {' or '.join(suggestions)}?" if suggestions else ""
            message = f"No rule or control is called {query!r}.{hint}"
        super().__init__(message)


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
    unmapped: dict[str, Unmapped]

    @classmethod
    def build(
        cls,
        rules: tuple[Rule, ...],
        controls: tuple[Control, ...],
        unmapped: tuple[Unmapped, ...] = (),
    ) -> Catalog:
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
        known_unmapped = {_normalise(entry.id): entry for entry in unmapped}
        for key, entry in known_unmapped.items():
            if key in index:
                raise ValueError(f"{entry.id} is unmapped but {index[key].id} claims it")
        return cls(rules=rules, controls=controls, index=index, unmapped=known_unmapped)

    def resolve(self, query: str) -> Rule | Control:
        norm = _normalise(query)
        found = self.index.get(norm)
        if found is not None:
            return found
        unmapped = self.unmapped.get(norm)
        if unmapped is not None:
            raise UnknownIdError(query, (), unmapped)
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
    # Imported here: the rule modules import the catalog's model and family constants.
    from posture.rules.families import FAMILY_MODULES

    found = {id(v): v for m in FAMILY_MODULES for v in vars(m).values() if isinstance(v, Rule)}
    rules = tuple(sorted(found.values(), key=lambda rule: rule.id))
    return Catalog.build(rules, CONTROLS, UNMAPPED)


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
