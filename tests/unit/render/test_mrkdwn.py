"""mrkdwn helpers: escaping, code spans, truncation, links and mentions."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.slack.actions import FINDING_ACTION_IDS, ActionId, action_id_for, finding_action_for
from bot.slack.render.mrkdwn import (
    ELLIPSIS,
    code,
    code_block,
    code_block_fits,
    escape,
    link,
    truncate,
    user_mention,
)
from posture.messages import FindingAction


def test_escape_ampersand_first() -> None:
    assert escape("a & <b> &lt;") == "a &amp; &lt;b&gt; &amp;lt;"


@given(st.text())
def test_escape_leaves_no_control_characters_and_round_trips(text: str) -> None:
    escaped = escape(text)
    assert "<" not in escaped and ">" not in escaped
    assert _unescape(escaped) == text


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def test_truncate_adds_an_ellipsis_only_when_cutting() -> None:
    assert truncate("short", 10) == "short"
    assert truncate("exactly10!", 10) == "exactly10!"
    assert truncate("a longer sentence", 8) == "a longe" + ELLIPSIS
    assert truncate("anything", 0) == ""


def test_truncate_never_splits_an_entity() -> None:
    text = escape("ab<<<<")  # ab&lt;&lt;&lt;&lt;
    for limit in range(1, len(text)):
        cut = truncate(text, limit)
        assert len(cut) <= limit
        body = cut.removesuffix(ELLIPSIS)
        assert _unescape(body) == "ab<<<<"[: len(_unescape(body))]
        assert not body.endswith(("&", "&l", "&lt", "&a", "&am", "&amp", "&g", "&gt"))


@given(st.text(), st.integers(min_value=1, max_value=50))
def test_truncate_respects_the_limit(text: str, limit: int) -> None:
    assert len(truncate(escape(text), limit)) <= limit


def test_code_strips_backticks_and_escapes() -> None:
    assert code("a`b<!here>") == "`ab&lt;!here&gt;`"
    assert code("two\nlines") == "`two lines`"
    assert code("```") == ""
    assert len(code("x" * 500, 50)) <= 52


def test_code_block_breaks_inner_fences_and_fits() -> None:
    block = code_block("echo ```oops``` <!channel>", 3000)
    assert block.startswith("```\n") and block.endswith("\n```")
    assert block.count("```") == 2
    assert "&lt;!channel&gt;" in block
    long = code_block("y" * 5000, 300)
    assert len(long) <= 300 and ELLIPSIS in long
    assert code_block_fits("y" * 100, 300) and not code_block_fits("y" * 5000, 300)


@pytest.mark.parametrize("user_id", ["U123ABC", "W0123456789", "U12"])
def test_valid_user_ids_become_mentions(user_id: str) -> None:
    assert user_mention(user_id) == f"<@{user_id}>"


@pytest.mark.parametrize(
    "user_id", ["<!channel>", "U1", "u123abc", "U123>|<!here", "C123ABC", "U" + "A" * 30, ""]
)
def test_anything_else_stays_plain_text(user_id: str) -> None:
    mention = user_mention(user_id)
    assert "<" not in mention and ">" not in mention


def test_links_only_for_plain_https_urls() -> None:
    url = "https://docs.aws.amazon.com/x?a=1&b=2"
    assert (
        link(url, "AWS <docs>|x")
        == "<https://docs.aws.amazon.com/x?a=1&amp;b=2|AWS &lt;docs&gt;/x>"
    )
    for bad in (
        "http://example.com",
        "https://evil|click",
        "https://a b",
        "javascript:x",
        "https://x>",
    ):
        assert "<" not in link(bad, "label")


def test_action_ids_are_the_documented_strings() -> None:
    assert {a.value for a in ActionId} == {
        "finding_explain",
        "finding_request_fix",
        "finding_accept_risk",
        "approval_approve",
        "approval_deny",
        "rotation_finalize",
        "rotation_cancel",
        "finding_menu",
        "finding_request_rebuild",
        "rebuild_cancel",
        "rebuild_delete_source",
        "finding_apply_anyway",
        "finding_rebuild_inputs",
    }
    assert all(len(a.value) <= 255 for a in ActionId)


def test_every_finding_action_has_an_action_id_and_back() -> None:
    assert set(FINDING_ACTION_IDS) == set(FindingAction)
    for action in FindingAction:
        assert finding_action_for(action_id_for(action)) is action
    assert finding_action_for(ActionId.APPROVE) is None
    assert finding_action_for("nonsense") is None
    with pytest.raises(TypeError):
        FINDING_ACTION_IDS[FindingAction.EXPLAIN] = ActionId.DENY  # type: ignore[index]
