"""sh.grad / sh.value_and_grad over pytrees, against torch.func.grad and the tape."""

from __future__ import annotations

import dataclasses
from typing import Any, NamedTuple

import numpy as np
import pytest
import torch
from torch import func as torch_func

import shaped as sh
from shaped import losses, nn, optim

dev = sh.Cpu(seed=0)
RNG = np.random.default_rng(0)


def arrays(*shapes: tuple[int, ...], dtype: Any = np.float64) -> list[np.ndarray]:
    return [RNG.standard_normal(s).astype(dtype) for s in shapes]


def close(ours: sh.Tensor[Any, Any, Any, Any], theirs: torch.Tensor) -> None:
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_grad_of_a_tensor_equals_torch_func(dtype: Any) -> None:
    w, x = arrays((3, 4), (5, 3), dtype=dtype)

    def ours(weight: Any, data: Any) -> Any:
        return ((data @ weight).tanh() ** 2).mean()

    def theirs(weight: Any, data: Any) -> Any:
        return ((data @ weight).tanh() ** 2).mean()

    got = sh.grad(ours)(dev.tensor(w), dev.tensor(x))
    expected = torch_func.grad(theirs)(torch.tensor(w), torch.tensor(x))
    assert got.shape == (3, 4) and got.numpy().dtype == dtype
    np.testing.assert_allclose(
        got.numpy(), expected.numpy(), rtol=1e-5 if dtype == np.float32 else 1e-9
    )


def test_grad_of_tuples_lists_and_dicts_keeps_their_structure() -> None:
    w1, b1, w2, x = arrays((3, 4), (4,), (4, 2), (6, 3))

    def ours(params: Any, data: Any) -> Any:
        hidden = (data @ params["layers"][0][0] + params["layers"][0][1]).relu()
        return (hidden @ params["layers"][1]).sum() * params["scale"]

    def theirs(params: Any, data: Any) -> Any:
        hidden = (data @ params["layers"][0][0] + params["layers"][0][1]).relu()
        return (hidden @ params["layers"][1]).sum() * 0.5  # torch.func takes tensor leaves only

    mine = {"layers": [(dev.tensor(w1), dev.tensor(b1)), dev.tensor(w2)], "scale": 0.5}
    torch_params = {"layers": [(torch.tensor(w1), torch.tensor(b1)), torch.tensor(w2)]}
    got = sh.grad(ours)(mine, dev.tensor(x))
    expected = torch_func.grad(theirs)(torch_params, torch.tensor(x))
    assert isinstance(got, dict) and isinstance(got["layers"], list)
    assert isinstance(got["layers"][0], tuple) and got["scale"] == 0.5
    close(got["layers"][0][0], expected["layers"][0][0])
    close(got["layers"][0][1], expected["layers"][0][1])
    close(got["layers"][1], expected["layers"][1])


@dataclasses.dataclass
class Params:
    weight: sh.Tensor[Any, Any, Any, Any]
    bias: sh.Tensor[Any, Any, Any, Any]
    name: str = "affine"


class Pair(NamedTuple):
    first: sh.Tensor[Any, Any, Any, Any]
    second: sh.Tensor[Any, Any, Any, Any]


def test_grad_of_dataclasses_and_namedtuples() -> None:
    w, b, x = arrays((3, 2), (2,), (4, 3))

    def loss(p: Params, pair: Pair) -> Any:
        return ((pair.first @ p.weight + p.bias) * pair.second).sum()

    second = dev.tensor(RNG.standard_normal((4, 2)))
    params = Params(dev.tensor(w), dev.tensor(b))
    got_p, got_pair = sh.grad(loss, argnums=(0, 1))(params, Pair(dev.tensor(x), second))
    assert isinstance(got_p, Params) and got_p.name == "affine" and isinstance(got_pair, Pair)
    tw, tb, tx, ts = (torch.tensor(a) for a in (w, b, x, second.numpy()))
    expected = torch_func.grad(
        lambda ww, bb, xx, ss: ((xx @ ww + bb) * ss).sum(), argnums=(0, 1, 2, 3)
    )(tw, tb, tx, ts)
    for mine, theirs in zip((got_p.weight, got_p.bias, got_pair.first, got_pair.second), expected):
        close(mine, theirs)


def test_grad_of_a_module_is_a_module_of_gradients_equal_to_the_tape() -> None:
    model = nn.Sequential(nn.Linear(3, 5, device=dev), nn.Tanh(), nn.Linear(5, 2, device=dev))
    x, y = dev.randn((8, 3)), dev.tensor(RNG.integers(0, 2, size=8))

    def loss_fn(m: Any, data: Any, labels: Any) -> Any:
        return losses.cross_entropy(m(data), labels)

    got = sh.grad(loss_fn)(model, x, y)
    assert type(got) is type(model) and got is not model
    reference = model.alloc_grads()
    tape_grads = losses.cross_entropy(model(x.traced(reference)), y).backward()
    for (name, param), (grad_name, grad) in zip(model.named_parameters(), got.named_parameters()):
        assert name == grad_name
        np.testing.assert_allclose(grad.numpy(), tape_grads[param].numpy(), rtol=1e-6)
    # the model itself is unchanged and still trains with the tape
    assert all(p._tape is None for p in model.parameters())
    torch_model = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2))
    torch_model.load_state_dict({k: torch.tensor(v.numpy()) for k, v in model.state_dict().items()})
    named = dict(torch_model.named_parameters())
    expected = torch_func.grad(
        lambda p: torch.nn.functional.cross_entropy(
            torch_func.functional_call(torch_model, p, (torch.tensor(x.numpy()),)),
            torch.tensor(y.numpy()),
        )
    )({k: v.detach() for k, v in named.items()})
    for name, grad in got.named_parameters():
        close(grad, expected[name])


def test_value_and_grad_has_aux_and_argnums() -> None:
    w, x = arrays((3, 2), (4, 3))

    def loss(weight: Any, data: Any) -> Any:
        out = data @ weight
        return (out**2).mean(), out.shape

    (value, aux), grads = sh.value_and_grad(loss, argnums=(0, 1), has_aux=True)(
        dev.tensor(w), dev.tensor(x)
    )
    expected_value = ((torch.tensor(x) @ torch.tensor(w)) ** 2).mean()
    np.testing.assert_allclose(value.numpy(), expected_value.numpy())
    assert value._tape is None and aux == (4, 2)
    gw, gx = torch_func.grad(lambda a, b: ((b @ a) ** 2).mean(), argnums=(0, 1))(
        torch.tensor(w), torch.tensor(x)
    )
    close(grads[0], gw)
    close(grads[1], gx)
    g, aux2 = sh.grad(loss, has_aux=True)(dev.tensor(w), dev.tensor(x))
    close(g, gw)
    assert aux2 == (4, 2)


def test_a_leaf_the_loss_ignores_gets_zeros_as_torch_func() -> None:
    w, unused, x = arrays((3, 2), (5,), (4, 3))
    got = sh.grad(lambda p, d: (d @ p[0]).sum())((dev.tensor(w), dev.tensor(unused)), dev.tensor(x))
    np.testing.assert_array_equal(got[1].numpy(), np.zeros(5))


def test_functional_training_loop_matches_torch_sgd() -> None:
    """rax's loop: loss = model(params, x, y); grads = grad(...); params = update(params, grads)."""
    w, b, x = arrays((3, 1), (1,), (16, 3))
    y = x @ np.array([[1.0], [-2.0], [0.5]]) + 0.3
    params = (dev.tensor(w), dev.tensor(b))
    torch_params = [torch.tensor(w, requires_grad=True), torch.tensor(b, requires_grad=True)]
    torch_opt = torch.optim.SGD(torch_params, lr=0.1)

    def model(p: Any, data: Any, target: Any) -> Any:
        return ((data @ p[0] + p[1] - target) ** 2).mean()

    for _ in range(5):
        grads = sh.grad(model)(params, dev.tensor(x), dev.tensor(y))
        params = optim.sgd_step(params, grads, lr=0.1)
        torch_opt.zero_grad()
        (
            (torch.tensor(x) @ torch_params[0] + torch_params[1] - torch.tensor(y)) ** 2
        ).mean().backward()
        torch_opt.step()
    close(params[0], torch_params[0])
    close(params[1], torch_params[1])


def test_sgd_step_on_a_module_returns_a_new_module() -> None:
    model = nn.Linear(3, 2, device=dev)
    x = dev.randn((4, 3))
    grads = sh.grad(lambda m, d: m(d).sum())(model, x)
    before = model.weight.numpy().copy()
    stepped = optim.sgd_step(model, grads, lr=0.5)
    np.testing.assert_array_equal(model.weight.numpy(), before)
    np.testing.assert_allclose(stepped.weight.numpy(), before - 0.5 * grads.weight.numpy())
    assert [n for n, _ in stepped.named_parameters()] == ["weight", "bias"]


def test_errors_say_what_to_do() -> None:
    w = dev.randn((3,))
    with pytest.raises(TypeError, match="must return a rank-0 loss tensor, got \\(3,\\)"):
        sh.grad(lambda a: a * 2)(w)
    with pytest.raises(sh.TapeError, match="does not depend on the differentiated arguments"):
        sh.grad(lambda a, b: b.sum(), argnums=0)(w, dev.randn((2,)))
    with pytest.raises(TypeError, match="argnums 3 names an argument that was not given"):
        sh.grad(lambda a: a.sum(), argnums=3)(w)
    with pytest.raises(TypeError, match="must return \\(loss, aux\\)"):
        sh.grad(lambda a: a.sum(), has_aux=True)(w)
