"""Turning the ``--target`` option into a candidate factory, or into one clear error."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from voice_push_conformance import reference
from voice_push_conformance.target import Candidate, CandidateFactory, HarnessContext

_PYTHON_SPEC = re.compile(r"^(?P<module>[A-Za-z_][\w.]*):(?P<attr>[A-Za-z_]\w*)$")


class TargetError(Exception):
    """The target could not be loaded or built; the message says what to fix."""


@dataclass(frozen=True)
class TargetSpec:
    spec: str
    kind: str  # "reference" | "mutant" | "python" | "http"
    factory: CandidateFactory
    # Out-of-process candidates push to, and register with, the suite's loopback server.
    remote: bool = False
    stop: Callable[[], None] | None = None

    def build(self, context: HarnessContext) -> Candidate:
        try:
            candidate = self.factory(context)
        except Exception as exc:
            raise TargetError(f"target {self.spec!r}: the factory raised {type(exc).__name__}: {exc}") from exc
        if not isinstance(candidate, Candidate):
            raise TargetError(
                f"target {self.spec!r}: the factory returned {type(candidate).__name__}, "
                "not a voice_push_conformance.target.Candidate"
            )
        return candidate


def _http(spec: str, timeout_s: float) -> TargetSpec:
    from voice_push_conformance.adapters import http  # noqa: PLC0415 - only HTTP runs need Flask

    try:
        if spec.startswith("reference-http"):
            rest = spec.removeprefix("reference-http").removeprefix(":")
            if rest and not rest.startswith("mutant:"):
                raise TargetError(f"target {spec!r}: use 'reference-http' or 'reference-http:mutant:NAME'")
            target = http.spawn_reference_server(rest.removeprefix("mutant:") or None, timeout_s)
        else:
            target = http.HttpTarget(spec, timeout_s)
    except http.HttpTargetError as exc:
        raise TargetError(f"target {spec!r} could not be used: {exc}") from None
    return TargetSpec(spec, "http", target.build, remote=True, stop=target.stop)


def resolve(spec: str, http_timeout_s: float = 5.0) -> TargetSpec:
    """Turn a target string into a factory.

    ``reference`` | ``mutant:NAME`` | ``package.module:factory`` | ``http://host:port`` |
    ``reference-http[:mutant:NAME]``.
    """
    spec = spec.strip()
    if spec.startswith(("http://", "https://", "reference-http")):
        return _http(spec, http_timeout_s)
    if spec in {"", "reference"}:
        return TargetSpec("reference", "reference", reference.build)
    if spec.startswith("mutant:"):
        from voice_push_conformance import mutants  # noqa: PLC0415 - mutants import the reference

        name = spec.removeprefix("mutant:")
        try:
            return TargetSpec(spec, "mutant", mutants.get(name).build)
        except KeyError:
            known = ", ".join(sorted(mutants.CATALOGUE))
            raise TargetError(f"no mutant named {name!r}; known mutants: {known}") from None
    match = _PYTHON_SPEC.match(spec)
    if match is None:
        raise TargetError(
            f"target {spec!r} is not understood: use 'reference', 'mutant:NAME' "
            "a Python adapter as 'package.module:factory', an HTTP harness URL 'http://host:port', "
            "or 'reference-http'"
        )
    try:
        module = importlib.import_module(match.group("module"))
    except ImportError as exc:
        raise TargetError(f"target {spec!r}: cannot import {match.group('module')!r}: {exc}") from exc
    factory = getattr(module, match.group("attr"), None)
    if not callable(factory):
        raise TargetError(f"target {spec!r}: {match.group('module')} has no callable {match.group('attr')!r}")
    return TargetSpec(spec, "python", factory)
