"""The adapter contract: what a candidate implementation offers the suite.

A candidate is built once per scenario by a factory that receives a :class:`HarnessContext`
(the suite's clock, credentials and the endpoints it plays), and returns a
:class:`Candidate` holding up to three roles. A role left as ``None`` is not under test;
scenarios needing it are reported as not applicable. Capabilities name optional controls
and operations (see :data:`CAPABILITIES`).

Optional parts are declared, never faked. The suite reports a scenario as *not
applicable* (neither passed nor failed) when it needs something the candidate declares it
lacks:

- a role: leave ``issuer``, ``service`` or ``client_factory`` as ``None``;
- a capability: leave it out of ``Candidate.capabilities`` (``clock``, ``voice_webhook``);
- the 2.x parameter view: leave ``PushHandling.raw_params`` at :data:`NOT_OFFERED`
  (a client that only offers the 3.x map must not build a 2.x string for the suite).

Threads: the suite may call one voice service from several threads at once (a scenario
registers 50 devices concurrently), so :class:`VoiceService` methods must be thread-safe.
Each scenario builds its own candidate, so nothing needs to be safe across scenarios.

Extending the embedded reference instead of writing roles from scratch is supported
through its public methods, one per documented rule: for example
``ReferenceVoiceService.authenticate`` (the grant a registration acts for, or its
refusal) and ``ReferenceVoiceService.fcm_error_code`` (the FCM ``errorCode`` of a refused
send). Underscored names are internals that may change. ``docs/python-adapter.md`` lists
every extension point, with an example.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final, Literal, Protocol, runtime_checkable

from voice_push_conformance.clock import Clock
from voice_push_conformance.credentials import Credentials

ROLES = ("issuer", "service", "client")

CAPABILITIES: Mapping[str, str] = {
    "clock": "follows the suite's clock, so scenarios can move time (expiry, late pushes)",
    "voice_webhook": "the issuer's application server answers incoming-call webhooks with TwiML",
    "reset": "can drop all state between scenarios",
    # In-process pushes sent with requests are intercepted; any other HTTP client needs a real
    # endpoint, so with this capability context.fcm points at the suite's loopback FCM server.
    "loopback_fcm": "sends pushes with any HTTP client to the loopback FCM endpoint the suite serves",
}

FCM = "fcm"
GCM = "gcm"


class NotApplicable(Exception):
    """The scenario needs a role or capability the candidate does not declare."""


class CandidateError(Exception):
    """The candidate itself broke (raised, hung, or answered nonsense)."""


# --- results ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RegistrationResult:
    """What the voice service answered to a register/unregister request.

    ``status`` follows the HTTP binding (201 created, 200/204 ok, 4xx refused) so that
    in-process and HTTP candidates are judged alike; ``code``/``message`` are the body of
    an error answer (``{"code": ..., "message": ...}``). Status 0 means the answer was not
    a valid registration answer at all (for example 201 without a Location header).
    """

    status: int
    code: int | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass(frozen=True)
class Delivery:
    """One push attempt the service made for a call, as the service itself reports it."""

    device_token: str
    delivered: bool
    error: str | None = None


@dataclass(frozen=True)
class CallResult:
    """What the voice service did with a TwiML ``<Dial>``."""

    accepted: bool
    call_sid: str | None = None
    code: int | None = None
    message: str = ""
    deliveries: tuple[Delivery, ...] = ()


PushKind = Literal["call", "cancel", "not_voice"]
Decision = Literal["display", "discard", "ignore"]


class View(enum.Enum):
    """Marks an optional view a client does not offer (see :class:`PushHandling`)."""

    NOT_OFFERED = "not offered"

    def __repr__(self) -> str:
        return "NOT_OFFERED"


NOT_OFFERED: Final = View.NOT_OFFERED


@dataclass(frozen=True)
class PushHandling:
    """How the client handled one push payload.

    ``custom_parameters`` (required for a call) is the 3.x map
    (``CallInvite.getCustomParameters()``); a 2.x client reports what the app's own
    decoding of ``twi_params`` gives. ``raw_params`` is the optional 2.x view: the
    ``twi_params`` string exactly as the app reads it, or ``None`` when the push carried
    none. A client that does not offer that view leaves it at :data:`NOT_OFFERED` (the
    default): the scenarios comparing the two views (PARAMS-VIEWS-AGREE) are then not
    applicable to it, rather than failed.
    """

    kind: PushKind
    decision: Decision
    call_sid: str | None = None
    raw_params: str | Literal[View.NOT_OFFERED] | None = NOT_OFFERED
    custom_parameters: Mapping[str, str | None] = field(default_factory=dict)
    reason: str = ""


# --- roles ------------------------------------------------------------------------------


@runtime_checkable
class TokenIssuer(Protocol):
    """The application server's token vending endpoint."""

    def issue_token(self, identity: str) -> str: ...


@runtime_checkable
class VoiceWebhook(Protocol):
    """Optional: the application server answering a call to a client with TwiML."""

    def answer_call(self, caller: str, callee_identity: str, parameters: Mapping[str, str]) -> str: ...


@runtime_checkable
class VoiceService(Protocol):
    """Registrations, call routing and push sending (the Twilio side).

    Thread-safety is required: the suite calls ``register`` from many threads at once
    (LIMIT-TEN registers 50 devices of one identity concurrently and expects exactly ten
    of them to be notified, once each), and may overlap any of these methods. Guard
    shared state with a lock, or hand each call to something that serialises them.

    Refusals are answers, not exceptions: return a :class:`RegistrationResult` or
    :class:`CallResult` with the documented code. An exception raised here is reported
    as the candidate breaking, and the scenario fails.
    """

    def register(self, access_token: str, channel: str, device_token: str) -> RegistrationResult:
        """``POST /v1/registrations``: 201 when stored (again: re-registering refreshes it)."""
        ...

    def unregister(self, access_token: str, channel: str, device_token: str) -> RegistrationResult:
        """Drop the token holder's own registration: 200/204, or 404 when there is none."""
        ...

    def place_call(self, twiml: str) -> CallResult:
        """Act on an answered call's TwiML: push to each dialled client's registered devices."""
        ...


@runtime_checkable
class Registrar(Protocol):
    """The voice service as the client sees it; played by the suite for the client role."""

    def register(self, access_token: str, channel: str, device_token: str) -> RegistrationResult: ...


@dataclass(frozen=True)
class ClientEnvironment:
    """What an app install on one device is given: who it is and whom it talks to.

    ``registrar`` is the voice service as the suite plays it (it records every request);
    ``fetch_access_token`` is the app server's token endpoint, also played by the suite.
    """

    identity: str
    clock: Clock
    registrar: Registrar
    fetch_access_token: Callable[[], str]


TokenEvent = Literal["app_start", "new_token"]


@runtime_checkable
class Client(Protocol):
    """The SDK side: push handling and registration cadence for one app install.

    ``handle_push`` is the only method every client has. For device tokens a client
    implements the two events of :class:`TokenEventsClient` (the current contract), or
    the single ``on_device_token`` of :class:`SingleCallbackClient` (the earlier contract,
    still accepted: both events then go to it). :func:`deliver_device_token` is how the
    suite, and the reference HTTP server, hand a client a token.
    """

    def handle_push(self, data: Mapping[str, str]) -> PushHandling: ...


@runtime_checkable
class TokenEventsClient(Client, Protocol):
    """A client that tells app start apart from ``onNewToken``, as the FAQ's recommended logic does.

    Register over FCM with an access token from ``ClientEnvironment.fetch_access_token``,
    through ``ClientEnvironment.registrar``, and store the token only once the
    registration succeeded, so a refused one is retried at the next event.
    """

    def on_app_start(self, device_token: str) -> None:
        """The app started and read its current FCM token (``FirebaseMessaging.getToken()``).

        Register it if it is not the stored one, or if the last registration is over a
        year old (CADENCE-YEARLY; the FAQ recommends renewing after six months,
        CADENCE-SIX-MONTHS). Otherwise do nothing.
        """
        ...

    def on_new_token(self, device_token: str) -> None:
        """FCM called ``onNewToken``: compare with the stored token, register if it differs."""
        ...


@runtime_checkable
class SingleCallbackClient(Client, Protocol):
    """The earlier contract: one callback for app start and ``onNewToken`` alike."""

    def on_device_token(self, device_token: str) -> None:
        """Called at app start and from ``onNewToken``; registers if (and only if) it should."""
        ...


_EVENT_METHODS: Mapping[TokenEvent, str] = {"app_start": "on_app_start", "new_token": "on_new_token"}


def deliver_device_token(client: Client, event: TokenEvent, device_token: str) -> None:
    """Hand ``client`` one device-token event, falling back to ``on_device_token``.

    The fallback keeps adapters written against the single callback working. A client
    with neither method has no way to receive its token: that is the candidate's fault,
    reported as :class:`CandidateError`.
    """
    method = getattr(client, _EVENT_METHODS[event], None)
    if not callable(method):
        method = getattr(client, "on_device_token", None)
    if not callable(method):
        raise CandidateError(
            f"the client has no {_EVENT_METHODS[event]}() (nor the earlier single on_device_token()), "
            "so it cannot be handed its device token"
        )
    method(device_token)


# --- the candidate ----------------------------------------------------------------------


@dataclass(frozen=True)
class FcmEndpoint:
    """Where pushes go. In-process the suite intercepts this host; over HTTP it serves it."""

    base_url: str = "https://fcm.googleapis.com"

    def send_url(self, project_id: str) -> str:
        return f"{self.base_url}/v1/projects/{project_id}/messages:send"


@dataclass(frozen=True)
class HarnessContext:
    """Everything the suite shares with a candidate it builds for one scenario.

    ``registrar_url`` and ``token_url`` are set when the suite serves the voice service
    and the token endpoint over loopback HTTP, for a client role that is out of process.
    """

    clock: Clock
    credentials: Credentials
    fcm: FcmEndpoint = field(default_factory=FcmEndpoint)
    registrar_url: str | None = None
    token_url: str | None = None


@dataclass
class Candidate:
    """An implementation under test: some roles, some capabilities.

    ``client_factory`` is called once for each app install a scenario uses (each with its
    own identity); it may return a :class:`TokenEventsClient` or, as adapters written
    against the earlier contract do, a :class:`SingleCallbackClient`.
    """

    description: str
    issuer: TokenIssuer | None = None
    service: VoiceService | None = None
    client_factory: Callable[[ClientEnvironment], Client] | None = None
    capabilities: frozenset[str] = frozenset()
    close: Callable[[], None] | None = None  # called when the scenario ends
    # Optional conformance profiles the candidate claims ("late-notification-workaround",
    # "security-baseline"); core profiles follow the roles. An unclaimed profile's scenarios
    # still run, and their findings are informative: they never change the claim.
    profiles: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        unknown = set(self.capabilities) - set(CAPABILITIES)
        if unknown:
            raise ValueError(f"unknown capabilities {sorted(unknown)}; known: {sorted(CAPABILITIES)}")

    @property
    def roles(self) -> tuple[str, ...]:
        present = {
            "issuer": self.issuer is not None,
            "service": self.service is not None,
            "client": self.client_factory is not None,
        }
        return tuple(role for role in ROLES if present[role])

    def require(self, *needs: str) -> None:
        """Raise :class:`NotApplicable` unless every role and capability named is offered."""
        # Sorted: the needs come from a scenario's tags, whose order changes between runs.
        missing = sorted({n for n in needs if n not in self.roles and n not in self.capabilities})
        if missing:
            raise NotApplicable(
                f"the candidate does not offer {', '.join(missing)} "
                f"(roles: {', '.join(self.roles) or 'none'}; "
                f"capabilities: {', '.join(sorted(self.capabilities)) or 'none'})"
            )


CandidateFactory = Callable[[HarnessContext], Candidate]
