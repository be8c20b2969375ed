"""Steps for features/registration_cadence.feature: when the client registers its token.

PYTEST_DONT_REWRITE: each assertion message here is the whole verdict text; pytest's
introspection would add the values of sub-expressions, such as tokens, to reports.
"""

from __future__ import annotations

from pytest_bdd import given, scenarios, then, when

from voice_push_conformance.codecs import tokens
from voice_push_conformance.stepkit import one_of, phrase
from voice_push_conformance.target import FCM, TokenEvent
from voice_push_conformance.world import World

scenarios("registration_cadence.feature")


@given(phrase('the app of "{alias}" has registered device token "{token_alias}"'))
def _(world: World, alias: str, token_alias: str) -> None:
    """A first app start: the app reads its token and registers it."""
    world.token_event(alias, "app_start", token_alias)
    token = world.device(token_alias)
    sent = [r for r in world.registrar.requests if r.device_token == token]
    assert len(sent) == 1, (
        f"setting up: the client made {len(sent)} registrations for its first device token; expected 1"
    )


@given("the voice service refuses the next registration")
def _(world: World) -> None:
    world.registrar.fail_next(1)


# How the app learns its device token: read at start, or handed over by FCM's ``onNewToken``.
TOKEN_EVENT = one_of({"starts with": "app_start", "is handed by FCM the new": "new_token"})


@when(phrase('the app of "{alias}" {event:TokenEvent} device token "{token_alias}"', TokenEvent=TOKEN_EVENT))
def _(world: World, alias: str, event: TokenEvent, token_alias: str) -> None:
    """The app gets a device token at start or from ``onNewToken``; the Then judges whether it registered."""
    world.token_event(alias, event, token_alias)


@then(phrase('the client of "{alias}" has registered device token "{token_alias}" {count:Times} over FCM'))
def _(world: World, alias: str, token_alias: str, count: int) -> None:
    token = world.device(token_alias)
    requests = world.registrar.requests
    matching = [r for r in requests if r.device_token == token]
    others = sorted({world.device_alias(r.device_token) for r in requests if r.device_token != token})
    assert len(matching) == count, (
        f"the client sent {len(matching)} registration(s) for {token_alias}; expected {count}"
        + (f" (it also registered: {', '.join(others)})" if others else "")
    )
    vended = world.outcomes.vended_to(alias)
    identity = world.identity(alias)
    for request in matching:
        assert request.channel.lower() == FCM, f"the client registered over {request.channel!r}; expected FCM"
        assert request.access_token in vended, (
            "the client registered with an access token the token endpoint never handed out"
        )
        decoded = tokens.decode_untrusted(request.access_token)
        assert decoded.payload["grants"]["identity"] == identity, "the registration token names another identity"
        _assert_valid_when_used(decoded.payload, request.at_ms)


def _assert_valid_when_used(payload: dict[str, object], at_ms: int) -> None:
    """A vended token is no proof of a usable one: it must not have expired before the client used it."""
    at_s = at_ms // 1_000
    exp, nbf = payload.get("exp"), payload.get("nbf")
    assert isinstance(exp, int) and exp > at_s, (
        f"the client registered at {at_s} (epoch s, the suite's clock) with an access token that expired at {exp}: "
        "fetch a fresh token for each registration; the voice service refuses expired ones"
    )
    assert not isinstance(nbf, int) or nbf <= at_s, f"the client registered with a token not valid before {nbf}"
