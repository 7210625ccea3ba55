"""The examples: the numbered ones run (--smoke) and are clean under mypy and pyright, and every
message quoted in examples/bad_shapes.py is exactly what mypy with the plugin prints."""

from __future__ import annotations

import re
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("[0-9]*.py"))
BAD = ROOT / "examples" / "bad_shapes.py"

ERROR = re.compile(r"^(?P<path>.+?):(?P<line>\d+): error: (?P<message>.*?)  \[(?P<code>[a-z-]+)\]$")
IGNORE = re.compile(r"# type: ignore\[(?P<code>[a-z-]+)\]")
EXPECT = re.compile(r"# E: (?P<text>.+)$")


def run(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=ROOT, capture_output=True, text=True, check=False, timeout=timeout
    )


def mypy(cache: Path, *paths: Path) -> subprocess.CompletedProcess[str]:
    """mypy --strict (so every `# type: ignore` must be used) with the plugin from pyproject."""
    return run(
        sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(cache),
        "--no-pretty", "--no-error-summary", *map(str, paths),
    )  # fmt: skip


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mypy_cache")


def comments(path: Path) -> dict[int, str]:
    """The comment on each line (docstrings that quote `# E:` are not comments)."""
    with path.open("rb") as source:
        tokens = tokenize.tokenize(source.readline)
        return {t.start[0]: t.string for t in tokens if t.type == tokenize.COMMENT}


def test_examples_are_numbered() -> None:
    assert len(EXAMPLES) >= 6, EXAMPLES
    assert BAD not in EXAMPLES


def test_bad_shapes_messages_are_exact(cache_dir: Path, tmp_path: Path) -> None:
    """As written the file is clean (each ignore is used); without the ignores mypy reports,
    on each annotated line, exactly one error: the `# E:` text under the ignored code."""
    notes = comments(BAD)
    expected: dict[int, tuple[str, str]] = {}
    lines = BAD.read_text().splitlines(keepends=True)
    for number, comment in notes.items():
        ignore, expect = IGNORE.search(comment), EXPECT.search(comment)
        assert bool(ignore) == bool(expect), f"line {number}: an ignore needs its # E: and back"
        if ignore and expect:
            expected[number] = (ignore["code"], expect["text"])
            lines[number - 1] = lines[number - 1].replace(comment, IGNORE.sub("", comment))
    assert len(expected) >= 10, expected
    stripped = tmp_path / "bad_shapes_stripped.py"
    stripped.write_text("".join(lines))

    result = mypy(cache_dir, BAD, stripped)
    output = result.stdout + result.stderr
    assert "Traceback" not in output and "INTERNAL ERROR" not in output, output
    found: dict[str, dict[int, list[tuple[str, str]]]] = {}
    for line in result.stdout.splitlines():
        match = ERROR.match(line)
        assert match or ": note: " in line, f"unexpected mypy output: {line}"
        if match:
            by_line = found.setdefault(Path(match["path"]).name, {})
            by_line.setdefault(int(match["line"]), []).append((match["code"], match["message"]))
    assert BAD.name not in found, f"bad_shapes.py as written: {found[BAD.name]}"
    actual = found.get(stripped.name, {})
    problems = [
        f"line {number}: expected [{code}] {text!r}, got {actual.get(number)}"
        for number, (code, text) in expected.items()
        if actual.get(number) != [(code, text)]
    ]
    problems += [f"line {n}: unexpected {errs}" for n, errs in actual.items() if n not in expected]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(path: Path) -> None:
    result = run(sys.executable, str(path), "--smoke", timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_plot_without_matplotlib_names_the_extra(tmp_path: Path) -> None:
    """--plot imports matplotlib only when asked, and says how to install it if it is missing."""
    block = (
        "import runpy, sys; sys.modules['matplotlib'] = None; "  # makes `import` raise
        f"sys.argv = ['04', '--smoke', '--plot', {str(tmp_path / 'curves.png')!r}]; "
        f"runpy.run_path({str(ROOT / 'examples' / '04_digits_cnn.py')!r}, run_name='__main__')"
    )
    result = run(sys.executable, "-c", block, timeout=300)
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]
    assert "pip install shaped[plot]" in result.stderr
    assert not (tmp_path / "curves.png").exists()


def test_examples_are_clean_under_mypy(cache_dir: Path) -> None:
    result = mypy(cache_dir, *EXAMPLES)
    assert result.returncode == 0, result.stdout + result.stderr


def test_examples_are_clean_under_pyright() -> None:
    """The numbered examples, and bad_shapes.py as written (its `# pyright: ignore`s mark the
    mistakes that pure typing catches without the plugin)."""
    pyright = Path(sys.executable).parent / "basedpyright"
    assert pyright.exists(), "basedpyright is part of the dev extra: pip install -e '.[dev]'"
    # --pythonpath: resolve numpy, sklearn and tqdm in this environment, whatever PATH says
    paths = map(str, [*EXAMPLES, BAD])
    result = run(str(pyright), "--level", "error", "--pythonpath", sys.executable, *paths)
    assert result.returncode == 0, result.stdout + result.stderr
