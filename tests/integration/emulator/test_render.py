"""mrkdwn and Block Kit to HTML: formatting that Slack shows, and nothing unsafe gets through."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sandbox.slack_emulator.mrkdwn import mrkdwn_to_html
from sandbox.slack_emulator.render import BlockRenderer
from sandbox.slack_emulator.workspace import default_workspace

NAMES = {"U_SECURITY": "Sam Security"}


def render(text: str) -> str:
    return mrkdwn_to_html(text, lambda u: NAMES.get(u, u), lambda c: {"C1": "platform"}.get(c, c))


@pytest.mark.parametrize(
    ("mrkdwn", "html"),
    [
        ("*bold* and _it_ and ~gone~", "<b>bold</b> and <i>it</i> and <s>gone</s>"),
        ("snake_case_name stays", "snake_case_name stays"),
        ("2*3*4", "2*3*4"),
        ("run `rm -rf *x*`", "run <code>rm -rf *x*</code>"),
        ("```a <b>\n*c*```", "<pre>a &lt;b&gt;\n*c*</pre>"),
        ("1 &lt; 2 &amp;&amp; 3 &gt; 2", "1 &lt; 2 &amp;&amp; 3 &gt; 2"),
        ("&amp;lt;", "&amp;lt;"),
        (
            "<https://aws.amazon.com/x?a=1&amp;b=2|the docs>",
            '<a href="https://aws.amazon.com/x?a=1&amp;b=2" target="_blank" '
            'rel="noopener noreferrer">the docs</a>',
        ),
        ("<@U_SECURITY> ok", '<span class="mention" data-ref="U_SECURITY">@Sam Security</span> ok'),
        ("<#C1>", '<span class="channel-link" data-ref="C1">#platform</span>'),
        ("<!here>", '<span class="mention broadcast" data-ref="here">@here</span>'),
        ("<!subteam^S1|@security>", '<span class="mention" data-ref="S1">@security</span>'),
        ("<javascript:alert(1)|click>", "click"),
        ("line1\nline2", "line1<br>line2"),
        ("> quoted", "<blockquote>quoted</blockquote>"),
        ("say \"hi\" & 'bye'", "say &quot;hi&quot; &amp; &#x27;bye&#x27;"),
        ("```unclosed *b*", "```unclosed <b>b</b>"),
        (":white_check_mark: fixed :custom_thing:", "✅ fixed :custom_thing:"),
    ],
)
def test_mrkdwn_examples(mrkdwn: str, html: str) -> None:
    assert render(mrkdwn) == html


ALLOWED_TAG = re.compile(
    r'</?(b|i|s|code|pre|br|blockquote)>|<span class="[a-z -]+" data-ref="[^"<>]*">|</span>'
    r'|<a href="(https?://|mailto:)[^"<>]*" target="_blank" rel="noopener noreferrer">|</a>'
)


TOKENS = [*"<>&|*_~`'\"!@#:/ \nabcU1", "javascript:", "https://", "&lt;", "&amp;", "```"]


@given(st.lists(st.sampled_from(TOKENS), max_size=40).map("".join))
def test_rendered_mrkdwn_only_contains_known_markup(text: str) -> None:
    html = ALLOWED_TAG.sub("", render(text))
    assert "<" not in html and ">" not in html
    assert '"' not in html


def test_blocks_render_with_stable_hooks() -> None:
    renderer = BlockRenderer(default_workspace())
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Audit <prod>"}},
        {
            "type": "section",
            "block_id": "s1",
            "fields": [
                {"type": "mrkdwn", "text": "*Engine*"},
                {"type": "plain_text", "text": "*valkey*"},
            ],
            "accessory": {
                "type": "button",
                "action_id": "details",
                "value": 'v"1',
                "text": {"type": "plain_text", "text": "Details"},
            },
        },
        {"type": "divider"},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "_3 findings_"}]},
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": "fix",
                    "style": "danger",
                    "text": {"type": "plain_text", "text": "Fix"},
                }
            ],
        },
        {"type": "video"},
    ]
    html = renderer.blocks(blocks)
    assert "<h3>Audit &lt;prod&gt;</h3>" in html
    assert '<div class="field"><b>Engine</b></div><div class="field">*valkey*</div>' in html
    assert 'data-action-id="details" data-block-id="s1"' in html and 'data-value="v&quot;1"' in html
    assert 'class="btn btn-danger"' in html and 'data-block-id="b4"' in html
    assert "<hr>" in html and "<i>3 findings</i>" in html and "[video block]" in html


def test_file_messages_get_a_download_link() -> None:
    renderer = BlockRenderer(default_workspace())
    message = {
        "text": "report",
        "files": [
            {
                "id": "F1",
                "name": "a<b>.md",
                "size": 3,
                "url_private_download": "http://127.0.0.1:1/files/F1/a.md",
            }
        ],
    }
    html = renderer.message(message)
    assert 'data-testid="file-download"' in html and "a&lt;b&gt;.md" in html
    assert 'href="http://127.0.0.1:1/files/F1/a.md"' in html
