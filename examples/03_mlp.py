"""An MLP whose architecture is a type, trained with Adam on a synthetic regression task.

Run: python examples/03_mlp.py [--smoke]
The model is a tuple type alias (dfdx's style): `dev.build_module(Mlp)` reads the `Literal`
sizes and builds `Sequential(Linear(8, 64), Tanh(), Linear(64, 64), Tanh(), Linear(64, 1))`.
Both checkers then know the type of every layer and of every activation through the chain.
"""

from __future__ import annotations

import argparse
import time
from typing import Literal as L

import shaped as sh
from shaped import losses, nn, optim

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--smoke", action="store_true", help="a few steps only")
parser.add_argument("--steps", type=int, default=600)
args = parser.parse_args()
steps = 5 if args.smoke else args.steps

# The architecture as a type: the sizes are Literals, so a mismatch between two layers is
# a mypy error ([shape]) before anything runs.
Mlp = tuple[
    nn.Linear[L[8], L[64]],
    nn.Tanh,
    nn.Linear[L[64], L[64]],
    nn.Tanh,
    nn.Linear[L[64], L[1]],
]

dev = sh.Cpu(seed=0)
model = dev.build_module(Mlp)  # Sequential[Linear[L[8], L[64]], Tanh, ..., Linear[L[64], L[1]]]
print(model)

# The task: y = sin(x . direction) + 0.5 * (x0 * x1) + noise, 8 features in, 1 value out.
direction: sh.Tensor[tuple[L[8], L[1]]] = dev.randn((8, 1)) * 0.5


def make_data(
    device: sh.Cpu,
) -> tuple[sh.Tensor[tuple[L[1024], L[8]]], sh.Tensor[tuple[L[1024], L[1]]]]:
    inputs = device.randn((1024, 8))  # Tensor[tuple[L[1024], L[8]]]
    pair = inputs[:, 0:1] * inputs[:, 1:2]  # mypy: (L[1024], L[1]); pyright: tuple[Any, ...]
    noise = device.randn((1024, 1)) * 0.05
    return inputs, (inputs @ direction).sin() + pair * 0.5 + noise


x_train, y_train = make_data(dev)
x_test, y_test = make_data(sh.Cpu(seed=1))

adam = optim.Adam(model, lr=3e-3)
start = time.perf_counter()
for step in range(steps + 1):
    grads = model.alloc_grads()
    # mypy's plugin threads the shape through every layer: Tensor[tuple[L[1024], L[1]], ...,
    # OwnedTape]; pyright keeps dtype, device and tape, with tuple[Any, ...] for the shape
    prediction = model(x_train.traced(grads))
    loss = losses.mse_loss(prediction, y_train)  # Tensor[tuple[()], Float32, Cpu, OwnedTape]
    adam.update(model, loss.backward())  # full-batch Adam step, in place
    if step % max(1, steps // 6) == 0:
        print(f"step {step:4d}  train mse {loss.item():.4f}")
elapsed = time.perf_counter() - start

test_mse = losses.mse_loss(model(x_test), y_test).item()  # no tape: nothing is recorded
baseline = y_test.var(correction=0).item()  # the mse of always predicting the mean
print(f"test mse {test_mse:.4f} (predicting the mean: {baseline:.4f})  {elapsed:.1f} s")
