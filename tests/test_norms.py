"""Issue 12's normalization, dropout, embedding, Unflatten, Bilinear and activation layers
against torch 2.13: values and gradients (inputs and parameters), float32 and float64,
state_dicts loaded from torch, running statistics, a few SGD steps, and dropout statistics."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as tF
from hypothesis import given, settings
from hypothesis import strategies as st

import shaped as sh
from shaped import nn
from shaped.nn import functional as F
from tests.oracle import arrays, check, float_dtypes, tolerance

dev = sh.Cpu()
DTYPES = {np.float64: sh.Float64, np.float32: sh.Float32}
TORCH = {np.float64: torch.float64, np.float32: torch.float32}
BOTH = pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])


def data(*shape: int, dtype: Any = np.float64, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def from_torch(ours: nn.Module, theirs: torch.nn.Module) -> None:
    """Load torch's state_dict into ours (so the same random initial values are compared)."""
    with torch.no_grad():  # make the parameters differ from their initial ones and ones/zeros
        for param in theirs.parameters():
            param.add_(torch.randn_like(param) * 0.3)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})


def compare(
    ours: nn.Module,
    theirs: torch.nn.Module,
    *inputs: np.ndarray,
    steps: int = 3,
    lr: float = 0.1,
) -> None:
    """Forward values, input and parameter gradients, then `steps` SGD steps, against torch
    (state loaded from torch's); buffers (running statistics) are compared after each step."""
    from_torch(ours, theirs)
    sgd = sh.optim.Sgd(ours, lr=lr)
    torch_sgd = torch.optim.SGD(theirs.parameters(), lr=lr) if list(theirs.parameters()) else None
    for step in range(steps):
        grads = ours.alloc_grads()
        mine = [dev.tensor(a).traced(grads) for a in inputs]  # int indices carry the tape too
        ref_in = [torch.tensor(a, requires_grad=a.dtype.kind == "f") for a in inputs]
        out = ours(*mine)
        ref = theirs(*ref_in)
        expected = ref.detach().numpy()
        rtol, atol = tolerance(expected.dtype)
        assert out.shape == expected.shape and out.numpy().dtype == expected.dtype
        np.testing.assert_allclose(out.numpy(), expected, rtol=rtol, atol=atol, err_msg="forward")
        upstream = np.random.default_rng(step).standard_normal(expected.shape)
        upstream = upstream.astype(expected.dtype)
        (ref * torch.from_numpy(upstream)).sum().backward()
        got = (out * dev.tensor(upstream)).sum().backward()
        theirs_named = dict(theirs.named_parameters())
        assert [n for n, _ in ours.named_parameters()] == [
            n for n, p in theirs_named.items() if p.requires_grad
        ]
        for name, param in ours.named_parameters():
            reference = theirs_named[name].grad
            want = np.zeros(param.shape) if reference is None else reference.numpy()
            np.testing.assert_allclose(got[param].numpy(), want, rtol=rtol, atol=atol, err_msg=name)
        for i, (tensor, reference) in enumerate(zip(mine, ref_in)):
            if reference.requires_grad:
                assert reference.grad is not None
                np.testing.assert_allclose(
                    got[tensor].numpy(),
                    reference.grad.numpy(),
                    rtol=rtol,
                    atol=atol,
                    err_msg=f"x{i}",
                )
        for name, buffer in theirs.named_buffers():
            np.testing.assert_allclose(
                dict(ours.named_buffers())[name].numpy(), buffer.numpy(), rtol=rtol, atol=atol
            )
        sgd.update(ours, got)
        if torch_sgd is not None:
            torch_sgd.step()
            torch_sgd.zero_grad()
    for name, param in theirs.state_dict().items():
        np.testing.assert_allclose(
            ours.state_dict()[name].numpy(), param.numpy(), rtol=rtol, atol=atol, err_msg=name
        )


# ---------------------------------------------------------------- layers against torch.nn

Case = Callable[[Any, Any], tuple[nn.Module, torch.nn.Module, list[tuple[int, ...]]]]
LAYERS: dict[str, Case] = {
    "group-norm": lambda d, t: (nn.GroupNorm(3, 6, dtype=d), torch.nn.GroupNorm(3, 6, dtype=t), [(4, 6, 5)]),
    "group-norm-2d": lambda d, t: (
        nn.GroupNorm(2, 4, eps=1e-3, dtype=d),
        torch.nn.GroupNorm(2, 4, eps=1e-3, dtype=t),
        [(2, 4, 3, 3)],
    ),
    "group-norm-no-affine": lambda d, t: (
        nn.GroupNorm(1, 4, affine=False, dtype=d),
        torch.nn.GroupNorm(1, 4, affine=False, dtype=t),
        [(3, 4)],
    ),
    "group-norm-no-bias": lambda d, t: (
        nn.GroupNorm(2, 4, bias=False, dtype=d),
        torch.nn.GroupNorm(2, 4, bias=False, dtype=t),
        [(3, 4, 2)],
    ),
    "instance-norm1d": lambda d, t: (nn.InstanceNorm1d(3, dtype=d), torch.nn.InstanceNorm1d(3, dtype=t), [(2, 3, 7)]),
    "instance-norm1d-unbatched": lambda d, t: (
        nn.InstanceNorm1d(3, affine=True, dtype=d),
        torch.nn.InstanceNorm1d(3, affine=True, dtype=t),
        [(3, 7)],
    ),
    "instance-norm2d-affine-stats": lambda d, t: (
        nn.InstanceNorm2d(3, affine=True, track_running_stats=True, dtype=d),
        torch.nn.InstanceNorm2d(3, affine=True, track_running_stats=True, dtype=t),
        [(2, 3, 4, 5)],
    ),
    "instance-norm2d-stats-eval": lambda d, t: (
        nn.InstanceNorm2d(3, track_running_stats=True, dtype=d).eval(),
        torch.nn.InstanceNorm2d(3, track_running_stats=True, dtype=t).eval(),
        [(2, 3, 4, 5)],
    ),
    "instance-norm3d": lambda d, t: (
        nn.InstanceNorm3d(2, affine=True, momentum=None, track_running_stats=True, dtype=d),
        torch.nn.InstanceNorm3d(2, affine=True, momentum=None, track_running_stats=True, dtype=t),
        [(2, 2, 3, 2, 2)],
    ),
    "rms-norm": lambda d, t: (nn.RMSNorm(5, dtype=d), torch.nn.RMSNorm(5, dtype=t), [(2, 3, 5)]),
    "rms-norm-tuple": lambda d, t: (
        nn.RMSNorm((3, 5), eps=1e-3, dtype=d),
        torch.nn.RMSNorm((3, 5), eps=1e-3, dtype=t),
        [(2, 3, 5)],
    ),
    "rms-norm-no-affine": lambda d, t: (
        nn.RMSNorm(5, elementwise_affine=False, dtype=d),
        torch.nn.RMSNorm(5, elementwise_affine=False, dtype=t),
        [(4, 5)],
    ),
    "layer-norm-tuple": lambda d, t: (
        nn.LayerNorm((3, 5), dtype=d),
        torch.nn.LayerNorm((3, 5), dtype=t),
        [(2, 3, 5)],
    ),
    "layer-norm-no-bias": lambda d, t: (
        nn.LayerNorm(5, bias=False, dtype=d),
        torch.nn.LayerNorm(5, bias=False, dtype=t),
        [(2, 5)],
    ),
    "layer-norm-no-affine": lambda d, t: (
        nn.LayerNorm((3, 5), elementwise_affine=False, dtype=d),
        torch.nn.LayerNorm((3, 5), elementwise_affine=False, dtype=t),
        [(2, 3, 5)],
    ),
    "batch-norm1d-3d-no-affine": lambda d, t: (
        nn.BatchNorm1d(3, affine=False, dtype=d),
        torch.nn.BatchNorm1d(3, affine=False, dtype=t),
        [(4, 3, 5)],
    ),
    "batch-norm1d-cumulative": lambda d, t: (
        nn.BatchNorm1d(3, momentum=None, dtype=d),
        torch.nn.BatchNorm1d(3, momentum=None, dtype=t),
        [(6, 3)],
    ),
    "batch-norm2d-no-stats": lambda d, t: (
        nn.BatchNorm2d(3, track_running_stats=False, dtype=d),
        torch.nn.BatchNorm2d(3, track_running_stats=False, dtype=t),
        [(2, 3, 2, 2)],
    ),
    "batch-norm2d-no-stats-eval": lambda d, t: (
        nn.BatchNorm2d(3, track_running_stats=False, bias=False, dtype=d).eval(),
        torch.nn.BatchNorm2d(3, track_running_stats=False, bias=False, dtype=t).eval(),
        [(2, 3, 2, 2)],
    ),
    "batch-norm3d": lambda d, t: (nn.BatchNorm3d(2, dtype=d), torch.nn.BatchNorm3d(2, dtype=t), [(2, 2, 3, 2, 2)]),
    "batch-norm3d-eval": lambda d, t: (
        nn.BatchNorm3d(2, dtype=d).eval(),
        torch.nn.BatchNorm3d(2, dtype=t).eval(),
        [(2, 2, 3, 2, 2)],
    ),
    "bilinear": lambda d, t: (
        nn.Bilinear(4, 3, 5, dtype=d),
        torch.nn.Bilinear(4, 3, 5, dtype=t),
        [(2, 6, 4), (2, 6, 3)],
    ),
    "bilinear-no-bias": lambda d, t: (
        nn.Bilinear(2, 3, 4, bias=False, dtype=d),
        torch.nn.Bilinear(2, 3, 4, bias=False, dtype=t),
        [(5, 2), (5, 3)],
    ),
    "unflatten": lambda d, t: (nn.Unflatten(1, (2, -1)), torch.nn.Unflatten(1, (2, -1)), [(3, 6, 2)]),
    "unflatten-last": lambda d, t: (nn.Unflatten(-1, (3, 2)), torch.nn.Unflatten(-1, (3, 2)), [(4, 6)]),
    "hardshrink": lambda d, t: (nn.Hardshrink(), torch.nn.Hardshrink(), [(4, 5)]),
    "softshrink": lambda d, t: (nn.Softshrink(0.3), torch.nn.Softshrink(0.3), [(4, 5)]),
    "tanhshrink": lambda d, t: (nn.Tanhshrink(), torch.nn.Tanhshrink(), [(4, 5)]),
    "threshold": lambda d, t: (nn.Threshold(0.1, 20.0), torch.nn.Threshold(0.1, 20.0), [(4, 5)]),
    "softmax2d": lambda d, t: (nn.Softmax2d(), torch.nn.Softmax2d(), [(2, 3, 4, 2)]),
    "softmax2d-unbatched": lambda d, t: (nn.Softmax2d(), torch.nn.Softmax2d(), [(3, 4, 2)]),
    "rrelu-eval": lambda d, t: (nn.RReLU().eval(), torch.nn.RReLU().eval(), [(4, 5)]),
    "dropout1d-eval": lambda d, t: (nn.Dropout1d(0.3).eval(), torch.nn.Dropout1d(0.3).eval(), [(2, 3, 4)]),
    "dropout2d-eval": lambda d, t: (nn.Dropout2d(0.3).eval(), torch.nn.Dropout2d(0.3).eval(), [(2, 3, 4, 4)]),
    "dropout3d-eval": lambda d, t: (nn.Dropout3d(0.3).eval(), torch.nn.Dropout3d(0.3).eval(), [(2, 3, 2, 2, 2)]),
    "alpha-dropout-eval": lambda d, t: (nn.AlphaDropout(0.3).eval(), torch.nn.AlphaDropout(0.3).eval(), [(4, 5)]),
}  # fmt: skip


@BOTH
@pytest.mark.parametrize("name", list(LAYERS))
def test_layer_matches_torch(name: str, dtype: Any) -> None:
    ours, theirs, shapes = LAYERS[name](DTYPES[dtype], TORCH[dtype])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's InstanceNorm warnings on tracked stats
        compare(ours, theirs, *(data(*s, dtype=dtype, seed=i + 1) for i, s in enumerate(shapes)))


@BOTH
def test_embedding_padding_idx_matches_torch(dtype: Any) -> None:
    ours = nn.Embedding(10, 4, padding_idx=-2, dtype=DTYPES[dtype])
    theirs = torch.nn.Embedding(10, 4, padding_idx=-2, dtype=TORCH[dtype])
    assert ours.padding_idx == theirs.padding_idx == 8
    assert not ours.weight.numpy()[8].any()  # zeroed at initialisation, as torch
    indices = np.array([[1, 8, 3], [8, 0, 1]])
    compare(ours, theirs, indices)
    assert repr(ours) == repr(theirs)


@BOTH
def test_embedding_max_norm_renormalises_the_rows_used_as_torch(dtype: Any) -> None:
    ours = nn.Embedding(6, 3, max_norm=1.0, dtype=DTYPES[dtype])
    theirs = torch.nn.Embedding(6, 3, max_norm=1.0, dtype=TORCH[dtype])
    compare(ours, theirs, np.array([[0, 2, 2], [5, 0, 1]]))
    untouched = [3, 4]  # rows never looked up keep their norm
    with torch.no_grad():
        np.testing.assert_allclose(
            ours.weight.numpy()[untouched], theirs.weight.numpy()[untouched], rtol=1e-6
        )
    assert repr(ours) == repr(theirs)


def test_embedding_from_pretrained_freezes_as_torch() -> None:
    table = data(4, 3)
    frozen = nn.Embedding.from_pretrained(dev.tensor(table))
    assert list(frozen.named_parameters()) == [] and list(frozen.state_dict()) == ["weight"]
    theirs = torch.nn.Embedding.from_pretrained(torch.from_numpy(table))
    idx = np.array([3, 0, 3])
    np.testing.assert_array_equal(
        frozen(dev.tensor(idx)).numpy(), theirs(torch.from_numpy(idx)).numpy()
    )
    grads = frozen.alloc_grads()
    x = dev.tensor(data(3, 3)).traced(grads)
    loss = (frozen(dev.tensor(idx)) * x).sum()
    assert frozen.weight not in loss.backward()  # frozen: no gradient
    trained = nn.Embedding.from_pretrained(dev.tensor(table), freeze=False, padding_idx=0)
    assert [n for n, _ in trained.named_parameters()] == ["weight"]
    theirs = torch.nn.Embedding.from_pretrained(
        torch.from_numpy(table), freeze=False, padding_idx=0
    )
    compare(trained, theirs, np.array([[0, 1], [2, 0]]))
    with pytest.raises(sh.ShapeError, match="2-D"):
        nn.Embedding.from_pretrained(dev.zeros((3,)))


# ---------------------------------------------------------------- functional forms


@settings(max_examples=15, deadline=None)
@given(dtype=float_dtypes, data=st.data())
def test_group_and_rms_norm_functional_match_torch(dtype: Any, data: st.DataObject) -> None:
    groups = data.draw(st.sampled_from([1, 2, 3]))
    n = data.draw(st.integers(0, 3))
    spatial = data.draw(st.lists(st.integers(1, 4), max_size=2))
    x = arrays((n, groups * 2, *spatial), dtype, seed=n)
    w, b = arrays((groups * 2,), dtype, seed=5), arrays((groups * 2,), dtype, seed=6)
    check(
        lambda t, u, v: tF.group_norm(t, groups, u, v),
        lambda t, u, v: F.group_norm(t, groups, u, v),
        x,
        w,
        b,
    )
    check(lambda t: tF.group_norm(t, groups), lambda t: F.group_norm(t, groups), x)
    trailing = x.shape[-1:] if x.shape[-1] else (2,)
    y = arrays((n, 3, *trailing), dtype, seed=7)
    check(
        lambda t, u: tF.rms_norm(t, list(trailing), u),
        lambda t, u: F.rms_norm(t, trailing, u),
        y,
        arrays(trailing, dtype, seed=8),
    )
    check(
        lambda t: tF.rms_norm(t, [3, *trailing], eps=1e-2),
        lambda t: F.rms_norm(t, (3, *trailing), eps=1e-2),
        y,
    )


@settings(max_examples=15, deadline=None)
@given(dtype=float_dtypes, data=st.data())
def test_instance_norm_and_bilinear_on_drawn_shapes_match_torch(
    dtype: Any, data: st.DataObject
) -> None:
    n, c = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3))  # torch: n = 0 fails
    spatial = data.draw(st.lists(st.integers(2, 4), min_size=1, max_size=3))
    x = arrays((n, c, *spatial), dtype, seed=c)
    w, b = arrays((c,), dtype, seed=1), arrays((c,), dtype, seed=2)
    check(
        lambda t, u, v: tF.instance_norm(t, weight=u, bias=v),
        lambda t, u, v: F.instance_norm(t, weight=u, bias=v),
        x,
        w,
        b,
    )
    batch = data.draw(st.lists(st.integers(0, 3), max_size=2))
    # torch's bilinear fails on zero features (reshape(-1, 0)); zero batch dims work
    i1, i2, out = (data.draw(st.integers(1, 3)) for _ in range(3))
    check(
        tF.bilinear,
        F.bilinear,
        arrays((*batch, i1), dtype, seed=3),
        arrays((*batch, i2), dtype, seed=4),
        arrays((out, i1, i2), dtype, seed=5),
        arrays((out,), dtype, seed=6),
    )


@BOTH
def test_instance_norm_functional_matches_torch(dtype: Any) -> None:
    x = arrays((3, 2, 4, 3), dtype)
    w, b = arrays((2,), dtype, seed=1), arrays((2,), dtype, seed=2)
    check(tF.instance_norm, F.instance_norm, x)
    check(
        lambda t, u, v: tF.instance_norm(t, weight=u, bias=v, eps=1e-3),
        lambda t, u, v: F.instance_norm(t, weight=u, bias=v, eps=1e-3),
        x,
        w,
        b,
    )
    mean, var = arrays((2,), dtype, seed=3), arrays((2,), dtype, seed=4, low=0.5, high=2.0)
    check(
        lambda t, u: tF.instance_norm(t, torch.tensor(mean), torch.tensor(var), u, use_input_stats=False),
        lambda t, u: F.instance_norm(t, dev.tensor(mean), dev.tensor(var), u, use_input_stats=False),
        x,
        w,
    )  # fmt: skip
    ours_mean, theirs_mean = dev.tensor(mean.copy()), torch.tensor(mean.copy())
    ours_var, theirs_var = dev.tensor(var.copy()), torch.tensor(var.copy())
    F.instance_norm(dev.tensor(x), ours_mean, ours_var, momentum=0.3)
    tF.instance_norm(torch.tensor(x), theirs_mean, theirs_var, momentum=0.3)
    rtol, atol = tolerance(dtype)
    np.testing.assert_allclose(ours_mean.numpy(), theirs_mean.numpy(), rtol=rtol, atol=atol)
    np.testing.assert_allclose(ours_var.numpy(), theirs_var.numpy(), rtol=rtol, atol=atol)


@BOTH
def test_bilinear_and_activations_functional_match_torch(dtype: Any) -> None:
    x1, x2 = arrays((2, 3, 4), dtype), arrays((2, 3, 2), dtype, seed=1)
    w, b = arrays((5, 4, 2), dtype, seed=2), arrays((5,), dtype, seed=3)
    check(tF.bilinear, F.bilinear, x1, x2, w, b)
    check(tF.bilinear, F.bilinear, arrays((0, 4), dtype), arrays((0, 2), dtype), w)
    x = arrays((3, 4, 5), dtype, low=-3, high=3)
    x[0, 0, :3] = [0.5, -0.5, 0.0]  # at the kinks
    check(tF.hardshrink, F.hardshrink, x)
    check(lambda t: tF.hardshrink(t, 1.2), lambda t: F.hardshrink(t, 1.2), x)
    check(lambda t: tF.softshrink(t, 0.7), lambda t: F.softshrink(t, 0.7), x)
    check(tF.tanhshrink, F.tanhshrink, x)
    check(lambda t: tF.threshold(t, 0.5, -2.0), lambda t: F.threshold(t, 0.5, -2.0), x)
    check(tF.rrelu, F.rrelu, x)
    check(lambda t: tF.rrelu(t, 0.1, 0.2), lambda t: F.rrelu(t, 0.1, 0.2), x)
    check(tF.hardshrink, F.hardshrink, arrays((), dtype))  # rank 0
    check(tF.softshrink, F.softshrink, arrays((0, 3), dtype))  # empty


@BOTH
def test_embedding_op_padding_idx_matches_torch(dtype: Any) -> None:
    # F.embedding is still ops.nn's (its plugin hook is keyed by that name): the layer's op
    from shaped.ops.norms import embedding

    idx = np.array([[0, 2], [2, 3]])
    table = arrays((4, 3), dtype)
    check(
        lambda w: tF.embedding(torch.from_numpy(idx), w, padding_idx=2),
        lambda w: embedding(dev.tensor(idx), w, padding_idx=2),
        table,
    )
    check(
        lambda w: tF.embedding(torch.from_numpy(idx), w, max_norm=1.5),
        lambda w: embedding(dev.tensor(idx), w, max_norm=1.5),
        table,
    )


# ---------------------------------------------------------------- running statistics


@pytest.mark.parametrize("momentum", [None, 0.3], ids=["cumulative", "0.3"])
def test_batch_norm_momentum_and_modes_follow_torch(momentum: float | None) -> None:
    ours = nn.BatchNorm1d(3, momentum=momentum, dtype=sh.Float64)
    theirs = torch.nn.BatchNorm1d(3, momentum=momentum, dtype=torch.float64)
    for step in range(5):
        batch = data(4, 3, 2, seed=step) * (step + 1) + step
        ours(dev.tensor(batch).trace())
        theirs(torch.from_numpy(batch))
    assert ours.running_mean is not None and ours.running_var is not None
    np.testing.assert_allclose(ours.running_mean.numpy(), theirs.running_mean.numpy(), rtol=1e-12)  # type: ignore[union-attr]
    np.testing.assert_allclose(ours.running_var.numpy(), theirs.running_var.numpy(), rtol=1e-12)  # type: ignore[union-attr]
    assert repr(ours) == repr(theirs)
    stateless = nn.BatchNorm2d(3, track_running_stats=False, affine=False)
    assert (
        list(stateless.state_dict())
        == list(torch.nn.BatchNorm2d(3, track_running_stats=False, affine=False).state_dict())
        == []
    )
    assert stateless.running_mean is None and stateless.weight is None
    assert repr(stateless) == repr(torch.nn.BatchNorm2d(3, track_running_stats=False, affine=False))


def test_instance_norm_running_statistics_follow_torch() -> None:
    ours = nn.InstanceNorm1d(2, track_running_stats=True, dtype=sh.Float64)
    theirs = torch.nn.InstanceNorm1d(2, track_running_stats=True, dtype=torch.float64)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for step in range(3):
        batch = data(3, 2, 6, seed=step) * (step + 2)
        ours(dev.tensor(batch))
        theirs(torch.from_numpy(batch))
    for name, buffer in theirs.named_buffers():
        np.testing.assert_allclose(
            dict(ours.named_buffers())[name].numpy(), buffer.numpy(), rtol=1e-12
        )
    ours.eval(), theirs.eval()
    test = data(2, 2, 6, seed=9)
    np.testing.assert_allclose(
        ours(dev.tensor(test)).numpy(), theirs(torch.from_numpy(test)).numpy(), rtol=1e-10
    )


# ---------------------------------------------------------------- dropout statistics


@pytest.mark.parametrize(
    ("layer", "shape", "spatial"),
    [
        (nn.Dropout1d, (40, 30, 7), (2,)),
        (nn.Dropout1d, (300, 7), (1,)),
        (nn.Dropout2d, (40, 30, 3, 4), (2, 3)),
        (nn.Dropout2d, (40, 30, 5), (2,)),  # torch reads a 3-D input as (N, C, L)
        (nn.Dropout3d, (40, 30, 2, 3, 2), (2, 3, 4)),
        (nn.Dropout3d, (300, 2, 3, 2), (1, 2, 3)),
    ],
)
def test_channel_dropout_masks_whole_channels(
    layer: type[nn.Module], shape: tuple[int, ...], spatial: tuple[int, ...]
) -> None:
    drop = layer(0.25, device=sh.Cpu(seed=3))  # type: ignore[call-arg]
    x = dev.tensor(np.abs(data(*shape)) + 0.5).trace()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = drop(x)
    values = out.numpy()
    kept = values != 0
    assert (kept == kept.any(axis=spatial, keepdims=True)).all()  # constant over the spatial axes
    draws = kept.size // int(np.prod([shape[axis] for axis in spatial]))
    assert abs(1 - kept.mean() - 0.25) < 4 * np.sqrt(0.25 * 0.75 / draws)
    np.testing.assert_allclose(values[kept], x.numpy()[kept] / 0.75, rtol=1e-12)
    # the gradient is torch's for the same mask
    mask = torch.from_numpy(kept.astype(np.float64))
    reference = torch.from_numpy(x.numpy()).requires_grad_()
    upstream = data(*shape, seed=4)
    (reference * mask / 0.75 * torch.from_numpy(upstream)).sum().backward()
    grads = (out * dev.tensor(upstream)).sum().backward()
    assert reference.grad is not None
    np.testing.assert_allclose(grads[x].numpy(), reference.grad.numpy(), rtol=1e-12)
    assert drop.eval()(x) is x  # eval: the identity
    same = layer(0.25, device=sh.Cpu(seed=3)).train()  # type: ignore[call-arg]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.testing.assert_array_equal(same(x.detach()).numpy(), values)  # the module's RNG


def test_channel_dropout_edges_and_errors() -> None:
    x = dev.ones((2, 3, 4))
    assert F.dropout1d(x, 0.0) is x and not F.dropout1d(x, 1.0).numpy().any()
    assert F.dropout1d(x, 0.5, training=False) is x
    with pytest.raises(sh.ShapeError, match="3-D"):
        F.dropout1d(dev.ones((2, 3, 4, 5)))
    with pytest.raises(sh.ShapeError, match="4-D or 5-D"):
        nn.Dropout3d()(dev.ones((2, 3, 4)))
    with pytest.raises(ValueError, match="p must be in"):
        nn.Dropout2d(1.5)
    with pytest.raises(sh.ShapeError, match="at least 2 dims"):
        nn.Dropout2d()(dev.ones((5,)))
    with pytest.raises(sh.DtypeError, match="float"):
        F.dropout2d(dev.tensor([[[1, 2]]]))
    assert repr(nn.Dropout1d(0.2)) == "Dropout1d(p=0.2)"


@pytest.mark.parametrize("feature", [False, True], ids=["alpha", "feature-alpha"])
def test_alpha_dropout_keeps_selu_moments(feature: bool) -> None:
    layer = (nn.FeatureAlphaDropout if feature else nn.AlphaDropout)(0.2, device=sh.Cpu(seed=5))
    x = dev.tensor(data(400, 50, 6)).trace()
    out = layer(x)
    values = out.numpy()
    assert abs(values.mean()) < 0.02 and abs(values.std() - 1) < 0.02  # mean 0, variance 1 kept
    alpha = 1.7580993408473766
    a = 1 / np.sqrt((alpha**2 * 0.2 + 1) * 0.8)
    dropped = np.isclose(values, -alpha * a + alpha * a * 0.2)  # dropped values: a constant
    assert abs(dropped.mean() - 0.2) < 0.01
    if feature:
        assert (dropped == dropped.all(axis=2, keepdims=True)).all()
    kept_ref = x.numpy() * a + alpha * a * 0.2
    np.testing.assert_allclose(values[~dropped], kept_ref[~dropped], rtol=1e-10)
    grads = out.sum().backward()  # torch's gradient for this mask: a where kept, 0 where dropped
    np.testing.assert_allclose(grads[x].numpy(), np.where(dropped, 0.0, a), rtol=1e-12)
    assert layer.eval()(x) is x and F.alpha_dropout(x, 0.5) is x  # torch's default: training=False
    assert not F.alpha_dropout(x.detach(), 1.0, training=True).numpy().any()


def test_rrelu_training_draws_slopes_in_its_range() -> None:
    layer = nn.RReLU(0.1, 0.3, device=sh.Cpu(seed=2))
    x = dev.tensor(-np.abs(data(100, 50)) - 0.1).trace()
    out = layer(x)
    slopes = out.numpy() / x.numpy()
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3 and slopes.std() > 0.05
    grads = out.sum().backward()
    np.testing.assert_allclose(grads[x].numpy(), slopes, rtol=1e-10)  # torch's: the noise
    positive = dev.tensor(np.abs(data(3, 4)))
    np.testing.assert_array_equal(layer(positive).numpy(), positive.numpy())
    assert repr(layer) == "RReLU(lower=0.1, upper=0.3)"


# ---------------------------------------------------------------- construction, errors, reprs


def test_initialisation_and_names_match_torch() -> None:
    torch.manual_seed(0)
    wide = nn.Bilinear(400, 30, 20, device=sh.Cpu(seed=0))
    bound = 1 / np.sqrt(400)
    for name, theirs in torch.nn.Bilinear(400, 30, 20).named_parameters():
        mine = dict(wide.named_parameters())[name].numpy()
        assert mine.shape == tuple(theirs.shape)
        assert mine.min() >= -bound and mine.max() <= bound
    # U(-b, b) has std b/sqrt(3): the 240,000 weights show it (the 20 biases are too few)
    np.testing.assert_allclose(wide.weight.numpy().std(), bound / np.sqrt(3), rtol=0.02)
    pairs = [
        (nn.GroupNorm(2, 4), torch.nn.GroupNorm(2, 4)),
        (nn.InstanceNorm2d(3, affine=True), torch.nn.InstanceNorm2d(3, affine=True)),
        (nn.RMSNorm((2, 3)), torch.nn.RMSNorm((2, 3))),
        (nn.LayerNorm((2, 3), bias=False), torch.nn.LayerNorm((2, 3), bias=False)),
        (nn.BatchNorm3d(4), torch.nn.BatchNorm3d(4)),
    ]
    for ours, theirs in pairs:
        assert list(ours.state_dict()) == list(theirs.state_dict())
        for name, value in theirs.state_dict().items():
            np.testing.assert_array_equal(ours.state_dict()[name].numpy(), value.numpy())
        assert repr(ours) == repr(theirs)
    for ours, theirs in [
        (nn.Bilinear(2, 3, 4), torch.nn.Bilinear(2, 3, 4)),
        (nn.Unflatten(1, (2, 3)), torch.nn.Unflatten(1, (2, 3))),
        (nn.Hardshrink(), torch.nn.Hardshrink()),
        (nn.Softshrink(0.3), torch.nn.Softshrink(0.3)),
        (nn.Tanhshrink(), torch.nn.Tanhshrink()),
        (nn.Threshold(0.1, 20), torch.nn.Threshold(0.1, 20)),
        (nn.Softmax2d(), torch.nn.Softmax2d()),
        (nn.RReLU(), torch.nn.RReLU()),
        (nn.RMSNorm(4, eps=1e-3, elementwise_affine=False), torch.nn.RMSNorm(4, eps=1e-3, elementwise_affine=False)),
    ]:  # fmt: skip
        assert repr(ours) == repr(theirs)


def test_bad_input_says_what_is_wrong() -> None:
    with pytest.raises(
        sh.ShapeError, match=r"num_channels \(6\) must be divisible by num_groups \(4\)"
    ):
        nn.GroupNorm(4, 6)
    with pytest.raises(sh.ShapeError, match="num_groups must be at least 1"):
        nn.GroupNorm(0, 6)
    with pytest.raises(sh.ShapeError, match="expects 6 channels on axis 1"):
        nn.GroupNorm(3, 6)(dev.zeros((2, 4, 3)))
    with pytest.raises(sh.ShapeError, match="not divisible by num_groups=3"):
        F.group_norm(dev.zeros((2, 4, 3)), 3)
    with pytest.raises(sh.ShapeError, match="expects 3 channels on axis 0"):
        nn.InstanceNorm1d(3, affine=True)(dev.zeros((4, 5)))
    with pytest.warns(UserWarning, match="does not match num_features"):
        nn.InstanceNorm1d(3)(dev.randn((2, 4, 5)))
    with pytest.raises(sh.ShapeError, match="expected 3-D or 4-D input"):
        nn.InstanceNorm2d(3)(dev.zeros((3, 4)))
    with pytest.raises(sh.ShapeError, match="more than 1 spatial element"):
        nn.InstanceNorm1d(3)(dev.zeros((2, 3, 1)))
    with pytest.raises(sh.ShapeError, match="expected 5-D input"):
        nn.BatchNorm3d(3)(dev.zeros((2, 3, 4, 4)))
    with pytest.raises(sh.ShapeError, match="normalized shape"):
        nn.RMSNorm(4)(dev.zeros((2, 5)))
    with pytest.raises(sh.ShapeError, match="expects in2 features 3, got 4"):
        nn.Bilinear(2, 3, 4)(dev.zeros((5, 2)), dev.zeros((5, 4)))
    with pytest.raises(sh.ShapeError, match="do not broadcast"):
        nn.Bilinear(2, 3, 4)(dev.zeros((5, 2)), dev.zeros((1, 3)))
    with pytest.raises(sh.DtypeError, match="dtypes differ"):
        nn.Bilinear(2, 3, 4)(
            dev.zeros((5, 2), dtype=sh.Float64), dev.zeros((5, 3), dtype=sh.Float64)
        )
    with pytest.raises(sh.ShapeError, match=r"has 6 values, but axis 1"):
        nn.Unflatten(1, (2, 3))(dev.zeros((2, 5)))
    with pytest.raises(sh.ShapeError, match="cannot split axis"):
        nn.Unflatten(1, (4, -1))(dev.zeros((2, 6)))
    with pytest.raises(sh.ShapeError, match="one -1"):
        nn.Unflatten(1, (-1, -1))
    with pytest.raises(sh.ShapeError, match="3-D or 4-D"):
        nn.Softmax2d()(dev.zeros((2, 3)))
    with pytest.raises(ValueError, match="padding_idx must be within"):
        nn.Embedding(4, 2, padding_idx=4)
    with pytest.raises(ValueError, match="lambd must be >= 0"):
        nn.Softshrink(-1.0)
    with pytest.raises(ValueError, match=r"lower 0\.5 is greater than upper"):
        nn.RReLU(0.5, 0.1)
    with pytest.raises(sh.DtypeError, match="float"):
        F.hardshrink(dev.tensor([1, 2]))


def test_build_module_builds_the_layers_from_their_types() -> None:
    from typing import Literal as L

    model = dev.build_module(
        tuple[nn.GroupNorm[L[2], L[6]], nn.InstanceNorm1d[L[6]], nn.RMSNorm[L[5]], nn.Dropout1d]
    )
    assert [type(m).__name__ for m in model] == [
        "GroupNorm",
        "InstanceNorm1d",
        "RMSNorm",
        "Dropout1d",
    ]
    assert model[0].num_groups == 2 and model[0].num_channels == 6
    assert model(dev.randn((2, 6, 5))).shape == (2, 6, 5)
    bilinear = dev.build_module(nn.Bilinear[L[3], L[4], L[5]], dtype=sh.Float64)
    assert bilinear.weight.shape == (5, 3, 4) and bilinear.weight.dtype is sh.Float64


@BOTH
def test_zero_size_dims_match_torch(dtype: Any) -> None:
    check(lambda t: tF.rms_norm(t, [0]), lambda t: F.rms_norm(t, 0), arrays((2, 0), dtype))
    check(lambda t: tF.rms_norm(t, [3]), lambda t: F.rms_norm(t, 3), arrays((0, 3), dtype))
    check(lambda t: tF.group_norm(t, 2), lambda t: F.group_norm(t, 2), arrays((2, 4, 0), dtype))
    check(tF.dropout1d, F.dropout1d, arrays((0, 3, 2), dtype))
    check(tF.tanhshrink, F.tanhshrink, arrays((3, 0), dtype))
