"""Turning the ``--target`` option into a candidate factory, or into one clear error."""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass

from voice_push_conformance import reference
from voice_push_conformance.target import Candidate, CandidateFactory, HarnessContext

_PYTHON_SPEC = re.compile(r"^(?P<module>[A-Za-z_][\w.]*):(?P<attr>[A-Za-z_]\w*)$")


class TargetError(Exception):
    """The target could not be loaded or built; the message says what to fix."""


@dataclass(frozen=True)
class TargetSpec:
    spec: str
    kind: str  # "reference" | "mutant" | "python"
    factory: CandidateFactory

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


def resolve(spec: str) -> TargetSpec:
    """``reference`` | ``mutant:NAME`` | ``package.module:factory``."""
    spec = spec.strip()
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
    if spec.startswith(("http://", "https://")):
        raise TargetError(
            f"target {spec!r}: HTTP targets are not supported by this version of the suite yet; "
            "use 'reference' or a Python adapter 'package.module:factory'"
        )
    match = _PYTHON_SPEC.match(spec)
    if match is None:
        raise TargetError(
            f"target {spec!r} is not understood: use 'reference', 'mutant:NAME' "
            "or a Python adapter as 'package.module:factory'"
        )
    try:
        module = importlib.import_module(match.group("module"))
    except ImportError as exc:
        raise TargetError(f"target {spec!r}: cannot import {match.group('module')!r}: {exc}") from exc
    factory = getattr(module, match.group("attr"), None)
    if not callable(factory):
        raise TargetError(f"target {spec!r}: {match.group('module')} has no callable {match.group('attr')!r}")
    return TargetSpec(spec, "python", factory)
