"""Steps for features/twiml_dial.feature: TwiML documents handed to the voice service.

PYTEST_DONT_REWRITE: each assertion message here is the whole verdict text; pytest's
introspection would add the values of sub-expressions, such as tokens, to reports.
"""

from __future__ import annotations

import re
from typing import Any

from pytest_bdd import scenarios, then, when

from voice_push_conformance import vectors
from voice_push_conformance.codecs import twi_params
from voice_push_conformance.stepkit import phrase
from voice_push_conformance.target import CallResult
from voice_push_conformance.world import World, call_candidate

scenarios("twiml_dial.feature")

_PLACEHOLDER = re.compile(r"\{([a-z]+)\}")


def _vector(vector_id: str) -> dict[str, Any]:
    return vectors.get("twiml_dial", "twiml-dial-vectors", vector_id)


def _call(world: World) -> CallResult:
    call = world.results["call"]
    assert isinstance(call, CallResult), f"the voice service answered {call!r}"
    return call


@when(phrase('the voice service is handed the TwiML of vector "{vector_id}"'))
def _(world: World, vector_id: str) -> None:
    document = _PLACEHOLDER.sub(lambda m: world.identity(m.group(1)), _vector(vector_id)["document"])
    world.results["call"] = call_candidate("placing a call", lambda: world.service.place_call(document))


@then(phrase('the identities rung by vector "{vector_id}" receive one push each for one call'))
def _(world: World, vector_id: str) -> None:
    rung = _vector(vector_id)["rings"]
    sids: set[object] = set()
    for alias in ("bob", "carol"):
        pushes = [p for p in world.pushes_to(f"{alias}-phone") if p.status == 200]
        expected = 1 if alias in rung else 0
        assert len(pushes) == expected, f"{alias}-phone received {len(pushes)} pushes; expected {expected}"
        sids.update(p.data.get("twi_call_sid") for p in pushes)
    assert len(sids) == 1, f"the identities of one <Dial> were rung in {len(sids)} calls: {sorted(map(str, sids))}"


@then(phrase('the pushes carry the parameters of vector "{vector_id}"'))
def _(world: World, vector_id: str) -> None:
    document = _vector(vector_id)["document"]
    expected = twi_params.expected_map(re.findall(r'<Parameter name="([^"]*)" value="([^"]*)"/>', document))
    for push in (p for p in world.call_pushes() if p.status == 200):
        raw = push.data.get("twi_params")
        got = twi_params.decode(raw) if isinstance(raw, str) and raw else {}
        assert got == expected, f"the push carries parameters {got}; the TwiML had {expected}"


@then("the voice service refuses the call with an error")
def _(world: World) -> None:
    call = _call(world)
    assert not call.accepted, f"the voice service accepted TwiML it cannot act on (call {call.call_sid})"
    assert call.code is not None or call.message, "the refusal names no error code or message"


@then("no push is sent")
def _(world: World) -> None:
    pushes = world.call_pushes()
    assert not pushes, f"the call was refused, yet {len(pushes)} push(es) were sent"


@then("the refusal does not echo a local file")
def _(world: World) -> None:
    call = _call(world)
    assert "root:" not in call.message, "the refusal message contains the contents of /etc/passwd"
