"""Shape and movement ops, more (issue 11 item 2) against torch: values and gradients."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

import shaped as sh
from shaped import shapes as rules
from tests.oracle import arrays, check, float_dtypes, shapes

dev = sh.Cpu()
DTYPES = [np.float64, np.float32]
Mesh = Literal["ij", "xy"]
Mode = Literal["reflect", "replicate", "circular"]


def joined(pieces: Any) -> Any:
    """Several results as one tensor, so one check covers every piece and its gradient."""
    return sh.concat([p.reshape(-1) for p in pieces])


def torch_joined(pieces: Any) -> Any:
    return torch.cat([p.reshape(-1) for p in pieces])


# ---------------------------------------------------------------- repeat, expand, view


@given(shapes(max_dims=3, max_side=3), float_dtypes, st.data())
def test_repeat_matches_torch(shape: tuple[int, ...], dtype: Any, data: st.DataObject) -> None:
    extra = data.draw(st.integers(0, 2))
    reps = tuple(
        data.draw(
            st.lists(st.integers(0, 3), min_size=len(shape) + extra, max_size=len(shape) + extra)
        )
    )
    a = arrays(shape, dtype)
    if reps:  # torch's repeat() needs a size, as ours
        check(lambda t: t.repeat(*reps), lambda t: t.repeat(*reps), a)
    check(lambda t: t.repeat(reps), lambda t: t.repeat(reps), a)


def test_repeat_needs_a_size_per_axis() -> None:
    with pytest.raises(sh.ShapeError, match="give at least one per axis"):
        dev.zeros((2, 3)).repeat(2)


@given(shapes(max_dims=3, max_side=3), float_dtypes, st.data())
def test_expand_matches_torch(shape: tuple[int, ...], dtype: Any, data: st.DataObject) -> None:
    # size-1 axes grow, others stay (or are written -1), new axes lead
    target = [
        data.draw(st.sampled_from([0, 1, 3, -1])) if d == 1 else data.draw(st.sampled_from([d, -1]))
        for d in shape
    ]
    lead = data.draw(st.lists(st.integers(0, 3), max_size=2))
    sizes = (*lead, *target)
    a = arrays(shape, dtype)
    check(lambda t: t.expand(sizes), lambda t: t.expand(sizes), a)
    if sizes:
        check(lambda t: t.expand(*sizes), lambda t: t.expand(*sizes), a)
    other = np.zeros(rules.expand(shape, sizes), dtype)  # type: ignore[arg-type]
    check(lambda t: t.expand_as(torch.tensor(other)), lambda t: t.expand_as(dev.tensor(other)), a)


def test_expand_errors_name_expand() -> None:
    with pytest.raises(sh.ShapeError, match="expand: cannot broadcast"):
        dev.zeros((2, 3)).expand(4, 3)


@given(shapes(max_dims=3), float_dtypes)
def test_view_and_reshape_as_match_torch(shape: tuple[int, ...], dtype: Any) -> None:
    a = arrays(shape, dtype)
    flat = np.zeros((int(np.prod(shape)),), dtype)
    check(lambda t: t.view(-1), lambda t: t.view(-1), a)
    check(lambda t: t.view_as(torch.tensor(flat)), lambda t: t.view_as(dev.tensor(flat)), a)
    check(lambda t: t.reshape_as(torch.tensor(flat)), lambda t: t.reshape_as(dev.tensor(flat)), a)
    with pytest.raises(sh.ShapeError, match="cannot reshape"):
        dev.tensor(a).view_as(dev.zeros((int(np.prod(shape)) + 1,)))


@pytest.mark.parametrize("dtype", DTYPES)
def test_contiguous_and_clone_match_torch(dtype: Any) -> None:
    a = arrays((3, 4), dtype).T  # a strided view
    check(lambda t: t.contiguous(), lambda t: t.contiguous(), a)
    check(lambda t: t.clone(), lambda t: t.clone(), a)
    check(lambda t: t.clone(), lambda t: t.clone(), arrays((0, 2), dtype))
    x = dev.tensor(arrays((2, 3), dtype))
    assert x.contiguous() is x
    assert not np.shares_memory(x.clone()._data, x._data)
    assert x.T.contiguous()._data.flags.c_contiguous


# ---------------------------------------------------------------- split, chunk, unbind


@given(shapes(min_dims=1, max_dims=3, max_side=6), float_dtypes, st.data())
def test_split_matches_torch(shape: tuple[int, ...], dtype: Any, data: st.DataObject) -> None:
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    size = shape[axis]
    a = arrays(shape, dtype)
    step = data.draw(st.integers(1, 4)) if size else data.draw(st.integers(0, 4))
    check(lambda t: torch_joined(t.split(step, axis)), lambda t: joined(t.split(step, axis)), a)
    cuts = sorted(data.draw(st.lists(st.integers(0, size), max_size=3)))
    sections = [b - e for b, e in zip([*cuts, size], [0, *cuts])]
    check(
        lambda t: torch_joined(t.split(sections, dim=axis)),
        lambda t: joined(t.split(sections, dim=axis)),
        a,
    )
    ours = dev.tensor(a).split(sections, axis)
    assert [p.shape for p in ours] == [
        tuple(p.shape) for p in torch.tensor(a).split(sections, axis)
    ]


@given(shapes(min_dims=1, max_dims=3, max_side=6), float_dtypes, st.data())
def test_chunk_matches_torch(shape: tuple[int, ...], dtype: Any, data: st.DataObject) -> None:
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    chunks = data.draw(st.integers(1, 7))
    a = arrays(shape, dtype)
    ours = dev.tensor(a).chunk(chunks, axis)
    theirs = torch.tensor(a).chunk(chunks, axis)
    assert [p.shape for p in ours] == [tuple(p.shape) for p in theirs]
    check(
        lambda t: torch_joined(t.chunk(chunks, axis)),
        lambda t: joined(t.chunk(chunks, dim=axis)),
        a,
    )


@given(shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), float_dtypes, st.data())
def test_unbind_matches_torch(shape: tuple[int, ...], dtype: Any, data: st.DataObject) -> None:
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    a = arrays(shape, dtype)
    check(lambda t: torch_joined(t.unbind(axis)), lambda t: joined(t.unbind(dim=axis)), a)
    check(lambda t: t.unbind(axis)[-1], lambda t: t.unbind(axis)[-1], a)


def test_split_errors_and_empty_unbind() -> None:
    x = dev.zeros((5, 0))
    assert x.unbind(1) == ()
    with pytest.raises(sh.ShapeError, match=r"sizes \(2, 2\) sum to 4, but the axis has size 5"):
        x.split([2, 2])
    with pytest.raises(sh.ShapeError, match="split_size must be positive"):
        x.split(0)
    with pytest.raises(sh.ShapeError, match="number of chunks must be positive"):
        x.chunk(0)
    with pytest.raises(sh.ShapeError, match="axis 2 is out of range"):
        x.unbind(2)


# ---------------------------------------------------------------- tril, triu, diag


@given(shapes(min_dims=2, max_dims=4, max_side=4), float_dtypes, st.integers(-4, 4))
def test_tril_triu_match_torch(shape: tuple[int, ...], dtype: Any, diagonal: int) -> None:
    a = arrays(shape, dtype)
    check(lambda t: t.tril(diagonal), lambda t: t.tril(diagonal), a)
    check(lambda t: t.triu(diagonal), lambda t: t.triu(diagonal), a)


def test_tril_needs_a_matrix() -> None:
    with pytest.raises(sh.ShapeError, match=r"tril: needs at least 2 dims, got \(3,\)"):
        dev.zeros((3,)).tril()


@given(shapes(min_dims=1, max_dims=2, max_side=4), float_dtypes, st.integers(-5, 5))
def test_diag_matches_torch(shape: tuple[int, ...], dtype: Any, diagonal: int) -> None:
    a = arrays(shape, dtype)
    check(lambda t: t.diag(diagonal), lambda t: t.diag(diagonal), a)
    assert rules.diag(shape, diagonal) == tuple(torch.tensor(a).diag(diagonal).shape)


def test_diag_needs_rank_1_or_2() -> None:
    with pytest.raises(sh.ShapeError, match="diag: needs a 1-d or 2-d tensor"):
        dev.zeros((2, 2, 2)).diag()


# ---------------------------------------------------------------- flip, roll, movedim, narrow


@given(shapes(max_dims=4, max_side=4), float_dtypes, st.data())
def test_flip_matches_torch(shape: tuple[int, ...], dtype: Any, data: st.DataObject) -> None:
    a = arrays(shape, dtype)
    n = len(shape)
    axes = tuple(data.draw(st.lists(st.integers(0, n - 1), unique=True))) if n else ()
    check(lambda t: t.flip(axes), lambda t: t.flip(axes), a)
    check(lambda t: t.flip(axes), lambda t: t.flip(dims=axes), a)
    check(lambda t: t.flip(tuple(range(n))), lambda t: t.flip(), a)  # numpy: None flips all
    if n:
        check(lambda t: t.flip(-1), lambda t: t.flip(-1), a)


@given(shapes(max_dims=3, max_side=4), float_dtypes, st.data())
def test_roll_matches_torch(shape: tuple[int, ...], dtype: Any, data: st.DataObject) -> None:
    a = arrays(shape, dtype)
    shift = data.draw(st.integers(-6, 6))
    check(lambda t: t.roll(shift), lambda t: t.roll(shift), a)
    if shape:
        n = len(shape)
        axes = tuple(data.draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=2)))
        shifts = tuple(data.draw(st.integers(-6, 6)) for _ in axes)
        check(lambda t: t.roll(shifts, axes), lambda t: t.roll(shifts, dims=axes), a)
        check(lambda t: t.roll(shift, axes[0]), lambda t: t.roll(shift, axes[0]), a)


def test_roll_needs_a_shift_per_axis() -> None:
    with pytest.raises(sh.ShapeError, match="got 2 shifts for 1 axes"):
        dev.zeros((2, 3)).roll((1, 2), 0)


@given(shapes(min_dims=1, max_dims=4, max_side=3), float_dtypes, st.data())
def test_movedim_matches_torch(shape: tuple[int, ...], dtype: Any, data: st.DataObject) -> None:
    n = len(shape)
    a = arrays(shape, dtype)
    count = data.draw(st.integers(1, n))
    source = tuple(data.draw(st.permutations(range(n)))[:count])
    destination = tuple(data.draw(st.permutations(range(-n, 0)))[:count])
    check(lambda t: t.movedim(source, destination), lambda t: t.movedim(source, destination), a)
    check(lambda t: t.moveaxis(source, destination), lambda t: t.moveaxis(source, destination), a)
    check(
        lambda t: t.movedim(source[0], destination[0]),
        lambda t: t.movedim(source[0], destination[0]),
        a,
    )


@given(shapes(min_dims=1, max_dims=3, max_side=5), float_dtypes, st.data())
def test_narrow_matches_torch(shape: tuple[int, ...], dtype: Any, data: st.DataObject) -> None:
    n = len(shape)
    axis = data.draw(st.integers(-n, n - 1))
    size = shape[axis]
    start = data.draw(st.integers(-size, size))
    begin = start % size if start < 0 else start
    length = data.draw(st.integers(0, size - begin))
    a = arrays(shape, dtype)
    check(lambda t: t.narrow(axis, start, length), lambda t: t.narrow(axis, start, length), a)
    with pytest.raises(sh.ShapeError, match="exceeds the size"):
        dev.tensor(a).narrow(axis, begin, size - begin + 1)


@given(shapes(max_dims=3, max_side=4), float_dtypes, st.integers(0, 3), st.data())
def test_repeat_interleave_matches_torch(
    shape: tuple[int, ...], dtype: Any, repeats: int, data: st.DataObject
) -> None:
    a = arrays(shape, dtype)
    check(lambda t: t.repeat_interleave(repeats), lambda t: t.repeat_interleave(repeats), a)
    if shape:
        axis = data.draw(st.integers(-len(shape), len(shape) - 1))
        check(
            lambda t: t.repeat_interleave(repeats, dim=axis),
            lambda t: t.repeat_interleave(repeats, dim=axis),
            a,
        )
        check(
            lambda t: t.repeat_interleave(repeats, axis),
            lambda t: t.repeat_interleave(repeats, axis=axis),
            a,
        )


@given(shapes(min_dims=1, max_dims=3, max_side=4), float_dtypes, st.data())
def test_repeat_interleave_counts_match_torch(
    shape: tuple[int, ...], dtype: Any, data: st.DataObject
) -> None:
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    one = data.draw(st.booleans())
    counts = np.array(
        data.draw(
            st.lists(
                st.integers(0, 3),
                min_size=1 if one else shape[axis],
                max_size=1 if one else shape[axis],
            )
        ),
        dtype=np.int64,
    )
    a = arrays(shape, dtype)
    check(
        lambda t, c: t.repeat_interleave(c, dim=axis),
        lambda t, c: t.repeat_interleave(c, dim=axis),
        a,
        counts,
    )
    flat = np.array(
        data.draw(st.lists(st.integers(0, 2), min_size=a.size, max_size=a.size)), dtype=np.int64
    )
    check(lambda t, c: t.repeat_interleave(c), lambda t, c: t.repeat_interleave(c), a, flat)


def test_repeat_interleave_counts_errors() -> None:
    x = dev.zeros((2, 3))
    with pytest.raises(sh.ShapeError, match="2 repeats for axis 1 of size 3"):
        x.repeat_interleave(dev.tensor([1, 2]), dim=1)
    with pytest.raises(sh.ShapeError, match="non-negative"):
        x.repeat_interleave(dev.tensor([1, -1, 2]), dim=1)
    with pytest.raises(sh.DtypeError, match="integer tensor"):
        x.repeat_interleave(dev.tensor([1.0, 1.0, 2.0]), dim=1)  # type: ignore[arg-type]


# ---------------------------------------------------------------- meshgrid


@settings(max_examples=40)
@given(
    st.lists(st.integers(0, 4), min_size=1, max_size=3), float_dtypes, st.sampled_from(["ij", "xy"])
)
def test_meshgrid_matches_torch(sizes: list[int], dtype: Any, indexing: Mesh) -> None:
    inputs = [arrays((n,), dtype, seed=i) for i, n in enumerate(sizes)]
    check(
        lambda *ts: torch_joined(torch.meshgrid(*ts, indexing=indexing)),
        lambda *ts: joined(sh.meshgrid(*ts, indexing=indexing)),
        *inputs,
    )
    check(
        lambda *ts: torch.meshgrid(list(ts), indexing=indexing)[0],
        lambda *ts: sh.meshgrid(list(ts), indexing=indexing)[0],
        *inputs,
    )


def test_meshgrid_takes_rank0_and_refuses_matrices() -> None:
    scalar, vector = arrays(()), arrays((3,), seed=1)
    check(
        lambda a, b: torch_joined(torch.meshgrid(a, b, indexing="ij")),
        lambda a, b: joined(sh.meshgrid(a, b)),
        scalar,
        vector,
    )
    with pytest.raises(sh.ShapeError, match="every input must be 0-d or 1-d"):
        sh.meshgrid(dev.zeros((2, 2)), dev.zeros((2,)))
    with pytest.raises(sh.DtypeError):
        sh.meshgrid(dev.zeros((2,)), dev.zeros((2,), dtype=sh.Float64))


# ---------------------------------------------------------------- pad modes


@given(
    st.lists(st.integers(1, 5), min_size=1, max_size=2),
    float_dtypes,
    st.sampled_from(["reflect", "replicate", "circular"]),
    st.data(),
)
def test_pad_modes_match_torch(
    sizes: list[int], dtype: Any, mode: str, data: st.DataObject
) -> None:
    # torch pads the trailing 1 or 2 axes of a (N, C, ...) tensor in these modes
    shape = (2, 2, *sizes)
    limit = {"reflect": -1, "circular": 0, "replicate": 3}[mode]
    flat: list[int] = []
    for size in reversed(sizes):
        top = size + limit if mode != "replicate" else limit
        flat += [data.draw(st.integers(0, top)), data.draw(st.integers(0, top))]
    widths = [
        (0, 0),
        (0, 0),
        *[(flat[2 * i], flat[2 * i + 1]) for i in reversed(range(len(sizes)))],
    ]
    a = arrays(shape, dtype)
    check(lambda t: F.pad(t, flat, mode=mode), lambda t: t.pad(widths, mode=mode), a)


def test_pad_mode_limits_are_torchs() -> None:
    x = dev.zeros((1, 1, 3))
    with pytest.raises(sh.ShapeError, match="reflect padding 3 must be less than the size 3"):
        x.pad(((0, 0), (0, 0), (3, 0)), mode="reflect")
    with pytest.raises(sh.ShapeError, match="circular padding 4 must be at most the size 3"):
        x.pad(((0, 0), (0, 0), (0, 4)), mode="circular")
    with pytest.raises(sh.ShapeError, match="replicate padding needs a non-empty axis"):
        dev.zeros((1, 0)).pad(((0, 0), (1, 1)), mode="replicate")
    with pytest.raises(sh.ShapeError, match="mode must be one of"):
        x.pad(1, mode="edge")  # type: ignore[arg-type]
    assert x.pad(((0, 0), (0, 0), (2, 2)), mode="reflect").shape == (1, 1, 7)
    with pytest.raises(ValueError, match="takes no value"):
        x.pad(((0, 0), (0, 0), (1, 1)), 2.0, mode="reflect")
    with pytest.raises(ValueError, match="takes no value"):
        sh.nn.functional.pad(x, (1, 1), mode="circular", value=1.0)


# ---------------------------------------------------------------- numel and size


@given(shapes())
def test_numel_and_size_match_torch(shape: tuple[int, ...]) -> None:
    x, t = dev.zeros(shape), torch.zeros(shape)
    assert x.numel() == t.numel()
    assert x.size() == tuple(t.size())
    for axis in range(-len(shape), len(shape)):
        assert x.size(axis) == t.size(axis) == x.size(dim=axis)
    with pytest.raises(sh.ShapeError, match="out of range"):
        x.size(len(shape))


@given(shapes(min_dims=1, max_dims=3, max_side=3), float_dtypes, st.data())
def test_functional_pad_takes_torchs_flat_widths(
    shape: tuple[int, ...], dtype: Any, data: st.DataObject
) -> None:
    count = data.draw(st.integers(1, len(shape)))
    flat = tuple(data.draw(st.lists(st.integers(0, 2), min_size=2 * count, max_size=2 * count)))
    value = data.draw(st.sampled_from([None, 0.5, -2.0]))
    a = arrays(shape, dtype)
    check(
        lambda t: F.pad(t, flat, value=value),
        lambda t: sh.nn.functional.pad(t, flat, value=value),
        a,
    )


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_functional_pad_modes_match_torch(mode: Mode, dtype: Any) -> None:
    a = arrays((2, 3, 4, 5), dtype)
    flat = (1, 2, 2, 0)
    check(
        lambda t: F.pad(t, flat, mode=mode), lambda t: sh.nn.functional.pad(t, flat, mode=mode), a
    )  # type: ignore[arg-type]
    with pytest.raises(sh.ShapeError, match="even length"):
        sh.nn.functional.pad(dev.tensor(a), (1, 2, 3))


def test_fail_file_lines_raise_the_same_message_at_run_time() -> None:
    """Each line of tests/typing/fail/ops_shaping.py that mypy reports raises at run time with
    the message mypy gives: one rule, two uses."""
    from pathlib import Path

    source = (Path(__file__).parent / "typing" / "fail" / "ops_shaping.py").read_text()
    header, _, body = source.partition("\n\nx.repeat")
    namespace: dict[str, Any] = {}
    exec(compile(header, "header", "exec"), namespace)
    lines = [line for line in ("x.repeat" + body).splitlines() if "# E: " in line]
    assert len(lines) > 20
    for line in lines:
        code, _, expected = line.partition("  # type: ignore")
        message = expected.split("# E: ", 1)[1]
        with pytest.raises((sh.ShapeError, sh.DtypeError)) as error:
            exec(code, namespace)
        assert message in str(error.value), f"{code}: {error.value}"
