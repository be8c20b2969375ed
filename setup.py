"""Build hook: map the repository's top-level suite data into the package.

The checkout keeps features/, steps/, schemas/, fixtures/ and requirements.toml at the top
level (that is where authors edit them). A wheel has no top level, so ``build_py`` copies
them into ``voice_push_conformance/_suite/``, where ``voice_push_conformance.paths`` finds
them through ``importlib.resources``. Editable installs skip the copy: they read the
checkout itself.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
# What a run needs, besides the Python package: the pytest configuration (pyproject.toml's
# [tool.pytest]) and the root conftest travel with it so that the rootdir is self-contained.
SUITE_DIRS = ("features", "steps", "schemas", "fixtures")
SUITE_FILES = ("requirements.toml", "conftest.py", "pyproject.toml")
OPTIONAL_FILES = ("clauses.toml",)  # top-level data other parts of the suite may add


class BuildWithSuiteData(build_py):
    """``build_py`` that also places the top-level suite data under ``_suite/``."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "voice_push_conformance" / "_suite"
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
        for name in SUITE_DIRS:
            shutil.copytree(HERE / name, target / name, ignore=ignore)
        for name in SUITE_FILES + tuple(n for n in OPTIONAL_FILES if (HERE / n).is_file()):
            shutil.copy2(HERE / name, target / name)


setup(cmdclass={"build_py": BuildWithSuiteData})
