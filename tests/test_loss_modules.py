"""The loss modules of sh.nn against torch.nn's: values and gradients through the oracle, the
constructor arguments, weight buffers in state_dict (loaded from torch's), `.to` and a
training step."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import shaped as sh
from shaped import nn
from tests.oracle import arrays, check, float_dtypes

REDUCTIONS = ["mean", "sum", "none"]
DTYPES = [np.float64, np.float32]
dev = sh.Cpu()


def _w(dtype: Any, size: int = 4, seed: int = 9) -> np.ndarray:
    return arrays((size,), dtype, seed=seed, low=0.2, high=2.0)


def _signs(shape: tuple[int, ...], dtype: Any, seed: int = 5) -> np.ndarray:
    return np.where(arrays(shape, dtype, seed=seed) > 0, 1, -1).astype(dtype)


def _log_softmax(shape: tuple[int, ...], dtype: Any) -> np.ndarray:
    x = np.random.default_rng(0).standard_normal(shape)
    out: np.ndarray = (x - np.log(np.exp(x).sum(-1, keepdims=True))).astype(dtype)
    return out


Case = tuple[Callable[..., Any], Callable[..., Any], Callable[[Any], list[np.ndarray]], bool]

# name -> (ours(dtype, reduction, weights), theirs(dtype, reduction, weights), the inputs for
# a dtype, whether every input is traced (False: the last one is a constant target))
CASES: dict[str, Case] = {
    "CrossEntropyLoss": (
        lambda w, r: nn.CrossEntropyLoss(
            weight=w(_w), ignore_index=1, reduction=r, label_smoothing=0.2
        ),
        lambda w, r: torch.nn.CrossEntropyLoss(
            weight=w(_w), ignore_index=1, reduction=r, label_smoothing=0.2
        ),
        lambda d: [arrays((6, 4), d), np.array([0, 1, 3, 2, 2, 1])],
        True,
    ),
    "NLLLoss": (
        lambda w, r: nn.NLLLoss(weight=w(_w), ignore_index=2, reduction=r),
        lambda w, r: torch.nn.NLLLoss(weight=w(_w), ignore_index=2, reduction=r),
        lambda d: [arrays((3, 4, 5), d, low=-3, high=0), np.arange(15).reshape(3, 5) % 4],
        True,
    ),
    "MSELoss": (
        lambda w, r: nn.MSELoss(reduction=r),
        lambda w, r: torch.nn.MSELoss(reduction=r),
        lambda d: [arrays((4, 5), d), arrays((4, 5), d, seed=1)],
        True,
    ),
    "L1Loss": (
        lambda w, r: nn.L1Loss(reduction=r),
        lambda w, r: torch.nn.L1Loss(reduction=r),
        lambda d: [arrays((4, 5), d), arrays((4, 5), d, seed=1)],
        True,
    ),
    "HuberLoss": (
        lambda w, r: nn.HuberLoss(reduction=r, delta=0.6),
        lambda w, r: torch.nn.HuberLoss(reduction=r, delta=0.6),
        lambda d: [arrays((4, 5), d), arrays((4, 5), d, seed=1)],
        True,
    ),
    "SmoothL1Loss": (
        lambda w, r: nn.SmoothL1Loss(reduction=r, beta=0.4),
        lambda w, r: torch.nn.SmoothL1Loss(reduction=r, beta=0.4),
        lambda d: [arrays((4, 5), d), arrays((4, 5), d, seed=1)],
        True,
    ),
    "BCELoss": (
        lambda w, r: nn.BCELoss(weight=w(lambda d: _w(d, 5)), reduction=r),
        lambda w, r: torch.nn.BCELoss(weight=w(lambda d: _w(d, 5)), reduction=r),
        lambda d: [arrays((4, 5), d, low=0.05, high=0.95), arrays((4, 5), d, 1, 0.0, 1.0)],
        True,
    ),
    "BCEWithLogitsLoss": (
        lambda w, r: nn.BCEWithLogitsLoss(
            weight=w(lambda d: _w(d, 5)), reduction=r, pos_weight=w(lambda d: _w(d, 5, 3))
        ),
        lambda w, r: torch.nn.BCEWithLogitsLoss(
            weight=w(lambda d: _w(d, 5)), reduction=r, pos_weight=w(lambda d: _w(d, 5, 3))
        ),
        lambda d: [arrays((4, 5), d, low=-4, high=4), arrays((4, 5), d, 1, 0.0, 1.0)],
        True,
    ),
    "KLDivLoss": (
        lambda w, r: nn.KLDivLoss(reduction=r, log_target=True),
        lambda w, r: torch.nn.KLDivLoss(reduction=r, log_target=True),
        lambda d: [arrays((3, 4), d, low=-3, high=0), arrays((3, 4), d, 1, -3, 0)],
        True,
    ),
    "SoftMarginLoss": (
        lambda w, r: nn.SoftMarginLoss(reduction=r),
        lambda w, r: torch.nn.SoftMarginLoss(reduction=r),
        lambda d: [arrays((4, 5), d), _signs((4, 5), d)],
        False,
    ),
    "HingeEmbeddingLoss": (
        lambda w, r: nn.HingeEmbeddingLoss(0.8, reduction=r),
        lambda w, r: torch.nn.HingeEmbeddingLoss(0.8, reduction=r),
        lambda d: [arrays((4, 5), d), _signs((4, 5), d)],
        False,
    ),
    "PoissonNLLLoss": (
        lambda w, r: nn.PoissonNLLLoss(log_input=False, full=True, eps=1e-6, reduction=r),
        lambda w, r: torch.nn.PoissonNLLLoss(log_input=False, full=True, eps=1e-6, reduction=r),
        lambda d: [arrays((4, 5), d, low=0.1, high=3), arrays((4, 5), d, 1, 1.5, 4.0)],
        True,
    ),
    "MultiMarginLoss": (
        lambda w, r: nn.MultiMarginLoss(p=2, margin=0.7, weight=w(_w), reduction=r),
        lambda w, r: torch.nn.MultiMarginLoss(p=2, margin=0.7, weight=w(_w), reduction=r),
        lambda d: [arrays((5, 4), d), np.array([0, 3, 1, 1, 2])],
        True,
    ),
    "MultiLabelSoftMarginLoss": (
        lambda w, r: nn.MultiLabelSoftMarginLoss(weight=w(_w), reduction=r),
        lambda w, r: torch.nn.MultiLabelSoftMarginLoss(weight=w(_w), reduction=r),
        lambda d: [arrays((5, 4), d, low=-3, high=3), (_signs((5, 4), d) > 0).astype(d)],
        True,
    ),
    "CosineEmbeddingLoss": (
        lambda w, r: nn.CosineEmbeddingLoss(0.2, reduction=r),
        lambda w, r: torch.nn.CosineEmbeddingLoss(0.2, reduction=r),
        lambda d: [arrays((5, 4), d), arrays((5, 4), d, seed=1), _signs((5,), d)],
        False,
    ),
    "MarginRankingLoss": (
        lambda w, r: nn.MarginRankingLoss(0.3, reduction=r),
        lambda w, r: torch.nn.MarginRankingLoss(0.3, reduction=r),
        lambda d: [arrays((6,), d), arrays((6,), d, seed=1), _signs((6,), d)],
        True,
    ),
    "TripletMarginLoss": (
        lambda w, r: nn.TripletMarginLoss(margin=0.5, p=1.0, swap=True, reduction=r),
        lambda w, r: torch.nn.TripletMarginLoss(margin=0.5, p=1.0, swap=True, reduction=r),
        lambda d: [arrays((5, 4), d, seed=s) for s in range(3)],
        True,
    ),
    "GaussianNLLLoss": (
        lambda w, r: nn.GaussianNLLLoss(full=True, eps=1e-4, reduction=r),
        lambda w, r: torch.nn.GaussianNLLLoss(full=True, eps=1e-4, reduction=r),
        lambda d: [arrays((5, 4), d), arrays((5, 4), d, seed=1), arrays((5,), d, 2, 0.0, 2.0)],
        True,
    ),
}


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides")
@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_loss_modules_match_torch(name: str, reduction: str, dtype: Any) -> None:
    ours_of, theirs_of, inputs_of, all_traced = CASES[name]
    ours = ours_of(lambda make: dev.tensor(make(dtype)), reduction)
    theirs = theirs_of(lambda make: torch.tensor(make(dtype)), reduction)
    inputs = inputs_of(dtype)
    if all_traced:
        check(theirs, ours, *inputs)
        return
    *traced, constant = inputs
    check(
        lambda *a: theirs(*a, torch.tensor(constant)),
        lambda *a: ours(*a, dev.tensor(constant)),
        *traced,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_ctc_loss_module_matches_torch(reduction: str, dtype: Any) -> None:
    targets = np.array([[1, 2, 2, 3], [4, 1, 0, 0], [3, 3, 1, 0]])
    ours = nn.CTCLoss(blank=0, reduction=reduction, zero_infinity=True)
    theirs = torch.nn.CTCLoss(blank=0, reduction=reduction, zero_infinity=True)
    check(
        lambda a: theirs(
            a, torch.tensor(targets), torch.tensor([10, 9, 3]), torch.tensor([4, 2, 3])
        ),
        lambda a: ours(a, dev.tensor(targets), [10, 9, 3], [4, 2, 3]),
        _log_softmax((10, 3, 5), dtype),
    )


@settings(max_examples=25, deadline=None)
@given(batch=st.integers(0, 4), classes=st.integers(1, 5), dtype=float_dtypes)
def test_cross_entropy_module_hypothesis_shapes(batch: int, classes: int, dtype: Any) -> None:
    labels = np.random.default_rng(1).integers(0, classes, (batch,))
    weight = arrays((classes,), dtype, seed=3, low=0.5, high=1.5)
    ours = nn.CrossEntropyLoss(weight=dev.tensor(weight), reduction="sum", label_smoothing=0.1)
    theirs = torch.nn.CrossEntropyLoss(
        weight=torch.tensor(weight), reduction="sum", label_smoothing=0.1
    )
    check(theirs, ours, arrays((batch, classes), dtype), labels)


# ---------------------------------------------------------------- module behaviour


def test_weights_are_buffers_that_load_from_torch_and_move() -> None:
    theirs = torch.nn.BCEWithLogitsLoss(
        weight=torch.rand(5, dtype=torch.float64), pos_weight=torch.rand(5, dtype=torch.float64)
    )
    ours = nn.BCEWithLogitsLoss(
        weight=dev.zeros((5,), sh.Float64), pos_weight=dev.zeros((5,), sh.Float64)
    )
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict()) == ["pos_weight", "weight"]
    assert ours.num_params() == 0 and list(ours.parameters()) == []
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    logits, target = arrays((4, 5)), arrays((4, 5), seed=1, low=0.0, high=1.0)
    check(theirs, ours, logits, target)
    assert ours.to(sh.Float32).weight is not None
    assert ours.weight.dtype is sh.Float32 and ours.pos_weight is not None
    moved = ours.to(sh.Cpu())
    assert moved is ours and ours.weight.device == sh.Cpu()
    # no weight: nothing in state_dict, as torch's
    assert nn.CrossEntropyLoss().state_dict() == {}
    assert list(torch.nn.CrossEntropyLoss().state_dict()) == []
    assert nn.CrossEntropyLoss().weight is None


def test_cross_entropy_weight_state_dict_and_repr() -> None:
    theirs = torch.nn.CrossEntropyLoss(weight=torch.rand(4, dtype=torch.float64))
    ours = nn.CrossEntropyLoss(weight=dev.ones((4,), sh.Float64))
    ours.load_state_dict({"weight": theirs.weight.numpy()})
    np.testing.assert_array_equal(ours.state_dict()["weight"].numpy(), theirs.weight.numpy())
    check(theirs, ours, arrays((6, 4)), np.array([0, 1, 3, 2, 2, 1]))
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss()"
    assert repr(nn.MSELoss(reduction="sum")) == "MSELoss(reduction='sum')"
    assert nn.MSELoss()(dev.ones((2,)), dev.ones((2,))).item() == 0.0
    assert nn.MSELoss().forward(dev.ones((2,)), dev.zeros((2,))).item() == 1.0


def test_bad_constructor_arguments() -> None:
    with pytest.raises(ValueError, match="reduction must be 'mean', 'sum' or 'none', got 'avg'"):
        nn.CrossEntropyLoss(reduction="avg")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="margin must be greater than 0"):
        nn.TripletMarginLoss(margin=0.0)
    with pytest.raises(ValueError, match="only p == 1 and p == 2"):
        nn.MultiMarginLoss(p=3)
    with pytest.raises(sh.ShapeError, match=r"one value per class, shape \(4,\), got \(3,\)"):
        nn.CrossEntropyLoss(weight=dev.ones((3,)))(dev.randn((2, 4)), dev.tensor([0, 1]))


def test_training_steps_match_torch() -> None:
    """A few SGD steps of a linear classifier with a weighted, smoothed criterion."""
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((16, 6)), rng.integers(0, 3, 16)
    weight = np.array([0.5, 1.0, 2.0])
    torch_layer = torch.nn.Linear(6, 3).double()
    layer = nn.Linear(6, 3, device=dev, dtype=sh.Float64)
    layer.load_state_dict({k: v.detach().numpy() for k, v in torch_layer.state_dict().items()})
    theirs = torch.nn.CrossEntropyLoss(weight=torch.tensor(weight), label_smoothing=0.1)
    ours = nn.CrossEntropyLoss(weight=dev.tensor(weight), label_smoothing=0.1)
    torch_opt = torch.optim.SGD(torch_layer.parameters(), lr=0.5)
    opt = sh.optim.Sgd(layer, lr=0.5)
    for _ in range(3):
        torch_opt.zero_grad()
        torch_loss = theirs(torch_layer(torch.tensor(x)), torch.tensor(y))
        torch_loss.backward()
        torch_opt.step()
        grads = layer.alloc_grads()
        loss = ours(layer(dev.tensor(x).traced(grads)), dev.tensor(y))
        opt.update(layer, loss.backward())
        np.testing.assert_allclose(loss.item(), torch_loss.item(), rtol=1e-12)
    np.testing.assert_allclose(layer.weight.numpy(), torch_layer.weight.detach().numpy(), 1e-12)
