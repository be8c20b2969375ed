"""Steps for features/access_token.feature: checks on tokens the candidate's issuer vends.

PYTEST_DONT_REWRITE: each assertion message here is the whole verdict text; pytest's
introspection would add the values of sub-expressions, such as tokens, to reports.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pytest_bdd import given, scenarios, then

from voice_push_conformance import schemas
from voice_push_conformance.codecs import tokens
from voice_push_conformance.stepkit import one_of, phrase
from voice_push_conformance.world import World, call_candidate

scenarios("access_token.feature")


@dataclass(frozen=True)
class IssuedToken:
    """An access token the issuer minted, decoded, with the time it was issued."""

    alias: str
    decoded: tokens.DecodedToken
    issued_at_ms: int

    @property
    def payload(self) -> dict[str, Any]:
        return self.decoded.payload

    def claim(self, name: str) -> Any:
        assert name in self.payload, f"the token has no {name!r} claim; payload: {tokens.describe(self.decoded)}"
        return self.payload[name]


def _tolerance_s(world: World) -> int:
    return getattr(world.clock, "tolerance_ms", 0) // 1_000 + 1


def _credentials_hint(*variables: str) -> str:
    """Most signature and issuer failures against a real server are a credentials mismatch."""
    return f". If the server has credentials of its own, give the suite the same ones: set {', '.join(variables)}"


def _capability_token_hint(token: tokens.DecodedToken) -> str:
    if "scope" in token.payload and "grants" not in token.payload:
        return (
            " This looks like a legacy capability token (a 'scope' claim, no 'grants'); "
            "the Voice SDKs need an Access Token."
        )
    return ""


@given(phrase('the token issuer has issued an access token for "{alias}"'), target_fixture="issued")
def _(world: World, alias: str) -> IssuedToken:
    identity = world.identity(alias)
    issued_at = world.clock.now_ms()
    raw = call_candidate("issuing an access token", lambda: world.issuer.issue_token(identity))
    assert isinstance(raw, str), f"the issuer returned {type(raw).__name__}, not the token text"
    try:
        decoded = tokens.decode_untrusted(raw)
    except tokens.TokenFormatError as exc:
        raise AssertionError(f"the issuer's token is not a JWT: {exc}") from exc
    return IssuedToken(alias, decoded, issued_at)


@then(
    phrase(
        'the token {part:TokenPart} matches schema "{schema}"',
        TokenPart=one_of({"header": "header", "payload": "payload"}),
    )
)
def _(issued: IssuedToken, part: str, schema: str) -> None:
    """The decoded header or payload satisfies a schema of schemas/."""
    document = issued.decoded.header if part == "header" else issued.payload
    problems = schemas.errors(schema, document)
    shown = f"token header {issued.decoded.header}" if part == "header" else "token payload"
    assert not problems, f"{shown} breaks {schema}: {'; '.join(problems)}." + _capability_token_hint(issued.decoded)


@then("the token signature verifies with the configured API key secret under HS256")
def _(world: World, issued: IssuedToken) -> None:
    alg = issued.decoded.header.get("alg")
    # Decided outside the assertion, so that no report can ever show the secret it was checked with.
    verifies = tokens.signature_verifies(issued.decoded.raw, world.credentials.api_key_secret.reveal())
    assert verifies, (
        f"the signature does not verify as HS256 with the secret of API key {world.credentials.api_key_sid} "
        f"(header alg is {alg!r})" + _credentials_hint("VPC_API_KEY_SID", "VPC_API_KEY_SECRET")
    )


@dataclass(frozen=True)
class Configured:
    """A value of the suite's credentials a claim must carry, and the variables that set it."""

    name: str
    value: Callable[[World], str]
    variables: tuple[str, ...]


CONFIGURED = one_of(
    {
        "API key SID": Configured(
            "the API key SID", lambda w: w.credentials.api_key_sid, ("VPC_API_KEY_SID", "VPC_API_KEY_SECRET")
        ),
        "account SID": Configured("the account SID", lambda w: w.credentials.account_sid, ("VPC_ACCOUNT_SID",)),
    }
)


@then(phrase('the token claim "{claim}" is the configured {expected:Configured}', Configured=CONFIGURED))
def _(world: World, issued: IssuedToken, claim: str, expected: Configured) -> None:
    """A claim equals one of the suite's credentials (iss the API key SID, sub the account SID)."""
    value = issued.claim(claim)
    wanted = expected.value(world)
    assert value == wanted, f"{claim} is {value!r}; expected {expected.name} {wanted}" + _credentials_hint(
        *expected.variables
    )


def _int_claim(issued: IssuedToken, name: str) -> int:
    value = issued.claim(name)
    assert isinstance(value, int) and not isinstance(value, bool), f"{name} is {value!r}, not whole seconds"
    return value


@then("the token is valid at the moment it was issued")
def _(world: World, issued: IssuedToken) -> None:
    now_s = issued.issued_at_ms // 1_000
    slack = _tolerance_s(world)
    exp = _int_claim(issued, "exp")
    assert exp > now_s, f"exp {exp} is not after the issue time {now_s}: the token is born expired"
    for name in ("nbf", "iat"):
        if name in issued.payload:
            value = _int_claim(issued, name)
            assert value <= now_s + slack, (
                f"{name} {value} is after the issue time {now_s} (epoch seconds): the token is not valid yet"
                + (" — it looks like milliseconds" if value > 10**11 else "")
            )


@then(phrase("the token expires at most {limit:d} seconds after it was issued"))
def _(world: World, issued: IssuedToken, limit: int) -> None:
    exp = _int_claim(issued, "exp")
    start = issued.payload.get("iat", issued.payload.get("nbf", issued.issued_at_ms // 1_000))
    lifetime = exp - int(start)
    assert lifetime <= limit, (
        f"the token lives {lifetime} s (exp {exp} - start {start}); the documented maximum is {limit} s"
    )


@then(phrase('the token claim "{claim}" is the API key SID, a dash and the issue time in seconds'))
def _(world: World, issued: IssuedToken, claim: str) -> None:
    jti = issued.claim(claim)
    key = world.credentials.api_key_sid
    match = re.fullmatch(re.escape(key) + r"-(\d+)", str(jti))
    assert match is not None, f"{claim} is {jti!r}; expected {key}-<issue time in seconds>" + _credentials_hint(
        "VPC_API_KEY_SID"
    )
    stamp = int(match.group(1))
    now_s = issued.issued_at_ms // 1_000
    assert abs(stamp - now_s) <= _tolerance_s(world), f"{claim} names second {stamp}; the token was issued at {now_s}"


@then(phrase('the token grants carry the identity of "{alias}"'))
def _(world: World, issued: IssuedToken, alias: str) -> None:
    grants = issued.claim("grants")
    assert isinstance(grants, dict), f"grants is {grants!r}, not an object"
    expected = world.identity(alias)
    assert grants.get("identity") == expected, f"grants.identity is {grants.get('identity')!r}; expected {expected!r}"


def _voice_grant(issued: IssuedToken) -> dict[str, Any]:
    grants = issued.claim("grants")
    voice = grants.get("voice") if isinstance(grants, dict) else None
    assert isinstance(voice, dict), (
        f"the grants hold no VoiceGrant ('voice' object); grants: {grants!r}" + _capability_token_hint(issued.decoded)
    )
    return voice


@then("the token grants carry a VoiceGrant")
def _(issued: IssuedToken) -> None:
    voice = _voice_grant(issued)
    incoming = voice.get("incoming")
    if incoming is not None:
        assert isinstance(incoming, dict) and isinstance(incoming.get("allow"), bool), (
            f"voice.incoming is {incoming!r}; expected an object with a boolean 'allow'"
        )
    outgoing = voice.get("outgoing")
    if outgoing is not None:
        assert isinstance(outgoing, dict) and re.fullmatch(
            r"AP[0-9a-fA-F]{32}", str(outgoing.get("application_sid"))
        ), f"voice.outgoing is {outgoing!r}; expected an object with an AP… application_sid"


@then("the VoiceGrant names the configured push credential")
def _(world: World, issued: IssuedToken) -> None:
    voice = _voice_grant(issued)
    expected = world.credentials.push_credential_sid
    assert voice.get("push_credential_sid") == expected, (
        f"voice.push_credential_sid is {voice.get('push_credential_sid')!r}; expected {expected}: "
        "without it the device cannot register for incoming calls" + _credentials_hint("VPC_PUSH_CREDENTIAL_SID")
    )
