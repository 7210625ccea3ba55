"""nn.Identity, nn.ModuleList, nn.ModuleDict, Sequential from an OrderedDict, and the Module
API that walks submodules (children, named_modules, add_module, get_submodule, get_parameter,
apply) against torch.nn: names, state dicts, values, gradients, SGD steps, repr."""

from __future__ import annotations

import re
from collections import OrderedDict
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import shaped as sh
from shaped import nn, optim
from tests.oracle import tolerance

dev = sh.Cpu()
DTYPES = [(np.float32, sh.Float32, torch.float32), (np.float64, sh.Float64, torch.float64)]


def load_from(ours: nn.Module, theirs: torch.nn.Module) -> None:
    """torch's initial weights into ours, by torch's names (a torch state dict loads)."""
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})


def plain_repr(module: nn.Module) -> str:
    """Our repr without shaped's parameter-count comments: torch's text."""
    lines = [re.sub(r"  # [\d,]+ params?( each)?$", "", line) for line in repr(module).split("\n")]
    return "\n".join(line for line in lines if not line.startswith("Total params"))


class Ours(nn.Module):
    def __init__(self, dtype: Any) -> None:
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(4, 6, dtype=dtype), nn.Linear(6, 6, dtype=dtype)])
        self.layers.append(nn.Linear(6, 3, dtype=dtype))
        self.heads = nn.ModuleDict(
            {"mean": nn.Linear(3, 2, dtype=dtype), "scale": nn.Linear(3, 2, dtype=dtype)}
        )
        self.skip = nn.Identity(7, unused=1.0)

    def forward(self, x: Any) -> Any:
        for layer in self.layers[:-1]:
            x = layer(x).tanh()
        x = self.skip(self.layers[-1](x))
        return self.heads["mean"](x) * self.heads.scale(x).sigmoid()


class Theirs(torch.nn.Module):
    def __init__(self, dtype: torch.dtype) -> None:
        super().__init__()
        lin = torch.nn.Linear
        self.layers = torch.nn.ModuleList([lin(4, 6, dtype=dtype), lin(6, 6, dtype=dtype)])
        self.layers.append(lin(6, 3, dtype=dtype))
        self.heads = torch.nn.ModuleDict(
            {"mean": lin(3, 2, dtype=dtype), "scale": lin(3, 2, dtype=dtype)}
        )
        self.skip = torch.nn.Identity(7, unused=1.0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.layers[:-1]:
            x = layer(x).tanh()
        x = self.skip(self.layers[-1](x))
        return self.heads["mean"](x) * self.heads.scale(x).sigmoid()


@pytest.mark.parametrize(("np_dtype", "dtype", "torch_dtype"), DTYPES)
@settings(max_examples=6, deadline=None)
@given(batch=st.integers(0, 5), seed=st.integers(0, 2**16))
def test_list_and_dict_model_matches_torch(
    np_dtype: Any, dtype: Any, torch_dtype: torch.dtype, batch: int, seed: int
) -> None:
    torch.manual_seed(seed)
    ours, theirs = Ours(dtype), Theirs(torch_dtype)
    assert list(ours.state_dict()) == list(theirs.state_dict())  # layers.0.weight, heads.mean.bias
    load_from(ours, theirs)
    rtol, atol = tolerance(np_dtype)
    x = np.random.default_rng(seed).standard_normal((batch, 4)).astype(np_dtype)
    opt, their_opt = (
        optim.Sgd(ours, lr=0.1, momentum=0.9),
        torch.optim.SGD(theirs.parameters(), lr=0.1, momentum=0.9),
    )
    grads = ours.alloc_grads()
    for _ in range(3):
        xt, tx = dev.tensor(x).traced(grads), torch.tensor(x, requires_grad=True)
        out, ref = ours(xt), theirs(tx)
        np.testing.assert_allclose(out.numpy(), ref.detach().numpy(), rtol=rtol, atol=atol)
        out.square().sum().backward()
        their_opt.zero_grad()
        ref.square().sum().backward()
        assert tx.grad is not None
        np.testing.assert_allclose(grads[xt].numpy(), tx.grad.numpy(), rtol=rtol, atol=atol)
        for (name, param), (_, their) in zip(ours.named_parameters(), theirs.named_parameters()):
            assert their.grad is not None
            np.testing.assert_allclose(
                grads[param].numpy(), their.grad.numpy(), rtol=rtol, atol=atol, err_msg=name
            )
        opt.update(ours, grads)
        their_opt.step()
        ours.zero_grads(grads)
    for name, tensor in ours.state_dict().items():
        np.testing.assert_allclose(
            tensor.numpy(), theirs.state_dict()[name].numpy(), rtol=rtol * 10, atol=atol * 10
        )


def test_identity_passes_its_input_and_gradient() -> None:
    identity = nn.Identity(54, unused_argument1=0.1, unused_argument2=False)
    x = dev.randn((128, 20))
    assert identity(x) is x
    grads = sh.Gradients()
    xt = x.traced(grads)
    (identity(xt) * 3.0).sum().backward()
    np.testing.assert_array_equal(grads[xt].numpy(), np.full((128, 20), 3.0, np.float32))
    assert repr(identity) == repr(torch.nn.Identity(54)) == "Identity()"
    assert list(identity.parameters()) == []


# ---------------------------------------------------------------- ModuleList


def test_module_list_operations_name_as_torch() -> None:
    ours = nn.ModuleList([nn.Linear(2, 2), nn.ReLU()])
    theirs = torch.nn.ModuleList([torch.nn.Linear(2, 2), torch.nn.ReLU()])
    steps: list[tuple[str, Any, Any]] = [
        ("append", (nn.Linear(2, 3),), (torch.nn.Linear(2, 3),)),
        ("extend", ([nn.Tanh(), nn.Linear(3, 1)],), ([torch.nn.Tanh(), torch.nn.Linear(3, 1)],)),
        ("insert", (1, nn.Linear(2, 2, bias=False)), (1, torch.nn.Linear(2, 2, bias=False))),
        ("insert", (3, nn.Sigmoid()), (3, torch.nn.Sigmoid())),
        ("pop", (2,), (2,)),
    ]
    for method, mine, their in steps:
        getattr(ours, method)(*mine)
        getattr(theirs, method)(*their)
        assert list(ours.state_dict()) == list(theirs.state_dict()), method
        assert [type(m).__name__ for m in ours] == [type(m).__name__ for m in theirs]
    assert len(ours) == len(theirs) == 6
    assert isinstance(ours[1:3], nn.ModuleList) and list(ours[1:3]) == list(ours)[1:3]
    assert ours[-1] is list(ours)[-1]
    del ours[0]
    del theirs[0]
    ours += [nn.ReLU()]
    theirs += [torch.nn.ReLU()]
    ours[0] = nn.Linear(2, 5)
    theirs[0] = torch.nn.Linear(2, 5)
    joined = ours + nn.ModuleList([nn.Linear(5, 5)])
    assert isinstance(joined, nn.ModuleList) and len(joined) == len(ours) + 1
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [name for name, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    assert plain_repr(ours) == repr(theirs)
    with pytest.raises(IndexError, match="index 9 is out of range"):
        ours[9]
    with pytest.raises(TypeError, match=r"ModuleList\.append: expected a Module, got int"):
        ours.append(3)  # type: ignore[arg-type]


def test_module_list_repr_compresses_repeats_as_torch() -> None:
    ours = nn.ModuleList([nn.Linear(4, 4) for _ in range(3)] + [nn.ReLU(), nn.ReLU()])
    theirs = torch.nn.ModuleList(
        [torch.nn.Linear(4, 4) for _ in range(3)] + [torch.nn.ReLU(), torch.nn.ReLU()]
    )
    assert plain_repr(ours) == repr(theirs)
    assert repr(ours).split("\n")[1] == (
        "  (0-2): 3 x Linear(in_features=4, out_features=4, bias=True)  # 20 params each"
    )
    assert repr(nn.ModuleList()) == repr(torch.nn.ModuleList()) == "ModuleList()"
    model, their_model = Ours(sh.Float32), Theirs(torch.float32)
    assert plain_repr(model).replace("Ours", "Theirs") == repr(their_model)


def test_buffers_inside_containers_are_named_as_torch() -> None:
    ours = nn.ModuleDict({"norms": nn.ModuleList([nn.BatchNorm1d(3), nn.BatchNorm1d(3)])})
    theirs = torch.nn.ModuleDict(
        {"norms": torch.nn.ModuleList([torch.nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3)])}
    )
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    x = np.random.default_rng(0).standard_normal((6, 3))
    ours["norms"][1](dev.tensor(x, dtype=sh.Float32))
    theirs["norms"][1](torch.tensor(x, dtype=torch.float32))
    np.testing.assert_allclose(
        ours.get_buffer("norms.1.running_var").numpy(),
        theirs.get_buffer("norms.1.running_var").numpy(),
        rtol=1e-6,
    )


def test_containers_move_convert_and_switch_mode() -> None:
    model = Ours(sh.Float32)
    model.heads["drop"] = nn.Dropout(0.5)
    model.eval()
    assert not any(m.training for m in model.modules())
    assert model.heads.drop.training is False
    model.train()
    assert all(m.training for m in model.modules())
    model.to(sh.Float64)
    assert all(p.dtype is sh.Float64 for p in model.parameters())
    assert model.num_params() == sum(p.numel() for p in Theirs(torch.float32).parameters())


# ---------------------------------------------------------------- ModuleDict


def test_module_dict_operations_as_torch() -> None:
    ours = nn.ModuleDict({"query": nn.Linear(4, 4)})
    theirs = torch.nn.ModuleDict({"query": torch.nn.Linear(4, 4)})
    ours.update([("key", nn.Linear(4, 2)), ("act", nn.ReLU())])
    theirs.update([("key", torch.nn.Linear(4, 2)), ("act", torch.nn.ReLU())])
    ours["value"] = nn.Linear(4, 3)
    theirs["value"] = torch.nn.Linear(4, 3)
    ours.update(OrderedDict([("query", nn.Linear(4, 1))]))  # replaced in place: order kept
    theirs.update(OrderedDict([("query", torch.nn.Linear(4, 1))]))
    assert list(ours.keys()) == list(theirs.keys()) == ["query", "key", "act", "value"]
    assert list(ours) == list(theirs)
    assert [type(m).__name__ for m in ours.values()] == [type(m).__name__ for m in theirs.values()]
    assert [k for k, _ in ours.items()] == [k for k, _ in theirs.items()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert "key" in ours and "nothing" not in ours and len(ours) == 4
    assert ours["query"].out_features == 1 and ours.query is ours["query"]
    assert isinstance(ours.pop("act"), nn.ReLU) and isinstance(theirs.pop("act"), torch.nn.ReLU)
    del ours["key"]
    del theirs["key"]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert plain_repr(ours) == repr(theirs)
    load_from(ours, theirs)
    np.testing.assert_array_equal(
        ours["value"].weight.numpy(), theirs["value"].weight.detach().numpy()
    )
    ours.extra = nn.Linear(4, 1)  # an attribute that is a module is an entry, as torch
    theirs.extra = torch.nn.Linear(4, 1)
    assert list(ours.keys()) == list(theirs.keys()) == ["query", "value", "extra"]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    del ours.extra
    del theirs.extra
    assert list(ours) == list(theirs)
    ours.clear()
    assert len(ours) == 0 and list(ours.parameters()) == []


@pytest.mark.parametrize(
    ("key", "error", "message"),
    [
        ("a.b", KeyError, "can't be empty or contain '.'"),
        ("", KeyError, "can't be empty or contain '.'"),
        ("keys", KeyError, "attribute 'keys' already exists"),
        ("training", KeyError, "attribute 'training' already exists"),
        (3, TypeError, "ModuleDict keys must be str, got int"),
    ],
)
def test_module_dict_refuses_bad_keys_as_torch(
    key: Any, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=re.escape(message)):
        nn.ModuleDict()[key] = nn.ReLU()
    with pytest.raises((KeyError, TypeError)):
        torch.nn.ModuleDict()[key] = torch.nn.ReLU()


def test_module_dict_bad_values() -> None:
    with pytest.raises(TypeError, match=r"ModuleDict\['a'\]: expected a Module, got int"):
        nn.ModuleDict({"a": 1})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match=r"element 0 should be a \(key, module\) pair"):
        nn.ModuleDict([("a",)])  # type: ignore[list-item]
    with pytest.raises(AttributeError, match="'ModuleDict' object has no attribute 'missing'"):
        nn.ModuleDict().missing  # noqa: B018


# ---------------------------------------------------------------- Sequential from an OrderedDict


@pytest.mark.parametrize(("np_dtype", "dtype", "torch_dtype"), DTYPES)
def test_sequential_from_an_ordered_dict_matches_torch(
    np_dtype: Any, dtype: Any, torch_dtype: torch.dtype
) -> None:
    ours = nn.Sequential(
        OrderedDict(
            [
                ("conv1", nn.Conv2d(1, 4, 3, dtype=dtype)),
                ("relu1", nn.ReLU()),
                ("conv2", nn.Conv2d(4, 2, 3, dtype=dtype)),
                ("relu2", nn.ReLU()),
            ]
        )
    )
    theirs = torch.nn.Sequential(
        OrderedDict(
            [
                ("conv1", torch.nn.Conv2d(1, 4, 3, dtype=torch_dtype)),
                ("relu1", torch.nn.ReLU()),
                ("conv2", torch.nn.Conv2d(4, 2, 3, dtype=torch_dtype)),
                ("relu2", torch.nn.ReLU()),
            ]
        )
    )
    assert (
        list(ours.state_dict())
        == list(theirs.state_dict())
        == [
            "conv1.weight",
            "conv1.bias",
            "conv2.weight",
            "conv2.bias",
        ]
    )
    load_from(ours, theirs)
    assert ours.conv1 is ours[0] and ours.relu2 is ours[3] and len(ours) == 4
    assert plain_repr(ours) == repr(theirs)
    tail = ours[2:]
    assert (
        list(tail.state_dict()) == list(theirs[2:].state_dict()) == ["conv2.weight", "conv2.bias"]
    )
    rtol, atol = tolerance(np_dtype)
    x = np.random.default_rng(0).standard_normal((2, 1, 7, 7)).astype(np_dtype)
    grads = ours.alloc_grads()
    out = ours(dev.tensor(x).traced(grads))
    ref = theirs(torch.tensor(x))
    np.testing.assert_allclose(out.numpy(), ref.detach().numpy(), rtol=rtol, atol=atol)
    out.sum().backward()
    ref.sum().backward()
    for name, param in ours.named_parameters():
        their = theirs.get_parameter(name).grad
        assert their is not None
        np.testing.assert_allclose(grads[param].numpy(), their.numpy(), rtol=rtol, atol=atol)
    with pytest.raises(AttributeError, match="'Sequential' object has no attribute 'conv3'"):
        ours.conv3  # noqa: B018
    with pytest.raises(KeyError, match=re.escape("non-empty strs without '.'")):
        nn.Sequential(OrderedDict([("a.b", nn.ReLU())]))


def test_sequential_layer_error_names_the_layer_by_position() -> None:
    seq = nn.Sequential(OrderedDict([("fc1", nn.Linear(4, 3)), ("fc2", nn.Linear(5, 2))]))
    with pytest.raises(sh.ShapeError, match=r"Sequential layer 1 \(Linear\[5, 2\]\)"):
        seq(dev.zeros((2, 4)))


# ---------------------------------------------------------------- walking submodules


class Block(nn.Module):
    def __init__(self, shared: nn.Module) -> None:
        super().__init__()
        self.inner = nn.Linear(2, 2)
        self.shared = shared


class TorchBlock(torch.nn.Module):
    def __init__(self, shared: torch.nn.Module) -> None:
        super().__init__()
        self.inner = torch.nn.Linear(2, 2)
        self.shared = shared


def pair_of_models() -> tuple[nn.Module, torch.nn.Module]:
    shared, their_shared = nn.Linear(2, 2), torch.nn.Linear(2, 2)
    ours, theirs = nn.Module(), torch.nn.Module()
    ours.first = Block(shared)
    ours.second = Block(shared)
    ours.again = ours.first  # the same child twice
    ours.tail = nn.Sequential(nn.ReLU(), shared)
    theirs.first = TorchBlock(their_shared)
    theirs.second = TorchBlock(their_shared)
    theirs.again = theirs.first
    theirs.tail = torch.nn.Sequential(torch.nn.ReLU(), their_shared)
    return ours, theirs


def test_children_and_modules_order_and_dedup_as_torch() -> None:
    ours, theirs = pair_of_models()
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    assert len(list(ours.children())) == len(list(theirs.children())) == 3
    names = [n for n, _ in ours.named_modules()]
    assert names == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in ours.named_modules(remove_duplicate=False)] == [
        n for n, _ in theirs.named_modules(remove_duplicate=False)
    ]
    assert [type(m).__name__ for m in ours.modules()] == [
        type(m).__name__.removeprefix("Torch") for m in theirs.modules()
    ]


def test_apply_is_post_order_as_torch() -> None:
    ours, theirs = pair_of_models()
    seen: list[str] = []
    their_seen: list[str] = []
    assert ours.apply(lambda m: seen.append(type(m).__name__)) is ours
    theirs.apply(lambda m: their_seen.append(type(m).__name__.removeprefix("Torch")))
    assert seen == their_seen


def test_apply_initialises_weights() -> None:
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))

    def init(module: nn.Module) -> None:
        if isinstance(module, nn.Linear):
            module.weight.copy_(np.full(module.weight.shape, 0.5, np.float32))

    model.apply(init)
    assert all((layer.weight.numpy() == 0.5).all() for layer in (model[0], model[2]))


def test_add_module_get_submodule_get_parameter_as_torch() -> None:
    ours, theirs = nn.Module(), torch.nn.Module()
    ours.add_module("encoder", nn.Sequential(nn.Linear(2, 3), nn.ReLU()))
    theirs.add_module("encoder", torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU()))
    ours.register_module("norm", nn.BatchNorm1d(3))
    theirs.register_module("norm", torch.nn.BatchNorm1d(3))
    ours.blocks = [nn.Linear(3, 3)]  # shaped registers modules in plain lists too
    assert list(ours.state_dict())[:7] == list(theirs.state_dict())[:7]
    assert ours.get_submodule("encoder.0") is ours.encoder[0]
    assert ours.get_submodule("") is ours
    assert ours.get_submodule("blocks.0") is ours.blocks[0]
    assert ours.get_parameter("encoder.0.weight") is ours.encoder[0].weight
    assert ours.get_parameter("blocks.0.bias") is ours.blocks[0].bias
    assert ours.get_buffer("norm.running_mean") is ours.norm.running_mean
    for target, message in [
        ("encoder.5", "Sequential has no attribute `5`"),
        ("nothing.0", "Module has no attribute `nothing`"),
    ]:
        with pytest.raises(AttributeError, match=re.escape(message)):
            ours.get_submodule(target)
        with pytest.raises(AttributeError, match=re.escape(message)):
            theirs.get_submodule(target)
    with pytest.raises(AttributeError, match=r"`norm\.running_mean` is a buffer, not a parameter"):
        ours.get_parameter("norm.running_mean")
    with pytest.raises(AttributeError, match="Linear has no parameter `scale`"):
        ours.get_parameter("encoder.0.scale")
    with pytest.raises(KeyError, match="attribute 'training' already exists"):
        ours.add_module("training", nn.ReLU())
    with pytest.raises(KeyError, match=re.escape("can't be empty or contain '.'")):
        ours.add_module("a.b", nn.ReLU())
    with pytest.raises(TypeError, match="'x' must be a Module"):
        ours.add_module("x", 3)  # type: ignore[arg-type]
