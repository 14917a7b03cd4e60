"""The demo page's Teams view draws Adaptive Cards as HTML: readable, clickable, and never a
way for card text to inject markup into the page."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

from bot.teams.cards.alerts import render_alert_card
from bot.teams.cards.approval import render_accept_risk_form, render_approval_card
from sandbox.teams_connector.render import markdown, render_activity, render_card
from sandbox.teams_connector.store import ConnectorStore
from sandbox.teams_connector.view import _chains
from tests.unit.teams.test_alert_cards import alert
from tests.unit.teams.test_cards import HOSTILE, NOW, request


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def test_markdown_subset_bold_italic_links_and_escapes() -> None:
    assert markdown("**HIGH** CW-101") == "<strong>HIGH</strong> CW-101"
    assert markdown(r"orders\_prod \*x\*") == "orders_prod *x*"
    assert markdown("a  \nb") == "a<br>b"
    link = markdown("[AWS docs](https://docs.aws.amazon.com/x)")
    assert link.startswith('<a href="https://docs.aws.amazon.com/x"')
    assert markdown("[x](javascript:alert(1))") == "[x](javascript:alert(1))"  # not a link


def test_hostile_card_text_stays_text() -> None:
    card = {"type": "AdaptiveCard", "version": "1.5", "body": [
        {"type": "TextBlock", "text": "<script>alert(1)</script> <img src=x onerror=alert(1)>"},
        {"type": "FactSet", "facts": [{"title": "<b>", "value": HOSTILE}]},
        {"type": "Image", "url": "javascript:alert(1)", "altText": "\" onload=\"x"},
    ]}  # fmt: skip
    html = render_card(card)
    assert {tag for tag, _ in tags(html)} <= {"div", "table", "tr", "th", "td", "strong", "em", "a"}
    assert "<script" not in html and "&lt;script&gt;" in html
    for _tag, attrs in tags(html):
        assert not any(name.startswith("on") for name in attrs)
        href = attrs.get("href")
        assert href is None or href.startswith("https://")


def test_buttons_carry_the_verb_and_data_and_inputs_keep_their_ids() -> None:
    approval = render_card(render_approval_card(request()))
    buttons = [attrs for tag, attrs in tags(approval) if tag == "button" and "data-verb" in attrs]
    assert [b["data-verb"] for b in buttons] == ["approval.approve", "approval.deny"]
    assert json.loads(buttons[0]["data-data"] or "{}")["request_id"] == "req12345"
    assert "ac-btn-positive" in (buttons[0]["class"] or "")

    class Subject:
        finding_id, rule_id, title = "abc123", "CW-101", "Caches encrypt traffic"

    form = render_card(render_accept_risk_form(Subject(), "orders", NOW.date()))
    inputs = {
        attrs.get("data-input-id"): tag for tag, attrs in tags(form) if attrs.get("data-input-id")
    }
    assert inputs == {"reason": "textarea", "until": "input"}
    assert re.search(r'type="date"[^>]*value="\d{4}-\d{2}-\d{2}"', form)


def test_an_alert_card_reads_as_text_with_its_facts_and_buttons() -> None:
    html = render_activity({"attachments": [
        {"contentType": "application/vnd.microsoft.card.adaptive", "content": render_alert_card(alert())},
    ]})  # fmt: skip
    assert "<strong>New risk</strong>" in html and "<table" in html and "Principal" in html
    assert html.count('data-testid="teams-action"') == 3
    assert "not an Adaptive Card" not in html and "not shown" not in html


def test_unknown_elements_and_attachments_say_so_instead_of_showing_json() -> None:
    html = render_card({"type": "AdaptiveCard", "body": [{"type": "Media", "sources": []}],
                        "actions": [{"type": "Action.ShowCard", "title": "More"}]})  # fmt: skip
    assert "Media not shown" in html and "disabled" in html
    assert "attachment not shown" in render_activity(
        {"attachments": [{"contentType": "image/png", "contentUrl": "x"}]}
    )


def test_channel_posts_group_their_replies_and_people_posts_are_kept_apart() -> None:
    store = ConnectorStore()
    root = store.post("19:c@thread.tacv2", {"type": "message", "text": "summary"}, "Bearer t")
    said = store.record_said({
        "id": store.next_id(), "type": "message", "text": "<at>cachewarden</at> audit",
        "conversation": {"id": f"19:c@thread.tacv2;messageid={root.id}"},
        "from": {"name": "Erin Engineer", "aadObjectId": "e1"},
    })  # fmt: skip
    store.post(f"19:c@thread.tacv2;messageid={root.id}", {"type": "message", "text": "ok"}, None)
    assert store.snapshot()["posted"] and store.snapshot()["said"][0]["id"] == said.id
    (chain,) = _chains(store.conversation("19:c@thread.tacv2"))
    assert chain["id"] == root.id and chain["is_bot"] is True
    assert [(r["author"], r["is_bot"]) for r in chain["replies"]] == [
        ("Erin Engineer", False),
        ("cachewarden", True),
    ]
