"""Token rotation messages as Block Kit. Pure: a `RotationUpdate` in, blocks out.

A rotation shows the secret's name and ARN, never a value. Finalize and Cancel carry
only the rotation id; the listener checks who clicked and what state the rotation is in.
"""

from __future__ import annotations

from bot.slack.actions import ActionId
from bot.slack.render.mrkdwn import code, escape, truncate, user_mention
from bot.slack.render.slack_elements import (
    MAX_SECTION_TEXT,
    Block,
    actions,
    button,
    context,
    fallback,
    section,
)
from posture.rotation import Phase, RotationAction, RotationMode, RotationUpdate, SecretView

_BUTTONS = {
    RotationAction.FINALIZE: ("Finalize", ActionId.FINALIZE, "primary"),
    RotationAction.CANCEL: ("Cancel", ActionId.CANCEL, "danger"),
}
_MAX_SECRETS = 10
# Where the secret is matters when someone must act or look: not on every passing phase.
_SHOW_SECRETS = frozenset(
    {Phase.REQUESTED, Phase.BOTH_VALID, Phase.DONE, Phase.CANCELLED, Phase.FAILED}
)


def _what(update: RotationUpdate) -> str:
    kind = "AUTH token" if update.mode is RotationMode.AUTH_TOKEN else "RBAC password"
    where = f"{code(update.group_id)} · account {code(update.account)} · {escape(update.region)}"
    return f"*{escape(kind)} rotation: {escape(update.headline)}*\n{where}"


def _secret_line(secret: SecretView) -> str:
    owner = f" (user {code(secret.user_id)})" if secret.user_id else ""
    arn = code(secret.arn, 400) if secret.arn else "_the ARN appears once the secret exists_"
    return f"*Secret*{owner} {code(secret.name, 300)}\n{arn}"


def render_rotation(update: RotationUpdate) -> tuple[str, list[Block]]:
    """One thread reply: the phase, what the group is in, the secrets, and any buttons."""
    blocks = [
        section(_what(update)),
        section(truncate(escape(update.state), MAX_SECTION_TEXT)),
    ]
    if update.secrets and update.phase in _SHOW_SECRETS:
        lines = [_secret_line(secret) for secret in update.secrets[:_MAX_SECRETS]]
        blocks.append(section(truncate("\n".join(lines), MAX_SECTION_TEXT)))
    if update.note:
        blocks.append(context(truncate(escape(update.note), MAX_SECTION_TEXT)))
    if update.actions:
        blocks.append(
            actions(
                [
                    button(label, action_id, update.rotation_id, style=style)
                    for label, action_id, style in (_BUTTONS[a] for a in update.actions)
                ]
            )
        )
    ids = f"rotation {code(update.rotation_id)}"
    if update.correlation_id:
        ids += f" · correlation id {code(update.correlation_id)}"
    blocks.append(context(ids))
    kind = "token" if update.mode is RotationMode.AUTH_TOKEN else "password"
    text = f"{update.group_id}: {kind} rotation {update.headline}. {update.state}"
    return fallback(escape(text)), blocks


def render_rotation_closed(update: RotationUpdate, by: str, what: str) -> tuple[str, list[Block]]:
    """The both-tokens message after a click: same facts, buttons replaced by who did what."""
    text, blocks = render_rotation(update.model_copy(update={"actions": ()}))
    blocks.insert(-1, section(f"{escape(what)} by {user_mention(by)}."))
    return text, blocks
