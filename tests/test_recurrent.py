"""nn.RNN, nn.LSTM, nn.GRU and the cells against torch.nn's: torch's state_dict loads into
ours, then outputs, final states and the gradients of the input, the initial states and
every parameter agree, in float32 and float64; initialisation, dropout, SGD steps, errors."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import shaped as sh
from shaped import nn, optim
from shaped.errors import DtypeError, ShapeError

dev = sh.Cpu(seed=0)
LAYERS = {
    "RNN": (nn.RNN, torch.nn.RNN),
    "LSTM": (nn.LSTM, torch.nn.LSTM),
    "GRU": (nn.GRU, torch.nn.GRU),
}
CELLS = {
    "RNNCell": (nn.RNNCell, torch.nn.RNNCell),
    "LSTMCell": (nn.LSTMCell, torch.nn.LSTMCell),
    "GRUCell": (nn.GRUCell, torch.nn.GRUCell),
}


def tol(dtype: Any) -> dict[str, float]:
    return {"rtol": 1e-7, "atol": 1e-9} if dtype == np.float64 else {"rtol": 1e-4, "atol": 2e-5}


def pair(dtype: Any) -> tuple[Any, torch.dtype]:
    return (sh.Float64, torch.float64) if dtype == np.float64 else (sh.Float32, torch.float32)


def loaded(ours: Any, theirs: torch.nn.Module) -> Any:
    """ours with theirs' parameters (a torch state_dict loads as it is)."""
    result = ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    assert result.missing_keys == [] and result.unexpected_keys == []
    return ours


def flat(value: Any) -> list[Any]:
    """The tensors of a nested result (output, (h_n, c_n)) in order."""
    if isinstance(value, tuple):
        return [t for item in value for t in flat(item)]
    return [value]


def compare(
    ours: Any, theirs: torch.nn.Module, x: np.ndarray, states: list[np.ndarray] | None = None
) -> None:
    """Forward and backward of ours against theirs (loaded with theirs' weights) on x and the
    optional initial states: values, then the gradients of x, the states and the parameters."""
    loaded(ours, theirs)
    rng = np.random.default_rng(1)
    grads = ours.alloc_grads()
    x_ours = dev.tensor(x).traced(grads)
    x_theirs = torch.tensor(x, requires_grad=True)
    s_ours = [dev.tensor(s).traced(grads) for s in states or []]
    s_theirs = [torch.tensor(s, requires_grad=True) for s in states or []]
    lstm = isinstance(theirs, torch.nn.LSTM | torch.nn.LSTMCell)
    hx_ours: Any = None if not states else tuple(s_ours) if lstm else s_ours[0]
    hx_theirs: Any = None if not states else tuple(s_theirs) if lstm else s_theirs[0]
    out_ours, out_theirs = flat(ours(x_ours, hx_ours)), flat(theirs(x_theirs, hx_theirs))
    assert len(out_ours) == len(out_theirs)
    weights = []
    for a, b in zip(out_ours, out_theirs):
        assert a.shape == tuple(b.shape)
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), **tol(x.dtype))
        weights.append(rng.standard_normal(a.shape).astype(x.dtype))
    loss_theirs = sum((b * torch.tensor(w)).sum() for b, w in zip(out_theirs, weights))
    loss_theirs.backward()  # type: ignore[union-attr]
    loss_ours = out_ours[0] * dev.tensor(weights[0])
    total = loss_ours.sum()
    for a, w in zip(out_ours[1:], weights[1:]):
        total = total + (a * dev.tensor(w)).sum()
    got = total.backward()
    np.testing.assert_allclose(got[x_ours].numpy(), x_theirs.grad.numpy(), **tol(x.dtype))  # type: ignore[union-attr]
    for a, b in zip(s_ours, s_theirs):
        np.testing.assert_allclose(got[a].numpy(), b.grad.numpy(), **tol(x.dtype))  # type: ignore[union-attr]
    params = dict(ours.named_parameters())
    assert sorted(params) == sorted(name for name, _ in theirs.named_parameters())
    for name, p in theirs.named_parameters():
        np.testing.assert_allclose(got[params[name]].numpy(), p.grad.numpy(), **tol(x.dtype))  # type: ignore[union-attr]


def layer_pair(name: str, dtype: Any, *args: Any, **kw: Any) -> tuple[Any, torch.nn.Module]:
    ours_cls, theirs_cls = {**LAYERS, **CELLS}[name]
    ours_dtype, theirs_dtype = pair(dtype)
    torch.manual_seed(0)
    return ours_cls(*args, dtype=ours_dtype, **kw), theirs_cls(*args, dtype=theirs_dtype, **kw)


# ---------------------------------------------------------------- layers


CONFIGS = [
    {},
    {"num_layers": 2},
    {"bidirectional": True},
    {"num_layers": 3, "bidirectional": True},
    {"batch_first": True},
    {"batch_first": True, "num_layers": 2, "bidirectional": True},
    {"bias": False, "num_layers": 2},
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("config", CONFIGS, ids=str)
@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_layer_matches_torch(name: str, config: dict[str, Any], dtype: Any) -> None:
    ours, theirs = layer_pair(name, dtype, 3, 5, **config)
    x = np.random.default_rng(0).standard_normal((6, 2, 3)).astype(dtype)
    compare(ours, theirs, x)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rnn_relu_matches_torch(dtype: Any) -> None:
    ours, theirs = layer_pair("RNN", dtype, 4, 3, 2, nonlinearity="relu", bidirectional=True)
    x = np.random.default_rng(2).standard_normal((5, 3, 4)).astype(dtype)
    compare(ours, theirs, x)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_initial_states_get_gradients(name: str, batch_first: bool, dtype: Any) -> None:
    ours, theirs = layer_pair(name, dtype, 3, 4, 2, bidirectional=True, batch_first=batch_first)
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 5, 3) if batch_first else (5, 2, 3)).astype(dtype)
    count = 2 if name == "LSTM" else 1
    states = [rng.standard_normal((4, 2, 4)).astype(dtype) for _ in range(count)]
    compare(ours, theirs, x, states)


@pytest.mark.parametrize("with_states", [False, True])
@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_unbatched_input(name: str, with_states: bool) -> None:
    ours, theirs = layer_pair(name, np.float64, 3, 4, 2, bidirectional=True)
    rng = np.random.default_rng(4)
    x = rng.standard_normal((5, 3))
    count = 2 if name == "LSTM" else 1
    states = [rng.standard_normal((4, 4)) for _ in range(count)] if with_states else None
    compare(ours, theirs, x, states)


@settings(max_examples=20, deadline=None)
@given(
    name=st.sampled_from(["RNN", "LSTM", "GRU"]),
    steps=st.integers(1, 4),
    batch=st.integers(0, 3),
    features=st.integers(1, 4),
    hidden=st.integers(1, 4),
    layers=st.integers(1, 2),
    bidirectional=st.booleans(),
    batch_first=st.booleans(),
    dtype=st.sampled_from([np.float32, np.float64]),
)
def test_layer_shapes_hypothesis(
    name: str,
    steps: int,
    batch: int,
    features: int,
    hidden: int,
    layers: int,
    bidirectional: bool,
    batch_first: bool,
    dtype: Any,
) -> None:
    ours, theirs = layer_pair(
        name, dtype, features, hidden, layers, bidirectional=bidirectional, batch_first=batch_first
    )
    shape = (batch, steps, features) if batch_first else (steps, batch, features)
    x = np.random.default_rng(steps * 7 + batch).standard_normal(shape).astype(dtype)
    compare(ours, theirs, x)


def test_sgd_steps_match_torch() -> None:
    ours, theirs = layer_pair("LSTM", np.float64, 3, 4, 2, batch_first=True)
    loaded(ours, theirs)
    sgd_ours = optim.Sgd(ours, lr=0.1, momentum=0.9)
    sgd_theirs = torch.optim.SGD(theirs.parameters(), lr=0.1, momentum=0.9)
    rng = np.random.default_rng(5)
    grads = ours.alloc_grads()
    for _ in range(3):
        x, target = rng.standard_normal((2, 5, 3)), rng.standard_normal((2, 5, 4))
        out, (h_n, _) = ours(dev.tensor(x).traced(grads))
        loss = ((out - dev.tensor(target)) ** 2).mean() + h_n.sum()
        sgd_ours.update(ours, loss.backward())
        ours.zero_grads(grads)
        sgd_theirs.zero_grad()
        out_t, (h_t, _) = theirs(torch.tensor(x))
        (((out_t - torch.tensor(target)) ** 2).mean() + h_t.sum()).backward()
        sgd_theirs.step()
    for name, p in theirs.named_parameters():
        np.testing.assert_allclose(dict(ours.named_parameters())[name].numpy(), p.detach().numpy())


def test_parameters_as_torch_and_initialised_uniformly() -> None:
    for name, (ours_cls, theirs_cls) in {**LAYERS, **CELLS}.items():
        extra = {"num_layers": 2, "bidirectional": True} if name in LAYERS else {}
        ours, theirs = ours_cls(7, 400, **extra), theirs_cls(7, 400, **extra)
        shapes = {k: tuple(v.shape) for k, v in theirs.state_dict().items()}
        assert {k: v.shape for k, v in ours.named_parameters()} == shapes
        assert list(dict(ours.named_parameters())) == list(shapes)  # torch's order too
        bound = 1 / math.sqrt(400)
        for _, p in ours.named_parameters():
            values = p.numpy()
            assert values.dtype == np.float32
            assert np.abs(values).max() <= bound
            assert abs(values.std() - bound / math.sqrt(3)) < 0.05 * bound


def test_repr_as_torch() -> None:
    for ours, theirs in [
        (nn.LSTM(3, 5, 2, batch_first=True), torch.nn.LSTM(3, 5, 2, batch_first=True)),
        (
            nn.GRU(3, 5, bias=False, bidirectional=True),
            torch.nn.GRU(3, 5, bias=False, bidirectional=True),
        ),
        (nn.RNN(3, 5, nonlinearity="relu"), torch.nn.RNN(3, 5, nonlinearity="relu")),
        (nn.LSTMCell(3, 5), torch.nn.LSTMCell(3, 5)),
        (nn.RNNCell(3, 5, nonlinearity="relu"), torch.nn.RNNCell(3, 5, nonlinearity="relu")),
    ]:
        assert repr(ours) == repr(theirs)


# ---------------------------------------------------------------- dropout between layers


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_dropout_one_in_training_matches_torch(name: str) -> None:
    # p = 1 zeroes every layer's output but the last: deterministic in both libraries
    ours, theirs = layer_pair(name, np.float64, 3, 4, 3, dropout=1.0)
    x = np.random.default_rng(6).standard_normal((4, 2, 3))
    compare(ours, theirs, x)


def test_dropout_draws_from_the_module_device_and_only_in_training() -> None:
    x = np.random.default_rng(7).standard_normal((6, 3, 4)).astype(np.float32)
    runs = []
    for _ in range(2):
        layer = nn.LSTM(4, 8, 2, dropout=0.5, device=sh.Cpu(seed=11))
        runs.append(layer(dev.tensor(x))[0].numpy())
    np.testing.assert_array_equal(runs[0], runs[1])  # the module's RNG, seeded
    layer = nn.LSTM(4, 8, 2, dropout=0.5, device=sh.Cpu(seed=11))
    theirs = loaded(nn.LSTM(4, 8, 2), layer)  # the same weights without dropout
    assert not np.allclose(layer(dev.tensor(x))[0].numpy(), theirs(dev.tensor(x))[0].numpy())
    layer.eval()
    np.testing.assert_allclose(layer(dev.tensor(x))[0].numpy(), theirs(dev.tensor(x))[0].numpy())


def test_dropout_with_one_layer_warns_as_torch() -> None:
    with pytest.warns(UserWarning, match="num_layers greater than 1"):
        nn.GRU(3, 4, dropout=0.2)


# ---------------------------------------------------------------- cells


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("with_states", [False, True])
@pytest.mark.parametrize("name", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cell_matches_torch(name: str, with_states: bool, dtype: Any) -> None:
    ours, theirs = layer_pair(name, dtype, 3, 5)
    rng = np.random.default_rng(8)
    x = rng.standard_normal((4, 3)).astype(dtype)
    count = 2 if name == "LSTMCell" else 1
    states = [rng.standard_normal((4, 5)).astype(dtype) for _ in range(count)]
    compare(ours, theirs, x, states if with_states else None)


@pytest.mark.parametrize("name", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cell_unbatched_zero_batch_and_no_bias(name: str) -> None:
    rng = np.random.default_rng(9)
    count = 2 if name == "LSTMCell" else 1
    ours, theirs = layer_pair(name, np.float64, 3, 2, False)  # bias=False
    compare(ours, theirs, rng.standard_normal(3), [rng.standard_normal(2) for _ in range(count)])
    ours, theirs = layer_pair(name, np.float64, 3, 2)
    compare(ours, theirs, rng.standard_normal((0, 3)))


def test_rnn_cell_relu() -> None:
    ours, theirs = layer_pair("RNNCell", np.float64, 3, 4, nonlinearity="relu")
    compare(ours, theirs, np.random.default_rng(10).standard_normal((5, 3)))


# ---------------------------------------------------------------- bad input


def test_bad_input_is_a_specific_error() -> None:
    lstm = nn.LSTM(3, 5, 2)
    with pytest.raises(
        ShapeError, match=r"input.size\(-1\) must be equal to input_size. Expected 3, got 4"
    ):
        lstm(dev.zeros((6, 2, 4)))
    with pytest.raises(ShapeError, match="Expected input to be 2D or 3D, got 4D instead"):
        lstm(dev.zeros((6, 2, 3, 1)))
    with pytest.raises(ShapeError, match=r"Expected h0 of shape \(2, 2, 5\), got \(1, 2, 5\)"):
        lstm(dev.zeros((6, 2, 3)), (dev.zeros((1, 2, 5)), dev.zeros((2, 2, 5))))
    with pytest.raises(ShapeError, match=r"Expected c0 of shape \(2, 2, 5\), got \(2, 3, 5\)"):
        lstm(dev.zeros((6, 2, 3)), (dev.zeros((2, 2, 5)), dev.zeros((2, 3, 5))))
    with pytest.raises(ShapeError, match="sequence length to be larger than 0"):
        lstm(dev.zeros((0, 2, 3)))
    with pytest.raises(TypeError, match=r"pair of tensors \(h0, c0\)"):
        lstm(dev.zeros((6, 2, 3)), dev.zeros((2, 2, 5)))
    with pytest.raises(DtypeError, match="lstm"):
        lstm(dev.zeros((6, 2, 3), dtype=sh.Float64))
    with pytest.raises(ShapeError, match="Expected h0 of shape"):
        nn.GRU(3, 5)(dev.zeros((6, 3)), dev.zeros((1, 2, 5)))  # unbatched input, batched h0
    with pytest.raises(ShapeError, match="inconsistent input_size: got 4 expected 3"):
        nn.GRUCell(3, 5)(dev.zeros((2, 4)))
    with pytest.raises(ShapeError, match=r"Expected hx of shape \(2, 5\), got \(3, 5\)"):
        nn.RNNCell(3, 5)(dev.zeros((2, 3)), dev.zeros((3, 5)))
    with pytest.raises(ShapeError, match="Expected input to be 1D or 2D"):
        nn.LSTMCell(3, 5)(dev.zeros((1, 2, 3)))


def test_bad_constructor_arguments() -> None:
    with pytest.raises(ShapeError, match="hidden_size must be at least 1, got 0"):
        nn.LSTM(3, 0)
    with pytest.raises(ShapeError, match="num_layers must be at least 1, got 0"):
        nn.GRU(3, 4, 0)
    with pytest.raises(ValueError, match="dropout should be a number in range"):
        nn.RNN(3, 4, 2, dropout=1.5)
    with pytest.raises(ValueError, match="Unknown nonlinearity"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(TypeError, match="batch_first must be True or False"):
        nn.LSTM(3, 4, batch_first=1)
    with pytest.raises(DtypeError, match="float dtype"):
        nn.GRUCell(3, 4, dtype=sh.Int64)  # type: ignore[call-overload]


def test_dtype_conversion_and_parameter_count() -> None:
    layer = nn.GRU(3, 4, 2, bidirectional=True).to(sh.Float64)
    out, h_n = layer(dev.zeros((5, 2, 3), dtype=sh.Float64))
    assert out.dtype is sh.Float64 and h_n.shape == (4, 2, 4)
    theirs = torch.nn.GRU(3, 4, 2, bidirectional=True)
    assert layer.num_params() == sum(p.numel() for p in theirs.parameters())
    cell = nn.LSTMCell(3, 4, bias=False)
    assert [name for name, _ in cell.named_parameters()] == ["weight_ih", "weight_hh"]


def test_run_time_raises_what_the_plugin_reports() -> None:
    """Each bad line of tests/typing/fail/recurrent.py raises at run time with the message
    mypy reports for it (one rule, two uses)."""
    source = (Path(__file__).parent / "typing" / "fail" / "recurrent.py").read_text()
    lines = source.splitlines()
    namespace: dict[str, Any] = {}
    exec("\n".join(line for line in lines if "# E:" not in line), namespace)
    bad = [line for line in lines if "# E:" in line]
    assert len(bad) >= 10
    for line in bad:
        code, message = line.split("  # type: ignore")[0], line.split("# E: ")[1]
        with pytest.raises((ShapeError, DtypeError)) as raised:
            exec(code, namespace)
        assert message in str(raised.value), (code, str(raised.value))
