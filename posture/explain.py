"""Platform-neutral explanation of a rule or control; every renderer starts here."""

from __future__ import annotations

from typing import Any

from posture.catalog import Control, Rule, finding_aliases, get_rule


def rule_document(rule: Rule) -> dict[str, Any]:
    """The documented JSON shape of one rule (`cachewarden explain --format json`)."""
    fix = rule.remediation
    return {
        "id": rule.id,
        "title": rule.title,
        "failure": rule.failure,
        "severity": str(rule.severity),
        "category": str(rule.category),
        "family": rule.family,
        "resource_kinds": [str(kind) for kind in rule.resource_kinds],
        "engines": [str(engine) for engine in rule.engines],
        "aliases": {fw: list(ids) for fw, ids in finding_aliases(rule.id).items()},
        "alias_notes": dict(rule.alias_notes),
        "rationale": rule.rationale,
        "audit": rule.audit,
        "remediation": {
            "fix_kind": str(fix.fix_kind),
            "cli": fix.cli,
            "cloudformation": fix.cloudformation,
            "terraform": fix.terraform,
            "console": list(fix.console),
            "permissions": list(fix.permissions),
        },
        "backout": rule.backout,
        "compliance": list(rule.compliance),
        "permissions": list(rule.permissions),
        "references": list(rule.references),
    }


def control_document(control: Control) -> dict[str, Any]:
    """A control that spans several rules: its own header plus each rule in full."""
    rules = [get_rule(rule_id) for rule_id in control.rules]
    return {
        "id": control.id,
        "title": control.title,
        "framework": str(control.framework),
        "severity": str(max((rule.severity for rule in rules), key=lambda sev: sev.rank)),
        "aliases": {},
        "rules": [rule_document(rule) for rule in rules],
    }


def explain_document(target: Rule | Control) -> dict[str, Any]:
    return rule_document(target) if isinstance(target, Rule) else control_document(target)
