"""Forward hooks against torch: pre-hooks that change the input, hooks that change or record
the output, handles, order, `prepend`, `with_kwargs`, and modules without hooks untouched."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

import shaped as sh
from shaped import nn
from tests.oracle import tolerance

dev = sh.Cpu()


def linear_pair(dtype: Any, torch_dtype: torch.dtype) -> tuple[nn.Linear[Any, Any, Any], Any]:
    torch.manual_seed(0)
    theirs = torch.nn.Linear(3, 2, dtype=torch_dtype)
    ours = nn.Linear(3, 2, dtype=dtype)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    return ours, theirs


@pytest.mark.parametrize(
    ("np_dtype", "dtype", "torch_dtype"),
    [(np.float32, sh.Float32, torch.float32), (np.float64, sh.Float64, torch.float64)],
)
def test_hooks_that_change_input_and_output_match_torch(
    np_dtype: Any, dtype: Any, torch_dtype: torch.dtype
) -> None:
    ours, theirs = linear_pair(dtype, torch_dtype)
    for module in (ours, theirs):
        module.register_forward_pre_hook(lambda m, args: args[0] * 2.0)  # one value: wrapped
        module.register_forward_pre_hook(lambda m, args: (args[0].tanh(),))
        module.register_forward_hook(lambda m, args, out: out * args[0].sum())
        module.register_forward_hook(lambda m, args, out: None)  # None keeps the output
    x = np.random.default_rng(0).standard_normal((4, 3)).astype(np_dtype)
    grads = ours.alloc_grads()
    xt, tx = dev.tensor(x).traced(grads), torch.tensor(x, requires_grad=True)
    out, ref = ours(xt), theirs(tx)
    rtol, atol = tolerance(np_dtype)
    np.testing.assert_allclose(out.numpy(), ref.detach().numpy(), rtol=rtol, atol=atol)
    out.square().sum().backward()
    ref.square().sum().backward()
    assert tx.grad is not None and theirs.weight.grad is not None
    np.testing.assert_allclose(grads[xt].numpy(), tx.grad.numpy(), rtol=rtol, atol=atol)
    np.testing.assert_allclose(
        grads[ours.weight].numpy(), theirs.weight.grad.numpy(), rtol=rtol, atol=atol
    )


def test_feature_extraction_inside_a_model_as_torch() -> None:
    torch.manual_seed(1)
    theirs = torch.nn.Sequential(
        torch.nn.Linear(4, 5), torch.nn.ReLU(), torch.nn.Linear(5, 2), torch.nn.Sigmoid()
    )
    ours = nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 2), nn.Sigmoid())
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    features: dict[str, list[Any]] = {"ours": [], "theirs": []}
    for key, model in (("ours", ours), ("theirs", theirs)):
        for name, module in model.named_modules():
            if name:
                module.register_forward_hook(
                    lambda m, args, out, key=key, name=name: features[key].append((name, out))
                )
    x = np.random.default_rng(3).standard_normal((3, 4)).astype(np.float32)
    ours(dev.tensor(x))
    theirs(torch.tensor(x))
    assert [n for n, _ in features["ours"]] == [n for n, _ in features["theirs"]] == list("0123")
    for (_, mine), (_, their) in zip(features["ours"], features["theirs"]):
        np.testing.assert_allclose(mine.numpy(), their.detach().numpy(), rtol=1e-6, atol=1e-6)


def test_order_prepend_with_kwargs_and_removal_as_torch() -> None:
    logs: dict[str, list[str]] = {"ours": [], "theirs": []}

    class Scale(nn.Module):
        def forward(self, x: Any, *, factor: float = 1.0) -> Any:
            return x * factor

    class TorchScale(torch.nn.Module):
        def forward(self, x: Any, *, factor: float = 1.0) -> Any:
            return x * factor

    results = {}
    for key, module, x in (
        ("ours", Scale(), dev.tensor([1.0, 2.0])),
        ("theirs", TorchScale(), torch.tensor([1.0, 2.0])),
    ):
        log = logs[key]
        first = module.register_forward_pre_hook(lambda m, a, log=log: log.append("pre-a"))
        module.register_forward_pre_hook(lambda m, a, log=log: log.append("pre-b"), prepend=True)

        def with_kwargs(m: Any, args: Any, kwargs: Any, log: list[str] = log) -> Any:
            log.append(f"kw-{kwargs.get('factor')}")
            return args, {"factor": kwargs.get("factor", 1.0) * 10}

        module.register_forward_pre_hook(with_kwargs, with_kwargs=True)
        module.register_forward_hook(
            lambda m, a, kw, out, log=log: log.append(f"post-{kw['factor']}"), with_kwargs=True
        )
        out = module(x, factor=2.0)
        first.remove()
        first.remove()  # a second remove does nothing
        out2 = module(x, factor=3.0)
        results[key] = (out.tolist(), out2.tolist())
    assert (
        logs["ours"]
        == logs["theirs"]
        == [
            "pre-b",
            "pre-a",
            "kw-2.0",
            "post-20.0",
            "pre-b",
            "kw-3.0",
            "post-30.0",
        ]
    )
    assert results["ours"] == results["theirs"]


def test_a_module_without_hooks_is_itself_again() -> None:
    lin = nn.Linear(3, 2)
    plain = type(lin)
    calls: list[int] = []
    with lin.register_forward_hook(lambda m, a, o: calls.append(1)) as handle:
        assert isinstance(lin, nn.Linear) and type(lin).__name__ == "Linear"
        assert repr(lin) == "Linear(in_features=3, out_features=2, bias=True)"
        assert list(lin.state_dict()) == ["weight", "bias"]
        lin(dev.zeros((1, 3)))
        lin.forward(dev.zeros((1, 3)))  # forward itself runs no hooks, as torch
        assert isinstance(handle, nn.RemovableHandle)
    assert type(lin) is plain and "_forward_hooks" not in vars(lin)
    lin(dev.zeros((1, 3)))
    assert calls == [1]
    pre = lin.register_forward_pre_hook(lambda m, a: None)
    post = lin.register_forward_hook(lambda m, a, o: None)
    pre.remove()
    assert type(lin) is not plain  # one hook left
    post.remove()
    assert type(lin) is plain


def test_hooks_on_sequential_and_errors() -> None:
    seq = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    seen: list[tuple[int, ...]] = []
    seq.register_forward_hook(lambda m, a, out: seen.append(out.shape))
    out = seq(dev.ones((5, 2)))
    assert seen == [(5, 2)] and isinstance(seq, tuple) and len(seq) == 2
    assert seq[1:].__class__.__name__ == "Sequential"
    assert out.shape == (5, 2)
    with pytest.raises(TypeError, match="forward hook must be callable, got int"):
        seq.register_forward_hook(3)  # type: ignore[arg-type]
    lin = nn.Linear(2, 2)
    lin.register_forward_pre_hook(lambda m, a, k: 3, with_kwargs=True)
    with pytest.raises(RuntimeError, match=r"must return None or a tuple \(new_args, new_kwargs\)"):
        lin(dev.ones((1, 2)))
