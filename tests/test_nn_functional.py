"""sh.nn.functional against torch.nn.functional: values and gradients through the oracle."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as tF
from hypothesis import given
from hypothesis import strategies as st

import shaped as sh
from shaped.nn import functional as F
from tests.oracle import arrays, check, float_dtypes, shapes

DTYPES = [np.float64, np.float32]


# ---------------------------------------------------------------- softmax family


@given(shape=shapes(), dtype=float_dtypes, data=st.data())
def test_softmax_family_matches_torch(
    shape: tuple[int, ...], dtype: Any, data: st.DataObject
) -> None:
    rank = max(len(shape), 1)
    axis = data.draw(st.integers(-rank, rank - 1))
    x = arrays(shape, dtype, low=-5, high=5)
    check(lambda t: torch.softmax(t, axis), lambda t: F.softmax(t, axis), x)
    check(lambda t: torch.log_softmax(t, axis), lambda t: F.log_softmax(t, axis), x)


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_family_is_stable_for_extreme_logits(dtype: Any) -> None:
    x = np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, -999.0]], dtype=dtype)
    check(lambda t: torch.softmax(t, 1), lambda t: F.softmax(t, axis=1), x)
    check(lambda t: torch.log_softmax(t, 1), lambda t: F.log_softmax(t, axis=1), x)
    out = F.log_softmax(sh.Cpu().tensor(x), axis=1).numpy()
    assert np.isfinite(out).all()


def test_softmax_non_contiguous_and_bad_axis() -> None:
    x = arrays((4, 6))[:, ::2].T
    check(lambda t: torch.softmax(t, 0), lambda t: F.softmax(t, 0), x)
    with pytest.raises(sh.ShapeError, match="axis 2 is out of range"):
        F.softmax(sh.Cpu().tensor(x), axis=2)


def test_softmax_is_one_record() -> None:
    x = sh.Cpu().tensor(arrays((3, 4))).trace()
    assert x._tape is not None
    before = len(x._tape.root().records)
    F.log_softmax(F.softmax(x, -1), -1)
    assert len(x._tape.root().records) == before + 2


# ---------------------------------------------------------------- dropout


def test_dropout_statistics() -> None:
    x = sh.Cpu().ones((200, 500), dtype=sh.Float64)
    out = F.dropout(x, 0.3, training=True).numpy()
    assert abs((out == 0).mean() - 0.3) < 0.01
    assert abs(out.mean() - 1.0) < 0.02
    assert set(np.unique(out)) <= {0.0, 1.0 / 0.7}


def test_dropout_identity_and_extremes() -> None:
    x = sh.Cpu().tensor(arrays((3, 4)))
    assert F.dropout(x, 0.0, training=True) is x
    assert F.dropout(x, 0.5, training=False) is x
    np.testing.assert_array_equal(F.dropout(x, 1.0, training=True).numpy(), np.zeros((3, 4)))
    for bad in (-0.1, 1.5):
        with pytest.raises(ValueError, match="p must be in"):
            F.dropout(x, bad, training=True)


def test_dropout_gradient_is_the_mask_and_rng_is_reproducible() -> None:
    grads = sh.Gradients()
    data = arrays((50, 40), low=1.0, high=2.0)
    x = sh.Cpu().tensor(data)
    out = F.dropout(x.traced(grads), 0.5, training=True, rng=np.random.default_rng(7))
    again = F.dropout(x, 0.5, training=True, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(out.numpy(), again.numpy())
    got = out.sum().backward()
    np.testing.assert_allclose(got[x].numpy(), out.numpy() / data)
    assert F.dropout(sh.Cpu().tensor(data, dtype=sh.Float32), 0.5).numpy().dtype == np.float32


# ---------------------------------------------------------------- layer_norm


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("norm_shape", [(5,), (4, 5)])
def test_layer_norm_matches_torch(dtype: Any, norm_shape: tuple[int, ...]) -> None:
    x = arrays((3, 4, 5), dtype)
    w = arrays(norm_shape, dtype, seed=1)
    b = arrays(norm_shape, dtype, seed=2)
    check(
        lambda t, tw, tb: tF.layer_norm(t, norm_shape, tw, tb),
        lambda t, tw, tb: F.layer_norm(t, tw, tb),
        x,
        w,
        b,
    )
    check(
        lambda t: tF.layer_norm(t, norm_shape, eps=1e-3),
        lambda t: F.layer_norm(t, None, None, eps=1e-3, normalized_shape=norm_shape),
        x,
    )


def test_layer_norm_without_bias_and_bad_shape() -> None:
    x, w = arrays((2, 6)), arrays((6,), seed=1)
    check(lambda t, tw: tF.layer_norm(t, (6,), tw), lambda t, tw: F.layer_norm(t, tw, None), x, w)
    check(lambda t: tF.layer_norm(t, (6,)), lambda t: F.layer_norm(t, None, None), x)
    dev = sh.Cpu()
    with pytest.raises(sh.ShapeError, match=r"normalized shape \(5,\).*\(2, 6\)"):
        F.layer_norm(dev.tensor(x), dev.tensor(arrays((5,))), None)


# ---------------------------------------------------------------- batch_norm


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5, 5), (6, 3, 7)])
def test_batch_norm_training_matches_torch(dtype: Any, shape: tuple[int, ...]) -> None:
    x, w, b = arrays(shape, dtype), arrays((3,), dtype, seed=1), arrays((3,), dtype, seed=2)
    dev = sh.Cpu()

    def ours(t: Any, tw: Any, tb: Any) -> Any:
        mean, var = dev.zeros((3,), dtype=t.dtype), dev.ones((3,), dtype=t.dtype)
        return F.batch_norm(t, mean, var, tw, tb, training=True)

    def theirs(t: Any, tw: Any, tb: Any) -> Any:
        mean, var = torch.zeros(3, dtype=t.dtype), torch.ones(3, dtype=t.dtype)
        return tF.batch_norm(t, mean, var, tw, tb, training=True)

    check(theirs, ours, x, w, b)
    check(
        lambda t: tF.batch_norm(t, None, None, training=True),
        lambda t: F.batch_norm(t, None, None, training=True),
        x,
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_batch_norm_running_stats_and_eval_match_torch(dtype: Any) -> None:
    dev = sh.Cpu()
    mean, var = dev.tensor(np.zeros(3, dtype)), dev.tensor(np.ones(3, dtype))
    torch_mean, torch_var = torch.tensor(np.zeros(3, dtype)), torch.tensor(np.ones(3, dtype))
    for seed in range(4):
        x = arrays((5, 3, 2, 2), dtype, seed=seed, low=-1, high=3)
        F.batch_norm(dev.tensor(x), mean, var, training=True, momentum=0.2)
        tF.batch_norm(torch.tensor(x), torch_mean, torch_var, training=True, momentum=0.2)
    rtol = 1e-6 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(mean.numpy(), torch_mean.numpy(), rtol=rtol)
    np.testing.assert_allclose(var.numpy(), torch_var.numpy(), rtol=rtol)
    x, w, b = arrays((4, 3, 2), dtype), arrays((3,), dtype, seed=1), arrays((3,), dtype, seed=2)
    check(
        lambda t, tw, tb: tF.batch_norm(t, torch_mean, torch_var, tw, tb, training=False),
        lambda t, tw, tb: F.batch_norm(t, mean, var, tw, tb, training=False),
        x,
        w,
        b,
    )


def test_batch_norm_updates_running_stats_under_a_tape_and_rejects_bad_input() -> None:
    dev = sh.Cpu()
    mean, var = dev.zeros((2,), dtype=sh.Float64), dev.ones((2,), dtype=sh.Float64)
    x = dev.tensor(arrays((4, 2)))
    F.batch_norm(x.trace(), mean, var, training=True).sum().backward()
    np.testing.assert_allclose(mean.numpy(), 0.1 * x.numpy().mean(axis=0))
    with pytest.raises(sh.ShapeError, match="BatchNorm\\[2\\] expects 2 channels"):
        F.batch_norm(dev.tensor(arrays((4, 3))), mean, var, training=True)
    with pytest.raises(sh.ShapeError, match="more than 1 value per channel"):
        F.batch_norm(dev.tensor(arrays((1, 2))), mean, var, training=True)
    with pytest.raises(ValueError, match="eval mode"):
        F.batch_norm(x, None, None, training=False)


# ---------------------------------------------------------------- embedding


@pytest.mark.parametrize("dtype", DTYPES)
def test_embedding_matches_torch_with_repeated_indices(dtype: Any) -> None:
    indices = np.array([[0, 2, 2], [4, 0, 2]], dtype=np.int64)
    check(lambda i, w: tF.embedding(i, w), F.embedding, indices, arrays((5, 3), dtype))
    check(lambda i, w: tF.embedding(i, w), F.embedding, np.array(3), arrays((5, 3), dtype))


def test_embedding_traced_indices_give_the_weight_gradient() -> None:
    dev = sh.Cpu()
    weight = dev.tensor(arrays((4, 2)))
    grads = sh.Gradients()
    out: sh.Tensor[Any, Any, Any, Any] = F.embedding(dev.tensor([1, 1, 3]).traced(grads), weight)
    got = out.sum().backward()
    np.testing.assert_array_equal(got[weight].numpy(), [[0, 0], [2, 2], [0, 0], [1, 1]])


def test_embedding_rejects_bad_indices() -> None:
    dev = sh.Cpu()
    weight = dev.tensor(arrays((4, 2)))
    for bad in (4, -1):
        with pytest.raises(sh.ShapeError, match=f"index {bad} is out of range.*size 4"):
            F.embedding(dev.tensor([0, bad]), weight)
    with pytest.raises(sh.DtypeError, match="integers"):
        F.embedding(dev.tensor([0.0]), weight)


# ---------------------------------------------------------------- attention


@pytest.mark.parametrize("dtype", DTYPES)
def test_attention_matches_torch(dtype: Any) -> None:
    q, k, v = (
        arrays((2, 3, 4, 5), dtype),
        arrays((2, 3, 6, 5), dtype, 1),
        arrays((2, 3, 6, 7), dtype, 2),
    )
    check(tF.scaled_dot_product_attention, F.scaled_dot_product_attention, q, k, v)
    mask = np.random.default_rng(3).random((4, 6)) > 0.4
    mask[1] = False  # a query that may attend to nothing gives zeros, as torch
    mask[2, 0] = True

    check(
        lambda a, b, c, m: tF.scaled_dot_product_attention(a, b, c, attn_mask=m),
        F.scaled_dot_product_attention,
        q,
        k,
        v,
        mask,
    )


def test_attention_broadcasts_batch_dims() -> None:
    q, k, v = arrays((2, 4, 5)), arrays((6, 5), seed=1), arrays((1, 6, 3), seed=2)
    mask = np.tril(np.ones((4, 6), dtype=bool))
    check(
        lambda a, b, c: tF.scaled_dot_product_attention(a, b, c, attn_mask=torch.tensor(mask)),
        lambda a, b, c: F.scaled_dot_product_attention(a, b, c, sh.Cpu().tensor(mask)),
        q,
        k,
        v,
    )
    dev = sh.Cpu()
    with pytest.raises(sh.ShapeError, match="must share the last dim"):
        F.scaled_dot_product_attention(dev.tensor(q), dev.tensor(arrays((6, 4))), dev.tensor(v))


# ---------------------------------------------------------------- the namespace


def test_namespace_and_activations() -> None:
    expected = {
        "linear", "conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d", "softmax",
        "log_softmax", "dropout", "layer_norm", "batch_norm", "embedding",
        "scaled_dot_product_attention", "relu", "gelu", "leaky_relu", "tanh", "sigmoid",
    }  # fmt: skip
    assert expected <= set(F.__all__)
    assert all(callable(getattr(F, name)) for name in F.__all__)
    # torch's F has each of these names: shaped's spelling is torch's
    assert all(hasattr(tF, name) for name in F.__all__), set(F.__all__) - set(dir(tF))
    assert sh.nn.functional is F
    x = arrays((3, 4))
    check(tF.relu, F.relu, x)
    check(tF.gelu, F.gelu, x)
    check(lambda t: tF.gelu(t, approximate="tanh"), lambda t: F.gelu(t, "tanh"), x)
    check(lambda t: tF.leaky_relu(t, 0.2), lambda t: F.leaky_relu(t, 0.2), x)
    check(torch.tanh, F.tanh, x)
    check(torch.sigmoid, F.sigmoid, x)
    check(
        lambda t, w, b: tF.linear(t, w, b),
        F.linear,
        x,
        arrays((2, 4), seed=1),
        arrays((2,), seed=2),
    )


@pytest.mark.parametrize(
    ("x_shape", "w_shape"),
    [((0,), (3, 0)), ((2, 0), (3, 0)), ((0, 4), (3, 4)), ((2, 3, 0), (5, 0)), ((4,), (0, 4))],
)
def test_linear_with_zero_size_dims(x_shape: tuple[int, ...], w_shape: tuple[int, ...]) -> None:
    """Empty inputs or features (found by the static/run-time agreement test): torch's
    values and gradients, no numpy error from an ambiguous reshape(-1, 0)."""
    check(tF.linear, F.linear, arrays(x_shape), arrays(w_shape, seed=1))
