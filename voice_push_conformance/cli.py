"""The ``voice-push-conformance`` command: one entry point for every way of using the suite.

Works the same from a checkout and from an installed wheel, from any working directory:
``run`` points pytest at the suite's own configuration and steps (``paths``), so the
options, markers and features base directory never depend on where the user stands.
Imports stay inside the subcommands, so a run starts no slower than ``pytest steps``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

USAGE_ERROR = 4  # the suite's exit status for usage errors (see the README)


def _run(argv: list[str]) -> int:
    """Every feature against the target; all arguments go to pytest (--target, -k, -n...)."""
    import pytest  # noqa: PLC0415 - only this subcommand needs pytest

    from voice_push_conformance import paths  # noqa: PLC0415

    args = ["-c", str(paths.CONFIG), "--rootdir", str(paths.ROOT), str(paths.STEPS), *argv]
    return int(pytest.main(args))


def _serve_reference(argv: list[str]) -> int:
    """Serve the reference implementation over the harness protocol (--port, --mutant)."""
    from voice_push_conformance.bindings import http_server  # noqa: PLC0415

    return http_server.main(argv)


def _coverage(argv: list[str]) -> int:
    """Print source clauses -> requirements -> scenarios (--summary: the clause coverage line)."""
    from voice_push_conformance.tools import coverage  # noqa: PLC0415

    return coverage.main(argv)


def _stability(argv: list[str]) -> int:
    """Run the whole suite several times under one seed; list scenarios whose verdict changes."""
    from voice_push_conformance.tools import stability  # noqa: PLC0415

    return stability.main(argv)


def _killmatrix(argv: list[str]) -> int:
    """Run the suite against every mutant (--only NAME) and print the kill matrix."""
    from voice_push_conformance.tools import killmatrix  # noqa: PLC0415

    return killmatrix.main(argv)


def _tolerance(argv: list[str]) -> int:
    """Run the suite against every legitimate variant (--only NAME) and print the tolerance matrix."""
    from voice_push_conformance.tools import tolerance  # noqa: PLC0415

    return tolerance.main(argv)


def _compare(argv: list[str]) -> int:
    """Compare implementations or builds requirement by requirement (compare.json, compare.html)."""
    from voice_push_conformance.tools import compare  # noqa: PLC0415

    return compare.main(argv)


def _diff(argv: list[str]) -> int:
    """What changed between two runs' reports; exits non-zero on a new failure (a CI gate)."""
    from voice_push_conformance.tools import diff  # noqa: PLC0415

    return diff.main(argv)


def _verify(argv: list[str]) -> int:
    """Verify a --bundle directory offline (--replay re-runs its seed and compares the verdicts)."""
    from voice_push_conformance.tools import bundle  # noqa: PLC0415

    return bundle.main(["verify", *argv])


def _badge(argv: list[str]) -> int:
    """Mint the SVG badge from a verified, complete, conformant bundle (-o badge.svg)."""
    from voice_push_conformance.tools import badge  # noqa: PLC0415

    return badge.main(argv)


COMMANDS: dict[str, Callable[[list[str]], int]] = {
    "run": _run,
    "serve-reference": _serve_reference,
    "coverage": _coverage,
    "stability": _stability,
    "killmatrix": _killmatrix,
    "tolerance": _tolerance,
    "compare": _compare,
    "diff": _diff,
    "verify": _verify,
    "badge": _badge,
}


def usage() -> str:
    """The command list, built from the handlers' own docstrings so it cannot drift."""
    lines = ["usage: voice-push-conformance COMMAND [ARGS...]", "", "commands:"]
    for name, handler in COMMANDS.items():
        summary = (handler.__doc__ or "").strip().splitlines()[0]
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
