"""Process settings from the environment (standard Slack names), validated at start."""

from __future__ import annotations

from urllib.parse import urlparse

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class SettingsError(ValueError):
    """A setting is missing or invalid; the message names the environment variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    slack_bot_token: SecretStr = Field(validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr = Field(validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(None, validation_alias="SLACK_APP_TOKEN")
    redis_url: SecretStr = Field(
        SecretStr("redis://127.0.0.1:6379/0"), validation_alias="REDIS_URL"
    )
    slack_api_url: str = Field("https://slack.com/api/", validation_alias="SLACK_API_URL")
    cachewarden_config: str | None = Field(None, validation_alias="CACHEWARDEN_CONFIG")
    redis_ca_file: str | None = Field(None, validation_alias="REDIS_CA_FILE")
    log_level: str = Field("INFO", validation_alias="LOG_LEVEL")
    # HTTP mode: the web tier's limits (see README, "The web tier").
    web_max_body_bytes: int = Field(
        1024 * 1024, ge=4096, le=64 * 1024 * 1024, validation_alias="WEB_MAX_BODY_BYTES"
    )
    web_connection_limit: int = Field(
        1000, ge=10, le=60000, validation_alias="WEB_CONNECTION_LIMIT"
    )
    web_idle_timeout: int = Field(30, ge=1, le=3600, validation_alias="WEB_IDLE_TIMEOUT_SECONDS")
    metrics_port: int | None = Field(None, ge=1, le=65535, validation_alias="METRICS_PORT")

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token_shape(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("must be a bot token starting with xoxb-")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: SecretStr) -> SecretStr:
        scheme = urlparse(value.get_secret_value()).scheme
        if scheme not in ("redis", "rediss", "unix"):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if urlparse(value).scheme not in ("http", "https"):
            raise ValueError("must be an http(s) URL")
        return value if value.endswith("/") else value + "/"


_ENV_NAMES = {
    "slack_bot_token": "SLACK_BOT_TOKEN",
    "slack_signing_secret": "SLACK_SIGNING_SECRET",
    "slack_app_token": "SLACK_APP_TOKEN",
    "redis_url": "REDIS_URL",
    "slack_api_url": "SLACK_API_URL",
    "cachewarden_config": "CACHEWARDEN_CONFIG",
    "web_max_body_bytes": "WEB_MAX_BODY_BYTES",
    "web_connection_limit": "WEB_CONNECTION_LIMIT",
    "web_idle_timeout": "WEB_IDLE_TIMEOUT_SECONDS",
    "metrics_port": "METRICS_PORT",
}


def load_settings(*, need_app_token: bool = False) -> Settings:
    """Read and validate the environment; raise SettingsError naming the variable."""
    try:
        settings = Settings()  # values come from the environment
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else "?"
            name = _ENV_NAMES.get(field.lower(), field.upper())
            reason = (
                "is not set"
                if err["type"] == "missing"
                else err["msg"].removeprefix("Value error, ")
            )
            problems.append(f"{name} {reason}")
        raise SettingsError("; ".join(problems)) from None
    if need_app_token and settings.slack_app_token is None:
        raise SettingsError(
            "SLACK_APP_TOKEN is not set (Socket Mode needs an xapp- app-level token)"
        )
    return settings
