"""Step vocabulary shared by several features: registrations, calls, time and pushes.

Loaded for every feature through ``pytest_plugins`` in the root conftest. Area-specific
steps live in the steps module named after their feature.

PYTEST_DONT_REWRITE: each assertion message here is the whole verdict text; pytest's
introspection would add the values of sub-expressions, such as tokens, to reports.
"""

from __future__ import annotations

from pytest_bdd import given, then, when

from voice_push_conformance.clock import MS_PER_DAY
from voice_push_conformance.stepkit import phrase
from voice_push_conformance.world import World

# --- Given ---------------------------------------------------------------------------------


@given(phrase('device "{device}" of "{alias}" is registered'))
def _(world: World, device: str, alias: str) -> None:
    """Register through the candidate's voice service with a suite-minted token."""
    result = world.register(alias, device)
    assert result.ok, (
        f"setting up: registering {device} for {alias} was refused "
        f"(status {result.status}, code {result.code}: {result.message})"
    )


# --- When ----------------------------------------------------------------------------------


@when(phrase("{ms:d} ms pass"))
def _(world: World, ms: int) -> None:
    world.manual_clock.advance(ms)


@when(phrase("{days:d} days pass"))
def _(world: World, days: int) -> None:
    world.manual_clock.advance(days * MS_PER_DAY)


@when(phrase('"{caller}" calls "{callee}"'))
def _(world: World, caller: str, callee: str) -> None:
    document = world.dial(caller, callee)
    world.place_call(document)


# --- Then ----------------------------------------------------------------------------------


@then("the voice service accepts the call")
def _(world: World) -> None:
    call = world.outcomes.last_call()
    assert call.accepted, f"the call was refused: code {call.code}: {call.message}"


@then(phrase('"{device}" receives {count:d} call push'))
@then(phrase('"{device}" receives {count:d} call pushes'))
def _(world: World, device: str, count: int) -> None:
    pushes = [p for p in world.pushes_to(device) if p.status == 200]
    assert len(pushes) == count, f"expected {count} call push(es) to {device}, FCM accepted {len(pushes)}"
