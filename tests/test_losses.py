"""sh.losses against torch.nn.functional: values and gradients (targets too) through the oracle."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as tF
from hypothesis import given

import shaped as sh
from shaped import losses
from tests.oracle import arrays, check, float_dtypes, shapes

DTYPES = [np.float64, np.float32]
REDUCTIONS = ["mean", "sum", "none"]

PAIR_LOSSES: dict[str, tuple[Any, Any]] = {
    "mse_loss": (tF.mse_loss, losses.mse_loss),
    "l1_loss": (tF.l1_loss, losses.l1_loss),
    "huber_loss": (tF.huber_loss, losses.huber_loss),
    "smooth_l1_loss": (tF.smooth_l1_loss, losses.smooth_l1_loss),
    "binary_cross_entropy_with_logits": (
        tF.binary_cross_entropy_with_logits,
        losses.binary_cross_entropy_with_logits,
    ),
}


def _probs(shape: tuple[int, ...], dtype: Any, seed: int = 5, axis: int = -1) -> np.ndarray:
    p = np.random.default_rng(seed).uniform(0.1, 1.0, shape)
    out: np.ndarray = (p / p.sum(axis=axis, keepdims=True)).astype(dtype)
    return out


# ---------------------------------------------------------------- elementwise losses


@pytest.mark.parametrize("name", list(PAIR_LOSSES))
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_pair_losses_match_torch_with_traced_targets(name: str, reduction: str, dtype: Any) -> None:
    theirs, ours = PAIR_LOSSES[name]
    x, t = arrays((4, 5), dtype), arrays((4, 5), dtype, seed=1, low=0.0, high=1.0)
    check(
        lambda a, b: theirs(a, b, reduction=reduction),
        lambda a, b: ours(a, b, reduction),
        x,
        t,
    )


@given(shape=shapes(max_dims=3), dtype=float_dtypes)
def test_pair_losses_hypothesis_shapes(shape: tuple[int, ...], dtype: Any) -> None:
    x, t = arrays(shape, dtype), arrays(shape, dtype, seed=1, low=0.0, high=1.0)
    for theirs, ours in PAIR_LOSSES.values():
        check(
            lambda a, b, theirs=theirs: theirs(a, b, reduction="sum"),
            lambda a, b, ours=ours: ours(a, b, "sum"),
            x,
            t,
        )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_huber_and_smooth_l1_parameters(reduction: str) -> None:
    x, t = arrays((3, 6), low=-3, high=3), arrays((3, 6), seed=1)
    for delta in (0.3, 2.5):
        check(
            lambda a, b, delta=delta: tF.huber_loss(a, b, reduction=reduction, delta=delta),
            lambda a, b, delta=delta: losses.huber_loss(a, b, reduction, delta=delta),
            x,
            t,
        )
    for beta in (0.0, 0.3, 2.5):
        check(
            lambda a, b, beta=beta: tF.smooth_l1_loss(a, b, reduction=reduction, beta=beta),
            lambda a, b, beta=beta: losses.smooth_l1_loss(a, b, reduction, beta=beta),
            x,
            t,
        )
    dev = sh.Cpu()
    with pytest.raises(ValueError, match="delta must be positive"):
        losses.huber_loss(dev.tensor(x), dev.tensor(t), delta=0.0)
    with pytest.raises(ValueError, match="beta must be non-negative"):
        losses.smooth_l1_loss(dev.tensor(x), dev.tensor(t), beta=-1.0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_bce_with_logits_is_stable_for_extreme_logits(dtype: Any) -> None:
    x = np.array([1000.0, -1000.0, 30.0, -30.0, 0.0], dtype=dtype)
    t = np.array([0.0, 1.0, 0.5, 0.2, 1.0], dtype=dtype)
    for reduction in REDUCTIONS:
        check(
            lambda a, b, r=reduction: tF.binary_cross_entropy_with_logits(a, b, reduction=r),
            lambda a, b, r=reduction: losses.binary_cross_entropy_with_logits(a, b, r),
            x,
            t,
        )


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides")
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_kl_div_matches_torch(reduction: str, dtype: Any) -> None:
    log_probs = np.log(_probs((3, 4), dtype, seed=2))
    probs = _probs((3, 4), dtype)
    check(
        lambda a, b: tF.kl_div(a, b, reduction=reduction),
        lambda a, b: losses.kl_div(a, b, reduction),
        log_probs,
        probs,
    )


def test_kl_div_zero_target_counts_as_zero() -> None:
    log_probs = np.log(_probs((2, 3), np.float64))
    probs = np.array([[0.0, 0.3, 0.7], [0.5, 0.5, 0.0]])
    # the input's gradient only: torch's target gradient is NaN where the target is 0, as ours
    check(
        lambda a: tF.kl_div(a, torch.tensor(probs), reduction="sum"),
        lambda a: losses.kl_div(a, sh.Cpu().tensor(probs), "sum"),
        log_probs,
    )
    grads = sh.Gradients()
    dev = sh.Cpu()
    target = dev.tensor(probs)
    losses.kl_div(dev.tensor(log_probs), target.traced(grads), "sum").backward()
    assert np.isnan(grads[target].numpy()[probs == 0]).all()
    assert np.isfinite(grads[target].numpy()[probs != 0]).all()


# ---------------------------------------------------------------- cross_entropy and nll_loss


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("logits_shape", [(6, 4), (3, 4, 5), (2, 4, 3, 2), (4,)])
def test_class_losses_with_indices_match_torch(
    reduction: str, dtype: Any, logits_shape: tuple[int, ...]
) -> None:
    item_shape = () if len(logits_shape) == 1 else (logits_shape[0], *logits_shape[2:])
    target = np.random.default_rng(3).integers(0, 4, item_shape).astype(np.int64)
    logits = arrays(logits_shape, dtype, low=-3, high=3)
    check(
        lambda a, b: tF.cross_entropy(a, b, reduction=reduction),
        lambda a, b: losses.cross_entropy(a, b, reduction),
        logits,
        target,
    )
    axis = 0 if len(logits_shape) == 1 else 1
    check(
        lambda a, b: tF.nll_loss(a, b, reduction=reduction),
        lambda a, b: losses.nll_loss(a, b, reduction),
        np.log(_probs(logits_shape, dtype, axis=axis)),
        target,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("logits_shape", [(6, 4), (3, 4, 5), (4,)])
def test_cross_entropy_with_probabilities_and_traced_target(
    reduction: str, dtype: Any, logits_shape: tuple[int, ...]
) -> None:
    axis = 0 if len(logits_shape) == 1 else 1
    check(
        lambda a, b: tF.cross_entropy(a, b, reduction=reduction),
        lambda a, b: losses.cross_entropy(a, b, reduction),
        arrays(logits_shape, dtype, low=-3, high=3),
        _probs(logits_shape, dtype, axis=axis),
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_cross_entropy_is_stable_for_extreme_logits(dtype: Any) -> None:
    logits = np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, 1000.0]], dtype=dtype)
    target = np.array([1, 2], dtype=np.int64)
    check(tF.cross_entropy, losses.cross_entropy, logits, target)
    check(tF.cross_entropy, losses.cross_entropy, logits, _probs((2, 3), dtype))
    out = losses.cross_entropy(sh.Cpu().tensor(logits), sh.Cpu().tensor(target))
    assert np.isfinite(out.item())


def test_cross_entropy_is_one_record_with_the_direct_gradient() -> None:
    dev = sh.Cpu()
    logits = dev.tensor(arrays((5, 3)))
    target = dev.tensor([0, 2, 1, 1, 0])
    traced = logits.trace()
    loss = losses.cross_entropy(traced, target)
    assert traced._tape is not None and len(traced._tape.root().records) == 1
    grads = loss.backward()
    soft = np.exp(logits.numpy()) / np.exp(logits.numpy()).sum(axis=1, keepdims=True)
    expected = (soft - np.eye(3)[target.numpy()]) / 5
    np.testing.assert_allclose(grads[logits].numpy(), expected, rtol=1e-12)


# ---------------------------------------------------------------- bad inputs


def test_mismatched_shapes_name_both_shapes() -> None:
    dev = sh.Cpu()
    x, t = dev.tensor(arrays((4, 1))), dev.tensor(arrays((4,)))
    for loss in (losses.mse_loss, losses.l1_loss, losses.kl_div, losses.huber_loss):
        with pytest.raises(sh.ShapeError, match=r"\(4, 1\).*\(4,\)"):
            loss(x, t)
    logits = dev.tensor(arrays((4, 3)))
    with pytest.raises(sh.ShapeError, match=r"logits \(4, 3\).*\(4,\).*got \(5,\)"):
        losses.cross_entropy(logits, dev.tensor([0, 1, 2, 0, 1]))
    with pytest.raises(sh.ShapeError, match=r"logits \(4, 3, 2\).*\(4, 2\).*got \(4, 3\)"):
        losses.nll_loss(dev.tensor(arrays((4, 3, 2))), dev.zeros((4, 3), dtype=sh.Int64))
    with pytest.raises(sh.ShapeError, match=r"\(4, 3\).*\(4, 2\)"):
        losses.cross_entropy(logits, dev.tensor(arrays((4, 2))))


def test_bad_reduction_and_out_of_range_class() -> None:
    dev = sh.Cpu()
    x, t = dev.tensor(arrays((3,))), dev.tensor(arrays((3,)))
    with pytest.raises(sh.ShapeError, match="reduction must be"):
        losses.mse_loss(x, t, "avg")
    logits = dev.tensor(arrays((2, 3)))
    with pytest.raises(sh.ShapeError, match="reduction must be"):
        losses.cross_entropy(logits, dev.tensor([0, 1]), "batchmean")
    for bad in (3, -1):
        with pytest.raises(sh.ShapeError, match=f"class index {bad} is out of range for 3 classes"):
            losses.cross_entropy(logits, dev.tensor([0, bad]))
        with pytest.raises(sh.ShapeError, match=f"class index {bad} is out of range"):
            losses.nll_loss(logits, dev.tensor([bad, 0]))


def test_dtype_rules() -> None:
    dev = sh.Cpu()
    x64 = dev.tensor(arrays((2, 3)))
    x32 = dev.tensor(arrays((2, 3), np.float32))
    with pytest.raises(sh.DtypeError, match="no implicit promotion"):
        losses.mse_loss(x64, x32)
    with pytest.raises(sh.DtypeError, match="no implicit promotion"):
        losses.cross_entropy(x64, dev.tensor(_probs((2, 3), np.float32)))
    with pytest.raises(sh.DtypeError, match="integers"):
        losses.nll_loss(x64, dev.tensor([True, False]))
    out: sh.Tensor[Any, Any, Any, Any] = losses.cross_entropy(x32, dev.tensor([0, 2]))
    assert out.numpy().dtype == np.float32 and out.shape == ()


def test_empty_batch_mean_is_nan_as_torch() -> None:
    dev = sh.Cpu()
    out = losses.cross_entropy(dev.zeros((0, 3), sh.Float32), dev.zeros((0,), sh.Int64))
    assert np.isnan(out.item())
    assert losses.mse_loss(dev.zeros((0,)), dev.zeros((0,)), "sum").item() == 0.0
