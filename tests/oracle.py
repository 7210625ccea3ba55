"""The one test oracle: an op's values and gradients against torch 2.13.0 CPU.

`check(torch_fn, our_fn, *arrays)` runs both on the same inputs, compares the outputs, then
pulls a random upstream gradient back through both and compares every input's gradient.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import shaped as sh

TOLERANCE = {np.float64: (1e-6, 1e-9), np.float32: (1e-4, 1e-5), np.float16: (1e-2, 1e-2)}


def tolerance(dtype: Any) -> tuple[float, float]:
    return TOLERANCE.get(np.dtype(dtype).type, (0.0, 0.0))


def on(dev: sh.Device, t: sh.Tensor[Any, Any, Any, Any]) -> bool:
    """Whether t's data is an array on dev; a rank-0 result too is a real 0-d array (numpy's
    scalars would break np.asarray(loss) and DLPack)."""
    return isinstance(t._data, dev.xp.ndarray)


def check(
    torch_fn: Callable[..., Any],
    our_fn: Callable[..., Any],
    *arrays: np.ndarray,
    grad: bool = True,
    rtol: float | None = None,
    atol: float | None = None,
    seed: int = 0,
    dev: sh.Device | None = None,
    torch_device: str = "cpu",
    tolerance_of: Callable[[Any], tuple[float, float]] = tolerance,
) -> None:
    """Compare values and (when grad) gradients of every float input; arrays may be non-contiguous.

    `dev` runs shaped's side on another device (tests/test_cuda.py), torch's on `torch_device`;
    results and gradients must stay on `dev`.
    """
    dev = sh.Cpu() if dev is None else dev
    grads = sh.Gradients()
    ours = [
        dev.tensor(a).traced(grads) if grad and a.dtype.kind == "f" else dev.tensor(a)
        for a in arrays
    ]
    theirs = [
        torch.tensor(np.array(a), device=torch_device, requires_grad=grad and a.dtype.kind == "f")
        for a in arrays
    ]
    out = our_fn(*ours)
    ref = torch_fn(*theirs)
    assert on(dev, out), f"the result left {dev!r}: {type(out._data)}"
    ref_np = ref.detach().cpu().numpy()
    default_rtol, default_atol = tolerance_of(ref_np.dtype)
    rtol = default_rtol if rtol is None else rtol
    atol = default_atol if atol is None else atol
    assert out.shape == ref_np.shape, f"shape {out.shape} != torch's {ref_np.shape}"
    assert out.numpy().dtype == ref_np.dtype, f"dtype {out.numpy().dtype} != torch's {ref_np.dtype}"
    np.testing.assert_allclose(out.numpy(), ref_np, rtol=rtol, atol=atol, err_msg="forward")
    if not grad or ref_np.dtype.kind != "f" or not any(t.requires_grad for t in theirs):
        return
    upstream = np.random.default_rng(seed).standard_normal(ref_np.shape).astype(ref_np.dtype)
    (ref * torch.tensor(upstream, device=torch_device)).sum().backward()
    got = (out * dev.tensor(upstream)).sum().backward()
    for i, (mine, torch_input) in enumerate(zip(ours, theirs)):
        if not torch_input.requires_grad:
            continue
        expected = (
            torch_input.grad.detach().cpu().numpy()
            if torch_input.grad is not None
            else np.zeros(torch_input.shape, dtype=ref_np.dtype)
        )
        if mine in got:
            gradient = got[mine]
            assert on(dev, gradient), f"gradient {i} left {dev!r}"
            ours_grad = gradient.numpy()
            assert ours_grad.dtype == expected.dtype, (
                f"gradient {i} dtype {ours_grad.dtype} != torch's {expected.dtype}"
            )
        else:
            ours_grad = np.zeros_like(expected)
        np.testing.assert_allclose(
            ours_grad, expected, rtol=rtol, atol=atol, err_msg=f"gradient of input {i}"
        )


def arrays(
    shape: tuple[int, ...],
    dtype: Any = np.float64,
    seed: int = 0,
    low: float = -2.0,
    high: float = 2.0,
) -> np.ndarray:
    """Random values in [low, high) of one dtype."""
    return np.random.default_rng(seed).uniform(low, high, shape).astype(dtype)


def shapes(
    min_dims: int = 0, max_dims: int = 4, min_side: int = 0, max_side: int = 5
) -> st.SearchStrategy[tuple[int, ...]]:
    """Shapes for hypothesis, zero-size dims and rank 0 included by default."""
    return hnp.array_shapes(
        min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    )


def broadcastable(num: int = 2, max_dims: int = 4) -> st.SearchStrategy[Any]:
    """`num` shapes that broadcast together (`.input_shapes`)."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num, max_dims=max_dims, min_side=0, max_side=4
    )


float_dtypes = st.sampled_from([np.float64, np.float32])
