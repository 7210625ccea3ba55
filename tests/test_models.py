"""A corpus of PyTorch-style models as typing tests: tests/typing/models/ holds public models
ported as they read upstream (nn.Module subclasses called as `net(x)`, `x = layer(x)` down a
forward, sizes as `16 * 5 * 5` and `Final` constants, TypeVar batch dims, numpy data), and
tests/typing/models/bugs/ the classic mistakes in them.

- mypy --strict with the project's configuration (pyproject.toml's [tool.mypy], the block the
  README gives users) reports nothing on the models, and every `assert_type` holds;
- pyright (basedpyright --level error) reports nothing but its documented by-design limits,
  each counted and printed (see `pyright_limit`);
- every model runs as a script, so no expectation is wrong at run time;
- every bug file is clean as written and reports exactly its planted errors with the ignores
  stripped (tests/typing_helpers.fail_file_problems, shared with the fail/ files).
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.typing_helpers import ROOT, assert_no_crash, errors, fail_file_problems, mypy

MODELS = sorted((ROOT / "tests" / "typing" / "models").glob("*.py"))
BUGS = sorted((ROOT / "tests" / "typing" / "models" / "bugs").glob("*.py"))


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One mypy cache for the module: `shaped` itself is checked once."""
    return tmp_path_factory.mktemp("mypy_cache")


def test_the_corpus_is_there() -> None:
    names = {path.stem for path in MODELS}
    expected = {"mnist_net", "lenet", "makemore_mlp", "nanogpt_block", "resnet_block", "vae"}
    expected |= {"unet", "dcgan"}
    assert expected <= names, sorted(expected - names)
    assert {path.stem for path in BUGS} == names, "one bugs/ file per model"


# ---------------------------------------------------------------- mypy


def test_models_are_clean_under_mypy(cache_dir: Path) -> None:
    """One mypy --strict run over every model: no error, so every assert_type holds."""
    result = mypy(cache_dir, *MODELS)
    assert_no_crash(result)
    found = [
        f"{name}:{line}: {msg} [{code}]"
        for name, rows in errors(result.stdout).items()
        for line, code, msg in rows
    ]
    assert result.returncode == 0 and not found, "\n".join(found) or result.stdout


# ---------------------------------------------------------------- pyright

TOKEN = re.compile(r'\.\.\.|"[^"]*"|\'[^\']*\'|-?\d+|[A-Za-z_][\w.@]*|[\[\],()]')


def parse_type(text: str) -> object:
    """pyright's spelling of a type as a tree: a name, or (name, [arguments])."""
    tokens = TOKEN.findall(text)
    position = 0

    def node() -> object:
        nonlocal position
        head = tokens[position]
        position += 1
        if position < len(tokens) and tokens[position] == "[":
            position += 1
            args = []
            while tokens[position] != "]":
                args.append(node())
                if tokens[position] == ",":
                    position += 1
            position += 1
            return (head.split("@")[0], args)
        return head.split("@")[0]

    tree = node()
    assert position == len(tokens), text
    return tree


def degrades(expected: object, received: object) -> bool:
    """Whether pyright's `received` is `expected` seen without arithmetic: a `Literal` dim or
    size may be `int`, a shape tuple `tuple[Any, ...]`; dtype, device and tape stay exact."""
    if expected == received:
        return True
    if isinstance(expected, tuple) and expected[0] == "Literal" and received == "int":
        return True
    if (
        isinstance(expected, tuple)
        and expected[0] == "tuple"
        and received == ("tuple", ["Any", "..."])
    ):
        return True
    return (
        isinstance(expected, tuple)
        and isinstance(received, tuple)
        and expected[0] == received[0]
        and len(expected[1]) == len(received[1])
        and all(degrades(e, r) for e, r in zip(expected[1], received[1]))
    )


ASSERT_TYPE = re.compile(
    r'"assert_type" mismatch: expected "(?P<expected>.*)" but received "(?P<received>.*)"'
)


def simple_statements(body: list[ast.stmt]) -> list[ast.stmt]:
    """The statements of a function body in order, compound ones opened (nested defs skipped)."""
    out: list[ast.stmt] = []
    for stmt in body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        blocks = [getattr(stmt, name, None) for name in ("body", "orelse", "finalbody")]
        if any(isinstance(block, list) and block for block in blocks):
            for block in blocks:
                if isinstance(block, list):
                    out += simple_statements(block)
        else:
            out.append(stmt)
    return out


def assigned(stmt: ast.stmt) -> set[str]:
    targets: list[ast.expr] = []
    if isinstance(stmt, ast.Assign):
        targets = stmt.targets
    elif isinstance(stmt, (ast.AugAssign, ast.AnnAssign)) and stmt.value is not None:
        targets = [stmt.target]
    return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}


def rebinding(path: Path) -> tuple[set[int], set[int]]:
    """Lines that rebind a name declared with a type in its function (an annotated parameter
    or variable), and lines of later statements that read such a name or a value computed
    from one: pyright keeps the declared type there, whatever was assigned."""
    rebinds: set[int] = set()
    consequences: set[int] = set()
    for function in ast.walk(ast.parse(path.read_text())):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        arguments = function.args
        every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
        declared = {a.arg for a in every if a.annotation is not None}
        bound = {a.arg for a in every}
        tainted: set[str] = set()
        for stmt in simple_statements(function.body):
            lines = set(range(stmt.lineno, (stmt.end_lineno or stmt.lineno) + 1))
            reads = {
                n.id
                for n in ast.walk(stmt)
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
            }
            targets = assigned(stmt)
            if reads & tainted:
                consequences |= lines
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                declared.add(stmt.target.id)
            rebound = targets & bound & declared
            if rebound and not isinstance(stmt, ast.AnnAssign):
                rebinds |= lines
                tainted |= rebound
            if reads & tainted:
                tainted |= targets
            bound |= targets
    return rebinds, consequences


def pyright_limit(path: Path, line: int, rule: str, message: str) -> str | None:
    """The by-design pyright limit this error is, or None when it is a real error:
    - "rebinding": `x = self.fc1(x)` where `x` was declared with another type (an annotated
      parameter); pyright reports it whatever its configuration (measured, DESIGN.md);
    - "after a rebinding": an error on a later line that reads such a name, or a value
      computed from one (pyright kept the declared type);
    - "no arithmetic": an `assert_type` of the plugin's result where pyright sees the same
      type with `int` for literal dims or sizes, or `tuple[Any, ...]` for a shape (pure typing
      does no arithmetic; dtype, device and tape must still match)."""
    rebinds, consequences = rebinding(path)
    if rule == "reportAssignmentType" and line in rebinds:
        return "rebinding"
    if line in consequences:
        return "after a rebinding"
    match = ASSERT_TYPE.match(message)
    if rule == "reportAssertTypeFailure" and match:
        if degrades(parse_type(match["expected"]), parse_type(match["received"])):
            return "no arithmetic"
    return None


# Open gaps of pure typing, each listed exactly so that fixing one (or a new error) fails the
# test until this list is updated. Under pyright a layer built by value has `int` sizes
# (`nn.Linear(84, 10)` is `Linear[int, int]`: a class TypeVar solved from a literal widens),
# so a forward that returns its output where a literal size is declared is an error; and
# `dev.tensor([1, 2])` of Python ints has no dtype in pure typing. (README: what pyright sees.)
KNOWN_PYRIGHT_GAPS = {
    ("nanogpt_block.py", 66): "reshape to run-time dims (B, T, C from x.shape) is int dims",
}


def test_models_are_clean_under_pyright() -> None:
    pyright = Path(sys.executable).parent / "basedpyright"
    if not pyright.exists():
        pytest.fail("basedpyright is part of the dev extra: pip install -e '.[dev]'")
    command = [str(pyright), "--level", "error", "--outputjson", *map(str, MODELS)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    report = json.loads(result.stdout)
    limits: Counter[str] = Counter()
    problems: list[str] = []
    gaps: set[tuple[str, int]] = set()
    for diagnostic in report["generalDiagnostics"]:
        if diagnostic["severity"] != "error":
            continue
        path = Path(diagnostic["file"])
        line = diagnostic["range"]["start"]["line"] + 1
        rule = diagnostic.get("rule", "")
        message = diagnostic["message"]
        limit = pyright_limit(path, line, rule, message.splitlines()[0])
        if limit is None and (path.name, line) in KNOWN_PYRIGHT_GAPS:
            gaps.add((path.name, line))
            continue
        if limit is None:
            problems.append(f"{path.name}:{line}: {message.splitlines()[0]} ({rule})")
        else:
            limits[limit] += 1
    print("pyright's by-design limits in the models:", dict(limits))
    assert not problems, "\n".join(problems)
    assert gaps == set(KNOWN_PYRIGHT_GAPS), (
        f"fixed, remove from KNOWN_PYRIGHT_GAPS: {set(KNOWN_PYRIGHT_GAPS) - gaps}"
    )


# ---------------------------------------------------------------- run time


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.name)
def test_models_run(path: Path) -> None:
    """What mypy accepts (and asserts) also runs: the static and run-time views agree."""
    result = subprocess.run(
        [sys.executable, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# ---------------------------------------------------------------- planted bugs


def test_model_bugs_report_exactly_the_expected_errors(cache_dir: Path, tmp_path: Path) -> None:
    """Each bugs/ file is clean as written (every `# type: ignore[code]` is used), and with the
    ignores stripped mypy reports those codes on those lines, the `# E:` texts, and nothing else."""
    assert BUGS, "tests/typing/models/bugs is empty"
    problems = fail_file_problems(cache_dir, tmp_path, BUGS, prefix="bugs_")
    assert not problems, "\n".join(problems)
