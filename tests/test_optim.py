"""sh.optim against torch.optim: ten steps on several parameters, every option, two dtypes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

import shaped as sh
from shaped import optim

SHAPES = [(3, 4), (4,), (2, 3, 2), ()]
TOLERANCE = {np.float64: (1e-10, 1e-12), np.float32: (1e-5, 1e-6)}

# (our class, torch class, keyword arguments both take)
CASES: dict[str, tuple[Any, Any, dict[str, Any]]] = {
    "sgd": (optim.Sgd, torch.optim.SGD, {"lr": 0.1}),
    "sgd-momentum": (optim.Sgd, torch.optim.SGD, {"lr": 0.1, "momentum": 0.9}),
    "sgd-dampening": (
        optim.Sgd,
        torch.optim.SGD,
        {"lr": 0.1, "momentum": 0.9, "dampening": 0.3},
    ),
    "sgd-nesterov": (
        optim.Sgd,
        torch.optim.SGD,
        {"lr": 0.05, "momentum": 0.8, "nesterov": True},
    ),
    "sgd-weight-decay": (optim.Sgd, torch.optim.SGD, {"lr": 0.1, "weight_decay": 0.1}),
    "sgd-all": (
        optim.Sgd,
        torch.optim.SGD,
        {"lr": 0.05, "momentum": 0.5, "nesterov": True, "weight_decay": 0.2},
    ),
    "adam": (optim.Adam, torch.optim.Adam, {}),
    "adam-lr": (optim.Adam, torch.optim.Adam, {"lr": 0.05}),
    # beta1 = 0.3 makes lerp's weight 0.7: torch's other lerp formula
    "adam-betas": (optim.Adam, torch.optim.Adam, {"lr": 0.02, "betas": (0.3, 0.8)}),
    "adam-eps": (optim.Adam, torch.optim.Adam, {"lr": 0.02, "eps": 1e-2}),
    "adam-weight-decay": (optim.Adam, torch.optim.Adam, {"lr": 0.02, "weight_decay": 0.3}),
    "adamw": (optim.AdamW, torch.optim.AdamW, {}),
    "adamw-weight-decay": (
        optim.AdamW,
        torch.optim.AdamW,
        {"lr": 0.02, "weight_decay": 0.3, "betas": (0.8, 0.9)},
    ),
    "rmsprop": (optim.RMSprop, torch.optim.RMSprop, {}),
    "rmsprop-alpha": (optim.RMSprop, torch.optim.RMSprop, {"lr": 0.01, "alpha": 0.3}),
    "rmsprop-centered": (optim.RMSprop, torch.optim.RMSprop, {"centered": True}),
    "rmsprop-momentum": (optim.RMSprop, torch.optim.RMSprop, {"momentum": 0.9}),
    "rmsprop-all": (
        optim.RMSprop,
        torch.optim.RMSprop,
        {
            "lr": 0.005,
            "alpha": 0.9,
            "eps": 1e-3,
            "momentum": 0.7,
            "centered": True,
            "weight_decay": 0.1,
        },
    ),
}


class Model:
    """A stand-in for sh.nn.Module: the optimizers only call parameters()."""

    def __init__(self, tensors: list[sh.Tensor[Any, Any, Any, Any]]) -> None:
        self.tensors = tensors

    def parameters(self) -> list[sh.Tensor[Any, Any, Any, Any]]:
        return list(self.tensors)

    def named_parameters(self) -> list[tuple[str, sh.Tensor[Any, Any, Any, Any]]]:
        return [(str(i), t) for i, t in enumerate(self.tensors)]


def quadratic_grads(
    params: list[sh.Tensor[Any, Any, Any, Any]], rng: np.random.Generator, used: list[bool]
) -> sh.Gradients:
    """A real backward of sum(p * p * a / 2 + p * b): gradients p * a + b, new a, b each call."""
    grads = sh.Gradients()
    loss = None
    for param, use in zip(params, used):
        dtype = param.numpy().dtype
        a = sh.Cpu().tensor(rng.uniform(0.5, 2.0, param.shape).astype(dtype))
        b = sh.Cpu().tensor(rng.standard_normal(param.shape).astype(dtype))
        traced = param.traced(grads)
        term = (traced * traced * a * 0.5 + traced * b).sum()
        if use:
            loss = term if loss is None else loss + term
    assert loss is not None
    return loss.backward()


def compare(
    ours: Callable[[Model], Any],
    theirs: Callable[[list[torch.Tensor]], torch.optim.Optimizer],
    dtype: Any,
    steps: int = 10,
) -> None:
    """Run both optimizers on the same gradients; the parameters must agree after every step.

    Parameter 3 gets a gradient on even steps only (its state must wait, as torch's does);
    the last parameter never gets one (it must stay the very same array).
    """
    rng = np.random.default_rng(0)
    dev = sh.Cpu()
    initial = [rng.standard_normal(shape).astype(dtype) for shape in [*SHAPES, (2,)]]
    params = [dev.tensor(array) for array in initial]
    references = [torch.tensor(array, requires_grad=True) for array in initial]
    model = Model(params)
    opt = ours(model)
    torch_opt = theirs(references)
    untouched = params[-1]._data
    rtol, atol = TOLERANCE[dtype]
    for step in range(steps):
        if step == 5:  # a learning-rate schedule: both read lr at each step
            opt.lr = opt.lr * 0.5
            for group in torch_opt.param_groups:
                group["lr"] *= 0.5
        used = [True, True, True, step % 2 == 0, False]
        grads = quadratic_grads(params, rng, used)
        opt.update(model, grads)
        for param, reference, use in zip(params, references, used):
            reference.grad = torch.tensor(grads[param].numpy()) if use else None
        torch_opt.step()
        for i, (param, reference) in enumerate(zip(params, references)):
            assert param.dtype.name == np.dtype(dtype).name
            np.testing.assert_allclose(
                param.numpy(),
                reference.detach().numpy(),
                rtol=rtol,
                atol=atol,
                err_msg=f"parameter {i} after step {step}",
            )
    assert params[-1]._data is untouched


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", CASES)
def test_matches_torch(case: str, dtype: Any) -> None:
    cls, torch_cls, kwargs = CASES[case]
    compare(
        lambda model: cls(model, **kwargs),
        lambda params: torch_cls(params, foreach=False, **kwargs),
        dtype,
    )


def test_adam_l2_and_adamw_decoupled_decay_differ() -> None:
    """Same hyper-parameters: Adam adds the decay to the gradient, AdamW shrinks p directly."""
    finals = []
    for cls in (optim.Adam, optim.AdamW):
        params = [sh.Cpu().tensor(np.linspace(-2.0, 2.0, 5))]
        model = Model(params)
        opt = cls(model, lr=0.1, weight_decay=0.5)
        for _ in range(3):
            opt.update(model, quadratic_grads(params, np.random.default_rng(1), [True]))
        finals.append(params[0].numpy())
    assert not np.allclose(finals[0], finals[1])


def test_adamw_default_decay_is_torchs() -> None:
    opt = optim.AdamW(Model([]))
    assert opt.weight_decay == torch.optim.AdamW([torch.zeros(1)]).defaults["weight_decay"]
    assert optim.Adam(Model([])).weight_decay == 0.0


@pytest.mark.parametrize("case", CASES)
def test_update_is_in_place_and_a_late_input_gradient_uses_the_old_weight(case: str) -> None:
    """The parameter's array is updated in place (a view made before follows it, as in torch);
    the traced input's gradient, read only after the update, is still the one at the weight
    the forward pass used, as torch's (computed at backward) is."""
    cls, _, kwargs = CASES[case]
    dev = sh.Cpu()
    rng = np.random.default_rng(2)
    weight = dev.tensor(rng.standard_normal((3, 4)))
    upstream = rng.standard_normal((2, 4))
    grads = sh.Gradients()
    x = dev.tensor(rng.standard_normal((2, 3))).traced(grads)
    grads = ((x @ weight) * dev.tensor(upstream)).sum().backward()
    old, view = weight._data, weight.T
    snapshot = old.copy()
    model = Model([weight])
    opt = cls(model, **kwargs)
    opt.update(model, grads)
    assert weight._data is old
    assert not np.allclose(weight.numpy(), snapshot)
    np.testing.assert_array_equal(view.numpy(), weight.numpy().T)
    # read only now: computed at the weight of the forward pass, and the weight is unchanged
    after = weight.numpy()
    np.testing.assert_allclose(grads[x].numpy(), upstream @ snapshot.T, rtol=1e-12)
    np.testing.assert_array_equal(weight.numpy(), after)


@pytest.mark.parametrize("case", ["sgd-all", "adamw-weight-decay", "rmsprop-all"])
def test_tied_parameter_steps_once(case: str) -> None:
    cls, _, kwargs = CASES[case]
    results = []
    for repeat in (1, 2):
        params = [sh.Cpu().tensor(np.linspace(-1.0, 1.0, 6))]
        model = Model(params * repeat)
        opt = cls(model, **kwargs)
        for step in range(3):
            opt.update(model, quadratic_grads(params, np.random.default_rng(step), [True]))
        results.append(params[0].numpy())
    np.testing.assert_array_equal(results[0], results[1])


@pytest.mark.parametrize("case", ["sgd-all", "adam-weight-decay", "rmsprop-all"])
def test_float32_stays_float32_with_numpy_scalar_hyper_parameters(case: str) -> None:
    cls, _, kwargs = CASES[case]
    kwargs = {k: np.float64(v) if isinstance(v, float) else v for k, v in kwargs.items()}
    params = [sh.Cpu().tensor(np.ones((2, 2), dtype=np.float32)), sh.Cpu().zeros(())]
    model = Model(params)
    opt = cls(model, **kwargs)
    opt.lr = np.float64(0.01)
    for step in range(2):
        opt.update(model, quadratic_grads(params, np.random.default_rng(step), [True, True]))
    for param in params:
        assert param.dtype is sh.Float32
        assert isinstance(param._data, np.ndarray)  # rank 0 too: an array, not a numpy scalar


def test_parameter_without_gradient_keeps_its_state() -> None:
    """A parameter missing from one update is skipped entirely: Adam's step count waits."""
    dev = sh.Cpu()
    rng = np.random.default_rng(3)
    initial = rng.standard_normal(4)
    skipping, always = dev.tensor(initial), dev.tensor(initial)
    model = Model([skipping, always])
    opt = optim.Adam(model, lr=0.1)
    for step in range(4):
        step_rng = np.random.default_rng(step)
        grads = quadratic_grads([skipping, always], step_rng, [step != 1, True])
        if step == 1:
            before = skipping._data
            opt.update(model, grads)
            assert skipping._data is before
            continue
        opt.update(model, grads)
    # a fresh Adam that saw the same three gradients in a row lands where `skipping` did
    fresh = dev.tensor(initial)
    fresh_model = Model([fresh])
    fresh_opt = optim.Adam(fresh_model, lr=0.1)
    for step in (0, 2, 3):
        grads = quadratic_grads(
            [fresh, dev.tensor(initial)], np.random.default_rng(step), [True, False]
        )
        fresh_opt.update(fresh_model, grads)
    np.testing.assert_array_equal(fresh.numpy(), skipping.numpy())


BAD_HYPER_PARAMETERS = [
    (optim.Sgd, {"lr": -0.1}, "invalid lr -0.1"),
    (optim.Sgd, {"lr": float("nan")}, "invalid lr nan"),
    (optim.Sgd, {"lr": 0.1, "momentum": -0.5}, "invalid momentum"),
    (optim.Sgd, {"lr": 0.1, "weight_decay": -1.0}, "invalid weight_decay"),
    (optim.Sgd, {"lr": 0.1, "nesterov": True}, "nesterov needs momentum > 0"),
    (
        optim.Sgd,
        {"lr": 0.1, "nesterov": True, "momentum": 0.9, "dampening": 0.1},
        "dampening 0",
    ),
    (optim.Adam, {"lr": -1e-3}, "invalid lr"),
    (optim.Adam, {"eps": -1e-8}, "invalid eps"),
    (optim.Adam, {"betas": (1.0, 0.999)}, r"invalid betas\[0\] 1.0: it must be in \[0.0, 1.0\)"),
    (optim.Adam, {"betas": (0.9, -0.1)}, r"invalid betas\[1\]"),
    (optim.Adam, {"betas": (0.9, 0.99, 0.9)}, "betas must be a pair"),
    (optim.Adam, {"weight_decay": -0.1}, "invalid weight_decay"),
    (optim.AdamW, {"lr": -1.0}, "AdamW: invalid lr"),
    (optim.AdamW, {"weight_decay": -0.01}, "invalid weight_decay"),
    (optim.RMSprop, {"lr": -0.01}, "invalid lr"),
    (optim.RMSprop, {"alpha": -0.5}, "invalid alpha"),
    (optim.RMSprop, {"eps": -1.0}, "invalid eps"),
    (optim.RMSprop, {"momentum": -0.9}, "invalid momentum"),
    (optim.RMSprop, {"weight_decay": -0.9}, "invalid weight_decay"),
]


@pytest.mark.parametrize(("cls", "kwargs", "message"), BAD_HYPER_PARAMETERS)
def test_bad_hyper_parameters(cls: Any, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cls(Model([]), **kwargs)


def test_lr_assignment_is_checked() -> None:
    opt = optim.Sgd(Model([]), lr=0.1)
    with pytest.raises(ValueError, match=r"Sgd: invalid lr -1\.0: it must be >= 0\.0"):
        opt.lr = -1.0
    assert opt.lr == 0.1


def test_model_without_parameters_method() -> None:
    with pytest.raises(TypeError, match="parameters\\(\\) method"):
        optim.Adam(object())  # type: ignore[arg-type]


def test_repr_shows_settings() -> None:
    text = repr(optim.RMSprop(Model([]), centered=True))
    assert text.startswith("RMSprop(lr=0.01, alpha=0.99, eps=1e-08, momentum=0.0, centered=True")
