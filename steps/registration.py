"""Steps for features/registration.feature: registering, unregistering, refusals.

PYTEST_DONT_REWRITE: each assertion message here is the whole verdict text; pytest's
introspection would add the values of sub-expressions, such as tokens, to reports.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pytest_bdd import scenarios, then, when

from voice_push_conformance import token_vectors
from voice_push_conformance.codecs import tokens
from voice_push_conformance.stepkit import Converter, one_of, phrase
from voice_push_conformance.target import RegistrationResult
from voice_push_conformance.world import World, call_candidate

scenarios("registration.feature")

TOKEN_ERRORS = {20101, 20102, 20103, 20104, 20105, 20106, 20107, 20157}


def token_from_vector(world: World, alias: str, vector_id: str) -> str:
    """The access token of a vector in fixtures/registration/vectors.json, for ``alias``."""
    return token_vectors.build(
        token_vectors.get(vector_id),
        credentials=world.credentials,
        identity=world.identity(alias),
        now_s=world.clock.now_ms() // 1_000,
        fresh_sid=world.data.sid,
        other_secret=world.data.secret(),
    )


def _register(world: World, alias: str, device: str, token: str | None = None, channel: str = "fcm") -> None:
    world.outcomes.registration = world.register(alias, device, token=token, channel=channel)


def _register_raw(world: World, alias: str, device: str, device_token: str) -> None:
    """Register a device token the FCM model does not know, so no push to it can succeed."""
    world.device(device)  # the alias exists, with its own (never registered) token
    access = world.access_token(alias)
    world.outcomes.registration = call_candidate(
        "registering a malformed device token", lambda: world.service.register(access, "fcm", device_token)
    )


def _with_vector(world: World, alias: str, device: str, vector_id: str) -> None:
    world.outcomes.token_vector = vector_id
    _register(world, alias, device, token=token_from_vector(world, alias, vector_id))


def _with_issued_token(world: World, alias: str, device: str) -> None:
    """The two halves together: the service must accept what the issuer vends, used at once."""
    identity = world.identity(alias)
    token = call_candidate("issuing an access token", lambda: world.issuer.issue_token(identity))
    assert isinstance(token, str), f"the issuer returned {type(token).__name__}, not the token text"
    _register(world, alias, device, token=token)


def _without_push_credential(world: World, alias: str, device: str) -> None:
    grants = {"voice": tokens.voice_grant(incoming_allow=True)}
    _register(world, alias, device, token=world.access_token(alias, grants=grants))


Registering = Callable[[World, str, str], None]
Check = Callable[[World, RegistrationResult, str], None]  # the result, and which request it answered


def _registering(text: str) -> Registering:
    quoted = re.search(r'"([^"]*)"', text)
    if text.startswith("token vector") and quoted:
        vector_id = quoted.group(1)
        return lambda world, alias, device: _with_vector(world, alias, device, vector_id)
    if text.startswith("the channel") and quoted:
        channel = quoted.group(1)
        return lambda world, alias, device: _register(world, alias, device, channel=channel)
    if text == "a token the candidate's issuer vended":
        return _with_issued_token
    if text == "a token that has no push credential":
        return _without_push_credential
    if text == "an empty device token":
        return lambda world, alias, device: _register_raw(world, alias, device, "")
    length = int(text.split()[4])
    return lambda world, alias, device: _register_raw(
        world, alias, device, (world.device(device) * (length // 100 + 1))[:length]
    )


REGISTERING = Converter(
    r'token vector "[^"]*"|the channel "[^"]*"|a token the candidate\'s issuer vended'
    r"|a token that has no push credential|an empty device token|a device token of \d+ characters",
    _registering,
)


@when(phrase('"{alias}" registers device "{device}"'))
def _(world: World, alias: str, device: str) -> None:
    _register(world, alias, device)


@when(phrase('"{alias}" registers device "{device}" with {registering:Registering}', Registering=REGISTERING))
def _(world: World, alias: str, device: str, registering: Registering) -> None:
    """A registration that differs from a valid one in its access token, channel or device token."""
    registering(world, alias, device)


def _describe(result: RegistrationResult) -> str:
    return f"status {result.status}, code {result.code}, message {result.message!r}"


def _token_error(world: World, result: RegistrationResult, request: str) -> None:
    vector = token_vectors.by_id().get(world.outcomes.token_vector or "")
    if vector is not None and result.status in vector.size_refusal_statuses:
        return  # refused for its size before any token check (a 413/431 from the web server): what the MUST asks
    assert 400 <= result.status < 500, f"an invalid token was not refused with a 4xx status: {_describe(result)}"
    assert result.code in TOKEN_ERRORS, (
        f"the refusal's code {result.code} is not an access-token error ({sorted(TOKEN_ERRORS)}): {_describe(result)}"
    )


def _accepted(world: World, result: RegistrationResult, request: str) -> None:
    assert result.ok, f"the {request} was refused ({_describe(result)}); expected it to succeed"


def _refused_4xx(world: World, result: RegistrationResult, request: str) -> None:
    assert 400 <= result.status < 500, f"expected a 4xx refusal; got {_describe(result)}"
    assert result.code is not None, f"the refusal carries no error code ({_describe(result)})"


def _accepted_or_token_error(world: World, result: RegistrationResult, request: str) -> None:
    if not result.ok:
        assert 400 <= result.status < 500 and result.code in TOKEN_ERRORS, (
            f"a boundary token may be accepted or refused with an access-token error; got {_describe(result)}"
        )


def _code_of_vector(vector_id: str) -> Check:
    def check(world: World, result: RegistrationResult, request: str) -> None:
        vector = token_vectors.get(vector_id)
        code = vector.expected_code
        assert not result.ok, f"the registration was accepted; expected error {code}"
        assert result.code == code, (
            f"expected error code {code} for a token with {', '.join(vector.flags)} ({vector.description}); "
            f"got {_describe(result)}"
        )

    return check


def _one_of_codes(allowed: frozenset[int]) -> Check:
    def check(world: World, result: RegistrationResult, request: str) -> None:
        assert not result.ok, f"the registration was accepted; expected one of {sorted(allowed)}"
        assert result.code in allowed, f"expected one of {sorted(allowed)}; got {_describe(result)}"

    return check


def _expected(outcome: str) -> Check:
    if outcome == "accepted":
        return _accepted
    if outcome == "refused with a 4xx status and an error code":
        return _refused_4xx
    if outcome == "refused with an access-token error":
        return _token_error
    if outcome == "accepted or refused with an access-token error":
        return _accepted_or_token_error
    quoted = re.search(r'"([^"]*)"', outcome)
    if quoted:
        return _code_of_vector(quoted.group(1))
    return _one_of_codes(frozenset(int(code) for code in re.findall(r"\d{5}", outcome)))


EXPECTED = Converter(
    r"accepted|accepted or refused with an access-token error|refused with a 4xx status and an error code"
    r'|refused with an access-token error|refused with the code of token vector "[^"]*"'
    r"|refused with one of the error codes \d{5}(?:, \d{5})*",
    _expected,
)
REQUEST = one_of({"registration": "registration", "unregistration": "unregistration"})


@then(phrase("the {request:Request} is {check:Expected}", Request=REQUEST, Expected=EXPECTED))
def _(world: World, request: str, check: Check) -> None:
    """The latest registration's or unregistration's answer: accepted, or refused with a named set of codes."""
    outcomes = world.outcomes
    result = outcomes.last_unregistration() if request == "unregistration" else outcomes.last_registration()
    assert isinstance(result, RegistrationResult), f"the voice service answered {result!r}"
    check(world, result, request)


@then("the refusal message names FCM")
def _(world: World) -> None:
    result = world.outcomes.last_registration()
    assert isinstance(result, RegistrationResult), f"the voice service answered {result!r}"
    assert not result.ok, f"the GCM registration was accepted ({_describe(result)})"
    assert "fcm" in result.message.lower() or "firebase" in result.message.lower(), (
        f"the refusal message {result.message!r} does not name FCM as GCM's replacement"
    )
