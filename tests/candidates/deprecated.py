"""A correct candidate that emits a DeprecationWarning on every call, like a service built on
a push library that deprecates the very call it must make.

Only the self-tests use it: the suite must judge it conformant and show its warnings as
notes. Each warning is attributed to the caller (``stacklevel=2``), that is to the suite's
own code, as libraries do for deprecations; the service also warns from a thread it starts
itself, as a push sender with a worker pool would.
"""

from __future__ import annotations

import functools
import threading
import warnings
from collections.abc import Callable
from typing import Any

from voice_push_conformance import reference
from voice_push_conformance.target import Candidate, ClientEnvironment, HarnessContext

MESSAGE = "{role}.{name}() is deprecated; use the v2 push API"

# As some SDKs do on import: the suite imports this module while it loads the target.
warnings.warn("this push SDK release is deprecated", DeprecationWarning, stacklevel=1)


class _Warns:
    """Forwards every attribute to ``inner``; each method call first warns."""

    def __init__(self, inner: object, role: str) -> None:
        self._inner = inner
        self._role = role

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._inner, name)
        if name.startswith("_") or not callable(value):
            return value

        @functools.wraps(value)
        def call(*args: Any, **kwargs: Any) -> Any:
            warnings.warn(MESSAGE.format(role=self._role, name=name), DeprecationWarning, stacklevel=2)
            if self._role == "service" and name == "place_call":
                worker = threading.Thread(target=_warn_from_worker, name="candidate-push-worker")
                worker.start()
                worker.join()
            return value(*args, **kwargs)

        return call


def _warn_from_worker() -> None:
    warnings.warn("the push worker's transport is deprecated", DeprecationWarning, stacklevel=1)


def _client_factory(inner: Callable[[ClientEnvironment], object]) -> Callable[[ClientEnvironment], Any]:
    def build_client(env: ClientEnvironment) -> Any:
        warnings.warn(MESSAGE.format(role="client", name="__init__"), DeprecationWarning, stacklevel=2)
        return _Warns(inner(env), "client")

    return build_client


def build(context: HarnessContext) -> Candidate:
    warnings.warn(MESSAGE.format(role="candidate", name="build"), DeprecationWarning, stacklevel=2)
    inner = reference.build(context, description="deprecation-warning test candidate")
    assert inner.client_factory is not None
    return Candidate(
        description=inner.description,
        issuer=_Warns(inner.issuer, "issuer"),
        service=_Warns(inner.service, "service"),
        client_factory=_client_factory(inner.client_factory),
        capabilities=inner.capabilities,
        close=_close,
    )


def _close() -> None:
    warnings.warn(MESSAGE.format(role="candidate", name="close"), DeprecationWarning, stacklevel=2)
