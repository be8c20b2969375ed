"""Build the tokens of ``fixtures/registration/vectors.json`` from their declared mutations.

Everything cryptographic goes through PyJWT (its JWS API signs payloads that are not
even JSON); the tampering only cuts or replaces the dot-separated segments of a
correctly built token.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import jwt

from voice_push_conformance import vectors
from voice_push_conformance.codecs import tokens
from voice_push_conformance.credentials import Credentials


def load() -> dict[str, dict[str, Any]]:
    """The registration area's access-token vectors, checked against their schema, as JSON objects."""
    return vectors.load("registration", "token-vectors")


@dataclass(frozen=True)
class TokenVector:
    """An access token described by how it differs from a valid one, and what a conforming service does with it."""

    id: str
    description: str
    result: Literal["valid", "invalid", "acceptable"]
    mutation: Mapping[str, Any]  # how the token differs from a valid one (see the schema)
    flags: tuple[str, ...]  # its weaknesses, each explained in the file's notes
    expected_code: int | None = None  # the access-token error code an invalid token is refused with
    size_refusal_statuses: tuple[int, ...] = ()  # HTTP statuses that count as refusing it for its size alone

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> TokenVector:
        return cls(
            id=raw["id"],
            description=raw["description"],
            result=raw["result"],
            mutation=dict(raw["mutation"]),
            flags=tuple(raw["flags"]),
            expected_code=raw.get("expected_code"),
            size_refusal_statuses=tuple(raw.get("size_refusal_statuses", ())),
        )


@cache
def by_id() -> dict[str, TokenVector]:
    """Every token vector by id, schema-checked and typed."""
    return {vid: TokenVector.from_dict(raw) for vid, raw in load().items()}


def get(vector_id: str) -> TokenVector:
    """One token vector, failing with the file it was looked for in."""
    vector = by_id().get(vector_id)
    if vector is None:
        raise vectors.VectorError(f"no token vector {vector_id!r} in fixtures/registration/vectors.json")
    return vector


def build(
    vector: TokenVector,
    *,
    credentials: Credentials,
    identity: str,
    now_s: int,
    fresh_sid: Callable[[str], str],
    other_secret: str,
) -> str:
    """Mints the (usually broken) access token a vector describes, with this run's credentials."""
    mutation: dict[str, Any] = dict(vector.mutation)
    secret = other_secret if mutation.pop("secret", None) == "other" else credentials.api_key_secret.reveal()
    tamper = mutation.pop("tamper", None)
    header = {"typ": "JWT", "cty": tokens.CONTENT_TYPE}
    if tamper == "not_a_jwt":
        return "not.a.jwt"
    if tamper == "capability_token":
        claims = {
            "iss": credentials.account_sid,
            "exp": now_s + 3_600,
            "scope": f"scope:client:incoming?clientName={identity}",
        }
        return jwt.encode(claims, secret, algorithm="HS256")
    options: dict[str, Any] = {
        "api_key_sid": credentials.api_key_sid,
        "account_sid": credentials.account_sid,
        "secret": secret,
        "now_s": now_s + mutation.pop("now_offset_s", 0),
        "identity": identity,
        "grants": {"voice": tokens.voice_grant(push_credential_sid=credentials.push_credential_sid)},
    }
    for key in ("api_key_sid", "account_sid"):
        if isinstance(mutation.get(key), str) and mutation[key].startswith("fresh:"):
            mutation[key] = fresh_sid(mutation[key].removeprefix("fresh:"))
    if "claims" in mutation:
        options["claim_overrides"] = mutation.pop("claims")
    relabelled = mutation.pop("headers", None) if tamper == "relabel_alg" else None
    options.update(mutation)
    token = tokens.mint(**options)
    head, payload, signature = token.split(".")
    if tamper == "strip_signature":
        return f"{head}.{payload}."
    if tamper == "truncate_signature":  # 32 characters = 24 whole bytes: canonical base64url, a short signature
        return f"{head}.{payload}.{signature[:32]}"
    if tamper == "relabel_alg":  # PyJWT will not sign under a foreign alg: swap the header segment afterwards
        segment = base64.urlsafe_b64encode(json.dumps(relabelled).encode("utf-8")).rstrip(b"=").decode("ascii")
        return f"{segment}.{payload}.{signature}"
    if tamper == "bad_base64_payload":
        return f"{head}.!!not*base64!!.{signature}"
    if tamper in {"payload_not_json", "duplicate_sub"}:
        if tamper == "payload_not_json":
            raw = b"this is not JSON"
        else:
            claims = tokens.decode_untrusted(token).payload
            text = json.dumps(claims)
            raw = (text[:-1] + f', "sub": "{fresh_sid("AC")}"}}').encode("utf-8")
        return jwt.api_jws.encode(raw, secret, algorithm="HS256", headers=header)
    return token
