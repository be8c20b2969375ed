"""One scenario's HTTP requests to a candidate, and the target's faults that are not verdicts.

Requests use one connection pool per thread, a per-request timeout, and are recorded in
the scenario's transcript (secrets redacted). Two faults of the target are not verdicts on
the implementation:

- a session ``DELETE`` that fails or hangs becomes a note on the scenario
  (:func:`take_notes`), because the suite does not judge that answer;
- :data:`MAX_CONNECTION_FAILURES` connection failures in a row mean the target is gone:
  :class:`TargetUnreachable` is raised, :func:`unreachable` says why, and the run stops.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import requests
from urllib3.exceptions import NewConnectionError

from voice_push_conformance.codecs.harness import SESSION_HEADER
from voice_push_conformance.observers.transcript import record as record_exchange
from voice_push_conformance.target import CandidateError

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


def probe(http: requests.Session, url: str, timeout_s: float, error: type[Exception], server: str) -> requests.Response:
    """One GET before any scenario, checking only that ``server`` answers; any failure is ``error``."""
    try:
        return http.get(url, timeout=timeout_s)
    except requests.ConnectionError:
        raise error(f"cannot connect to {server}: is the server running?") from None
    except requests.Timeout:
        raise error(f"{url} did not answer within {timeout_s} s") from None
    except requests.RequestException as exc:
        raise error(f"{url}: {type(exc).__name__}: {exc}") from None


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

    def call(self, method: str, path: str, status: int | tuple[int, ...], what: str, **kwargs: Any) -> Any:
        """A request whose answer must have one of ``status`` and a JSON body, which is returned."""
        response = self.request(method, path, **kwargs)
        self.expect(response, status, what)
        return self.json(response, what)
