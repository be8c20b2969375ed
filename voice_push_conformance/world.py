"""Everything one scenario owns: its candidate, clock, data, push sink and outcomes.

Steps talk to the candidate only through this object, and never branch on how the
candidate is reached.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from voice_push_conformance.clock import Clock, ManualClock
from voice_push_conformance.codecs import tokens, twiml
from voice_push_conformance.codecs.twiml import Dial
from voice_push_conformance.credentials import Credentials
from voice_push_conformance.data import DataFactory
from voice_push_conformance.observers.fcm import CapturedPush, FcmSink
from voice_push_conformance.observers.registrar import SuiteRegistrar
from voice_push_conformance.observers.transcript import Transcript
from voice_push_conformance.observers.transcript import record as record_exchange
from voice_push_conformance.target import (
    CallResult,
    Candidate,
    CandidateError,
    Client,
    ClientEnvironment,
    NotApplicable,
    PushHandling,
    RegistrationResult,
    TokenEvent,
    TokenIssuer,
    View,
    VoiceService,
    VoiceWebhook,
    deliver_device_token,
)

T = TypeVar("T")

# True while the candidate's code runs: its warnings are then notes, not the suite's errors
# (voice_push_conformance/plugin/candidate_warnings.py). A context variable, so threads the suite
# starts to call the candidate concurrently each carry their own.
IN_CANDIDATE: ContextVar[bool] = ContextVar("vpc_in_candidate", default=False)


@contextlib.contextmanager
def run_as_candidate() -> Iterator[None]:
    """Mark the code run inside as the candidate's (its factory, its calls, its ``close``)."""
    token = IN_CANDIDATE.set(True)
    try:
        yield
    finally:
        IN_CANDIDATE.reset(token)


def call_candidate(what: str, action: Callable[[], T]) -> T:
    """Run one candidate operation, turning a crash into a failure that names it."""
    try:
        with run_as_candidate():
            result = action()
    except NotApplicable:
        raise
    except Exception as exc:
        record_exchange("candidate", what, f"raised {type(exc).__name__}: {exc}", 0)
        raise CandidateError(f"the candidate raised {type(exc).__name__} while {what}: {exc}") from exc
    record_exchange("candidate", what, repr(result), 0)
    return result


class StepOrderError(LookupError):
    """A step read an outcome that no earlier step of the scenario recorded: a bug of the suite."""


def _recorded(value: T | None, what: str, set_by: str) -> T:
    if value is None:
        raise StepOrderError(f"no earlier step recorded {what}; the scenario needs a step that {set_by} first")
    return value


@dataclass
class Outcomes:
    """What one scenario's When steps recorded for its Then steps to judge (one field per concept).

    Read through the accessor methods: they name the missing step when a scenario reads
    something no step recorded, instead of failing with a bare ``None`` error.
    """

    call: CallResult | None = None  # the voice service's answer to the latest call
    call_parameters: dict[str, str] | None = None  # the parameters that call's TwiML dialled
    dialled_parameters: dict[str, dict[str, str | None]] | None = None  # per callee alias, in a generated Dial
    last_call_from: int | None = None  # index of the first FCM request the latest call made
    sized_to: int | None = None  # the push data size a sized call was built for, in bytes
    push: dict[str, str] | None = None  # the call push data handed to a client
    push_for: str | None = None  # the alias whose client gets ``push``
    twiml: str | None = None  # the TwiML the application server answered a call webhook with
    dial: Dial | None = None  # that TwiML's parsed <Dial>
    answered_at_ms: int | None = None  # the suite's clock when the webhook was called
    registration: RegistrationResult | None = None  # the latest register request's answer
    unregistration: RegistrationResult | None = None  # the latest unregister request's answer
    token_vector: str | None = None  # the id of the token vector the latest registration used
    vended_tokens: dict[str, list[str]] = field(default_factory=dict)  # per alias, what the token endpoint gave
    registration_order: dict[str, list[str]] = field(default_factory=dict)  # per alias, oldest device first

    def last_call(self) -> CallResult:
        return _recorded(self.call, "a call", "places one")

    def last_call_parameters(self) -> dict[str, str]:
        return _recorded(self.call_parameters, "the parameters of a call", "places a call with parameters")

    def generated_parameters(self) -> dict[str, dict[str, str | None]]:
        return _recorded(self.dialled_parameters, "generated parameters", "hands the service a generated Dial")

    def pushes_since_last_call(self) -> int:
        return _recorded(self.last_call_from, "where the latest call's pushes start", "places a call again")

    def sized_push_bytes(self) -> int:
        return _recorded(self.sized_to, "the size of a sized call", "places a sized call")

    def call_push(self) -> dict[str, str]:
        return _recorded(self.push, "a call push", "builds one")

    def answered_twiml(self) -> str:
        return _recorded(self.twiml, "the application server's TwiML", "answers a call webhook")

    def answered_dial(self) -> Dial:
        return _recorded(self.dial, "the application server's <Dial>", "answers a call webhook")

    def answered_at(self) -> int:
        return _recorded(self.answered_at_ms, "when the webhook was answered", "answers a call webhook")

    def last_registration(self) -> RegistrationResult:
        return _recorded(self.registration, "a registration", "registers a device")

    def last_unregistration(self) -> RegistrationResult:
        return _recorded(self.unregistration, "an unregistration", "unregisters a device")

    def vended_to(self, alias: str) -> list[str]:
        """The access tokens the token endpoint handed the app of ``alias``, oldest first."""
        return self.vended_tokens.get(alias, [])

    def devices_in_order(self, alias: str) -> list[str]:
        """Device aliases of ``alias`` from least to most recently registered (the live list)."""
        return self.registration_order.setdefault(alias, [])


@dataclass
class World:
    """One scenario's state: the candidate, the observers the suite plays and what happened."""

    candidate: Candidate
    clock: Clock
    credentials: Credentials
    data: DataFactory
    fcm: FcmSink
    registrar: SuiteRegistrar
    identities: dict[str, str] = field(default_factory=dict)
    devices: dict[str, str] = field(default_factory=dict)
    clients: dict[str, Client] = field(default_factory=dict)
    outcomes: Outcomes = field(default_factory=Outcomes)
    transcript: Transcript = field(default_factory=Transcript)

    # --- roles -----------------------------------------------------------------------------

    @property
    def issuer(self) -> TokenIssuer:
        self.candidate.require("issuer")
        assert self.candidate.issuer is not None
        return self.candidate.issuer

    @property
    def webhook(self) -> VoiceWebhook:
        self.candidate.require("issuer", "voice_webhook")
        issuer = self.candidate.issuer
        if not callable(getattr(issuer, "answer_call", None)):
            raise CandidateError("the candidate declares voice_webhook but its issuer has no answer_call()")
        return cast("VoiceWebhook", issuer)

    @property
    def service(self) -> VoiceService:
        self.candidate.require("service")
        assert self.candidate.service is not None
        return self.candidate.service

    @property
    def manual_clock(self) -> ManualClock:
        self.candidate.require("clock")
        if not isinstance(self.clock, ManualClock):
            raise NotApplicable("the run's clock cannot be moved")
        return self.clock

    def client(self, alias: str) -> Client:
        """The app install called ``alias`` (created on first use)."""
        self.candidate.require("client")
        if alias not in self.clients:
            factory = self.candidate.client_factory
            assert factory is not None
            env = ClientEnvironment(
                identity=self.identity(alias),
                clock=self.clock,
                registrar=self.registrar,
                fetch_access_token=lambda: self.vend_access_token(alias),
            )
            self.clients[alias] = call_candidate("creating a client", lambda: factory(env))
        return self.clients[alias]

    def token_event(self, alias: str, event: TokenEvent, device_alias: str) -> None:
        """The app of ``alias`` gets device token ``device_alias`` at app start or from ``onNewToken``."""
        client = self.client(alias)
        token = self.device(device_alias)
        what = "starting the app with a device token" if event == "app_start" else "receiving a new device token"
        call_candidate(what, lambda: deliver_device_token(client, event, token))

    @staticmethod
    def raw_params(handled: PushHandling) -> str | None:
        """The client's 2.x view of the parameters; not applicable when it does not offer one."""
        if handled.raw_params is View.NOT_OFFERED:
            raise NotApplicable(
                "the client does not offer the 2.x view of the parameters (raw_params is NOT_OFFERED), "
                "so there is no raw string to compare"
            )
        return handled.raw_params

    # --- data --------------------------------------------------------------------------------

    def identity(self, alias: str) -> str:
        if alias not in self.identities:
            self.identities[alias] = self.data.identity(alias)
        return self.identities[alias]

    def device(self, alias: str, project_id: str | None = None) -> str:
        """The FCM registration token of device ``alias``, known to the FCM model."""
        if alias not in self.devices:
            token = self.data.fcm_token()
            self.fcm.add_device(token, project_id or self.credentials.fcm_project_id)
            self.devices[alias] = token
        return self.devices[alias]

    def device_alias(self, token: str | None) -> str:
        for alias, known in self.devices.items():
            if known == token:
                return alias
        return f"unknown device {token!r}"

    def access_token(self, alias: str, **overrides: Any) -> str:
        """A token minted by the suite itself, so service scenarios need no issuer role."""
        creds = self.credentials
        options: dict[str, Any] = {
            "api_key_sid": creds.api_key_sid,
            "account_sid": creds.account_sid,
            "secret": creds.api_key_secret.reveal(),
            "now_s": self.clock.now_ms() // 1_000,
            "identity": self.identity(alias),
            "grants": {
                "voice": tokens.voice_grant(
                    push_credential_sid=creds.push_credential_sid,
                    outgoing_application_sid=creds.application_sid,
                )
            },
        }
        options.update(overrides)
        return tokens.mint(**options)

    def vend_for(self, identity: str) -> str:
        """The token endpoint the suite serves over loopback: same bookkeeping, keyed by identity."""
        alias = next((a for a, known in self.identities.items() if known == identity), identity)
        return self.vend_access_token(alias)

    def vend_access_token(self, alias: str) -> str:
        """The suite's token vending endpoint for client apps: remembers what it handed out."""
        token = self.access_token(alias)
        self.outcomes.vended_tokens.setdefault(alias, []).append(token)
        return token

    # --- actions shared by several areas ------------------------------------------------------

    def register(
        self, alias: str, device_alias: str, *, token: str | None = None, channel: str = "fcm"
    ) -> RegistrationResult:
        device_token = self.device(device_alias)
        access = token if token is not None else self.access_token(alias)
        return call_candidate(
            f"registering {device_alias}", lambda: self.service.register(access, channel, device_token)
        )

    def place_call(self, document: str, parameters: Mapping[str, str] | None = None) -> CallResult:
        """Hand the voice service a TwiML document, recording its answer and where its pushes start."""
        self.outcomes.last_call_from = len(self.fcm.pushes)
        self.outcomes.call_parameters = dict(parameters) if parameters is not None else None
        self.outcomes.call = call_candidate("placing a call", lambda: self.service.place_call(document))
        return self.outcomes.call

    def dial(
        self, caller: str, callee: str, parameters: Mapping[str, str] | Sequence[tuple[str, str]] | None = None
    ) -> str:
        """A TwiML <Dial> from ``caller`` to the client of ``callee``, with <Parameter>s in the order given."""
        pairs = list(parameters.items()) if isinstance(parameters, Mapping) else list(parameters or ())
        return twiml.build_dial(self.identity(callee), pairs, caller_id=f"client:{self.identity(caller)}")

    def pushes_to(self, device_alias: str) -> list[CapturedPush]:
        """Every send request for the device, refused ones included."""
        return self.fcm.pushes_to(self.device(device_alias))

    def accepted_pushes(self, device_alias: str) -> list[CapturedPush]:
        """The send requests for the device that FCM accepted (HTTP 200): the ones that can ring it."""
        return [p for p in self.pushes_to(device_alias) if p.status == 200]

    def call_pushes(self) -> list[CapturedPush]:
        return list(self.fcm.pushes)


def call_push_data(world: World, callee: str, twi_params: str | None, caller: str = "alice") -> dict[str, str]:
    """An incoming-call push as a conforming voice service sends it, for client scenarios."""
    data = {
        "twi_message_type": "twilio.voice.call",
        "twi_call_sid": world.data.sid("CA"),
        "twi_account_sid": world.credentials.account_sid,
        "twi_from": f"client:{world.identity(caller)}",
        "twi_to": f"client:{world.identity(callee)}",
        "twi_bridge_token": "eyJ" + world.data.secret(),
        "twi_message_id": world.data.sid("RU"),
    }
    if twi_params is not None:
        data["twi_params"] = twi_params
    return data
