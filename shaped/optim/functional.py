"""Functional updates for `sh.grad`'s pytrees: new parameters from old ones and gradients.

```python
grads = sh.grad(loss_fn)(params, x, y)
params = sh.optim.sgd_step(params, grads, lr=0.1)
```
"""

from __future__ import annotations

from typing import Any, TypeVar

from shaped.tensor import Tensor
from shaped.transforms import tree_leaves, tree_map

__all__ = ["sgd_step"]

A = TypeVar("A")


def sgd_step(params: A, grads: A, lr: float) -> A:
    """`params - lr * grads` leaf by leaf, in params' structure (new tensors: the old ones are
    not changed, as in JAX). `grads` is what `sh.grad` returned for `params`."""
    pairs = iter(list(zip(tree_leaves(params), tree_leaves(grads), strict=True)))

    def step(leaf: Tensor[Any, Any, Any, Any]) -> Tensor[Any, Any, Any, Any]:
        param, grad = next(pairs)
        if param._data.dtype.kind != "f":
            return param
        if grad.shape != param.shape:
            raise ValueError(
                f"sgd_step: a gradient of shape {grad.shape} for a parameter of shape "
                f"{param.shape}: pass the gradients sh.grad returned for these parameters"
            )
        return param.detach() - lr * grad.detach()

    return tree_map(step, params)
