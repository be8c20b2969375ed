"""Steps for features/late_discard.feature: the timestamp stamp and the 60 000 ms rule.

PYTEST_DONT_REWRITE: each assertion message here is the whole verdict text; pytest's
introspection would add the values of sub-expressions, such as tokens, to reports.
"""

from __future__ import annotations

from pytest_bdd import scenarios, then, when

from voice_push_conformance.codecs import twi_params, twiml
from voice_push_conformance.stepkit import Converter, one_of, phrase
from voice_push_conformance.target import PushHandling
from voice_push_conformance.world import World, call_candidate

scenarios("late_discard.feature")


@when(phrase('the application server answers a call from "{caller}" to "{callee}"'))
def _(world: World, caller: str, callee: str) -> None:
    caller_id = f"client:{world.identity(caller)}"
    callee_identity = world.identity(callee)
    world.outcomes.answered_at_ms = world.clock.now_ms()
    document = call_candidate(
        "answering a call webhook", lambda: world.webhook.answer_call(caller_id, callee_identity, {})
    )
    try:
        world.outcomes.twiml = document
        world.outcomes.dial = twiml.parse_dial(document)
    except twiml.TwimlError as exc:
        raise AssertionError(f"the application server's answer is not usable TwiML: {exc}\n{document}") from exc


@when("the voice service dials that TwiML")
def _(world: World) -> None:
    world.place_call(world.outcomes.answered_twiml())


@then(phrase('the TwiML dials client "{alias}"'))
def _(world: World, alias: str) -> None:
    dial = world.outcomes.answered_dial()
    identities = [leg.identity for leg in dial.clients]
    assert identities == [world.identity(alias)], f"the <Dial> rings {identities}; expected [{world.identity(alias)!r}]"


@then("the TwiML's timestamp parameter is the current time in epoch milliseconds")
def _(world: World) -> None:
    dial = world.outcomes.answered_dial()
    stamps = [value for name, value in dial.clients[0].parameters if name == "timestamp"]
    assert stamps, f"the <Client> has no timestamp <Parameter>; parameters: {dial.clients[0].parameters}"
    assert len(stamps) == 1, f"the <Client> has {len(stamps)} timestamp parameters: {stamps}"
    stamp = stamps[0]
    assert stamp.isascii() and stamp.isdigit(), f"timestamp {stamp!r} is not a whole number of milliseconds"
    expected = world.outcomes.answered_at()
    slack = getattr(world.clock, "tolerance_ms", 0) + 1_000
    value = int(stamp)
    if abs(value * 1_000 - expected) <= slack + 1_000:
        raise AssertionError(
            f"timestamp {stamp} is in epoch seconds; the rule compares milliseconds, so every call "
            f"would look decades late (expected about {expected}). The FAQ's example value is in "
            "seconds too, but its Date.now() step and the 60000 ms comparison are in milliseconds."
        )
    assert abs(value - expected) <= slack, f"timestamp {stamp} is not the current time {expected} ms (±{slack} ms)"


def _handle(world: World, alias: str, data: dict[str, str]) -> PushHandling:
    client = world.client(alias)
    handled = call_candidate("handling a call push", lambda: client.handle_push(data))
    assert isinstance(handled, PushHandling), f"handle_push returned {type(handled).__name__}, not PushHandling"
    return handled


DECISION = one_of({"displays": "display", "discards": "discard"})
WHICH_PUSH = Converter(
    r'the push(?: FCM delivered to "[^"]*")?', lambda text: text.split('"')[1] if '"' in text else None
)


@then(phrase('the client of "{alias}" {decision:Decision} {device:WhichPush}', Decision=DECISION, WhichPush=WHICH_PUSH))
def _(world: World, alias: str, decision: str, device: str | None) -> None:
    """The client's decision on the push the scenario built, or on the one push FCM delivered to a device."""
    if device is not None:
        _decide_delivered(world, alias, decision, device)
        return
    assert world.outcomes.push_for == alias, "the scenario built no push for this client"
    handled = _handle(world, alias, world.outcomes.call_push())
    assert handled.kind == "call", f"the client did not recognise a call push (kind {handled.kind!r})"
    stamp = twi_params.decode(world.outcomes.call_push().get("twi_params", "")).get("timestamp")
    assert handled.decision == decision, (
        f"the client chose to {handled.decision} a push stamped {stamp} at device time "
        f"{world.clock.now_ms()} ms; expected {decision} ({handled.reason})"
    )


def _decide_delivered(world: World, alias: str, decision: str, device: str) -> None:
    token = world.device(device)
    inbox = world.fcm.devices[token].inbox
    assert len(inbox) == 1, f"FCM delivered {len(inbox)} pushes to {device}; expected 1"
    world.outcomes.push = {k: str(v) for k, v in inbox[0].data.items()}
    world.outcomes.push_for = alias
    handled = _handle(world, alias, world.outcomes.call_push())
    assert handled.decision == decision, (
        f"{handled.decision} at device time {world.clock.now_ms()} ms for a push stamped "
        f"{handled.custom_parameters.get('timestamp')}; expected {decision} ({handled.reason})"
    )


@then(phrase('the client of "{alias}" handles the push without an error'))
def _(world: World, alias: str) -> None:
    handled = _handle(world, alias, world.outcomes.call_push())
    assert handled.decision in {"display", "discard"}, f"the client answered {handled.decision!r} to a call push"


@then(phrase('the client of "{alias}" shows no call from what FCM delivered to "{device}"'))
def _(world: World, alias: str, device: str) -> None:
    world.client(alias)  # the judgement is the client's, even when FCM delivered nothing to judge
    inbox = world.fcm.devices[world.device(device)].inbox
    shown = []
    for push in inbox:
        handled = _handle(world, alias, {k: str(v) for k, v in push.data.items()})
        if handled.kind == "call" and handled.decision == "display":
            shown.append(handled.custom_parameters.get("timestamp"))
    assert not shown, (
        f"FCM delivered {len(inbox)} push(es) to {device} after it came back online an hour after the call, "
        f"and the client showed {len(shown)} (stamped {shown}): the late-delivery premise held "
        "(no reachable-only delivery) and the workaround did not discard the push"
    )
