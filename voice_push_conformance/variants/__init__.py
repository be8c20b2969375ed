"""Legitimate variants: correct implementations that differ from the reference where the source allows.

Each variant swaps one reference role for a subclass that makes a different, allowed
choice (a token shape another helper library emits, a status code HTTP permits, another
storage or delivery strategy), and names the clause or source that allows it. The
tolerance matrix (``python -m voice_push_conformance.tools.tolerance``) runs the suite against
every variant and fails on any verdict other than pass, unless the variant documents why
that verdict is justified: proof that the suite does not fail correct implementations.

A variant is reached as the target ``voice_push_conformance.variants:NAME`` with the
dashes of its name written as underscores.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from voice_push_conformance.reference import RoleClass, RoleSwap
from voice_push_conformance.target import ROLES, Candidate, CandidateFactory, HarnessContext

MODULES = ROLES  # one module per role: variants/issuer.py, service.py, client.py


@dataclass(frozen=True)
class Variant(RoleSwap):
    """A legitimate difference from the reference, to prove the suite does not fail it."""

    name: str
    description: str
    allowed_by: str  # the clause or source that allows the difference
    tolerated: Mapping[str, str] = field(default_factory=dict)  # requirement id -> why a non-pass is justified

    @property
    def target(self) -> str:
        return f"{__name__}:{self.name.replace('-', '_')}"

    def build(self, context: HarnessContext) -> Candidate:
        """The candidate of this variant's roles."""
        return self.build_labelled(context, f"variant {self.name}: {self.description}")


CATALOGUE: dict[str, Variant] = {}


def variant(
    name: str, description: str, *, allowed_by: str, tolerated: Mapping[str, str] | None = None
) -> Callable[[RoleClass], RoleClass]:
    """Register the decorated subclass of one reference role as a legitimate variant."""

    def register(cls: RoleClass) -> RoleClass:
        if name in CATALOGUE:
            raise ValueError(f"variant {name!r} is defined twice")
        if not allowed_by.strip():
            raise ValueError(f"variant {name!r} must name the clause or source that allows it")
        CATALOGUE[name] = Variant(name, description, allowed_by, dict(tolerated or {})).swapped(cls)
        return cls

    return register


def get(name: str) -> Variant:
    """Looks a variant up by name (a KeyError names the unknown one)."""
    return CATALOGUE[name]


def __getattr__(attr: str) -> CandidateFactory:
    """``voice_push_conformance.variants:token_node_shape`` is the factory of variant token-node-shape."""
    entry = CATALOGUE.get(attr.replace("_", "-"))
    if entry is None or attr.startswith("__"):
        raise AttributeError(f"module {__name__!r} has no attribute {attr!r} (and no variant of that name)")
    return entry.build


def _load() -> None:
    import importlib  # noqa: PLC0415

    for module in MODULES:
        importlib.import_module(f"{__name__}.{module}")


_load()
