"""Every shape rule of shaped, written once.

The runtime runs these on real shapes before any array is touched; the mypy plugin runs
the same functions on `Literal` dims. A dim is an `int`, or `None` when it is known only
at run time (an `int` dim in a type): unknown dims pass every check and make unknown
results. A rule returns the result shape, or `None` where even the rank is unknown.
Standard library only: the plugin imports this module without numpy.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from shaped.errors import ShapeError

Dim = int | None
Shape = tuple[Dim, ...]
IntPair = int | tuple[int, int]


def fmt(shape: Sequence[Dim]) -> str:
    """(2, 3) as text; unknown dims print as `int`, a 1-tuple as (3,)."""
    parts = ["int" if d is None else str(d) for d in shape]
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def _known(*dims: Dim) -> bool:
    return all(d is not None for d in dims)


def _product(dims: Sequence[Dim]) -> Dim:
    total = 1
    for d in dims:
        if d is None:
            return None
        total *= d
    return total


def _pair(value: IntPair, what: str, op: str) -> tuple[int, int]:
    if isinstance(value, int):
        return value, value
    if len(value) != 2:
        raise ShapeError(f"{op}: {what} must be an int or a pair of ints, got {value!r}")
    return value[0], value[1]


def normalize_axis(op: str, axis: int, ndim: int, *, extra: int = 0) -> int:
    """axis in [-ndim-extra, ndim+extra) made non-negative, or a ShapeError naming the range."""
    if not _is_axis(axis):
        raise TypeError(f"{op}: axis must be an int, got {axis!r} ({type(axis).__name__})")
    axis = operator.index(axis)
    size = ndim + extra
    if not -size <= axis < size:
        valid = f"{-size}..{size - 1}" if size else "none (rank 0)"
        raise ShapeError(
            f"{op}: axis {axis} is out of range for a tensor of rank {ndim}; valid axes are {valid}"
        )
    return axis % size


def normalize_axes(op: str, axis: int | Sequence[int] | None, ndim: int) -> tuple[int, ...]:
    """The reduction axes, non-negative and sorted; None means all of them."""
    if axis is None:
        return tuple(range(ndim))
    axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    if not all(_is_axis(a) for a in axes):
        raise TypeError(f"{op}: axis must be an int, a tuple of ints or None, got {axis!r}")
    out = tuple(sorted(normalize_axis(op, a, ndim) for a in axes))
    if len(set(out)) != len(out):
        raise ShapeError(f"{op}: axis {axis!r} repeats an axis")
    return out


def _is_axis(axis: object) -> bool:
    """An int or numpy integer, not a bool (x.sum(axis=True) is a mistake, not axis 1)."""
    return not isinstance(axis, bool) and hasattr(type(axis), "__index__")


# ---------------------------------------------------------------- elementwise


@lru_cache(maxsize=4096)
def broadcast(op: str, *shapes: Shape) -> Shape:
    """numpy broadcasting: align trailing dims; each pair must be equal or contain a 1."""
    ndim = max((len(s) for s in shapes), default=0)
    out: list[Dim] = []
    for i in range(-ndim, 0):
        dims = [s[i] for s in shapes if len(s) >= -i]
        result: Dim = 1
        for d in dims:
            if d == 1:
                continue
            if d is None:
                result = None if result in (1, None) else result
            elif result in (1, None):
                result = d
            elif result != d:
                shown = " and ".join(fmt(s) for s in shapes)
                raise ShapeError(
                    f"{op}: shapes {shown} do not broadcast: axis {i} has sizes {result} and {d} "
                    "(each pair of trailing dims must be equal or 1); reshape or unsqueeze one operand"
                )
        out.append(result)
    return tuple(out)


def same_shape(op: str, a: Shape, b: Shape) -> Shape:
    """Two shapes that must be equal (losses: no silent broadcasting of (N, 1) against (N,))."""
    if len(a) != len(b) or any(x is not None and y is not None and x != y for x, y in zip(a, b)):
        raise ShapeError(
            f"{op}: input shape {fmt(a)} and target shape {fmt(b)} differ; they must be equal "
            "(reshape the target, e.g. target.reshape(input.shape))"
        )
    return tuple(x if x is not None else y for x, y in zip(a, b))


# ---------------------------------------------------------------- linear algebra


@lru_cache(maxsize=4096)
def matmul(a: Shape, b: Shape) -> Shape:
    """PyTorch matmul: 1-D operands get a dim added then removed; batch dims broadcast."""
    if not a or not b:
        raise ShapeError(
            f"matmul: {fmt(a)} @ {fmt(b)}: both operands need at least 1 dim; use * for scalars"
        )
    a2 = (1, *a) if len(a) == 1 else a
    b2 = (*b, 1) if len(b) == 1 else b
    k_a, k_b = a2[-1], b2[-2]
    if k_a is not None and k_b is not None and k_a != k_b:
        raise ShapeError(f"matmul: {fmt(a)} @ {fmt(b)}: inner dims {k_a} != {k_b}")
    batch = broadcast("matmul", a2[:-2], b2[:-2])
    out = (*batch, a2[-2], b2[-1])
    if len(a) == 1:
        out = out[:-2] + out[-1:]
    if len(b) == 1:
        out = out[:-1]
    return out


def linear(x: Shape, weight: Shape, bias: Shape | None = None) -> Shape:
    """x (*B, I) with weight (O, I) and bias (O,) gives (*B, O)."""
    if len(weight) != 2:
        raise ShapeError(f"linear: weight must be (out_features, in_features), got {fmt(weight)}")
    out_f, in_f = weight
    if not x:
        raise ShapeError(f"linear: input must have at least 1 dim, got {fmt(x)}")
    if x[-1] is not None and in_f is not None and x[-1] != in_f:
        raise ShapeError(
            f"linear: Linear[{in_f}, {out_f}] expects (..., {in_f}), got {fmt(x)}: "
            f"the last dim {x[-1]} != in_features {in_f}"
        )
    if bias is not None and (len(bias) != 1 or not _match(bias[0], out_f)):
        raise ShapeError(f"linear: bias must be {fmt((out_f,))}, got {fmt(bias)}")
    return (*x[:-1], out_f)


def _match(a: Dim, b: Dim) -> bool:
    return a is None or b is None or a == b


# ---------------------------------------------------------------- reductions


@lru_cache(maxsize=4096)
def reduce(op: str, shape: Shape, axis: int | tuple[int, ...] | None, keepdims: bool) -> Shape:
    """Remove (or keep as 1) the reduced axes."""
    axes = normalize_axes(op, axis, len(shape))
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def reduce_nonempty(op: str, shape: Shape, axis: int | tuple[int, ...] | None) -> None:
    """max/min/argmax/argmin have no identity: the reduced axes must not be empty."""
    for a in normalize_axes(op, axis, len(shape)):
        if shape[a] == 0:
            raise ShapeError(f"{op}: cannot reduce over axis {a} of size 0 in shape {fmt(shape)}")


# ---------------------------------------------------------------- movement


def reshape(shape: Shape, new_shape: Sequence[int | None]) -> Shape:
    """One -1 is inferred; sizes must agree: (2, 3) -> (3, -1) gives (3, 2)."""
    if sum(1 for d in new_shape if d == -1) > 1:
        raise ShapeError(f"reshape: only one -1 is allowed, got {tuple(new_shape)}")
    if any(d is not None and d < -1 for d in new_shape):
        raise ShapeError(f"reshape: negative size in {tuple(new_shape)}")
    total = _product(shape)
    known = _product([d for d in new_shape if d != -1])
    if -1 in new_shape:
        if total is None or known is None:
            return tuple(None if d == -1 else d for d in new_shape)
        if known == 0 or total % known:
            raise ShapeError(
                f"reshape: cannot reshape {fmt(shape)} ({_times(shape)} = {total} elements) "
                f"into {_dims_text(new_shape)}: {total} is not divisible by {known}"
            )
        return tuple(total // known if d == -1 else d for d in new_shape)
    if total is not None and known is not None and total != known:
        raise ShapeError(
            f"reshape: cannot reshape {fmt(shape)} ({_times(shape)} = {total} elements) "
            f"into {_dims_text(new_shape)} ({_times(new_shape)} = {known} elements)"
        )
    return tuple(new_shape)


def _times(dims: Sequence[Dim]) -> str:
    return "*".join("int" if d is None else str(d) for d in dims) or "1"


def _dims_text(dims: Sequence[Dim]) -> str:
    return fmt(list(dims))


def flatten(shape: Shape, start_axis: int = 0, end_axis: int = -1) -> Shape:
    """Merge axes start..end (inclusive) into one; a rank-0 tensor flattens to (1,)."""
    if not shape:
        return (1,)
    start = normalize_axis("flatten", start_axis, len(shape))
    end = normalize_axis("flatten", end_axis, len(shape))
    if start > end:
        raise ShapeError(f"flatten: start_axis {start_axis} comes after end_axis {end_axis}")
    return (*shape[:start], _product(shape[start : end + 1]), *shape[end + 1 :])


def permute(shape: Shape, axes: Sequence[int]) -> Shape:
    """Reorder the axes; `axes` must name each axis once."""
    if len(axes) != len(shape):
        raise ShapeError(
            f"permute: got {len(axes)} axes {tuple(axes)} for a tensor of rank {len(shape)}; "
            "name every axis once"
        )
    norm = [normalize_axis("permute", a, len(shape)) for a in axes]
    if sorted(norm) != list(range(len(shape))):
        raise ShapeError(f"permute: axes {tuple(axes)} must name each axis once")
    return tuple(shape[a] for a in norm)


def transpose(shape: Shape, axis0: int, axis1: int) -> Shape:
    """Swap two axes."""
    a = normalize_axis("transpose", axis0, len(shape))
    b = normalize_axis("transpose", axis1, len(shape))
    out = list(shape)
    out[a], out[b] = out[b], out[a]
    return tuple(out)


def matrix_transpose(shape: Shape) -> Shape:
    """.mT: swap the last two axes."""
    if len(shape) < 2:
        raise ShapeError(f"mT: needs at least 2 dims, got {fmt(shape)}; use .T for vectors")
    return (*shape[:-2], shape[-1], shape[-2])


def unsqueeze(shape: Shape, axis: int) -> Shape:
    """Insert a size-1 axis at `axis` (-rank-1..rank)."""
    pos = normalize_axis("unsqueeze", axis, len(shape), extra=1)
    return (*shape[:pos], 1, *shape[pos:])


def squeeze(shape: Shape, axis: int | tuple[int, ...] | None = None) -> Shape | None:
    """Drop size-1 axes: all of them, or those named (a named axis of size != 1 stays, as in PyTorch)."""
    if axis is None:
        if any(d is None for d in shape):
            return None  # which axes are 1 is known only at run time
        return tuple(d for d in shape if d != 1)
    axes = normalize_axes("squeeze", axis, len(shape))
    if any(shape[a] is None for a in axes):
        return None
    return tuple(d for i, d in enumerate(shape) if not (i in axes and d == 1))


def broadcast_to(shape: Shape, target: Sequence[int | None]) -> Shape:
    """numpy's broadcast_to (a -1 in target keeps that dim, as torch's expand)."""
    if len(target) < len(shape):
        raise ShapeError(f"broadcast_to: cannot broadcast {fmt(shape)} to fewer dims {fmt(target)}")
    lead = len(target) - len(shape)
    out: list[Dim] = list(target[:lead])
    for i, (d, t) in enumerate(zip(shape, target[lead:])):
        if t == -1:
            out.append(d)
        elif d is None or t is None or d == t or d == 1:
            out.append(t)
        else:
            raise ShapeError(
                f"broadcast_to: cannot broadcast {fmt(shape)} to {fmt(target)}: "
                f"axis {lead + i} has size {d}, which is neither {t} nor 1"
            )
    if any(d is not None and d < 0 for d in out[:lead]):
        raise ShapeError(f"broadcast_to: -1 is only allowed for existing axes, got {fmt(target)}")
    return tuple(out)


def take(shape: Shape, indices: Shape, axis: int | None) -> Shape:
    """np.take: the indices' shape replaces `axis` (the flattened tensor when axis is None)."""
    if axis is None:
        if _product(shape) == 0 and _product(indices) not in (0, None):
            raise ShapeError(f"take: cannot take from the empty tensor {fmt(shape)}")
        return indices
    pos = normalize_axis("take", axis, len(shape))
    if shape[pos] == 0 and _product(indices) != 0:
        raise ShapeError(f"take: cannot take from an empty axis {axis} of {fmt(shape)}")
    return (*shape[:pos], *indices, *shape[pos + 1 :])


def pad(shape: Shape, widths: Sequence[tuple[int, int]]) -> Shape:
    """numpy-style widths ((before, after), ...) per axis; one pair applies to every axis."""
    pairs = list(widths)
    if len(pairs) == 1 and len(shape) != 1:
        pairs = pairs * len(shape)
    if len(pairs) != len(shape):
        raise ShapeError(
            f"pad: got {len(pairs)} (before, after) pairs for a tensor of rank {len(shape)}; "
            "give one pair per axis"
        )
    for pair in pairs:
        if len(pair) != 2 or pair[0] < 0 or pair[1] < 0:
            raise ShapeError(
                f"pad: widths must be non-negative (before, after) pairs, got {pair!r}"
            )
    return tuple(None if d is None else d + b + a for d, (b, a) in zip(shape, pairs))


def index(shape: Shape, key: tuple[Any, ...]) -> Shape:
    """Basic indexing: ints, slices, None and one Ellipsis, as numpy and PyTorch."""
    if sum(1 for k in key if k is Ellipsis) > 1:
        raise ShapeError("index: only one ... (Ellipsis) is allowed")
    consumed = sum(1 for k in key if k is not None and k is not Ellipsis)
    if consumed > len(shape):
        raise ShapeError(
            f"index: too many indices for a tensor of rank {len(shape)}: got {consumed}"
        )
    if Ellipsis in key:
        at = next(i for i, k in enumerate(key) if k is Ellipsis)
        key = (*key[:at], *([slice(None)] * (len(shape) - consumed)), *key[at + 1 :])
    out: list[Dim] = []
    axis = 0
    for k in key:
        if k is None:
            out.append(1)
            continue
        size = shape[axis]
        if isinstance(k, slice):
            if size is None:
                out.append(None)
            else:
                out.append(len(range(*k.indices(size))))
        elif isinstance(k, int) and not isinstance(k, bool):
            if size is not None and not -size <= k < size:
                raise ShapeError(
                    f"index: index {k} is out of range for axis {axis} of size {size} "
                    f"(shape {fmt(shape)}); valid indices are {-size}..{size - 1}"
                )
        else:
            raise ShapeError(
                f"index: unsupported index {k!r}; use ints, slices, None or ..., "
                "and .take(indices, axis) to gather"
            )
        axis += 1
    return (*out, *shape[axis:])


def concat(shapes: Sequence[Shape], axis: int = 0) -> Shape:
    """Join along an existing axis; every other dim must agree."""
    if not shapes:
        raise ShapeError("concat: needs at least one tensor")
    first = shapes[0]
    for i, s in enumerate(shapes[1:], 1):
        if len(s) != len(first):
            raise ShapeError(
                f"concat: tensor {i} has shape {fmt(s)}, rank {len(s)}, but tensor 0 has "
                f"{fmt(first)}, rank {len(first)}; all tensors need the same rank"
            )
    if not first:
        raise ShapeError("concat: cannot concatenate rank-0 tensors; use stack")
    pos = normalize_axis("concat", axis, len(first))
    out = list(first)
    for i, s in enumerate(shapes[1:], 1):
        for j, (d, e) in enumerate(zip(out, s)):
            if j != pos and not _match(d, e):
                raise ShapeError(
                    f"concat: tensor {i} has shape {fmt(s)} but tensor 0 has {fmt(first)}: "
                    f"axis {j} differs ({e} != {d}); only axis {pos} may differ"
                )
            if j != pos and d is None:
                out[j] = e
    out[pos] = sum_dims([s[pos] for s in shapes])
    return tuple(out)


def sum_dims(dims: Sequence[Dim]) -> Dim:
    total = 0
    for d in dims:
        if d is None:
            return None
        total += d
    return total


def stack(shapes: Sequence[Shape], axis: int = 0) -> Shape:
    """Join along a new axis; every shape must be equal."""
    if not shapes:
        raise ShapeError("stack: needs at least one tensor")
    first = shapes[0]
    for i, s in enumerate(shapes[1:], 1):
        if len(s) != len(first) or not all(_match(d, e) for d, e in zip(first, s)):
            raise ShapeError(
                f"stack: tensor {i} has shape {fmt(s)} but tensor 0 has {fmt(first)}; "
                "stacked tensors must all have the same shape"
            )
    pos = normalize_axis("stack", axis, len(first), extra=1)
    return (*first[:pos], len(shapes), *first[pos:])


def joined_many(op: str, shapes: Sequence[Shape], axis: int = 0) -> Shape:
    """concat or stack of a sequence whose length is known only at run time, its items shaped
    like `shapes`: the joined axis's size is unknown, every other dim is the rule's."""
    out = list(concat(shapes, axis) if op == "concat" else stack(shapes, axis))
    out[normalize_axis(op, axis, len(out))] = None
    return tuple(out)


def realize(shape: Shape, target: Sequence[int | None]) -> Shape:
    """Check a run-time shape against the one a type promises."""
    if len(shape) != len(target) or not all(_match(d, t) for d, t in zip(shape, target)):
        raise ShapeError(
            f"realize: the tensor has shape {fmt(shape)}, not {fmt(target)}; "
            "check the data, or realize the shape it really has"
        )
    return tuple(t if t is not None else d for d, t in zip(shape, target))


def nested_shape(data: Any) -> Shape:
    """The shape of a nested list of numbers; ragged lists are a ShapeError."""
    if not isinstance(data, (list, tuple)):
        return ()
    if not data:
        return (0,)
    inner = [nested_shape(item) for item in data]
    for i, s in enumerate(inner[1:], 1):
        if s != inner[0]:
            raise ShapeError(
                f"tensor: ragged nested list: element 0 has shape {fmt(inner[0])} but element {i} "
                f"has shape {fmt(s)}; every row must have the same length"
            )
    return (len(data), *inner[0])


# ---------------------------------------------------------------- layer hyper-parameters

_POOL = {"kernel_size": 1, "stride": 1, "padding": 0}
_NORM = {"num_features": 0}

# The least value of each size a layer's constructor takes (as torch checks them).
LAYER_SIZES: dict[str, dict[str, int]] = {
    "Linear": {"in_features": 0, "out_features": 0},
    "Conv2d": {
        "in_channels": 0,
        "out_channels": 0,
        "kernel_size": 1,
        "stride": 1,
        "padding": 0,
        "dilation": 1,
        "groups": 1,
    },
    "ConvTranspose2d": {
        "in_channels": 0,
        "out_channels": 0,
        "kernel_size": 1,
        "stride": 1,
        "padding": 0,
        "output_padding": 0,
        "dilation": 1,
        "groups": 1,
    },
    "MaxPool2d": _POOL,
    "AvgPool2d": _POOL,
    "LayerNorm": {"normalized_shape": 0},
    "BatchNorm1d": _NORM,
    "BatchNorm2d": _NORM,
    "Embedding": {"num_embeddings": 0, "embedding_dim": 0},
    "MultiHeadAttention": {"embed_dim": 1, "num_heads": 1},
    "TransformerEncoderLayer": {"d_model": 1, "nhead": 1, "dim_feedforward": 0},
}


def layer_sizes(layer: str, sizes: dict[str, int | None]) -> None:
    """A layer's constructor rule: each size at least its least value, channels divisible
    by groups, the embedding divisible by the heads. Sizes not known (None) are skipped."""
    least = LAYER_SIZES.get(layer, {})
    for name, value in sizes.items():
        if value is not None and name in least and value < least[name]:
            raise ShapeError(f"{layer}: {name} must be at least {least[name]}, got {value}")
    cin, cout, groups = (sizes.get(n) for n in ("in_channels", "out_channels", "groups"))
    if groups and cin is not None and cout is not None and (cin % groups or cout % groups):
        raise ShapeError(
            f"{layer}: in_channels ({cin}) and out_channels ({cout}) must both be divisible "
            f"by groups ({groups})"
        )
    for dim_name, heads_name in (("embed_dim", "num_heads"), ("d_model", "nhead")):
        dim, heads = sizes.get(dim_name), sizes.get(heads_name)
        if dim is not None and heads and dim % heads:
            raise ShapeError(
                f"{layer}: {dim_name} ({dim}) must be divisible by {heads_name} ({heads})"
            )


# ---------------------------------------------------------------- convolution and pooling


def _conv_out(size: Dim, kernel: int, stride: int, pad: int, dilation: int) -> Dim:
    return None if size is None else (size + 2 * pad - dilation * (kernel - 1) - 1) // stride + 1


def _spatial(op: str, x: Shape, channels_name: str = "C") -> tuple[Shape, Dim, Dim, Dim]:
    if len(x) not in (3, 4):
        raise ShapeError(
            f"{op}: input must be (N, {channels_name}, H, W) or ({channels_name}, H, W), got {fmt(x)}"
        )
    batch: Shape = x[:-3]
    return batch, x[-3], x[-2], x[-1]


def _check_positive(op: str, **values: tuple[int, int]) -> None:
    for name, (a, b) in values.items():
        low = 0 if name == "padding" else 1
        if a < low or b < low:
            raise ShapeError(f"{op}: {name} must be >= {low}, got {(a, b)}")


def conv2d(
    x: Shape,
    weight: Shape,
    stride: IntPair = 1,
    padding: IntPair = 0,
    dilation: IntPair = 1,
    groups: int = 1,
    bias: Shape | None = None,
) -> Shape:
    """x (N, C, H, W), weight (F, C/groups, kH, kW): H_out = (H + 2p - d(k-1) - 1)//s + 1."""
    op = "conv2d"
    batch, chans, height, width = _spatial(op, x)
    if len(weight) != 4:
        raise ShapeError(f"{op}: weight must be (C_out, C_in/groups, kH, kW), got {fmt(weight)}")
    filters, per_group, kh, kw = weight
    s, p, d = (
        _pair(stride, "stride", op),
        _pair(padding, "padding", op),
        _pair(dilation, "dilation", op),
    )
    _check_positive(op, stride=s, padding=p, dilation=d)
    if groups < 1:
        raise ShapeError(f"{op}: groups must be >= 1, got {groups}")
    if filters is not None and filters % groups:
        raise ShapeError(f"{op}: out channels {filters} are not divisible by groups={groups}")
    if chans is not None and chans % groups:
        raise ShapeError(f"{op}: input channels {chans} are not divisible by groups={groups}")
    if chans is not None and per_group is not None and chans != per_group * groups:
        raise ShapeError(
            f"{op}: weight {fmt(weight)} expects {per_group}*{groups} = {per_group * groups} input "
            f"channels, got {chans} (input {fmt(x)})"
        )
    if bias is not None and (len(bias) != 1 or not _match(bias[0], filters)):
        raise ShapeError(f"{op}: bias must be {fmt((filters,))}, got {fmt(bias)}")
    if kh is None or kw is None:
        return (*batch, filters, None, None)
    out_h = _conv_out(height, kh, s[0], p[0], d[0])
    out_w = _conv_out(width, kw, s[1], p[1], d[1])
    for name, size, out, k, si, pi, di in (
        ("H", height, out_h, kh, s[0], p[0], d[0]),
        ("W", width, out_w, kw, s[1], p[1], d[1]),
    ):
        if out is not None and out < 1:
            raise ShapeError(
                f"{op}: {name}_out = ({size} + 2*{pi} - {di}*({k}-1) - 1)//{si} + 1 = {out}: "
                f"the input is smaller than the dilated kernel; pad it or use a smaller kernel"
            )
    return (*batch, filters, out_h, out_w)


def conv_transpose2d(
    x: Shape,
    weight: Shape,
    stride: IntPair = 1,
    padding: IntPair = 0,
    output_padding: IntPair = 0,
    groups: int = 1,
    dilation: IntPair = 1,
    bias: Shape | None = None,
) -> Shape:
    """weight (C_in, C_out/groups, kH, kW): H_out = (H-1)*s - 2p + d(k-1) + output_padding + 1."""
    op = "conv_transpose2d"
    batch, chans, height, width = _spatial(op, x)
    if len(weight) != 4:
        raise ShapeError(f"{op}: weight must be (C_in, C_out/groups, kH, kW), got {fmt(weight)}")
    in_ch, per_group, kh, kw = weight
    s, p, d = (
        _pair(stride, "stride", op),
        _pair(padding, "padding", op),
        _pair(dilation, "dilation", op),
    )
    op_pad = _pair(output_padding, "output_padding", op)
    _check_positive(op, stride=s, padding=p, dilation=d)
    if groups < 1 or (in_ch is not None and in_ch % groups):
        raise ShapeError(f"{op}: input channels {in_ch} are not divisible by groups={groups}")
    if not _match(chans, in_ch):
        raise ShapeError(
            f"{op}: weight {fmt(weight)} expects {in_ch} input channels, got {chans} (input {fmt(x)})"
        )
    for o, si, di in zip(op_pad, s, d):
        if not (0 <= o < max(si, di)):
            raise ShapeError(f"{op}: output_padding {o} must be smaller than stride or dilation")
    out_ch = None if per_group is None else per_group * groups
    if bias is not None and (len(bias) != 1 or not _match(bias[0], out_ch)):
        raise ShapeError(f"{op}: bias must be {fmt((out_ch,))}, got {fmt(bias)}")
    if kh is None or kw is None:
        return (*batch, out_ch, None, None)
    outs: list[Dim] = []
    for name, size, k, si, pi, di, oi in (
        ("H", height, kh, s[0], p[0], d[0], op_pad[0]),
        ("W", width, kw, s[1], p[1], d[1], op_pad[1]),
    ):
        out = None if size is None else (size - 1) * si - 2 * pi + di * (k - 1) + oi + 1
        if out is not None and out < 1:
            raise ShapeError(
                f"{op}: {name}_out = ({size}-1)*{si} - 2*{pi} + {di}*({k}-1) + {oi} + 1 = {out} < 1"
            )
        outs.append(out)
    return (*batch, out_ch, outs[0], outs[1])


def pool2d(
    op: str, x: Shape, kernel_size: IntPair, stride: IntPair | None = None, padding: IntPair = 0
) -> Shape:
    """H_out = (H + 2p - k)//s + 1; stride defaults to the kernel; padding at most half the kernel."""
    batch, chans, height, width = _spatial(op, x)
    k = _pair(kernel_size, "kernel_size", op)
    s = k if stride is None else _pair(stride, "stride", op)
    p = _pair(padding, "padding", op)
    _check_positive(op, kernel_size=k, stride=s, padding=p)
    if p[0] > k[0] // 2 or p[1] > k[1] // 2:
        raise ShapeError(f"{op}: padding {p} must be at most half the kernel size {k}")
    outs: list[Dim] = []
    for name, size, ki, si, pi in (("H", height, k[0], s[0], p[0]), ("W", width, k[1], s[1], p[1])):
        out = None if size is None else (size + 2 * pi - ki) // si + 1
        if out is not None and out < 1:
            raise ShapeError(
                f"{op}: {name}_out = ({size} + 2*{pi} - {ki})//{si} + 1 = {out}: "
                "the input is smaller than the kernel"
            )
        outs.append(out)
    return (*batch, chans, outs[0], outs[1])


# ---------------------------------------------------------------- neural-network functions


def normalized(op: str, x: Shape, normalized_shape: Shape) -> Shape:
    """layer_norm: the trailing dims of x must equal the weight's shape."""
    n = len(normalized_shape)
    if n > len(x) or not all(_match(a, b) for a, b in zip(x[len(x) - n :], normalized_shape)):
        raise ShapeError(
            f"{op}: normalized shape {fmt(normalized_shape)} must match the trailing dims of "
            f"the input {fmt(x)}"
        )
    return x


def batch_norm(x: Shape, channels: Dim) -> Shape:
    """x (N, C) or (N, C, ...): axis 1 is the channel axis."""
    if len(x) < 2:
        raise ShapeError(f"batch_norm: input must be (N, C, ...), got {fmt(x)}")
    if not _match(x[1], channels):
        raise ShapeError(
            f"batch_norm: BatchNorm[{channels}] expects {channels} channels on axis 1, got {fmt(x)}"
        )
    return x


def created(op: str, shape: Shape) -> Shape:
    """The shape given to zeros/ones/full/randn/rand: no dim may be negative."""
    if any(d is not None and d < 0 for d in shape):
        raise ShapeError(
            f"{op}: negative dimension in shape {fmt(shape)}; sizes are >= 0 (use 0 for empty)"
        )
    return shape


def arange(start: object, stop: object, step: object) -> Shape:
    """arange's length for `arange(start, stop, step)`: exact for ints, None for other bounds
    (floats, or known only at run time); a step of 0 is an error."""
    if isinstance(step, (int, float)) and step == 0:
        raise ShapeError("arange: step must not be 0")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, stop, step)):
        return (None,)
    assert isinstance(start, int) and isinstance(stop, int) and isinstance(step, int)
    return (len(range(start, stop, step)),)


def features(layer: str, x: Shape, dim: Dim) -> Shape:
    """A layer that reads (..., E) and keeps the shape (attention, transformer blocks)."""
    if not x:
        raise ShapeError(f"{layer}[{dim}, ...] expects (..., {dim}), got a rank-0 tensor")
    if not _match(x[-1], dim):
        raise ShapeError(
            f"{layer}[{dim}, ...] expects (..., {dim}), got {fmt(x)}: the last dim {x[-1]} != {dim}"
        )
    return x


def residual(x: Shape, out: Shape) -> Shape:
    """Residual(m) adds x to m(x): the module must keep the shape."""
    if len(x) != len(out) or not all(_match(a, b) for a, b in zip(x, out)):
        raise ShapeError(
            f"Residual adds its input {fmt(x)} to the inner output {fmt(out)}: they must have "
            "the same shape"
        )
    return x


def embedding(indices: Shape, weight: Shape) -> Shape:
    """indices (*B) into weight (V, E) gives (*B, E)."""
    if len(weight) != 2:
        raise ShapeError(f"embedding: weight must be (num_embeddings, dim), got {fmt(weight)}")
    return (*indices, weight[1])


def attention(q: Shape, k: Shape, v: Shape, mask: Shape | None = None) -> Shape:
    """q (*B, L, E), k (*B, S, E), v (*B, S, Ev) give (*B, L, Ev); mask broadcasts to (*B, L, S)."""
    op = "scaled_dot_product_attention"
    for name, s in (("q", q), ("k", k), ("v", v)):
        if len(s) < 2:
            raise ShapeError(f"{op}: {name} must be (..., seq, dim), got {fmt(s)}")
    if not _match(q[-1], k[-1]):
        raise ShapeError(
            f"{op}: q {fmt(q)} and k {fmt(k)} must share the last dim ({q[-1]} != {k[-1]})"
        )
    if not _match(k[-2], v[-2]):
        raise ShapeError(
            f"{op}: k {fmt(k)} and v {fmt(v)} must share the sequence dim ({k[-2]} != {v[-2]})"
        )
    batch = broadcast(op, q[:-2], k[:-2], v[:-2])
    scores = (*batch, q[-2], k[-2])
    if mask is not None:
        broadcast(op + " mask", mask, scores)
    return (*batch, q[-2], v[-1])


def class_target(op: str, logits: Shape, target: Shape) -> Shape:
    """Logits (N, C, *d) or (C,) with class indices (N, *d) or (); returns the per-item shape."""
    if not logits:
        raise ShapeError(f"{op}: logits must be (N, C, ...) or (C,), got {fmt(logits)}")
    expected = () if len(logits) == 1 else (logits[0], *logits[2:])
    if len(target) != len(expected) or not all(_match(a, b) for a, b in zip(target, expected)):
        raise ShapeError(
            f"{op}: logits {fmt(logits)} need class-index targets of shape {fmt(expected)}, "
            f"got {fmt(target)}"
        )
    return expected


def loss_output(shape: Shape, reduction: str) -> Shape:
    """'none' keeps the per-item shape; 'mean' and 'sum' give a scalar."""
    if reduction not in ("none", "mean", "sum"):
        raise ShapeError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    return shape if reduction == "none" else ()


# ---------------------------------------------------------------- indexing and masking, creation


# ---------------------------------------------------------------- shape and movement, more


# ---------------------------------------------------------------- reductions and sorting, more


# ---------------------------------------------------------------- elementwise math and activations, more


# ---------------------------------------------------------------- linear algebra, more


# ---------------------------------------------------------------- convolution and pooling options
