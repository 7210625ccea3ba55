"""einsum, outer, bmm, addmm, baddbmm and F.cosine_similarity against torch: values and
gradients, float32 and float64, hypothesis shapes with zero-size and broadcast (size-1) dims."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import shaped as sh
from shaped import shapes
from shaped.nn import functional as F
from tests.oracle import arrays, check, float_dtypes

dev = sh.Cpu(seed=0)
sizes = st.integers(0, 4)
seeds = st.integers(0, 99)


def sample(shape: tuple[int, ...], dtype: Any, seed: int, transposed: bool = False) -> np.ndarray:
    """Random values, optionally a transposed (non-C-contiguous) view of the same shape."""
    if transposed and len(shape) >= 2:
        return arrays(shape[::-1], dtype, seed).T
    return arrays(shape, dtype, seed)


# ---------------------------------------------------------------- einsum

EQUATIONS = [
    "bij,bjk->bik",  # batched matmul
    "bij,bjk",  # implicit: b is summed, output ik
    "ij,jk",
    "ij->ji",
    "ij->",
    "ij->j",  # i summed inside the one operand
    "ii->i",  # diagonal
    "ii",  # trace
    "iij->j",
    "iji->ij",
    "i,j->ij",
    "i,i->",
    "i,i->i",
    "ij,ij->ij",
    "ij,j->i",
    "ij,jk,kl->il",
    "bA",  # implicit output: upper case before lower case, as torch
    "Ab,bc->cA",
    "ijk,ikj->k",
    "i,j,k->",
    "bhqd,bhkd->bhqk",  # attention scores
    "...ij,...jk->...ik",
    "...ij->ij",  # ellipsis dims summed when the output leaves them out
    "...ij,jk",
    "i...->...",
    "...,...",
    "i...i",
    "...ii->...i",
    "",  # one rank-0 operand
    "->",
    ",->",
]


@st.composite
def einsum_case(draw: st.DrawFn) -> tuple[str, list[tuple[int, ...]]]:
    """An equation and operand shapes torch accepts: letters share a size, some set to 1
    (it broadcasts), and `...` broadcast batch shapes."""
    equation = draw(st.sampled_from(EQUATIONS))
    terms = equation.split("->")[0].split(",")
    letters = sorted(set(equation) - set(",.->"))
    size = {c: draw(sizes) for c in letters}
    batches = draw(
        hnp.mutually_broadcastable_shapes(num_shapes=len(terms), max_dims=3, max_side=3)
    ).input_shapes
    out: list[tuple[int, ...]] = []
    for term, batch in zip(terms, batches):
        named = term.replace("...", "")
        dims = []
        for c in named:
            once = named.count(c) == 1
            dims.append(1 if once and draw(st.integers(0, 4)) == 0 else size[c])
        if "..." in term:
            at = term.index("...")
            dims = dims[:at] + list(batch) + dims[at:]
        out.append(tuple(dims))
    return equation, out


@settings(max_examples=150)
@given(case=einsum_case(), dtype=float_dtypes, seed=seeds, transposed=st.booleans())
def test_einsum(
    case: tuple[str, list[tuple[int, ...]]], dtype: Any, seed: int, transposed: bool
) -> None:
    equation, operand_shapes = case
    data = [sample(s, dtype, seed + i, transposed) for i, s in enumerate(operand_shapes)]
    check(
        lambda *t: torch.einsum(equation, *t),
        lambda *x: sh.einsum(equation, *x),
        *data,
        seed=seed,
    )
    expected = tuple(torch.einsum(equation, *(torch.tensor(a) for a in data)).shape)
    assert shapes.einsum(equation, *operand_shapes) == expected  # the rule the plugin runs


@pytest.mark.parametrize("equation", ["ij,jk->ik", "ij -> ji", "i,i"])
def test_einsum_int_values(equation: str) -> None:
    a = np.arange(6, dtype=np.int64).reshape(2, 3) if "j" in equation else np.arange(3)
    b = np.arange(12, dtype=np.int64).reshape(3, 4) if "k" in equation else np.arange(3)
    operands = [a, b][: equation.count(",") + 1]
    check(lambda *t: torch.einsum(equation, *t), lambda *x: sh.einsum(equation, *x), *operands)


BAD_EINSUM = [
    ("bij,bjk->bik", [(2, 2, 3), (4, 3, 4)]),  # b disagrees
    ("ij,jk", [(2, 3), (2, 4)]),  # j disagrees
    ("ii->i", [(2, 3)]),  # a diagonal of a non-square
    ("ii->i", [(1, 3)]),  # 1 does not broadcast within one operand
    ("ij,jk->ik", [(2, 3)]),  # too few operands
    ("ij", [(2, 3), (3,)]),  # too many operands
    ("ijk", [(2, 3)]),  # more letters than dims
    ("i", [(2, 3)]),  # fewer letters than dims, no ellipsis
    ("ij->ii", [(2, 3)]),  # an output letter twice
    ("ij->k", [(2, 3)]),  # an output letter no input has
    ("i1", [(2, 3)]),
    ("i.j", [(2, 3)]),
    ("...,...", [(2,), (3,)]),  # ellipsis dims that do not broadcast
    ("i...j...", [(2, 3, 4)]),
]


@pytest.mark.parametrize(("equation", "operand_shapes"), BAD_EINSUM)
def test_einsum_refuses_what_torch_refuses(
    equation: str, operand_shapes: list[tuple[int, ...]]
) -> None:
    data = [arrays(s) for s in operand_shapes]
    with pytest.raises(RuntimeError):
        torch.einsum(equation, *(torch.tensor(a) for a in data))
    with pytest.raises(sh.ShapeError, match="einsum"):
        sh.einsum(equation, *(dev.tensor(a) for a in data))


def test_einsum_operands_share_a_dtype_and_are_tensors() -> None:
    a, b = dev.randn((2, 3)), dev.randn((3, 4), dtype=sh.Float64)
    with pytest.raises(sh.DtypeError, match="einsum: dtypes differ"):
        sh.einsum("ij,jk", a, b)  # type: ignore[dtype, misc]
    with pytest.raises(TypeError, match="operand 1 is a ndarray"):
        sh.einsum("ij,jk", a, np.ones((3, 4)))  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="at least one operand"):
        sh.einsum("ij")
    with pytest.raises(TypeError, match="operand 0 is a list"):  # operands are passed one by one
        sh.einsum("ij,jk", [a, a.T])  # type: ignore[call-overload]


def test_einsum_gradient_reaches_a_parameter_and_the_result_is_fresh() -> None:
    weight = dev.randn((3, 4)).requires_grad_()
    x = dev.randn((2, 3))
    loss = sh.einsum("ij,jk->ik", x.trace(), weight).sum()
    grads = loss.backward()
    np.testing.assert_allclose(
        grads[weight].numpy(), np.broadcast_to(x.numpy().sum(0)[:, None], (3, 4)), rtol=1e-6
    )
    transposed = sh.einsum("ij->ji", x)
    np.testing.assert_array_equal(transposed.numpy(), x.numpy().T)


# ---------------------------------------------------------------- outer, bmm


@given(n=sizes, m=sizes, dtype=float_dtypes, seed=seeds)
def test_outer(n: int, m: int, dtype: Any, seed: int) -> None:
    a, b = arrays((n,), dtype, seed), arrays((m,), dtype, seed + 1)
    check(torch.outer, sh.outer, a, b, seed=seed)
    check(torch.outer, lambda x, y: x.outer(y), a, b, seed=seed)


@given(
    batch=sizes, n=sizes, k=sizes, m=sizes, dtype=float_dtypes, seed=seeds, transposed=st.booleans()
)
def test_bmm(batch: int, n: int, k: int, m: int, dtype: Any, seed: int, transposed: bool) -> None:
    a = sample((batch, n, k), dtype, seed, transposed)
    b = sample((batch, k, m), dtype, seed + 1, transposed)
    check(torch.bmm, sh.bmm, a, b, seed=seed)
    check(torch.bmm, lambda x, y: x.bmm(y), a, b, seed=seed)


@pytest.mark.parametrize(
    ("op", "a", "b", "message"),
    [
        ("outer", (2, 3), (3,), "outer: needs two 1-D tensors, got (2, 3) and (3,)"),
        ("bmm", (2, 3, 4), (3, 4, 5), "bmm: (2, 3, 4) and (3, 4, 5): batch sizes 2 != 3"),
        ("bmm", (2, 3, 4), (2, 3, 4), "bmm: (2, 3, 4) @ (2, 3, 4): inner dims 4 != 3"),
        ("bmm", (3, 4), (4, 5), "bmm: needs two 3-D tensors"),
        ("bmm", (1, 3, 4), (2, 4, 5), "batch sizes 1 != 2"),  # no broadcasting, as torch
    ],
)
def test_outer_bmm_shape_errors(
    op: str, a: tuple[int, ...], b: tuple[int, ...], message: str
) -> None:
    with pytest.raises(RuntimeError):
        getattr(torch, op)(torch.zeros(a), torch.zeros(b))
    with pytest.raises(sh.ShapeError) as error:
        getattr(sh, op)(dev.zeros(a), dev.zeros(b))
    assert message in str(error.value)


# ---------------------------------------------------------------- addmm, baddbmm

SCALES = st.sampled_from([1, 0, 0.5, -2.0, 3])


@st.composite
def added_shape(draw: st.DrawFn, product: tuple[int, ...]) -> tuple[int, ...]:
    """A shape that broadcasts to `product` (torch's expand): fewer dims, some of them 1."""
    lead = draw(st.integers(0, len(product)))
    return tuple(1 if draw(st.booleans()) else d for d in product[lead:])


@given(data=st.data(), n=sizes, k=sizes, m=sizes, dtype=float_dtypes, seed=seeds)
def test_addmm(data: st.DataObject, n: int, k: int, m: int, dtype: Any, seed: int) -> None:
    beta, alpha = data.draw(SCALES), data.draw(SCALES)
    added = arrays(data.draw(added_shape((n, m))), dtype, seed)
    a, b = sample((n, k), dtype, seed + 1, True), arrays((k, m), dtype, seed + 2)
    check(
        lambda x, y, z: torch.addmm(x, y, z, beta=beta, alpha=alpha),
        lambda x, y, z: sh.addmm(x, y, z, beta=beta, alpha=alpha),
        added,
        a,
        b,
        seed=seed,
    )
    check(
        lambda x, y, z: x.addmm(y, z, beta=beta, alpha=alpha),
        lambda x, y, z: x.addmm(y, z, beta=beta, alpha=alpha),
        added,
        a,
        b,
        seed=seed,
    )


@given(data=st.data(), batch=sizes, n=sizes, k=sizes, m=sizes, dtype=float_dtypes, seed=seeds)
def test_baddbmm(
    data: st.DataObject, batch: int, n: int, k: int, m: int, dtype: Any, seed: int
) -> None:
    beta, alpha = data.draw(SCALES), data.draw(SCALES)
    added = arrays(data.draw(added_shape((batch, n, m))), dtype, seed)
    a, b = arrays((batch, n, k), dtype, seed + 1), sample((batch, k, m), dtype, seed + 2, True)
    check(
        lambda x, y, z: torch.baddbmm(x, y, z, beta=beta, alpha=alpha),
        lambda x, y, z: sh.baddbmm(x, y, z, beta=beta, alpha=alpha),
        added,
        a,
        b,
        seed=seed,
    )
    check(
        lambda x, y, z: x.baddbmm(y, z, beta=beta, alpha=alpha),
        lambda x, y, z: x.baddbmm(y, z, beta=beta, alpha=alpha),
        added,
        a,
        b,
        seed=seed,
    )


@pytest.mark.parametrize("op", ["addmm", "baddbmm"])
def test_beta_zero_ignores_nan_in_the_input(op: str) -> None:
    shape = (2, 3, 4) if op == "baddbmm" else (3, 4)
    first = (2, 3, 5) if op == "baddbmm" else (3, 5)
    second = (2, 5, 4) if op == "baddbmm" else (5, 4)
    added = np.full(shape, np.nan)
    fn = getattr(torch, op)
    ours = getattr(sh, op)
    check(
        lambda x, y, z: fn(x, y, z, beta=0),
        lambda x, y, z: ours(x, y, z, beta=0),
        added,
        arrays(first),
        arrays(second),
    )


@pytest.mark.parametrize(
    ("op", "shapes_", "message"),
    [
        ("addmm", [(3,), (2, 3), (3, 4)], "addmm: input (3,) does not broadcast to the product"),
        ("addmm", [(2, 4), (2, 3), (2, 4)], "addmm: (2, 3) @ (2, 4): inner dims 3 != 2"),
        ("addmm", [(1, 2, 4), (2, 3), (3, 4)], "does not broadcast to the product's shape (2, 4)"),
        ("addmm", [(4,), (2, 2, 3), (3, 4)], "addmm: needs two 2-D tensors"),
        ("baddbmm", [(3, 4), (2, 2, 3), (2, 3, 4)], "baddbmm: input (3, 4) does not broadcast"),
        ("baddbmm", [(4,), (2, 2, 3), (1, 3, 4)], "baddbmm: (2, 2, 3) and (1, 3, 4): batch sizes"),
    ],
)
def test_addmm_baddbmm_shape_errors(op: str, shapes_: list[tuple[int, ...]], message: str) -> None:
    with pytest.raises(RuntimeError):
        getattr(torch, op)(*(torch.zeros(s) for s in shapes_))
    with pytest.raises(sh.ShapeError) as error:
        getattr(sh, op)(*(dev.zeros(s) for s in shapes_))
    assert message in str(error.value)


def test_addmm_scales_and_dtypes() -> None:
    ints = [np.arange(4).reshape(2, 2)] * 3
    check(
        lambda x, y, z: torch.addmm(x, y, z, beta=2, alpha=3),
        lambda x, y, z: sh.addmm(x, y, z, beta=2, alpha=3),
        *ints,
    )
    for beta, alpha in ((0.5, 1.7), (2.5, -1.5)):  # torch truncates them for integer tensors
        check(
            lambda x, y, z, b=beta, a=alpha: torch.addmm(x, y, z, beta=b, alpha=a),
            lambda x, y, z, b=beta, a=alpha: sh.addmm(x, y, z, beta=b, alpha=a),
            *ints,
        )
    with pytest.raises(sh.DtypeError, match="addmm: dtypes differ"):
        sh.addmm(dev.zeros((2,)), dev.zeros((2, 3)), dev.zeros((3, 2), dtype=sh.Float64))  # type: ignore[dtype]
    with pytest.raises(TypeError, match="beta must be a Python number"):
        sh.addmm(dev.zeros((2,)), dev.zeros((2, 3)), dev.zeros((3, 2)), beta=None)  # type: ignore[call-overload]


# ---------------------------------------------------------------- cosine_similarity


@st.composite
def cosine_case(draw: st.DrawFn) -> tuple[tuple[int, ...], tuple[int, ...], int]:
    """Two shapes that broadcast (rank >= 1 together) and a dim of the broadcast shape."""
    pair = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4))
    a, b = pair.input_shapes
    rank = len(pair.result_shape)
    if rank == 0:
        a = (*a, draw(st.integers(1, 3)))
        b, rank = (*b, a[-1]), 1
    return a, b, draw(st.integers(-rank, rank - 1))


@settings(max_examples=80)
@given(case=cosine_case(), dtype=float_dtypes, seed=seeds, tiny=st.sampled_from([1.0, 1e-9, 0.0]))
def test_cosine_similarity(
    case: tuple[tuple[int, ...], tuple[int, ...], int], dtype: Any, seed: int, tiny: float
) -> None:
    shape_a, shape_b, dim = case
    a = arrays(shape_a, dtype, seed)
    b = (arrays(shape_b, dtype, seed + 1) * tiny).astype(dtype)  # norms below eps: clamped
    check(
        lambda x, y: torch.nn.functional.cosine_similarity(x, y, dim=dim),
        lambda x, y: F.cosine_similarity(x, y, dim=dim),
        a,
        b,
        seed=seed,
    )


@pytest.mark.parametrize("eps", [1e-8, 0.5, 10.0])
def test_cosine_similarity_eps_and_default_dim(eps: float) -> None:
    a, b = arrays((3, 4, 2)), arrays((3, 4, 2), seed=1)
    check(
        lambda x, y: torch.nn.functional.cosine_similarity(x, y, eps=eps),
        lambda x, y: F.cosine_similarity(x, y, eps=eps),
        a,
        b,
    )


def test_cosine_similarity_takes_axis_or_dim() -> None:
    a, b = arrays((3, 4, 2)), arrays((3, 4, 2), seed=1)
    for spelling in ({"axis": 2}, {"dim": 2}, {"axis": 2, "dim": 2}):
        check(
            lambda x, y: torch.nn.functional.cosine_similarity(x, y, dim=2),
            lambda x, y, kw=spelling: F.cosine_similarity(x, y, **kw),
            a,
            b,
        )
    with pytest.raises(TypeError, match="give axis= or dim=, not both"):
        F.cosine_similarity(dev.tensor(a), dev.tensor(b), axis=0, dim=2)


def test_cosine_similarity_errors() -> None:
    with pytest.raises(sh.ShapeError, match=r"cosine_similarity: shapes .* do not broadcast"):
        F.cosine_similarity(dev.zeros((2, 3)), dev.zeros((3, 2)))  # type: ignore[shape]
    with pytest.raises(sh.ShapeError, match="axis 1 is out of range for a tensor of rank 1"):
        F.cosine_similarity(dev.zeros((3,)), dev.zeros((3,)))  # type: ignore[shape]
    with pytest.raises(IndexError):  # torch refuses it too
        torch.nn.functional.cosine_similarity(torch.zeros(3), torch.zeros(3))
    with pytest.raises(sh.DtypeError, match="needs a floating-point tensor, got Int64"):
        F.cosine_similarity(dev.tensor([[1, 2]]), dev.tensor([[1, 2]]))  # type: ignore[dtype]
    with pytest.raises(sh.DtypeError, match="dtypes differ"):
        F.cosine_similarity(dev.zeros((2, 3)), dev.zeros((2, 3), dtype=sh.Float64))  # type: ignore[misc]
