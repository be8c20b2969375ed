"""Steps for features/twi_params.feature: parameters from TwiML to push to client map.

PYTEST_DONT_REWRITE: each assertion message here is the whole verdict text; pytest's
introspection would add the values of sub-expressions, such as tokens, to reports.
"""

from __future__ import annotations

from pytest_bdd import scenarios, then

from voice_push_conformance import vectors
from voice_push_conformance.codecs import twi_params
from voice_push_conformance.observers.fcm import CapturedPush
from voice_push_conformance.observers.transcript import record as record_exchange
from voice_push_conformance.stepkit import one_of, phrase
from voice_push_conformance.target import NotApplicable, PushHandling
from voice_push_conformance.world import World, call_candidate

scenarios("twi_params.feature")


def _only_push(world: World, device: str) -> CapturedPush:
    accepted = world.accepted_pushes(device)
    assert len(accepted) == 1, f"expected one call push to {device}, FCM accepted {len(accepted)}"
    return accepted[0]


@then(phrase('the push to "{device}" carries twi_params that decode to the parameters of vector "{vector_id}"'))
def _(world: World, device: str, vector_id: str) -> None:
    vector = vectors.twi_params_vector(vector_id)
    raw = _only_push(world, device).data.get("twi_params")
    assert isinstance(raw, str), f"the push carries no twi_params string (got {raw!r})"
    expected = twi_params.expected_map(vector.pairs)
    try:  # the service is judged strictly: the documented 2.x decoder throws on a stray '%'
        decoded = twi_params.decode_strict(raw)
    except twi_params.MalformedTwiParams as exc:
        raise AssertionError(
            f"twi_params {raw!r} is not a valid URL-encoded string ({exc}); the documented 2.x decoder "
            f"(URLDecoder.decode) throws on it. A conforming encoding is {twi_params.encode(vector.pairs)!r}"
        ) from exc
    assert decoded == expected, (
        f"twi_params {raw!r} decodes to {decoded}; the TwiML parameters were {expected} "
        f"(a conforming encoding is {twi_params.encode(vector.pairs)!r})"
    )


@then(phrase('the push to "{device}" carries no parameters'))
def _(world: World, device: str) -> None:
    raw = _only_push(world, device).data.get("twi_params")
    assert raw in (None, ""), f"the TwiML had no <Parameter>, yet the push carries twi_params {raw!r}"


def _handled(world: World, alias: str) -> PushHandling:
    client = world.client(alias)
    data = world.outcomes.call_push()
    handled = call_candidate("handling a call push", lambda: client.handle_push(data))
    assert handled.kind == "call", f"the client did not take the push for a call (kind {handled.kind!r})"
    return handled


@then(phrase('the custom parameters of "{alias}" are those of vector "{vector_id}"'))
def _(world: World, alias: str, vector_id: str) -> None:
    vector = vectors.twi_params_vector(vector_id)
    got = dict(_handled(world, alias).custom_parameters)
    assert got == vector.decoded, (
        f"twi_params {vector.encoded!r} gave custom parameters {got}; expected {vector.decoded} ({vector.description})"
    )


# What the client's 2.x view (the raw twi_params string) is compared with.
RAW_VIEW = one_of({"are the pushed twi_params": "pushed", "decode to its custom parameters": "map"})


@then(phrase('the raw parameters of "{alias}" {against:RawView}', RawView=RAW_VIEW))
def _(world: World, alias: str, against: str) -> None:
    """The 2.x view is the pushed string unchanged, or agrees with the 3.x map once decoded."""
    handled = _handled(world, alias)
    raw = world.raw_params(handled)
    if against == "pushed":
        pushed = world.outcomes.call_push().get("twi_params")
        assert raw == pushed, f"the 2.x view holds {raw!r}; the push carried {pushed!r}"
        return
    decoded = twi_params.decode_pushed(raw) if raw else {}
    assert decoded == dict(handled.custom_parameters), (
        f"the 2.x string {raw!r} decodes to {decoded}, but the 3.x map is {dict(handled.custom_parameters)}"
    )


@then(phrase('the client of "{alias}" loses every parameter of vector "{vector_id}", as the documented decoder does'))
def _(world: World, alias: str, vector_id: str) -> None:
    vector = vectors.twi_params_vector(vector_id)
    try:
        twi_params.decode(vector.encoded or "")
    except twi_params.DocumentedDecoderThrows as exc:
        documented = str(exc)
    else:  # pragma: no cover - the vectors' self-test pins that each of these throws
        raise AssertionError(f"vector {vector_id} does not make the documented decoder throw")
    client = world.client(alias)
    try:
        handled = client.handle_push(world.outcomes.call_push())
    except NotApplicable:
        raise
    except Exception as exc:  # throwing is exactly what the documented decoder does
        record_exchange("candidate", "handling a call push", f"raised {type(exc).__name__}: {exc}", 0)
        return
    record_exchange("candidate", "handling a call push", repr(handled), 0)
    got = dict(handled.custom_parameters)
    assert not got, (
        f"twi_params {vector.encoded!r}: {documented}; the client instead exposed {got} "
        "(the lenient reading, which keeps what it can)"
    )
