"""`explain <id>` answers: a rule in full, or a control with each of its rules' key parts.

Starts from posture.explain's neutral document, like the Slack and terminal renderers.
Long parts are cut to fit one Teams message; the full text and the CloudFormation and
Terraform templates are one `cachewarden explain <id>` away.
"""

from __future__ import annotations

from typing import Any

from bot.teams.cards.elements import (
    Card,
    Element,
    code,
    escape,
    fit_card,
    heading,
    text_block,
    truncate,
)
from bot.teams.cards.words import aliases_line, framework_label, kind_label
from posture.wording import fix_kind_words

Doc = dict[str, Any]
_IAC_NAMES = {"cloudformation": "CloudFormation", "terraform": "Terraform"}
_RULES_DETAILED = 6


def fix_words(fix_kind: str) -> str:
    return fix_kind_words(fix_kind)


def _section(title: str, body: list[Element]) -> list[Element]:
    return [text_block(f"**{escape(title)}**"), *body]


def _overview(doc: Doc) -> Element:
    kinds = ", ".join(kind_label(kind) for kind in doc["resource_kinds"])
    lines = [
        f"**Severity:** {escape(doc['severity'].upper())} · "
        f"**Fix:** {escape(fix_words(doc['remediation']['fix_kind']))}",
        f"**Applies to:** {escape(kinds)} ({escape(', '.join(doc['engines']))})",
    ]
    aliases = aliases_line(doc["aliases"])
    if aliases:
        lines.append(f"**Also known as:** {escape(truncate(aliases, 600))}")
    return text_block("  \n".join(lines))


def _references(references: list[str]) -> Element:
    # Catalog URLs are https links checked when the catalog loads; only the label is escaped.
    lines = [
        f"- [{escape(truncate(url.removeprefix('https://'), 90))}]({url})"
        for url in references
        if url.startswith("https://") and not any(c in url for c in " ()<>")
    ]
    return text_block("\n".join(lines), limit=4000)


def _templates(doc: Doc) -> Element:
    have = [name for key, name in _IAC_NAMES.items() if doc["remediation"].get(key)]
    if not have:
        return text_block("No CloudFormation or Terraform form exists for this fix.", subtle=True)
    return text_block(
        escape(f"{' and '.join(have)} forms of this fix: run `cachewarden explain {doc['id']}`."),
        subtle=True,
    )


def _rule_body(doc: Doc) -> list[Element]:
    fix = doc["remediation"]
    console = [f"{n}. {escape(step)}" for n, step in enumerate(fix["console"], 1)]
    permissions = (
        f"To evaluate: {', '.join(doc['permissions'])}  \nTo fix: {', '.join(fix['permissions'])}"
    )
    return [
        _overview(doc),
        *_section("Why it matters", [text_block(escape(doc["rationale"]))]),
        *_section("Audit by hand", [code(doc["audit"])]),
        *_section(f"Fix {fix_words(fix['fix_kind'])} with the AWS CLI", [code(fix["cli"], 3000)]),
        *_section("Fix in the console", [text_block("\n".join(console), limit=3000)]),
        _templates(doc),
        *_section("Back out", [text_block(escape(doc["backout"]))]),
        *_section("Compliance", [text_block(escape(", ".join(doc["compliance"])))]),
        *_section("IAM permissions", [text_block(escape(permissions))]),
        *_section("References", [_references(doc["references"])]),
    ]


def _more(doc_id: str) -> Element:
    return text_block(
        escape(f"Full text and templates: `cachewarden explain {doc_id}` in a terminal."),
        subtle=True,
        size="Small",
    )


def _control_body(doc: Doc) -> list[Element]:
    rules = doc["rules"]
    framework = framework_label(doc["framework"])
    listed = "  \n".join(f"• {escape(rule['id'])} {escape(rule['title'])}" for rule in rules)
    body: list[Element] = [
        text_block(
            f"**Severity:** {escape(doc['severity'].upper())}  \n"
            f"This {escape(framework)} control covers {len(rules)} cachewarden rules:  \n{listed}",
            limit=4000,
        )
    ]
    for rule in rules[:_RULES_DETAILED]:
        fix = rule["remediation"]
        body += [
            text_block(f"**{escape(rule['id'])} {escape(rule['title'])}**", size="Medium"),
            text_block(
                f"**Severity:** {escape(rule['severity'].upper())} · "
                f"**Fix:** {escape(fix_words(fix['fix_kind']))}  \n{escape(rule['rationale'])}",
                limit=1200,
            ),
            *_section("Audit by hand", [code(rule["audit"], 1200)]),
            *_section("Fix with the AWS CLI", [code(fix["cli"], 1500)]),
        ]
    if len(rules) > _RULES_DETAILED:
        body.append(text_block(f"The first {_RULES_DETAILED} rules are detailed here."))
    return body


def render_explain_card(doc: Doc) -> Card:
    """A rule document, or a control document (it has "rules"), as one card."""
    is_control = "rules" in doc
    title = (
        f"{doc['id']} ({framework_label(doc['framework'])}) {doc['title']}"
        if is_control
        else f"{doc['id']} {doc['title']}"
    )
    body = [
        heading(title),
        *(_control_body(doc) if is_control else _rule_body(doc)),
        _more(doc["id"]),
    ]
    summary = f"{doc['id']}: {doc['title']} ({doc['severity']})"
    return fit_card(body, summary=summary)
