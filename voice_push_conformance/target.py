"""The adapter contract: what a candidate implementation offers the suite.

A candidate is built once per scenario by a factory that receives a :class:`HarnessContext`
(the suite's clock, credentials and the endpoints it plays), and returns a
:class:`Candidate` holding up to three roles. A role left as ``None`` is not under test;
scenarios needing it are reported as not applicable. Capabilities name optional controls
and operations (see :data:`CAPABILITIES`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

from voice_push_conformance.clock import Clock
from voice_push_conformance.credentials import Credentials

ROLES = ("issuer", "service", "client")

CAPABILITIES: Mapping[str, str] = {
    "clock": "follows the suite's clock, so scenarios can move time (expiry, late pushes)",
    "voice_webhook": "the issuer's application server answers incoming-call webhooks with TwiML",
    "reset": "can drop all state between scenarios",
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


@dataclass(frozen=True)
class PushHandling:
    """How the client handled one push payload.

    ``custom_parameters`` is the 3.x map (``CallInvite.getCustomParameters()``);
    ``raw_params`` the 2.x view (the ``twi_params`` string as the app reads it).
    """

    kind: PushKind
    decision: Decision
    call_sid: str | None = None
    raw_params: str | None = None
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
    """Registrations, call routing and push sending (the Twilio side)."""

    def register(self, access_token: str, channel: str, device_token: str) -> RegistrationResult: ...

    def unregister(self, access_token: str, channel: str, device_token: str) -> RegistrationResult: ...

    def place_call(self, twiml: str) -> CallResult: ...


@runtime_checkable
class Registrar(Protocol):
    """The voice service as the client sees it; played by the suite for the client role."""

    def register(self, access_token: str, channel: str, device_token: str) -> RegistrationResult: ...


@dataclass(frozen=True)
class ClientEnvironment:
    """What an app install on one device is given: who it is and whom it talks to."""

    identity: str
    clock: Clock
    registrar: Registrar
    fetch_access_token: Callable[[], str]


@runtime_checkable
class Client(Protocol):
    """The SDK side: push handling and registration cadence for one app install."""

    def handle_push(self, data: Mapping[str, str]) -> PushHandling: ...

    def on_device_token(self, device_token: str) -> None:
        """Called at app start and from ``onNewToken``; registers if (and only if) it should."""
        ...


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
    """An implementation under test: some roles, some capabilities."""

    description: str
    issuer: TokenIssuer | None = None
    service: VoiceService | None = None
    client_factory: Callable[[ClientEnvironment], Client] | None = None
    capabilities: frozenset[str] = frozenset()
    close: Callable[[], None] | None = None  # called when the scenario ends

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
