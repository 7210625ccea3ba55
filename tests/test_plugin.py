"""The mypy plugin, checked by the real mypy: fail/ and reveal/ files, agreement with the run
time on generated programs, and no crash on odd code.

Each test runs mypy once over many files (mypy's start-up and the check of `shaped` itself
dominate), sharing one cache directory, so the whole module stays well under a minute.
"""

from __future__ import annotations

import runpy
import subprocess
import sys
import traceback
import typing
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import shaped as sh
from shaped.errors import ShapeError
from tests.typing_helpers import (
    IGNORE,
    ROOT,
    assert_no_crash,
    errors,
    fail_file_problems,
    mypy,
)

X = TypeVar("X")
TYPING = ROOT / "tests" / "typing"
FAIL = sorted((TYPING / "fail").glob("*.py"))
REVEAL = sorted((TYPING / "reveal").glob("*.py"))


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One mypy cache for the module: `shaped` itself is checked once, not once per run."""
    return tmp_path_factory.mktemp("mypy_cache")


# ---------------------------------------------------------------- fail/ and reveal/


def test_fail_files_report_exactly_the_expected_errors(cache_dir: Path, tmp_path: Path) -> None:
    """Each fail file is clean as written (every `# type: ignore[code]` is used), and with the
    ignores stripped mypy reports those codes on those lines, the `# E:` texts, and nothing else."""
    assert FAIL, "tests/typing/fail is empty"
    problems = fail_file_problems(cache_dir, tmp_path, FAIL)
    assert not problems, "\n".join(problems)


def test_reveal_files_hold(cache_dir: Path) -> None:
    """Every assert_type in reveal/ holds under mypy with the plugin, with no other error."""
    assert REVEAL, "tests/typing/reveal is empty"
    result = mypy(cache_dir, *REVEAL)
    assert_no_crash(result)
    assert result.returncode == 0, result.stdout


def static_dims(expected: Any) -> tuple[int | None, ...] | None:
    """The dims a `tuple[L[2], int]` promises (None for `int`); None for `tuple[Any, ...]`."""
    args = typing.get_args(expected)
    if Ellipsis in args or (not args and expected != tuple[()]):
        return None
    return tuple(
        typing.get_args(a)[0] if typing.get_origin(a) is typing.Literal else None for a in args
    )


def test_reveal_files_agree_with_run_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the reveal files with an assert_type that compares each tensor's run-time shape,
    dtype, device and tape with the type mypy was asserted to infer: the same rules agree."""
    checked: list[str] = []

    def check(value: Any, expected: Any) -> Any:
        if isinstance(value, sh.Tensor) and typing.get_origin(expected) is sh.Tensor:
            shape, dtype, device, tape = typing.get_args(expected)
            dims = static_dims(shape)
            where = "".join(traceback.format_stack(limit=2)[:1])
            if dims is not None:
                assert len(dims) == len(value.shape), f"{where}{value.shape} vs {shape}"
                assert all(d is None or d == r for d, r in zip(dims, value.shape)), (
                    f"{where}{value.shape} vs {shape}"
                )
            if isinstance(dtype, type) and dtype is not Any:  # Any is a class since 3.11
                assert value.dtype is dtype, f"{where}{value.dtype} vs {dtype}"
            if isinstance(device, type) and device is not Any:
                assert isinstance(value.device, device), f"{where}{value.device} vs {device}"
            if tape in (sh.NoTape, sh.OwnedTape):
                assert (value._tape is not None) == (tape is sh.OwnedTape), f"{where}tape"
            checked.append(where)
        return value

    monkeypatch.setattr(typing, "assert_type", check)
    for path in REVEAL:
        runpy.run_path(str(path), run_name="__reveal__")
    assert len(checked) > 100


# ---------------------------------------------------------------- static/run-time agreement

# `d2: Final = 2` is a literal dim for mypy; `n2: int = 2` a dim known only at run time
HEADER = """from typing import Final

import shaped as sh
from shaped import losses
from shaped.nn import functional as F

dev = sh.Cpu(seed=0)
{constants}
"""
CONSTANTS = "\n".join(f"d{i}: Final = {i}\nn{i}: int = {i}" for i in range(6))


def _numel(shape: tuple[int, ...]) -> int:
    total = 1
    for d in shape:
        total *= d
    return total


def _factorizations(n: int, parts: int) -> list[tuple[int, ...]]:
    if parts == 1 or n == 0:
        return [(n,) + (1,) * (parts - 1)]
    return [
        (d, *rest)
        for d in range(1, n + 1)
        if n % d == 0
        for rest in _factorizations(n // d, parts - 1)
    ]


class Ops:
    """One op on `v` (shape `cur` at run time): right, or deliberately wrong when `wrong`.
    Each public method is one kind of op; `_randn` writes a fresh tensor's shape."""

    def __init__(
        self, draw: st.DrawFn, cur: tuple[int, ...], v: str, wrong: bool, run_time_dims: bool
    ) -> None:
        self.draw, self.cur, self.v, self.wrong = draw, cur, v, wrong
        self.rank = len(cur)
        self.kinds = ("literal", "literal", "final", "int" if run_time_dims else "literal")
        self.dynamic = False  # whether a dim known only at run time was written

    def _int(self, low: int, high: int) -> int:
        return self.draw(st.integers(low, high))

    def _pick(self, *options: X) -> X:
        return self.draw(st.sampled_from(options))

    def _off(self, d: int) -> int:
        """A dim that is neither d nor 1, so it fits with neither."""
        return d + self._int(1, 2) if d != 0 else 2

    def _axis(self, extra: int = 0) -> int:
        size = self.rank + extra
        if self.wrong or size == 0:
            return self._pick(size, -size - 1)
        return self._int(-size, size - 1)

    def _sizes(self, shape: list[int] | tuple[int, ...]) -> list[str]:
        """Sizes as written: literals, `Final` names, or run-time `int` names (-1 stays)."""
        parts = []
        for d in shape:
            kind = self._pick(*self.kinds) if 0 <= d <= 5 else "literal"
            self.dynamic |= kind == "int"
            parts.append({"literal": str(d), "final": f"d{d}", "int": f"n{d}"}[kind])
        return parts

    def _dims(self, shape: list[int] | tuple[int, ...]) -> str:
        parts = self._sizes(shape)
        return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"

    def _randn(self, shape: list[int] | tuple[int, ...]) -> str:
        return f"dev.randn({self._dims(shape)})"

    def add(self) -> str:
        k = self._int(0, self.rank)
        other = [self._pick(d, d, 1) for d in self.cur[self.rank - k :]]
        if self.wrong and other:
            i = self._int(0, len(other) - 1)
            other[i] = self._off(self.cur[self.rank - k + i])
        op = self._pick("+", "-", "*", "/")
        fresh = self._randn(other)
        return self._pick(f"{self.v} {op} {fresh}", f"{fresh} {op} {self.v}")

    def scalar(self) -> str:
        return self._pick(f"{self.v} * 2.0", f"1.0 - {self.v}", f"{self.v}.relu()", f"-{self.v}")

    def matmul(self) -> str:
        k = self.cur[-1] if self.cur else self._int(1, 3)
        k = self._off(k) if self.wrong else k
        other = self._pick((k, self._int(1, 4)), (k,), (self._int(1, 3), k, self._int(1, 4)))
        fresh = self._randn(other)
        return self._pick(f"{self.v} @ {fresh}", f"sh.matmul({self.v}, {fresh})")

    def reshape(self) -> str:
        n = _numel(self.cur) + (self._int(1, 3) if self.wrong else 0)
        target = list(self._pick(*_factorizations(n, self._int(1, 3))))
        if self._pick(True, False):
            target[self._int(0, len(target) - 1)] = -1
        inner = ", ".join(self._sizes(target))
        return self._pick(f"{self.v}.reshape({inner})", f"{self.v}.reshape(({inner},))")

    def reduce(self) -> str:
        name = self._pick("sum", "mean", "max", "min", "var", "logsumexp")
        if self.rank == 0 and not self.wrong and name != "logsumexp":
            return f"{self.v}.{name}()"
        keep = self._pick("", ", keepdims=True", ", True")
        axes = f"({self._axis()}, {self._axis()})" if self.rank > 1 else str(self._axis())
        if name in ("max", "min"):  # an int first is torch's dim: the pair (values, indices)
            axes, keep = f"axis={axes}", keep.replace(", True", ", keepdims=True")
        return f"{self.v}.{name}({axes}{keep})"

    def flatten(self) -> str:
        if self.rank == 0:
            return f"{self.v}.flatten()"
        start, end = self._axis(), self._axis()
        return self._pick(
            f"{self.v}.flatten({start}, {end})", f"{self.v}.flatten(start_axis={start})"
        )

    def transpose(self) -> str:
        if self.rank == 0:
            return f"{self.v}.transpose(0, 0)"
        return f"{self.v}.transpose({self._axis()}, {self._axis()})"

    def permute(self) -> str:
        axes = list(self.draw(st.permutations(range(self.rank))))
        if self.wrong:
            axes = self._pick([*axes, 0], [0] * max(self.rank, 2), axes[:-1])
        return f"{self.v}.permute({', '.join(map(str, axes))})"

    def unsqueeze(self) -> str:
        return f"{self.v}.unsqueeze({self._axis(extra=1)})"

    def squeeze(self) -> str:
        return self._pick(f"{self.v}.squeeze()", f"{self.v}.squeeze({self._axis()})")

    def concat(self) -> str:
        if self.rank == 0:
            return f"sh.concat([{self.v}, {self.v}])"
        axis = self._int(-self.rank, self.rank - 1)
        other = list(self.cur)
        other[axis] = self._int(1, 3)
        if self.wrong and self.rank > 1 and self._pick(True, False):
            other[(axis + 1) % self.rank] = self._off(other[(axis + 1) % self.rank])
        elif self.wrong:
            other.append(1)
        return f"sh.concat([{self.v}, {self._randn(other)}], axis={axis})"

    def stack(self) -> str:
        other = list(self.cur)
        if self.wrong and other:
            other[0] = self._off(other[0])
        return f"sh.stack([{self.v}, {self._randn(other)}], axis={self._axis(extra=1)})"

    def linear(self) -> str:
        i = self.cur[-1] if self.cur else 2
        i = self._off(i) if self.wrong else i
        o = self._int(1, 4)
        bias = self._pick("", f", {self._randn((o,))}")
        return f"F.linear({self.v}, {self._randn((o, i))}{bias})"

    def index(self) -> str:
        if self.rank == 0 or self.cur[0] == 0:
            return f"{self.v}[None]" if not self.wrong else f"{self.v}[0]"
        i = self.cur[0] if self.wrong else self._int(-self.cur[0], self.cur[0] - 1)
        return self._pick(
            f"{self.v}[{i}]",
            f"{self.v}[..., None]",
            f"{self.v}[1:, None]",
            f"{self.v}[::2, ...]",
            f"{self.v}[{i}, ...]",
        )

    def transposed(self) -> str:
        return f"{self.v}.mT" if self.rank >= 2 or self.wrong else f"{self.v}.T"

    def broadcast_to(self) -> str:
        target = [self._pick(d, 2) if d == 1 else d for d in self.cur]
        if self.wrong and target and self.cur[-1] != 1:
            target[-1] = self._off(self.cur[-1])
        elif self.wrong:
            target = target[1:]
        lead = [self._int(1, 3)] if self._pick(True, False) else []
        return f"{self.v}.broadcast_to({self._dims(lead + target)})"

    def softmax(self) -> str:
        op = self._pick("softmax", "log_softmax")
        axis = self._axis() if self.rank else self._pick(*((1, -2) if self.wrong else (0, -1)))
        return f"F.{op}({self.v}, axis={axis})"

    def pad(self) -> str:
        pairs = [(self._int(0, 2), self._int(0, 2)) for _ in range(self.rank)]
        if self.wrong:
            pairs.append((1, 1))
        return self._pick(f"{self.v}.pad({tuple(pairs)})", f"{self.v}.pad({self._int(0, 2)})")

    def take(self) -> str:
        # not from an empty tensor: shapes.take misses that check for axis=None (reported)
        size = (self.cur[0] if self.cur else 1) if _numel(self.cur) else 0
        indices = [self._int(0, size - 1) for _ in range(self._int(1, 3))] if size else []
        axis = self._pick("None", "0") if not self.wrong else str(self.rank)
        return f"{self.v}.take(dev.tensor({indices}), {axis})" if indices else f"{self.v}.sum()"

    def where(self) -> str:
        other = list(self.cur[1:])
        if self.wrong and other:
            other[0] = self._off(other[0])
        return f"sh.where({self.v} > 0.0, {self._randn(other)}, {self._pick('0.0', self.v)})"

    def realize(self) -> str:
        target = list(self.cur)
        if self.wrong:
            target.append(1)
        return f"{self.v}.realize({tuple(target)})"

    def loss(self) -> str:
        """A pairwise loss against a tensor of the same shape, or class indices for (N, C, ...)."""
        reduction = self._pick("mean", "sum", "none")
        other = list(self.cur)
        if self.rank >= 2 and self._pick(True, False):
            labels = [other[0], *other[2:]]
            if self.wrong:
                labels[0] = self._off(labels[0])
            indices = f"dev.zeros({self._dims(labels)}, dtype=sh.Int64)"
            op = self._pick("cross_entropy", "nll_loss")
            return f"losses.{op}({self.v}, {indices}, reduction={reduction!r})"
        if self.wrong and other:
            other[-1] = self._off(other[-1])
        op = self._pick("mse_loss", "l1_loss", "huber_loss", "kl_div")
        return f"losses.{op}({self.v}, {self._randn(other)}, reduction={reduction!r})"

    def conv(self) -> str:
        """conv2d or a pool on (N, C, H, W): the tensor is first reshaped to that rank."""
        n = _numel(self.cur)
        if n == 0 or self.rank == 0:
            return f"{self.v}.sum()"
        h = self._pick(*[d for d in range(1, n + 1) if n % d == 0])
        image = f"{self.v}.reshape(1, 1, {h}, {n // h})"
        k = self._int(1, 3) + (h if self.wrong else 0)
        stride, padding = self._int(1, 2), self._int(0, k // 2)
        if self._pick(True, False):
            return f"F.max_pool2d({image}, {k}, stride={stride}, padding={padding})"
        weight = self._randn((2, 1, k, k))
        return f"F.conv2d({image}, {weight}, stride={stride}, padding={padding})"


OPS = [name for name in vars(Ops) if not name.startswith("_")]


@st.composite
def programs(draw: st.DrawFn) -> tuple[str, bool]:
    """A chain of 3-6 ops from a random tensor, about one op in twelve deliberately wrong, and
    whether it wrote run-time dims. The shapes that guide each op come from running the program
    so far; it stops at the first error."""
    header = HEADER.format(constants=CONSTANTS)
    run_time_dims = draw(st.integers(0, 2)) == 0
    start = Ops(draw, (), "", wrong=False, run_time_dims=run_time_dims)
    lines = [f"v0 = {start._randn(draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))}"]
    dynamic = start.dynamic
    namespace: dict[str, Any] = {}
    exec(header + lines[0], namespace)
    for i in range(1, draw(st.integers(3, 6)) + 1):
        shape = tuple(namespace[f"v{i - 1}"].shape)
        wrong = draw(st.integers(0, 11)) == 0
        ops = Ops(draw, shape, f"v{i - 1}", wrong, run_time_dims)
        lines.append(f"v{i} = {getattr(ops, draw(st.sampled_from(OPS)))()}")
        dynamic |= ops.dynamic
        try:
            exec(lines[-1], namespace)
        except Exception:  # ShapeError, or a bug the test reports: the rest is unreachable
            break
    return header + "\n".join(lines) + "\n", dynamic


def run_time_failure(path: Path) -> int | str | None:
    """The line of the program where the run time raised ShapeError, None if it ran clean,
    or the text of any other exception (a bug in an op: the generated programs are typed)."""
    try:
        runpy.run_path(str(path), run_name="__program__")
    except ShapeError as error:
        frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == str(path)]
        return frames[-1].lineno
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return None


@settings(
    max_examples=3,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # shrinking would rerun mypy a lot
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(batch=st.lists(programs(), min_size=30, max_size=30))
def test_static_and_run_time_agree(
    cache_dir: Path, tmp_path_factory: pytest.TempPathFactory, batch: list[tuple[str, bool]]
) -> None:
    """mypy reports [shape] on exactly the line where the program raises ShapeError (the first
    one), and nothing where it runs clean: the plugin and the runtime run the same rules.
    Where a program writes run-time dims (`n: int`), mypy may know less, never more: each
    [shape] it reports is a ShapeError at run time, on that line."""
    folder = tmp_path_factory.mktemp("programs")
    paths = [folder / f"program_{i}.py" for i in range(len(batch))]
    for path, (text, _) in zip(paths, batch):
        path.write_text(text)
    result = mypy(cache_dir, *paths)
    assert_no_crash(result)
    found = errors(result.stdout)
    problems = []
    for path, (text, dynamic) in zip(paths, batch):
        reported = found.get(path.name, [])
        others = [entry for entry in reported if entry[1] != "shape"]
        static = min((line for line, code, _ in reported if code == "shape"), default=None)
        run_time = run_time_failure(path)
        if isinstance(run_time, str):
            agree = False
        elif dynamic:  # mypy may miss errors, but what it reports must happen (or come later)
            agree = static is None or (run_time is not None and run_time <= static)
        else:
            agree = static == run_time
        if others or not agree:
            problems.append(f"{text}static {static}, run time {run_time}, other errors {others}")
    assert not problems, "\n\n".join(problems)


# ---------------------------------------------------------------- crash fuzz

FUZZ_HEADER = """from typing import Any, Callable, NewType, TypeVar
from typing import Literal as L

import shaped as sh
from shaped import losses
from shaped.nn import functional as F

S = TypeVar("S", bound=tuple[Any, ...])
Dt = TypeVar("Dt")
Dv = TypeVar("Dv")
Tp = TypeVar("Tp")
M = TypeVar("M")
K = TypeVar("K")
TT = TypeVar("TT", bound=sh.Tensor[Any, Any, Any, Any])
Wrapped = NewType("Wrapped", sh.Tensor[tuple[L[2], L[3]]])


class Sub(sh.Tensor[tuple[L[2], L[3]]]):
    pass


class GenericSub(sh.Tensor[S, Dt, Dv, Tp]):
    pass


dev = sh.Cpu(seed=0)
grads = sh.Gradients()
"""

# odd but legal operands (and a few ill-formed annotations, which must not crash either)
OPERANDS = {
    "plain": "sh.Tensor[tuple[L[2], L[3]]]",
    "union": "sh.Tensor[tuple[L[2], L[3]]] | sh.Tensor[tuple[L[4]]]",
    "optional": "sh.Tensor[tuple[L[2], L[3]]] | None",
    "anything": "Any",
    "any_tensor": "sh.Tensor[Any, Any, Any, Any]",
    "generic": "sh.Tensor[S, Dt, Dv, Tp]",
    "dims": "sh.Tensor[tuple[M, K], Dt, Dv, Tp]",
    "bounded": "TT",
    "sub": "Sub",
    "gsub": "GenericSub[tuple[L[5]], sh.Float32, sh.Cpu, sh.NoTape]",
    "newtype": "Wrapped",
    "bare_tuple": "sh.Tensor[tuple]",
    "bare": "sh.Tensor",
    "not_a_shape": "sh.Tensor[int]",
    "too_many": "sh.Tensor[tuple[L[2]], sh.Float32, sh.Cpu, sh.NoTape, int]",
    "odd_parts": "sh.Tensor[tuple[L[2], L[3]], int, str, float]",
    "variadic": "sh.Tensor[tuple[L[2], *tuple[int, ...]]]",
    "scalar": "sh.Tensor[tuple[()]]",
    "weird_dims": 'sh.Tensor[tuple[L[-1], L[0], L[True], L["a"], L[10**12]]]',
    "traced": "sh.Tensor[tuple[int, L[3]], sh.Float64, sh.Cuda, sh.OwnedTape]",
    "listed": "list[sh.Tensor[tuple[L[2], L[3]]]]",
    "number": "float",
}

FUZZ_OPS = [
    "{x} + {y}",
    "{y} - {x}",
    "{x} * 2.0",
    "2 ** {x}",
    "-{x}",
    "{x} @ {y}",
    "{x} > {y}",
    "{x}.maximum({y})",
    "{x} == None",
    "{x}.sum()",
    "{x}.sum(axis=1, keepdims=True)",
    "{x}.mean(axis=(0, -1))",
    "{x}.argmax(axis=n)",
    "{x}.logsumexp(0)",
    "{x}.reshape(-1)",
    "{x}.reshape(*sizes)",
    "{x}.reshape(*(2, 3))",
    "{x}.reshape(n, -1)",
    "{x}.permute(*sizes)",
    "{x}.permute(1, 0)",
    "{x}.flatten(1)",
    "{x}.transpose(0, n)",
    "{x}.unsqueeze(**options)",
    "{x}.squeeze()",
    "{x}.broadcast_to((2, 3))",
    "{x}.take(dev.tensor([0]), 0)",
    "{x}.pad(((1, 1),))",
    "{x}.pad(n)",
    "{x}[0]",
    "{x}[..., None, ::2]",
    "{x}[n:, 'a']",
    "{x}[{y}]",
    "{x}.T",
    "{x}.mT",
    "{x}.realize((2, 3))",
    "{x}.realize(sizes)",
    "{x}.backward()",
    "{x}.to(sh.Float64)",
    "{x}.traced(grads).mean().backward()",
    "sh.concat([{x}, {y}])",
    "sh.stack(({x}, {y}), axis=n)",
    "sh.concat([*[{x}], {y}])",
    "sh.where({x} > 0.0, {x}, {y})",
    "sh.matmul({x}, {y})",
    "F.linear({x}, {y}, {y})",
    "F.linear(*[{x}, {y}])",
    "F.conv2d({x}, {y}, stride=n)",
    "F.conv_transpose2d({x}, {y}, **options)",
    "F.max_pool2d({x}, 2)",
    "F.avg_pool2d({x}, (2, n))",
    "F.softmax({x}, axis=n)",
    "F.layer_norm({x}, {y}, None)",
    "F.embedding({x}, {y})",
    "F.scaled_dot_product_attention({x}, {y}, {y}, mask={x} > 0.0)",
    "losses.mse_loss({x}, {y})",
    "losses.cross_entropy({x}, {y}, reduction='none')",
    "losses.huber_loss({x}, {y}, reduction=r)",
    "losses.nll_loss(*[{x}, {y}], **options)",
    "(lambda t: t + {x})({y})",
    "[t.sum() for t in ({x}, {y})]",
    "{{'k': {x}}}['k'].exp()",
    "dev.zeros((n, *sizes))",
    "dev.tensor([{x}, {y}])",
    "dev.full(sizes, {x})",
]


def fuzz_source() -> str:
    """Every op on every operand kind, paired with three different right-hand operands."""
    names = list(OPERANDS)
    params = ", ".join(f"{name}: {annotation}" for name, annotation in OPERANDS.items())
    extra = "n: int, sizes: list[int], options: dict[str, Any], r: str"
    lines = [FUZZ_HEADER]
    for number, op in enumerate(FUZZ_OPS):
        lines.append(f"\n\ndef case_{number}({params}, {extra}) -> None:")
        for i, x in enumerate(names):
            for shift in (0, 1, 9):
                lines.append(f"    {op.format(x=x, y=names[(i + shift) % len(names)])}")
    return "\n".join(lines) + "\n"


ODD_PROGRAMS = [
    # a callable attribute, a subclass overriding an op, a tensor-valued default argument
    """
class Scaled(sh.Tensor[tuple[L[2], L[3]]]):
    def __add__(self, other: object) -> Any:  # type: ignore[override]
        return self


def f(x: sh.Tensor[tuple[L[2], L[3]]] = dev.zeros((2, 3)), *rest: sh.Tensor[Any]) -> None:
    op: Callable[[sh.Tensor[tuple[L[2], L[3]]]], Any] = lambda t: t @ t.T
    op(x)
    x.reshape(*rest)
    sh.concat(rest)
    sh.concat([x, *rest])
""",
    # methods looked up dynamically, tensors as dict keys, star-args everywhere
    """
x = dev.randn((2, 3))
getattr(x, "sum")(axis=0)
x.__add__(x)
x.__matmul__(x.T)
sh.Tensor.sum(x, 0)
{x: 1}[x]
args = (2, 3)
kwargs = {"axis": 0}
x.reshape(*args)
x.sum(**kwargs)
x.permute(*reversed(range(2)))
F.linear(x, *[dev.randn((4, 3))])
dev.zeros(*[(2, 3)])
dev.tensor(*[[1.0, 2.0]])
sh.stack(*[[x, x]])
""",
]


def test_plugin_does_not_crash_on_odd_code(cache_dir: Path, tmp_path: Path) -> None:
    """Unions, Any, TypeVars, subclasses, star-args, containers, lambdas, ill-formed annotations:
    mypy may report errors, but never an INTERNAL ERROR or a traceback."""
    paths = [tmp_path / "fuzz_products.py"]
    paths[0].write_text(fuzz_source())
    for i, body in enumerate(ODD_PROGRAMS):
        paths.append(tmp_path / f"fuzz_odd_{i}.py")
        paths[-1].write_text(FUZZ_HEADER + body)
    result = mypy(cache_dir, *paths)
    assert_no_crash(result)
    assert "error:" in result.stdout  # the ill-formed parts are reported, so mypy did check


# ---------------------------------------------------------------- mypy's cache and workers


def test_cold_warm_and_parallel_runs_report_the_same(tmp_path: Path) -> None:
    """The plugin's errors survive mypy's incremental cache (a warm run replays them) and
    parallel checking (`-n 2`, worker processes each loading the plugin)."""
    stripped = tmp_path / "module_mistakes.py"
    source = (TYPING / "fail" / "modules.py").read_text()
    stripped.write_text(IGNORE.sub("", source))
    files = [stripped, ROOT / "examples" / "01_tensors.py", ROOT / "examples" / "03_mlp.py"]

    def errors_of(cache: Path, *options: str) -> list[str]:
        command = [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(cache)]
        command += ["--no-pretty", "--no-error-summary", *options, *map(str, files)]
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        assert_no_crash(result)
        return sorted(line for line in result.stdout.splitlines() if ": error: " in line)

    cold = errors_of(tmp_path / "serial")
    assert len(cold) == 13 and all(line.endswith("[shape]") for line in cold), cold
    assert errors_of(tmp_path / "serial") == cold  # warm: from the cache
    assert errors_of(tmp_path / "parallel", "-n", "2") == cold


# ---------------------------------------------------------------- constructors, both ways


def constructor_cases() -> list[tuple[int, str, str]]:
    source = (TYPING / "fail" / "constructors.py").read_text().splitlines()
    return [
        (number, line.split("  #")[0], line.split("# E: ")[1])
        for number, line in enumerate(source, 1)
        if "# E: " in line
    ]


@pytest.mark.parametrize(("line", "call", "message"), constructor_cases())
def test_constructor_errors_are_the_run_time_errors(line: int, call: str, message: str) -> None:
    """Each layer constructor that the plugin reports raises the same ShapeError text at run
    time: both come from shapes.layer_sizes."""
    with pytest.raises(ShapeError) as raised:
        eval(call, {"nn": sh.nn})
    assert str(raised.value) == message, f"line {line}"
