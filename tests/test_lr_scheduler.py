"""sh.optim.lr_scheduler against torch.optim.lr_scheduler: the lrs (and cycled momentum)
of every param group, step for step, and a schedule resumed from a checkpoint."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

import shaped as sh
from shaped import optim
from shaped.optim import lr_scheduler as ours

LRS = (0.1, 0.03, 0.5)  # three param groups, three lrs


def optimizers(kind: str = "sgd") -> tuple[optim.Optimizer, torch.optim.Optimizer]:
    dev = sh.Cpu()
    params = [dev.zeros((2,)), dev.zeros((3,)), dev.zeros(())]
    references = [torch.zeros(2), torch.zeros(3), torch.zeros(())]
    if kind == "sgd":
        mine: optim.Optimizer = optim.Sgd(
            [{"params": [p], "lr": lr} for p, lr in zip(params, LRS)], momentum=0.9
        )
        theirs: torch.optim.Optimizer = torch.optim.SGD(
            [{"params": [p], "lr": lr} for p, lr in zip(references, LRS)], momentum=0.9
        )
    else:
        mine = optim.Adam([{"params": [p], "lr": lr} for p, lr in zip(params, LRS)])
        theirs = torch.optim.Adam([{"params": [p], "lr": lr} for p, lr in zip(references, LRS)])
    return mine, theirs


class Halving:
    """A callable object: its __dict__ is saved by LambdaLR's state_dict, as torch's."""

    def __init__(self) -> None:
        self.rate = 0.5

    def __call__(self, epoch: int) -> float:
        return self.rate ** (epoch // 3)


# name -> (ours, torch's) constructors taking the optimizer
Make = Callable[[Any], Any]
CASES: dict[str, tuple[Make, Make]] = {
    "step": (
        lambda o: ours.StepLR(o, step_size=3, gamma=0.5),
        lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5),
    ),
    "multistep": (
        lambda o: ours.MultiStepLR(o, milestones=[2, 5, 5, 11], gamma=0.3),
        lambda o: torch.optim.lr_scheduler.MultiStepLR(o, milestones=[2, 5, 5, 11], gamma=0.3),
    ),
    "exponential": (
        lambda o: ours.ExponentialLR(o, gamma=0.93),
        lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.93),
    ),
    "cosine": (
        lambda o: ours.CosineAnnealingLR(o, T_max=7, eta_min=0.001),
        lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=7, eta_min=0.001),
    ),
    "warm-restarts": (
        lambda o: ours.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.01),
        lambda o: torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(
            o, T_0=3, T_mult=2, eta_min=0.01
        ),
    ),
    "warm-restarts-1": (
        lambda o: ours.CosineAnnealingWarmRestarts(o, T_0=4),
        lambda o: torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=4),
    ),
    "linear": (
        lambda o: ours.LinearLR(o, start_factor=0.25, end_factor=0.9, total_iters=8),
        lambda o: torch.optim.lr_scheduler.LinearLR(
            o, start_factor=0.25, end_factor=0.9, total_iters=8
        ),
    ),
    "linear-default": (
        lambda o: ours.LinearLR(o),
        lambda o: torch.optim.lr_scheduler.LinearLR(o),
    ),
    "constant": (
        lambda o: ours.ConstantLR(o, factor=0.4, total_iters=6),
        lambda o: torch.optim.lr_scheduler.ConstantLR(o, factor=0.4, total_iters=6),
    ),
    "lambda": (
        lambda o: ours.LambdaLR(o, [lambda e: 0.9**e, Halving(), lambda e: 1 / (e + 1)]),
        lambda o: torch.optim.lr_scheduler.LambdaLR(
            o, [lambda e: 0.9**e, Halving(), lambda e: 1 / (e + 1)]
        ),
    ),
    "multiplicative": (
        lambda o: ours.MultiplicativeLR(o, lambda e: 0.95 if e % 2 else 0.99),
        lambda o: torch.optim.lr_scheduler.MultiplicativeLR(o, lambda e: 0.95 if e % 2 else 0.99),
    ),
    "polynomial": (
        lambda o: ours.PolynomialLR(o, total_iters=9, power=2.0),
        lambda o: torch.optim.lr_scheduler.PolynomialLR(o, total_iters=9, power=2.0),
    ),
    "onecycle": (
        lambda o: ours.OneCycleLR(o, max_lr=[1.0, 0.5, 0.2], total_steps=40),
        lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=[1.0, 0.5, 0.2], total_steps=40),
    ),
    "onecycle-linear-three-phase": (
        lambda o: ours.OneCycleLR(
            o,
            max_lr=0.8,
            epochs=4,
            steps_per_epoch=10,
            pct_start=0.25,
            anneal_strategy="linear",
            three_phase=True,
            base_momentum=0.7,
            max_momentum=0.99,
            div_factor=10.0,
            final_div_factor=100.0,
        ),
        lambda o: torch.optim.lr_scheduler.OneCycleLR(
            o,
            max_lr=0.8,
            epochs=4,
            steps_per_epoch=10,
            pct_start=0.25,
            anneal_strategy="linear",
            three_phase=True,
            base_momentum=0.7,
            max_momentum=0.99,
            div_factor=10.0,
            final_div_factor=100.0,
        ),
    ),
    "onecycle-no-momentum": (
        lambda o: ours.OneCycleLR(o, max_lr=0.3, total_steps=40, cycle_momentum=False),
        lambda o: torch.optim.lr_scheduler.OneCycleLR(
            o, max_lr=0.3, total_steps=40, cycle_momentum=False
        ),
    ),
    "cyclic": (
        lambda o: ours.CyclicLR(
            o, base_lr=0.01, max_lr=[0.1, 0.2, 0.05], step_size_up=4, step_size_down=7
        ),
        lambda o: torch.optim.lr_scheduler.CyclicLR(
            o, base_lr=0.01, max_lr=[0.1, 0.2, 0.05], step_size_up=4, step_size_down=7
        ),
    ),
    "cyclic-triangular2": (
        lambda o: ours.CyclicLR(
            o, 0.001, 0.1, step_size_up=3, mode="triangular2", base_momentum=0.6
        ),
        lambda o: torch.optim.lr_scheduler.CyclicLR(
            o, 0.001, 0.1, step_size_up=3, mode="triangular2", base_momentum=0.6
        ),
    ),
    "cyclic-exp-range": (
        lambda o: ours.CyclicLR(o, 0.001, 0.1, step_size_up=5, mode="exp_range", gamma=0.97),
        lambda o: torch.optim.lr_scheduler.CyclicLR(
            o, 0.001, 0.1, step_size_up=5, mode="exp_range", gamma=0.97
        ),
    ),
    "cyclic-scale-fn": (
        lambda o: ours.CyclicLR(
            o,
            0.001,
            0.1,
            step_size_up=2,
            scale_fn=Halving(),
            scale_mode="iterations",
            cycle_momentum=False,
        ),
        lambda o: torch.optim.lr_scheduler.CyclicLR(
            o,
            0.001,
            0.1,
            step_size_up=2,
            scale_fn=Halving(),
            scale_mode="iterations",
            cycle_momentum=False,
        ),
    ),
    "sequential": (
        lambda o: ours.SequentialLR(
            o,
            [
                ours.LinearLR(o, start_factor=0.1, total_iters=4),
                ours.ExponentialLR(o, 0.9),
                ours.StepLR(o, 2),
            ],
            milestones=[5, 12],
        ),
        lambda o: torch.optim.lr_scheduler.SequentialLR(
            o,
            [
                torch.optim.lr_scheduler.LinearLR(o, start_factor=0.1, total_iters=4),
                torch.optim.lr_scheduler.ExponentialLR(o, 0.9),
                torch.optim.lr_scheduler.StepLR(o, 2),
            ],
            milestones=[5, 12],
        ),
    ),
    "chained": (
        lambda o: ours.ChainedScheduler(
            [
                ours.ConstantLR(o, factor=0.5, total_iters=3),
                ours.ExponentialLR(o, gamma=0.9),
                ours.CosineAnnealingLR(o, T_max=6),
            ]
        ),
        lambda o: torch.optim.lr_scheduler.ChainedScheduler(
            [
                torch.optim.lr_scheduler.ConstantLR(o, factor=0.5, total_iters=3),
                torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.9),
                torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=6),
            ]
        ),
    ),
}
STEPS = {"onecycle": 40, "onecycle-linear-three-phase": 40, "onecycle-no-momentum": 40}


def momenta(opt: Any) -> list[Any]:
    return [g.get("momentum", g.get("betas")) for g in opt.param_groups]


def assert_same(mine: Any, theirs: Any, step: int) -> None:
    assert mine.get_last_lr() == pytest.approx(theirs.get_last_lr(), rel=1e-14, abs=0), step
    assert [g["lr"] for g in mine.optimizer.param_groups] == pytest.approx(
        [g["lr"] for g in theirs.optimizer.param_groups], rel=1e-14, abs=0
    ), step
    for a, b in zip(momenta(mine.optimizer), momenta(theirs.optimizer)):
        assert a == pytest.approx(b, rel=1e-14, abs=1e-300), step


@pytest.fixture(autouse=True)
def _quiet() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's "call optimizer.step() first"
        yield


@pytest.mark.parametrize("kind", ["sgd", "adam"])
@pytest.mark.parametrize("case", CASES)
def test_matches_torch(case: str, kind: str) -> None:
    make, make_torch = CASES[case]
    opt, torch_opt = optimizers(kind)
    mine, theirs = make(opt), make_torch(torch_opt)
    assert_same(mine, theirs, -1)
    for step in range(STEPS.get(case, 60)):
        mine.step()
        theirs.step()
        if hasattr(theirs, "last_epoch"):  # not ChainedScheduler's
            assert mine.last_epoch == theirs.last_epoch
        assert_same(mine, theirs, step)
    if case.startswith("onecycle"):
        with pytest.raises(ValueError, match="Tried to step 41 times"):
            mine.step()


def test_warm_restarts_fractional_epochs() -> None:
    opt, torch_opt = optimizers()
    mine = ours.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=3, eta_min=0.001)
    theirs = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(
        torch_opt, T_0=2, T_mult=3, eta_min=0.001
    )
    for epoch in np.arange(0.0, 30.0, 0.37):
        mine.step(float(epoch))
        theirs.step(float(epoch))
        assert_same(mine, theirs, int(epoch))
    with pytest.raises(ValueError, match="non-negative epoch"):
        mine.step(-1.0)


PLATEAUS: dict[str, dict[str, Any]] = {
    "min-rel": {},
    "max-abs": {"mode": "max", "threshold_mode": "abs", "threshold": 0.05},
    "min-abs-cooldown": {
        "threshold_mode": "abs",
        "patience": 2,
        "cooldown": 3,
        "factor": 0.5,
        "min_lr": [0.01, 0.02, 0.001],
    },
    "max-rel-min-lr": {"mode": "max", "patience": 1, "min_lr": 0.02, "eps": 1e-3},
}


@pytest.mark.parametrize("case", PLATEAUS)
def test_reduce_on_plateau_matches_torch(case: str) -> None:
    kwargs = PLATEAUS[case]
    opt, torch_opt = optimizers()
    mine = ours.ReduceLROnPlateau(opt, **kwargs)
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(torch_opt, **kwargs)
    rng = np.random.default_rng(0)
    metric = 1.0
    for step in range(80):
        metric += rng.choice([-0.2, 0.0, 0.001, 0.3]) * (0.98**step)  # improves, then stalls
        mine.step(metric)
        theirs.step(metric)
        assert_same(mine, theirs, step)
        assert mine.num_bad_epochs == theirs.num_bad_epochs
        assert mine.cooldown_counter == theirs.cooldown_counter
    assert [g["lr"] for g in opt.param_groups] != list(LRS)  # it did reduce
    mine.step(sh.Cpu().tensor(0.5))  # a rank-0 tensor metric
    with pytest.raises(ValueError, match="mode 'median' is unknown"):
        ours.ReduceLROnPlateau(opt, mode="median")  # type: ignore[arg-type]


@pytest.mark.parametrize("case", [*CASES, "plateau"])
def test_resumed_schedule_continues_identically(case: str, tmp_path: Path) -> None:
    """N steps, save optimizer + scheduler through sh.save, make fresh ones, load, M more
    steps: the lrs are those of N + M uninterrupted steps."""

    def make(opt: Any) -> Any:
        if case == "plateau":
            return ours.ReduceLROnPlateau(opt, patience=1, cooldown=1)
        return CASES[case][0](opt)

    def advance(scheduler: Any, step: int) -> None:
        if case == "plateau":
            scheduler.step([1.0, 0.9, 0.9, 0.9, 0.95, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8][step % 12])
        else:
            scheduler.step()

    straight_opt, _ = optimizers()
    straight = make(straight_opt)
    lrs = []
    for step in range(30):
        advance(straight, step)
        lrs.append(straight.get_last_lr())

    first_opt, _ = optimizers()
    first = make(first_opt)
    for step in range(13):
        advance(first, step)
    path = tmp_path / "sched.npz"
    sh.save(
        {
            **optim.state_tensors(first_opt.state_dict(), "optim."),
            **optim.state_tensors(first.state_dict(), "sched."),
        },
        path,
    )
    tensors = sh.load(path)
    opt, _ = optimizers()
    scheduler = make(opt)  # build both, then load both (as in torch)
    opt.load_state_dict(optim.state_from_tensors(tensors, "optim."))
    scheduler.load_state_dict(optim.state_from_tensors(tensors, "sched."))
    for step in range(13, 30):
        advance(scheduler, step)
        assert scheduler.get_last_lr() == lrs[step], step
    assert momenta(opt) == momenta(straight_opt)


def test_lambda_state_dict_saves_callable_objects_only() -> None:
    opt, _ = optimizers()
    halving = Halving()
    scheduler = ours.LambdaLR(opt, [lambda e: 1.0, halving, halving])
    halving.rate = 0.25
    state = scheduler.state_dict()
    assert state["lr_lambdas"][0] is None and state["lr_lambdas"][1] == {"rate": 0.25}
    fresh = Halving()
    other = ours.LambdaLR(optimizers()[0], [lambda e: 1.0, fresh, fresh])
    other.load_state_dict(state)
    assert fresh.rate == 0.25


def test_bad_arguments() -> None:
    opt, _ = optimizers()
    with pytest.raises(TypeError, match="expected a shaped optimizer"):
        ours.StepLR(object(), 3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_lr must have the same length"):
        ours.OneCycleLR(opt, max_lr=[0.1, 0.2], total_steps=10)
    with pytest.raises(ValueError, match="has no momentum or betas"):
        ours.OneCycleLR(optim.Adagrad([sh.Cpu().zeros((1,))]), max_lr=0.1, total_steps=10)
    with pytest.raises(ValueError, match="does not support ReduceLROnPlateau"):
        ours.ChainedScheduler([ours.ReduceLROnPlateau(opt)])
    with pytest.raises(ValueError, match="same optimizer"):
        ours.SequentialLR(opt, [ours.StepLR(optimizers()[0], 2)], milestones=[])
    with pytest.raises(KeyError, match="initial_lr"):
        ours.StepLR(optimizers()[0], 2, last_epoch=3)
    assert math.isclose(opt.lr, LRS[0])


@pytest.mark.parametrize(
    "case", ["step", "multistep", "exponential", "cosine", "linear", "constant", "polynomial"]
)
def test_step_to_an_epoch_uses_torchs_closed_form(case: str) -> None:
    make, make_torch = CASES[case]
    opt, torch_opt = optimizers()
    mine, theirs = make(opt), make_torch(torch_opt)
    for epoch in [3, 4, 9, 2, 7, 7, 8, 0, 5]:
        mine.step(epoch)
        theirs.step(epoch)
        assert_same(mine, theirs, epoch)
