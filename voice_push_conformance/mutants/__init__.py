"""Deliberately broken variants of the reference implementation.

Each mutant swaps one rule of one reference role for a mistake real implementers make,
and names the catalogue requirement it breaks. The self-tests run the suite against
every mutant and check that its requirement fails: proof that the suite can fail.
Mutants live in one module per feature area, named like the feature.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from voice_push_conformance.reference import RoleClass, RoleSwap
from voice_push_conformance.target import Candidate, HarnessContext

AREAS = (
    "access_token",
    "late_discard",
    "twi_params",
    "registration",
    "registration_cadence",
    "device_limit",
    "push_delivery",
    "twiml_dial",
)


@dataclass(frozen=True)
class Mutant(RoleSwap):
    """A deliberately broken reference that breaks one requirement, to prove its checks can fail."""

    name: str
    breaks: str  # requirement id
    description: str

    def build(self, context: HarnessContext) -> Candidate:
        """The candidate of this mutant's roles."""
        return self.build_labelled(context, f"mutant {self.name}: {self.description}")


CATALOGUE: dict[str, Mutant] = {}


def mutant(name: str, breaks: str, description: str) -> Callable[[RoleClass], RoleClass]:
    """Register the decorated subclass of one reference role as a mutant."""

    def register(cls: RoleClass) -> RoleClass:
        if name in CATALOGUE:
            raise ValueError(f"mutant {name!r} is defined twice")
        CATALOGUE[name] = Mutant(name, breaks, description).swapped(cls)
        return cls

    return register


def _load_areas() -> None:
    import importlib  # noqa: PLC0415

    for area in AREAS:
        try:
            importlib.import_module(f"{__name__}.{area}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{area}":
                raise


def get(name: str) -> Mutant:
    """Looks a mutant up by name (a KeyError names the unknown one)."""
    return CATALOGUE[name]


_load_areas()
