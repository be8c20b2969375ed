"""Steps for features/device_limit.feature: which of an identity's devices are notified.

PYTEST_DONT_REWRITE: each assertion message here is the whole verdict text; pytest's
introspection would add the values of sub-expressions, such as tokens, to reports.
"""

from __future__ import annotations

import contextvars
from concurrent.futures import ThreadPoolExecutor

from pytest_bdd import given, scenarios, then, when

from voice_push_conformance.clock import ManualClock
from voice_push_conformance.stepkit import one_of, phrase
from voice_push_conformance.world import World, call_candidate

scenarios("device_limit.feature")


def _order(world: World, alias: str) -> list[str]:
    """Device aliases of ``alias`` from least to most recently registered."""
    return world.outcomes.devices_in_order(alias)


SUCCESSIVE_GAP_MS = 1_000


def _tick(world: World) -> None:
    """Registrations a scenario calls successive happen at successive instants of the suite's clock.

    A service may order an identity's devices by registration time rather than by arrival; at
    one frozen instant it could not tell them apart. Moving the suite's own clock is harmless
    for candidates that ignore it, so this needs no clock capability.
    """
    if isinstance(world.clock, ManualClock):
        world.clock.advance(SUCCESSIVE_GAP_MS)


def _register(world: World, alias: str, device: str) -> None:
    _tick(world)
    result = world.register(alias, device)
    assert result.ok, f"setting up: registering {device} was refused (status {result.status}, code {result.code})"
    order = _order(world, alias)
    if device in order:
        order.remove(device)
    order.append(device)


def _pushed(world: World, alias: str) -> dict[str, int]:
    """How many accepted call pushes each device of ``alias`` received."""
    return {device: len(world.accepted_pushes(device)) for device in _order(world, alias)}


TOGETHER = one_of({"are registered one after another": False, "register at the same time": True})


@given(phrase('{count:d} devices of "{alias}" {together:Together}', Together=TOGETHER))
def _(world: World, count: int, alias: str, together: bool) -> None:
    """Devices <alias>-device-1 to -<count>, registered in sequence (oldest first) or all at once."""
    if together:
        _register_concurrently(world, count, alias)
    else:
        for n in range(1, count + 1):
            _register(world, alias, f"{alias}-device-{n}")


def _register_concurrently(world: World, count: int, alias: str) -> None:
    devices = [f"{alias}-device-{n}" for n in range(1, count + 1)]
    tokens = {device: world.device(device) for device in devices}  # created up front, not in threads
    access = world.access_token(alias)
    service = world.service

    def register(device: str) -> tuple[str, bool]:
        # Through call_candidate like every other call: a crash names the step, a warning is a note.
        result = call_candidate(f"registering {device}", lambda: service.register(access, "fcm", tokens[device]))
        return device, result.ok

    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(lambda d: contextvars.copy_context().run(register, d), devices))
    refused = [device for device, ok in outcomes if not ok]
    assert not refused, f"setting up: {len(refused)} of {count} concurrent registrations were refused: {refused[:5]}"
    _order(world, alias).extend(devices)  # the order among concurrent requests is the service's to decide


@when(phrase('device "{device}" of "{alias}" registers again'))
def _(world: World, device: str, alias: str) -> None:
    _register(world, alias, device)


@then(phrase('exactly the {count:d} most recently registered devices of "{alias}" receive a call push'))
def _(world: World, count: int, alias: str) -> None:
    order = _order(world, alias)
    expected = set(order[-count:])
    pushed = _pushed(world, alias)
    got = {device for device, n in pushed.items() if n > 0}
    twice = sorted(device for device, n in pushed.items() if n > 1)
    assert not twice, f"devices pushed more than once for one call: {twice}"
    assert got == expected, (
        f"{len(got)} of {len(order)} devices were notified; expected the {count} most recent. "
        f"Notified but too old: {sorted(got - expected, key=order.index)}; "
        f"recent but not notified: {sorted(expected - got, key=order.index)}"
    )


@then(phrase('exactly {count:d} devices of "{alias}" receive a call push, once each'))
def _(world: World, count: int, alias: str) -> None:
    pushed = _pushed(world, alias)
    got = {device: n for device, n in pushed.items() if n > 0}
    assert all(n == 1 for n in got.values()), f"devices pushed more than once: {[d for d, n in got.items() if n > 1]}"
    assert len(got) == count, f"{len(got)} devices were notified; expected exactly {count}"


def _unregister(world: World, alias: str, device: str) -> None:
    token = world.device(device)
    access = world.access_token(alias)
    result = call_candidate(f"unregistering {device}", lambda: world.service.unregister(access, "fcm", token))
    assert result.ok, f"unregistering {device} was refused (status {result.status}, code {result.code})"
    order = _order(world, alias)
    if device in order:
        order.remove(device)


def _reached_since(world: World, start: int) -> list[str]:
    """Device aliases FCM accepted a push for since push number ``start`` (one entry per push)."""
    return [world.device_alias(p.token) for p in world.fcm.pushes[start:] if p.status == 200]


@then(
    phrase(
        'the last call reached exactly the {count:d} most recently registered devices of "{alias}" except "{device}"'
    )
)
def _(world: World, count: int, alias: str, device: str) -> None:
    order = [d for d in _order(world, alias) if d != device]
    expected = set(order[-count:])
    reached = _reached_since(world, world.outcomes.pushes_since_last_call())
    twice = sorted({d for d in reached if reached.count(d) > 1})
    assert not twice, f"devices pushed more than once for one call: {twice}"
    got = set(reached)
    assert got == expected, (
        f"the last call reached {len(got)} devices; expected the {count} most recent besides {device}, which FCM "
        f"reported as uninstalled. Missing: {sorted(expected - got, key=order.index)}; "
        f"unexpected: {sorted(got - expected)}"
    )


@then(
    phrase('every device of "{alias}" is reached once when each call\'s devices are unregistered before the next call')
)
def _(world: World, alias: str) -> None:
    """Drain the registrations ten at a time: a service that lost some never reaches them."""
    devices = list(_order(world, alias))
    reached: list[str] = _reached_since(world, 0)
    newly = list(reached)
    for _round in range(len(devices) // 10 + 2):
        for device in sorted(set(newly)):
            _unregister(world, alias, device)
        start = len(world.fcm.pushes)
        world.place_call(world.dial("alice", alias))
        newly = _reached_since(world, start)
        if not newly:
            break
        reached.extend(newly)
    twice = sorted({d for d in reached if reached.count(d) > 1})
    never = sorted(set(devices) - set(reached), key=devices.index)
    assert not twice, f"devices reached again after they were unregistered: {twice}"
    assert not never, (
        f"{len(never)} of {len(devices)} registered devices were never reached, though every device called "
        f"before them was unregistered: the service lost them ({never[:5]}...)"
    )
