"""sh.nn.utils against torch.nn.utils: gradient clipping (norms, clipped gradients and the
steps after them), parameters to and from a vector, pad_sequence values and gradients."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import shaped as sh
from shaped import losses, nn, optim
from shaped.nn import utils

from .oracle import tolerance

FLOATS = [(np.float32, sh.Float32, torch.float32), (np.float64, sh.Float64, torch.float64)]


def twin_mlps(dtype: Any, seed: int = 0) -> tuple[Any, Any]:
    """The same MLP in shaped and torch (torch's weights loaded into shaped's)."""
    _, our_dtype, torch_dtype = dtype
    torch.manual_seed(seed)
    theirs = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3)).to(
        torch_dtype
    )
    ours = nn.Sequential(
        nn.Linear(5, 8, dtype=our_dtype), nn.Tanh(), nn.Linear(8, 3, dtype=our_dtype)
    )
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    return ours, theirs


def backward_both(ours: Any, theirs: Any, dtype: Any, scale: float = 1.0) -> sh.Gradients:
    np_dtype = dtype[0]
    rng = np.random.default_rng(1)
    x = (rng.standard_normal((16, 5)) * scale).astype(np_dtype)
    y = rng.integers(0, 3, 16)
    grads = ours.alloc_grads()
    loss = losses.cross_entropy(ours(sh.Cpu().tensor(x).traced(grads)), sh.Cpu().tensor(y))
    grads = loss.backward()
    theirs.zero_grad()
    torch.nn.functional.cross_entropy(theirs(torch.tensor(x)), torch.tensor(y)).backward()
    return grads


def assert_same_grads(ours: Any, theirs: Any, grads: sh.Gradients, dtype: Any) -> None:
    rtol, atol = tolerance(dtype[0])
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters(), strict=True):
        got = grads[p].numpy()
        assert got.dtype == dtype[0]
        np.testing.assert_allclose(got, q.grad.numpy(), rtol=rtol, atol=atol, err_msg=name)


@pytest.mark.parametrize("dtype", FLOATS, ids=["float32", "float64"])
@pytest.mark.parametrize("norm_type", [2.0, 1.0, math.inf, 3.0, 0.5, "inf", -math.inf, 0.0])
@pytest.mark.parametrize("max_norm", [0.05, 1e3])
def test_clip_grad_norm_equals_torch(dtype: Any, norm_type: Any, max_norm: float) -> None:
    ours, theirs = twin_mlps(dtype)
    grads = backward_both(ours, theirs, dtype, scale=3.0)
    total = utils.clip_grad_norm_(ours, grads, max_norm, norm_type=norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs.parameters(), max_norm, norm_type=norm_type)
    assert isinstance(total, sh.Tensor) and total.shape == ()
    assert total.numpy().dtype == dtype[0]
    rtol, atol = tolerance(dtype[0])
    np.testing.assert_allclose(total.numpy(), expected.numpy(), rtol=rtol, atol=atol)
    assert_same_grads(ours, theirs, grads, dtype)


@pytest.mark.parametrize("dtype", FLOATS, ids=["float32", "float64"])
def test_clipped_training_steps_equal_torch(dtype: Any) -> None:
    ours, theirs = twin_mlps(dtype, seed=2)
    sgd = optim.Sgd(ours, lr=0.5, momentum=0.9)
    torch_sgd = torch.optim.SGD(theirs.parameters(), lr=0.5, momentum=0.9)
    grads = ours.alloc_grads()
    for _ in range(4):
        ours.zero_grads(grads)
        grads = backward_both(ours, theirs, dtype, scale=4.0)
        norm = utils.clip_grad_norm_(ours.parameters(), grads, max_norm=0.1)
        torch_norm = torch.nn.utils.clip_grad_norm_(theirs.parameters(), max_norm=0.1)
        np.testing.assert_allclose(norm.item(), torch_norm.item(), rtol=1e-4)
        sgd.update(ours, grads)
        torch_sgd.step()
    rtol, atol = tolerance(dtype[0])
    for (_, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters(), strict=True):
        np.testing.assert_allclose(p.numpy(), q.detach().numpy(), rtol=rtol * 10, atol=atol * 10)


def test_parameters_as_model_list_or_tensor_and_missing_grads() -> None:
    dtype = FLOATS[1]
    ours, theirs = twin_mlps(dtype)
    grads = backward_both(ours, theirs, dtype, scale=3.0)
    first = ours[0]
    # only the first layer: the others keep their gradients, as torch
    before = grads[ours[2].weight].numpy()
    total = utils.clip_grad_norm_([first.weight, first.bias], grads, 0.01)
    expected = torch.nn.utils.clip_grad_norm_(list(theirs[0].parameters()), 0.01)
    np.testing.assert_allclose(total.numpy(), expected.numpy(), rtol=1e-9)
    np.testing.assert_array_equal(grads[ours[2].weight].numpy(), before)
    np.testing.assert_allclose(grads[first.weight].numpy(), theirs[0].weight.grad.numpy())
    # one tensor
    one = utils.clip_grad_norm_(first.weight, grads, 1e-3)
    torch_one = torch.nn.utils.clip_grad_norm_(theirs[0].weight, 1e-3)
    np.testing.assert_allclose(one.numpy(), torch_one.numpy(), rtol=1e-9)
    # a parameter with no gradient is skipped; none at all gives 0.0, as torch
    stranger = sh.Cpu().zeros((3,)).requires_grad_()
    assert utils.clip_grad_norm_([stranger], grads, 1.0).item() == 0.0
    assert torch.nn.utils.clip_grad_norm_([torch.zeros(3, requires_grad=True)], 1.0).item() == 0.0


def test_tied_parameter_counts_once() -> None:
    lin = nn.Linear(3, 3, dtype=sh.Float64)
    x = sh.Cpu().randn((4, 3), dtype=sh.Float64)
    grads = lin(x.trace()).square().sum().backward()
    single = utils.get_total_norm([grads[lin.weight], grads[lin.bias]]).item()
    total = utils.clip_grad_norm_([lin.weight, lin.weight, lin.bias], grads, 1e9).item()
    np.testing.assert_allclose(total, single)


def test_shared_and_read_only_gradient_arrays_are_scaled_once() -> None:
    """`(a + b).sum()`: a VJP may hand both inputs one array, and sum's gradient may be a
    read-only broadcast: clipping replaces each entry instead of writing into it."""
    dev = sh.Cpu()
    a = dev.ones((3,), dtype=sh.Float64).requires_grad_()
    b = dev.ones((3,), dtype=sh.Float64).requires_grad_()
    c = dev.ones((2, 2), dtype=sh.Float64).requires_grad_()
    grads = ((a + b).sum() + c.sum() + dev.zeros((), dtype=sh.Float64).trace()).backward()
    total = utils.clip_grad_norm_([a, b, c], grads, 1.0)
    np.testing.assert_allclose(total.item(), math.sqrt(10))
    for t in (a, b, c):
        np.testing.assert_allclose(grads[t].numpy(), np.full(t.shape, 1 / (math.sqrt(10) + 1e-6)))


def nan_grads() -> tuple[sh.Gradients, Any]:
    w = sh.Cpu().ones((2,), dtype=sh.Float64).requires_grad_()
    grads = ((w * float("nan")).sum() + sh.Cpu().zeros((), dtype=sh.Float64).trace()).backward()
    return grads, w


def test_non_finite_norm() -> None:
    grads, w = nan_grads()
    with pytest.raises(RuntimeError, match="non-finite, so it cannot be clipped"):
        utils.clip_grad_norm_([w], grads, 1.0, error_if_nonfinite=True)
    tw = torch.ones(2, dtype=torch.float64, requires_grad=True)
    (tw * float("nan")).sum().backward()
    with pytest.raises(RuntimeError, match="non-finite"):
        torch.nn.utils.clip_grad_norm_([tw], 1.0, error_if_nonfinite=True)
    total = utils.clip_grad_norm_([w], grads, 1.0)
    expected = torch.nn.utils.clip_grad_norm_([tw], 1.0)
    assert math.isnan(total.item()) and math.isnan(expected.item())
    assert np.isnan(grads[w].numpy()).all() and torch.isnan(tw.grad).all()


def test_swapped_or_wrong_arguments() -> None:
    lin = nn.Linear(2, 2)
    grads = lin(sh.Cpu().randn((1, 2)).trace()).sum().backward()
    with pytest.raises(TypeError, match="the first two arguments are swapped"):
        utils.clip_grad_norm_(grads, lin, 1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"Gradients that loss\.backward"):
        utils.clip_grad_norm_(lin, 1.0, 1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="parameters must be tensors"):
        utils.clip_grad_value_([np.zeros(2)], grads, 1.0)  # type: ignore[list-item]
    with pytest.raises(ValueError, match="NaN"):
        utils.clip_grad_norm_(lin, grads, 1.0, norm_type=float("nan"))


@pytest.mark.parametrize("dtype", FLOATS, ids=["float32", "float64"])
@pytest.mark.parametrize("clip_value", [1e-3, 0.05, 10.0])
def test_clip_grad_value_equals_torch(dtype: Any, clip_value: float) -> None:
    ours, theirs = twin_mlps(dtype)
    grads = backward_both(ours, theirs, dtype, scale=3.0)
    assert utils.clip_grad_value_(ours, grads, clip_value) is None
    torch.nn.utils.clip_grad_value_(theirs.parameters(), clip_value)
    assert_same_grads(ours, theirs, grads, dtype)


@pytest.mark.parametrize("dtype", FLOATS, ids=["float32", "float64"])
def test_get_total_norm_and_clip_grads_with_norm(dtype: Any) -> None:
    ours, theirs = twin_mlps(dtype)
    grads = backward_both(ours, theirs, dtype, scale=3.0)
    total = utils.get_total_norm([grads[p] for p in ours.parameters()], norm_type=3.0)
    torch_total = torch.nn.utils.get_total_norm([p.grad for p in theirs.parameters()], 3.0)
    np.testing.assert_allclose(total.numpy(), torch_total.numpy(), rtol=tolerance(dtype[0])[0])
    utils.clip_grads_with_norm_(ours, grads, 0.02, total)
    torch.nn.utils.clip_grads_with_norm_(theirs.parameters(), 0.02, torch_total)
    assert_same_grads(ours, theirs, grads, dtype)


# ---------------------------------------------------------------- parameters and vectors


@pytest.mark.parametrize("dtype", FLOATS, ids=["float32", "float64"])
def test_parameters_to_vector_and_back_equal_torch(dtype: Any) -> None:
    ours, theirs = twin_mlps(dtype)
    vec = utils.parameters_to_vector(ours.parameters())
    torch_vec = torch.nn.utils.parameters_to_vector(theirs.parameters())
    assert vec.shape == tuple(torch_vec.shape) and vec.numpy().dtype == dtype[0]
    np.testing.assert_array_equal(vec.numpy(), torch_vec.detach().numpy())
    np.testing.assert_array_equal(utils.parameters_to_vector(ours).numpy(), vec.numpy())
    # a loss of the vector reaches every parameter, as torch's graph does
    weights = np.random.default_rng(0).standard_normal(vec.shape).astype(dtype[0])
    grads = (
        (vec * sh.Cpu().tensor(weights)).sum() + sh.Cpu().zeros((), dtype=dtype[1]).trace()
    ).backward()
    (torch_vec * torch.tensor(weights)).sum().backward()
    for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
        np.testing.assert_allclose(grads[p].numpy(), q.grad.numpy())
    new = np.arange(vec.shape[0], dtype=dtype[0])
    wt = ours[0].weight.T  # a view follows the in-place copy
    utils.vector_to_parameters(sh.Cpu().tensor(new), ours)
    torch.nn.utils.vector_to_parameters(torch.tensor(new), theirs.parameters())
    for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
        np.testing.assert_array_equal(p.numpy(), q.detach().numpy())
    np.testing.assert_array_equal(wt.numpy(), ours[0].weight.numpy().T)


def test_vector_to_parameters_errors() -> None:
    lin = nn.Linear(2, 3)  # 9 values
    with pytest.raises(TypeError, match="expected a tensor"):
        utils.vector_to_parameters(np.zeros(9), lin)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="must be 1-d"):
        utils.vector_to_parameters(sh.Cpu().zeros((3, 3)), lin)
    with pytest.raises(ValueError, match="hold 9 values, vec only 8"):
        utils.vector_to_parameters(sh.Cpu().zeros((8,)), lin)
    utils.vector_to_parameters(sh.Cpu().ones((10,)), lin)  # longer is fine, as torch
    assert (lin.weight.numpy() == 1).all()
    with pytest.raises(TypeError, match="got one tensor"):
        utils.parameters_to_vector(lin.weight)  # type: ignore[arg-type]


# ---------------------------------------------------------------- pad_sequence


def pad_both(
    lengths: list[int],
    rest: tuple[int, ...],
    np_dtype: Any,
    **kwargs: Any,
) -> None:
    rng = np.random.default_rng(len(lengths))
    arrays = [rng.standard_normal((n, *rest)).astype(np_dtype) for n in lengths]
    grads = sh.Gradients()
    ours = [sh.Cpu().tensor(a).traced(grads) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = utils.pad_sequence(ours, **kwargs)
    ref = torch.nn.utils.rnn.pad_sequence(theirs, **kwargs)
    assert out.shape == tuple(ref.shape)
    assert out.numpy().dtype == np_dtype
    np.testing.assert_array_equal(out.numpy(), ref.detach().numpy())
    upstream = rng.standard_normal(tuple(ref.shape)).astype(np_dtype)
    got = (out * sh.Cpu().tensor(upstream)).sum().backward()
    (ref * torch.tensor(upstream)).sum().backward()
    for mine, torch_input in zip(ours, theirs, strict=True):
        assert torch_input.grad is not None
        np.testing.assert_allclose(got[mine].numpy(), torch_input.grad.numpy(), rtol=1e-6)


@settings(max_examples=25, deadline=None)
@given(
    lengths=st.lists(st.integers(0, 5), min_size=1, max_size=4),
    rest=st.lists(st.integers(0, 3), max_size=2).map(tuple),
    batch_first=st.booleans(),
    padding_side=st.sampled_from(["right", "left"]),
    padding_value=st.sampled_from([0.0, -1.5]),
    dtype=st.sampled_from([np.float32, np.float64]),
)
def test_pad_sequence_equals_torch(
    lengths: list[int],
    rest: tuple[int, ...],
    batch_first: bool,
    padding_side: str,
    padding_value: float,
    dtype: Any,
) -> None:
    pad_both(
        lengths,
        rest,
        dtype,
        batch_first=batch_first,
        padding_value=padding_value,
        padding_side=padding_side,
    )


def test_pad_sequence_of_token_ids_and_the_rnn_spelling() -> None:
    ids = [sh.Cpu().tensor([1, 2, 3]), sh.Cpu().tensor([4])]
    out = utils.rnn.pad_sequence(ids, batch_first=True, padding_value=-1)
    ref = torch.nn.utils.rnn.pad_sequence(
        [torch.tensor([1, 2, 3]), torch.tensor([4])], batch_first=True, padding_value=-1
    )
    assert out.dtype is sh.Int64
    np.testing.assert_array_equal(out.numpy(), ref.numpy())
    assert utils.rnn.pad_sequence is utils.pad_sequence


def test_pad_sequence_errors() -> None:
    with pytest.raises(ValueError, match="empty list of sequences"):
        utils.pad_sequence([])
    with pytest.raises(sh.ShapeError):
        utils.pad_sequence([sh.Cpu().zeros((2, 3)), sh.Cpu().zeros((2, 4))])
    with pytest.raises(sh.DtypeError):
        utils.pad_sequence([sh.Cpu().zeros((2,)), sh.Cpu().zeros((2,), dtype=sh.Float64)])
    with pytest.raises(ValueError, match="rank 0"):
        utils.pad_sequence([sh.Cpu().zeros(())])
    with pytest.raises(ValueError, match="padding_side must be"):
        utils.pad_sequence([sh.Cpu().zeros((2,))], padding_side="middle")  # type: ignore[arg-type]


# ---------------------------------------------------------------- gradient checkpointing


class Blocks(nn.Module):
    """Two checkpointed blocks and a head, as torch code checkpoints a deep model."""

    def __init__(self, dtype: Any, use_checkpoint: bool, dropout: float = 0.0) -> None:
        super().__init__()
        self.block1 = nn.Sequential(nn.Linear(5, 8, dtype=dtype), nn.Tanh())
        self.block2 = nn.Sequential(
            nn.Linear(8, 8, dtype=dtype), nn.ReLU(), nn.Dropout(dropout, device=sh.Cpu(seed=3))
        )
        self.head = nn.Linear(8, 3, dtype=dtype)
        self.use_checkpoint = use_checkpoint

    def forward(self, x: Any) -> Any:
        if self.use_checkpoint:
            h = utils.checkpoint(self.block1, x)
            h = h + utils.checkpoint(self.block2, h)  # h is used inside and outside
        else:
            h = self.block1(x)
            h = h + self.block2(h)
        return self.head(h)


class TorchBlocks(torch.nn.Module):
    def __init__(self, use_checkpoint: bool) -> None:
        super().__init__()
        self.block1 = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.Tanh())
        self.block2 = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.ReLU())
        self.head = torch.nn.Linear(8, 3)
        self.use_checkpoint = use_checkpoint

    def forward(self, x: Any) -> Any:
        checkpoint = torch.utils.checkpoint.checkpoint
        if self.use_checkpoint:
            h = checkpoint(self.block1, x, use_reentrant=False)
            h = h + checkpoint(self.block2, h, use_reentrant=False)
        else:
            h = self.block1(x)
            h = h + self.block2(h)
        return self.head(h)


@pytest.mark.parametrize("dtype", FLOATS, ids=["float32", "float64"])
def test_checkpoint_equals_torch_in_training_steps(dtype: Any) -> None:
    np_dtype, our_dtype, torch_dtype = dtype
    torch.manual_seed(0)
    theirs = TorchBlocks(use_checkpoint=True).to(torch_dtype)
    ours = Blocks(our_dtype, use_checkpoint=True)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    sgd = optim.Sgd(ours, lr=0.1)
    torch_sgd = torch.optim.SGD(theirs.parameters(), lr=0.1)
    rng = np.random.default_rng(0)
    rtol, atol = tolerance(np_dtype)
    grads = ours.alloc_grads()
    for _ in range(3):
        x = rng.standard_normal((6, 5)).astype(np_dtype)
        y = rng.integers(0, 3, 6)
        ours.zero_grads(grads)
        xt = sh.Cpu().tensor(x).traced(grads)
        loss = losses.cross_entropy(ours(xt), sh.Cpu().tensor(y))
        grads = loss.backward()
        tx = torch.tensor(x, requires_grad=True)
        torch_loss = torch.nn.functional.cross_entropy(theirs(tx), torch.tensor(y))
        torch_sgd.zero_grad()
        torch_loss.backward()
        np.testing.assert_allclose(loss.item(), torch_loss.item(), rtol=rtol, atol=atol)
        np.testing.assert_allclose(grads[xt].numpy(), tx.grad.numpy(), rtol=rtol, atol=atol)
        for (name, p), (_, q) in zip(
            ours.named_parameters(), theirs.named_parameters(), strict=True
        ):
            np.testing.assert_allclose(
                grads[p].numpy(), q.grad.numpy(), rtol=rtol, atol=atol, err_msg=name
            )
        sgd.update(ours, grads)
        torch_sgd.step()


def test_checkpoint_frees_the_activations() -> None:
    import gc
    import weakref

    kept: list[Any] = []
    lin = nn.Linear(4, 4)

    def segment(x: Any) -> Any:
        hidden = lin(x).tanh()
        kept.append(weakref.ref(hidden._data))
        return (hidden * 2.0).sum(axis=1)

    x = sh.Cpu().randn((3, 4))
    plain = segment(x.trace())
    gc.collect()
    assert kept[-1]() is not None  # the tape holds the activation
    out = utils.checkpoint(segment, x.trace())
    gc.collect()
    assert kept[-1]() is None  # dropped with the scratch tape
    assert out._tape is not None and len(out._tape.root().records) == 1
    grads = out.sum().backward()  # the second run happens here
    reference = plain.sum().backward()
    np.testing.assert_allclose(grads[lin.weight].numpy(), reference[lin.weight].numpy(), rtol=1e-6)


def test_checkpoint_replays_dropout_with_the_same_mask() -> None:
    x = np.random.default_rng(1).standard_normal((16, 5)).astype(np.float32)
    results = []
    weights = Blocks(sh.Float32, False).state_dict()
    for use_checkpoint in (False, True):
        model = Blocks(sh.Float32, use_checkpoint, dropout=0.5)  # the same dropout RNG seed
        model.load_state_dict(weights)
        xt = sh.Cpu().tensor(x).trace()
        out = model(xt)
        grads = out.square().sum().backward()
        results.append((out.numpy(), grads[model.block2[0].weight].numpy(), grads[xt].numpy()))
    for plain, checkpointed in zip(*results, strict=True):
        np.testing.assert_allclose(checkpointed, plain, rtol=1e-6)


def test_checkpoint_without_a_tape_errors_and_staleness() -> None:
    lin = nn.Linear(3, 3)
    x = sh.Cpu().randn((2, 3))
    out = utils.checkpoint(lin, x)  # nothing traced: a plain call
    np.testing.assert_array_equal(out.numpy(), lin(x).numpy())
    other = sh.Cpu().randn((2, 3)).trace()
    with pytest.raises(sh.TapeError, match="not one of its arguments"):
        utils.checkpoint(lambda t: t + other, x.trace())
    with pytest.raises(TypeError, match="must return one tensor"):
        utils.checkpoint(lambda t: (t, t), x.trace())
    loss = utils.checkpoint(lin, x.trace()).sum()
    init_weight = lin.weight.numpy()
    lin.weight.copy_(init_weight * 2)  # an in-place write before backward
    with pytest.raises(sh.TapeError, match="updated in place before backward"):
        loss.backward()


def test_checkpoint_deferred_input_gradient_after_an_update_and_nesting() -> None:
    """A traced input's gradient read after opt.update is the one at the forward's weights
    (the second run sees the old values), and checkpoints nest."""
    torch.manual_seed(1)
    theirs = TorchBlocks(use_checkpoint=False).double()
    ours = Blocks(sh.Float64, use_checkpoint=True)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(2).standard_normal((4, 5))
    xt = sh.Cpu().tensor(x).trace()

    def nested(t: Any) -> Any:
        return ours.head(
            utils.checkpoint(lambda u: u + ours.block2(u), utils.checkpoint(ours.block1, t))
        )

    grads = utils.checkpoint(nested, xt).square().sum().backward()
    tx = torch.tensor(x, requires_grad=True)
    theirs(tx).square().sum().backward()
    optim.Sgd(ours, lr=1.0).update(ours, grads)  # in place, before reading grads[xt]
    assert tx.grad is not None
    np.testing.assert_allclose(grads[xt].numpy(), tx.grad.numpy(), rtol=1e-9)
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters(), strict=True):
        np.testing.assert_allclose(
            p.numpy(), (q - q.grad).detach().numpy(), rtol=1e-9, err_msg=name
        )
