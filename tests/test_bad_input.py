"""Bad input raises a specific exception that says what was wrong and how to fix it (issue 10),
never a raw AttributeError from inside shaped nor a silent NaN; torch tensors come in as data."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

import shaped as sh
from shaped.nn import functional as F
from tests.typing_helpers import IGNORE, comments

dev = sh.Cpu(seed=0)
Fn = Callable[..., Any]
ROOT = Path(__file__).resolve().parent.parent
BAD_INPUT = ROOT / "tests" / "typing" / "fail" / "bad_input.py"


# ---------------------------------------------------------------- dev.tensor(...)


@pytest.mark.parametrize("data", [None, "3", b"3", {"a": 1}, {1.0}, object()], ids=repr)
def test_tensor_of_none_or_a_non_number_raises(data: Any) -> None:
    """dev.tensor(None) gave NaN; a string was parsed as a number."""
    with pytest.raises(TypeError, match=r"cannot make a tensor from .*pass a number"):
        dev.tensor(data)


def test_tensor_of_a_list_holding_none_raises_with_a_dtype_too() -> None:
    """With dtype= the list's elements were not checked: [1, None] gave [1, nan]."""
    with pytest.raises(sh.DtypeError, match="element None"):
        dev.tensor([1.0, None], dtype=sh.Float32)


TORCH_DTYPES = [
    (torch.float32, sh.Float32),
    (torch.float64, sh.Float64),
    (torch.float16, sh.Float16),
    (torch.int32, sh.Int32),
    (torch.int64, sh.Int64),
    (torch.bool, sh.Bool),
]


@pytest.mark.parametrize(("torch_dtype", "dtype"), TORCH_DTYPES, ids=str)
def test_tensor_of_a_torch_tensor_keeps_its_dtype(torch_dtype: Any, dtype: Any) -> None:
    source = torch.arange(6).reshape(2, 3).to(torch_dtype)
    out = dev.tensor(source)
    assert out.dtype is dtype and out.shape == (2, 3)
    np.testing.assert_array_equal(out.numpy(), source.numpy())
    source[0, 0] = 1  # a copy, as for every array
    assert out.numpy()[0, 0] == 0


def test_tensor_of_a_torch_tensor_with_requires_grad_is_detached() -> None:
    source = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    out = dev.tensor(source.T, dtype=sh.Float64)  # non-contiguous, converted
    assert out.dtype is sh.Float64 and out._tape is None
    np.testing.assert_array_equal(out.numpy(), source.detach().T.numpy())
    assert dev.tensor(torch.tensor(2.5)).shape == ()


def test_tensor_of_an_unsupported_torch_dtype_says_how_to_convert() -> None:
    with pytest.raises(sh.DtypeError, match=r"bfloat16.*\.float\(\)"):
        dev.tensor(torch.ones(2, dtype=torch.bfloat16))


@pytest.mark.parametrize("suffix", [".pt", ".pth", ".bin"])
def test_loading_a_torch_pickle_is_refused_with_the_conversion(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"model{suffix}"
    torch.save({"weight": torch.ones(2)}, path)
    with pytest.raises(ValueError, match=r"PyTorch pickle.*save_file\(torch\.load"):
        sh.load(path)


# ---------------------------------------------------------------- dtype spellings

SPELLINGS = [(np.float32, "Float32"), ("float32", "Float32"), (float, "Float64")]
SPELLINGS += [(torch.float32, "Float32"), (np.dtype("int64"), "Int64"), (int, "Int64")]
CREATORS: dict[str, Fn] = {
    "tensor": lambda d: dev.tensor([1.0], dtype=d),
    "zeros": lambda d: dev.zeros((2,), dtype=d),
    "ones": lambda d: dev.ones((2,), dtype=d),
    "full": lambda d: dev.full((2,), 1.0, dtype=d),
    "randn": lambda d: dev.randn((2,), dtype=d),
    "rand": lambda d: dev.rand((2,), dtype=d),
    "arange": lambda d: dev.arange(3, dtype=d),
    "eye": lambda d: dev.eye(2, dtype=d),
    "build_module": lambda d: dev.build_module(sh.nn.ReLU, dtype=d),
}


@pytest.mark.parametrize(("spelling", "marker"), SPELLINGS, ids=str)
@pytest.mark.parametrize("creator", sorted(CREATORS))
def test_dtype_spelled_by_numpy_torch_or_python_raises_naming_the_marker(
    creator: str, spelling: Any, marker: str
) -> None:
    """dtype=np.float32 / "float32" / float raised AttributeError: 'name' from inside shaped."""
    with pytest.raises(TypeError, match=rf"{creator}: dtype=.*write dtype=sh\.{marker}"):
        CREATORS[creator](spelling)


@pytest.mark.parametrize(("spelling", "marker"), SPELLINGS, ids=str)
def test_to_with_a_dtype_spelling_raises_naming_the_marker(spelling: Any, marker: str) -> None:
    with pytest.raises(TypeError, match=rf"write \.to\(sh\.{marker}\)"):
        dev.zeros((2,)).to(spelling)


def test_unknown_dtype_lists_the_supported_ones() -> None:
    with pytest.raises(TypeError, match=r"'bfloat16' is not a dtype shaped supports.*sh\.Float32"):
        dev.zeros((2,), dtype="bfloat16")  # type: ignore[call-overload]


# ---------------------------------------------------------------- devices and seeds


def test_batches_with_device_as_a_string_raises() -> None:
    with pytest.raises(TypeError, match=r"device must be a device object such as sh\.Cpu\(\)"):
        sh.data.batches(np.zeros((4, 2)), batch_size=2, device="cpu")  # type: ignore[arg-type]


def test_to_with_a_device_string_raises() -> None:
    with pytest.raises(TypeError, match=r"write \.to\(sh\.Cpu\(\)\)"):
        dev.zeros((2,)).to("cuda")  # type: ignore[call-overload]


def test_cpu_with_a_negative_seed_raises() -> None:
    with pytest.raises(ValueError, match=r"seed must be >= 0.*got -1"):
        sh.Cpu(seed=-1)


@pytest.mark.parametrize("seed", [1.5, "0", True])
def test_cpu_with_a_seed_that_is_no_int_raises(seed: Any) -> None:
    with pytest.raises(TypeError, match="seed must be an int >= 0 or None"):
        sh.Cpu(seed=seed)


def test_cpu_seeds_that_work_keep_working() -> None:
    for seed in (None, 0, 2**40, np.int64(3), np.random.default_rng(1)):
        sh.Cpu(seed=seed)  # type: ignore[arg-type]


# ---------------------------------------------------------------- axes

AXIS_OPS: dict[str, Fn] = {
    "sum": lambda x, a: x.sum(a),
    "mean": lambda x, a: x.mean(a),
    "max": lambda x, a: x.max(a),
    "min": lambda x, a: x.min(a),
    "var": lambda x, a: x.var(a),
    "std": lambda x, a: x.std(a),
    "logsumexp": lambda x, a: x.logsumexp(a),
    "argmax": lambda x, a: x.argmax(a),
    "argmin": lambda x, a: x.argmin(a),
    "squeeze": lambda x, a: x.squeeze(a),
    "unsqueeze": lambda x, a: x.unsqueeze(a),
    "transpose": lambda x, a: x.transpose(0, a),
    "flatten": lambda x, a: x.flatten(a),
    "permute": lambda x, a: x.permute(a, 0),
    "take": lambda x, a: x.take(dev.tensor([0]), a),
    "concat": lambda x, a: sh.concat([x, x], axis=a),
    "stack": lambda x, a: sh.stack([x, x], axis=a),
    "softmax": lambda x, a: F.softmax(x, a),
}


@pytest.mark.parametrize("axis", [1.5, "1", True, (0, 1.5)], ids=repr)
@pytest.mark.parametrize("op", sorted(AXIS_OPS))
def test_axis_that_is_no_int_raises(op: str, axis: Any) -> None:
    """axis=1.5 raised "'float' object is not iterable" (or was taken as an out-of-range int)."""
    x = dev.zeros((2, 3))
    with pytest.raises(TypeError, match=r"axis must be an int"):
        AXIS_OPS[op](x, axis)


def test_numpy_integer_axes_work() -> None:
    x = dev.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert x.sum(np.int64(0)).tolist() == [4.0, 6.0]  # type: ignore[call-overload]
    assert x.unsqueeze(np.int64(0)).shape == (1, 2, 2)  # type: ignore[arg-type]


# ---------------------------------------------------------------- full, relu


@pytest.mark.parametrize(
    ("value", "dtype", "torch_dtype"),
    [
        (1e40, sh.Float16, torch.float16),
        (-1e40, sh.Float16, torch.float16),
        (65505.0, sh.Float16, torch.float16),  # beyond the largest finite value, however close
        (1e300, sh.Float32, torch.float32),
        (2**40, sh.Int32, torch.int32),
        (2**31, sh.Int32, torch.int32),
        (float("nan"), sh.Int64, torch.int64),
    ],
    ids=str,
)
def test_full_with_a_value_that_does_not_fit_raises_like_torch(
    value: float, dtype: Any, torch_dtype: Any
) -> None:
    """dev.full((2,), 1e40, dtype=sh.Float16) gave inf; torch raises."""
    with pytest.raises(RuntimeError, match="overflow"):
        torch.full((2,), value, dtype=torch_dtype)
    with pytest.raises(OverflowError, match=rf"full: .*{dtype.__name__}"):
        dev.full((2,), value, dtype=dtype)


@pytest.mark.parametrize(
    ("value", "dtype", "torch_dtype"),
    [
        (65504.0, sh.Float16, torch.float16),
        (float("inf"), sh.Float16, torch.float16),
        (float("nan"), sh.Float32, torch.float32),
        (1.5, sh.Int64, torch.int64),
        (2, sh.Bool, torch.bool),
        (2**31 - 1, sh.Int32, torch.int32),
    ],
    ids=str,
)
def test_full_with_a_value_that_fits_matches_torch(
    value: float, dtype: Any, torch_dtype: Any
) -> None:
    ours = dev.full((2,), value, dtype=dtype).numpy()
    np.testing.assert_array_equal(ours, torch.full((2,), value, dtype=torch_dtype).numpy())


def test_relu_on_a_bool_tensor_raises_like_torch() -> None:
    """relu of a Bool tensor gave Int64 at run time while typed Bool; torch refuses it."""
    with pytest.raises(RuntimeError, match="Boolean"):
        torch.relu(torch.tensor([True, False]))
    with pytest.raises(sh.DtypeError, match=r"relu: Bool .*\.to\(sh\.Float32\)"):
        dev.tensor([True, False]).relu()
    assert dev.tensor([1, -2]).relu().dtype is sh.Int64  # ints keep working, as torch


# ---------------------------------------------------------------- static types agree


def marked_lines(path: Path) -> dict[int, str]:
    """The lines of a fail file that carry a `# type: ignore[...]`: number -> source line."""
    lines = path.read_text().splitlines()
    return {n: lines[n - 1] for n, c in comments(path).items() if IGNORE.search(c)}


def test_bad_input_file_raises_on_every_marked_line_at_run_time() -> None:
    """Each line mypy rejects in tests/typing/fail/bad_input.py raises TypeError at run time,
    with a message that names the fix."""
    marked = marked_lines(BAD_INPUT)
    assert len(marked) >= 15
    source = BAD_INPUT.read_text().splitlines()
    namespace: dict[str, Any] = {}
    exec("\n".join(source[: min(marked) - 1]), namespace)
    for line in marked.values():
        with pytest.raises(TypeError, match=r"sh\.|must be an int|seed"):
            exec(line, namespace)


def test_bad_input_file_fails_under_pyright_on_the_same_lines(tmp_path: Path) -> None:
    """pyright (no plugin) rejects every marked line too, and nothing else: the pure
    signatures and the run time agree on what is refused."""
    stripped = tmp_path / "bad_input.py"
    lines = BAD_INPUT.read_text().splitlines()
    for number in marked_lines(BAD_INPUT):
        lines[number - 1] = re.sub(r"\s*# type: ignore\[[a-z, -]+\].*$", "", lines[number - 1])
    stripped.write_text("\n".join(lines) + "\n")
    pyright = str(Path(sys.executable).parent / "basedpyright")
    command = [pyright, "--outputjson", "--pythonpath", sys.executable, str(stripped)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    report = json.loads(result.stdout)
    errors = {
        d["range"]["start"]["line"] + 1
        for d in report["generalDiagnostics"]
        if d["severity"] == "error"
    }
    assert errors == set(marked_lines(BAD_INPUT)), result.stdout[-3000:]
