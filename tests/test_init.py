"""sh.nn.init against torch.nn.init: fans and gains equal torch's, samples from the same
distributions (two-sample KS tests against torch's own draws, moments, bounds), the
deterministic fills equal, and in-place writes that the tape sees."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import shaped as sh
from shaped import nn
from shaped.nn import init

torch_init = torch.nn.init
AnyTensor = sh.Tensor[Any, Any, Any, Any]


def ours_and_theirs(shape: tuple[int, ...], dtype: Any = np.float32) -> tuple[AnyTensor, Any]:
    torch.manual_seed(0)
    torch_dtype = torch.float64 if dtype == np.float64 else torch.float32
    return sh.Cpu().zeros(shape, dtype=sh.Float64 if dtype == np.float64 else sh.Float32), (
        torch.zeros(shape, dtype=torch_dtype)
    )


def same_distribution(ours: AnyTensor, theirs: Any) -> None:
    """A two-sample KS test of our draws against torch's (fixed seeds: deterministic)."""
    mine, ref = ours.numpy().ravel(), theirs.detach().numpy().ravel()
    result = stats.ks_2samp(mine, ref)
    assert result.pvalue > 1e-3, f"KS statistic {result.statistic:.4f}, p = {result.pvalue:.2e}"
    np.testing.assert_allclose(mine.mean(), ref.mean(), atol=4 * ref.std() / math.sqrt(ref.size))
    np.testing.assert_allclose(mine.std(), ref.std(), rtol=0.02)


# ---------------------------------------------------------------- fans and gains

weight_shapes = st.lists(st.integers(0, 6), min_size=2, max_size=5).map(tuple)


@settings(max_examples=25, deadline=None)
@given(shape=weight_shapes)
def test_fans_equal_torchs(shape: tuple[int, ...]) -> None:
    expected = torch_init._calculate_fan_in_and_fan_out(torch.zeros(shape))
    assert init.calculate_fan_in_and_fan_out(sh.Cpu().zeros(shape)) == expected
    assert init._calculate_fan_in_and_fan_out(sh.Cpu().zeros(shape)) == expected


@pytest.mark.parametrize(
    "layer",
    [
        lambda: (nn.Linear(784, 128), torch.nn.Linear(784, 128)),
        lambda: (nn.Conv2d(3, 16, 5), torch.nn.Conv2d(3, 16, 5)),
        lambda: (nn.Conv2d(8, 16, 3, groups=4), torch.nn.Conv2d(8, 16, 3, groups=4)),
        lambda: (nn.Conv1d(4, 6, 7), torch.nn.Conv1d(4, 6, 7)),
        lambda: (nn.Conv3d(2, 4, 3), torch.nn.Conv3d(2, 4, 3)),
        lambda: (nn.ConvTranspose2d(6, 3, 4), torch.nn.ConvTranspose2d(6, 3, 4)),
    ],
)
def test_fans_of_layer_weights(layer: Callable[[], tuple[Any, Any]]) -> None:
    ours, theirs = layer()
    for mode in ("fan_in", "fan_out"):
        assert init._calculate_correct_fan(ours.weight, mode) == (
            torch_init._calculate_correct_fan(theirs.weight, mode)
        )
    assert init.calculate_fan_in_and_fan_out(ours.weight) == (
        torch_init._calculate_fan_in_and_fan_out(theirs.weight)
    )


@pytest.mark.parametrize("shape", [(), (5,)])
def test_fans_need_two_dims(shape: tuple[int, ...]) -> None:
    with pytest.raises(ValueError):
        torch_init._calculate_fan_in_and_fan_out(torch.zeros(shape))
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.calculate_fan_in_and_fan_out(sh.Cpu().zeros(shape))


@pytest.mark.parametrize(
    ("name", "param"),
    [
        ("linear", None),
        ("conv1d", None),
        ("conv2d", None),
        ("conv3d", None),
        ("conv_transpose1d", None),
        ("conv_transpose2d", None),
        ("conv_transpose3d", None),
        ("sigmoid", None),
        ("tanh", None),
        ("relu", None),
        ("leaky_relu", None),
        ("leaky_relu", 0.2),
        ("leaky_relu", 3),
        ("leaky_relu", math.sqrt(5)),
        ("selu", None),
    ],
)
def test_gains_equal_torchs(name: Any, param: Any) -> None:
    assert init.calculate_gain(name, param) == torch_init.calculate_gain(name, param)


def test_bad_gain_arguments() -> None:
    with pytest.raises(ValueError, match="unsupported nonlinearity 'swish'"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="not a valid number"):
        init.calculate_gain("leaky_relu", True)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="mode 'fan_middle' not supported"):
        init.kaiming_uniform_(sh.Cpu().zeros((3, 4)), mode="fan_middle")


# ---------------------------------------------------------------- random fills


FILLS: list[tuple[str, Callable[..., Any], Callable[..., Any], dict[str, Any]]] = [
    ("uniform", init.uniform_, torch_init.uniform_, {"a": -0.5, "b": 2.0}),
    ("normal", init.normal_, torch_init.normal_, {"mean": 1.0, "std": 0.3}),
    ("xavier_uniform", init.xavier_uniform_, torch_init.xavier_uniform_, {"gain": 2.0}),
    ("xavier_normal", init.xavier_normal_, torch_init.xavier_normal_, {}),
    ("kaiming_uniform", init.kaiming_uniform_, torch_init.kaiming_uniform_, {"a": math.sqrt(5)}),
    (
        "kaiming_uniform_relu_out",
        init.kaiming_uniform_,
        torch_init.kaiming_uniform_,
        {"mode": "fan_out", "nonlinearity": "relu"},
    ),
    ("kaiming_normal", init.kaiming_normal_, torch_init.kaiming_normal_, {}),
    (
        "kaiming_normal_tanh",
        init.kaiming_normal_,
        torch_init.kaiming_normal_,
        {"mode": "fan_out", "nonlinearity": "tanh"},
    ),
    ("trunc_normal", init.trunc_normal_, torch_init.trunc_normal_, {"std": 0.02}),
    (
        "trunc_normal_narrow",
        init.trunc_normal_,
        torch_init.trunc_normal_,
        {"mean": 0.5, "std": 1.0, "a": 0.0, "b": 1.0},
    ),
    (
        "trunc_normal_tail",
        init.trunc_normal_,
        torch_init.trunc_normal_,
        {"mean": 0.0, "std": 1.0, "a": 2.0, "b": 4.0},
    ),
]


@pytest.mark.parametrize(
    ("name", "ours_fn", "torch_fn", "kwargs"), FILLS, ids=[f[0] for f in FILLS]
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_same_distribution_as_torch(
    name: str, ours_fn: Any, torch_fn: Any, kwargs: dict[str, Any], dtype: Any
) -> None:
    ours, theirs = ours_and_theirs((64, 32, 3, 3), dtype)
    # a generator of our own: the device's RNG state would depend on the tests run before
    result = ours_fn(ours, generator=np.random.default_rng(2024), **kwargs)
    torch_fn(theirs, **kwargs)
    assert result is ours
    assert ours.numpy().dtype == dtype
    same_distribution(ours, theirs)


@pytest.mark.parametrize(
    ("shape", "mode", "nonlinearity", "a"),
    [
        ((128, 784), "fan_in", "leaky_relu", math.sqrt(5)),
        ((32, 16, 5, 5), "fan_out", "relu", 0),
        ((16, 4, 7), "fan_in", "leaky_relu", 0.1),
    ],
)
def test_kaiming_uniform_bound(
    shape: tuple[int, ...], mode: Any, nonlinearity: Any, a: float
) -> None:
    w = init.kaiming_uniform_(sh.Cpu().zeros(shape), a=a, mode=mode, nonlinearity=nonlinearity)
    fan = torch_init._calculate_correct_fan(torch.zeros(shape), mode)
    bound = math.sqrt(3.0) * torch_init.calculate_gain(nonlinearity, a) / math.sqrt(fan)
    values = np.abs(w.numpy())
    assert values.max() <= bound * (1 + 1e-6)
    assert values.max() > 0.99 * bound  # the draws reach the edge
    np.testing.assert_allclose(w.numpy().std(), bound / math.sqrt(3.0), rtol=0.05)


def test_kaiming_uniform_sqrt5_is_the_default_layer_init() -> None:
    # torch's Linear/Conv reset_parameters: kaiming_uniform_(w, a=sqrt(5)) is U(-1/sqrt(fan_in), ..)
    layer = nn.Conv2d(6, 16, 5)
    before = np.abs(layer.weight.numpy()).max()
    init.kaiming_uniform_(layer.weight, a=math.sqrt(5))
    bound = 1 / math.sqrt(6 * 25)
    assert np.abs(layer.weight.numpy()).max() <= bound * (1 + 1e-6)
    assert before <= bound * (1 + 1e-6)


@pytest.mark.parametrize(
    ("mean", "std", "a", "b"),
    [(0.0, 1.0, -2.0, 2.0), (0.0, 0.02, -0.04, 0.04), (1.0, 2.0, 0.5, 1.5), (0.0, 1.0, 2.5, 3.0)],
)
@pytest.mark.filterwarnings("ignore:mean is more than 2 std")
def test_trunc_normal_bounds_and_moments(mean: float, std: float, a: float, b: float) -> None:
    w = init.trunc_normal_(sh.Cpu().zeros((200, 300), dtype=sh.Float64), mean, std, a, b)
    values = w.numpy()
    assert values.min() >= a and values.max() <= b
    law = stats.truncnorm((a - mean) / std, (b - mean) / std, loc=mean, scale=std)
    np.testing.assert_allclose(
        values.mean(), law.mean(), atol=4 * law.std() / math.sqrt(values.size)
    )
    np.testing.assert_allclose(values.std(), law.std(), rtol=0.02)
    assert stats.kstest(values.ravel(), law.cdf).pvalue > 1e-3


def test_trunc_normal_warns_as_torch_far_from_the_interval() -> None:
    with pytest.warns(UserWarning, match="more than 2 std"):
        init.trunc_normal_(sh.Cpu().zeros((4, 4)), mean=5.0, std=1.0, a=-1.0, b=1.0)


@pytest.mark.parametrize("shape", [(4, 4), (3, 7), (7, 3), (16, 4, 3, 3), (2, 50), (50, 2), (1, 5)])
@pytest.mark.parametrize("dtype", [sh.Float32, sh.Float64])
@pytest.mark.parametrize("gain", [1.0, 2.5])
def test_orthogonal(shape: tuple[int, ...], dtype: Any, gain: float) -> None:
    w = init.orthogonal_(sh.Cpu().zeros(shape, dtype=dtype), gain=gain)
    flat = w.numpy().reshape(shape[0], -1).astype(np.float64)
    rows, cols = flat.shape
    gram = flat @ flat.T if rows <= cols else flat.T @ flat
    tolerance = 1e-5 if dtype is sh.Float32 else 1e-12
    np.testing.assert_allclose(gram, gain**2 * np.eye(min(rows, cols)), atol=tolerance * gain**2)
    ref = torch_init.orthogonal_(torch.zeros(shape), gain=gain)
    torch_flat = ref.reshape(shape[0], -1).double()
    torch_gram = torch_flat @ torch_flat.T if rows <= cols else torch_flat.T @ torch_flat
    np.testing.assert_allclose(gram, torch_gram.numpy(), atol=1e-5 * gain**2)


def test_orthogonal_is_haar_distributed() -> None:
    # the sign fix makes Q uniform: each entry of a random n x n orthogonal matrix has mean 0
    # and variance 1/n; without it the diagonal would lean positive
    n, draws = 4, 2000
    dev = sh.Cpu(seed=3)
    diag = np.array(
        [np.diag(init.orthogonal_(dev.zeros((n, n)), generator=dev).numpy()) for _ in range(draws)]
    )
    assert abs(diag.mean()) < 4 * math.sqrt(1 / n / (draws * n))
    np.testing.assert_allclose(diag.var(), 1 / n, rtol=0.1)


def test_sparse() -> None:
    torch.manual_seed(0)
    w = init.sparse_(sh.Cpu().zeros((40, 500)), sparsity=0.3, std=0.05)
    ref = torch_init.sparse_(torch.zeros(40, 500), sparsity=0.3, std=0.05)
    zeros = (w.numpy() == 0).sum(axis=0)
    np.testing.assert_array_equal(zeros, (ref.numpy() == 0).sum(axis=0))  # ceil(0.3 * 40) = 12
    assert (zeros == 12).all()
    kept = w.numpy()[w.numpy() != 0]
    np.testing.assert_allclose(kept.std(), 0.05, rtol=0.05)


# ---------------------------------------------------------------- deterministic fills


@pytest.mark.parametrize("shape", [(3, 3), (2, 5), (5, 2), (0, 3)])
def test_eye_equals_torch(shape: tuple[int, int]) -> None:
    ours = init.eye_(sh.Cpu().full(shape, 7.0))
    np.testing.assert_array_equal(ours.numpy(), torch_init.eye_(torch.full(shape, 7.0)).numpy())


@pytest.mark.parametrize(
    ("shape", "groups"),
    [((4, 4, 3), 1), ((6, 3, 3, 3), 1), ((8, 2, 3, 3), 2), ((4, 6, 2, 3, 3), 1), ((6, 2, 5), 3)],
)
def test_dirac_equals_torch(shape: tuple[int, ...], groups: int) -> None:
    ours = init.dirac_(sh.Cpu().ones(shape), groups=groups)
    np.testing.assert_array_equal(
        ours.numpy(), torch_init.dirac_(torch.ones(shape), groups=groups).numpy()
    )


def test_dirac_keeps_the_input_through_a_conv() -> None:
    conv = nn.Conv2d(3, 3, 3, padding=1, bias=False)
    init.dirac_(conv.weight)
    x = sh.Cpu().randn((2, 3, 5, 5))
    np.testing.assert_allclose(conv(x).numpy(), x.numpy(), atol=1e-6)


@pytest.mark.parametrize("dtype", [sh.Float16, sh.Float32, sh.Float64, sh.Int32, sh.Int64, sh.Bool])
def test_constant_fills_keep_the_dtype(dtype: Any) -> None:
    t = sh.Cpu().zeros((2, 3), dtype=dtype)
    assert init.ones_(t) is t
    assert t.dtype is dtype and (t.numpy() == 1).all()
    init.zeros_(t)
    assert (t.numpy() == 0).all()
    init.constant_(t, 1)
    assert (t.numpy() == 1).all()


def test_constant_equals_torch() -> None:
    ours = init.constant_(sh.Cpu().zeros((3, 2)), 0.3)
    np.testing.assert_array_equal(
        ours.numpy(), torch_init.constant_(torch.zeros(3, 2), 0.3).numpy()
    )


# ---------------------------------------------------------------- RNG, in place, the tape


def test_generator_device_or_numpy_generator_is_reproducible() -> None:
    a = init.normal_(sh.Cpu().zeros((5, 5)), generator=sh.Cpu(seed=4)).numpy()
    b = init.normal_(sh.Cpu().zeros((5, 5)), generator=sh.Cpu(seed=4)).numpy()
    c = init.normal_(sh.Cpu().zeros((5, 5)), generator=np.random.default_rng(4)).numpy()
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, c)
    d = init.normal_(sh.Cpu().zeros((5, 5))).numpy()  # the tensor's device RNG: moves on
    e = init.normal_(sh.Cpu().zeros((5, 5))).numpy()
    assert not np.array_equal(d, e)
    with pytest.raises(TypeError, match="generator must be a device"):
        init.normal_(sh.Cpu().zeros((2, 2)), generator=7)  # type: ignore[arg-type]


def test_bad_tensors() -> None:
    with pytest.raises(sh.DtypeError, match="draws floats, but the tensor is Int64"):
        init.normal_(sh.Cpu().zeros((2, 2), dtype=sh.Int64))
    with pytest.raises(TypeError, match="expected a shaped Tensor"):
        init.uniform_(np.zeros((2, 2)))  # type: ignore[type-var]
    with pytest.raises(ValueError, match="only tensors with 2 dimensions"):
        init.eye_(sh.Cpu().zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="3, 4, or 5 dimensions"):
        init.dirac_(sh.Cpu().zeros((2, 2)))
    with pytest.raises(ValueError, match="divisible by groups"):
        init.dirac_(sh.Cpu().zeros((5, 2, 3)), groups=2)
    with pytest.raises(ValueError, match="2 or more dimensions"):
        init.orthogonal_(sh.Cpu().zeros((3,)))
    with pytest.raises(ValueError, match="only tensors with 2 dimensions"):
        init.sparse_(sh.Cpu().zeros((3,)), 0.5)


def test_zero_size_tensors() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        torch_init.kaiming_uniform_(torch.zeros(0, 3))
    with pytest.warns(UserWarning, match="zero-element tensors is a no-op"):
        init.kaiming_uniform_(sh.Cpu().zeros((0, 3)))
    assert len(caught) == 1
    assert init.orthogonal_(sh.Cpu().zeros((0, 3))).shape == (0, 3)
    assert init.xavier_uniform_(sh.Cpu().zeros((4, 0))).shape == (4, 0)
    assert init.normal_(sh.Cpu().zeros((0,))).shape == (0,)


def test_in_place_keeps_views_and_traced_gradients_right() -> None:
    """As an optimizer's update: a view follows, a deferred input gradient keeps the old
    weights, a tensor derived from the old weights raises instead of mixing them."""
    dev = sh.Cpu(seed=0)
    lin = nn.Linear(3, 2, device=dev)
    old = lin.weight.numpy()
    view = lin.weight.T
    doubled = lin.weight * 2.0  # not a view: computed from the old values
    x = dev.randn((4, 3))
    grads = sh.Gradients()
    xt = x.traced(grads)
    grads = lin(xt).sum().backward()
    init.xavier_uniform_(lin.weight)
    assert not np.array_equal(lin.weight.numpy(), old)
    np.testing.assert_array_equal(view.numpy(), lin.weight.numpy().T)
    np.testing.assert_allclose(grads[xt].numpy(), np.ones((4, 2)) @ old, rtol=1e-6)
    with pytest.raises(sh.TapeError, match="updated in place"):
        (dev.randn((2, 3)).trace() * doubled).sum().backward()


def test_a_traced_loss_made_before_the_init_raises() -> None:
    lin = nn.Linear(3, 2)
    loss = lin(sh.Cpu().randn((4, 3)).trace()).sum()
    init.zeros_(lin.weight)
    with pytest.raises(sh.TapeError, match="updated in place before backward"):
        loss.backward()


def init_weights(module: nn.Module) -> None:
    if isinstance(module, nn.Linear):
        init.kaiming_normal_(module.weight, nonlinearity="relu")
        if module.bias is not None:
            init.zeros_(module.bias)
    elif isinstance(module, nn.Conv2d):
        init.xavier_uniform_(module.weight)
        if module.bias is not None:
            init.constant_(module.bias, 0.1)


def test_model_apply_style() -> None:
    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = nn.Conv2d(1, 8, 3)
            self.body = nn.Sequential(nn.Linear(200, 300), nn.ReLU(), nn.Linear(300, 10))

    net = Net()
    if hasattr(net, "apply"):
        assert net.apply(init_weights) is net
    else:  # Module.apply is another helper's: the same through modules()
        for module in net.modules():
            init_weights(module)
    first = net.body[0]
    assert isinstance(first, nn.Linear)
    np.testing.assert_allclose(first.weight.numpy().std(), math.sqrt(2 / 200), rtol=0.05)
    assert first.bias is not None and (first.bias.numpy() == 0).all()
    assert net.conv.bias is not None and np.allclose(net.conv.bias.numpy(), 0.1)
    bound = math.sqrt(6 / (9 + 72))
    assert np.abs(net.conv.weight.numpy()).max() <= bound * (1 + 1e-6)
    # the loop over named_parameters(), as torch code without apply writes it
    for name, param in net.named_parameters():
        if name.endswith("weight") and param.ndim >= 2:
            init.orthogonal_(param)
    w = first.weight.numpy()
    np.testing.assert_allclose(w.T @ w, np.eye(200), atol=1e-4)
