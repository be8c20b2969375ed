"""Turning the ``--target`` option into a candidate factory, or into one clear error."""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from voice_push_conformance import reference
from voice_push_conformance.target import Candidate, CandidateFactory, HarnessContext

_PYTHON_SPEC = re.compile(r"^(?P<module>[A-Za-z_][\w.]*):(?P<attr>[A-Za-z_]\w*)$")
_FILE_SPEC = re.compile(r"^(?P<path>.+\.py):(?P<attr>[A-Za-z_]\w*)$")


class TargetError(Exception):
    """The target could not be loaded or built; the message says what to fix."""


@dataclass(frozen=True)
class TargetSpec:
    """A resolved ``--target``: how to build its candidate, and whether it runs out of process."""

    spec: str
    kind: str  # "reference" | "mutant" | "python" | "file" | "http" | "token-url"
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
    from voice_push_conformance.bindings import http_client, reference_http  # noqa: PLC0415 - only HTTP runs need them

    try:
        if spec.startswith("reference-http"):
            rest = spec.removeprefix("reference-http").removeprefix(":")
            if rest and not rest.startswith("mutant:"):
                raise TargetError(f"target {spec!r}: use 'reference-http' or 'reference-http:mutant:NAME'")
            target = reference_http.spawn_reference_server(rest.removeprefix("mutant:") or None, timeout_s)
        else:
            target = http_client.HttpTarget(spec, timeout_s)
    except http_client.HttpTargetError as exc:
        raise TargetError(f"target {spec!r} could not be used: {exc}") from None
    return TargetSpec(spec, "http", target.build, remote=True, stop=target.stop)


def _token_url(spec: str, timeout_s: float) -> TargetSpec:
    from voice_push_conformance.bindings import token_url  # noqa: PLC0415 - token URL runs only

    try:
        target = token_url.TokenUrlTarget(spec, timeout_s)
    except token_url.TokenUrlError as exc:
        raise TargetError(f"target {spec!r} could not be used: {exc}") from None
    # Out of process: the scenario's world must not intercept the requests library.
    return TargetSpec(spec, "token-url", target.build, remote=True)


def _from_file(spec: str, path_text: str, attr: str) -> TargetSpec:
    """A factory in an adapter file outside any installed package (the vendor's own project).

    The file's directory goes on ``sys.path`` so the adapter can import its neighbours.
    """
    path = Path(path_text).expanduser().resolve()
    if not path.is_file():
        raise TargetError(f"target {spec!r}: there is no adapter file {path}")
    module_name = "vpc_adapter_" + re.sub(r"\W", "_", path.stem)
    module_spec = importlib.util.spec_from_file_location(module_name, path)
    if module_spec is None or module_spec.loader is None:
        raise TargetError(f"target {spec!r}: {path} cannot be loaded as a Python module")
    if str(path.parent) not in sys.path:
        sys.path.insert(0, str(path.parent))
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[module_name] = module  # dataclasses and pickling look their module up here
    try:
        module_spec.loader.exec_module(module)
    except Exception as exc:
        sys.modules.pop(module_name, None)
        raise TargetError(f"target {spec!r}: loading {path} raised {type(exc).__name__}: {exc}") from None
    factory = getattr(module, attr, None)
    if not callable(factory):
        raise TargetError(f"target {spec!r}: {path.name} has no callable {attr!r}")
    return TargetSpec(spec, "file", factory)


def resolve(spec: str, http_timeout_s: float = 5.0) -> TargetSpec:
    """Turn a target string into a factory.

    ``reference`` | ``mutant:NAME`` | ``package.module:factory`` | ``path/to/adapter.py:factory`` |
    ``http://host:port`` | ``reference-http[:mutant:NAME]`` | ``token-url:URL-with-{identity}``.
    """
    spec = spec.strip()
    if spec.startswith("token-url:"):
        return _token_url(spec, http_timeout_s)
    if spec.startswith(("http://", "https://", "reference-http")):
        return _http(spec, http_timeout_s)
    file_match = _FILE_SPEC.match(spec)
    if file_match is not None:
        return _from_file(spec, file_match.group("path"), file_match.group("attr"))
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
            f"target {spec!r} is not understood: use 'reference', 'mutant:NAME', "
            "a Python adapter as 'package.module:factory' or 'path/to/adapter.py:factory', "
            "an HTTP harness URL 'http://host:port', 'reference-http', "
            "or an issuer's token URL 'token-url:http://host/path?identity={identity}'"
        )
    try:
        module = importlib.import_module(match.group("module"))
    except ImportError as exc:
        raise TargetError(f"target {spec!r}: cannot import {match.group('module')!r}: {exc}") from exc
    factory = getattr(module, match.group("attr"), None)
    if not callable(factory):
        raise TargetError(f"target {spec!r}: {match.group('module')} has no callable {match.group('attr')!r}")
    return TargetSpec(spec, "python", factory)
