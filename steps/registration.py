"""Steps for features/registration.feature: registering, unregistering, refusals.

PYTEST_DONT_REWRITE: each assertion message here is the whole verdict text; pytest's
introspection would add the values of sub-expressions, such as tokens, to reports.
"""

from __future__ import annotations

from pytest_bdd import scenarios, then, when

from voice_push_conformance import token_vectors
from voice_push_conformance.codecs import tokens
from voice_push_conformance.stepkit import phrase
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


@when(phrase('"{alias}" registers device "{device}"'))
def _(world: World, alias: str, device: str) -> None:
    _register(world, alias, device)


@when(phrase('"{alias}" registers device "{device}" over the "{channel}" channel'))
def _(world: World, alias: str, device: str, channel: str) -> None:
    _register(world, alias, device, channel=channel)


@when(phrase('"{alias}" registers device "{device}" with token vector "{vector_id}"'))
def _(world: World, alias: str, device: str, vector_id: str) -> None:
    world.outcomes.token_vector = vector_id
    _register(world, alias, device, token=token_from_vector(world, alias, vector_id))


@when(phrase('"{alias}" registers device "{device}" with a token the candidate\'s issuer vended'))
def _(world: World, alias: str, device: str) -> None:
    """The two halves together: the service must accept what the issuer vends, used at once."""
    identity = world.identity(alias)
    token = call_candidate("issuing an access token", lambda: world.issuer.issue_token(identity))
    assert isinstance(token, str), f"the issuer returned {type(token).__name__}, not the token text"
    _register(world, alias, device, token=token)


@when(phrase('"{alias}" registers device "{device}" with a token that has no push credential'))
def _(world: World, alias: str, device: str) -> None:
    grants = {"voice": tokens.voice_grant(incoming_allow=True)}
    _register(world, alias, device, token=world.access_token(alias, grants=grants))


@when(phrase('"{alias}" registers device "{device}" with the channel "{channel}"'))
def _(world: World, alias: str, device: str, channel: str) -> None:
    _register(world, alias, device, channel=channel)


@when(phrase('"{alias}" registers device "{device}" with an empty device token'))
def _(world: World, alias: str, device: str) -> None:
    _register_raw(world, alias, device, "")


@when(phrase('"{alias}" registers device "{device}" with a device token of {length:d} characters'))
def _(world: World, alias: str, device: str, length: int) -> None:
    _register_raw(world, alias, device, (world.device(device) * (length // 100 + 1))[:length])


def _register_raw(world: World, alias: str, device: str, device_token: str) -> None:
    """Register a device token the FCM model does not know, so no push to it can succeed."""
    world.device(device)  # the alias exists, with its own (never registered) token
    access = world.access_token(alias)
    world.outcomes.registration = call_candidate(
        "registering a malformed device token", lambda: world.service.register(access, "fcm", device_token)
    )


@then(phrase('no push is sent to "{alias}"'))
def _(world: World, alias: str) -> None:
    to = f"client:{world.identity(alias)}"
    pushes = [p for p in world.call_pushes() if p.data.get("twi_to") == to]
    assert not pushes, f"the refused registration still received {len(pushes)} push(es)"


@when(phrase('"{alias}" unregisters device "{device}"'))
def _(world: World, alias: str, device: str) -> None:
    token = world.device(device)
    access = world.access_token(alias)
    world.outcomes.unregistration = call_candidate(
        f"unregistering {device}", lambda: world.service.unregister(access, "fcm", token)
    )


def _result(world: World, *, unregistration: bool = False) -> RegistrationResult:
    result = world.outcomes.last_unregistration() if unregistration else world.outcomes.last_registration()
    assert isinstance(result, RegistrationResult), f"the voice service answered {result!r}"
    return result


def _describe(result: RegistrationResult) -> str:
    return f"status {result.status}, code {result.code}, message {result.message!r}"


@then("the registration is accepted")
def _(world: World) -> None:
    result = _result(world)
    assert result.ok, f"the registration was refused ({_describe(result)}); expected it to succeed"


@then("the unregistration is accepted")
def _(world: World) -> None:
    result = _result(world, unregistration=True)
    assert result.ok, f"the unregistration was refused ({_describe(result)}); expected it to succeed"


@then("the registration is refused with a 4xx status and an error code")
def _(world: World) -> None:
    result = _result(world)
    assert 400 <= result.status < 500, f"expected a 4xx refusal; got {_describe(result)}"
    assert result.code is not None, f"the refusal carries no error code ({_describe(result)})"


@then("the registration is refused with an access-token error")
def _(world: World) -> None:
    result = _result(world)
    vector = token_vectors.by_id().get(world.outcomes.token_vector or "")
    if vector is not None and result.status in vector.size_refusal_statuses:
        return  # refused for its size before any token check (a 413/431 from the web server): what the MUST asks
    assert 400 <= result.status < 500, f"an invalid token was not refused with a 4xx status: {_describe(result)}"
    assert result.code in TOKEN_ERRORS, (
        f"the refusal's code {result.code} is not an access-token error ({sorted(TOKEN_ERRORS)}): {_describe(result)}"
    )


@then(phrase('the registration is refused with the code of token vector "{vector_id}"'))
def _(world: World, vector_id: str) -> None:
    vector = token_vectors.get(vector_id)
    code = vector.expected_code
    result = _result(world)
    assert not result.ok, f"the registration was accepted; expected error {code}"
    assert result.code == code, (
        f"expected error code {code} for a token with {', '.join(vector.flags)} ({vector.description}); "
        f"got {_describe(result)}"
    )


@then("the registration is accepted or refused with an access-token error")
def _(world: World) -> None:
    result = _result(world)
    if not result.ok:
        assert 400 <= result.status < 500 and result.code in TOKEN_ERRORS, (
            f"a boundary token may be accepted or refused with an access-token error; got {_describe(result)}"
        )


@then(phrase("the registration is refused with one of the error codes {codes}"))
def _(world: World, codes: str) -> None:
    allowed = {int(c) for c in codes.split(",")}
    result = _result(world)
    assert not result.ok, f"the registration was accepted; expected one of {sorted(allowed)}"
    assert result.code in allowed, f"expected one of {sorted(allowed)}; got {_describe(result)}"


@then("the refusal message names FCM")
def _(world: World) -> None:
    result = _result(world)
    assert not result.ok, f"the GCM registration was accepted ({_describe(result)})"
    assert "fcm" in result.message.lower() or "firebase" in result.message.lower(), (
        f"the refusal message {result.message!r} does not name FCM as GCM's replacement"
    )
