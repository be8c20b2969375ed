"""What the suite and the candidate said to each other during one scenario.

Reports show it next to a failure as evidence. Entries are recorded already redacted:
every configured secret is replaced before the text is stored, so no later consumer
(HTML, JSON, logs) can leak one.
"""

from __future__ import annotations

import threading
from contextvars import ContextVar
from dataclasses import dataclass, field

from voice_push_conformance.secrecy import Secret, scrub

MAX_TEXT = 4_000


@dataclass(frozen=True)
class Exchange:
    """One request and its answer: a candidate call, an HTTP request, or a push FCM received."""

    channel: str  # "candidate" | "http" | "fcm"
    request: str
    response: str
    at_ms: int


@dataclass
class Transcript:
    """The exchanges of one scenario, scrubbed and cut short, for the report."""

    secrets: tuple[Secret, ...] = ()
    exchanges: list[Exchange] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def clean(self, text: str) -> str:
        # Secrets out; an access token is a bearer credential, so its signature goes too.
        text = scrub(text, self.secrets)
        return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + f"… [{len(text) - MAX_TEXT} more characters]"

    def record(self, channel: str, request: str, response: str, at_ms: int) -> None:
        entry = Exchange(channel, self.clean(request), self.clean(response), at_ms)
        with self._lock:
            self.exchanges.append(entry)


# The transcript of the scenario running in this context (set by the world fixture).
CURRENT: ContextVar[Transcript | None] = ContextVar("vpc_transcript", default=None)


def record(channel: str, request: str, response: str, at_ms: int) -> None:
    """Adds an exchange to the current scenario's transcript, if one is open."""
    transcript = CURRENT.get()
    if transcript is not None:
        transcript.record(channel, request, response, at_ms)
