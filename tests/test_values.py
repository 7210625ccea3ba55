"""No silent wrong values (issue 10): NaN in max/min, integer true division, rank-0 results
as real 0-d arrays, and numpy's RuntimeWarnings kept inside, each against torch."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
import torch

import shaped as sh
from shaped import losses
from shaped.nn import functional as F
from tests.oracle import arrays, check

dev = sh.Cpu(seed=0)
Fn = Callable[..., Any]
NAN = np.nan
INF = np.inf


@pytest.fixture(autouse=True)
def warnings_are_errors() -> Iterator[None]:
    """Every test here runs with warnings as errors: numpy's RuntimeWarnings must not leak."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# ---------------------------------------------------------------- 4. max/min with NaN


@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize(
    "data",
    [
        [1.0, NAN, 3.0],  # one NaN: it takes the whole gradient
        [[1.0, NAN], [NAN, 3.0]],  # two: they share it, as torch's evenly_distribute_backward
        [NAN, NAN],
        [[2.0, 2.0], [-1.0, INF]],  # no NaN: ties share, as before
    ],
    ids=["one-nan", "two-nans", "all-nan", "ties"],
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_max_min_of_nan_send_the_gradient_to_the_nan(name: str, data: Any, dtype: Any) -> None:
    """x.max() with a NaN: the gradient goes to the NaN element(s), as torch's x.max()."""
    check(lambda t: getattr(t, name)(), lambda x: getattr(x, name)(), np.array(data, dtype))


@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("axis", [0, 1, -1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_max_min_along_an_axis_with_nan_match_torch_max_dim(
    name: str, axis: int, keepdims: bool
) -> None:
    """Along an axis (no ties here), each NaN row sends its gradient to its NaN, as torch's
    x.max(dim) does; torch's amax would give the whole row NaN (0/0 of its tie count)."""
    data = np.array([[1.0, NAN, 3.0, 0.5], [2.0, 0.5, -1.0, 4.0], [NAN, -2.0, 7.0, 1.5]])
    check(
        lambda t: getattr(t, name)(dim=axis, keepdim=keepdims).values,
        lambda x: getattr(x, name)(axis=axis, keepdims=keepdims),
        data,
    )


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_over_several_axes_with_nan_split_among_the_nans(name: str) -> None:
    """Over a tuple of axes each reduced block is one full reduction: torch's x.max() per block."""
    data = np.array([[[1.0, NAN], [NAN, 2.0]], [[0.5, 3.0], [4.0, -1.0]]])
    check(
        lambda t: torch.stack([getattr(block, name)() for block in t]),
        lambda x: getattr(x, name)((1, 2)),
        data,
    )


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@pytest.mark.parametrize("axis", [None, 0, 1])
def test_argmax_argmin_pick_the_nan_as_torch(name: str, axis: int | None) -> None:
    data = np.array([[1.0, NAN, 3.0], [NAN, 0.5, NAN], [2.0, 5.0, -1.0]])
    check(lambda t: getattr(t, name)(dim=axis), lambda x: getattr(x, name)(axis), data)


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_maximum_minimum_with_nan_match_torch(name: str) -> None:
    a = np.array([1.0, NAN, 2.0, NAN])
    b = np.array([NAN, 1.0, 2.0, NAN])
    check(lambda s, t: getattr(torch, name)(s, t), lambda x, y: getattr(x, name)(y), a, b)


# ---------------------------------------------------------------- 5. true division of ints

INTEGRAL = {
    "int32": (np.int32, torch.int32),
    "int64": (np.int64, torch.int64),
    "bool": (bool, torch.bool),
}


def integral(kind: str, values: list[int]) -> tuple[sh.Tensor[Any, Any, Any, Any], torch.Tensor]:
    ours, theirs = INTEGRAL[kind]
    return dev.tensor(np.array(values, dtype=ours)), torch.tensor(values, dtype=theirs)


@pytest.mark.parametrize("kind", sorted(INTEGRAL))
@pytest.mark.parametrize(
    "op",
    [
        lambda a, b: a / b,
        lambda a, b: a / 2,
        lambda a, b: 2 / a,
        lambda a, b: a / 2.5,
        lambda a, b: 2.5 / b,
        lambda a, b: a / True,
    ],
    ids=["int/int", "int/2", "2/int", "int/2.5", "2.5/int", "int/True"],
)
def test_int_true_division_is_float32_as_torch(kind: str, op: Fn) -> None:
    """int / int, int / 2, 2 / int: Float32 with torch's values (numpy would give float64)."""
    a, ta = integral(kind, [1, 0, 3, 1])
    b, tb = integral(kind, [2, 1, 1, 1])
    out, ref = op(a, b), op(ta, tb)
    assert ref.dtype == torch.float32
    assert out.dtype is sh.Float32
    np.testing.assert_array_equal(out.numpy(), ref.numpy())


@pytest.mark.parametrize("kind", ["int32", "int64"])
def test_int_division_by_zero_is_inf_and_nan_as_torch(kind: str) -> None:
    a, ta = integral(kind, [1, 0, -2])
    b, tb = integral(kind, [0, 0, 0])
    for ours, theirs in ((a / b, ta / tb), (a / 0, ta / 0), (1 / b, 1 / tb)):
        assert ours.dtype is sh.Float32
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_int_division_keeps_the_tape_of_a_float_operand() -> None:
    counts = dev.tensor([1, 2, 4])
    x = dev.tensor([1.0, 1.0, 1.0]).trace()
    loss = ((counts / 4) * x).sum()
    np.testing.assert_allclose(loss.backward()[x].numpy(), [0.25, 0.5, 1.0])


def test_float_tensor_divided_by_int_tensor_is_still_refused() -> None:
    """torch promotes; shaped has no implicit promotion between two tensors (convert one)."""
    with pytest.raises(sh.DtypeError, match=r"\.to\("):
        _ = dev.tensor([1.0, 2.0]) / dev.tensor([1, 2])
    with pytest.raises(sh.DtypeError, match=r"\.to\("):
        _ = dev.tensor([1, 2]) / dev.tensor([1.0, 2.0])


# ---------------------------------------------------------------- 6. rank-0 results


def losses_of(step: float) -> sh.Tensor[tuple[()], sh.Float32, sh.Cpu, sh.NoTape]:
    return (dev.tensor([1.0, 2.0, 3.0]) * step).mean()


def test_np_asarray_of_a_loss_is_a_0d_array() -> None:
    loss = losses_of(1.0)
    array = np.asarray(loss)
    assert isinstance(array, np.ndarray) and array.shape == () and array.dtype == np.float32
    assert array == 2.0
    assert np.asarray(loss, dtype=np.float64).dtype == np.float64
    assert isinstance(loss._data, np.ndarray)


def test_array_copy_false_refuses_a_conversion() -> None:
    loss = losses_of(1.0)
    view = loss.__array__(copy=False)
    assert view is loss._data or np.shares_memory(view, loss._data)
    with pytest.raises(ValueError, match="copy"):
        loss.__array__(np.float64, copy=False)
    assert loss.__array__(copy=True) is not loss._data


def test_float_int_bool_of_a_loss() -> None:
    loss = losses_of(1.0)
    assert float(loss) == 2.0 and int(loss) == 2 and bool(loss)
    assert float(torch.tensor([1.0, 2.0, 3.0]).mean()) == float(loss)


def test_format_of_a_loss_as_torch() -> None:
    loss, reference = losses_of(1.0 / 3.0), torch.tensor([1.0, 2.0, 3.0]).mul(1.0 / 3.0).mean()
    for spec in (".3f", ".2e", "", "8.4f"):
        assert format(loss, spec) == format(reference, spec)
    assert f"{loss:.3f}" == "0.667"


def test_format_of_a_non_scalar_needs_an_empty_spec() -> None:
    x = dev.tensor([1.0, 2.0])
    assert f"{x}" == str(x)
    with pytest.raises(TypeError, match=r"rank-0.*\.item\(\)"):
        f"{x:.3f}"


def test_torch_from_dlpack_of_a_loss() -> None:
    loss = losses_of(1.0)
    shared = torch.from_dlpack(loss)
    assert shared.shape == () and shared.dtype == torch.float32 and shared.item() == 2.0
    assert loss.__dlpack_device__() == (1, 0)  # kDLCPU, device 0


def test_plotting_a_list_of_losses() -> None:
    """plt.plot([loss0, loss1]) converts with np.asarray, as here."""
    curve = np.asarray([losses_of(1.0), losses_of(2.0), losses_of(0.5)])
    assert curve.shape == (3,) and curve.dtype == np.float32
    np.testing.assert_array_equal(curve, [2.0, 4.0, 1.0])


scalar = np.array(1.5)
vector = np.array([0.5, -1.0, 2.0])
matrix = np.array([[0.5, -1.0], [2.0, 0.25]])
RANK0: dict[str, tuple[Fn, tuple[np.ndarray, ...]]] = {
    "sum": (lambda x: x.sum(), (vector,)),
    "mean": (lambda x: x.mean(), (vector,)),
    "max": (lambda x: x.max(), (vector,)),
    "min": (lambda x: x.min(), (vector,)),
    "var": (lambda x: x.var(), (vector,)),
    "std": (lambda x: x.std(), (vector,)),
    "logsumexp": (lambda x: x.logsumexp(0), (vector,)),
    "argmax": (lambda x: x.argmax(), (vector,)),
    "argmin": (lambda x: x.argmin(), (vector,)),
    "sum of rank 0": (lambda x: x.sum(), (scalar,)),
    "index": (lambda x: x[1], (vector,)),
    "index 2-d": (lambda x: x[1, 0], (matrix,)),
    "take": (lambda x: x.take(dev.tensor(1)), (vector,)),
    "matmul 1-d": (lambda x, y: x @ y, (vector, vector)),
    "add": (lambda x, y: x + y, (scalar, scalar)),
    "add scalar": (lambda x: x + 1.0, (scalar,)),
    "sub": (lambda x, y: x - y, (scalar, scalar)),
    "rsub": (lambda x: 1.0 - x, (scalar,)),
    "mul": (lambda x, y: x * y, (scalar, scalar)),
    "div": (lambda x, y: x / y, (scalar, scalar)),
    "rdiv": (lambda x: 2.0 / x, (scalar,)),
    "pow": (lambda x: x**2.0, (scalar,)),
    "rpow": (lambda x: 2.0**x, (scalar,)),
    "neg": (lambda x: -x, (scalar,)),
    "compare": (lambda x: x > 1.0, (scalar,)),
    "unary math": (lambda x: x.exp().log().sqrt().sin().cos().tanh().sigmoid(), (scalar,)),
    "abs square": (lambda x: x.abs().square(), (scalar,)),
    "relu gelu": (lambda x: x.relu().gelu().gelu("tanh").leaky_relu(0.1), (scalar,)),
    "clamp maximum": (lambda x: x.clamp(0.0, 1.0).maximum(x).minimum(x), (scalar,)),
    "to": (lambda x: x.to(sh.Float16), (scalar,)),
    "dropout": (lambda x: F.dropout(x, 0.5, True), (scalar,)),
    "mse_loss": (lambda x, y: losses.mse_loss(x, y), (vector, vector)),
    "cross_entropy unbatched": (
        lambda x: losses.cross_entropy(x, dev.tensor(1), reduction="none"),
        (vector,),
    ),
}


@pytest.mark.parametrize("name", sorted(RANK0))
def test_every_rank0_result_is_a_0d_array(name: str) -> None:
    """numpy gives rank-0 results as scalars; every op keeps a real 0-d array (gradients too)."""
    op, inputs = RANK0[name]
    grads = sh.Gradients()
    tensors = [dev.tensor(a).traced(grads) for a in inputs]
    out = op(*tensors)
    assert out.shape == () and type(out._data) is np.ndarray, type(out._data)
    assert np.asarray(out).shape == ()
    if out._tape is not None and out.dtype.is_float:
        got = out.backward()
        for t in tensors:
            if t in got:
                assert type(got[t]._data) is np.ndarray, type(got[t]._data)


def test_rank0_intermediate_used_three_times_gets_its_whole_gradient() -> None:
    x = dev.tensor(2.0).trace()
    y = x * 1.0
    grads = (y * 1.0 + y * 2.0 + y * 3.0 + y * 4.0).backward()
    t = torch.tensor(2.0, requires_grad=True)
    u = t * 1.0
    (u * 1.0 + u * 2.0 + u * 3.0 + u * 4.0).backward()
    assert grads[x].item() == t.grad.item() == 10.0  # type: ignore[union-attr]


# ---------------------------------------------------------------- 13. no RuntimeWarnings

# name: (torch op, our op, inputs); values and gradients compared with torch's (inf, NaN)
SILENT: dict[str, tuple[Fn, Fn, tuple[np.ndarray, ...]]] = {
    "x / 0": (lambda t: t / 0, lambda x: x / 0, (np.array([0.0, 1.0, -2.0]),)),
    "x / y with zeros": (
        lambda s, t: s / t,
        lambda x, y: x / y,
        (np.array([0.0, 1.0, -2.0]), np.array([0.0, 0.0, 0.0])),
    ),
    "1 / x": (lambda t: 1 / t, lambda x: 1 / x, (np.array([0.0, 2.0]),)),
    "log(0)": (lambda t: t.log(), lambda x: x.log(), (np.array([0.0, -1.0, 2.0]),)),
    "sqrt(-1)": (lambda t: t.sqrt(), lambda x: x.sqrt(), (np.array([-1.0, 0.0, 4.0]),)),
    "exp(1000)": (lambda t: t.exp(), lambda x: x.exp(), (np.array([1000.0, -1000.0, 1.0]),)),
    "exp(1000) float32": (
        lambda t: t.exp(),
        lambda x: x.exp(),
        (np.array([100.0, 1.0], np.float32),),
    ),
    "x ** 0.5": (lambda t: t**0.5, lambda x: x**0.5, (np.array([0.0, -1.0, 4.0]),)),
    "x ** -1": (lambda t: t**-1.0, lambda x: x**-1.0, (np.array([0.0, 2.0]),)),
    "2 ** x": (lambda t: 2.0**t, lambda x: 2.0**x, (np.array([2000.0, 1.0]),)),
    "sin(inf)": (lambda t: t.sin(), lambda x: x.sin(), (np.array([INF, 1.0]),)),
    "cos(inf)": (lambda t: t.cos(), lambda x: x.cos(), (np.array([-INF, 1.0]),)),
    "square overflow": (
        lambda t: t.square(),
        lambda x: x.square(),
        (np.array([1e30, 2.0], np.float32),),
    ),
    "sum of inf and -inf": (lambda t: t.sum(), lambda x: x.sum(), (np.array([INF, -INF]),)),
    "mean of empty": (lambda t: t.mean(), lambda x: x.mean(), (np.zeros((0,)),)),
    "mean along an empty axis": (
        lambda t: t.mean(1),
        lambda x: x.mean(1),
        (np.zeros((2, 0)),),
    ),
    "logsumexp of -inf": (
        lambda t: t.logsumexp(0),
        lambda x: x.logsumexp(0),
        (np.array([-INF, -INF]),),
    ),
    "max with nan": (lambda t: t.max(), lambda x: x.max(), (np.array([NAN, 1.0]),)),
    "gelu(inf)": (
        lambda t: torch.nn.functional.gelu(t),
        lambda x: x.gelu(),
        (np.array([INF, 1.0]),),
    ),
}


@pytest.mark.parametrize("name", sorted(SILENT))
def test_no_runtime_warnings_where_torch_is_silent(name: str) -> None:
    torch_fn, our_fn, inputs = SILENT[name]
    check(torch_fn, our_fn, *inputs)


@pytest.mark.parametrize("name", ["var", "std"])
def test_var_std_of_one_element_are_silent(name: str) -> None:
    warnings.filterwarnings("ignore", "std|var", UserWarning)  # torch's own, on N <= correction
    check(lambda t: getattr(t, name)(), lambda x: getattr(x, name)(), np.array([1.5]))
    check(lambda t: getattr(t, name)(0), lambda x: getattr(x, name)(0), np.array([[1.5, 2.0]]))


def test_casts_that_overflow_are_inf_and_silent_as_torch() -> None:
    big = np.array([1e40, -1e40, 1.0])
    ours = dev.tensor(big).to(sh.Float16).numpy()
    np.testing.assert_array_equal(ours, torch.tensor(big).to(torch.float16).numpy())
    np.testing.assert_array_equal(
        dev.tensor([1e40], dtype=sh.Float16).numpy(),
        torch.tensor([1e40], dtype=torch.float16).numpy(),
    )


def test_int_tensor_divided_by_zero_is_silent() -> None:
    out = dev.tensor([0, 1]) / 0
    np.testing.assert_array_equal(out.numpy(), (torch.tensor([0, 1]) / 0).numpy())


def test_inf_times_zero_in_a_gradient_is_silent() -> None:
    """A VJP meeting inf * 0 (mul's, here) runs inside backward(), which runs quiet."""
    check(lambda s, t: (s * t).exp(), lambda x, y: (x * y).exp(), np.array([1000.0]), arrays((1,)))
