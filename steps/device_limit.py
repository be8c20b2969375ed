"""Steps for features/device_limit.feature: which of an identity's devices are notified.

PYTEST_DONT_REWRITE: each assertion message here is the whole verdict text; pytest's
introspection would add the values of sub-expressions, such as tokens, to reports.
"""

from __future__ import annotations

import contextvars
from concurrent.futures import ThreadPoolExecutor

from pytest_bdd import given, scenarios, then, when

from voice_push_conformance.stepkit import phrase
from voice_push_conformance.world import World, call_candidate

scenarios("device_limit.feature")


def _order(world: World, alias: str) -> list[str]:
    """Device aliases of ``alias`` from least to most recently registered."""
    orders: dict[str, list[str]] = world.results.setdefault("registration_order", {})
    return orders.setdefault(alias, [])


def _register(world: World, alias: str, device: str) -> None:
    result = world.register(alias, device)
    assert result.ok, f"setting up: registering {device} was refused (status {result.status}, code {result.code})"
    order = _order(world, alias)
    if device in order:
        order.remove(device)
    order.append(device)


def _pushed(world: World, alias: str) -> dict[str, int]:
    """How many accepted call pushes each device of ``alias`` received."""
    return {device: sum(1 for p in world.pushes_to(device) if p.status == 200) for device in _order(world, alias)}


@given(phrase('{count:d} devices of "{alias}" are registered one after another'))
def _(world: World, count: int, alias: str) -> None:
    for n in range(1, count + 1):
        _register(world, alias, f"{alias}-device-{n}")


@given(phrase('{count:d} devices of "{alias}" register at the same time'))
def _(world: World, count: int, alias: str) -> None:
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


@then(phrase('no device of "{alias}" receives a call push'))
def _(world: World, alias: str) -> None:
    got = sorted(device for device, n in _pushed(world, alias).items() if n > 0)
    assert not got, f"a call to another identity pushed to {alias}'s devices: {got}"
