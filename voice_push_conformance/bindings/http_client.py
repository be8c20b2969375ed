"""The HTTP adapter: a candidate reached over the harness protocol.

Every scenario opens a session on the candidate (``POST /conformance/v1/sessions``)
carrying the suite's credentials, clock and loopback URLs, and closes it at the end.
Before the scenarios, the suite only reads ``GET /conformance/v1/capabilities``: it opens
no session to learn what the candidate declares.

The requests themselves, and the target's faults that are not verdicts (read by
``plugin/target_faults``), are :mod:`voice_push_conformance.bindings.connection`'s; the
roles are :mod:`voice_push_conformance.bindings.http_roles`'.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass

import requests

from voice_push_conformance.bindings.connection import (
    FAULTS,
    Connection,
    TargetUnreachable,
    probe,
)
from voice_push_conformance.bindings.http_roles import DeclarationOnly, HttpClient, HttpIssuer, HttpVoiceService
from voice_push_conformance.bindings.sessions import PerThreadSession
from voice_push_conformance.clock import ManualClock
from voice_push_conformance.codecs import harness
from voice_push_conformance.codecs.harness import CONTROL
from voice_push_conformance.target import CAPABILITIES, Candidate, CandidateError, Client, ClientEnvironment
from voice_push_conformance.target import HarnessContext as Context

__all__ = [
    "DEFAULT_TIMEOUT_S",
    "Connection",
    "Declared",
    "HttpTarget",
    "HttpTargetError",
    "TargetUnreachable",
]

DEFAULT_TIMEOUT_S = harness.DEFAULT_HTTP_TIMEOUT_S
ClientFactory = Callable[[ClientEnvironment], Client]
Close = Callable[[], None]


class HttpTargetError(Exception):
    """The target cannot be used at all (unreachable, not speaking the protocol)."""


@dataclass(frozen=True)
class Declared:
    """What an HTTP candidate says about itself before any scenario runs: roles, capabilities, URLs."""

    description: str
    roles: tuple[str, ...]
    capabilities: frozenset[str]
    token_url: str | None
    voice_url: str | None
    profiles: frozenset[str] = frozenset()

    def candidate(self, connection: Connection, new_client: ClientFactory, close: Close | None = None) -> Candidate:
        """The candidate holding the declared roles, all sending on ``connection``."""
        return Candidate(
            description=self.description,
            issuer=HttpIssuer(connection, self.token_url, self.voice_url)
            if "issuer" in self.roles and self.token_url
            else None,
            service=HttpVoiceService(connection) if "service" in self.roles else None,
            client_factory=new_client if "client" in self.roles else None,
            capabilities=self.capabilities,
            close=close,
            profiles=self.profiles,
        )


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
        response = probe(self._http(), url, self.timeout_s, HttpTargetError, self.base_url)
        if response.status_code != 200:
            raise HttpTargetError(
                f"{url} answered {response.status_code}; a harness server answers 200 with its capabilities"
            )
        try:
            body = response.json()
            roles = harness.declared_roles(body)
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
        connection = DeclarationOnly(self.base_url, self.timeout_s, self._http())
        return self.declared.candidate(connection, lambda env: HttpClient(connection, "none"))

    def build(self, context: Context) -> Candidate:
        """One scenario's candidate, backed by a new session on the server.

        Every scenario's context carries the suite's loopback URLs. A context without them
        is the suite asking what the candidate declares, before any scenario: that opens no
        session (see :meth:`declaration`).
        """
        if context.registrar_url is None and context.token_url is None:
            return self.declaration()
        connection = Connection(self.base_url, self.timeout_s, self._http())
        opened = connection.call(
            "POST",
            f"{CONTROL}/sessions",
            (200, 201),
            "opening a harness session",
            json=harness.session_to_json(context),
        )
        session_id = opened.get("session")
        if not isinstance(session_id, str):
            raise CandidateError("opening a harness session: the answer names no session")
        connection.session_id = session_id

        clock = context.clock
        if isinstance(clock, ManualClock) and "clock" in self.declared.capabilities:

            def follow(now_ms: int) -> None:
                answer = connection.request("POST", f"{CONTROL}/clock", json={"now_ms": now_ms})
                connection.expect(answer, (200, 204), "moving the candidate's clock")

            clock.subscribe(follow)

        def new_client(env: ClientEnvironment) -> Client:
            identity = {"identity": env.identity}
            created = connection.call("POST", f"{CONTROL}/clients", (200, 201), "creating a client", json=identity)
            client_id = created.get("client")
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

        return self.declared.candidate(connection, new_client, close)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
