"""Step vocabulary shared by several features: registrations, calls, time, devices and pushes.

Loaded for every feature through ``pytest_plugins`` in the root conftest. Area-specific
steps live in the steps module named after their feature. Before writing a new step,
look here for a family that already says it: each definition's docstring says what it
does or checks and when to reuse it.

PYTEST_DONT_REWRITE: each assertion message here is the whole verdict text; pytest's
introspection would add the values of sub-expressions, such as tokens, to reports.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pytest_bdd import given, then, when

from voice_push_conformance import vectors
from voice_push_conformance.codecs import twi_params
from voice_push_conformance.stepkit import Converter, phrase
from voice_push_conformance.target import CallResult
from voice_push_conformance.world import World, call_candidate, call_push_data

# --- Typed fields ---


# The twi_params of a call push the suite builds, from the suite's clock now (None: the push carries none).
PushParameters = Callable[[int], str | None]


def _stamped(value: Callable[[int], str]) -> PushParameters:
    return lambda now_ms: twi_params.encode([("timestamp", value(now_ms))])


def _push_parameters(text: str) -> PushParameters:
    """A timestamp in one of its forms, no timestamp at all, or a twi_params vector's string."""
    if text == "stamped with the current time":
        return _stamped(str)
    if text == "stamped with the current time in seconds":
        return _stamped(lambda now_ms: str(now_ms // 1_000))
    if text == "without a timestamp":
        return lambda _now_ms: twi_params.encode([("caller_name", "Alice")])
    quoted = re.search(r'"([^"]*)"', text)
    if text.startswith("carrying") and quoted:
        encoded = vectors.twi_params_vector(quoted.group(1)).encoded
        return lambda _now_ms: encoded
    if quoted:
        stamp = quoted.group(1)
        return _stamped(lambda _now_ms: stamp)
    ahead_ms = int(text.split()[1])
    return _stamped(lambda now_ms: str(now_ms + ahead_ms))


PUSH_PARAMETERS = Converter(
    r"stamped with the current time(?: in seconds)?|stamped \d+ ms after the current time|without a timestamp"
    r'|with timestamp "[^"]*"|carrying the twi_params of vector "[^"]*"',
    _push_parameters,
)


def _call_parameters(text: str) -> list[tuple[str, str]]:
    quoted = re.search(r'"([^"]*)"', text)
    if quoted:
        return vectors.twi_params_vector(quoted.group(1)).pairs
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    if text.startswith("a parameter named"):
        return [("n" * numbers[0], "value")]
    if text.startswith("a parameter whose value"):
        return [("note", "v" * numbers[0])]
    count, size = numbers
    return [(f"p{n:02d}", "x" * size) for n in range(count)]


CALL_PARAMETERS = Converter(
    r"\d+ parameters of \d+ characters each|a parameter named with \d+ characters"
    r'|a parameter whose value has \d+ characters|the parameters of vector "[^"]*"',
    _call_parameters,
)


def last_call(world: World) -> CallResult:
    """The voice service's answer to the scenario's latest call, checked to be a CallResult."""
    call: object = world.outcomes.last_call()
    assert isinstance(call, CallResult), f"the voice service answered {call!r}"
    return call


# --- Given ---


@given(phrase('device "{device}" of "{alias}" is registered'))
def _(world: World, device: str, alias: str) -> None:
    """Setting up: register through the service with a suite-minted token (reuse for any registered device)."""
    result = world.register(alias, device)
    assert result.ok, (
        f"setting up: registering {device} for {alias} was refused "
        f"(status {result.status}, code {result.code}: {result.message})"
    )


@given(phrase('a call push for "{alias}" {parameters:PushParameters}', PushParameters=PUSH_PARAMETERS))
def _(world: World, alias: str, parameters: PushParameters) -> None:
    """Build the call push a conforming service would send, for client scenarios (stamps or a twi_params vector)."""
    world.outcomes.push = call_push_data(world, alias, parameters(world.clock.now_ms()))
    world.outcomes.push_for = alias


@given(phrase('the app on "{device}" has been uninstalled'))
def _(world: World, device: str) -> None:
    """FCM answers UNREGISTERED for the device from now on (reuse for dropped-registration scenarios)."""
    world.fcm.uninstall(world.device(device))


@given(phrase('device "{device}" is offline'))
def _(world: World, device: str) -> None:
    """FCM holds pushes to the device until it comes back online (reuse for late or lost deliveries)."""
    world.fcm.set_reachable(world.device(device), False)


# --- When ---


@when(phrase("{duration:Duration} pass"))
def _(world: World, duration: int) -> None:
    """Move the suite's clock by milliseconds or days (needs the clock capability)."""
    world.manual_clock.advance(duration)


@when(phrase('device "{device}" comes back online'))
def _(world: World, device: str) -> None:
    """FCM delivers what it held for the device, as far as each push's TTL allows."""
    world.fcm.set_reachable(world.device(device), True)


@when(phrase('"{caller}" calls "{callee}"'))
def _(world: World, caller: str, callee: str) -> None:
    """Hand the voice service a plain <Dial> to the callee's client; the answer is the scenario's latest call."""
    world.place_call(world.dial(caller, callee))


@when(phrase('"{caller}" calls "{callee}" with {parameters:CallParameters}', CallParameters=CALL_PARAMETERS))
def _(world: World, caller: str, callee: str, parameters: list[tuple[str, str]]) -> None:
    """A <Dial> whose <Client> carries <Parameter>s: sized ones, or a twi_params vector's in order."""
    world.place_call(world.dial(caller, callee, parameters), dict(parameters))


@when(phrase('"{alias}" unregisters device "{device}"'))
def _(world: World, alias: str, device: str) -> None:
    """Unregister with a token of ``alias`` for a Then to judge; a sequence-registered device must be let go."""
    token = world.device(device)
    access = world.access_token(alias)
    result = call_candidate(f"unregistering {device}", lambda: world.service.unregister(access, "fcm", token))
    world.outcomes.unregistration = result
    order = world.outcomes.devices_in_order(alias)
    if device in order:
        assert result.ok, f"unregistering {device} was refused (status {result.status}, code {result.code})"
        order.remove(device)


# --- Then ---


@then("the voice service accepts the call")
def _(world: World) -> None:
    """The latest call was accepted (check it before judging its pushes)."""
    call = last_call(world)
    assert call.accepted, f"the call was refused: code {call.code}: {call.message}"


@then("the voice service refuses the call with an error")
def _(world: World) -> None:
    """The latest call was refused with a code or message (for TwiML or parameters the service cannot act on)."""
    call = last_call(world)
    why = (
        "its push data cannot fit FCM's 4096 bytes, so the parameters have to be refused"
        if world.outcomes.call_parameters
        else "the TwiML is one it cannot act on"
    )
    assert not call.accepted, (
        f"the voice service accepted the call (call {call.call_sid}, {len(call.deliveries)} deliveries); {why}"
    )
    assert call.code is not None or call.message, "the refusal names no error code or message"


@then(phrase('"{device}" receives {count:CallPushes}'))
def _(world: World, device: str, count: int) -> None:
    """Counts the call pushes FCM accepted for one device over the whole scenario (0 for "never rang")."""
    pushes = world.accepted_pushes(device)
    assert len(pushes) == count, f"expected {count} call push(es) to {device}, FCM accepted {len(pushes)}"


@then(phrase('FCM delivered {count:Pushes} to "{device}"'))
def _(world: World, count: int, device: str) -> None:
    """Counts what reached the device's inbox, delivered at once or after it came back online."""
    inbox = world.fcm.devices[world.device(device)].inbox
    assert len(inbox) == count, (
        f"by {world.clock.now_ms()} ms on the suite's clock, FCM had delivered {len(inbox)} push(es) to {device}; "
        f"expected {count}"
        + (
            f". A push reached a device that was unreachable during the call (ttl {inbox[0].android.get('ttl')!r})"
            if count == 0 and inbox
            else ""
        )
    )


@then(phrase('FCM received {count:Requests} for "{device}"'))
def _(world: World, count: int, device: str) -> None:
    """Counts every send request for the device, refused ones included (for registrations that should be dropped)."""
    requests = world.pushes_to(device)
    assert len(requests) == count, (
        f"FCM received {len(requests)} requests for {device}; after FCM answered UNREGISTERED the registration "
        f"should be dropped, so expected {count} (answers: {[p.status for p in requests]})"
    )


@then("no push is sent for the call")
def _(world: World) -> None:
    """No send request at all since the scenario began (for calls that must be refused whole)."""
    pushes = world.call_pushes()
    assert not pushes, (
        f"{len(pushes)} push(es) were sent for a call that must not be pushed "
        f"(FCM answered {[p.status for p in pushes]})"
    )


@then(phrase('no push reaches "{alias}"'))
def _(world: World, alias: str) -> None:
    """No push addressed to the identity, and none accepted for a device it registered in sequence."""
    to = f"client:{world.identity(alias)}"
    addressed = [p for p in world.call_pushes() if p.data.get("twi_to") == to]
    assert not addressed, (
        f"{len(addressed)} push(es) addressed to {alias} were sent "
        f"(to {sorted({world.device_alias(p.token) for p in addressed})}); the refused registration must not be pushed"
    )
    reached = sorted(d for d in world.outcomes.devices_in_order(alias) if world.accepted_pushes(d))
    assert not reached, f"a call to another identity pushed to {alias}'s devices: {reached}"
