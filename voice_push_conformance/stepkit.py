"""Step patterns for the features: quoted fields that cannot swallow a quote.

With plain ``parsers.parse``, the field in ``'"{caller}" calls "{callee}"'`` happily
matches ``bob" with the parameters of vector "plain-ascii`` and pytest-bdd picks one of
the matching definitions silently. Every step of the suite uses :func:`phrase`, and a
self-test checks that each step line matches exactly one definition.
"""

from __future__ import annotations

import re

from pytest_bdd import parsers

_QUOTED_FIELD = re.compile(r'"\{(\w+)\}"')


class _Quoted:
    """A ``parse`` type converter: the ``pattern`` attribute is what ``parse`` matches."""

    pattern = r'[^"]*'

    def __call__(self, text: str) -> str:
        return text


def phrase(text: str) -> parsers.parse:
    """A ``parsers.parse`` pattern in which every ``"{name}"`` field stops at the closing quote."""
    return parsers.parse(_QUOTED_FIELD.sub(r'"{\1:Quoted}"', text), extra_types={"Quoted": _Quoted()})
