"""The voice service as the suite plays it for the client role: it records each registration
the client makes and answers it, failing on demand to test the client's retry."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from voice_push_conformance.clock import Clock
from voice_push_conformance.target import RegistrationResult


@dataclass(frozen=True)
class RegistrationRequest:
    """One registration the suite's registrar received from a client, as the steps check it."""

    access_token: str = field(repr=False)  # a bearer credential: kept out of reprs, which tracebacks print
    channel: str
    device_token: str
    at_ms: int


class SuiteRegistrar:
    """The voice service as played by the suite for the client role: records and answers."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.requests: list[RegistrationRequest] = []
        self.failures_to_give = 0
        self._lock = threading.Lock()

    def fail_next(self, count: int = 1) -> None:
        self.failures_to_give = count

    def register(self, access_token: str, channel: str, device_token: str) -> RegistrationResult:
        with self._lock:
            self.requests.append(RegistrationRequest(access_token, channel, device_token, self.clock.now_ms()))
            if self.failures_to_give > 0:
                self.failures_to_give -= 1
                return RegistrationResult(503, 31503, "Service Unavailable (failure injected by the suite)")
        return RegistrationResult(201, None, "registered")
