"""Access tokens: minting (for the reference issuer and for the suite's own test tokens)
and decoding without trust (for checking what a candidate issued).

Everything cryptographic goes through PyJWT; this module only decides which claims and
headers to put in and how to report what came out.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import jwt

CONTENT_TYPE = "twilio-fpa;v=1"
ALGORITHM = "HS256"
MAX_LIFETIME_S = 86_400


class TokenFormatError(ValueError):
    """The text is not a decodable JWT at all."""


@dataclass(frozen=True)
class DecodedToken:
    """A JWT split into its parts, signature not yet trusted."""

    raw: str = field(repr=False)  # a bearer credential: kept out of reprs, which tracebacks print
    header: dict[str, Any]
    payload: dict[str, Any]


def decode_untrusted(token: str) -> DecodedToken:
    """Read header and payload without verifying anything, or say why that is impossible."""
    if not isinstance(token, str) or not token.strip():
        raise TokenFormatError("the token is empty")
    token = token.strip()
    if token.count(".") != 2:
        raise TokenFormatError(f"a JWT has three dot-separated parts; this text has {token.count('.') + 1}")
    try:
        header = jwt.get_unverified_header(token)
        payload = jwt.decode(token, options={"verify_signature": False})
    except jwt.exceptions.InvalidTokenError as exc:
        raise TokenFormatError(f"the token does not decode as a JWT: {exc}") from exc
    if not isinstance(payload, dict):
        raise TokenFormatError("the JWT payload is not a JSON object")
    return DecodedToken(raw=token, header=dict(header), payload=payload)


def signature_verifies(token: str, secret: str, algorithm: str = ALGORITHM) -> bool:
    """True when ``token`` is signed with ``secret`` under ``algorithm`` (claims not checked)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", jwt.warnings.InsecureKeyLengthWarning)
            jwt.decode(
                token,
                secret,
                algorithms=[algorithm],
                options={
                    "verify_signature": True,
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                    "verify_aud": False,
                    "verify_iss": False,
                    "verify_sub": False,
                    "verify_jti": False,
                },
            )
    except jwt.exceptions.InvalidTokenError:
        return False
    return True


def voice_grant(
    *,
    push_credential_sid: str | None = None,
    outgoing_application_sid: str | None = None,
    incoming_allow: bool = True,
) -> dict[str, Any]:
    """A VoiceGrant payload in the shape the official helper libraries emit."""
    grant: dict[str, Any] = {}
    if incoming_allow:
        grant["incoming"] = {"allow": True}
    if outgoing_application_sid:
        grant["outgoing"] = {"application_sid": outgoing_application_sid}
    if push_credential_sid:
        grant["push_credential_sid"] = push_credential_sid
    return grant


def mint(
    *,
    api_key_sid: str,
    account_sid: str,
    secret: str,
    now_s: int,
    identity: str | None,
    grants: Mapping[str, Any] | None = None,
    ttl_s: int = 3_600,
    with_nbf: bool = True,
    with_iat: bool = False,
    algorithm: str = ALGORITHM,
    headers: Mapping[str, Any] | None = None,
    claim_overrides: Mapping[str, Any] | None = None,
) -> str:
    """Sign an Access Token; the defaults match the twilio-python helper library's output."""
    grant_claim: dict[str, Any] = dict(grants or {})
    if identity is not None:
        grant_claim["identity"] = identity
    payload: dict[str, Any] = {
        "jti": f"{api_key_sid}-{now_s}",
        "grants": grant_claim,
        "iss": api_key_sid,
        "sub": account_sid,
        "exp": now_s + ttl_s,
    }
    if with_nbf:
        payload["nbf"] = now_s
    if with_iat:
        payload["iat"] = now_s
    payload.update(claim_overrides or {})
    header = dict(headers) if headers is not None else {"typ": "JWT", "cty": CONTENT_TYPE}
    key: str | None = None if algorithm == "none" else secret
    with warnings.catch_warnings():
        # Weak keys and odd algorithms are deliberate in the suite's negative tokens.
        warnings.simplefilter("ignore", jwt.warnings.InsecureKeyLengthWarning)
        return jwt.encode(payload, key, algorithm=algorithm, headers=header)


def describe(token: DecodedToken) -> str:
    """Header and payload as compact JSON, for failure messages (no signature, no secret)."""
    return json.dumps({"header": token.header, "payload": token.payload}, sort_keys=True)
