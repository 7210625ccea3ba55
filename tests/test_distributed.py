"""shaped.distributed under a real `mpiexec -n 2` (skipped without mpi4py and mpiexec)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mpi4py", reason="shaped.distributed needs the [mpi] extra (mpi4py, mpich)")
MPIEXEC = shutil.which("mpiexec") or str(Path(sys.executable).parent / "mpiexec")
if not Path(MPIEXEC).exists():
    pytest.skip("no mpiexec on this machine (pip install mpich)", allow_module_level=True)
HERE = Path(__file__).parent / "mpi"


def run(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [MPIEXEC, "-n", "2", sys.executable, str(HERE / script), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_twenty_data_parallel_steps_equal_one_process_on_the_whole_batch(tmp_path: Path) -> None:
    """...and a checkpoint rank 0 saves loads back on every rank."""
    result = run("data_parallel_steps.py", str(tmp_path / "checkpoint.npz"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "rank 0 of 2: OK" in result.stdout and "rank 1 of 2: OK" in result.stdout


def test_models_that_differ_fail_with_the_first_difference_and_no_hang() -> None:
    result = run("mismatched_models.py")
    assert result.returncode != 0
    assert "DataParallel: rank" in result.stderr
    assert "parameter 0 is weight (4, 3) Float32 here and weight (5, 3) Float32 there" in (
        result.stderr
    ) or "parameter 0 is weight (5, 3) Float32 here and weight (4, 3) Float32 there" in (
        result.stderr
    )


def test_the_example_trains_on_two_ranks() -> None:
    example = Path(__file__).parent.parent / "examples" / "07_data_parallel.py"
    result = subprocess.run(
        [MPIEXEC, "-n", "2", sys.executable, str(example), "--smoke"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 rank(s): test accuracy" in result.stdout


def test_an_exception_on_one_rank_ends_every_rank_with_its_message() -> None:
    result = run("one_rank_fails.py")  # a hang would be the 120 s timeout
    assert result.returncode != 0
    assert "rank 1 failed; ending every rank" in result.stderr
    assert "the data on rank 1 is missing" in result.stderr
