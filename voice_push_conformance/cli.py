"""The ``voice-push-conformance`` command: one entry point for every way of using the suite.

Works the same from a checkout and from an installed wheel, from any working directory:
``run`` points pytest at the suite's own configuration and steps (``paths``), so the
options, markers and features base directory never depend on where the user stands.
Imports stay inside the subcommands, so a run starts no slower than ``pytest steps``.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass

USAGE_ERROR = 4  # the suite's exit status for usage errors (see the README)


def _run(argv: list[str]) -> int:
    """Every feature against the target; all arguments go to pytest (--target, -k, -n...)."""
    import pytest  # noqa: PLC0415 - only this subcommand needs pytest

    from voice_push_conformance import paths  # noqa: PLC0415

    args = ["-c", str(paths.CONFIG), "--rootdir", str(paths.ROOT), str(paths.STEPS), *argv]
    return int(pytest.main(args))


@dataclass(frozen=True)
class Tool:
    """A subcommand that is a module's ``main(argv)``, imported only when it runs."""

    module: str
    summary: str
    before: tuple[str, ...] = ()  # arguments put ahead of the user's (``verify`` is ``bundle verify``)

    def __call__(self, argv: list[str]) -> int:
        tool_main: Callable[[list[str]], int] = importlib.import_module(self.module).main
        return tool_main([*self.before, *argv])


_TOOLS = "voice_push_conformance.tools."
COMMANDS: dict[str, Callable[[list[str]], int]] = {
    "run": _run,
    "serve-reference": Tool(
        "voice_push_conformance.bindings.http_server",
        "Serve the reference implementation over the harness protocol (--port, --mutant).",
    ),
    "coverage": Tool(
        _TOOLS + "coverage", "Print source clauses -> requirements -> scenarios (--summary: the clause coverage line)."
    ),
    "stability": Tool(
        _TOOLS + "stability", "Run the whole suite several times under one seed; list scenarios whose verdict changes."
    ),
    "killmatrix": Tool(
        _TOOLS + "killmatrix", "Run the suite against every mutant (--only NAME) and print the kill matrix."
    ),
    "tolerance": Tool(
        _TOOLS + "tolerance",
        "Run the suite against every legitimate variant (--only NAME) and print the tolerance matrix.",
    ),
    "compare": Tool(
        _TOOLS + "compare", "Compare implementations or builds requirement by requirement (compare.json, compare.html)."
    ),
    "diff": Tool(
        _TOOLS + "diff", "What changed between two runs' reports; exits non-zero on a new failure (a CI gate)."
    ),
    "verify": Tool(
        _TOOLS + "bundle",
        "Verify a --bundle directory offline (--replay re-runs its seed and compares the verdicts).",
        before=("verify",),
    ),
    "badge": Tool(_TOOLS + "badge", "Mint the SVG badge from a verified, complete, conformant bundle (-o badge.svg)."),
}


def usage() -> str:
    """The command list, from each tool's summary (``run``: its docstring)."""
    lines = ["usage: voice-push-conformance COMMAND [ARGS...]", "", "commands:"]
    for name, handler in COMMANDS.items():
        summary = handler.summary if isinstance(handler, Tool) else (handler.__doc__ or "").strip().splitlines()[0]
        lines.append(f"  {name:<16} {summary}")
    lines += ["", "'voice-push-conformance run --help' lists the pytest and suite options."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``voice-push-conformance`` console script."""
    try:
        return _dispatch(sys.argv[1:] if argv is None else list(argv))
    except BrokenPipeError:
        # Output piped into a reader that stopped early (``coverage | head``) is not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _dispatch(args: list[str]) -> int:
    if not args or args[0] in {"-h", "--help", "help"}:
        print(usage())
        return 0 if args else USAGE_ERROR
    command, rest = args[0], args[1:]
    handler = COMMANDS.get(command)
    if handler is not None:
        return handler(rest)
    known = ", ".join(COMMANDS)
    print(f"voice-push-conformance: unknown command {command!r}; commands: {known}", file=sys.stderr)
    return USAGE_ERROR
