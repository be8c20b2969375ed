"""What an app served over HTTP reaches out to: the suite's registrar and token endpoint.

The reference server installs its client role with these, so the app registers and fetches
its access tokens over HTTP exactly as a Voice SDK app does, at the URLs the session names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests

from voice_push_conformance.codecs import harness
from voice_push_conformance.target import RegistrationResult


class HttpRegistrar:
    """The voice service's registration endpoint, reached over HTTP as a Voice SDK does."""

    def __init__(self, base_url: str, timeout_s: float = 10.0) -> None:
        self.url = base_url.rstrip("/") + harness.REGISTRATIONS
        self.timeout_s = timeout_s
        self._http = requests.Session()

    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        return self._http.request(method, url, timeout=self.timeout_s, **kwargs)

    def register(self, access_token: str, channel: str, device_token: str) -> RegistrationResult:
        return harness.registration_result(
            harness.post_registration(self._send, self.url, access_token, channel, device_token)
        )


def token_fetcher(token_url: str, identity: str, timeout_s: float = 10.0) -> Callable[[], str]:
    """The app's way to its access token: GET the session's token URL for ``identity``, the body is the token."""
    http = requests.Session()

    def fetch() -> str:
        answer = http.get(token_url.replace("{identity}", identity), timeout=timeout_s)
        answer.raise_for_status()
        return answer.text.strip()

    return fetch
