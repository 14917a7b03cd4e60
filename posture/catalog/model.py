"""Typed rule metadata. Every entry is validated when the catalog loads."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from posture.base import Engine, ResourceKind, Severity


class Framework(StrEnum):
    """Tools and standards whose control ids resolve to our rules."""

    CONFORMITY = "conformity"
    SECURITY_HUB = "security_hub"
    PROWLER = "prowler"
    CLOUDSPLOIT = "cloudsploit"
    STEAMPIPE = "steampipe"
    CHECKOV = "checkov"
    AWS_CONFIG = "aws_config"


class FixKind(StrEnum):
    # What AWS needs, not who does it: whether cachewarden offers an approved change for a
    # rule is the remediation planner's business (posture.remediation.AUTOMATED_RULES).
    MODIFY = "modify"  # one modify call on the live resource; its endpoints and data stay
    REBUILD = "rebuild"  # snapshot, create a new resource, move clients, delete the old
    MANUAL = "manual"  # an organisational step (purchase, IAM edit, tagging by owners)


class RuleCategory(StrEnum):
    """What a failing rule costs: exposure (security) or money and capacity (cost)."""

    SECURITY = "security"
    COST = "cost"


_COST_SEVERITIES = (Severity.LOW, Severity.INFO)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Remediation(_Frozen):
    """How to fix a failing resource, in each form an operator may want.

    `cloudformation` is a complete template (it must pass cfn-lint) and `terraform`
    a complete resource block; either may be None only when no infrastructure-as-code
    form exists for the fix (for example purchasing a reserved node).
    """

    fix_kind: FixKind
    cli: str = Field(min_length=10)
    cloudformation: str | None = None
    terraform: str | None = None
    console: tuple[str, ...] = Field(min_length=1)
    permissions: tuple[str, ...] = Field(min_length=1)

    @property
    def modifies_live_resource(self) -> bool:
        return self.fix_kind is FixKind.MODIFY


class Rule(_Frozen):
    id: str = Field(pattern=r"^CW-[1-6]\d\d$")
    title: str = Field(min_length=5, max_length=90)
    severity: Severity
    family: str
    resource_kinds: tuple[ResourceKind, ...] = Field(min_length=1)
    engines: tuple[Engine, ...] = Field(min_length=1)
    rationale: str = Field(min_length=80)
    audit: str = Field(min_length=10)
    remediation: Remediation
    backout: str = Field(min_length=20)
    compliance: tuple[str, ...] = Field(min_length=1)
    permissions: tuple[str, ...] = Field(min_length=1)
    references: tuple[str, ...] = Field(min_length=1)
    aliases: dict[Framework, tuple[str, ...]] = Field(default_factory=dict)
    # Where another tool's check differs from ours (threshold, scope, semantics), in words.
    alias_notes: dict[str, str] = Field(default_factory=dict)
    category: RuleCategory
    failure: str = Field(min_length=5, max_length=90)  # headline of a failing finding

    @field_validator("references")
    @classmethod
    def _references_are_https(cls, refs: tuple[str, ...]) -> tuple[str, ...]:
        for ref in refs:
            if not ref.startswith("https://"):
                raise ValueError(f"reference must be an https URL: {ref!r}")
        return refs

    @field_validator("permissions")
    @classmethod
    def _permissions_are_iam_actions(cls, perms: tuple[str, ...]) -> tuple[str, ...]:
        for perm in perms:
            service, _, action = perm.partition(":")
            if not service or not action or not service.islower():
                raise ValueError(f"not an IAM action: {perm!r}")
        return perms

    @model_validator(mode="after")
    def _category_fits(self) -> Rule:
        # The CW-6xx family is the cost family; cost never ranks with security highs.
        is_cost_family = self.id.startswith("CW-6")
        if is_cost_family != (self.category is RuleCategory.COST):
            raise ValueError(f"{self.id}: only CW-6xx rules are cost rules")
        if self.category is RuleCategory.COST and self.severity not in _COST_SEVERITIES:
            raise ValueError(f"{self.id}: a cost rule is low or info, not {self.severity}")
        return self

    @model_validator(mode="after")
    def _notes_name_aliases(self) -> Rule:
        known = set(self.all_aliases())
        for alias, note in self.alias_notes.items():
            if alias not in known:
                raise ValueError(f"{self.id}: note for {alias!r}, which is not one of its aliases")
            if len(note) < 20:
                raise ValueError(f"{self.id}: the note for {alias!r} is too short to explain")
        return self

    def note_for(self, alias: str) -> str | None:
        """How the other tool's check differs from this rule, when it does."""
        wanted = alias.casefold()
        return next((n for a, n in self.alias_notes.items() if a.casefold() == wanted), None)

    def all_aliases(self) -> tuple[str, ...]:
        return tuple(alias for ids in self.aliases.values() for alias in ids)


class Control(_Frozen):
    """A framework id that maps onto several of our rules (Conformity EC-014, say)."""

    id: str
    framework: Framework
    title: str
    rules: tuple[str, ...] = Field(min_length=2)

    @model_validator(mode="after")
    def _rules_are_ours(self) -> Control:
        for rule_id in self.rules:
            if not rule_id.startswith("CW-"):
                raise ValueError(f"control {self.id} lists {rule_id!r}, not a CW rule id")
        return self


class Unmapped(_Frozen):
    """A framework id we know and deliberately map to no rule, with the reason why."""

    id: str
    framework: Framework
    title: str
    reason: str = Field(min_length=40)
    reference: str = Field(pattern=r"^https://")
