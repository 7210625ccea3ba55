"""The Cuda device (cupy): every op family against torch on CUDA, modules and optimizers
against the same computation on the CPU, moves between devices, checkpoints across them.

Skipped as a whole without cupy or an NVIDIA GPU. torch runs on "cuda" when its build has
CUDA, else on the CPU with host copies of the same inputs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

REASON = "needs cupy and an NVIDIA GPU (pip install shaped[cuda])"


def _gpu_present() -> bool:
    try:
        import cupy
    except Exception:  # not installed, or its CUDA libraries fail to load
        return False
    try:
        return int(cupy.cuda.runtime.getDeviceCount()) > 0
    except Exception:  # no driver: cupy raises its own CUDARuntimeError
        return False


if not _gpu_present():
    pytest.skip(REASON, allow_module_level=True)

import cupy  # noqa: E402
import torch  # noqa: E402

import shaped as sh  # noqa: E402
from shaped import losses, nn  # noqa: E402
from shaped.nn import functional as F  # noqa: E402
from tests import oracle  # noqa: E402
from tests.oracle import arrays, tolerance  # noqa: E402
from tests.test_modules import DTYPES, LAYERS, torch_dtype  # noqa: E402
from tests.test_optim import CASES as OPTIMIZERS  # noqa: E402

TORCH_DEVICE = "cuda" if torch.cuda.is_available() else "cpu"
# full float32 on both sides: TF32 GEMMs and convolutions would differ by about 1e-3
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False

FLOATS = [np.float32, np.float64]
FLOAT_IDS = ["f32", "f64"]
Tn = sh.Tensor[Any, Any, Any, Any]


def gpu_tolerance(dtype: Any) -> tuple[float, float]:
    """The oracle's tolerance, with room for the GPU's different summation orders in float32."""
    rtol, atol = tolerance(dtype)
    return (rtol * 2, atol * 2) if np.dtype(dtype) == np.float32 else (rtol, atol)


def cuda() -> sh.Cuda:
    return sh.Cuda(0, seed=0)


def check(
    torch_fn: Callable[..., Any],
    our_fn: Callable[..., Any],
    *inputs: np.ndarray,
    grad: bool = True,
    rtol: float | None = None,
    atol: float | None = None,
    seed: int = 0,
) -> None:
    """tests/oracle.check on sh.Cuda() against torch on CUDA: values, then every gradient."""
    oracle.check(
        torch_fn, our_fn, *inputs, grad=grad, rtol=rtol, atol=atol, seed=seed, dev=cuda(),
        torch_device=TORCH_DEVICE, tolerance_of=gpu_tolerance,
    )  # fmt: skip


def ties(shape: tuple[int, ...], dtype: Any, seed: int = 0) -> np.ndarray:
    """Small integers as floats: plenty of equal values for max, min, maximum and minimum."""
    return np.random.default_rng(seed).integers(-2, 3, shape).astype(dtype)


def positive(shape: tuple[int, ...], dtype: Any, seed: int = 0) -> np.ndarray:
    return arrays(shape, dtype, seed, low=0.5, high=2.0)


def probabilities(shape: tuple[int, ...], dtype: Any, seed: int = 0) -> np.ndarray:
    raw = np.random.default_rng(seed).random(shape) + 0.1
    return (raw / raw.sum(axis=1, keepdims=True)).astype(dtype)


def classes(shape: tuple[int, ...], count: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, count, shape).astype(np.int64)


# ---------------------------------------------------------------- the op oracle on the GPU

# name -> (torch function, our function, inputs for a float dtype, options)
Case = tuple[
    Callable[..., Any], Callable[..., Any], Callable[[Any], list[np.ndarray]], dict[str, Any]
]
tf = torch.nn.functional


def _sdpa_reference(q: Any, k: Any, v: Any, mask: Any = None) -> Any:
    """torch's scaled_dot_product_attention written out (no backend-dependent kernels)."""
    scores = q @ k.transpose(-1, -2) / q.shape[-1] ** 0.5
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v


def _batch_norm_eval(x: Any, w: Any, b: Any) -> Any:
    mean = torch.tensor([0.1, -0.2, 0.3], dtype=x.dtype, device=x.device)
    var = torch.tensor([1.5, 0.5, 2.0], dtype=x.dtype, device=x.device)
    return tf.batch_norm(x, mean, var, w, b, training=False)


def _our_batch_norm_eval(x: Tn, w: Tn, b: Tn) -> Tn:
    dtype = x.dtype
    mean = x.device.tensor([0.1, -0.2, 0.3], dtype=dtype)
    var = x.device.tensor([1.5, 0.5, 2.0], dtype=dtype)
    return F.batch_norm(x, mean, var, w, b, training=False)


CASES: dict[str, Case] = {
    # elementwise, broadcasting, scalars
    "add-broadcast": (
        lambda a, b: a + b,
        lambda a, b: a + b,
        lambda d: [arrays((3, 1, 4), d), arrays((5, 1), d, 1)],
        {},
    ),
    "sub": (
        lambda a, b: a - b,
        lambda a, b: a - b,
        lambda d: [arrays((3, 4), d), arrays((4,), d, 1)],
        {},
    ),
    "mul": (
        lambda a, b: a * b,
        lambda a, b: a * b,
        lambda d: [arrays((2, 3, 4), d), arrays((3, 1), d, 1)],
        {},
    ),
    "div": (
        lambda a, b: a / b,
        lambda a, b: a / b,
        lambda d: [arrays((3, 4), d), positive((3, 4), d, 1)],
        {},
    ),
    "pow": (
        lambda a, b: a**b,
        lambda a, b: a**b,
        lambda d: [positive((3, 4), d), arrays((3, 4), d, 1)],
        {},
    ),
    "scalars": (
        lambda a: (2.0 - a) * 3.0 + a / 4.0 - 1.0,
        lambda a: (2.0 - a) * 3.0 + a / 4.0 - 1.0,
        lambda d: [arrays((3, 4), d)],
        {},
    ),
    "int-scalars": (lambda a: a * 2 + 1, lambda a: a * 2 + 1, lambda d: [arrays((3, 4), d)], {}),
    "rdiv": (lambda a: 2.0 / a, lambda a: 2.0 / a, lambda d: [positive((3, 4), d)], {}),
    "pow-int": (lambda a: a**3, lambda a: a**3, lambda d: [arrays((3, 4), d)], {}),
    "pow-zero": (lambda a: a**0, lambda a: a**0, lambda d: [arrays((3, 4), d)], {}),
    "pow-float": (lambda a: a**1.5, lambda a: a**1.5, lambda d: [positive((3, 4), d)], {}),
    "rpow": (lambda a: 2.0**a, lambda a: 2.0**a, lambda d: [arrays((3, 4), d)], {}),
    "neg": (lambda a: -a, lambda a: -a, lambda d: [arrays((3, 4), d)], {}),
    "abs": (lambda a: a.abs(), lambda a: a.abs(), lambda d: [ties((4, 5), d)], {}),
    "exp": (lambda a: a.exp(), lambda a: a.exp(), lambda d: [arrays((3, 4), d)], {}),
    "log": (lambda a: a.log(), lambda a: a.log(), lambda d: [positive((3, 4), d)], {}),
    "sqrt": (lambda a: a.sqrt(), lambda a: a.sqrt(), lambda d: [positive((3, 4), d)], {}),
    "square": (lambda a: a.square(), lambda a: a.square(), lambda d: [arrays((3, 4), d)], {}),
    "sin": (lambda a: a.sin(), lambda a: a.sin(), lambda d: [arrays((3, 4), d)], {}),
    "cos": (lambda a: a.cos(), lambda a: a.cos(), lambda d: [arrays((3, 4), d)], {}),
    "tanh": (lambda a: a.tanh(), lambda a: a.tanh(), lambda d: [arrays((3, 4), d)], {}),
    "sigmoid": (
        lambda a: a.sigmoid(),
        lambda a: a.sigmoid(),
        lambda d: [arrays((3, 4), d, low=-30, high=30)],
        {},
    ),
    "relu": (lambda a: a.relu(), lambda a: a.relu(), lambda d: [ties((4, 5), d)], {}),
    "gelu": (tf.gelu, lambda a: a.gelu(), lambda d: [arrays((3, 4), d, low=-6, high=6)], {}),
    "gelu-tanh": (
        lambda a: tf.gelu(a, approximate="tanh"),
        lambda a: a.gelu("tanh"),
        lambda d: [arrays((3, 4), d, low=-6, high=6)],
        {},
    ),
    "leaky-relu": (
        lambda a: tf.leaky_relu(a, 0.2),
        lambda a: a.leaky_relu(0.2),
        lambda d: [arrays((3, 4), d)],
        {},
    ),
    "clamp": (
        lambda a: a.clamp(-0.5, 0.7),
        lambda a: a.clamp(-0.5, 0.7),
        lambda d: [arrays((3, 4), d)],
        {},
    ),
    "maximum-ties": (
        torch.maximum,
        lambda a, b: a.maximum(b),
        lambda d: [ties((4, 5), d), ties((5,), d, 1)],
        {},
    ),
    "minimum-ties": (
        torch.minimum,
        lambda a, b: a.minimum(b),
        lambda d: [ties((4, 5), d), ties((4, 5), d, 1)],
        {},
    ),
    "maximum-scalar": (
        lambda a: a.clamp(min=0.0),
        lambda a: a.maximum(0.0),
        lambda d: [arrays((3, 4), d)],
        {},
    ),
    "compare": (
        lambda a, b: torch.where(a > b, a != 0.0, a <= -1.0),
        lambda a, b: sh.where(a > b, a != 0.0, a <= -1.0),
        lambda d: [ties((4, 5), d), ties((4, 5), d, 1)],
        {"grad": False},
    ),
    # reductions, ties included
    "sum": (lambda a: a.sum(), lambda a: a.sum(), lambda d: [arrays((3, 4, 5), d)], {}),
    "sum-axes": (
        lambda a: a.sum(dim=(0, 2), keepdim=True),
        lambda a: a.sum(axis=(0, 2), keepdims=True),
        lambda d: [arrays((3, 4, 5), d)],
        {},
    ),
    "mean": (
        lambda a: a.mean(dim=1),
        lambda a: a.mean(axis=1),
        lambda d: [arrays((3, 4, 5), d)],
        {},
    ),
    "max-ties": (
        lambda a: torch.amax(a, dim=1),
        lambda a: a.max(axis=1),
        lambda d: [ties((4, 6), d)],
        {},
    ),
    "max-all-ties": (torch.amax, lambda a: a.max(), lambda d: [ties((4, 6), d)], {}),
    "min-ties": (
        lambda a: torch.amin(a, dim=(0, 2), keepdim=True),
        lambda a: a.min(axis=(0, 2), keepdims=True),
        lambda d: [ties((3, 4, 5), d)],
        {},
    ),
    "var": (lambda a: a.var(dim=1), lambda a: a.var(axis=1), lambda d: [arrays((3, 6), d)], {}),
    "std": (
        lambda a: a.std(dim=0, correction=0),
        lambda a: a.std(axis=0, correction=0),
        lambda d: [arrays((5, 3), d)],
        {},
    ),
    "logsumexp": (
        lambda a: torch.logsumexp(a, dim=1),
        lambda a: a.logsumexp(axis=1),
        lambda d: [arrays((3, 6), d, low=-50, high=50)],
        {},
    ),
    "argmax-ties": (
        lambda a: a.argmax(dim=1),
        lambda a: a.argmax(axis=1),
        lambda d: [ties((5, 6), d)],
        {"grad": False},
    ),
    "argmin-ties": (
        lambda a: a.argmin(),
        lambda a: a.argmin(),
        lambda d: [ties((5, 6), d)],
        {"grad": False},
    ),
    # movement and indexing
    "reshape-permute": (
        lambda a: a.reshape(4, 3, 2).permute(2, 0, 1),
        lambda a: a.reshape(4, 3, 2).permute(2, 0, 1),
        lambda d: [arrays((2, 12), d)],
        {},
    ),
    "transpose-mT-T": (
        lambda a: a.transpose(0, 1).mT + a.permute(2, 1, 0),
        lambda a: a.transpose(0, 1).mT + a.T,
        lambda d: [arrays((3, 3, 3), d)],
        {},
    ),
    "flatten-unsqueeze-squeeze": (
        lambda a: a.flatten(1).unsqueeze(0).squeeze(),
        lambda a: a.flatten(1).unsqueeze(0).squeeze(),
        lambda d: [arrays((3, 1, 4), d)],
        {},
    ),
    "broadcast-to": (
        lambda a: a.broadcast_to((2, 3, 4)),
        lambda a: a.broadcast_to((2, 3, 4)),
        lambda d: [arrays((3, 1), d)],
        {},
    ),
    "getitem": (
        lambda a: a[1:, ::2, None, 0],
        lambda a: a[1:, ::2, None, 0],
        lambda d: [arrays((3, 5, 4), d)],
        {},
    ),
    "take-flat": (
        lambda a, i: a.flatten()[i],
        lambda a, i: a.take(i),
        lambda d: [arrays((3, 4), d), np.array([[0, 5, -1], [5, 11, 0]])],
        {},
    ),
    "take-axis": (
        lambda a, i: a[:, i],
        lambda a, i: a.take(i, axis=1),
        lambda d: [arrays((3, 4, 2), d), np.array([3, 0, -1, 3])],
        {},
    ),
    "pad": (
        lambda a: tf.pad(a, (2, 1, 1, 2), value=0.5),
        lambda a: a.pad(((0, 0), (1, 2), (2, 1)), value=0.5),
        lambda d: [arrays((2, 3, 4), d)],
        {},
    ),
    "concat": (
        lambda a, b: torch.cat([a, b, a], dim=1),
        lambda a, b: sh.concat([a, b, a], axis=1),
        lambda d: [arrays((2, 3), d), arrays((2, 4), d, 1)],
        {},
    ),
    "stack": (
        lambda a, b: torch.stack([a, b], dim=-1),
        lambda a, b: sh.stack([a, b], axis=-1),
        lambda d: [arrays((2, 3), d), arrays((2, 3), d, 1)],
        {},
    ),
    "where": (
        lambda c, a, b: torch.where(c, a, b),
        lambda c, a, b: sh.where(c, a, b),
        lambda d: [ties((3, 4), np.float64) > 0, arrays((3, 4), d), arrays((4,), d, 1)],
        {},
    ),
    "where-scalar": (
        lambda c, a: torch.where(c, a, 0.5),
        lambda c, a: sh.where(c, a, 0.5),
        lambda d: [ties((3, 4), np.float64) > 0, arrays((3, 4), d)],
        {},
    ),
    # matmul and linear
    "matmul-2d": (
        lambda a, b: a @ b,
        lambda a, b: a @ b,
        lambda d: [arrays((5, 7), d), arrays((7, 3), d, 1)],
        {},
    ),
    "matmul-batched": (
        lambda a, b: a @ b,
        lambda a, b: a @ b,
        lambda d: [arrays((2, 1, 3, 4), d), arrays((5, 4, 2), d, 1)],
        {},
    ),
    "matmul-vectors": (
        lambda a, b, c: (a @ b) @ c + a @ (b @ c),
        lambda a, b, c: sh.matmul(a @ b, c) + a @ (b @ c),
        lambda d: [arrays((4,), d), arrays((4, 3), d, 1), arrays((3,), d, 2)],
        {},
    ),
    "linear": (
        tf.linear,
        F.linear,
        lambda d: [arrays((2, 3, 5), d), arrays((4, 5), d, 1), arrays((4,), d, 2)],
        {},
    ),
    "linear-no-bias": (
        tf.linear,
        F.linear,
        lambda d: [arrays((6, 5), d), arrays((4, 5), d, 1)],
        {},
    ),
    # convolutions and pooling
    "conv2d": (
        lambda x, w, b: tf.conv2d(x, w, b, padding=1),
        lambda x, w, b: F.conv2d(x, w, b, padding=1),
        lambda d: [arrays((2, 3, 7, 6), d), arrays((4, 3, 3, 3), d, 1), arrays((4,), d, 2)],
        {},
    ),
    "conv2d-strided-grouped-dilated": (
        lambda x, w: tf.conv2d(x, w, None, 2, 1, 2, 2),
        lambda x, w: F.conv2d(x, w, None, 2, 1, 2, 2),
        lambda d: [arrays((2, 4, 9, 8), d), arrays((6, 2, 3, 3), d, 1)],
        {},
    ),
    "conv2d-unbatched": (
        lambda x, w: tf.conv2d(x, w, stride=(1, 2)),
        lambda x, w: F.conv2d(x, w, stride=(1, 2)),
        lambda d: [arrays((3, 6, 7), d), arrays((2, 3, 2, 3), d, 1)],
        {},
    ),
    "conv-transpose2d": (
        lambda x, w, b: tf.conv_transpose2d(x, w, b, 2, 1, 1, 2),
        lambda x, w, b: F.conv_transpose2d(x, w, b, 2, 1, 1, 2),
        lambda d: [arrays((2, 4, 5, 4), d), arrays((4, 3, 3, 3), d, 1), arrays((6,), d, 2)],
        {},
    ),
    "conv-transpose2d-stride1": (
        lambda x, w: tf.conv_transpose2d(x, w, padding=1),
        lambda x, w: F.conv_transpose2d(x, w, padding=1),
        lambda d: [arrays((2, 3, 5, 6), d), arrays((3, 2, 3, 3), d, 1)],
        {},
    ),
    "max-pool2d": (
        lambda x: tf.max_pool2d(x, 2),
        lambda x: F.max_pool2d(x, 2),
        lambda d: [arrays((2, 3, 6, 7), d)],
        {},
    ),
    "max-pool2d-overlapping": (
        lambda x: tf.max_pool2d(x, 3, 2, 1),
        lambda x: F.max_pool2d(x, 3, 2, 1),
        lambda d: [arrays((2, 3, 7, 7), d)],
        {},
    ),
    "avg-pool2d": (
        lambda x: tf.avg_pool2d(x, 3, 2, 1),
        lambda x: F.avg_pool2d(x, 3, 2, 1),
        lambda d: [arrays((2, 3, 7, 6), d)],
        {},
    ),
    # softmax family
    "softmax": (
        lambda a: torch.softmax(a, dim=1),
        lambda a: F.softmax(a, axis=1),
        lambda d: [arrays((3, 5, 2), d, low=-20, high=20)],
        {},
    ),
    "log-softmax": (
        lambda a: torch.log_softmax(a, dim=-1),
        lambda a: F.log_softmax(a),
        lambda d: [arrays((3, 5), d, low=-20, high=20)],
        {},
    ),
    # losses (float targets get a gradient too, as in torch)
    "cross-entropy": (
        tf.cross_entropy,
        losses.cross_entropy,
        lambda d: [arrays((6, 4), d), classes((6,), 4)],
        {},
    ),
    "cross-entropy-spatial-sum": (
        lambda x, t: tf.cross_entropy(x, t, reduction="sum"),
        lambda x, t: losses.cross_entropy(x, t, reduction="sum"),
        lambda d: [arrays((2, 4, 3, 3), d), classes((2, 3, 3), 4)],
        {},
    ),
    "cross-entropy-probabilities": (
        tf.cross_entropy,
        losses.cross_entropy,
        lambda d: [arrays((5, 4), d), probabilities((5, 4), d, 1)],
        {},
    ),
    "nll": (
        lambda x, t: tf.nll_loss(x, t, reduction="none"),
        lambda x, t: losses.nll_loss(x, t, reduction="none"),
        lambda d: [arrays((6, 4), d), classes((6,), 4)],
        {},
    ),
    "mse": (tf.mse_loss, losses.mse_loss, lambda d: [arrays((3, 4), d), arrays((3, 4), d, 1)], {}),
    "l1": (
        lambda x, t: tf.l1_loss(x, t, reduction="sum"),
        lambda x, t: losses.l1_loss(x, t, reduction="sum"),
        lambda d: [arrays((3, 4), d), arrays((3, 4), d, 1)],
        {},
    ),
    "huber": (
        lambda x, t: tf.huber_loss(x, t, delta=0.7),
        lambda x, t: losses.huber_loss(x, t, delta=0.7),
        lambda d: [arrays((3, 4), d), arrays((3, 4), d, 1)],
        {},
    ),
    "smooth-l1": (
        lambda x, t: tf.smooth_l1_loss(x, t, reduction="none", beta=0.5),
        lambda x, t: losses.smooth_l1_loss(x, t, reduction="none", beta=0.5),
        lambda d: [arrays((3, 4), d), arrays((3, 4), d, 1)],
        {},
    ),
    "bce-with-logits": (
        tf.binary_cross_entropy_with_logits,
        losses.binary_cross_entropy_with_logits,
        lambda d: [arrays((3, 4), d, low=-30, high=30), arrays((3, 4), d, 1, low=0, high=1)],
        {},
    ),
    "kl-div": (
        lambda x, t: tf.kl_div(x, t, reduction="sum"),
        lambda x, t: losses.kl_div(x, t, reduction="sum"),
        lambda d: [arrays((3, 4), d), probabilities((3, 4), d, 1)],
        {},
    ),
    # normalization, embedding, attention
    "layer-norm": (
        lambda x, w, b: tf.layer_norm(x, (6,), w, b),
        lambda x, w, b: F.layer_norm(x, w, b),
        lambda d: [arrays((2, 3, 6), d), arrays((6,), d, 1), arrays((6,), d, 2)],
        {},
    ),
    "batch-norm-train": (
        lambda x, w, b: tf.batch_norm(x, None, None, w, b, training=True),
        lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
        lambda d: [arrays((4, 3, 2, 5), d), arrays((3,), d, 1), arrays((3,), d, 2)],
        {},
    ),
    "batch-norm-eval": (
        _batch_norm_eval,
        _our_batch_norm_eval,
        lambda d: [arrays((4, 3, 5), d), arrays((3,), d, 1), arrays((3,), d, 2)],
        {},
    ),
    "embedding": (
        tf.embedding,
        F.embedding,
        lambda d: [np.array([[1, 3, 3], [9, 0, 1]]), arrays((10, 4), d)],
        {},
    ),
    "attention": (
        _sdpa_reference,
        F.scaled_dot_product_attention,
        lambda d: [arrays((2, 4, 8), d), arrays((2, 5, 8), d, 1), arrays((2, 5, 3), d, 2)],
        {},
    ),
    "attention-masked": (
        _sdpa_reference,
        F.scaled_dot_product_attention,
        lambda d: [
            arrays((2, 2, 4, 8), d),
            arrays((2, 2, 5, 8), d, 1),
            arrays((2, 2, 5, 3), d, 2),
            np.tril(np.ones((4, 5), dtype=bool)),
        ],
        {},
    ),
}


@pytest.mark.parametrize("dtype", FLOATS, ids=FLOAT_IDS)
@pytest.mark.parametrize("name", list(CASES))
def test_op_matches_torch_on_the_gpu(name: str, dtype: Any) -> None:
    torch_fn, our_fn, make, options = CASES[name]
    check(torch_fn, our_fn, *make(dtype), **options)


def test_dropout_on_the_gpu_masks_and_scales() -> None:
    dev = cuda()
    x = dev.ones((200, 100), dtype=sh.Float32)
    grads = sh.Gradients()
    out = F.dropout(x.traced(grads), 0.25)
    kept = out.numpy() != 0
    assert isinstance(out._data, cupy.ndarray)
    assert 0.70 < kept.mean() < 0.80
    np.testing.assert_allclose(out.numpy()[kept], 1 / 0.75, rtol=1e-6)
    gradient = out.sum().backward()[x].numpy()
    np.testing.assert_allclose(gradient, np.where(kept, 1 / 0.75, 0.0), rtol=1e-6)
    assert F.dropout(x, 0.25, training=False) is x


def test_creation_on_the_gpu() -> None:
    dev = cuda()
    for tensor in (
        dev.zeros((2, 3)),
        dev.ones((2, 3), dtype=sh.Float64),
        dev.full((2,), 7),
        dev.randn((4, 5)),
        dev.rand((4, 5), dtype=sh.Float64),
        dev.arange(5),
        dev.eye(3),
        dev.tensor([[1.0, 2.0]]),
        dev.tensor(np.arange(6, dtype=np.int32).reshape(2, 3)),
    ):
        assert tensor.device == dev and isinstance(tensor._data, cupy.ndarray)
    assert dev.full((2,), 7).dtype is sh.Int64 and dev.arange(5).tolist() == [0, 1, 2, 3, 4]
    assert dev.rand((1000,)).numpy().min() >= 0.0
    assert sh.Cuda(seed=1).randn((3,)).tolist() == sh.Cuda(seed=1).randn((3,)).tolist()
    assert dev.tensor([2.5]).item() == 2.5 and float(dev.tensor(1.5)) == 1.5
    assert "Cuda(0)" in repr(dev.tensor([1.0]))
    # a Cuda tensor's array onto the host, and cupy data onto either device
    gpu_array = cupy.arange(4, dtype=cupy.float32)
    assert sh.Cpu().tensor(gpu_array).tolist() == [0.0, 1.0, 2.0, 3.0]
    assert dev.tensor(gpu_array).device == dev
    t = dev.zeros((2,))
    t.copy_(np.array([1.0, 2.0], dtype=np.float32))
    assert t.tolist() == [1.0, 2.0]


def test_dlpack_shares_gpu_memory() -> None:
    gpu_array = cupy.arange(6, dtype=cupy.float64).reshape(2, 3)
    t = sh.from_dlpack(gpu_array)
    assert t.device == cuda() and t.dtype is sh.Float64
    gpu_array[0, 0] = 42.0
    assert t.tolist()[0][0] == 42.0  # the same memory
    back = cupy.from_dlpack(t)
    np.testing.assert_array_equal(cupy.asnumpy(back), t.numpy())
    with pytest.raises(sh.DeviceError, match=r"\.numpy\(\)"):
        np.asarray(t)


# ---------------------------------------------------------------- devices: moves and errors


def test_cuda_index_out_of_range_is_a_device_error() -> None:
    with pytest.raises(sh.DeviceError, match=r"Cuda\(99\)"):
        sh.Cuda(99)


def test_devices_compare_by_place() -> None:
    assert sh.Cuda(0, seed=1) == sh.Cuda(0, seed=2) and sh.Cuda() != sh.Cpu()
    assert sh.Cuda(0, seed=1).zeros((1,)).device is sh.Cuda(0, seed=2).zeros((1,)).device


def test_mixing_cpu_and_cuda_is_a_device_error_naming_to() -> None:
    a, b = sh.Cpu().ones((2,)), cuda().ones((2,))
    for op in (
        lambda: a + b,
        lambda: b * a,
        lambda: b @ a,
        lambda: sh.concat([b, a]),
        lambda: losses.mse_loss(b, a),
        lambda: F.linear(b.reshape(1, 2), a.reshape(1, 2)),
    ):
        with pytest.raises(sh.DeviceError, match=r"\.to\("):
            op()


@pytest.mark.parametrize("dtype", FLOATS, ids=FLOAT_IDS)
def test_to_round_trip_keeps_values_and_gradients(dtype: Any) -> None:
    cpu, gpu = sh.Cpu(), cuda()
    data = arrays((3, 4), dtype)
    x = cpu.tensor(data)
    moved = x.to(gpu)
    assert moved.device == gpu and isinstance(moved._data, cupy.ndarray)
    assert moved.dtype is DTYPES[dtype]
    back = moved.to(cpu)
    assert back.device == cpu and isinstance(back._data, np.ndarray)
    np.testing.assert_array_equal(back.numpy(), data)
    assert moved.to(gpu) is moved  # already there
    rtol, atol = gpu_tolerance(dtype)
    # the loss on the GPU: the CPU input's gradient comes back to the CPU
    grads = sh.Gradients()
    loss = (x.traced(grads).to(gpu).exp() * 2.0).sum()
    loss.backward()
    assert grads[x].device == cpu and isinstance(grads[x]._data, np.ndarray)
    np.testing.assert_allclose(grads[x].numpy(), 2 * np.exp(data), rtol=rtol, atol=atol)
    # the loss on the CPU: a GPU parameter's gradient stays on the GPU
    w = gpu.tensor(arrays((4,), dtype, 1))
    grads = sh.Gradients()
    h = (moved.traced(grads) * w).to(cpu)
    (h * h).sum().backward()
    assert grads[w].device == gpu and isinstance(grads[w]._data, cupy.ndarray)
    expected = (2 * data * data * w.numpy()).sum(axis=0)
    np.testing.assert_allclose(grads[w].numpy(), expected, rtol=rtol, atol=atol)
    np.testing.assert_allclose(
        grads[moved].numpy(), 2 * data * w.numpy() ** 2, rtol=rtol, atol=atol
    )


def test_data_batches_onto_the_gpu() -> None:
    images = np.arange(24, dtype=np.float32).reshape(6, 4)
    labels = np.arange(6)
    seen = []
    for xb, yb in sh.data.batches(images, labels, batch_size=4, device=cuda()):
        assert xb.device == cuda() and yb.dtype is sh.Int64
        seen += yb.tolist()
    assert sorted(seen) == list(range(6))


# ---------------------------------------------------------------- modules: Cuda against the CPU


def _run_module(
    module: nn.Module, device: Any, inputs: list[np.ndarray], call: Callable[..., Any] | None
) -> dict[str, np.ndarray]:
    """Forward, gradients of every parameter and float input, and the state after the step."""
    grads = module.alloc_grads()
    # integer inputs are traced too: a module of integer inputs (Embedding) needs the tape
    tensors = [device.tensor(a).traced(grads) for a in inputs]
    out = (call or module)(*tensors)
    assert out.device == device
    result = {"forward": out.numpy()}
    upstream = np.random.default_rng(0).standard_normal(out.shape).astype(out.numpy().dtype)
    got = (out * device.tensor(upstream)).sum().backward()
    for name, param in module.named_parameters():
        assert param.device == device
        result[f"grad {name}"] = got[param].numpy()
    for i, tensor in enumerate(tensors):
        if tensor in got:
            result[f"grad x{i}"] = got[tensor].numpy()
    for name, tensor in module.state_dict().items():
        result[f"state {name}"] = tensor.numpy()
    return result


def compare_devices(
    module: nn.Module,
    *inputs: np.ndarray,
    call: Callable[[nn.Module], Callable[..., Any]] | None = None,
) -> None:
    """The same module and inputs on the CPU, then (from the same state) on the GPU."""
    start = {name: t.numpy().copy() for name, t in module.state_dict().items()}
    on_cpu = _run_module(module, sh.Cpu(), list(inputs), call and call(module))
    module.load_state_dict(start)
    assert module.to(cuda()) is module
    on_gpu = _run_module(module, cuda(), list(inputs), call and call(module))
    assert list(on_gpu) == list(on_cpu)
    for key, expected in on_cpu.items():
        rtol, atol = gpu_tolerance(expected.dtype)
        assert on_gpu[key].dtype == expected.dtype, key
        np.testing.assert_allclose(on_gpu[key], expected, rtol=rtol, atol=atol, err_msg=key)


@pytest.mark.parametrize("dtype", FLOATS, ids=FLOAT_IDS)
@pytest.mark.parametrize("name", list(LAYERS))
def test_layer_on_the_gpu_matches_the_cpu(name: str, dtype: Any) -> None:
    ours, _, shape = LAYERS[name](DTYPES[dtype], torch_dtype(dtype))
    compare_devices(ours, arrays(shape, dtype, 1))


def test_embedding_on_the_gpu_matches_the_cpu() -> None:
    compare_devices(nn.Embedding(10, 4, dtype=sh.Float64), np.array([[1, 3, 3], [9, 0, 1]]))


@pytest.mark.parametrize("dtype", FLOATS, ids=FLOAT_IDS)
def test_attention_modules_on_the_gpu_match_the_cpu(dtype: Any) -> None:
    mask = np.tril(np.ones((4, 4), dtype=bool))
    compare_devices(
        nn.MultiHeadAttention(8, 2, dtype=DTYPES[dtype]),
        arrays((2, 4, 8), dtype),
        call=lambda m: lambda x: m(x, mask=x.device.tensor(mask)),
    )
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, dtype=DTYPES[dtype])
    compare_devices(layer, arrays((2, 5, 8), dtype))


def test_built_module_on_the_gpu_draws_from_the_gpu_rng() -> None:
    from typing import Literal as L

    model = cuda().build_module(tuple[nn.Linear[L[4], L[3]], nn.ReLU])
    assert all(isinstance(p._data, cupy.ndarray) for p in model.parameters())
    out = model(cuda().randn((2, 4)))
    assert out.shape == (2, 3) and out.device == cuda()


# ---------------------------------------------------------------- optimizers: same trajectories


def _trajectory(
    model: nn.Module, device: Any, make: Callable[[nn.Module], Any]
) -> list[np.ndarray]:
    opt = make(model)
    rng = np.random.default_rng(7)
    for _ in range(5):
        x = device.tensor(rng.standard_normal((6, 4)))
        y = device.tensor(rng.standard_normal((6, 2)))
        grads = model.alloc_grads()
        loss = losses.mse_loss(model(x.traced(grads)), y)
        opt.update(model, loss.backward())
    return [p.numpy() for p in model.parameters()]


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_optimizer_on_the_gpu_follows_the_cpu_trajectory(name: str) -> None:
    ours, _, options = OPTIMIZERS[name]
    model = nn.Sequential(
        nn.Linear(4, 5, device=sh.Cpu(seed=2), dtype=sh.Float64),
        nn.Tanh(),
        nn.Linear(5, 2, device=sh.Cpu(seed=3), dtype=sh.Float64),
    )
    start = {name: t.numpy().copy() for name, t in model.state_dict().items()}
    on_cpu = _trajectory(model, sh.Cpu(), lambda m: ours(m, **options))
    model.load_state_dict(start)
    model.to(cuda())
    on_gpu = _trajectory(model, cuda(), lambda m: ours(m, **options))
    assert all(isinstance(p._data, cupy.ndarray) for p in model.parameters())
    for i, (mine, expected) in enumerate(zip(on_gpu, on_cpu)):
        np.testing.assert_allclose(mine, expected, rtol=1e-7, atol=1e-10, err_msg=f"param {i}")


# ---------------------------------------------------------------- checkpoints across devices


def _model(device: Any) -> nn.Sequential[Any, Any, Any, Any]:
    return nn.Sequential(
        nn.Linear(4, 6, device=device),
        nn.BatchNorm1d(6, device=device),
        nn.ReLU(),
        nn.Linear(6, 3, device=device),
    )


@pytest.mark.parametrize("suffix", [".npz", ".safetensors"])
def test_checkpoint_saved_on_the_gpu_loads_on_the_cpu_and_back(tmp_path: Path, suffix: str) -> None:
    if suffix == ".safetensors":
        pytest.importorskip("safetensors")
    gpu = sh.Cuda(0, seed=5)
    trained = _model(gpu)
    trained(gpu.randn((8, 4)))  # running statistics move too
    saved = {name: t.numpy() for name, t in trained.state_dict().items()}
    path = tmp_path / f"gpu{suffix}"
    trained.save(path)
    on_cpu = _model(sh.Cpu(seed=9)).load(path)
    for name, tensor in on_cpu.state_dict().items():
        assert tensor.device == sh.Cpu()
        np.testing.assert_array_equal(tensor.numpy(), saved[name], err_msg=name)
    back_path = tmp_path / f"cpu{suffix}"
    on_cpu.save(back_path)
    on_gpu = _model(sh.Cuda(0, seed=11)).load(back_path)
    for name, tensor in on_gpu.state_dict().items():
        assert tensor.device == gpu and isinstance(tensor._data, cupy.ndarray), name
        np.testing.assert_array_equal(tensor.numpy(), saved[name], err_msg=name)
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    trained.eval(), on_cpu.eval(), on_gpu.eval()
    np.testing.assert_allclose(
        on_gpu(gpu.tensor(x)).numpy(), on_cpu(sh.Cpu().tensor(x)).numpy(), rtol=1e-5, atol=1e-6
    )
    loaded = sh.load(path, device=gpu)
    assert all(t.device == gpu for t in loaded.values())
    # a state dict of CPU tensors (or numpy arrays) loads straight into a GPU model
    fresh = _model(gpu)
    fresh.load_state_dict(on_cpu.state_dict())
    fresh.load_state_dict(saved)
    for name, tensor in fresh.state_dict().items():
        assert tensor.device == gpu, name
        np.testing.assert_array_equal(tensor.numpy(), saved[name], err_msg=name)
