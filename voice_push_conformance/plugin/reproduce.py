"""The command that replays one scenario of a run, as the reports print it next to a failure."""

from __future__ import annotations

import os
import re
import shlex
import sys
from pathlib import Path

from voice_push_conformance.codecs.harness import DEFAULT_HTTP_TIMEOUT_S
from voice_push_conformance.paths import ROOT

_PYTHON_TARGET = re.compile(r"^(?P<module>[A-Za-z_][\w.]*):[A-Za-z_]\w*$")


def adapter_import_root(target: str) -> Path | None:
    """The ``PYTHONPATH`` entry a Python adapter was imported from, if that is what made it importable.

    None for every other target, and for an adapter installed in the environment or living
    in the suite's checkout (pytest imports those without help).
    """
    match = _PYTHON_TARGET.match(target.strip())
    module = sys.modules.get(match.group("module")) if match else None
    origin = getattr(module, "__file__", None)
    if match is None or origin is None:
        return None
    path = Path(origin).resolve()
    depth = match.group("module").count(".") + (1 if path.name == "__init__.py" else 0)
    root = path.parents[depth]
    from_env = {Path(p).resolve() for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p}
    return root if root in from_env and root != ROOT.resolve() else None


def reproduce_command(
    target: str, seed: int, expectations: str | None = None, http_timeout_s: float | None = None
) -> str:
    """The shell command that replays one scenario of this run; ``{name}`` stands for the scenario.

    It names everything the run depended on: the target, the seed, the expectations file,
    an HTTP timeout other than the default, and the ``PYTHONPATH`` that made a Python
    adapter importable. tox passes no ``PYTHONPATH`` into its environments, so a command
    that needs one runs pytest with the interpreter of this run instead of ``./suite``.
    """
    options = ["--target", target, "--seed", str(seed)]
    if expectations:
        options += ["--expectations", str(Path(expectations).resolve())]
    if http_timeout_s is not None and http_timeout_s != DEFAULT_HTTP_TIMEOUT_S:
        options += ["--http-timeout", f"{http_timeout_s:g}"]
    quoted = " ".join(shlex.quote(o) for o in options).replace("{", "{{").replace("}", "}}")
    root = adapter_import_root(target)
    if root is None:
        return f'./suite conformance {quoted} -k "{{name}}"'
    prefix = f"PYTHONPATH={shlex.quote(str(root))} {shlex.quote(sys.executable)} -m pytest steps"
    return f'{prefix.replace("{", "{{").replace("}", "}}")} {quoted} -k "{{name}}"'
