"""The bot's own app token for Bot Connector calls, from Entra ID through MSAL.

One `AppTokenSource` serves the web process (replies inside a turn, through the Agents SDK)
and the workers (proactive posts), so both authenticate the same way. MSAL keeps the token
in memory and renews it shortly before it expires.

Credential kinds (client credentials flow,
https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow):
client secret; certificate (PFX file); federated credential from a user-assigned managed
identity; workload identity (a federated token file, e.g. AKS or GitHub OIDC).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from bot.teams.settings import AuthType, TeamsSettings

# The audience Entra expects for a managed identity's token exchanged as a federated credential.
# https://learn.microsoft.com/en-us/entra/workload-id/workload-identity-federation-config-app-trust-managed-identity
TOKEN_EXCHANGE_RESOURCE = "api://AzureADTokenExchange"


class TokenError(RuntimeError):
    """No app token could be obtained; the message names the Entra error code, never a secret."""


class AppTokenSource(Protocol):
    def token(self) -> str | None:
        """A bearer token for the Bot Connector, or None in anonymous (local) mode."""
        ...


class AnonymousTokenSource:
    """Local use only: the emulator accepts calls without a token."""

    def token(self) -> str | None:
        return None


def _managed_identity_assertion(client_id: str) -> Callable[[], str]:
    import msal
    import requests

    identity = msal.ManagedIdentityClient(
        msal.UserAssignedManagedIdentity(client_id=client_id), http_client=requests.Session()
    )

    def assertion() -> str:
        result = identity.acquire_token_for_client(resource=TOKEN_EXCHANGE_RESOURCE)
        if "access_token" not in result:
            raise TokenError(f"managed identity refused: {result.get('error', 'unknown_error')}")
        return str(result["access_token"])

    return assertion


def _file_assertion(path: str) -> Callable[[], str]:
    def assertion() -> str:  # the file is refreshed by the platform: read it every time
        return Path(path).read_text(encoding="utf-8").strip()

    return assertion


def client_credential(settings: TeamsSettings) -> Any:
    """What MSAL's ConfidentialClientApplication takes as `client_credential`."""
    if settings.auth_type is AuthType.CLIENT_SECRET:
        assert settings.client_secret is not None  # settings validation guarantees it
        return settings.client_secret.get_secret_value()
    if settings.auth_type is AuthType.CERTIFICATE:
        credential: dict[str, Any] = {
            "private_key_pfx_path": settings.cert_pfx_file,
            "public_certificate": True,  # send x5c: subject-name/issuer auth works too
        }
        if settings.cert_password is not None:
            credential["passphrase"] = settings.cert_password.get_secret_value()
        return credential
    if settings.auth_type is AuthType.FEDERATED_CREDENTIALS:
        assert settings.managed_identity_client_id is not None
        return {
            "client_assertion": _managed_identity_assertion(settings.managed_identity_client_id)
        }
    assert settings.federated_token_file is not None
    return {"client_assertion": _file_assertion(settings.federated_token_file)}


class MsalTokenSource:
    """Client-credentials tokens for `settings.token_scope`, cached by MSAL in memory."""

    def __init__(self, settings: TeamsSettings) -> None:
        self._settings = settings
        self._app: Any = None
        self._lock = threading.Lock()

    def _application(self) -> Any:
        import msal  # imported on first use: `cachewarden` commands that never post stay fast

        with self._lock:
            if self._app is None:
                self._app = msal.ConfidentialClientApplication(
                    client_id=self._settings.app_id,
                    authority=self._settings.authority,
                    client_credential=client_credential(self._settings),
                    # None keeps MSAL's default (discover well-known clouds); False lets tests
                    # point the authority at a local token endpoint.
                    instance_discovery=None if self._settings.instance_discovery else False,
                )
            return self._app

    def token(self) -> str | None:
        try:
            result = self._application().acquire_token_for_client(
                scopes=[self._settings.token_scope]
            )
        except (OSError, ValueError) as exc:  # network failures, unreadable PFX, bad authority
            raise TokenError(
                f"could not reach Entra ID for a token: {type(exc).__name__}"
            ) from None
        if "access_token" not in result:
            raise TokenError(f"Entra ID refused a token: {result.get('error', 'unknown_error')}")
        return str(result["access_token"])


def token_source(settings: TeamsSettings) -> AppTokenSource:
    return AnonymousTokenSource() if settings.anonymous else MsalTokenSource(settings)
