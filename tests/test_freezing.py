"""Freezing parameters (`requires_grad_(False)`, `p.requires_grad = False`) against torch: a
partly frozen model over SGD and Adam steps, no gradient entries, no wasted VJP work."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

import shaped as sh
from shaped import nn, optim
from tests.oracle import tolerance

dev = sh.Cpu()
DTYPES = [(np.float32, sh.Float32, torch.float32), (np.float64, sh.Float64, torch.float64)]


class Net(nn.Module):
    def __init__(self, dtype: Any) -> None:
        super().__init__()
        self.backbone = nn.Sequential(
            nn.Linear(4, 8, dtype=dtype), nn.Tanh(), nn.Linear(8, 8, dtype=dtype)
        )
        self.norm = nn.LayerNorm(8, dtype=dtype)
        self.head = nn.Linear(8, 3, dtype=dtype)

    def forward(self, x: Any) -> Any:
        return self.head(self.norm(self.backbone(x)).relu())


class TorchNet(torch.nn.Module):
    def __init__(self, dtype: torch.dtype) -> None:
        super().__init__()
        self.backbone = torch.nn.Sequential(
            torch.nn.Linear(4, 8, dtype=dtype), torch.nn.Tanh(), torch.nn.Linear(8, 8, dtype=dtype)
        )
        self.norm = torch.nn.LayerNorm(8, dtype=dtype)
        self.head = torch.nn.Linear(8, 3, dtype=dtype)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.norm(self.backbone(x)).relu())


def pair(dtype: Any, torch_dtype: torch.dtype, seed: int = 0) -> tuple[Net, TorchNet]:
    torch.manual_seed(seed)
    ours, theirs = Net(dtype), TorchNet(torch_dtype)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    return ours, theirs


def freeze_ours_module_api(model: Net) -> None:
    model.backbone.requires_grad_(False)
    model.norm.bias.requires_grad_(False)


def freeze_ours_torch_idiom(model: Net) -> None:
    for p in model.backbone.parameters():
        p.requires_grad = False
    model.norm.bias.requires_grad = False


def freeze_theirs(model: TorchNet) -> None:
    for p in model.backbone.parameters():
        p.requires_grad = False
    model.norm.bias.requires_grad = False


OPTIMIZERS: dict[str, tuple[Callable[[Any], Any], Callable[[Any], torch.optim.Optimizer]]] = {
    "sgd": (
        lambda m: optim.Sgd(m, lr=0.1, momentum=0.9, weight_decay=0.01),
        lambda m: torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9, weight_decay=0.01),
    ),
    "adam": (
        lambda m: optim.Adam(m, lr=0.01, weight_decay=0.01),
        lambda m: torch.optim.Adam(m.parameters(), lr=0.01, weight_decay=0.01),
    ),
}


@pytest.mark.parametrize(("np_dtype", "dtype", "torch_dtype"), DTYPES)
@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
@pytest.mark.parametrize("freeze", [freeze_ours_module_api, freeze_ours_torch_idiom])
def test_partly_frozen_model_trains_as_torch(
    np_dtype: Any,
    dtype: Any,
    torch_dtype: torch.dtype,
    optimizer: str,
    freeze: Callable[[Net], None],
) -> None:
    ours, theirs = pair(dtype, torch_dtype)
    freeze(ours)
    freeze_theirs(theirs)
    frozen = [*ours.backbone.parameters(), ours.norm.bias]
    before = [p.numpy().copy() for p in frozen]
    make_ours, make_theirs = OPTIMIZERS[optimizer]
    opt, their_opt = make_ours(ours), make_theirs(theirs)
    rtol, atol = tolerance(np_dtype)
    grads = ours.alloc_grads()
    assert len(grads) == 3  # norm.weight, head.weight, head.bias
    rng = np.random.default_rng(1)
    for _ in range(4):
        x = rng.standard_normal((5, 4)).astype(np_dtype)
        xt, tx = dev.tensor(x).traced(grads), torch.tensor(x, requires_grad=True)
        ours(xt).square().mean().backward()
        their_opt.zero_grad()
        theirs(tx).square().mean().backward()
        assert tx.grad is not None  # the input's gradient still flows through frozen layers
        np.testing.assert_allclose(grads[xt].numpy(), tx.grad.numpy(), rtol=rtol, atol=atol)
        for p in frozen:
            assert p not in grads and grads.get(p) is None and grads.array(p) is None
        opt.update(ours, grads)
        their_opt.step()
        ours.zero_grads(grads)
    for name, param in ours.named_parameters():
        their = theirs.get_parameter(name)
        assert param.requires_grad is their.requires_grad, name
        np.testing.assert_allclose(
            param.numpy(), their.detach().numpy(), rtol=rtol * 10, atol=atol * 10, err_msg=name
        )
    for p, old in zip(frozen, before):
        np.testing.assert_array_equal(p.numpy(), old)
    with pytest.raises(KeyError, match=r"frozen .* call \.requires_grad_\(\) to train it"):
        grads[frozen[0]]


def test_unfreezing_trains_again_as_torch() -> None:
    ours, theirs = pair(sh.Float64, torch.float64, seed=3)
    assert ours.requires_grad_(False) is ours
    theirs.requires_grad_(False)
    ours.head.requires_grad_(True)
    theirs.head.requires_grad_(True)
    x = np.random.default_rng(2).standard_normal((3, 4))
    for step in range(2):
        grads = ours.alloc_grads()
        assert len(grads) == (2 if step == 0 else 8)
        ours(dev.tensor(x).traced(grads)).sum().backward()
        theirs.zero_grad()
        theirs(torch.tensor(x)).sum().backward()
        for name, param in ours.named_parameters():
            their = theirs.get_parameter(name)
            assert (param in grads) is (their.grad is not None), name
            if their.grad is not None:
                np.testing.assert_allclose(grads[param].numpy(), their.grad.numpy(), rtol=1e-10)
        ours.requires_grad_()
        theirs.requires_grad_()


def test_freezing_after_alloc_drops_the_entry_at_zero_grads() -> None:
    model = nn.Linear(3, 2)
    grads = model.alloc_grads()
    assert model.weight in grads
    model.weight.requires_grad_(False)
    assert model.weight not in grads and grads.array(model.weight) is None  # never stepped
    model.zero_grads(grads)
    assert len(grads) == 1 and model.bias in grads
    model.weight.requires_grad_(True)
    model.zero_grads(grads)
    assert model.weight in grads and len(grads) == 2


def test_backward_skips_the_work_for_frozen_weights() -> None:
    """The VJP of a frozen layer is asked for no weight gradient (no GEMM is spent on it)."""
    model = Net(sh.Float32)
    model.backbone.requires_grad_(False)
    frozen = {p._key for p in model.backbone.parameters()}
    grads = model.alloc_grads()
    loss = model(dev.randn((4, 4)).traced(grads)).sum()
    assert loss._tape is not None
    calls: list[tuple[tuple[int | None, ...], tuple[bool, ...]]] = []
    records = loss._tape.root().records
    for index, (out_key, in_keys, needs, vjp) in enumerate(records):

        def spy(g: Any, wanted: tuple[bool, ...], keys: Any = in_keys, inner: Any = vjp) -> Any:
            calls.append((keys, wanted))
            return inner(g, wanted)

        records[index] = (out_key, in_keys, needs, spy)
    loss.backward()
    touching = [(keys, wanted) for keys, wanted in calls if frozen & set(keys)]
    assert touching  # the frozen layers' records are there ...
    for keys, wanted in touching:  # ... and none asks for a frozen weight's gradient
        assert not any(w for k, w in zip(keys, wanted) if k in frozen)
    assert not any(key in grads for key in frozen)


def test_frozen_tensor_meeting_a_tape_gets_no_gradient_as_torch() -> None:
    w = dev.tensor([1.0, 2.0, 3.0]).requires_grad_(False)
    grads = sh.Gradients()
    x = dev.tensor([0.5, 0.5, 0.5]).traced(grads)
    (x * w).sum().backward()
    assert w not in grads and x in grads
    tw = torch.tensor([1.0, 2.0, 3.0]).requires_grad_(False)
    tx = torch.tensor([0.5, 0.5, 0.5], requires_grad=True)
    (tx * tw).sum().backward()
    assert tw.grad is None
    np.testing.assert_allclose(grads[x].numpy(), tx.grad.numpy())  # type: ignore[union-attr]


def test_requires_grad_reads_as_torch() -> None:
    lin, their = nn.Linear(2, 2), torch.nn.Linear(2, 2)
    assert lin.weight.requires_grad is their.weight.requires_grad is True
    assert (lin.weight * 2.0).requires_grad is (their.weight * 2.0).requires_grad is True
    assert dev.randn((2,)).requires_grad is torch.randn(2).requires_grad is False
    assert dev.randn((2,)).trace().requires_grad is True
    assert dev.tensor([1, 2]).requires_grad is False
    lin.weight.requires_grad = False
    their.weight.requires_grad = False
    assert lin.weight.requires_grad is their.weight.requires_grad is False
    assert (lin.weight * 2.0).requires_grad is (their.weight * 2.0).requires_grad is False
    assert [p.requires_grad for p in lin.parameters()] == [False, True]
    assert len(list(lin.parameters())) == 2  # still a parameter: saved, loaded, moved
    lin.to(sh.Float64)
    assert lin.weight.dtype is sh.Float64 and lin.weight.requires_grad is False
    with pytest.raises(sh.DtypeError, match="only float tensors"):
        dev.tensor([1, 2]).requires_grad = True


def test_a_frozen_backbone_run_untraced_records_nothing() -> None:
    """The cheapest fine-tuning: the frozen part runs on untraced data, only the head is traced."""
    ours, theirs = pair(sh.Float64, torch.float64, seed=5)
    ours.backbone.requires_grad_(False)
    theirs.backbone.requires_grad_(False)
    x = np.random.default_rng(4).standard_normal((6, 4))
    features = ours.backbone(dev.tensor(x))
    assert features._origin is None and features._tape is None  # no history kept
    grads = ours.alloc_grads()
    traced = features.traced(grads)
    ours.head(ours.norm(traced).relu()).square().sum().backward()
    theirs(torch.tensor(x)).square().sum().backward()
    for name in ("norm.weight", "norm.bias", "head.weight", "head.bias"):
        their = theirs.get_parameter(name).grad
        assert their is not None
        np.testing.assert_allclose(
            grads[ours.get_parameter(name)].numpy(), their.numpy(), rtol=1e-10, err_msg=name
        )


def test_a_frozen_weight_written_after_backward_keeps_the_inputs_gradient() -> None:
    """A traced input's gradient is computed when read, from the weights the forward pass used:
    writing a frozen weight in place (load_state_dict, copy_) after backward changes nothing."""
    lin = nn.Linear(3, 2, dtype=sh.Float64).requires_grad_(False)
    reference = torch.nn.Linear(3, 2, dtype=torch.float64).requires_grad_(False)
    reference.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in lin.state_dict().items()})
    x = np.random.default_rng(6).standard_normal((4, 3))
    grads = sh.Gradients()
    xt, tx = dev.tensor(x).traced(grads), torch.tensor(x, requires_grad=True)
    lin(xt).square().sum().backward()
    reference(tx).square().sum().backward()
    lin.weight.copy_(np.zeros((2, 3)))
    assert tx.grad is not None
    np.testing.assert_allclose(grads[xt].numpy(), tx.grad.numpy(), rtol=1e-12)
    with pytest.raises(sh.TapeError, match="updated in place before backward"):
        loss = lin(dev.tensor(x).traced(grads)).sum()
        lin.weight.copy_(np.ones((2, 3)))
        loss.backward()
