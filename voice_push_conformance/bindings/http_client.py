"""The HTTP adapter: a candidate reached over the harness protocol.

Every scenario opens a session on the candidate (``POST /conformance/v1/sessions``)
carrying the suite's credentials, clock and loopback URLs, and closes it at the end.
Before the scenarios, the suite only reads ``GET /conformance/v1/capabilities``: it opens
no session to learn what the candidate declares. Requests use one connection pool, a
per-request timeout, and are recorded in the scenario's transcript (secrets redacted).

Two faults of the target are not verdicts on the implementation:

- a session ``DELETE`` that fails or hangs becomes a note on the scenario
  (:func:`take_notes`), because the suite does not judge that answer;
- :data:`MAX_CONNECTION_FAILURES` connection failures in a row mean the target is gone:
  :class:`TargetUnreachable` is raised, :func:`unreachable` says why, and the run stops.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import requests
from urllib3.exceptions import NewConnectionError

from voice_push_conformance.bindings import harness
from voice_push_conformance.bindings.harness import CONTROL, SESSION_HEADER, TOKEN_HEADER
from voice_push_conformance.bindings.sessions import PerThreadSession
from voice_push_conformance.clock import ManualClock
from voice_push_conformance.observers.transcript import record as record_exchange
from voice_push_conformance.target import (
    CAPABILITIES,
    CallResult,
    Candidate,
    CandidateError,
    Client,
    ClientEnvironment,
    HarnessContext,
    PushHandling,
    RegistrationResult,
)

DEFAULT_TIMEOUT_S = harness.DEFAULT_HTTP_TIMEOUT_S
# Connection failures in a row (no answer at all, across scenarios) after which the target
# is taken to be gone and the run stops as "could not run".
MAX_CONNECTION_FAILURES = 3


@dataclass
class RoundTrips:
    """Requests made to HTTP candidates in this process and the time spent waiting for them."""

    count: int = 0
    seconds: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, seconds: float) -> None:
        with self._lock:
            self.count += 1
            self.seconds += seconds


ROUND_TRIPS = RoundTrips()


class HttpTargetError(Exception):
    """The target cannot be used at all (unreachable, not speaking the protocol)."""


class TargetUnreachable(Exception):
    """The target stopped answering mid-run: an environment error, not a verdict on the candidate.

    Deliberately not a :class:`CandidateError`, so the scenario is an error (could not run)
    rather than a failure, and the run stops.
    """


class _Faults:
    """What went wrong with the target outside any verdict, shared by every scenario of this process.

    pytest runs one scenario at a time per process (xdist workers are processes), so notes
    taken between two drains belong to the scenario that just ran.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failures_in_a_row = 0
        self._unreachable: str | None = None
        self._notes: list[str] = []

    def answered(self) -> None:
        with self._lock:
            self._failures_in_a_row = 0

    def connection_failed(self, detail: str) -> bool:
        """Count one failure; True once the target counts as gone."""
        with self._lock:
            self._failures_in_a_row += 1
            if self._failures_in_a_row >= MAX_CONNECTION_FAILURES and self._unreachable is None:
                self._unreachable = f"{MAX_CONNECTION_FAILURES} connection attempts in a row failed (last: {detail})"
            return self._unreachable is not None

    def unreachable(self) -> str | None:
        with self._lock:
            return self._unreachable

    def note(self, text: str) -> None:
        with self._lock:
            self._notes.append(text)

    def take_notes(self) -> list[str]:
        with self._lock:
            notes, self._notes = self._notes, []
        return notes


FAULTS = _Faults()


def take_notes() -> list[str]:
    """The notes taken since the last call (a session DELETE that failed), oldest first."""
    return FAULTS.take_notes()


def unreachable() -> str | None:
    """Why the target counts as gone, or None while it still answers."""
    return FAULTS.unreachable()


def _never_sent(exc: requests.ConnectionError) -> bool:
    """True when no connection was made, so the request never reached the server and may be sent again."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, NewConnectionError)


@dataclass(frozen=True)
class Declared:
    """What an HTTP candidate says about itself before any scenario runs: roles, capabilities, URLs."""

    description: str
    roles: tuple[str, ...]
    capabilities: frozenset[str]
    token_url: str | None
    voice_url: str | None
    profiles: frozenset[str] = frozenset()


class Connection:
    """One scenario's requests to the candidate, all carrying its session id."""

    def __init__(self, base_url: str, timeout_s: float, http: requests.Session) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.http = http
        self.session_id: str | None = None

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if self.session_id is not None:
            headers[SESSION_HEADER] = self.session_id
        url = path if path.startswith("http") else f"{self.base_url}{path}"
        summary = f"{method} {url} {json.dumps(kwargs.get('json')) if 'json' in kwargs else kwargs.get('data', '')}"
        for _attempt in itertools.count():
            started = time.perf_counter()
            try:
                response = self.http.request(method, url, headers=headers, timeout=self.timeout_s, **kwargs)
            except requests.ConnectionError as exc:
                detail = f"{type(exc).__name__}: {exc}"
                record_exchange("http", summary, detail, 0)
                if FAULTS.connection_failed(detail):
                    raise TargetUnreachable(
                        f"{method} {url}: the target stopped answering; {FAULTS.unreachable()}"
                    ) from exc
                if _never_sent(exc):
                    continue  # the server never saw the request, so sending it again changes nothing it could judge
                raise CandidateError(f"{method} {url}: {detail}") from exc
            except requests.Timeout as exc:
                record_exchange("http", summary, f"no answer within {self.timeout_s} s", 0)
                raise CandidateError(f"{method} {url}: no answer within {self.timeout_s} s") from exc
            except requests.RequestException as exc:
                record_exchange("http", summary, f"{type(exc).__name__}: {exc}", 0)
                raise CandidateError(f"{method} {url}: {type(exc).__name__}: {exc}") from exc
            FAULTS.answered()
            ROUND_TRIPS.add(time.perf_counter() - started)
            record_exchange("http", summary, f"{response.status_code} {response.text[:2000]}", 0)
            return response
        raise AssertionError("unreachable")  # pragma: no cover - the loop only ends by return or raise

    def json(self, response: requests.Response, what: str) -> Any:
        try:
            return response.json()
        except ValueError as exc:
            raise CandidateError(
                f"{what}: expected JSON, got {response.status_code} {response.headers.get('Content-Type')!r}: "
                f"{response.text[:200]!r}"
            ) from exc

    def expect(self, response: requests.Response, status: int | tuple[int, ...], what: str) -> None:
        allowed = (status,) if isinstance(status, int) else status
        if response.status_code not in allowed:
            raise CandidateError(
                f"{what}: expected HTTP {allowed}, got {response.status_code}: {response.text[:300]!r}"
            )


class _DeclarationOnly(Connection):
    """The connection of a declaration: no session was opened, so nothing may be sent."""

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        raise CandidateError(f"{method} {path}: this candidate only declares roles; no session was opened for it")


class HttpIssuer:
    """The issuer role of an HTTP candidate: fetches access tokens from its token URL."""

    def __init__(self, connection: Connection, token_url: str, voice_url: str | None) -> None:
        self.connection = connection
        self.token_url = token_url
        self.voice_url = voice_url

    def issue_token(self, identity: str) -> str:
        response = self.connection.request("GET", self.token_url.replace("{identity}", quote(identity, safe="")))
        self.connection.expect(response, 200, "the token endpoint")
        if "json" in response.headers.get("Content-Type", ""):
            body = self.connection.json(response, "the token endpoint")
            token = body.get("token") if isinstance(body, dict) else None
            if not isinstance(token, str):
                raise CandidateError(f"the token endpoint's JSON has no string 'token': {body!r}")
            return token
        return response.text.strip()

    def answer_call(self, caller: str, callee_identity: str, parameters: Mapping[str, str]) -> str:
        if self.voice_url is None:
            raise CandidateError("the candidate declares voice_webhook but names no voice_url")
        form = {"From": caller, "To": f"client:{callee_identity}", **parameters}
        response = self.connection.request("POST", self.voice_url, data=form)
        self.connection.expect(response, 200, "the voice webhook")
        return response.text


class HttpVoiceService:
    """The voice-service role of an HTTP candidate: registrations and calls over the harness protocol."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def _post_registration(self, access_token: str, channel: str, device_token: str) -> requests.Response:
        return self.connection.request(
            "POST",
            harness.REGISTRATIONS,
            json=harness.registration_body(channel, device_token),
            headers={TOKEN_HEADER: access_token, "Accept": "application/json"},
        )

    @staticmethod
    def _result(connection: Connection, response: requests.Response) -> RegistrationResult:
        body = None
        if response.content:
            try:
                body = response.json()
            except ValueError:
                body = None
        return harness.registration_result_from_answer(response.status_code, body)

    def register(self, access_token: str, channel: str, device_token: str) -> RegistrationResult:
        response = self._post_registration(access_token, channel, device_token)
        result = self._result(self.connection, response)
        if result.ok and not response.headers.get("Location"):
            # The Voice SDKs treat this as registration error 31301; status 0 means "no valid answer".
            return RegistrationResult(
                0, 31301, f"registration answered {response.status_code} without a Location header"
            )
        return result

    def unregister(self, access_token: str, channel: str, device_token: str) -> RegistrationResult:
        # As the Voice SDKs do: POST to learn the registration's Location, then DELETE it.
        posted = self._post_registration(access_token, channel, device_token)
        location = posted.headers.get("Location")
        if not (200 <= posted.status_code < 300) or not location:
            return self._result(self.connection, posted)
        deleted = self.connection.request("DELETE", location, headers={TOKEN_HEADER: access_token})
        return self._result(self.connection, deleted)

    def place_call(self, twiml: str) -> CallResult:
        response = self.connection.request("POST", f"{CONTROL}/calls", json={"twiml": twiml})
        self.connection.expect(response, 200, "placing a call")
        try:
            return harness.call_result_from_json(self.connection.json(response, "placing a call"))
        except harness.ProtocolError as exc:
            raise CandidateError(f"placing a call: {exc}") from exc


class HttpClient:
    """The client role of an HTTP candidate: hands it pushes and reads back what it decided."""

    def __init__(self, connection: Connection, client_id: str) -> None:
        self.connection = connection
        self.path = f"{CONTROL}/clients/{client_id}"

    def handle_push(self, data: Mapping[str, str]) -> PushHandling:
        response = self.connection.request("POST", f"{self.path}/push", json={"data": dict(data)})
        self.connection.expect(response, 200, "handing the client a push")
        try:
            return harness.push_handling_from_json(self.connection.json(response, "handing the client a push"))
        except harness.ProtocolError as exc:
            raise CandidateError(f"handing the client a push: {exc}") from exc

    def on_device_token(self, device_token: str) -> None:
        response = self.connection.request("POST", f"{self.path}/device-token", json={"device_token": device_token})
        self.connection.expect(response, (200, 204), "handing the client a device token")


class HttpTarget:
    """A harness-protocol server at ``base_url``; builds one session-backed candidate per scenario."""

    def __init__(
        self, base_url: str, timeout_s: float = DEFAULT_TIMEOUT_S, process: subprocess.Popen[str] | None = None
    ):
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.process = process
        self._sessions = PerThreadSession()
        self.declared = self.preflight()

    def _http(self) -> requests.Session:
        return self._sessions.get()

    def preflight(self) -> Declared:
        url = f"{self.base_url}{CONTROL}/capabilities"
        try:
            response = self._http().get(url, timeout=self.timeout_s)
        except requests.ConnectionError:
            raise HttpTargetError(f"cannot connect to {self.base_url}: is the server running?") from None
        except requests.Timeout:
            raise HttpTargetError(f"{url} did not answer within {self.timeout_s} s") from None
        except requests.RequestException as exc:
            raise HttpTargetError(f"{url}: {type(exc).__name__}: {exc}") from None
        if response.status_code != 200:
            raise HttpTargetError(
                f"{url} answered {response.status_code}; a harness server answers 200 with its capabilities"
            )
        try:
            body = response.json()
            roles = tuple(r for r in body["roles"] if r in ("issuer", "service", "client"))
            capabilities = frozenset(c for c in body.get("capabilities", []) if c in CAPABILITIES or c == "sessions")
            profiles = frozenset(str(p) for p in body.get("profiles", []))
        except (ValueError, KeyError, TypeError):
            raise HttpTargetError(f"{url} did not answer the capabilities JSON of the harness protocol") from None
        if "sessions" not in capabilities:
            raise HttpTargetError(f"{self.base_url} does not offer harness sessions, which this suite needs")
        return Declared(
            description=str(body.get("description", self.base_url)),
            roles=roles,
            capabilities=capabilities - {"sessions"},
            token_url=body.get("token_url"),
            voice_url=body.get("voice_url"),
            profiles=profiles,
        )

    def declaration(self) -> Candidate:
        """What the capabilities answer declares, as a candidate whose roles may not be used.

        The suite builds one candidate before the scenarios, only to read its roles and
        capabilities; over HTTP that needs no session on the server.
        """
        connection = _DeclarationOnly(self.base_url, self.timeout_s, self._http())
        declared = self.declared
        return Candidate(
            description=declared.description,
            issuer=HttpIssuer(connection, declared.token_url, declared.voice_url)
            if "issuer" in declared.roles and declared.token_url
            else None,
            service=HttpVoiceService(connection) if "service" in declared.roles else None,
            client_factory=(lambda env: HttpClient(connection, "none")) if "client" in declared.roles else None,
            capabilities=declared.capabilities,
            profiles=declared.profiles,
        )

    def build(self, context: HarnessContext) -> Candidate:
        """One scenario's candidate, backed by a new session on the server.

        Every scenario's context carries the suite's loopback URLs. A context without them
        is the suite asking what the candidate declares, before any scenario: that opens no
        session (see :meth:`declaration`).
        """
        if context.registrar_url is None and context.token_url is None:
            return self.declaration()
        connection = Connection(self.base_url, self.timeout_s, self._http())
        clock = context.clock
        body: dict[str, Any] = {
            "credentials": harness.credentials_to_json(context.credentials),
            "fcm_base_url": context.fcm.base_url,
            "registrar_url": context.registrar_url,
            "token_url": context.token_url,
            "clock_ms": clock.now_ms() if isinstance(clock, ManualClock) else None,
        }
        response = connection.request("POST", f"{CONTROL}/sessions", json=body)
        connection.expect(response, (200, 201), "opening a harness session")
        session_id = connection.json(response, "opening a harness session").get("session")
        if not isinstance(session_id, str):
            raise CandidateError("opening a harness session: the answer names no session")
        connection.session_id = session_id

        if isinstance(clock, ManualClock) and "clock" in self.declared.capabilities:

            def follow(now_ms: int) -> None:
                answer = connection.request("POST", f"{CONTROL}/clock", json={"now_ms": now_ms})
                connection.expect(answer, (200, 204), "moving the candidate's clock")

            clock.subscribe(follow)

        declared = self.declared
        issuer = None
        if "issuer" in declared.roles and declared.token_url:
            issuer = HttpIssuer(connection, declared.token_url, declared.voice_url)

        def new_client(env: ClientEnvironment) -> Client:
            answer = connection.request("POST", f"{CONTROL}/clients", json={"identity": env.identity})
            connection.expect(answer, (200, 201), "creating a client")
            client_id = connection.json(answer, "creating a client").get("client")
            if not isinstance(client_id, str):
                raise CandidateError("creating a client: the answer names no client id")
            return HttpClient(connection, client_id)

        def close() -> None:
            # The suite does not judge this answer: a failure is a note on the scenario, never a verdict.
            # TargetUnreachable still propagates: the target is gone, and the scenario could not run.
            what = f"closing harness session {session_id}"
            try:
                answer = connection.request("DELETE", f"{CONTROL}/sessions/{session_id}")
            except CandidateError as exc:
                FAULTS.note(f"{what} failed: {exc}")
                return
            if not 200 <= answer.status_code < 300:
                FAULTS.note(f"{what} answered {answer.status_code}: {answer.text[:200]!r}")

        return Candidate(
            description=declared.description,
            issuer=issuer,
            service=HttpVoiceService(connection) if "service" in declared.roles else None,
            client_factory=new_client if "client" in declared.roles else None,
            capabilities=declared.capabilities,
            close=close,
            profiles=declared.profiles,
        )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def spawn_reference_server(mutant: str | None = None, timeout_s: float = DEFAULT_TIMEOUT_S) -> HttpTarget:
    """Start the reference HTTP server on a free loopback port and connect to it."""
    command = [sys.executable, "-m", "voice_push_conformance.bindings.http_server", "--port", "0"]
    if mutant:
        command += ["--mutant", mutant]
    # stderr goes to a file, never a pipe nobody reads: a full pipe would block the server.
    log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - lives as long as the process
    process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
        command, stdout=subprocess.PIPE, stderr=log, text=True
    )
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    if not line.startswith("listening on "):
        process.kill()
        process.wait(timeout=10)
        log.seek(0)
        raise HttpTargetError(f"the reference HTTP server did not start: {line or log.read().strip()[-500:]}")
    return HttpTarget(line.removeprefix("listening on "), timeout_s, process)
