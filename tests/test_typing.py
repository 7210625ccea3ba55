"""Static checks are tests: tests/typing/pass and examples/ are clean under mypy and pyright."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PASS = sorted(str(p) for p in (ROOT / "tests" / "typing" / "pass").glob("*.py"))
PASS += sorted(str(p) for p in (ROOT / "examples").glob("[0-9]*.py"))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)


def test_pass_files_are_clean_under_mypy() -> None:
    result = run(sys.executable, "-m", "mypy", "--strict", "--no-incremental", *PASS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_pass_files_are_clean_under_pyright() -> None:
    pyright = Path(sys.executable).parent / "basedpyright"
    if not pyright.exists():
        pytest.fail("basedpyright is part of the dev extra: pip install -e '.[dev]'")
    result = run(str(pyright), "--level", "error", *PASS)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", PASS, ids=lambda p: Path(p).name)
def test_pass_files_run(path: str) -> None:
    """What both checkers accept also runs: the static and run-time views agree."""
    result = run(sys.executable, path)
    assert result.returncode == 0, result.stdout + result.stderr
