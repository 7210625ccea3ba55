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


# A user's own project: its own pyproject.toml enables the plugin, shaped is an installed
# dependency. mypy --strict must report the user's bug and nothing from inside shaped.
USER_MODEL = """\
import shaped as sh
from shaped import losses, nn, optim

dev = sh.Cpu(seed=0)
model = nn.Sequential(
    nn.Conv2d(1, 20, 5), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(20, 20, 5), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear({features}, 10),
)
images = dev.randn((64, 1, 28, 28))
labels = dev.tensor([3] * 64)
adam = optim.Adam(model, lr=1e-3)
grads = model.alloc_grads()
loss = losses.cross_entropy(model(images.traced(grads)), labels)
adam.update(model, loss.backward())
"""


def user_project(folder: Path, features: int) -> Path:
    (folder / "pyproject.toml").write_text(
        '[tool.mypy]\nplugins = ["mypy_plugin"]\nstrict = true\n'
    )
    (folder / "model.py").write_text(USER_MODEL.format(features=features))
    return folder


def test_a_user_project_sees_its_bug_and_nothing_from_shaped(tmp_path: Path) -> None:
    folder = user_project(tmp_path, 500)
    command = [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "cache"), "model.py"]
    result = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
    lines = [line for line in result.stdout.splitlines() if ": error: " in line]
    assert lines == [
        "model.py:14: error: Sequential layer 7 (Linear[500, 10]): linear: Linear[500, 10] "
        "expects (..., 500), got (64, 320): the last dim 320 != in_features 500: flatten gave "
        "20*4*4 = 320  [shape]"
    ], result.stdout + result.stderr

    (folder / "model.py").write_text(USER_MODEL.format(features=320))
    result = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_user_project_is_clean_under_pyright(tmp_path: Path) -> None:
    """pyright cannot compute conv sizes without the plugin, and reports nothing false."""
    folder = user_project(tmp_path, 320)
    pyright = str(Path(sys.executable).parent / "basedpyright")
    command = [pyright, "--pythonpath", sys.executable, "model.py"]
    result = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
    assert result.returncode == 0 and "0 errors, 0 warnings" in result.stdout, result.stdout


def test_the_tour_shows_its_bug() -> None:
    """The README's first command ends with `mypy examples/tour.py`: one error, as the README shows."""
    result = run(sys.executable, "-m", "mypy", "--no-incremental", "examples/tour.py")
    lines = [line for line in result.stdout.splitlines() if ": error: " in line]
    assert lines == [
        "examples/tour.py:17: error: Sequential layer 7 (Linear[500, 10]): linear: Linear[500, 10] "
        "expects (..., 500), got (64, 320): the last dim 320 != in_features 500: flatten gave "
        "20*4*4 = 320  [shape]"
    ], result.stdout + result.stderr
    assert lines[0].removeprefix("examples/") in (ROOT / "README.md").read_text().replace(
        "examples/tour.py", "tour.py"
    )


def test_a_users_own_mypy_plugin_module_does_not_shadow_shaped_mypy(tmp_path: Path) -> None:
    """`plugins = ["shaped.mypy"]` loads shaped's plugin even beside a user's mypy_plugin.py."""
    folder = user_project(tmp_path, 500)
    (folder / "pyproject.toml").write_text(
        '[tool.mypy]\nplugins = ["shaped.mypy"]\nallow_redefinition = true\n'
    )
    (folder / "mypy_plugin.py").write_text("raise SystemExit('the user module was imported')\n")
    command = [sys.executable, "-m", "mypy", "--no-incremental", "model.py"]
    result = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
    assert "flatten gave 20*4*4 = 320  [shape]" in result.stdout, result.stdout + result.stderr
