"""One ``requests`` session per thread: connection reuse without sharing a session across threads."""

from __future__ import annotations

import threading

import requests


class PerThreadSession:
    """Hands each thread its own session (the suite calls HTTP candidates from many threads at once)."""

    def __init__(self) -> None:
        self._local = threading.local()

    def get(self) -> requests.Session:
        """This thread's session, created on first use."""
        session: requests.Session | None = getattr(self._local, "http", None)
        if session is None:
            session = requests.Session()
            self._local.http = session
        return session
