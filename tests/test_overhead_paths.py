"""The per-step fast paths of issue 13: a module keeps its parameter walk, an optimizer keeps
its model group's list, and in-place writes skip Gradients with nothing deferred.

Each kept result is checked against a fresh walk after every kind of change (attributes set,
deleted or swapped past `__setattr__`, lists, dicts, ModuleList and ModuleDict edited in
place, buffers, freezing, `.to()`, loading, copies), and training through them against torch.
"""

from __future__ import annotations

import copy
import gc
import pickle
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import shaped as sh
from shaped import losses, nn, optim
from shaped import tape as tape_module
from shaped.tape import LEAF

dev = sh.Cpu(seed=0)
Tn = sh.Tensor[Any, Any, Any, Any]


def fresh(model: nn.Module) -> tuple[list[tuple[str, Tn]], list[tuple[str, Tn]]]:
    """(parameters, buffers) by name from a walk that keeps nothing (what the cache must give)."""
    params: list[tuple[str, Tn]] = []
    buffers: list[tuple[str, Tn]] = []
    seen: set[int] = set()
    for name, tensor, is_buffer in model._tensors():
        if id(tensor) not in seen:
            seen.add(id(tensor))
            (buffers if is_buffer else params).append((name, tensor))
    return params, buffers


def same_items(got: list[tuple[str, Tn]], expected: list[tuple[str, Tn]]) -> None:
    assert [name for name, _ in got] == [name for name, _ in expected]
    assert all(a is b for (_, a), (_, b) in zip(got, expected, strict=True))


def check(model: nn.Module) -> None:
    """Every kept view of the walk equals a fresh walk, read twice (kept, then reused)."""
    params, buffers = fresh(model)
    for _ in range(2):
        same_items(list(model.named_parameters()), params)
        assert [id(t) for t in model.parameters()] == [id(t) for _, t in params]
        same_items(list(model.named_buffers()), buffers)
        state = model.state_dict()
        assert list(state) == [name for name, _, _ in model._tensors()]
        assert all(state[name] is t for name, t, _ in model._tensors())
    for tensor in model.parameters():  # a module's float tensor is a leaf when read as one
        assert tensor._origin is LEAF or tensor._key in tape_module.frozen


class Block(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Linear(3, 4, device=dev), nn.ReLU())
        self.head = nn.Linear(4, 2, device=dev)
        self.norm = nn.BatchNorm1d(4, device=dev)
        self.extras: list[Any] = [dev.randn((2,))]
        self.table: dict[str, Any] = {"a": dev.randn((3,))}
        self.pair: tuple[list[Any], str] = ([dev.randn((1,))], "text")
        self.layers = nn.ModuleList([nn.Linear(2, 2, device=dev)])
        self.heads = nn.ModuleDict({"q": nn.Linear(2, 2, device=dev)})

    def forward(self, x: Any) -> Any:
        return self.head(self.norm(self.body(x)))


def lin(i: int = 2, o: int = 2) -> nn.Linear[Any, Any]:
    return nn.Linear(i, o, device=dev)


def swap_past_setattr(m: Block) -> None:
    object.__setattr__(m.body[0], "weight", dev.randn((4, 3)))  # as sh.grad swaps parameters


def replace_dict_value(m: Block) -> None:
    m.table["a"] = dev.randn((3,))


def heads_attribute(m: Block) -> None:
    m.heads.k = lin()  # ModuleDict: `d.key = m` is `d["key"] = m`


def heads_delattr(m: Block) -> None:
    del m.heads.q


MUTATIONS: dict[str, Callable[[Block], object]] = {
    "setattr a submodule": lambda m: setattr(m, "extra", lin()),
    "add_module": lambda m: m.add_module("added", lin()),
    "register_module": lambda m: m.register_module("registered", lin()),
    "replace a nested parameter": lambda m: setattr(m.body[0], "weight", dev.randn((4, 3))),
    "replace a submodule": lambda m: setattr(m, "head", lin(4, 2)),
    "submodule set to None": lambda m: setattr(m, "head", None),
    "delattr a submodule": lambda m: delattr(m, "head"),
    "delattr a nested parameter": lambda m: delattr(m.body[0], "bias"),
    "swap past __setattr__": swap_past_setattr,
    "write __dict__": lambda m: m.__dict__.__setitem__("direct", m.body),  # (no new module)
    "list append": lambda m: m.extras.append(dev.randn((3,))),
    "list item replaced": lambda m: m.extras.__setitem__(0, dev.randn((2,))),
    "list cleared": lambda m: m.extras.clear(),
    "list inside a tuple": lambda m: m.pair[0].append(lin()),
    "dict item added": lambda m: m.table.__setitem__("b", dev.randn((1,))),
    "dict item replaced": replace_dict_value,
    "dict item popped": lambda m: m.table.pop("a"),
    "ModuleList append": lambda m: m.layers.append(lin()),
    "ModuleList insert": lambda m: m.layers.insert(0, lin()),
    "ModuleList extend": lambda m: m.layers.extend([lin(), lin()]),
    "ModuleList setitem": lambda m: m.layers.__setitem__(0, lin()),
    "ModuleList delitem": lambda m: m.layers.__delitem__(0),
    "ModuleList pop": lambda m: m.layers.pop(),
    "ModuleDict setitem": lambda m: m.heads.__setitem__("k", lin()),
    "ModuleDict attribute": heads_attribute,
    "ModuleDict delitem": lambda m: m.heads.__delitem__("q"),
    "ModuleDict delattr": heads_delattr,
    "ModuleDict pop": lambda m: m.heads.pop("q"),
    "ModuleDict clear": lambda m: m.heads.clear(),
    "ModuleDict update": lambda m: m.heads.update({"q": lin(), "v": lin()}),
    "register_buffer over a parameter": lambda m: m.register_buffer("head_w", m.head.weight),
    "register_buffer a new tensor": lambda m: m.register_buffer("stats", dev.randn((2,))),
    "freeze the module": lambda m: m.requires_grad_(False),
    "freeze one tensor": lambda m: m.head.weight.requires_grad_(False),
    "to Float64": lambda m: m.to(sh.Float64),
    "to a device": lambda m: m.to(sh.Cpu()),
    "load_state_dict": lambda m: m.load_state_dict(
        {k: v.numpy() * 2 for k, v in m.state_dict().items()}
    ),
    "forward hook": lambda m: m.head.register_forward_hook(lambda *a: None),
    "train mode": lambda m: m.eval(),
    "plain attribute": lambda m: setattr(m, "note", 3),
}


@pytest.mark.parametrize("name", MUTATIONS)
def test_each_change_is_seen(name: str) -> None:
    """The root's and a submodule's kept walks, read before the change, see it after."""
    model = Block()
    inner = model.body
    check(model)
    check(inner)
    MUTATIONS[name](model)
    check(model)
    check(inner)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(sorted(MUTATIONS)), max_size=6))
def test_any_sequence_of_changes_matches_a_fresh_walk(names: list[str]) -> None:
    model = Block()
    for name in names:
        try:
            MUTATIONS[name](model)
        except (AttributeError, KeyError, IndexError, TypeError):
            continue  # a change that no longer applies (its attribute was deleted)
        check(model)


def test_a_shared_child_changed_is_seen_by_both_parents() -> None:
    shared = lin()
    a, b = nn.Sequential(shared, nn.ReLU()), nn.Sequential(nn.ReLU(), shared)
    check(a)
    check(b)
    shared.weight = dev.randn((2, 2))
    check(a)
    check(b)
    assert a[0].weight is b[1].weight


def test_a_module_that_holds_its_parent_is_walked_once() -> None:
    outer = Block()
    outer.body[0].owner = outer  # a cycle: not walked again, as before
    check(outer)
    check(outer.body)
    outer.head = lin(4, 2)
    check(outer.body)


def test_a_tensor_put_in_a_list_becomes_a_parameter_when_read() -> None:
    model = Block()
    list(model.parameters())
    tensor = dev.randn((3,))
    assert tensor._origin is None
    model.extras.append(tensor)  # no __setattr__: marked when the walk is read
    assert any(p is tensor for p in model.parameters())
    assert tensor._origin is LEAF
    grads = model.alloc_grads()
    derived = tensor * 2.0  # an op before the trace: it still reaches the tensor
    loss = (dev.ones((3,)).traced(grads) * derived).sum()
    np.testing.assert_array_equal(loss.backward()[tensor].numpy(), np.full(3, 2.0, np.float32))


@pytest.mark.parametrize("how", ["deepcopy", "copy"])
def test_copies_walk_their_own_tensors(how: str) -> None:
    model = Block()
    list(model.parameters())  # a kept walk, then the copy
    if how == "deepcopy":  # the device is shared (it holds numpy), as nn.Transformer's clones do
        memo: dict[int, Any] = {id(t._device): t._device for _, t, _ in model._tensors()}
        clone = copy.deepcopy(model, {**memo, id(dev): dev})
    else:
        clone = copy.copy(model)
    check(clone)
    ids = {id(p) for p in model.parameters()}
    if how == "copy":  # shallow: the same tensors, until either one changes
        assert {id(p) for p in clone.parameters()} == ids
        clone.head = lin(4, 2)
        check(clone)
        check(model)
        assert clone.head is not model.head
    else:
        assert not ids & {id(p) for p in clone.parameters()}
    check(model)


def test_a_replaced_parameter_is_not_kept_alive_by_kept_walks() -> None:
    model = Block()
    list(model.parameters())
    list(model.body.parameters())
    list(model.body[0].parameters())  # three kept walks name the weight
    array = weakref.ref(model.body[0].weight._data)  # numpy arrays take weak references
    model.body[0].weight = dev.randn((4, 3))
    gc.collect()
    assert array() is None
    check(model)


def test_a_kept_walk_pickles_as_none() -> None:
    """What it names are the original's tensors: a copy made by pickle walks afresh."""
    model = Block()
    list(model.parameters())
    walk = vars(model)["_shaped_walk"]
    assert pickle.loads(pickle.dumps(walk)) is None


def test_get_parameter_and_num_params_follow_changes() -> None:
    model = Block()
    assert model.get_parameter("head.weight") is model.head.weight
    before = model.num_params()
    model.head = lin(4, 5)
    assert model.get_parameter("head.weight") is model.head.weight
    assert model.num_params() == before - 10 + 25
    bias = model.head.bias
    assert bias is not None
    model.register_buffer("kept", bias)
    with pytest.raises(AttributeError, match="is a buffer"):
        model.get_parameter("kept")


# ---------------------------------------------------------------- gradients and optimizers


def test_alloc_and_zero_grads_follow_freezing_and_new_parameters() -> None:
    model = Block()
    grads = model.alloc_grads()
    assert model.head.weight in grads
    model.head.weight.requires_grad_(False)
    model.zero_grads(grads)
    assert model.head.weight not in grads  # frozen since: its entry is dropped
    assert model.head.weight not in model.alloc_grads()
    model.head.weight.requires_grad_(True)
    extra = lin()
    model.extra = extra  # type: ignore[attr-defined]  # pyright: ignore[reportAttributeAccessIssue]
    model.zero_grads(grads)
    assert model.head.weight in grads and extra.weight in grads
    np.testing.assert_array_equal(grads[extra.weight].numpy(), np.zeros((2, 2)))
    model.to(sh.Float64)
    model.zero_grads(grads)
    assert grads[model.head.weight].numpy().dtype == np.float64  # zeros of the new dtype


def sgd_values(before: np.ndarray, grad: np.ndarray, lr: float) -> np.ndarray:  # type: ignore[type-arg]
    return before - np.float32(lr) * grad


def test_optimizer_steps_parameters_added_and_replaced_after_it_was_made() -> None:
    model = nn.Sequential(lin(3, 4), nn.ReLU(), lin(4, 2))
    opt = optim.Sgd(model, lr=0.5)
    x = dev.randn((5, 3))

    def step() -> sh.Gradients:
        grads = model.alloc_grads()
        loss = model(x.traced(grads)).square().mean()
        return loss.backward()

    opt.update(model, step())
    old = model[2].weight
    kept = old.numpy().copy()
    object.__setattr__(model[2], "weight", dev.randn((2, 4)))  # swapped past __setattr__
    new = model[2].weight
    start = new.numpy().copy()
    grads = step()
    opt.update(model, grads)
    np.testing.assert_allclose(new.numpy(), sgd_values(start, grads[new].numpy(), 0.5), rtol=1e-6)
    np.testing.assert_array_equal(old.numpy(), kept)  # no longer the model's: not stepped
    assert any(p is new for p in opt.param_groups[0]["params"])
    assert not any(p is old for p in opt.param_groups[0]["params"])


def test_a_model_group_written_by_hand_is_read_again_at_update() -> None:
    model = nn.Sequential(lin(3, 4), nn.ReLU(), lin(4, 2))
    opt = optim.Sgd(model, lr=0.1)
    x = dev.randn((5, 3))
    params = list(model.parameters())
    for edit in (
        lambda group: group.__setitem__("params", params[:1]),
        lambda group: group["params"].pop(),
        lambda group: group["params"].__setitem__(0, dev.randn((1,))),
    ):
        edit(opt.param_groups[0])
        grads = model.alloc_grads()
        opt.update(model, model(x.traced(grads)).sum().backward())
        held = opt.param_groups[0]["params"]
        assert len(held) == len(params) and all(a is b for a, b in zip(held, params))


def test_update_with_another_model_steps_that_model() -> None:
    a, b = nn.Sequential(lin(3, 2)), nn.Sequential(lin(3, 2))
    opt = optim.Sgd(a, lr=0.1)
    x = dev.randn((4, 3))
    for model in (a, b, a):
        other = b if model is a else a
        kept = [p.numpy().copy() for p in other.parameters()]
        grads = model.alloc_grads()
        opt.update(model, model(x.traced(grads)).sum().backward())
        for p, values in zip(other.parameters(), kept):
            np.testing.assert_array_equal(p.numpy(), values)
        assert all(p is q for p, q in zip(opt.param_groups[0]["params"], model.parameters()))


def test_optimizer_on_an_object_with_parameters_reads_them_each_update() -> None:
    class Holder:  # not a Module: just parameters()
        def __init__(self) -> None:
            self.tensors = [dev.randn((3,)).requires_grad_()]

        def parameters(self) -> list[Tn]:
            return self.tensors

    holder = Holder()
    opt = optim.Sgd(holder, lr=1.0)
    holder.tensors.append(dev.randn((3,)).requires_grad_())
    grads = sh.Gradients()
    first, second = (((t * 1.0) * dev.ones((3,)).traced(grads)).sum() for t in holder.tensors)
    loss = first + second
    start = [t.numpy().copy() for t in holder.tensors]
    opt.update(loss.backward())
    for t, values in zip(holder.tensors, start):
        np.testing.assert_allclose(t.numpy(), values - 1.0)


# ---------------------------------------------------------------- torch, step for step


def torch_mlp(model: Any, dtype: torch.dtype) -> torch.nn.Sequential:
    net = torch.nn.Sequential(
        torch.nn.Linear(6, 8), torch.nn.ReLU(), torch.nn.Linear(8, 5), torch.nn.ReLU(),
        torch.nn.Linear(5, 3),
    ).to(dtype)  # fmt: skip
    net.load_state_dict({k: torch.tensor(v.numpy()) for k, v in model.state_dict().items()})
    return net


OPTIMIZERS = {
    "sgd-momentum": (
        lambda m: optim.Sgd(m, lr=0.1, momentum=0.9),
        lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
    ),
    "adam": (lambda m: optim.Adam(m, lr=0.01), lambda p: torch.optim.Adam(p, lr=0.01)),
}


@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_readme_loop_follows_torch_with_input_gradients(name: str, dtype: str) -> None:
    """nn.Sequential, cross_entropy, `opt.update(model, grads)`, `zero_grads(grads)` reused:
    parameters step for step as torch's, and `grads[x]` read after the update (when the kept
    old weights are needed) or not at all (every other step) as torch's input gradient."""
    ours_dtype, torch_dtype = (
        (sh.Float32, torch.float32) if dtype == "float32" else (sh.Float64, torch.float64)
    )
    model = nn.Sequential(
        nn.Linear(6, 8, device=dev, dtype=ours_dtype), nn.ReLU(),
        nn.Linear(8, 5, device=dev, dtype=ours_dtype), nn.ReLU(),
        nn.Linear(5, 3, device=dev, dtype=ours_dtype),
    )  # fmt: skip
    net = torch_mlp(model, torch_dtype)
    ours_opt, theirs_opt = OPTIMIZERS[name]
    opt, torch_opt = ours_opt(model), theirs_opt(net.parameters())
    grads = model.alloc_grads()
    rng = np.random.default_rng(3)
    x_data = rng.standard_normal((7, 6)).astype(dtype)
    x = dev.tensor(x_data)  # one input held across steps, as benchmarks/cases.py holds it
    rtol = 1e-4 if dtype == "float32" else 1e-10
    for step in range(6):
        y = rng.integers(0, 3, 7)
        loss = losses.cross_entropy(model(x.traced(grads)), dev.tensor(y))
        opt.update(model, loss.backward())
        tx = torch.tensor(x_data, requires_grad=True)
        torch_opt.zero_grad()
        torch.nn.functional.cross_entropy(net(tx), torch.tensor(y)).backward()
        torch_opt.step()
        if step % 2 == 0:
            assert tx.grad is not None
            np.testing.assert_allclose(grads[x].numpy(), tx.grad.numpy(), rtol=rtol, atol=1e-6)
        model.zero_grads(grads)
        assert x not in grads
        for ours, theirs in zip(model.parameters(), net.parameters(), strict=True):
            np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=rtol, atol=1e-7)


def test_in_place_writes_look_only_at_gradients_with_deferred_ones() -> None:
    model = nn.Sequential(lin(3, 4), nn.ReLU(), lin(4, 2))
    opt = optim.Sgd(model, lr=0.1)
    grads = model.alloc_grads()
    x = dev.randn((5, 3))
    watching = tape_module._watching  # id -> weak reference
    assert id(grads) not in watching
    loss = model(x.traced(grads)).square().mean()
    loss.backward()
    assert id(grads) in watching  # x's gradient is deferred: it reads the first layer's weight
    opt.update(model, grads)
    model.zero_grads(grads)  # drops x's gradient: nothing deferred is left
    assert id(grads) not in watching and not grads._watch
    loss = model(x.traced(grads)).square().mean()
    loss.backward()
    assert id(grads) in watching
    grads[x]  # computed: nothing deferred is left either
    assert id(grads) not in watching
    opt.update(model, grads)  # writes with nobody watching


def test_a_write_after_the_gradients_died_is_safe() -> None:
    """A Gradients that held a deferred gradient and died is skipped; a live one still gets
    the old weights (the input gradient of sum(x @ W.T + b) is W's column sums, per row)."""
    model = nn.Sequential(lin(3, 2))
    opt = optim.Sgd(model, lr=0.1)
    dead = model.alloc_grads()
    model(dev.randn((4, 3)).traced(dead)).sum().backward()
    dead_id = id(dead)
    assert dead_id in tape_module._watching
    del dead
    gc.collect()
    assert dead_id not in tape_module._watching  # it took itself out
    grads = model.alloc_grads()
    x = dev.randn((4, 3))
    model(x.traced(grads)).sum().backward()
    weight = model[0].weight
    before, grad = weight.numpy().copy(), grads[weight].numpy().copy()
    opt.update(model, grads)
    np.testing.assert_allclose(weight.numpy(), before - np.float32(0.1) * grad, rtol=1e-6)
    np.testing.assert_allclose(grads[x].numpy(), np.tile(before.sum(axis=0), (4, 1)), rtol=1e-6)
