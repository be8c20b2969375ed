"""Steps for features/push_delivery.feature: what the voice service sends to FCM.

PYTEST_DONT_REWRITE: each assertion message here is the whole verdict text; pytest's
introspection would add the values of sub-expressions, such as tokens, to reports.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pytest_bdd import given, scenarios, then, when

from voice_push_conformance import schemas
from voice_push_conformance.codecs import twi_params
from voice_push_conformance.observers.fcm import CapturedPush, duration_ms
from voice_push_conformance.stepkit import one_of, phrase
from voice_push_conformance.world import World, call_candidate

scenarios("push_delivery.feature")


def _pushes(world: World) -> list[CapturedPush]:
    pushes = world.call_pushes()
    assert pushes, "the voice service sent no push at all"
    return pushes


@given(phrase('device "{device}" of "{alias}" is registered with a token of another Firebase project'))
def _(world: World, device: str, alias: str) -> None:
    world.device(device, project_id=f"{world.credentials.fcm_project_id}-other")
    result = world.register(alias, device)
    assert result.ok, f"setting up: registering {device} was refused (status {result.status}, code {result.code})"


def _valid_and_accepted(world: World) -> None:
    """Each send request passes FCM's schema and was answered 200."""
    for push in _pushes(world):
        where = f"push to {world.device_alias(push.token)}"
        assert not push.schema_errors, f"{where} is not a valid FCM send request: {'; '.join(push.schema_errors)}"
        assert push.status == 200, f"FCM refused the {where} with HTTP {push.status}: {push.summary()[:400]}"


@then(phrase('the push to "{device}" describes an incoming call from "{caller}" to "{callee}"'))
def _(world: World, device: str, caller: str, callee: str) -> None:
    pushes = world.accepted_pushes(device)
    assert len(pushes) == 1, f"expected one push to {device}; FCM accepted {len(pushes)}"
    data = dict(pushes[0].data)
    problems = schemas.errors("push-call-data", data)
    assert not problems, f"the push data does not describe a call: {'; '.join(problems)}"
    expected = {
        "twi_to": f"client:{world.identity(callee)}",
        "twi_from": f"client:{world.identity(caller)}",
        "twi_account_sid": world.credentials.account_sid,
    }
    wrong = {k: (data.get(k), v) for k, v in expected.items() if data.get(k) != v}
    assert not wrong, f"push data fields differ (got, expected): {wrong}"


@then("the pushes of the call share one call SID and have distinct message ids")
def _(world: World) -> None:
    pushes = [p for p in _pushes(world) if p.status == 200]
    sids = {p.data.get("twi_call_sid") for p in pushes}
    assert len(sids) == 1, f"one call, but its pushes name {len(sids)} call SIDs: {sorted(map(str, sids))}"
    call = world.outcomes.last_call()
    if call.call_sid is not None:
        assert sids == {call.call_sid}, f"the pushes name call {sids}, the service reported call {call.call_sid}"
    ids = [p.data.get("twi_message_id") for p in pushes]
    assert len(set(ids)) == len(ids), f"message ids repeat across the call's pushes: {ids}"


@then(phrase('"{device}" receives {count:d} call pushes with different call SIDs'))
def _(world: World, device: str, count: int) -> None:
    pushes = world.accepted_pushes(device)
    assert len(pushes) == count, f"expected {count} pushes to {device}; FCM accepted {len(pushes)}"
    sids = {p.data.get("twi_call_sid") for p in pushes}
    assert len(sids) == count, f"{count} calls, but their pushes name {len(sids)} call SID(s)"


def _high_priority(world: World) -> None:
    """Each push wakes a dozing device: android.priority is high."""
    for push in _pushes(world):
        priority = push.android.get("priority")
        assert isinstance(priority, str) and priority.lower() == "high", (
            f"the push to {world.device_alias(push.token)} has priority {priority!r}; call pushes are always high "
            "priority, or a dozing device does not wake for the call"
        )


def _ttl_zero(world: World) -> None:
    """Each push is for devices reachable now: android.ttl is 0s."""
    for push in _pushes(world):
        ttl = push.android.get("ttl")
        ms = duration_ms(ttl) if isinstance(ttl, str) else None
        assert ms == 0, (
            f"the push to {world.device_alias(push.token)} has ttl {ttl!r}"
            + (" (FCM's default of four weeks)" if ttl is None else "")
            + "; ttl 0 is FCM's documented way to deliver only to devices reachable now, and a positive TTL "
            + "lets an offline device receive the push up to that long after the call was placed"
        )


@then(
    phrase(
        'the call reports the delivery to "{device}" as {delivered:Delivery}',
        Delivery=one_of({"delivered": True, "failed": False}),
    )
)
def _(world: World, device: str, delivered: bool) -> None:
    call = world.outcomes.last_call()
    token = world.device(device)
    reports = [d for d in call.deliveries if d.device_token == token]
    assert reports, f"the call result reports nothing about {device}; deliveries: {call.deliveries}"
    assert all(d.delivered == delivered for d in reports), (
        f"the call reports {device} as {'delivered' if reports[0].delivered else 'failed'} "
        f"({reports[0].error or 'no error'}); FCM {'accepted' if delivered else 'refused'} that push"
    )


@then("the call is refused, or every push carries all the parameters unchanged")
def _(world: World) -> None:
    call = world.outcomes.last_call()
    pushes = world.call_pushes()
    if not call.accepted:
        assert not pushes, f"the call was refused, yet {len(pushes)} push(es) were sent"
        return
    expected = dict(world.outcomes.last_call_parameters())
    assert pushes, "the call was accepted but nothing was pushed"
    for push in pushes:
        assert push.status == 200 and not push.schema_errors, f"a malformed push was sent: {push.summary()[:300]}"
        raw = push.data.get("twi_params")
        got = twi_params.decode_pushed(raw) if isinstance(raw, str) and raw else {}
        assert got == expected, (
            "the call was accepted but the parameters changed on the way: "
            f"{sorted(k for k in expected if got.get(k) != expected[k])} differ; refuse what you cannot carry"
        )


def _http_v1(world: World) -> None:
    """Each push went through FCM HTTP v1, not the retired legacy API."""
    legacy = [world.device_alias(p.token) for p in _pushes(world) if p.api == "legacy"]
    assert not legacy, (
        f"this candidate still pushes through the retired legacy FCM API (to {', '.join(legacy)}); "
        "Google shut it down in 2024, so these pushes would not be delivered any more"
    )


def _data_only(world: World) -> None:
    """Each push is a data message: no notification block anywhere."""
    for push in _pushes(world):
        blocks = sorted(
            where
            for where, holder in (("message.notification", push.message), ("android.notification", push.android))
            if "notification" in holder
        )
        assert not blocks, (
            f"the push to {world.device_alias(push.token)} carries {', '.join(blocks)}: on Android a message with a "
            "notification goes to the system tray while the app is in the background and never reaches the "
            "SDK's message handler, so the call never rings; call pushes must be data-only"
        )


EVERY_PUSH = one_of(
    {
        "is a valid FCM send request that FCM accepted": _valid_and_accepted,
        "has high priority": _high_priority,
        "has a time to live of zero": _ttl_zero,
        "used the FCM HTTP v1 API": _http_v1,
        "is data-only, without a notification block": _data_only,
    }
)


@then(phrase("every push {check:EveryPush}", EveryPush=EVERY_PUSH))
def _(world: World, check: Callable[[World], None]) -> None:
    """A property each push the call made must have, after at least one push was sent."""
    check(world)


def _data_bytes(data: Mapping[str, Any]) -> int:
    """FCM's measure of a data payload: the UTF-8 bytes of every key and value."""
    return sum(len(str(k).encode("utf-8")) + len(str(v).encode("utf-8")) for k, v in data.items())


MULTIBYTE = "é"  # two UTF-8 bytes, six once percent-encoded (%C3%A9) by any URL encoder
PAD_NAME = "pad"


@when(phrase('"{caller}" calls "{callee}" with one {alphabet} parameter sized so the push data is {size:d} bytes'))
def _(world: World, caller: str, callee: str, alphabet: str, size: int) -> None:
    """Measure the candidate's own push data with a call without parameters, then fill up to ``size`` bytes.

    Only letters and one multi-byte letter are used, which every URL encoder writes alike, so
    the size does not depend on the candidate's choice of encoder.
    """
    probe = world.dial(caller, callee)
    call_candidate("placing a call to measure its push", lambda: world.service.place_call(probe))
    measured = [p for p in world.call_pushes() if p.status == 200]
    assert measured, "setting up: a call without parameters reached no device, so the push size is unknown"
    base = max(_data_bytes(p.data) for p in measured)
    room = size - base - len("twi_params") - len(PAD_NAME) - 1  # the encoded value's length
    assert room > 12, f"setting up: the candidate's push data is already {base} bytes without parameters"
    if alphabet == "multi-byte":
        count, rest = divmod(room, 6)
        value = MULTIBYTE * count + "a" * rest
    else:
        value = "a" * room
    world.outcomes.sized_to = size
    world.place_call(world.dial(caller, callee, {PAD_NAME: value}), {PAD_NAME: value})


@then("the sized call is refused without a push, or every push of it arrives with the parameter unchanged")
def _(world: World) -> None:
    call = world.outcomes.last_call()
    pushes = world.fcm.pushes[world.outcomes.pushes_since_last_call() :]
    size = world.outcomes.sized_push_bytes()
    if not call.accepted:
        assert not pushes, f"the call was refused, yet {len(pushes)} push(es) were sent for it"
        return
    assert pushes, "the call was accepted but nothing was pushed"
    for push in pushes:
        assert push.status == 200, (
            f"the push to {world.device_alias(push.token)} carries {_data_bytes(push.data)} bytes of data (built to "
            f"be {size}); FCM refused it with HTTP {push.status}. FCM counts the UTF-8 bytes of every key and value, "
            "not characters and not only the parameters: refuse the call instead of sending a push that cannot arrive"
        )
        raw = push.data.get("twi_params")
        got = twi_params.decode(raw) if isinstance(raw, str) and raw else {}
        assert got == world.outcomes.last_call_parameters(), (
            "the call was accepted but its parameter changed on the way"
        )
