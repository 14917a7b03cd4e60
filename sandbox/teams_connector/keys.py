"""A local RSA signing key in place of the Bot Framework's, and a TLS certificate for 127.0.0.1.

The bot is configured with the emulator's OpenID metadata URL, so tokens signed here pass
its inbound check exactly as the Bot Connector's would, and nothing else does.
"""

from __future__ import annotations

import base64
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from sandbox.local_tls import write_self_signed

BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class SigningKey:
    def __init__(self, endorsements: tuple[str, ...] = ("msteams",)) -> None:
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = uuid.uuid4().hex
        self.endorsements = endorsements

    def jwk(self) -> dict[str, Any]:
        numbers = self._key.public_key().public_numbers()
        return {
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": self.kid,
            "n": _b64(numbers.n),
            "e": _b64(numbers.e),
            "endorsements": list(self.endorsements),
        }

    def sign(self, claims: dict[str, Any], *, kid: str | None = None) -> str:
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": kid or self.kid})

    def connector_token(
        self,
        *,
        audience: str,
        service_url: str,
        issuer: str = BOT_FRAMEWORK_ISSUER,
        lifetime: int = 3600,
        issued_at: float | None = None,
    ) -> str:
        """What the Bot Connector sends to a bot: iss, aud = the bot's app id, serviceurl."""
        now = int(time.time() if issued_at is None else issued_at)
        claims = {
            "iss": issuer,
            "aud": audience,
            "serviceurl": service_url,
            "nbf": now - 5,
            "iat": now - 5,
            "exp": now + lifetime,
        }
        return self.sign(claims)


def write_tls_certificate(directory: Path) -> tuple[Path, Path]:
    """The emulator's HTTPS certificate for 127.0.0.1 (a CA for itself); returns (cert, key)."""
    return write_self_signed(directory, "connector")
