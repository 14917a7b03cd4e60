"""`/cache-explain` answers: a rule in full, or a control with each rule's key parts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.slack.render.mrkdwn import code, code_block, code_block_fits, escape, link, truncate
from bot.slack.render.slack_elements import (
    MAX_MESSAGE_BLOCKS,
    MAX_SECTION_TEXT,
    Block,
    blocks_size,
    context,
    divider,
    fallback,
    header,
    section,
)
from bot.slack.render.slack_findings import compact_aliases, framework_label, kind_label
from bot.slack.render.slack_fit import Item, Part, fit
from posture.wording import fix_kind_words

Doc = dict[str, Any]
_REFERENCE_LABEL = 90
_RULES_PER_CONTROL_BLOCKS = 4  # divider, summary, audit, fix
_CHARS_PER_CONTROL_RULE = 1500  # below this a rule's key parts become too short to use
_IAC_NAMES = {"cloudformation": "CloudFormation", "terraform": "Terraform"}


def _prose(heading: str, body: str) -> Part:
    return Part(lambda limit: f"{heading}\n{truncate(escape(body), limit - len(heading) - 1)}")


def _code(heading: str, body: str, cap: int = MAX_SECTION_TEXT) -> Part:
    return Part(lambda limit: f"{heading}\n{code_block(body, limit - len(heading) - 1)}", cap)


def _lines(heading: str, lines: list[str]) -> Part:
    """A list of already-escaped lines, cut between lines so no link or span is broken."""

    def draw(limit: int) -> str:
        text = heading
        for line in lines:
            if len(text) + 1 + len(line) > limit - 2:
                return f"{text}\n…"
            text = f"{text}\n{line}"
        return text

    return Part(draw)


def fix_words(fix_kind: str) -> str:
    return escape(fix_kind_words(fix_kind))


def _overview(doc: Doc) -> str:
    fix = doc["remediation"]
    kinds = ", ".join(kind_label(kind) for kind in doc["resource_kinds"])
    category = f" ({escape(doc['category'])})" if doc.get("category") == "cost" else ""
    lines = [
        f"*Severity:* {escape(doc['severity'].upper())}{category} · "
        f"*Fix:* {fix_words(fix['fix_kind'])}",
        f"*Applies to:* {escape(kinds)} ({escape(', '.join(doc['engines']))})",
    ]
    aliases = compact_aliases(doc["aliases"])
    if aliases:
        lines.append(f"*Also known as:* {aliases}")
    if doc.get("failure"):
        lines.append(f"*When it fails:* {escape(doc['failure'])}")
    return "\n".join(lines)


def _reference_lines(references: list[str]) -> list[str]:
    shown = [truncate(url.removeprefix("https://"), _REFERENCE_LABEL) for url in references]
    return [f"• {link(url, label)}" for url, label in zip(references, shown, strict=True)]


def _iac_pointer(doc: Doc, key: str) -> Block:
    name = _IAC_NAMES[key]
    if not doc["remediation"].get(key):
        return section(f"*{name}*\nNo {name} form exists for this fix.")
    command = code("cachewarden explain " + doc["id"])
    return section(f"*{name}*\nA complete {name} form of this fix is available: run {command}.")


def _iac_inline(doc: Doc, key: str) -> Block | None:
    """The whole template as a code block, or None when it would have to be cut."""
    template = doc["remediation"].get(key)
    heading = f"*{_IAC_NAMES[key]}*"
    room = MAX_SECTION_TEXT - len(heading) - 1
    if not template or not code_block_fits(template, room):
        return None
    return section(f"{heading}\n{code_block(template, room)}")


def _with_templates(doc: Doc, blocks: list[Block], max_chars: int) -> list[Block]:
    """Swap each template pointer for the template itself while the budget allows."""
    for key in _IAC_NAMES:
        pointer = _iac_pointer(doc, key)
        inline = _iac_inline(doc, key)
        if inline is None:
            continue
        grown = blocks_size(blocks) - blocks_size([pointer]) + blocks_size([inline])
        if grown <= max_chars:
            blocks = [inline if block == pointer else block for block in blocks]
    return blocks


def _rule_parts(doc: Doc) -> list[Item]:
    fix = doc["remediation"]
    console = [f"{n}. {escape(step)}" for n, step in enumerate(fix["console"], 1)]
    permissions = (
        f"To evaluate: {', '.join(doc['permissions'])}\nTo fix: {', '.join(fix['permissions'])}"
    )
    notes = [f"• *{escape(a)}*: {escape(n)}" for a, n in (doc.get("alias_notes") or {}).items()]
    differences: list[Item] = [_lines("*Where other tools differ*", notes)] if notes else []
    return [
        Part(lambda limit: truncate(_overview(doc), limit), 1500),
        *differences,
        _prose("*Why it matters*", doc["rationale"]),
        _code("*Audit by hand*", doc["audit"]),
        _code(f"*Fix {fix_words(fix['fix_kind'])} with the AWS CLI*", fix["cli"]),
        _lines("*Fix in the console*", console),
        _prose("*Back out*", doc["backout"]),
        _prose("*Compliance*", ", ".join(doc["compliance"])),
        _prose("*IAM permissions*", permissions),
        _lines("*References*", _reference_lines(doc["references"])),
    ]


def _more_context(doc_id: str) -> Block:
    terminal = code("cachewarden explain " + doc_id)
    return context(f"Full text and templates: {terminal} or {code('/cache-explain ' + doc_id)}")


def _render_rule(doc: Doc, max_chars: int) -> list[Block]:
    parts = _rule_parts(doc)
    templates = [_iac_pointer(doc, key) for key in _IAC_NAMES]
    items: list[Item] = [
        header(f"{doc['id']} {doc['title']}"),
        *parts[:5],
        *templates,
        *parts[5:],
        _more_context(doc["id"]),
    ]
    return _with_templates(doc, fit(items, max_chars), max_chars)


def _rule_summary(rule: Doc) -> str:
    fix = fix_words(rule["remediation"]["fix_kind"])
    heading = f"*{code(rule['id'])} {escape(rule['title'])}*"
    return f"{heading}\n*Severity:* {escape(rule['severity'].upper())} · *Fix:* {fix}"


def _control_rule_items(rule: Doc) -> list[Item]:
    summary = _rule_summary(rule)
    fix = rule["remediation"]
    return [
        divider(),
        _prose(summary, rule["rationale"]),
        _code("*Audit by hand*", rule["audit"], 1500),
        _code("*Fix with the AWS CLI*", fix["cli"], 2000),
    ]


def _control_intro(doc: Doc, framework: str, detailed: int) -> Block:
    rules = doc["rules"]
    heading = (
        f"*Severity:* {escape(doc['severity'].upper())}\n"
        f"This {escape(framework)} control covers {len(rules)} cachewarden rules:"
    )
    listed = [f"• {code(rule['id'])} {escape(rule['title'])}" for rule in rules]
    if detailed < len(rules):
        listed.append(f"The first {detailed} are detailed below.")
    return section(_lines(heading, listed).draw(MAX_SECTION_TEXT))


def _render_control(doc: Doc, max_chars: int) -> list[Block]:
    by_blocks = (MAX_MESSAGE_BLOCKS - 3) // _RULES_PER_CONTROL_BLOCKS
    by_chars = max(max_chars // _CHARS_PER_CONTROL_RULE, 1)
    detailed = doc["rules"][: min(by_blocks, by_chars)]
    framework = framework_label(doc["framework"])
    items: list[Item] = [
        header(f"{doc['id']} ({framework}) {doc['title']}"),
        _control_intro(doc, framework, len(detailed)),
    ]
    for rule in detailed:
        items += _control_rule_items(rule)
    items.append(_more_context(doc["id"]))
    return fit(items, max_chars)


def render_explain(doc: Doc, *, max_chars: int = 12000) -> tuple[str, list[Block]]:
    """A rule document or a control document (it has "rules") as one message."""
    render: Callable[[Doc, int], list[Block]] = _render_control if "rules" in doc else _render_rule
    text = f"{doc['id']}: {doc['title']} ({doc['severity']})"
    return fallback(escape(text)), render(doc, max_chars)
