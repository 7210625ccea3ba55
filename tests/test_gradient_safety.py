"""No silent wrong gradients: parameters reached through any untraced ops, reused Gradients
that stay flat, in-place updates that views follow, deferred gradients that stay right after
an update, and clear errors for bad arguments. Each is compared with torch."""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

import shaped as sh
from shaped import losses, nn, optim

dev = sh.Cpu(seed=0)
Tn = sh.Tensor[Any, Any, Any, Any]


def close(ours: Tn, theirs: torch.Tensor | None, rtol: float = 1e-10) -> None:
    assert theirs is not None
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=rtol, atol=1e-12)


def pair(shape: tuple[int, ...], seed: int) -> tuple[np.ndarray, torch.Tensor]:  # type: ignore[type-arg]
    data = np.random.default_rng(seed).standard_normal(shape)
    return data, torch.tensor(data, requires_grad=True)


def linear64(fan_in: int, fan_out: int) -> nn.Linear[Any, Any]:
    return nn.Linear(fan_in, fan_out, device=dev, dtype=sh.Float64)


def torch_linear(layer: nn.Linear[Any, Any]) -> torch.nn.Linear:
    reference = torch.nn.Linear(layer.in_features, layer.out_features, dtype=torch.float64)
    with torch.no_grad():
        reference.weight.copy_(torch.tensor(layer.weight.numpy()))
        assert layer.bias is not None
        reference.bias.copy_(torch.tensor(layer.bias.numpy()))
    return reference


# ---------------------------------------------------------------- item 2: any chain


def nine_ops(w: Any) -> Any:
    """Nine one-input ops (one past the old depth bound of 8), as shaped and torch spell them."""
    w = (w * 1.5).T
    w = (w + 0.25).exp()
    w = w.T.tanh()
    w = (w * w.sigmoid()).reshape(-1).reshape(3, 4)  # a two-input op in the middle too
    return w.sin() - 0.5


def test_param_through_nine_untraced_ops() -> None:
    lin = linear64(4, 3)
    reference = torch_linear(lin)
    x, tx = pair((5, 4), seed=1)
    grads = lin.alloc_grads()
    derived = nine_ops(lin.weight)  # before the trace: no tape anywhere yet
    xt = dev.tensor(x).traced(grads)
    loss = (xt @ derived.T).square().sum()
    loss.backward()
    torch_loss = (tx @ nine_ops(reference.weight).T).square().sum()
    torch_loss.backward()
    np.testing.assert_allclose(loss.item(), torch_loss.item(), rtol=1e-12)
    close(grads[lin.weight], reference.weight.grad)
    close(grads[xt], tx.grad)
    assert lin.weight._tape is None  # parameters never carry a tape


def test_param_through_a_long_chain() -> None:
    """Thousands of untraced ops: no depth bound, no recursion limit."""
    w, tw = pair((3,), seed=2)
    ours = dev.tensor(w).requires_grad_()
    h, th = ours, tw
    for _ in range(3000):
        h, th = h * 1.0001, th * 1.0001
    grads = sh.Gradients()
    (h * dev.tensor(w).traced(grads)).sum().backward()
    (th * torch.tensor(w)).sum().backward()
    close(grads[ours], tw.grad)


def test_sum_of_two_params_outside_trace() -> None:
    a, ta = pair((3, 4), seed=3)
    b, tb = pair((3, 4), seed=4)
    x, tx = pair((2, 4), seed=5)
    w1, w2 = dev.tensor(a).requires_grad_(), dev.tensor(b).requires_grad_()
    total = w1 + w2  # both untraced
    mixed = (w1 * w2 - w2.exp()).T  # a two-input chain, also untraced
    grads = sh.Gradients()
    xt = dev.tensor(x).traced(grads)
    ((xt @ total.T).sin().sum() + (xt @ mixed).square().mean()).backward()
    ((tx @ (ta + tb).T).sin().sum() + (tx @ (ta * tb - tb.exp()).T).square().mean()).backward()
    close(grads[w1], ta.grad)
    close(grads[w2], tb.grad)
    close(grads[xt], tx.grad)


def test_module_parameters_need_no_marking() -> None:
    """Every float tensor a module owns is a parameter: `w1 + w2` of two layers' weights."""

    class Pair(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.first = linear64(4, 4)
            self.second = linear64(4, 4)
            self.scales = [dev.ones((4,), sh.Float64)]  # in a list, too

    model = Pair()
    t1, t2 = torch_linear(model.first), torch_linear(model.second)
    scale = torch.ones(4, dtype=torch.float64, requires_grad=True)
    x, tx = pair((3, 4), seed=6)
    grads = model.alloc_grads()
    combined = (model.first.weight + model.second.weight) * model.scales[0]
    losses.mse_loss(
        dev.tensor(x).traced(grads) @ combined, dev.zeros((3, 4), sh.Float64)
    ).backward()
    torch.nn.functional.mse_loss(
        tx @ ((t1.weight + t2.weight) * scale), torch.zeros(3, 4, dtype=torch.float64)
    ).backward()
    close(grads[model.first.weight], t1.weight.grad)
    close(grads[model.second.weight], t2.weight.grad)
    close(grads[model.scales[0]], scale.grad)


def test_derived_tensor_used_on_two_tapes_and_twice_on_one() -> None:
    lin = linear64(3, 2)
    reference = torch_linear(lin)
    wt, twt = lin.weight.T * 2.0, reference.weight.T * 2.0
    x, tx = pair((4, 3), seed=7)
    for _ in range(2):  # a new tape each time: the ops that made wt are recorded on each
        grads = lin.alloc_grads()
        xt = dev.tensor(x).traced(grads)
        ((xt @ wt).square().sum() + (xt @ wt).sum()).backward()
    for _ in range(2):
        ((tx @ twt).square().sum() + (tx @ twt).sum()).backward(retain_graph=True)
    close(grads[lin.weight], reference.weight.grad / 2)  # torch accumulated both rounds


def test_parameter_moved_or_converted_before_the_trace() -> None:
    w, tw = pair((3,), seed=8)
    ours = dev.tensor(w, dtype=sh.Float32).requires_grad_()
    grads = sh.Gradients()
    x = dev.tensor(w).traced(grads)
    (x * ours.to(sh.Float64).to(sh.Cpu())).sum().backward()
    (torch.tensor(w) * tw).sum().backward()
    close(grads[ours], tw.grad, rtol=1e-6)
    assert grads[ours].dtype is sh.Float32


def test_plain_data_keeps_no_history_and_gets_no_gradient_through_ops() -> None:
    t = dev.ones((1000,))
    before = None
    for step in range(300):
        t = t * 0.5 + 0.1
        if step == 100:
            gc.collect()
            tracemalloc.start()
            before = tracemalloc.get_traced_memory()[0]
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - (before or 0)
    tracemalloc.stop()
    assert t._origin is None
    assert grown < 50_000, grown  # one step's arrays, not 200 steps of them
    data = dev.randn((3,))
    grads = sh.Gradients()
    (data.exp() * dev.randn((3,)).traced(grads)).sum().backward()
    with pytest.raises(KeyError, match=r"requires_grad_\(\)"):
        grads[data]


def test_buffers_keep_no_history() -> None:
    norm = nn.BatchNorm1d(3)
    assert (norm.running_mean * 2.0)._origin is None
    assert (norm.weight * 2.0)._origin is not None


# ---------------------------------------------------------------- item 1: reuse


def mlp() -> nn.Sequential:  # type: ignore[type-arg]
    return nn.Sequential(linear64(20, 16), nn.ReLU(), linear64(16, 4))


def test_reused_gradients_memory_is_flat() -> None:
    """alloc_grads once, zero_grads every step: nothing of earlier steps stays (inputs'
    deferred gradients, their saved activations, targets' gradients)."""
    model = mlp()
    opt = optim.Adam(model, lr=1e-3)
    grads = model.alloc_grads()
    rng = np.random.default_rng(9)
    count = len(list(model.parameters()))
    marks = []
    for step in range(300):
        x = dev.tensor(rng.standard_normal((32, 20)))  # a new input each step, as a loader gives
        target = dev.tensor(rng.standard_normal((32, 4)))  # a float target gets a gradient too
        loss = losses.mse_loss(model(x.traced(grads)), target)
        opt.update(model, loss.backward())
        model.zero_grads(grads)
        assert len(grads) == count
        if step in (50, 299):
            gc.collect()
            marks.append(tracemalloc.get_traced_memory()[0])
        if step == 20:
            tracemalloc.start()
    tracemalloc.stop()
    assert marks[1] - marks[0] < 100_000, marks  # a leak is 1 step's input: 5 KB * 250 steps
    assert not grads._pending and not grads._watch
    assert len(grads._devices) == count


def test_reused_gradients_follow_torch_step_for_step() -> None:
    model = mlp()
    references = [torch_linear(model[0]), torch_linear(model[2])]
    params = [p for layer in references for p in layer.parameters()]
    opt = optim.Sgd(model, lr=0.1, momentum=0.9)
    torch_opt = torch.optim.SGD(params, lr=0.1, momentum=0.9)
    grads = model.alloc_grads()
    rng = np.random.default_rng(10)
    for _ in range(5):
        x = rng.standard_normal((8, 20))
        y = rng.integers(0, 4, 8)
        loss = losses.cross_entropy(model(dev.tensor(x).traced(grads)), dev.tensor(y))
        opt.update(model, loss.backward())
        model.zero_grads(grads)
        torch_opt.zero_grad()
        hidden = references[0](torch.tensor(x)).relu()
        torch.nn.functional.cross_entropy(references[1](hidden), torch.tensor(y)).backward()
        torch_opt.step()
    for ours, theirs in zip(model.parameters(), params):
        close(ours, theirs, rtol=1e-9)


# ---------------------------------------------------------------- item 3: in place


OPTIMIZERS: dict[str, tuple[Callable[[Any], Any], Callable[[Any], torch.optim.Optimizer]]] = {
    "sgd": (lambda m: optim.Sgd(m, lr=0.1), lambda p: torch.optim.SGD(p, lr=0.1)),
    "sgd-nesterov-decay": (
        lambda m: optim.Sgd(m, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1),
        lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1),
    ),
    "adam": (lambda m: optim.Adam(m, lr=0.05), lambda p: torch.optim.Adam(p, lr=0.05)),
    "adam-l2": (
        lambda m: optim.Adam(m, lr=0.05, weight_decay=0.1),
        lambda p: torch.optim.Adam(p, lr=0.05, weight_decay=0.1),
    ),
    "adamw": (lambda m: optim.AdamW(m, lr=0.05), lambda p: torch.optim.AdamW(p, lr=0.05)),
    "rmsprop-centered-momentum": (
        lambda m: optim.RMSprop(m, lr=0.01, momentum=0.5, centered=True, weight_decay=0.1),
        lambda p: torch.optim.RMSprop(p, lr=0.01, momentum=0.5, centered=True, weight_decay=0.1),
    ),
}


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_transposed_weight_follows_updates(name: str) -> None:
    """`wt = lin.weight.T` made once: it follows every update, and the weight still gets its
    gradient through it, step after step, as in torch."""
    ours_opt, torch_opt_of = OPTIMIZERS[name]
    lin = linear64(3, 2)
    reference = torch_linear(lin)
    opt, torch_opt = ours_opt(lin), torch_opt_of(list(reference.parameters()))
    wt, twt = lin.weight.T, reference.weight.T
    rng = np.random.default_rng(11)
    for _ in range(4):
        x = rng.standard_normal((5, 3))
        grads = lin.alloc_grads()
        loss = ((dev.tensor(x).traced(grads) @ wt + lin.bias).tanh() ** 2.0).mean()
        opt.update(lin, loss.backward())
        torch_opt.zero_grad()
        ((torch.tensor(x) @ twt + reference.bias).tanh() ** 2.0).mean().backward()
        torch_opt.step()
        close(lin.weight, reference.weight, rtol=1e-9)
        close(wt, twt, rtol=1e-9)  # the view sees the in-place update, as torch's does
        np.testing.assert_array_equal(wt.numpy(), lin.weight.numpy().T)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_deferred_input_grad_after_update(name: str) -> None:
    """grads[x] read after opt.update (and after more steps): torch's value, the gradient at
    the weights of that forward pass."""
    ours_opt, torch_opt_of = OPTIMIZERS[name]
    model = mlp()
    references = [torch_linear(model[0]), torch_linear(model[2])]
    opt = ours_opt(model)
    torch_opt = torch_opt_of([p for layer in references for p in layer.parameters()])
    rng = np.random.default_rng(12)
    kept = []
    for _ in range(3):
        x, tx = pair((6, 20), seed=int(rng.integers(1000)))
        xs = dev.tensor(x)
        grads = model.alloc_grads()
        loss = model(xs.traced(grads)).square().mean()
        opt.update(model, loss.backward())  # in place: the first layer's weight changes
        torch_opt.zero_grad()
        references[1](references[0](tx).relu()).square().mean().backward()
        torch_opt.step()
        kept.append((grads, xs, tx))
    for grads, xs, tx in kept:  # read only now, two and one updates later too
        close(grads[xs], tx.grad, rtol=1e-9)
    for ours, theirs in zip(model.parameters(), (p for r in references for p in r.parameters())):
        close(ours, theirs, rtol=1e-9)  # reading swapped the old weights in and back out


def test_update_between_forward_and_backward_raises() -> None:
    """torch raises too ("modified by an inplace operation"): backward would mix weights."""
    lin = linear64(3, 2)
    opt = optim.Sgd(lin, lr=0.1)
    x = dev.randn((4, 3), sh.Float64)
    grads = lin.alloc_grads()
    (lin(x.traced(grads)) ** 2.0).sum().backward()
    pending = (lin(x.traced(lin.alloc_grads())) ** 2.0).sum()  # a forward pass not yet run back
    opt.update(lin, grads)
    with pytest.raises(sh.TapeError, match=r"call backward\(\) before opt\.update"):
        pending.backward()


def test_stale_derived_tensor_raises_and_views_follow() -> None:
    """A copy computed from a parameter before an update does not follow it (torch's neither);
    used after the update its gradient would mix weights: an error naming the fix."""
    lin = linear64(3, 2)
    opt = optim.Sgd(lin, lr=0.1)
    squared, view = lin.weight * lin.weight, lin.weight[0]
    x = dev.randn((4, 3), sh.Float64)
    grads = lin.alloc_grads()
    (lin(x.traced(grads)) ** 2.0).sum().backward()
    opt.update(lin, grads)
    xt = x.traced(lin.alloc_grads())
    with pytest.raises(sh.TapeError, match=r"compute it again after opt\.update\(\.\.\.\)"):
        (xt @ squared.T).sum()
    grads = lin.alloc_grads()
    (x.traced(grads) * view).sum().backward()  # a view follows: fine
    expected = np.zeros((2, 3))
    expected[0] = x.numpy().sum(axis=0)
    np.testing.assert_allclose(grads[lin.weight].numpy(), expected)


# ---------------------------------------------------------------- requires_grad_ and bad input


def test_requires_grad_rules() -> None:
    w = dev.randn((3,))
    assert w.requires_grad_() is w and (w * 2.0)._origin is not None
    assert w.requires_grad_(False) is w and (w * 2.0)._origin is None
    with pytest.raises(sh.DtypeError, match=r"only float tensors .* \.to\(sh\.Float32\)"):
        dev.tensor([1, 2]).requires_grad_()
    with pytest.raises(sh.TapeError, match="carries a tape"):
        w.trace().requires_grad_()
    derived = w.requires_grad_() * 2.0
    derived.requires_grad_()  # already passes its gradient on: nothing to do
    with pytest.raises(sh.TapeError, match=r"use \.detach\(\)"):
        derived.requires_grad_(False)
    assert derived.detach()._origin is None


def test_traced_none_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"traced: expected a Gradients .* got None.*\.trace\(\)"):
        dev.randn((3,)).traced(None)  # type: ignore[arg-type]


BAD_ARGUMENTS: list[tuple[Callable[[Any], Any], type[Exception], str]] = [
    (lambda m: optim.Adam(m, lr=None), TypeError, "Adam: lr must be a number, got None"),
    (
        lambda m: optim.Adam(m, betas=0.9),
        TypeError,
        r"betas must be a pair of floats such as \(0\.9, 0\.999\), got 0\.9",
    ),
    (lambda m: optim.Adam(m, betas=(0.9, None)), TypeError, r"betas\[1\] must be a number"),
    (
        lambda m: optim.AdamW(m, eps="1e-8"),
        TypeError,
        "AdamW: eps must be a number, got '1e-8' \\(str\\)",
    ),
    (lambda m: optim.Sgd(m, lr=0.1, momentum=None), TypeError, "Sgd: momentum must be a number"),
    (lambda m: optim.Sgd(m, lr=0.1, dampening=None), TypeError, "Sgd: dampening must be a number"),
    (
        lambda m: optim.Sgd(m, lr=0.1, nesterov="yes"),
        TypeError,
        "Sgd: nesterov must be True or False",
    ),
    (lambda m: optim.Sgd(m, lr=True), TypeError, "Sgd: lr must be a number"),
    (lambda m: optim.RMSprop(m, alpha=None), TypeError, "RMSprop: alpha must be a number"),
    (
        lambda m: optim.RMSprop(m, centered=None),
        TypeError,
        "RMSprop: centered must be True or False",
    ),
    (lambda m: optim.RMSprop(m, weight_decay=[0.1]), TypeError, "weight_decay must be a number"),
    (lambda m: optim.Adam(42), TypeError, "needs a parameters\\(\\) method"),
    (lambda m: optim.Adam([]), ValueError, "got an empty parameter list"),
]


@pytest.mark.parametrize(("make", "error", "message"), BAD_ARGUMENTS)
def test_bad_optimizer_arguments(
    make: Callable[[Any], Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        make(linear64(2, 2))


def test_bad_update_arguments() -> None:
    lin = linear64(2, 2)
    opt = optim.Adam(lin)
    grads = lin.alloc_grads()
    with pytest.raises(
        TypeError, match=r"Adam\.update: expected update\(model, grads\) .* got None"
    ):
        opt.update(lin, None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="the arguments are swapped"):
        opt.update(grads, lin)  # type: ignore[arg-type]
    lr = opt.lr
    with pytest.raises(TypeError, match="lr must be a number"):
        opt.lr = None  # type: ignore[assignment]
    assert opt.lr == lr


def test_copy_into_a_parameter_keeps_a_deferred_gradient_right() -> None:
    """copy_ into a weight after backward: the traced input's gradient, read later, is taken
    at the weights of the forward pass, as torch computes it during backward."""
    dev = sh.Cpu(seed=0)
    lin = sh.nn.Linear(3, 2, device=dev)
    w0 = np.array(lin.weight._data)
    grads = lin.alloc_grads()
    x = dev.randn((4, 3)).traced(grads)
    lin(x).sum().backward()
    lin.weight.copy_(np.zeros((2, 3), dtype=np.float32))
    expected = np.ones((4, 2), dtype=np.float32) @ w0
    np.testing.assert_allclose(np.asarray(grads[x]), expected, rtol=1e-6)


def test_loading_a_checkpoint_updates_views_in_place(tmp_path: Any) -> None:
    """load writes into the parameters' arrays, as torch's load_state_dict copies: a view
    taken before (`lin.weight.T`) shows the loaded values."""
    dev = sh.Cpu(seed=0)
    saved = sh.nn.Linear(3, 2, device=dev)
    path = tmp_path / "lin.npz"
    saved.save(path)
    lin = sh.nn.Linear(3, 2, device=sh.Cpu(seed=1))
    wt = lin.weight.T
    lin.load(path)
    np.testing.assert_array_equal(np.asarray(wt), np.asarray(saved.weight).T)
