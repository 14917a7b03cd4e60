"""Token rotation steps as cards: phase, what the group is in, secret names and ARNs (never a
value), and Finalize / Cancel while both tokens work. Buttons carry only the rotation id."""

from __future__ import annotations

from bot.teams.cards.elements import (
    Card,
    Element,
    action_execute,
    card,
    escape,
    text_block,
    truncate,
)
from bot.teams.verbs import Verb
from posture.rotation import Phase, RotationAction, RotationMode, RotationUpdate, SecretView

_BUTTONS = {
    RotationAction.FINALIZE: ("Finalize", Verb.FINALIZE, "positive"),
    RotationAction.CANCEL: ("Cancel", Verb.CANCEL, "destructive"),
}
_MAX_SECRETS = 10
_SHOW_SECRETS = frozenset(
    {Phase.REQUESTED, Phase.BOTH_VALID, Phase.DONE, Phase.CANCELLED, Phase.FAILED}
)


def _secret(secret: SecretView) -> Element:
    owner = f" (user {secret.user_id})" if secret.user_id else ""
    arn = secret.arn or "the ARN appears once the secret exists"
    return text_block(
        escape(f"Secret{owner}: {truncate(secret.name, 300)}  \n{truncate(arn, 400)}")
    )


def rotation_text(update: RotationUpdate) -> str:
    kind = "token" if update.mode is RotationMode.AUTH_TOKEN else "password"
    return f"{update.group_id}: {kind} rotation {update.headline}. {update.state}"


def render_rotation_card(
    update: RotationUpdate, *, closed_by: str = "", closed_what: str = ""
) -> Card:
    """One reply in the rotation's thread; after a click, pass who did what instead of buttons."""
    kind = "AUTH token" if update.mode is RotationMode.AUTH_TOKEN else "RBAC password"
    where = f"{update.group_id} · account {update.account} · {update.region}"
    body: list[Element] = [
        text_block(f"**{escape(f'{kind} rotation: {update.headline}')}**"),
        text_block(escape(where), subtle=True),
        text_block(escape(truncate(update.state, 1500))),
    ]
    if update.secrets and update.phase in _SHOW_SECRETS:
        body += [_secret(secret) for secret in update.secrets[:_MAX_SECRETS]]
    if update.note:
        body.append(text_block(escape(truncate(update.note, 1500)), subtle=True))
    if closed_by:
        body.append(text_block(escape(f"{closed_what} by {closed_by}.")))
    ids = f"rotation {update.rotation_id}"
    if update.correlation_id:
        ids += f" · correlation id {update.correlation_id}"
    body.append(text_block(escape(ids), subtle=True, size="Small"))
    actions = None
    if update.actions and not closed_by:
        actions = [
            action_execute(label, verb, {"rotation_id": update.rotation_id}, style=style)
            for label, verb, style in (_BUTTONS[action] for action in update.actions)
        ]
    return card(body, actions=actions, summary=rotation_text(update))
