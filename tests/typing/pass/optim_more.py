"""Valid uses of sh.optim's optimizers, param groups, state dicts and lr schedulers: clean
under mypy --strict (with the plugin) and basedpyright, and they run."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, assert_type

import shaped as sh
from shaped import losses, nn, optim
from shaped.optim import lr_scheduler

dev = sh.Cpu(seed=0)
features = nn.Linear(4, 8, device=dev)
head = nn.Linear(8, 2, device=dev)
model = nn.Sequential(features, nn.ReLU(), head)
x = dev.randn((16, 4))
y = dev.randn((16, 2))


def loss_and_grads() -> tuple[sh.Tensor[tuple[()], sh.Float32, sh.Cpu, sh.OwnedTape], sh.Gradients]:
    grads = model.alloc_grads()
    loss = losses.mse_loss(model(x.traced(grads)), y)
    return loss, loss.backward()


# every optimizer, built from the model as before
for opt in (
    optim.Sgd(model, lr=0.1, momentum=0.9, dampening=0.1, maximize=False),
    optim.Adam(model, lr=1e-3, amsgrad=True),
    optim.AdamW(model, amsgrad=True, maximize=False),
    optim.RMSprop(model, centered=True, maximize=False),
    optim.Adagrad(model, lr_decay=0.01, initial_accumulator_value=0.1, eps=1e-10),
    optim.Adadelta(model, rho=0.9, eps=1e-6),
    optim.Adamax(model, lr=2e-3),
    optim.NAdam(model, momentum_decay=4e-3, decoupled_weight_decay=True),
    optim.RAdam(model, decoupled_weight_decay=True, weight_decay=0.01),
):
    opt.update(model, loss_and_grads()[1])

# param groups with their own settings, as torch
sgd = optim.Sgd(
    [{"params": features.parameters()}, {"params": head.parameters(), "lr": 1e-3}],
    lr=1e-2,
    momentum=0.9,
)
sgd.param_groups[1]["lr"] *= 0.5
sgd.lr = 0.05
learning_rate = sgd.lr
momentum = sgd.momentum
assert_type(learning_rate, float)
assert_type(sgd.nesterov, bool)
sgd.update(loss_and_grads()[1])
sgd.update(model, loss_and_grads()[1])
loss = sgd.step(loss_and_grads)
adam = optim.Adam(model.parameters(), lr=1e-3)
adam.add_param_group({"params": [dev.zeros((3,)).requires_grad_()], "lr": 1e-4})
betas = adam.betas
assert_type(betas, tuple[float, float])
assert_type(adam.param_groups, list[dict[str, Any]])
exp_avg = adam.state[features.weight]["exp_avg"] if features.weight in adam.state else None

# L-BFGS with a closure returning (loss, grads)
lbfgs = optim.LBFGS(model, lr=1.0, max_iter=5, history_size=10, line_search_fn="strong_wolfe")
first_loss = lbfgs.step(loss_and_grads)

# state dicts: a dict in torch's layout, and tensors for sh.save
state: dict[str, Any] = sgd.state_dict()
sgd.load_state_dict(state)
scheduler = lr_scheduler.OneCycleLR(sgd, max_lr=[0.1, 0.01], total_steps=20)
with tempfile.TemporaryDirectory() as tmp:
    path = Path(tmp) / "checkpoint.npz"
    sh.save(
        {
            **model.state_dict(),
            **optim.state_tensors(sgd.state_dict(), "optim."),
            **optim.state_tensors(scheduler.state_dict(), "sched."),
        },
        path,
    )
    tensors = sh.load(path)
    sgd.load_state_dict(optim.state_from_tensors(tensors, "optim."))
    scheduler.load_state_dict(optim.state_from_tensors(tensors, "sched."))

# schedulers
schedulers: list[lr_scheduler.LRScheduler] = [
    lr_scheduler.StepLR(adam, step_size=3, gamma=0.5),
    lr_scheduler.MultiStepLR(adam, milestones=[2, 4]),
    lr_scheduler.ExponentialLR(adam, gamma=0.9),
    lr_scheduler.CosineAnnealingLR(adam, T_max=10, eta_min=1e-5),
    lr_scheduler.CosineAnnealingWarmRestarts(adam, T_0=3, T_mult=2),
    lr_scheduler.LinearLR(adam, start_factor=0.1, total_iters=4),
    lr_scheduler.ConstantLR(adam, factor=0.5, total_iters=2),
    lr_scheduler.LambdaLR(adam, lambda epoch: 0.95**epoch),
    lr_scheduler.MultiplicativeLR(adam, lambda epoch: 0.99),
    lr_scheduler.PolynomialLR(adam, total_iters=8, power=2.0),
    lr_scheduler.CyclicLR(adam, base_lr=1e-4, max_lr=1e-2, step_size_up=4, mode="triangular2"),
]
warmup = lr_scheduler.SequentialLR(
    adam,
    [lr_scheduler.LinearLR(adam, total_iters=2), lr_scheduler.ExponentialLR(adam, gamma=0.9)],
    milestones=[2],
)
chained = lr_scheduler.ChainedScheduler([lr_scheduler.ExponentialLR(adam, gamma=0.9)])
plateau = lr_scheduler.ReduceLROnPlateau(adam, mode="min", factor=0.5, patience=2)
for _epoch in range(3):
    adam.update(model, loss_and_grads()[1])
    for each in schedulers:
        each.step()
    warmup.step()
    chained.step()
    scheduler.step()
    plateau.step(loss_and_grads()[0].item())
last: list[float] = warmup.get_last_lr()
print(last, scheduler.last_epoch, learning_rate, momentum, betas, float(first_loss.item()))
