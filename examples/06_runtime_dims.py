"""Run-time dims: `int` where a size is only known when the program runs, and `realize`.

Run: python examples/06_runtime_dims.py [--smoke]
A dim is `Literal[n]` when the checker can know it and `int` when it cannot (dfdx's
`usize`): a batch size read from a file, the last partial batch of an epoch. Data from
numpy has no static shape at all (`tuple[Any, ...]`). Unknown is never a type error; the
run-time check covers it with the same message, and `realize` turns a checked run-time
shape back into literal dims.
"""

from __future__ import annotations

import argparse
from typing import Literal as L

import numpy as np

import shaped as sh
from shaped import nn

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--smoke", action="store_true", help="accepted for the CI run; this is fast")
parser.parse_args()

dev = sh.Cpu(seed=0)
# annotated so that pyright keeps the literal sizes too (mypy's plugin infers them)
classifier: nn.Linear[L[784], L[10]] = nn.Linear(784, 10, device=dev)


# Any batch size, exactly 784 features: the feature dim is checked, the batch dim is not.
def predict(batch: sh.Tensor[tuple[int, L[784]]]) -> sh.Tensor[tuple[int], sh.Int64]:
    logits = classifier(batch)  # Tensor[tuple[int, L[10]]]
    return logits.argmax(axis=1)  # mypy: Tensor[tuple[int], Int64]; pyright: tuple[Any, ...]


# Literal dims fit where `int` is asked for: L[64] is an int.
full: sh.Tensor[tuple[L[64], L[784]]] = dev.randn((64, 784))
print("a batch of 64 ->", predict(full).shape)
last: sh.Tensor[tuple[L[17], L[784]]] = dev.randn((17, 784))
print("the last batch of 17 ->", predict(last).shape)
# predict(dev.randn((64, 748))) is an error in both checkers, before anything runs:
# Argument 1 to "predict" has incompatible type "Tensor[tuple[Literal[64], Literal[748]], ...]"

# Data from numpy: the checkers see tuple[Any, ...] (and numpy's float64 stays Float64
# unless you ask for a dtype). Such a tensor is accepted anywhere; run time checks it.
array = np.random.default_rng(0).random((64, 784))
images = dev.tensor(array, dtype=sh.Float32)  # Tensor[tuple[Any, ...], Float32, Cpu]
print("from numpy ->", predict(images).shape)

# realize((64, 784)) checks the run-time shape and returns the same tensor typed
# Tensor[tuple[L[64], L[784]], Float32, Cpu]: literal dims again, so mypy's plugin checks
# everything downstream (the `int` form, realize((n, 784)), keeps one dim symbolic).
typed = images.realize((64, 784))
first_half = typed[:32]  # mypy: Tensor[tuple[L[32], L[784]]]; pyright: tuple[Any, ...]
print("realized:", typed.shape, "-> first half", first_half.shape)

# Arithmetic with unknown dims is never a static error; the runtime checks every op with
# the messages mypy would print. Here the data turns out to have 748 features, not 784:
wrong = dev.tensor(np.zeros((64, 748)), dtype=sh.Float32)
try:
    wrong.realize((64, 784))
except sh.ShapeError as error:
    print("ShapeError:", error)
try:
    predict(wrong)  # both checkers accept it: the shape is unknown until now
except sh.ShapeError as error:
    print("ShapeError:", error)
