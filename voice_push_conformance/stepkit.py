"""Step patterns for the features: quoted fields that cannot swallow a quote, and typed fields.

With plain ``parsers.parse``, the field in ``'"{caller}" calls "{callee}"'`` happily
matches ``bob" with the parameters of vector "plain-ascii`` and pytest-bdd picks one of
the matching definitions silently. Every step of the suite uses :func:`phrase`, and a
self-test checks that each step line matches exactly one definition.

:func:`phrase` also knows the suite's typed fields, each a :class:`Converter`: counts
with their noun (``{n:CallPushes}`` reads "1 call push" and "3 call pushes" as an
``int``), durations (``{ms:Duration}`` reads "300000 ms" and "364 days" as
milliseconds), and any converter a steps module passes for its own vocabulary.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pytest_bdd import parsers

from voice_push_conformance.clock import MS_PER_DAY

_QUOTED_FIELD = re.compile(r'"\{(\w+)\}"')


class Converter:
    """A ``parse`` type: ``pattern`` is what the field matches (no capturing groups), ``convert`` its value."""

    regex_group_count = 0

    def __init__(self, pattern: str, convert: Callable[[str], Any]) -> None:
        self.pattern = pattern
        self._convert = convert

    def __call__(self, text: str) -> Any:
        return self._convert(text)


def one_of(choices: dict[str, Any]) -> Converter:
    """A field that is one of a few fixed phrases, read as the value each stands for."""
    pattern = "|".join(re.escape(text) for text in sorted(choices, key=len, reverse=True))
    return Converter(pattern, choices.__getitem__)


def counted(singular: str, plural: str) -> Converter:
    """A count followed by its noun, singular or plural ("1 call push", "0 call pushes"), read as the count."""
    return Converter(rf"\d+ (?:{re.escape(plural)}|{re.escape(singular)})", lambda text: int(text.split(" ", 1)[0]))


def _duration_ms(text: str) -> int:
    amount, unit = text.split(" ", 1)
    return int(amount) * (1 if unit == "ms" else MS_PER_DAY)


TYPES: dict[str, Converter] = {
    "Quoted": Converter(r'[^"]*', str),
    "CallPushes": counted("call push", "call pushes"),
    "Pushes": counted("push", "pushes"),
    "Requests": counted("request", "requests"),
    "Times": counted("time", "times"),
    "Duration": Converter(r"\d+ (?:ms|days|day)", _duration_ms),
}


def phrase(text: str, **types: Converter) -> parsers.parse:
    """A ``parsers.parse`` pattern in which every ``"{name}"`` field stops at the closing quote.

    ``{name:Type}`` fields use :data:`TYPES` and the converters passed as keywords.
    """
    return parsers.parse(_QUOTED_FIELD.sub(r'"{\1:Quoted}"', text), extra_types={**TYPES, **types})
