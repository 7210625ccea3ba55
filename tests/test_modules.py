"""sh.nn modules against torch.nn: values and gradients with the same weights copied in,
train/eval behaviour, initial distributions, names, counts, repr, Sequential, build_module."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any
from typing import Literal as L

import numpy as np
import pytest
import torch

import shaped as sh
from shaped import nn
from tests.oracle import tolerance

dev = sh.Cpu()
DTYPES = {np.float64: sh.Float64, np.float32: sh.Float32}


def to_torch(module: torch.nn.Module, ours: nn.Module) -> torch.nn.Module:
    """torch's module with our parameters and buffers (same names) copied in."""
    state = {name: torch.from_numpy(t.numpy()) for name, t in ours.state_dict().items()}
    module.load_state_dict(state)
    return module


def compare(
    ours: nn.Module,
    theirs: torch.nn.Module,
    *inputs: np.ndarray,
    call: Callable[..., Any] | None = None,
    torch_call: Callable[..., Any] | None = None,
    seed: int = 0,
) -> None:
    """Forward values, then the gradients of every parameter and float input, against torch."""
    to_torch(theirs, ours)
    grads = ours.alloc_grads()
    mine = [dev.tensor(a).traced(grads) if a.dtype.kind == "f" else dev.tensor(a) for a in inputs]
    ref_in = [torch.tensor(a, requires_grad=a.dtype.kind == "f") for a in inputs]
    out = (call or ours)(*mine)
    ref = (torch_call or theirs)(*ref_in)
    expected = ref.detach().numpy()
    rtol, atol = tolerance(expected.dtype)
    assert out.shape == expected.shape
    assert out.numpy().dtype == expected.dtype
    np.testing.assert_allclose(out.numpy(), expected, rtol=rtol, atol=atol, err_msg="forward")
    upstream = np.random.default_rng(seed).standard_normal(expected.shape).astype(expected.dtype)
    (ref * torch.from_numpy(upstream)).sum().backward()
    got = (out * dev.tensor(upstream)).sum().backward()
    their_params = dict(theirs.named_parameters())
    assert [name for name, _ in ours.named_parameters()] == list(their_params)
    for name, param in ours.named_parameters():
        reference = their_params[name].grad
        want = np.zeros(param.shape) if reference is None else reference.numpy()
        np.testing.assert_allclose(got[param].numpy(), want, rtol=rtol, atol=atol, err_msg=name)
    for i, (tensor, reference) in enumerate(zip(mine, ref_in)):
        if reference.requires_grad:
            assert reference.grad is not None
            np.testing.assert_allclose(
                got[tensor].numpy(), reference.grad.numpy(), rtol=rtol, atol=atol, err_msg=f"x{i}"
            )


def data(*shape: int, dtype: Any = np.float64, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def torch_dtype(dtype: Any) -> torch.dtype:
    return torch.float64 if dtype is np.float64 else torch.float32


# ---------------------------------------------------------------- layers against torch.nn

# (name, our module, torch module, input shape) built for one dtype
LayerCase = Callable[[Any, Any], tuple[nn.Module, torch.nn.Module, tuple[int, ...]]]
LAYERS: dict[str, LayerCase] = {
    "linear": lambda d, t: (nn.Linear(5, 3, dtype=d), torch.nn.Linear(5, 3, dtype=t), (4, 2, 5)),
    "linear-no-bias": lambda d, t: (
        nn.Linear(5, 3, bias=False, dtype=d),
        torch.nn.Linear(5, 3, bias=False, dtype=t),
        (4, 5),
    ),
    "conv2d": lambda d, t: (
        nn.Conv2d(4, 6, 3, stride=2, padding=1, groups=2, dtype=d),
        torch.nn.Conv2d(4, 6, 3, stride=2, padding=1, groups=2, dtype=t),
        (2, 4, 9, 9),
    ),
    "conv2d-dilated-unbatched": lambda d, t: (
        nn.Conv2d(3, 4, 3, dilation=2, bias=False, dtype=d),
        torch.nn.Conv2d(3, 4, 3, dilation=2, bias=False, dtype=t),
        (3, 8, 7),
    ),
    "conv-transpose2d": lambda d, t: (
        nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2, dtype=d),
        torch.nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2, dtype=t),
        (2, 4, 5, 5),
    ),
    "max-pool2d": lambda d, t: (nn.MaxPool2d(2), torch.nn.MaxPool2d(2), (2, 3, 6, 7)),
    "max-pool2d-padded": lambda d, t: (
        nn.MaxPool2d(3, stride=2, padding=1),
        torch.nn.MaxPool2d(3, stride=2, padding=1),
        (2, 3, 7, 7),
    ),
    "avg-pool2d": lambda d, t: (
        nn.AvgPool2d(3, stride=2, padding=1),
        torch.nn.AvgPool2d(3, stride=2, padding=1),
        (3, 7, 6),
    ),
    "flatten": lambda d, t: (nn.Flatten(), torch.nn.Flatten(), (2, 3, 4, 5)),
    "flatten-all": lambda d, t: (nn.Flatten(0, 2), torch.nn.Flatten(0, 2), (2, 3, 4, 5)),
    "relu": lambda d, t: (nn.ReLU(), torch.nn.ReLU(), (3, 4)),
    "gelu": lambda d, t: (nn.GELU(), torch.nn.GELU(), (3, 4)),
    "gelu-tanh": lambda d, t: (nn.GELU("tanh"), torch.nn.GELU("tanh"), (3, 4)),
    "tanh": lambda d, t: (nn.Tanh(), torch.nn.Tanh(), (3, 4)),
    "sigmoid": lambda d, t: (nn.Sigmoid(), torch.nn.Sigmoid(), (3, 4)),
    "leaky-relu": lambda d, t: (nn.LeakyReLU(0.2), torch.nn.LeakyReLU(0.2), (3, 4)),
    "softmax": lambda d, t: (nn.Softmax(1), torch.nn.Softmax(1), (3, 4, 2)),
    "log-softmax": lambda d, t: (nn.LogSoftmax(), torch.nn.LogSoftmax(-1), (3, 4)),
    "dropout-eval": lambda d, t: (nn.Dropout(0.3).eval(), torch.nn.Dropout(0.3).eval(), (3, 4)),
    "layer-norm": lambda d, t: (
        nn.LayerNorm(6, dtype=d),
        torch.nn.LayerNorm(6, dtype=t),
        (2, 3, 6),
    ),
    "batch-norm1d": lambda d, t: (
        nn.BatchNorm1d(3, dtype=d),
        torch.nn.BatchNorm1d(3, dtype=t),
        (5, 3),
    ),
    "batch-norm1d-3d": lambda d, t: (
        nn.BatchNorm1d(3, dtype=d),
        torch.nn.BatchNorm1d(3, dtype=t),
        (4, 3, 5),
    ),
    "batch-norm2d": lambda d, t: (
        nn.BatchNorm2d(3, dtype=d),
        torch.nn.BatchNorm2d(3, dtype=t),
        (2, 3, 4, 5),
    ),
    "batch-norm2d-eval": lambda d, t: (
        nn.BatchNorm2d(3, dtype=d).eval(),
        torch.nn.BatchNorm2d(3, dtype=t).eval(),
        (2, 3, 4, 5),
    ),
    "residual": lambda d, t: (
        nn.Residual(nn.Linear(4, 4, dtype=d)),
        TorchResidual(torch.nn.Linear(4, 4, dtype=t)),
        (3, 4),
    ),
    "sequential": lambda d, t: (
        nn.Sequential(nn.Linear(6, 5, dtype=d), nn.Tanh(), nn.Linear(5, 2, dtype=d)),
        torch.nn.Sequential(
            torch.nn.Linear(6, 5, dtype=t), torch.nn.Tanh(), torch.nn.Linear(5, 2, dtype=t)
        ),
        (4, 6),
    ),
    "cnn": lambda d, t: (
        nn.Sequential(
            nn.Conv2d(1, 4, 3, padding=1, dtype=d),
            nn.BatchNorm2d(4, dtype=d),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(36, 3, dtype=d),
        ),
        torch.nn.Sequential(
            torch.nn.Conv2d(1, 4, 3, padding=1, dtype=t),
            torch.nn.BatchNorm2d(4, dtype=t),
            torch.nn.ReLU(),
            torch.nn.MaxPool2d(2),
            torch.nn.Flatten(),
            torch.nn.Linear(36, 3, dtype=t),
        ),
        (2, 1, 6, 6),
    ),
}


class TorchResidual(torch.nn.Module):
    def __init__(self, module: torch.nn.Module) -> None:
        super().__init__()
        self.module = module

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.module(x)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("name", list(LAYERS))
def test_layer_matches_torch(name: str, dtype: Any) -> None:
    ours, theirs, shape = LAYERS[name](DTYPES[dtype], torch_dtype(dtype))
    compare(ours, theirs, data(*shape, dtype=dtype))


def test_embedding_matches_torch() -> None:
    ours = nn.Embedding(10, 4, dtype=sh.Float64)
    theirs = torch.nn.Embedding(10, 4, dtype=torch.float64)
    indices = np.array([[1, 3, 3], [9, 0, 1]])
    compare(ours, theirs, indices, call=lambda i: ours(i.trace()))


def torch_mask(mask: np.ndarray, heads: int) -> torch.Tensor:
    """Our mask (True = may attend; (L, S) or (N, L, S)) as torch MultiheadAttention's."""
    blocked = torch.from_numpy(~mask)
    return blocked if mask.ndim == 2 else blocked.repeat_interleave(heads, dim=0)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("form", ["self", "cross", "kv-shared", "mask-2d", "mask-3d", "unbatched"])
def test_multi_head_attention_matches_torch(form: str, dtype: Any) -> None:
    ours = nn.MultiHeadAttention(8, 2, dtype=DTYPES[dtype])
    theirs = torch.nn.MultiheadAttention(8, 2, batch_first=True, dtype=torch_dtype(dtype))
    q, k, v = (
        data(2, 4, 8, dtype=dtype),
        data(2, 3, 8, dtype=dtype, seed=2),
        data(2, 3, 8, dtype=dtype, seed=3),
    )
    rng = np.random.default_rng(4)
    if form == "self":
        compare(ours, theirs, q, torch_call=lambda x: theirs(x, x, x, need_weights=False)[0])
    elif form == "cross":
        compare(
            ours, theirs, q, k, v, torch_call=lambda a, b, c: theirs(a, b, c, need_weights=False)[0]
        )
    elif form == "kv-shared":
        compare(ours, theirs, q, k, torch_call=lambda a, b: theirs(a, b, b, need_weights=False)[0])
    elif form == "unbatched":
        compare(ours, theirs, q[0], torch_call=lambda x: theirs(x, x, x, need_weights=False)[0])
    else:
        shape = (4, 4) if form == "mask-2d" else (2, 4, 4)
        mask = rng.random(shape) < 0.7
        mask[..., 0] = True  # every query may attend somewhere (torch gives NaN otherwise)
        compare(
            ours,
            theirs,
            q,
            call=lambda x: ours(x, mask=dev.tensor(mask)),
            torch_call=lambda x: theirs(x, x, x, attn_mask=torch_mask(mask, 2), need_weights=False)[
                0
            ],
        )


def test_multi_head_attention_dropout_matches_a_reference_with_the_same_mask() -> None:
    """In training the attention weights are dropped with the module's RNG, as torch drops them."""
    p = 0.5
    ours = nn.MultiHeadAttention(8, 2, dropout=p, device=sh.Cpu(seed=3), dtype=sh.Float64)
    rng = copy.deepcopy(ours._device.rng)  # the state the forward pass will draw from
    x = data(2, 4, 8)
    keep = rng.random((2, 2, 4, 4), dtype="float64") >= p

    def reference(xt: torch.Tensor) -> torch.Tensor:
        w, b = theirs.in_proj_weight, theirs.in_proj_bias
        q, k, v = torch.nn.functional.linear(xt, w, b).chunk(3, dim=-1)
        q, k, v = (t.reshape(2, 4, 2, 4).transpose(1, 2) for t in (q, k, v))
        weights = torch.softmax(q @ k.transpose(-1, -2) / 2.0, dim=-1)
        attended = (weights * torch.from_numpy(keep) / (1 - p)) @ v
        return theirs.out_proj(attended.transpose(1, 2).reshape(2, 4, 8))

    theirs = torch.nn.MultiheadAttention(8, 2, batch_first=True, dtype=torch.float64)
    compare(ours, theirs, x, torch_call=reference)
    ours.eval()
    eval_out = ours(dev.tensor(x))
    expected = theirs.eval()(*(torch.from_numpy(x),) * 3, need_weights=False)[0]
    np.testing.assert_allclose(eval_out.numpy(), expected.detach().numpy(), rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("variant", ["default", "norm-first-gelu", "mask", "train-no-dropout"])
def test_transformer_encoder_layer_matches_torch(variant: str, dtype: Any) -> None:
    options: dict[str, Any] = {}
    if variant == "norm-first-gelu":
        options = {"norm_first": True, "activation": "gelu"}
    if variant == "train-no-dropout":
        options = {"dropout": 0.0}
    ours = nn.TransformerEncoderLayer(8, 2, 16, dtype=DTYPES[dtype], **options)
    theirs = torch.nn.TransformerEncoderLayer(
        8, 2, 16, batch_first=True, dtype=torch_dtype(dtype), **options
    )
    if variant != "train-no-dropout":
        ours.eval()
        theirs.eval()
    x = data(2, 5, 8, dtype=dtype)
    if variant == "mask":
        causal = np.tril(np.ones((5, 5), dtype=bool))
        compare(
            ours,
            theirs,
            x,
            call=lambda t: ours(t, mask=dev.tensor(causal)),
            torch_call=lambda t: theirs(t, src_mask=torch.from_numpy(~causal)),
        )
    else:
        compare(ours, theirs, x)


def test_transformer_encoder_layer_defaults_are_torchs() -> None:
    layer = nn.TransformerEncoderLayer(64, 8, 256)
    theirs = torch.nn.TransformerEncoderLayer(64, 8, 256, batch_first=True)
    assert [n for n, _ in layer.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert layer.num_params() == sum(p.numel() for p in theirs.parameters())
    assert layer.dropout.p == layer.dropout1.p == layer.self_attn.dropout == 0.1
    assert layer.norm1.eps == 1e-5 and not layer.norm_first and layer.activation == "relu"


# ---------------------------------------------------------------- train and eval


def test_dropout_follows_train_and_eval() -> None:
    drop = nn.Dropout(0.25, device=sh.Cpu(seed=7))
    x = dev.ones((200, 100))
    out = drop(x).numpy()
    assert set(np.unique(out)) == {0.0, np.float32(1 / 0.75)}
    assert abs((out == 0).mean() - 0.25) < 0.02
    assert drop.eval()(x) is x
    same_seed = nn.Dropout(0.25, device=sh.Cpu(seed=7))
    np.testing.assert_array_equal(same_seed(x).numpy(), out)  # the mask is the module's RNG's
    assert nn.Dropout(0.0)(x) is x and not nn.Dropout(1.0)(x).numpy().any()


def test_dropout_gradient_uses_the_same_mask() -> None:
    drop = nn.Dropout(0.5, device=sh.Cpu(seed=1))
    x = dev.randn((10, 10), dtype=sh.Float64).trace()
    out = drop(x)
    grads = out.sum().backward()
    np.testing.assert_array_equal(grads[x].numpy(), (out.numpy() != 0) * 2.0)
    with pytest.raises(ValueError, match="p must be in"):
        nn.Dropout(1.5)


def test_transformer_dropout_is_active_only_in_training() -> None:
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.5)
    x = dev.randn((2, 5, 8))
    first, second = layer(x).numpy(), layer(x).numpy()
    assert not np.allclose(first, second)
    layer.eval()
    np.testing.assert_array_equal(layer(x).numpy(), layer(x).numpy())
    assert all(not m.training for m in layer.modules())
    assert all(m.training for m in layer.train().modules())


@pytest.mark.parametrize("traced", [True, False], ids=["tape", "no-tape"])
def test_batch_norm_running_statistics_follow_torch(traced: bool) -> None:
    ours = nn.BatchNorm2d(3, dtype=sh.Float64)
    theirs = torch.nn.BatchNorm2d(3, dtype=torch.float64)
    for step in range(4):
        batch = data(4, 3, 5, 5, seed=step) * (step + 1) + step
        x = dev.tensor(batch)
        ours(x.trace() if traced else x)
        theirs(torch.from_numpy(batch))
    for name in ("running_mean", "running_var"):
        np.testing.assert_allclose(
            getattr(ours, name).numpy(), getattr(theirs, name).numpy(), rtol=1e-12, err_msg=name
        )
    assert ours.num_batches_tracked.item() == theirs.num_batches_tracked.item() == 4
    test = data(2, 3, 5, 5, seed=9)
    ours.eval(), theirs.eval()
    np.testing.assert_allclose(
        ours(dev.tensor(test)).numpy(), theirs(torch.from_numpy(test)).detach().numpy(), rtol=1e-10
    )
    before = ours.running_mean.numpy()
    ours(dev.tensor(test))
    np.testing.assert_array_equal(ours.running_mean.numpy(), before)  # eval leaves them alone


def test_batch_norm_checks_the_rank_and_exposes_its_state() -> None:
    norm = nn.BatchNorm1d(4)
    with pytest.raises(sh.ShapeError, match="expected 2-D or 3-D input"):
        norm(dev.zeros((2, 4, 3, 3)))
    with pytest.raises(sh.ShapeError, match="expected 4-D input"):
        nn.BatchNorm2d(4)(dev.zeros((2, 4)))
    assert [n for n, _ in norm.named_parameters()] == ["weight", "bias"]
    assert [n for n, _ in norm.named_buffers()] == [
        "running_mean",
        "running_var",
        "num_batches_tracked",
    ]
    assert list(norm.state_dict()) == list(torch.nn.BatchNorm1d(4).state_dict())
    assert norm.eps == 1e-5 and norm.momentum == 0.1


# ---------------------------------------------------------------- initial distributions


def uniform_stats(values: np.ndarray, bound: float) -> None:
    """values look like U(-bound, bound): inside it, reaching its ends, with its variance."""
    values, count = values.ravel(), values.size
    assert values.min() >= -bound and values.max() <= bound
    reach = bound * (1 - 20 / count)  # missed with probability e^-10
    assert values.max() > reach and values.min() < -reach
    assert abs(values.mean()) < 5 * bound / np.sqrt(3 * count)
    assert values.var() == pytest.approx(bound**2 / 3, rel=5 * np.sqrt(0.8 / count))


INITS: dict[
    str, tuple[Callable[[], nn.Module], Callable[[], torch.nn.Module], dict[str, float]]
] = {
    # name: (ours, torch's, {parameter: the U(-b, b) bound torch uses})
    "linear": (
        lambda: nn.Linear(400, 300),
        lambda: torch.nn.Linear(400, 300),
        {"weight": 1 / 20, "bias": 1 / 20},
    ),
    "conv2d": (
        lambda: nn.Conv2d(16, 64, 3, groups=4),
        lambda: torch.nn.Conv2d(16, 64, 3, groups=4),
        {"weight": 1 / 6, "bias": 1 / 6},
    ),
    "conv-transpose2d": (
        lambda: nn.ConvTranspose2d(32, 16, 4, groups=2),
        lambda: torch.nn.ConvTranspose2d(32, 16, 4, groups=2),
        {"weight": 1 / np.sqrt(8 * 16), "bias": 1 / np.sqrt(8 * 16)},
    ),
    "attention": (
        lambda: nn.MultiHeadAttention(96, 4),
        lambda: torch.nn.MultiheadAttention(96, 4),
        {"in_proj_weight": np.sqrt(6 / (96 + 3 * 96)), "out_proj.weight": 1 / np.sqrt(96)},
    ),
}


@pytest.mark.parametrize("name", list(INITS))
def test_initial_distributions_are_torchs(name: str) -> None:
    make_ours, make_theirs, bounds = INITS[name]
    torch.manual_seed(0)
    ours, theirs = dict(make_ours().named_parameters()), dict(make_theirs().named_parameters())
    assert list(ours) == list(theirs)
    for param, bound in bounds.items():
        mine, reference = ours[param].numpy(), theirs[param].detach().numpy()
        assert mine.shape == reference.shape and mine.dtype == reference.dtype
        uniform_stats(mine, bound)
        uniform_stats(reference, bound)  # the bound is torch's
    for param in set(ours) - set(bounds):  # attention's biases start at zero, as torch's
        assert not ours[param].numpy().any() and not theirs[param].detach().numpy().any()


def test_embedding_norm_and_dtype_initialisation() -> None:
    table = nn.Embedding(500, 200).weight.numpy()
    assert abs(table.mean()) < 0.01 and table.std() == pytest.approx(1.0, rel=0.01)
    for norm in (nn.LayerNorm(5), nn.BatchNorm1d(5)):
        state = norm.state_dict()
        np.testing.assert_array_equal(state["weight"].numpy(), np.ones(5, np.float32))
        np.testing.assert_array_equal(state["bias"].numpy(), np.zeros(5, np.float32))
    stats = nn.BatchNorm2d(3)
    assert stats.running_var.numpy().tolist() == [1.0] * 3 and not stats.running_mean.numpy().any()
    wide = nn.Linear(3, 2, dtype=sh.Float64)
    assert (
        wide.weight.dtype is sh.Float64 and wide.bias is not None and wide.bias.dtype is sh.Float64
    )
    with pytest.raises(sh.DtypeError, match="float dtype"):
        nn.Linear(3, 2, dtype=sh.Int64)


def test_parameters_come_from_the_device_rng() -> None:
    a = nn.Linear(6, 6, device=sh.Cpu(seed=5))
    b = nn.Linear(6, 6, device=sh.Cpu(seed=5))
    np.testing.assert_array_equal(a.weight.numpy(), b.weight.numpy())
    first, second = nn.Linear(6, 6), nn.Linear(6, 6)  # the shared default device moves on
    assert not np.array_equal(first.weight.numpy(), second.weight.numpy())
    assert a.weight.device == sh.Cpu()


def test_sizes_are_checked() -> None:
    with pytest.raises(TypeError, match="in_features must be an int"):
        nn.Linear(3.0, 2)
    with pytest.raises(ValueError, match="divisible by groups"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="divisible by num_heads"):
        nn.MultiHeadAttention(10, 3)
    with pytest.raises(sh.ShapeError):
        nn.Linear(4, 2)(dev.zeros((3, 5)))
    with pytest.raises(sh.ShapeError, match="must have the same shape"):
        nn.Residual(nn.Linear(4, 2))(dev.zeros((3, 4)))


# ---------------------------------------------------------------- names, counts, repr


def test_names_and_counts_match_torch() -> None:
    ours = nn.Sequential(
        nn.Conv2d(1, 8, 3),
        nn.BatchNorm2d(8),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(8 * 26 * 26, 10),
        nn.Embedding(7, 3),
        nn.MultiHeadAttention(12, 3),
    )
    theirs = torch.nn.Sequential(
        torch.nn.Conv2d(1, 8, 3),
        torch.nn.BatchNorm2d(8),
        torch.nn.ReLU(),
        torch.nn.Flatten(),
        torch.nn.Linear(8 * 26 * 26, 10),
        torch.nn.Embedding(7, 3),
        torch.nn.MultiheadAttention(12, 3),
    )
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert ours.num_params() == sum(p.numel() for p in theirs.parameters())
    for (_, mine), (_, their) in zip(ours.state_dict().items(), theirs.state_dict().items()):
        assert mine.shape == tuple(their.shape)


def test_leaf_reprs_match_torchs() -> None:
    pairs = [
        (nn.Linear(784, 128), torch.nn.Linear(784, 128)),
        (nn.Linear(3, 4, bias=False), torch.nn.Linear(3, 4, bias=False)),
        (nn.Conv2d(1, 32, 3, padding=1), torch.nn.Conv2d(1, 32, 3, padding=1)),
        (
            nn.Conv2d(4, 6, 3, stride=2, padding=1, dilation=2, groups=2, bias=False),
            torch.nn.Conv2d(4, 6, 3, stride=2, padding=1, dilation=2, groups=2, bias=False),
        ),
        (
            nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2),
            torch.nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2),
        ),
        (nn.AvgPool2d(3, stride=2, padding=1), torch.nn.AvgPool2d(3, 2, 1)),
        (nn.ReLU(), torch.nn.ReLU()),
        (nn.GELU(), torch.nn.GELU()),
        (nn.Tanh(), torch.nn.Tanh()),
        (nn.Sigmoid(), torch.nn.Sigmoid()),
        (nn.LeakyReLU(0.2), torch.nn.LeakyReLU(0.2)),
        (nn.LayerNorm(16), torch.nn.LayerNorm(16)),
        (nn.BatchNorm2d(16), torch.nn.BatchNorm2d(16)),
        (nn.Embedding(10, 3), torch.nn.Embedding(10, 3)),
    ]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)
    assert repr(nn.Flatten()) == "Flatten(start_axis=1, end_axis=-1)"
    assert repr(nn.Softmax()) == "Softmax(axis=-1)"
    assert repr(nn.Dropout(0.1)) == "Dropout(p=0.1)"
    assert repr(nn.MaxPool2d(2)) == "MaxPool2d(kernel_size=2, stride=2, padding=0)"


def test_container_repr_is_nested_with_parameter_counts() -> None:
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Sequential(nn.Linear(128, 10)))
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=784, out_features=128, bias=True)  # 100,480 params\n"
        "  (1): ReLU()\n"
        "  (2): Sequential(\n"
        "    (0): Linear(in_features=128, out_features=10, bias=True)  # 1,290 params\n"
        "  )  # 1,290 params\n"
        ")\n"
        "Total params: 101,770"
    )
    attention = repr(nn.MultiHeadAttention(4, 2)).splitlines()
    assert attention[:2] == ["MultiHeadAttention(", "  embed_dim=4, num_heads=2, dropout=0.0"]


# ---------------------------------------------------------------- Sequential


def test_sequential_is_a_tuple_of_its_layers() -> None:
    first, act, last = layers = (nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    model = nn.Sequential(*layers)
    assert isinstance(model, tuple) and isinstance(model, nn.Module)
    assert len(model) == 3 and model[0] is first and model[-1] is last and tuple(model) == layers
    a, b, c = model
    assert (a, b, c) == layers
    head = model[1:]
    assert isinstance(head, nn.Sequential) and tuple(head) == (act, last)
    assert copy.copy(model) == model and isinstance(copy.copy(model), nn.Sequential)
    x = dev.randn((5, 4))
    expected = last(act(first(x)))
    np.testing.assert_array_equal(model(x).numpy(), expected.numpy())
    np.testing.assert_array_equal(model.forward(x).numpy(), expected.numpy())
    assert nn.Sequential()(x) is x
    with pytest.raises(TypeError, match="layer 1 is a function"):
        nn.Sequential(nn.ReLU(), lambda t: t)


def test_sequential_nests_and_names_by_position() -> None:
    inner = nn.Sequential(nn.Linear(3, 3), nn.Tanh(), nn.Linear(3, 3))
    model = nn.Sequential(nn.Linear(2, 3), inner, nn.LayerNorm(3))
    assert [n for n, _ in model.named_parameters()] == [
        "0.weight",
        "0.bias",
        "1.0.weight",
        "1.0.bias",
        "1.2.weight",
        "1.2.bias",
        "2.weight",
        "2.bias",
    ]
    assert [n for n, _ in model.named_modules()] == ["", "0", "1", "1.0", "1.1", "1.2", "2"]
    assert model[1][2] is inner[2]
    grads = model.alloc_grads()
    model(dev.randn((4, 2)).traced(grads)).sum().backward()
    assert grads[inner[2].weight].numpy().any()


# ---------------------------------------------------------------- build_module


def test_build_module_from_a_tuple_type() -> None:
    mlp = tuple[nn.Linear[L[784], L[128]], nn.ReLU, nn.Linear[L[128], L[10]]]
    model = sh.Cpu(seed=3).build_module(mlp)
    assert isinstance(model, nn.Sequential) and len(model) == 3
    assert model[0].weight.shape == (128, 784) and isinstance(model[1], nn.ReLU)
    by_value = nn.Linear(784, 128, device=sh.Cpu(seed=3))  # the same draws from the same RNG
    np.testing.assert_array_equal(model[0].weight.numpy(), by_value.weight.numpy())
    assert model(dev.randn((2, 784))).shape == (2, 10)


def test_build_module_from_a_sequential_type_and_nested_tuples() -> None:
    arch = nn.Sequential[
        nn.Conv2d[L[1], L[4], L[3], L[2], L[1]],
        nn.MaxPool2d[L[2]],
        tuple[nn.Flatten, nn.Dropout, nn.Linear[L[16], L[5]]],
        nn.Residual[nn.Linear[L[5], L[5]]],
    ]
    model = dev.build_module(arch, dtype=sh.Float64)
    conv, pool, head, residual = model
    assert (conv.stride, conv.padding, conv.dilation, conv.groups) == (2, 1, 1, 1)
    assert (pool.kernel_size, pool.stride, pool.padding) == (2, 2, 0)
    assert isinstance(head, nn.Sequential) and isinstance(head[1], nn.Dropout)
    assert isinstance(residual, nn.Residual) and residual.module.in_features == 5
    assert conv.weight.dtype is sh.Float64
    assert model(dev.randn((2, 1, 9, 9), dtype=sh.Float64)).shape == (2, 5)
    assert dev.build_module(nn.MaxPool2d[L[3], L[1], L[1]]).stride == 1


def test_build_module_from_a_module_type() -> None:
    linear = dev.build_module(nn.Linear[L[784], L[128]])
    assert isinstance(linear, nn.Linear) and linear.weight.shape == (128, 784)
    layer = nn.build_module(nn.TransformerEncoderLayer[L[16], L[4], L[32]], sh.Cpu(seed=1))
    assert layer.linear1.out_features == 32 and layer.self_attn.num_heads == 4
    assert isinstance(dev.build_module(nn.GELU), nn.GELU)
    for arch in (nn.LayerNorm[L[6]], nn.BatchNorm1d[L[6]], nn.Embedding[L[9], L[6]]):
        assert dev.build_module(arch).weight.shape[-1] == 6


def test_build_module_errors_name_the_parameter() -> None:
    with pytest.raises(TypeError, match=r"Linear's parameter O \(out_features\) must be a Literal"):
        dev.build_module(nn.Linear[L[784], int])
    with pytest.raises(
        TypeError, match=r"\(layer 1\): Linear's parameter I \(in_features\) is not"
    ):
        dev.build_module(tuple[nn.ReLU, nn.Linear])
    with pytest.raises(TypeError, match="no fixed length"):
        dev.build_module(tuple[nn.ReLU, ...])
    with pytest.raises(TypeError, match="expected a module type"):
        dev.build_module(int)
    with pytest.raises(TypeError, match="stride"):
        dev.build_module(nn.Conv2d[L[1], L[2], L[3], int])


# ---------------------------------------------------------------- user modules


class Block(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.proj = nn.Linear(4, 4)
        self.scale = dev.ones((4,))
        self.layers = [nn.Linear(4, 4), nn.Tanh()]
        self.heads = {"a": nn.Linear(4, 2), "b": nn.Linear(4, 2)}
        self.register_buffer("steps", dev.zeros((1,)))
        self.tied = self.scale  # the same tensor twice: one parameter
        self.name = "block"

    def forward(self, x: Any) -> Any:
        h = self.layers[1](self.layers[0](self.proj(x) * self.scale))
        return self.heads["a"](h) + self.heads["b"](h)


def test_user_module_discovers_its_parameters() -> None:
    block = Block()
    names = [n for n, _ in block.named_parameters()]
    assert names == [
        "proj.weight",
        "proj.bias",
        "scale",
        "layers.0.weight",
        "layers.0.bias",
        "heads.a.weight",
        "heads.a.bias",
        "heads.b.weight",
        "heads.b.bias",
    ]
    assert block.num_params() == 20 + 4 + 20 + 10 + 10
    assert [n for n, _ in block.named_buffers()] == ["steps"]
    assert set(block.state_dict()) == {*names, "steps", "tied"}
    grads = block.alloc_grads()
    assert len(grads) == len(names)
    out = block(dev.randn((3, 4)).traced(grads))
    grads = out.sum().backward()
    assert all(grads[p].numpy().any() for p in block.parameters())
    block.zero_grads(grads)
    assert not any(grads[p].numpy().any() for p in block.parameters())


def test_user_module_modes_and_overrides() -> None:
    class Scaled(nn.Linear[L[3], L[3]]):
        def forward(self, x: Any) -> Any:
            return super().forward(x) * 2.0

    class Parent(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.child = nn.Dropout()
            self.child.parent = self  # a cycle is walked once

    scaled = Scaled(3, 3)
    x = dev.randn((2, 3))
    np.testing.assert_allclose(scaled(x).numpy(), 2 * nn.Linear.forward(scaled, x).numpy())
    parent = Parent()
    assert parent.eval() is parent and not parent.child.training
    assert [n for n, _ in parent.named_modules()] == ["", "child"]
    with pytest.raises(NotImplementedError, match="must define forward"):
        nn.Module()(x)


def test_to_moves_and_converts_in_place() -> None:
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Dropout(0.5))
    weight = model[0].weight
    grads = model.alloc_grads()
    assert model.to(sh.Float64) is model and model[0].weight is weight
    assert weight.dtype is sh.Float64 and model[1].running_var.dtype is sh.Float64
    assert model[1].num_batches_tracked.dtype is sh.Int64
    assert weight in grads  # the same identity: gradients still name it
    target = sh.Cpu(seed=11)
    model.to(target)
    assert weight.device == target and model[2]._device is target
    assert model(dev.randn((5, 3), dtype=sh.Float64)).dtype is sh.Float64
    with pytest.raises(sh.DtypeError, match="float tensors only"):
        model.to(sh.Int32)
    with pytest.raises(TypeError, match="expected a device"):
        model.to("cuda")  # type: ignore[arg-type]
