"""Terminal renderings: plain text, no colour codes when piped."""

from __future__ import annotations

import textwrap
from typing import Any

_WIDTH = 88


def _block(title: str, body: str) -> list[str]:
    return [f"{title}:", *textwrap.indent(body.rstrip(), "  ").splitlines(), ""]


def _wrap(text: str) -> str:
    return "\n".join(textwrap.fill(para, _WIDTH) for para in text.split("\n\n"))


def render_rule_text(doc: dict[str, Any]) -> str:
    category = f", {doc['category']}" if doc.get("category") else ""
    lines = [f"{doc['id']}  {doc['title']}  [{doc['severity']}{category}]", ""]
    if doc.get("failure"):
        lines += _block("When it fails", doc["failure"])
    aliases = "; ".join(f"{fw}: {', '.join(ids)}" for fw, ids in doc["aliases"].items())
    if aliases:
        lines += _block("Also known as", _wrap(aliases))
    notes = doc.get("alias_notes") or {}
    if notes:
        lines += _block(
            "Where other tools differ", "\n".join(_wrap(f"{a}: {n}") for a, n in notes.items())
        )
    lines += _block(
        "Applies to", f"{', '.join(doc['resource_kinds'])} ({', '.join(doc['engines'])})"
    )
    lines += _block("Why it matters", _wrap(doc["rationale"]))
    lines += _block("Audit by hand", doc["audit"])
    fix = doc["remediation"]
    kind = fix["fix_kind"].replace("_", " ")
    lines += _block(f"Fix ({kind}) with the AWS CLI", fix["cli"])
    lines += _block(
        "Fix in the console", "\n".join(f"{n}. {s}" for n, s in enumerate(fix["console"], 1))
    )
    if fix["cloudformation"]:
        lines += _block("CloudFormation", fix["cloudformation"])
    if fix["terraform"]:
        lines += _block("Terraform", fix["terraform"])
    lines += _block("Back out", _wrap(doc["backout"]))
    lines += _block("Compliance", ", ".join(doc["compliance"]))
    lines += _block("IAM to evaluate", ", ".join(doc["permissions"]))
    lines += _block("IAM to fix", ", ".join(fix["permissions"]))
    lines += _block("References", "\n".join(doc["references"]))
    return "\n".join(lines).rstrip() + "\n"


def render_explain_text(doc: dict[str, Any]) -> str:
    if "rules" not in doc:
        return render_rule_text(doc)
    header = f"{doc['id']} ({doc['framework']})  {doc['title']}  [{doc['severity']}]"
    parts = [header, f"This control covers {len(doc['rules'])} cachewarden rules:", ""]
    parts += [f"  {rule['id']}  {rule['title']}" for rule in doc["rules"]]
    parts.append("")
    for rule in doc["rules"]:
        parts += ["-" * _WIDTH, render_rule_text(rule)]
    return "\n".join(parts)


def render_rules_table(rules: list[dict[str, Any]]) -> str:
    rows = [f"{'ID':<8}{'SEVERITY':<10}{'CATEGORY':<10}{'FIX':<10}TITLE"]
    for rule in rules:
        fix = rule["remediation"]["fix_kind"]
        category = rule.get("category", "")
        rows.append(f"{rule['id']:<8}{rule['severity']:<10}{category:<10}{fix:<10}{rule['title']}")
    rows.append(f"\n{len(rules)} rules.")
    return "\n".join(rows) + "\n"
