"""The reference service's access-token rules: one method per documented defect it refuses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from voice_push_conformance.clock import MS_PER_SECOND
from voice_push_conformance.codecs import tokens
from voice_push_conformance.target import HarnessContext

MAX_IDENTITY_CHARS = 256  # the TwiML <Client> page's limit for a client identifier
MAX_TOKEN_BYTES = 8_192


class TokenRejected(Exception):
    """An access token the service will not accept, with the documented error code."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Grant:
    """What the service needs from a verified access token: who, and which push credential."""

    identity: str
    push_credential_sid: str


class AccessTokenRules:
    """How the reference validates an Access Token (REG-BAD-TOKEN, REG-BAD-TOKEN-CODE, REG-BAD-TOKEN-BASELINE).

    ``validate_token`` runs the rules below in order; each is a hook a subclass may
    override to change just that rule. Mixed into ``ReferenceVoiceService``.
    """

    context: HarnessContext
    account_sid: str
    api_keys: dict[str, str]

    def now_ms(self) -> int:
        """The service's clock, in epoch milliseconds."""
        return self.context.clock.now_ms()

    def check_size(self, access_token: str) -> None:
        """REG-BAD-TOKEN-BASELINE: a token over ``MAX_TOKEN_BYTES`` is refused before it is read."""
        if len(access_token) > MAX_TOKEN_BYTES:
            raise TokenRejected(20101, f"the token is larger than {MAX_TOKEN_BYTES} bytes")

    def check_content_type(self, decoded: tokens.DecodedToken) -> None:
        """REG-BAD-TOKEN: the header's cty is twilio-fpa (a legacy capability token is named as such)."""
        if decoded.header.get("cty") != tokens.CONTENT_TYPE:
            if "scope" in decoded.payload and "grants" not in decoded.payload:
                raise TokenRejected(20101, "this is a legacy capability token; the Voice SDKs need an Access Token")
            raise TokenRejected(20102, f"header cty must be {tokens.CONTENT_TYPE!r}")

    def check_algorithm(self, decoded: tokens.DecodedToken) -> None:
        """REG-BAD-TOKEN: only HS256 is accepted, whatever the header asks for (no 'none', no HS512)."""
        alg = decoded.header.get("alg")
        if alg != tokens.ALGORITHM:
            raise TokenRejected(20102, f"header alg must be {tokens.ALGORITHM!r}, not {alg!r}")

    def check_type(self, decoded: tokens.DecodedToken) -> None:
        """REG-BAD-TOKEN: the header's typ, if present, is JWT."""
        if decoded.header.get("typ", "JWT") != "JWT":
            raise TokenRejected(20102, "header typ must be 'JWT'")

    def check_header(self, decoded: tokens.DecodedToken) -> None:
        """REG-BAD-TOKEN: the header rules, in order (content type, algorithm, type)."""
        self.check_content_type(decoded)
        self.check_algorithm(decoded)
        self.check_type(decoded)

    def signing_key(self, decoded: tokens.DecodedToken) -> str:
        """REG-BAD-TOKEN: iss names an API key of this account and sub is the account (20103)."""
        iss = decoded.payload.get("iss")
        secret = self.api_keys.get(iss) if isinstance(iss, str) else None
        if secret is None:
            raise TokenRejected(20103, "iss names no API key of this account")
        if decoded.payload.get("sub") != self.account_sid:
            raise TokenRejected(20103, "sub is not this account's SID")
        return secret

    def check_signature(self, decoded: tokens.DecodedToken, secret: str) -> None:
        """REG-BAD-TOKEN: the HS256 signature verifies with the API key secret (20107)."""
        if not tokens.signature_verifies(decoded.raw, secret):
            raise TokenRejected(20107, "signature does not verify with the API key secret")

    def check_expiry(self, exp: object, now_s: int) -> int:
        """REG-BAD-TOKEN: exp is an integer second, and later than now (20104); the expiry."""
        if not isinstance(exp, int) or isinstance(exp, bool):
            raise TokenRejected(20104, "exp is missing or not an integer")
        if exp <= now_s:
            raise TokenRejected(20104, "the token has expired")
        return exp

    def check_not_before(self, nbf: object, now_s: int) -> None:
        """REG-BAD-TOKEN: a token whose nbf is in the future is not valid yet (20105)."""
        if isinstance(nbf, int) and nbf > now_s:
            raise TokenRejected(20105, "the token is not valid yet (nbf is in the future)")

    def check_lifetime(self, exp: int, start: int) -> None:
        """REG-BAD-TOKEN: a token lives at most 24 hours from its start (20157)."""
        if exp - start > tokens.MAX_LIFETIME_S:
            raise TokenRejected(20157, "the token lives longer than 24 hours")

    def check_times(self, payload: Mapping[str, Any]) -> None:
        """REG-BAD-TOKEN: the time rules, in order (expiry, claim types, not-before, lifetime)."""
        now_s = self.now_ms() // MS_PER_SECOND
        exp, nbf, iat = payload.get("exp"), payload.get("nbf"), payload.get("iat")
        expiry = self.check_expiry(exp, now_s)
        for name, value in (("nbf", nbf), ("iat", iat)):
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                raise TokenRejected(20101, f"{name} is not an integer")
        self.check_not_before(nbf, now_s)
        start = iat if isinstance(iat, int) else nbf if isinstance(nbf, int) else now_s
        self.check_lifetime(expiry, start)

    def identity_error(self, identity: str) -> str | None:
        """REG-BAD-TOKEN-BASELINE: why a non-empty identity is refused (too long, control characters), if it is."""
        if len(identity) > MAX_IDENTITY_CHARS or any(ord(ch) < 32 or ord(ch) == 127 for ch in identity):
            return f"the identity must be at most {MAX_IDENTITY_CHARS} characters, without control characters"
        return None

    def push_credential_of(self, voice: Mapping[str, Any]) -> str:
        """REG-NO-PUSH-CREDENTIAL: the VoiceGrant must name a push credential (20106)."""
        credential = voice.get("push_credential_sid")
        if not isinstance(credential, str) or not credential:
            raise TokenRejected(20106, "the VoiceGrant names no push credential")
        return credential

    def grant_of(self, payload: Mapping[str, Any]) -> Grant:
        """REG-BAD-TOKEN: the grants carry an identity and a VoiceGrant (20106); REG-VALID: the grant files under it."""
        grants = payload.get("grants")
        if not isinstance(grants, dict):
            raise TokenRejected(20106, "the token carries no grants")
        identity = grants.get("identity")
        if not isinstance(identity, str) or not identity.strip():
            raise TokenRejected(20106, "the grants carry no non-empty identity")
        refusal = self.identity_error(identity)
        if refusal is not None:
            raise TokenRejected(20106, refusal)
        voice = grants.get("voice")
        if not isinstance(voice, dict):
            raise TokenRejected(20106, "the grants carry no VoiceGrant")
        return Grant(identity=identity, push_credential_sid=self.push_credential_of(voice))

    def validate_token(self, access_token: str) -> Grant:
        """The grant of a valid access token, or ``TokenRejected`` naming its first defect (REG-BAD-TOKEN-CODE)."""
        self.check_size(access_token)
        try:
            decoded = tokens.decode_untrusted(access_token)
        except tokens.TokenFormatError as exc:
            raise TokenRejected(20101, str(exc)) from exc
        self.check_header(decoded)
        secret = self.signing_key(decoded)
        self.check_signature(decoded, secret)
        self.check_times(decoded.payload)
        return self.grant_of(decoded.payload)
