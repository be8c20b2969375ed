"""JSON Schemas from ``schemas/``, each compiled once per process."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

from voice_push_conformance.paths import SCHEMAS


class SchemaViolation(AssertionError):
    """A payload does not match its schema; the message lists every error with its path."""


@cache
def validator(name: str) -> Draft202012Validator:
    """A checked validator for ``schemas/<name>.json``, built once per process."""
    path = SCHEMAS / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(f"no schema named {name!r} (looked for {path})")
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def errors(name: str, instance: Any) -> list[str]:
    """Every way ``instance`` breaks schema ``name``, one readable line each."""
    found = sorted(validator(name).iter_errors(instance), key=lambda e: (list(e.absolute_path), e.message))
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}" for e in found]


def check(name: str, instance: Any, what: str) -> None:
    """Raises SchemaViolation listing every problem, for data that must match a schema."""
    problems = errors(name, instance)
    if problems:
        listing = "\n  ".join(problems)
        raise SchemaViolation(f"{what} does not match schema {name!r}:\n  {listing}")
