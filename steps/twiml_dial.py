"""Steps for features/twiml_dial.feature: TwiML documents handed to the voice service.

PYTEST_DONT_REWRITE: each assertion message here is the whole verdict text; pytest's
introspection would add the values of sub-expressions, such as tokens, to reports.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from pytest_bdd import scenarios, then, when

from voice_push_conformance import vectors
from voice_push_conformance.codecs import twi_params
from voice_push_conformance.stepkit import phrase
from voice_push_conformance.target import CallResult
from voice_push_conformance.world import World

scenarios("twiml_dial.feature")

_PLACEHOLDER = re.compile(r"\{([a-z]+)\}")


def _call(world: World) -> CallResult:
    call: object = world.outcomes.last_call()
    assert isinstance(call, CallResult), f"the voice service answered {call!r}"
    return call


@when(phrase('the voice service is handed the TwiML of vector "{vector_id}"'))
def _(world: World, vector_id: str) -> None:
    document = _PLACEHOLDER.sub(lambda m: world.identity(m.group(1)), vectors.twiml_dial_vector(vector_id).document)
    world.place_call(document)


@then(phrase('the identities rung by vector "{vector_id}" receive one push each for one call'))
def _(world: World, vector_id: str) -> None:
    rung = vectors.twiml_dial_vector(vector_id).rings
    sids: set[object] = set()
    for alias in ("bob", "carol"):
        pushes = world.accepted_pushes(f"{alias}-phone")
        expected = 1 if alias in rung else 0
        assert len(pushes) == expected, f"{alias}-phone received {len(pushes)} pushes; expected {expected}"
        sids.update(p.data.get("twi_call_sid") for p in pushes)
    assert len(sids) == 1, f"the identities of one <Dial> were rung in {len(sids)} calls: {sorted(map(str, sids))}"


@then(phrase('the pushes carry the parameters of vector "{vector_id}"'))
def _(world: World, vector_id: str) -> None:
    document = vectors.twiml_dial_vector(vector_id).document
    expected = twi_params.expected_map(re.findall(r'<Parameter name="([^"]*)" value="([^"]*)"/>', document))
    for push in (p for p in world.call_pushes() if p.status == 200):
        raw = push.data.get("twi_params")
        got = twi_params.decode_pushed(raw) if isinstance(raw, str) and raw else {}
        assert got == expected, f"the push carries parameters {got}; the TwiML had {expected}"


@then("the refusal does not echo a local file")
def _(world: World) -> None:
    call = _call(world)
    assert "root:" not in call.message, "the refusal message contains the contents of /etc/passwd"


@then(phrase('the voice service refuses the call without a push, or rings "{alias}" once'))
def _(world: World, alias: str) -> None:
    """Both answers are safe for a DOCTYPE with nothing to expand; only a wrong ring is a failure."""
    call = _call(world)
    pushes = world.call_pushes()
    if not call.accepted:
        assert not pushes, f"the call was refused, yet {len(pushes)} push(es) were sent"
        return
    device = f"{alias}-phone"
    accepted = world.accepted_pushes(device)
    assert len(accepted) == 1, f"the call was accepted, but {device} received {len(accepted)} pushes; expected 1"
    others = sorted({world.device_alias(p.token) for p in pushes if p.token != world.device(device)})
    assert not others, f"the call was accepted, but it also rang {others}"


@when(phrase('the voice service is handed a generated Dial to "{first}" and "{second}" with generated parameters'))
def _(world: World, first: str, second: str) -> None:
    """Data as it varies in real use, under the seed: client order, letter case, spaces inside and around values."""
    aliases = [first, second]
    world.data.faker.random.shuffle(aliases)
    response = ET.Element("Response")
    dial = ET.SubElement(response, "Dial", {"callerId": f"client:{world.identity('alice')}"})
    expected: dict[str, dict[str, str | None]] = {}
    for alias in aliases:
        client = ET.SubElement(dial, "Client")
        ET.SubElement(client, "Identity").text = world.identity(alias)
        pairs = [(f"{alias}_{n}", world.data.parameter_value()) for n in range(world.data.faker.random_int(1, 3))]
        for name, value in pairs:
            ET.SubElement(client, "Parameter", {"name": name, "value": value})
        expected[alias] = twi_params.expected_map(pairs)
    world.outcomes.dialled_parameters = expected
    document = ET.tostring(response, encoding="unicode")
    world.place_call(document)


@then(
    phrase(
        '"{first_device}" and "{second_device}" each receive one push of one call, with their own parameters unchanged'
    )
)
def _(world: World, first_device: str, second_device: str) -> None:
    expected = world.outcomes.generated_parameters()
    sids: set[object] = set()
    for device in (first_device, second_device):
        alias = device.split("-")[0]
        pushes = world.accepted_pushes(device)
        assert len(pushes) == 1, f"{device} received {len(pushes)} pushes; expected 1"
        raw = pushes[0].data.get("twi_params")
        got = twi_params.decode(raw) if isinstance(raw, str) and raw else {}
        assert got == expected[alias], (
            f"the push to {device} carries parameters {got}; its <Client> had {expected[alias]} "
            "(spaces inside and around a value are part of it)"
        )
        sids.add(pushes[0].data.get("twi_call_sid"))
    assert len(sids) == 1, f"the clients of one <Dial> were rung in {len(sids)} calls"
