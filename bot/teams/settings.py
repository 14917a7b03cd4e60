"""Settings of the Teams front end, read from the environment and validated at start.

Production needs the bot's Entra app id and one credential (docs/teams-sdk.md lists them).
The inbound token check and the token authority can point elsewhere for offline tests;
anonymous mode (no inbound check, no outbound token) exists only for local use and must be
asked for by name.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated
from urllib.parse import urlparse

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
BOT_FRAMEWORK_OPENID = "https://login.botframework.com/v1/.well-known/openidconfiguration"
BOT_FRAMEWORK_SCOPE = "https://api.botframework.com/.default"


class TeamsSettingsError(ValueError):
    """A setting is missing or invalid; the message names the environment variable."""


class AuthType(StrEnum):
    CLIENT_SECRET = "client_secret"
    CERTIFICATE = "certificate"
    FEDERATED_CREDENTIALS = "federated_credentials"  # a user-assigned managed identity
    WORKLOAD_IDENTITY = "workload_identity"  # a federated token file (AKS, GitHub OIDC, ...)


class TeamsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    app_id: str = Field("", validation_alias="CACHEWARDEN_TEAMS_APP_ID")
    tenant_id: str = Field("botframework.com", validation_alias="CACHEWARDEN_TEAMS_TENANT_ID")
    auth_type: AuthType = Field(
        AuthType.CLIENT_SECRET, validation_alias="CACHEWARDEN_TEAMS_AUTH_TYPE"
    )
    client_secret: SecretStr | None = Field(
        None, validation_alias="CACHEWARDEN_TEAMS_CLIENT_SECRET"
    )
    cert_pfx_file: str | None = Field(None, validation_alias="CACHEWARDEN_TEAMS_CERT_PFX_FILE")
    cert_password: SecretStr | None = Field(
        None, validation_alias="CACHEWARDEN_TEAMS_CERT_PASSWORD"
    )
    managed_identity_client_id: str | None = Field(
        None, validation_alias="CACHEWARDEN_TEAMS_MANAGED_IDENTITY_CLIENT_ID"
    )
    federated_token_file: str | None = Field(
        None, validation_alias="CACHEWARDEN_TEAMS_FEDERATED_TOKEN_FILE"
    )
    authority_host: str = Field(
        "https://login.microsoftonline.com", validation_alias="CACHEWARDEN_TEAMS_AUTHORITY_HOST"
    )
    instance_discovery: bool = Field(True, validation_alias="CACHEWARDEN_TEAMS_INSTANCE_DISCOVERY")
    token_scope: str = Field(BOT_FRAMEWORK_SCOPE, validation_alias="CACHEWARDEN_TEAMS_TOKEN_SCOPE")
    openid_metadata_url: str = Field(
        BOT_FRAMEWORK_OPENID, validation_alias="CACHEWARDEN_TEAMS_OPENID_METADATA_URL"
    )
    issuers: Annotated[tuple[str, ...], NoDecode] = Field(
        (BOT_FRAMEWORK_ISSUER,), validation_alias="CACHEWARDEN_TEAMS_ISSUERS"
    )
    anonymous: bool = Field(False, validation_alias="CACHEWARDEN_TEAMS_ANONYMOUS")
    redis_url: SecretStr = Field(
        SecretStr("redis://127.0.0.1:6379/0"), validation_alias="REDIS_URL"
    )
    redis_ca_file: str | None = Field(None, validation_alias="REDIS_CA_FILE")
    cachewarden_config: str | None = Field(None, validation_alias="CACHEWARDEN_CONFIG")
    log_level: str = Field("INFO", validation_alias="LOG_LEVEL")

    @field_validator("issuers", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("authority_host", "openid_metadata_url")
    @classmethod
    def _https(cls, value: str) -> str:
        if urlparse(value).scheme != "https":
            raise ValueError("must be an https URL")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _credential_present(self) -> TeamsSettings:
        if self.anonymous:
            return self
        if not self.app_id:
            raise ValueError(
                "CACHEWARDEN_TEAMS_APP_ID is not set (the bot's Entra app id); set "
                "CACHEWARDEN_TEAMS_ANONYMOUS=true only for local use without Teams"
            )
        needed = {
            AuthType.CLIENT_SECRET: ("client_secret", "CACHEWARDEN_TEAMS_CLIENT_SECRET"),
            AuthType.CERTIFICATE: ("cert_pfx_file", "CACHEWARDEN_TEAMS_CERT_PFX_FILE"),
            AuthType.FEDERATED_CREDENTIALS: (
                "managed_identity_client_id",
                "CACHEWARDEN_TEAMS_MANAGED_IDENTITY_CLIENT_ID",
            ),
            AuthType.WORKLOAD_IDENTITY: (
                "federated_token_file",
                "CACHEWARDEN_TEAMS_FEDERATED_TOKEN_FILE",
            ),
        }
        field, env = needed[self.auth_type]
        if not getattr(self, field):
            raise ValueError(f"{env} is not set (needed for auth type {self.auth_type})")
        return self

    @property
    def authority(self) -> str:
        return f"{self.authority_host}/{self.tenant_id}"


def load_teams_settings() -> TeamsSettings:
    """Read and validate the environment; raise TeamsSettingsError naming the variable."""
    try:
        return TeamsSettings()
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            where = ".".join(str(part) for part in err["loc"])
            message = err["msg"].removeprefix("Value error, ")
            problems.append(f"{where.upper()} {message}" if where else message)
        raise TeamsSettingsError("; ".join(problems)) from None
