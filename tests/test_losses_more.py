"""sh.losses' torch options and further losses against torch.nn.functional (issue 12):
values and gradients (of the input, and of the target where torch gives one) by the oracle."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as tF
from hypothesis import given, settings
from hypothesis import strategies as st

import shaped as sh
from shaped import losses
from shaped.nn import functional as F
from tests.oracle import arrays, check, float_dtypes, shapes

DTYPES = [np.float64, np.float32]
REDUCTIONS = ["mean", "sum", "none"]
dev = sh.Cpu()


def _ours(a: np.ndarray | None) -> sh.Tensor[Any, Any, Any, Any] | None:
    return None if a is None else dev.tensor(a)


def _theirs(a: np.ndarray | None) -> torch.Tensor | None:
    return None if a is None else torch.tensor(a)


def _labels(shape: tuple[int, ...], classes: int, seed: int = 3, ignore: int | None = None) -> Any:
    t = np.random.default_rng(seed).integers(0, classes, shape).astype(np.int64)
    if ignore is not None and t.size:
        t.flat[0] = ignore  # one ignored item, the rest counted
    return t


# ---------------------------------------------------------------- cross_entropy and nll_loss


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(6, 4), (3, 4, 5), (2, 4, 3, 2), (4,)])
@pytest.mark.parametrize("smoothing", [0.0, 0.25])
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_weight_ignore_index_label_smoothing(
    dtype: Any, reduction: str, shape: tuple[int, ...], smoothing: float, weighted: bool
) -> None:
    items = () if len(shape) == 1 else (shape[0], *shape[2:])
    weight = arrays((4,), dtype, seed=9, low=0.2, high=2.0) if weighted else None
    for ignore in (-100, 2):
        target = _labels(items, 4, ignore=ignore if items else None)
        check(
            lambda a, b, ig=ignore: tF.cross_entropy(
                a,
                b,
                weight=_theirs(weight),
                ignore_index=ig,
                reduction=reduction,
                label_smoothing=smoothing,
            ),
            lambda a, b, ig=ignore: losses.cross_entropy(
                a,
                b,
                reduction,
                weight=_ours(weight),
                ignore_index=ig,
                label_smoothing=smoothing,
            ),
            arrays(shape, dtype, low=-3, high=3),
            target,
        )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(6, 4), (3, 4, 5), (4,)])
def test_cross_entropy_probabilities_with_weight_and_smoothing(
    dtype: Any, reduction: str, shape: tuple[int, ...]
) -> None:
    """Probability targets: the target's gradient too; mean divides by N * d1 * ..."""
    weight = arrays((4,), dtype, seed=9, low=0.2, high=2.0)
    for smoothing, w in ((0.0, weight), (0.3, None), (0.3, weight)):
        check(
            lambda a, b, s=smoothing, w=w: tF.cross_entropy(
                a, b, weight=_theirs(w), reduction=reduction, label_smoothing=s
            ),
            lambda a, b, s=smoothing, w=w: F.cross_entropy(
                a, b, reduction, weight=_ours(w), label_smoothing=s
            ),
            arrays(shape, dtype, low=-3, high=3),
            arrays(shape, dtype, seed=4, low=0.0, high=1.0),
        )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(6, 4), (3, 4, 5), (4,)])
def test_nll_loss_weight_and_ignore_index(
    dtype: Any, reduction: str, shape: tuple[int, ...]
) -> None:
    items = () if len(shape) == 1 else (shape[0], *shape[2:])
    weight = arrays((4,), dtype, seed=9, low=0.2, high=2.0)
    for w, ignore in ((None, 1), (weight, -100), (weight, 3)):
        target = _labels(items, 4, ignore=ignore if items and ignore >= 0 else None)
        check(
            lambda a, b, w=w, ig=ignore: tF.nll_loss(
                a, b, weight=_theirs(w), ignore_index=ig, reduction=reduction
            ),
            lambda a, b, w=w, ig=ignore: losses.nll_loss(
                a, b, reduction, weight=_ours(w), ignore_index=ig
            ),
            arrays(shape, dtype, low=-3, high=0),
            target,
        )


@settings(max_examples=25, deadline=None)
@given(
    batch=st.integers(0, 5),
    classes=st.integers(1, 5),
    extra=st.lists(st.integers(0, 3), max_size=2),
    smoothing=st.sampled_from([0.0, 0.1]),
    dtype=float_dtypes,
)
def test_cross_entropy_hypothesis_shapes(
    batch: int, classes: int, extra: list[int], smoothing: float, dtype: Any
) -> None:
    shape = (batch, classes, *extra)
    target = _labels((batch, *extra), classes, ignore=-100)
    weight = arrays((classes,), dtype, seed=2, low=0.5, high=1.5)
    check(
        lambda a, b: tF.cross_entropy(
            a, b, weight=_theirs(weight), reduction="sum", label_smoothing=smoothing
        ),
        lambda a, b: losses.cross_entropy(
            a, b, "sum", weight=_ours(weight), label_smoothing=smoothing
        ),
        arrays(shape, dtype),
        target,
    )


def test_all_ignored_mean_is_nan_and_weight_errors() -> None:
    logits = dev.tensor(arrays((3, 4)))
    ignored = dev.tensor([-100, -100, -100])
    out = losses.cross_entropy(logits, ignored)
    assert np.isnan(out.item())
    assert np.isnan(
        tF.cross_entropy(torch.tensor(logits.numpy()), torch.tensor(ignored.numpy())).item()
    )
    with pytest.raises(sh.ShapeError, match=r"one value per class, shape \(4,\), got \(3,\)"):
        losses.cross_entropy(logits, dev.tensor([0, 1, 2]), weight=dev.ones((3,), sh.Float64))
    with pytest.raises(sh.DtypeError):
        losses.nll_loss(logits, dev.tensor([0, 1, 2]), weight=dev.ones((4,)))
    with pytest.raises(ValueError, match="weight gets no gradient"):
        losses.cross_entropy(
            logits, dev.tensor([0, 1, 2]), weight=dev.ones((4,), sh.Float64).trace()
        )
    with pytest.raises(ValueError, match="label_smoothing must be in"):
        losses.cross_entropy(logits, dev.tensor([0, 1, 2]), label_smoothing=1.5)
    with pytest.raises(sh.ShapeError, match="class index 7 is out of range"):
        losses.cross_entropy(logits, dev.tensor([0, 7, -100]))


# ---------------------------------------------------------------- binary cross-entropy


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_matches_torch(dtype: Any, reduction: str) -> None:
    probs = arrays((4, 5), dtype, low=0.02, high=0.98)
    target = arrays((4, 5), dtype, seed=2, low=0.0, high=1.0)
    for weight in (None, arrays((5,), dtype, seed=3, low=0.2, high=2.0), probs[:1] * 2):
        check(
            lambda a, b, w=weight: tF.binary_cross_entropy(
                a, b, weight=_theirs(w), reduction=reduction
            ),
            lambda a, b, w=weight: losses.binary_cross_entropy(a, b, reduction, weight=_ours(w)),
            probs,
            target,
        )


@pytest.mark.parametrize("dtype", DTYPES)
def test_binary_cross_entropy_clamps_log_at_minus_100(dtype: Any) -> None:
    """p = 0 or 1: torch's clamped loss and its (x - t) / max(x (1 - x), 1e-12) gradient."""
    probs = np.array([0.0, 1.0, 0.0, 1.0, 0.5], dtype=dtype)
    target = np.array([0.0, 1.0, 1.0, 0.0, 0.3], dtype=dtype)
    for reduction in REDUCTIONS:
        check(
            lambda a, r=reduction: tF.binary_cross_entropy(a, torch.tensor(target), reduction=r),
            lambda a, r=reduction: losses.binary_cross_entropy(a, dev.tensor(target), r),
            probs,
        )
    with pytest.raises(ValueError, match="between 0 and 1"):
        losses.binary_cross_entropy(dev.tensor(probs + 0.7), dev.tensor(target))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_weight_and_pos_weight(dtype: Any, reduction: str) -> None:
    logits = arrays((4, 5), dtype, low=-30, high=30)
    target = arrays((4, 5), dtype, seed=2, low=0.0, high=1.0)
    weight = arrays((5,), dtype, seed=3, low=0.2, high=2.0)
    pos_weight = arrays((5,), dtype, seed=4, low=0.2, high=3.0)
    for w, pw in ((weight, None), (None, pos_weight), (weight, pos_weight), (None, pos_weight[:1])):
        check(
            lambda a, b, w=w, pw=pw: tF.binary_cross_entropy_with_logits(
                a, b, weight=_theirs(w), pos_weight=_theirs(pw), reduction=reduction
            ),
            lambda a, b, w=w, pw=pw: losses.binary_cross_entropy_with_logits(
                a, b, reduction, weight=_ours(w), pos_weight=_ours(pw)
            ),
            logits,
            target,
        )
    with pytest.raises(sh.ShapeError, match="do not broadcast"):
        losses.binary_cross_entropy_with_logits(
            dev.tensor(logits), dev.tensor(target), pos_weight=dev.tensor(arrays((3,), dtype))
        )
    with pytest.raises(sh.ShapeError, match="must broadcast to the input's shape"):
        losses.binary_cross_entropy_with_logits(
            dev.tensor(logits), dev.tensor(target), weight=dev.tensor(arrays((2, 4, 5), dtype))
        )


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_kl_div_log_target(dtype: Any, reduction: str) -> None:
    check(
        lambda a, b: tF.kl_div(a, b, reduction=reduction, log_target=True),
        lambda a, b: losses.kl_div(a, b, reduction, log_target=True),
        arrays((3, 4), dtype, low=-3, high=0),
        arrays((3, 4), dtype, seed=1, low=-3, high=0),
    )


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@settings(max_examples=25, deadline=None)
@given(shape=shapes(max_dims=3), dtype=float_dtypes, reduction=st.sampled_from(REDUCTIONS))
def test_elementwise_losses_hypothesis_shapes(
    shape: tuple[int, ...], dtype: Any, reduction: str
) -> None:
    """Zero-size and rank-0 shapes included: "mean" of nothing is NaN, as torch."""
    x, t = arrays(shape, dtype), arrays(shape, dtype, seed=1, low=0.0, high=1.0)
    probs = arrays(shape, dtype, seed=2, low=0.05, high=0.95)
    weight = arrays(shape[-1:], dtype, seed=3, low=0.5, high=1.5)
    check(
        lambda a, b: tF.binary_cross_entropy(a, b, weight=_theirs(weight), reduction=reduction),
        lambda a, b: losses.binary_cross_entropy(a, b, reduction, weight=_ours(weight)),
        probs,
        t,
    )
    check(
        lambda a, b: tF.binary_cross_entropy_with_logits(
            a, b, pos_weight=_theirs(weight), reduction=reduction
        ),
        lambda a, b: losses.binary_cross_entropy_with_logits(
            a, b, reduction, pos_weight=_ours(weight)
        ),
        x,
        t,
    )
    check(
        lambda a, b: tF.poisson_nll_loss(a, b, reduction=reduction),
        lambda a, b: losses.poisson_nll_loss(a, b, reduction=reduction),
        x,
        t,
    )
    check(
        lambda a, b, c: tF.gaussian_nll_loss(a, b, c, reduction=reduction),
        lambda a, b, c: losses.gaussian_nll_loss(a, b, c, reduction=reduction),
        x,
        t,
        probs,
    )


# ---------------------------------------------------------------- embedding and margin losses


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cosine_embedding_and_margin_ranking(dtype: Any, reduction: str) -> None:
    x1, x2 = arrays((5, 4), dtype), arrays((5, 4), dtype, seed=1)
    signs = np.array([1, -1, 1, -1, -1], dtype=dtype)
    for margin in (0.0, 0.3):
        check(
            lambda a, b, m=margin: tF.cosine_embedding_loss(
                a, b, torch.tensor(signs), margin=m, reduction=reduction
            ),
            lambda a, b, m=margin: losses.cosine_embedding_loss(
                a, b, dev.tensor(signs), m, reduction
            ),
            x1,
            x2,
        )
        check(  # margin_ranking's target gets a gradient, as in torch
            lambda a, b, c, m=margin: tF.margin_ranking_loss(
                a, b, c, margin=m, reduction=reduction
            ),
            lambda a, b, c, m=margin: F.margin_ranking_loss(a, b, c, m, reduction),
            x1[:, 0],
            x2[:, 0],
            signs,
        )
    # unbatched: (D,) inputs with a 0-d target
    check(
        lambda a, b: tF.cosine_embedding_loss(a, b, torch.tensor(-1.0, dtype=a.dtype), 0.1),
        lambda a, b: losses.cosine_embedding_loss(a, b, dev.tensor(np.asarray(-1.0, dtype)), 0.1),
        x1[0],
        x2[0],
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p", [1.0, 2.0, 3.0])
@pytest.mark.parametrize("swap", [False, True])
def test_triplet_margin_loss(dtype: Any, reduction: str, p: float, swap: bool) -> None:
    check(
        lambda a, b, c: tF.triplet_margin_loss(
            a, b, c, margin=1.5, p=p, swap=swap, reduction=reduction
        ),
        lambda a, b, c: losses.triplet_margin_loss(a, b, c, 1.5, p, swap=swap, reduction=reduction),
        arrays((5, 4), dtype),
        arrays((5, 4), dtype, seed=1),
        arrays((5, 4), dtype, seed=2),
    )


@settings(max_examples=25, deadline=None)
@given(rows=st.integers(0, 5), width=st.integers(1, 5), dtype=float_dtypes)
def test_embedding_losses_hypothesis_shapes(rows: int, width: int, dtype: Any) -> None:
    x1, x2, x3 = (arrays((rows, width), dtype, seed=s) for s in range(3))
    signs = np.where(arrays((rows,), dtype, seed=4) > 0, 1, -1).astype(dtype)
    check(
        lambda a, b, c: tF.triplet_margin_loss(a, b, c, reduction="sum"),
        lambda a, b, c: losses.triplet_margin_loss(a, b, c, reduction="sum"),
        x1,
        x2,
        x3,
    )
    check(
        lambda a, b: tF.cosine_embedding_loss(a, b, torch.tensor(signs), reduction="sum"),
        lambda a, b: losses.cosine_embedding_loss(a, b, dev.tensor(signs), reduction="sum"),
        x1,
        x2,
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_soft_margin_hinge_and_multilabel(dtype: Any, reduction: str) -> None:
    x = arrays((5, 4), dtype, low=-3, high=3)
    signs = np.where(arrays((5, 4), dtype, seed=5) > 0, 1, -1).astype(dtype)
    check(  # torch gives no gradient to these targets: they are constants here
        lambda a: tF.soft_margin_loss(a, torch.tensor(signs), reduction=reduction),
        lambda a: losses.soft_margin_loss(a, dev.tensor(signs), reduction),
        x,
    )
    check(
        lambda a: tF.hinge_embedding_loss(a, torch.tensor(signs), margin=0.7, reduction=reduction),
        lambda a: losses.hinge_embedding_loss(a, dev.tensor(signs), 0.7, reduction),
        x,
    )
    labels01 = (signs > 0).astype(dtype)
    weight = arrays((4,), dtype, seed=9, low=0.1, high=2.0)
    for w in (None, weight):
        check(
            lambda a, b, w=w: tF.multilabel_soft_margin_loss(
                a, b, weight=_theirs(w), reduction=reduction
            ),
            lambda a, b, w=w: losses.multilabel_soft_margin_loss(a, b, _ours(w), reduction),
            x * 10,
            labels01,
        )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p", [1, 2])
def test_multi_margin_loss(dtype: Any, reduction: str, p: int) -> None:
    weight = arrays((4,), dtype, seed=9, low=0.1, high=2.0)
    for w, margin in ((None, 1.0), (weight, 0.5)):
        check(
            lambda a, b, w=w, m=margin: tF.multi_margin_loss(
                a, b, p=p, margin=m, weight=_theirs(w), reduction=reduction
            ),
            lambda a, b, w=w, m=margin: losses.multi_margin_loss(a, b, p, m, _ours(w), reduction),
            arrays((5, 4), dtype),
            np.array([0, 3, 1, 1, 2]),
        )


# ---------------------------------------------------------------- likelihood losses


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("full", [False, True])
def test_gaussian_nll_loss(dtype: Any, reduction: str, full: bool) -> None:
    """var shaped like the input, without its last axis, size 1 on an axis, or a float; a var
    below eps is clamped for the value while its gradient passes (torch's no_grad clamp)."""
    x, t = arrays((5, 4), dtype), arrays((5, 4), dtype, seed=1)
    var = arrays((5, 4), dtype, seed=6, low=0.0, high=2.0)
    var[0, 0] = 1e-9
    for v in (var, var[:, 0].copy(), var[:, :1].copy(), var[:1].copy()):
        check(
            lambda a, b, c: tF.gaussian_nll_loss(a, b, c, full=full, reduction=reduction),
            lambda a, b, c: losses.gaussian_nll_loss(a, b, c, full, reduction=reduction),
            x,
            t,
            v,
        )
    check(
        lambda a, b: tF.gaussian_nll_loss(a, b, 0.5, full=full, reduction=reduction),
        lambda a, b: losses.gaussian_nll_loss(a, b, 0.5, full, reduction=reduction),
        x,
        t,
    )
    with pytest.raises(sh.ShapeError, match="does not fit the input"):
        losses.gaussian_nll_loss(dev.tensor(x), dev.tensor(t), dev.tensor(var[:, :2].copy()))
    with pytest.raises(ValueError, match="negative"):
        losses.gaussian_nll_loss(dev.tensor(x), dev.tensor(t), dev.tensor(var - 1))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # torch's NaN target gradient at 0
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("log_input", [True, False])
def test_poisson_nll_loss(dtype: Any, reduction: str, full: bool, log_input: bool) -> None:
    x = arrays((5, 4), dtype)
    counts = np.abs(arrays((5, 4), dtype, seed=7)) * 3
    counts[0, :2] = (0.0, 1.0)
    check(
        lambda a, b: tF.poisson_nll_loss(a, b, log_input=log_input, full=full, reduction=reduction),
        lambda a, b: losses.poisson_nll_loss(a, b, log_input, full, reduction=reduction),
        x if log_input else np.abs(x) + 0.1,
        counts,
    )


# ---------------------------------------------------------------- ctc_loss


def _log_softmax(shape: tuple[int, ...], dtype: Any, seed: int = 0) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal(shape)
    out: np.ndarray = (x - np.log(np.exp(x).sum(-1, keepdims=True))).astype(dtype)
    return out


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_ctc_loss_padded_and_concatenated(dtype: Any, reduction: str) -> None:
    log_probs = _log_softmax((12, 4, 5), dtype)
    targets = np.array([[1, 2, 2, 3], [4, 1, 0, 0], [3, 3, 1, 0], [1, 0, 0, 0]])
    input_lengths, target_lengths = [12, 9, 7, 5], [4, 2, 3, 0]
    check(
        lambda a: tF.ctc_loss(
            a,
            torch.tensor(targets),
            torch.tensor(input_lengths),
            torch.tensor(target_lengths),
            reduction=reduction,
        ),
        lambda a: losses.ctc_loss(
            a, dev.tensor(targets), input_lengths, target_lengths, 0, reduction
        ),
        log_probs,
    )
    concatenated = np.concatenate([targets[n, :k] for n, k in enumerate(target_lengths)])
    check(
        lambda a: tF.ctc_loss(
            a,
            torch.tensor(concatenated),
            torch.tensor(input_lengths),
            torch.tensor(target_lengths),
            reduction=reduction,
        ),
        lambda a: F.ctc_loss(
            a,
            dev.tensor(concatenated),
            dev.tensor(input_lengths),
            dev.tensor(target_lengths),
            reduction=reduction,
        ),
        log_probs,
    )
    check(  # unbatched: (T, C) with (S,) targets and int lengths
        lambda a: tF.ctc_loss(
            a, torch.tensor(targets[0, :3]), torch.tensor(10), torch.tensor(3), reduction=reduction
        ),
        lambda a: losses.ctc_loss(a, dev.tensor(targets[0, :3]), 10, 3, reduction=reduction),
        log_probs[:, 0],
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_ctc_loss_blank_zero_infinity_and_raw_scores(dtype: Any) -> None:
    """Another blank; impossible alignments with zero_infinity; scores that are not
    log-probabilities get torch's gradient exp(lp) - posterior."""
    targets = np.array([[1, 3, 3, 4], [4, 1, 0, 0], [3, 3, 1, 0]])
    for blank, lengths in ((2, [12, 9, 7]), (0, [3, 9, 2])):
        check(
            lambda a, b=blank, n=lengths: tF.ctc_loss(
                a,
                torch.tensor(targets),
                torch.tensor(n),
                torch.tensor([4, 2, 3]),
                blank=b,
                reduction="sum",
                zero_infinity=True,
            ),
            lambda a, b=blank, n=lengths: losses.ctc_loss(
                a, dev.tensor(targets), n, [4, 2, 3], b, "sum", zero_infinity=True
            ),
            _log_softmax((12, 3, 5), dtype),
        )
    check(
        lambda a: tF.ctc_loss(
            a, torch.tensor(targets), torch.tensor([12, 9, 7]), torch.tensor([4, 2, 3])
        ),
        lambda a: losses.ctc_loss(a, dev.tensor(targets), [12, 9, 7], [4, 2, 3]),
        arrays((12, 3, 5), dtype) * 0.3,
    )


@settings(max_examples=15, deadline=None)
@given(
    steps=st.integers(1, 8),
    batch=st.integers(1, 3),
    classes=st.integers(2, 4),
    data=st.data(),
)
def test_ctc_loss_hypothesis_shapes(steps: int, batch: int, classes: int, data: Any) -> None:
    longest = data.draw(st.integers(0, 4))
    target_lengths = data.draw(st.lists(st.integers(0, longest), min_size=batch, max_size=batch))
    input_lengths = data.draw(st.lists(st.integers(1, steps), min_size=batch, max_size=batch))
    targets = np.random.default_rng(1).integers(1, classes, (batch, longest))
    check(
        lambda a: tF.ctc_loss(
            a,
            torch.tensor(targets),
            torch.tensor(input_lengths),
            torch.tensor(target_lengths),
            reduction="sum",
            zero_infinity=True,
        ),
        lambda a: losses.ctc_loss(
            a, dev.tensor(targets), input_lengths, target_lengths, 0, "sum", True
        ),
        _log_softmax((steps, batch, classes), np.float64),
    )


def test_ctc_loss_bad_input() -> None:
    log_probs = dev.tensor(_log_softmax((6, 2, 4), np.float64))
    targets = dev.tensor([[1, 2], [3, 0]])
    with pytest.raises(ValueError, match="equals the blank"):
        losses.ctc_loss(log_probs, targets, [6, 6], [2, 2])
    with pytest.raises(sh.ShapeError, match="one length per batch item"):
        losses.ctc_loss(log_probs, targets, [6, 6, 6], [2, 1])
    with pytest.raises(sh.ShapeError, match=r"input_lengths must be in 0\.\.6"):
        losses.ctc_loss(log_probs, targets, [7, 6], [2, 1])
    with pytest.raises(sh.ShapeError, match="hold 3 labels but target_lengths sum to 2"):
        losses.ctc_loss(log_probs, dev.tensor([1, 2, 3]), [6, 6], [1, 1])
    with pytest.raises(sh.DtypeError, match="integer tensor"):
        losses.ctc_loss(log_probs, log_probs, [6, 6], [1, 1])


def test_traced_weight_and_reduction_errors() -> None:
    x = dev.tensor(arrays((3, 4)))
    with pytest.raises(sh.ShapeError, match="reduction must be"):
        losses.triplet_margin_loss(x, x, x, reduction="avg")
    with pytest.raises(sh.ShapeError, match="same number of dims"):
        losses.triplet_margin_loss(x, x, x[0])
    with pytest.raises(sh.DtypeError, match="no implicit promotion"):
        losses.margin_ranking_loss(x[0], x[0].to(sh.Float32), x[0])
    with pytest.raises(ValueError, match="pos_weight gets no gradient"):
        losses.binary_cross_entropy_with_logits(x, x, pos_weight=dev.tensor(arrays((4,))).trace())
