"""Secret values that cannot leak by accident into reports, logs or assertion output."""

from __future__ import annotations

from typing import Final

REDACTED: Final = "[redacted]"


class Secret:
    """Wraps a secret so that ``str``/``repr``/f-strings show ``[redacted]``.

    The value is reachable only through :meth:`reveal`, which makes every place that
    handles the real secret easy to find.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str) or not value:
            raise ValueError("a secret must be a non-empty string")
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({REDACTED!r})"

    def __str__(self) -> str:
        return REDACTED

    def __format__(self, spec: str) -> str:
        return REDACTED

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def redact(text: str, secrets: list[Secret] | tuple[Secret, ...]) -> str:
    """Remove every revealed secret value from ``text``."""
    for secret in secrets:
        text = text.replace(secret.reveal(), REDACTED)
    return text
