"""Every shape rule of shaped, written once.

The runtime runs these on real shapes before any array is touched; the mypy plugin runs
the same functions on `Literal` dims. A dim is an `int`, or `None` when it is known only
at run time (an `int` dim in a type): unknown dims pass every check and make unknown
results. A rule returns the result shape, or `None` where even the rank is unknown.
Standard library only: the plugin imports this module without numpy.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any, NamedTuple

from shaped.errors import AxisError, ShapeError

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
        raise AxisError(
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
    """Remove (or keep as 1) the reduced axes (axis 0 or -1 of a rank-0 tensor reduces none)."""
    axes = reduction_axes(op, axis, len(shape))
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def reduce_nonempty(op: str, shape: Shape, axis: int | tuple[int, ...] | None) -> None:
    """max/min/argmax/argmin have no identity: the reduced axes must not be empty."""
    for a in reduction_axes(op, axis, len(shape)):
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
    if not shape:  # axis 0 or -1 of a scalar is accepted, as torch (reduction_axes' rule)
        reduction_axes("squeeze", axis, 0)
        return ()
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
        raise AxisError(
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
                raise AxisError(
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

_POOL = {"kernel_size": 1, "stride": 1, "padding": 0, "dilation": 1}
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
    "MaxPool1d": _POOL,
    "AvgPool1d": _POOL,
    "Conv1d": {
        "in_channels": 0,
        "out_channels": 0,
        "kernel_size": 1,
        "stride": 1,
        "padding": 0,
        "dilation": 1,
        "groups": 1,
    },
    "PixelShuffle": {"upscale_factor": 1},
    "AdaptiveAvgPool1d": {"output_size": 1},
    "AdaptiveMaxPool1d": {"output_size": 1},
    "Conv3d": {
        "in_channels": 0,
        "out_channels": 0,
        "kernel_size": 1,
        "stride": 1,
        "padding": 0,
        "dilation": 1,
        "groups": 1,
    },
    "AvgPool2d": _POOL,
    "LayerNorm": {"normalized_shape": 0},
    "BatchNorm1d": _NORM,
    "BatchNorm2d": _NORM,
    "Embedding": {"num_embeddings": 0, "embedding_dim": 0},
    "MultiHeadAttention": {"embed_dim": 1, "num_heads": 1},
    "TransformerEncoderLayer": {"d_model": 1, "nhead": 1, "dim_feedforward": 0},
    # issue 12: containers
    # issue 12: recurrent
    **{layer: {"input_size": 1, "hidden_size": 1, "num_layers": 1} for layer in ("RNN", "LSTM")},
    "GRU": {"input_size": 1, "hidden_size": 1, "num_layers": 1},
    **{layer: {"input_size": 0, "hidden_size": 0} for layer in ("RNNCell", "LSTMCell", "GRUCell")},
    # issue 12: transformer
    "TransformerDecoderLayer": {"d_model": 1, "nhead": 1, "dim_feedforward": 0},
    "Transformer": {"d_model": 1, "nhead": 1, "dim_feedforward": 0},
    "TransformerEncoder": {"num_layers": 1},
    "TransformerDecoder": {"num_layers": 1},
    "generate_square_subsequent_mask": {"sz": 0},
    # issue 12: norms
    "GroupNorm": {"num_groups": 1, "num_channels": 0},
    "InstanceNorm1d": _NORM,
    "InstanceNorm2d": _NORM,
    "InstanceNorm3d": _NORM,
    "BatchNorm3d": _NORM,
    "RMSNorm": {"normalized_shape": 0},
    "Bilinear": {"in1_features": 0, "in2_features": 0, "out_features": 0},
    # issue 12: spatial
    "MaxPool3d": _POOL,
    "AvgPool3d": _POOL,
    **{
        layer: {
            "in_channels": 0,
            "out_channels": 0,
            "kernel_size": 1,
            "stride": 1,
            "padding": 0,
            "output_padding": 0,
            "dilation": 1,
            "groups": 1,
        }
        for layer in ("ConvTranspose1d", "ConvTranspose3d")
    },
    **{f"MaxUnpool{n}d": {"kernel_size": 1, "stride": 1, "padding": 0} for n in (1, 2, 3)},
    **{
        f"{kind}Pad{n}d": {"padding": 0}
        for kind in ("Zero", "Constant", "Reflection", "Replication", "Circular")
        for n in (1, 2, 3)
    },
    **{layer: {"size": 1} for layer in ("Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d")},
    # issue 12: loss
}


def layer_sizes(layer: str, sizes: Mapping[str, int | tuple[int, ...] | None]) -> None:
    """A layer's constructor rule: each size at least its least value (each element of a
    per-axis tuple such as kernel_size=(3, 5)), channels divisible by groups, the embedding
    divisible by the heads. Sizes not known (None) are skipped."""
    least = LAYER_SIZES.get(layer, {})
    for name, value in sizes.items():
        values = value if isinstance(value, tuple) else (value,)
        if name in least and any(v is not None and v < least[name] for v in values):
            raise ShapeError(f"{layer}: {name} must be at least {least[name]}, got {value}")
    ints = {name: value for name, value in sizes.items() if not isinstance(value, tuple)}
    cin, cout, groups = (ints.get(n) for n in ("in_channels", "out_channels", "groups"))
    if groups and cin is not None and cout is not None and (cin % groups or cout % groups):
        raise ShapeError(
            f"{layer}: in_channels ({cin}) and out_channels ({cout}) must both be divisible "
            f"by groups ({groups})"
        )
    for dim_name, heads_name in (
        ("embed_dim", "num_heads"),
        ("d_model", "nhead"),
        ("num_channels", "num_groups"),  # issue 12: norms (GroupNorm)
    ):
        dim, heads = ints.get(dim_name), ints.get(heads_name)
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


def _conv_channels(
    op: str,
    x: Shape,
    weight: Shape,
    bias: Shape | None,
    filters: Dim,
    chans: Dim,
    per_group: Dim,
    groups: int,
) -> None:
    """A convolution's groups, channels and bias agree (conv1d and conv2d)."""
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


def conv2d(
    x: Shape,
    weight: Shape,
    stride: IntPair = 1,
    padding: IntPair | str = 0,
    dilation: IntPair = 1,
    groups: int = 1,
    bias: Shape | None = None,
) -> Shape:
    """x (N, C, H, W), weight (F, C/groups, kH, kW): H_out = (H + 2p - d(k-1) - 1)//s + 1.

    padding "valid" is 0; "same" (stride 1 only) pads d*(k-1) in all, as torch."""
    op = "conv2d"
    if padding == "valid":
        padding = 0
    if padding == "same":
        return conv_same(op, x, weight, stride, dilation, groups, bias)
    if isinstance(padding, str):
        raise ShapeError(
            f"{op}: padding must be an int, a pair, 'same' or 'valid', got {padding!r}"
        )
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
    _conv_channels(op, x, weight, bias, filters, chans, per_group, groups)
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
    op: str,
    x: Shape,
    kernel_size: IntPair,
    stride: IntPair | None = None,
    padding: IntPair = 0,
    ceil_mode: bool = False,
    dilation: IntPair = 1,
) -> Shape:
    """H_out = (H + 2p - d(k-1) - 1)//s + 1; stride defaults to the kernel; padding at most half
    the kernel. ceil_mode rounds up, less a last window that would start in the right padding
    (as torch); dilation spaces the window's cells (max_pool2d's)."""
    batch, chans, height, width = _spatial(op, x)
    k = _pair(kernel_size, "kernel_size", op)
    s = k if stride is None else _pair(stride, "stride", op)
    p = _pair(padding, "padding", op)
    d = _pair(dilation, "dilation", op)
    _check_positive(op, kernel_size=k, stride=s, padding=p, dilation=d)
    if p[0] > k[0] // 2 or p[1] > k[1] // 2:
        raise ShapeError(f"{op}: padding {p} must be at most half the kernel size {k}")
    outs: list[Dim] = []
    for name, size, ki, si, pi, di in zip("HW", (height, width), k, s, p, d):
        out = None if size is None else pool_out(size, di * (ki - 1) + 1, si, pi, ceil_mode)
        if out is not None and out < 1:
            kernel = f"{ki}" if di == 1 else f"{di}*({ki}-1) - 1"
            raise ShapeError(
                f"{op}: {name}_out = ({size} + 2*{pi} - {kernel})//{si} + 1 = {out}: "
                "the input is smaller than the kernel"
            )
        dilated_window_check(op, name, size, out, ki, si, pi, di)
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


def attention(q: Shape, k: Shape, v: Shape, mask: Shape | None = None, gqa: bool = False) -> Shape:
    """q (*B, L, E), k (*B, S, E), v (*B, S, Ev) give (*B, L, Ev); mask broadcasts to (*B, L, S).
    With gqa (torch's enable_gqa), k and v may have fewer heads (axis -3) than q, a divisor."""
    op = "scaled_dot_product_attention"
    for name, s in (("q", q), ("k", k), ("v", v)):
        if len(s) < 2:
            raise ShapeError(f"{op}: {name} must be (..., seq, dim), got {fmt(s)}")
    if gqa:
        if len(q) < 3 or len(k) < 3 or len(v) < 3:
            raise ShapeError(f"{op}: enable_gqa needs (..., heads, seq, dim) inputs")
        heads, kv_heads = q[-3], k[-3]
        if heads is not None and kv_heads is not None and (kv_heads < 1 or heads % kv_heads):
            raise ShapeError(
                f"{op}: enable_gqa needs q's {heads} heads to be a multiple of k's {kv_heads}"
            )
        if not _match(k[-3], v[-3]):
            raise ShapeError(f"{op}: k {fmt(k)} and v {fmt(v)} must have the same heads")
        k = (*k[:-3], heads, *k[-2:])
        v = (*v[:-3], heads, *v[-2:])
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


class IndexArray(NamedTuple):
    """An integer-tensor (or list) part of an index key, or a boolean mask (`mask`); a mask's
    `true_count` is how many elements are True (None: known only at run time)."""

    shape: Shape
    mask: bool = False
    true_count: Dim = None


def advanced_index(shape: Shape, key: tuple[Any, ...]) -> Shape:
    """Indexing with integer tensors and boolean masks beside ints, slices, None and ..., as
    PyTorch: ints select first; the index tensors broadcast together and their dims replace the
    axes they index where those sit side by side (after the ints), else they lead."""
    masks_rank = sum(len(k.shape) - 1 for k in key if isinstance(k, IndexArray) and k.mask)
    if Ellipsis in key and sum(1 for k in key if k is Ellipsis) == 1:
        consumed = sum(1 for k in key if k is not None and k is not Ellipsis) + masks_rank
        at = key.index(Ellipsis)
        fill = (slice(None),) * max(len(shape) - consumed, 0)
        key = (*key[:at], *fill, *key[at + 1 :])
    basic: list[Any] = []  # the key with each index tensor's axes kept whole
    for k in key:
        basic.extend([slice(None)] * len(k.shape) if isinstance(k, IndexArray) and k.mask else [k])
        if isinstance(k, IndexArray) and not k.mask:
            basic[-1] = slice(None)
    selected = index(shape, tuple(basic))
    out: list[Dim] = []
    arrays: list[Shape] = []
    spots: list[int] = []  # where each index tensor sits among the selected axes
    axis = 0
    for k in key:
        if isinstance(k, int) and not isinstance(k, bool):
            continue
        if isinstance(k, IndexArray) and k.mask:
            covered = selected[axis : axis + len(k.shape)]
            if any(not _match(m, d) for m, d in zip(k.shape, covered, strict=True)):
                raise ShapeError(
                    f"index: mask of shape {fmt(k.shape)} does not match the indexed axes "
                    f"{fmt(covered)} of {fmt(shape)}"
                )
            arrays.append((k.true_count,))
            spots.append(len(out))
            axis += len(k.shape)
            continue
        if isinstance(k, IndexArray):
            if selected[axis] == 0 and _product(k.shape) != 0:
                raise ShapeError(f"index: cannot index the empty axis {axis} of {fmt(shape)}")
            arrays.append(k.shape)
            spots.append(len(out))
        else:
            out.append(selected[axis])
        axis += 1
    out.extend(selected[axis:])
    if not arrays:
        return selected
    joined = broadcast("index", *arrays)
    adjacent = all(b - a == 0 for a, b in zip(spots, spots[1:]))  # no kept axis between them
    at = spots[0] if adjacent else 0
    return (*out[:at], *joined, *out[at:])


def index_dtype(dtype_name: str) -> str | None:
    """The error message for an index tensor of a dtype that cannot index (None: it can)."""
    if dtype_name in ("Int32", "Int64", "Bool"):
        return None
    return f"index: index tensors must be integers (sh.Int64) or a Bool mask, got {dtype_name}"


def gather(shape: Shape, index_shape: Shape, axis: int) -> Shape:
    """torch.gather: the result is shaped like the index, which may be smaller than the input
    on every axis but `axis` (and smaller on `axis` too)."""
    pos = normalize_axis("gather", axis, max(len(shape), 1))
    if len(index_shape) != len(shape):
        raise ShapeError(
            f"gather: index of rank {len(index_shape)} for a tensor of rank {len(shape)} "
            f"({fmt(index_shape)} vs {fmt(shape)}); they must have the same rank"
        )
    for d, (i, s) in enumerate(zip(index_shape, shape, strict=True)):
        if d != pos and i is not None and s is not None and i > s:
            raise ShapeError(
                f"gather: index {fmt(index_shape)} is larger than the tensor {fmt(shape)} on "
                f"axis {d} ({i} > {s})"
            )
    if shape and shape[pos] == 0 and _product(index_shape) not in (0, None):
        raise ShapeError(f"gather: cannot gather from the empty axis {axis} of {fmt(shape)}")
    return index_shape


def take_along_axis(shape: Shape, index_shape: Shape, axis: int) -> Shape:
    """np.take_along_axis (torch.take_along_dim): the other axes broadcast; `axis` takes the
    index's size."""
    pos = normalize_axis("take_along_axis", axis, len(shape))
    if len(index_shape) != len(shape):
        raise ShapeError(
            f"take_along_axis: index of rank {len(index_shape)} for a tensor of rank "
            f"{len(shape)} ({fmt(index_shape)} vs {fmt(shape)}); they must have the same rank"
        )
    rest = broadcast(
        "take_along_axis",
        (*shape[:pos], *shape[pos + 1 :]),
        (*index_shape[:pos], *index_shape[pos + 1 :]),
    )
    if shape[pos] == 0 and index_shape[pos] not in (0, None) and _product(rest) != 0:
        raise ShapeError(f"take_along_axis: cannot take from the empty axis {axis} of {fmt(shape)}")
    return (*rest[:pos], index_shape[pos], *rest[pos:])


def index_select(shape: Shape, index_shape: Shape, axis: int) -> Shape:
    """torch.index_select: a 1-D (or 0-d) index replaces axis `axis`'s size with its length."""
    pos = normalize_axis("index_select", axis, max(len(shape), 1))
    if len(index_shape) > 1:
        raise ShapeError(
            f"index_select: index must be 1-D, got shape {fmt(index_shape)}; use .take(index, "
            "axis) for an index of any shape"
        )
    size = index_shape[0] if index_shape else 1
    if not shape:
        return ()
    if shape[pos] == 0 and size not in (0, None):
        raise ShapeError(f"index_select: cannot select from the empty axis {axis} of {fmt(shape)}")
    return (*shape[:pos], size, *shape[pos + 1 :])


def scatter(op: str, shape: Shape, index_shape: Shape, src: Shape | None, axis: int) -> Shape:
    """torch.scatter/scatter_add: index and src have the tensor's rank; the index is no larger
    than src anywhere, nor than the tensor on axes other than `axis`. The result is the tensor's
    shape. `src` None: a scalar value."""
    pos = normalize_axis(op, axis, max(len(shape), 1))
    if len(index_shape) != len(shape) or (src is not None and len(src) != len(shape)):
        given = "" if src is None else f", src {fmt(src)}"
        raise ShapeError(
            f"{op}: index {fmt(index_shape)}{given} and the tensor {fmt(shape)} must have the "
            "same rank"
        )
    for d, i in enumerate(index_shape):
        s, x = (None if src is None else src[d]), shape[d]
        if i is not None and s is not None and i > s:
            raise ShapeError(f"{op}: index {fmt(index_shape)} is larger than src on axis {d}")
        if d != pos and i is not None and x is not None and i > x:
            raise ShapeError(
                f"{op}: index {fmt(index_shape)} is larger than the tensor {fmt(shape)} on "
                f"axis {d} ({i} > {x})"
            )
    return shape


def masked_fill(shape: Shape, mask: Shape) -> Shape:
    """The mask broadcasts to the tensor's shape, which the result keeps."""
    out = broadcast("masked_fill", shape, mask)
    if len(out) != len(shape) or any(not _match(o, s) for o, s in zip(out, shape, strict=True)):
        raise ShapeError(
            f"masked_fill: mask {fmt(mask)} does not broadcast to the tensor's shape {fmt(shape)}"
        )
    return shape


def nonzero(shape: Shape) -> Shape:
    """One row of coordinates per nonzero element: (count, rank)."""
    return (None, len(shape))


def one_hot(shape: Shape, num_classes: Dim) -> Shape:
    """F.one_hot: a new last axis of num_classes (-1: the largest index + 1, known at run time)."""
    if num_classes == -1:
        return (*shape, None)
    if num_classes is not None and num_classes < 0:
        raise ShapeError(f"one_hot: num_classes must be -1 or at least 0, got {num_classes}")
    return (*shape, num_classes)


def bincount(shape: Shape, weights: Shape | None, minlength: Dim) -> Shape:
    """A 1-D tensor of counts, as long as the largest value + 1 (known at run time)."""
    if len(shape) != 1:
        raise ShapeError(f"bincount: needs a 1-D tensor, got shape {fmt(shape)}")
    if weights is not None and not (len(weights) == 1 and _match(weights[0], shape[0])):
        raise ShapeError(
            f"bincount: weights {fmt(weights)} must have the tensor's shape {fmt(shape)}"
        )
    if minlength is not None and minlength < 0:
        raise ShapeError(f"bincount: minlength must be at least 0, got {minlength}")
    return (None,)


def multinomial(probs: Shape, num_samples: Dim, replacement: bool) -> Shape:
    """torch.multinomial: (categories,) or (rows, categories) probabilities give num_samples
    draws per row; without replacement there are no more draws than categories."""
    if len(probs) not in (1, 2):
        raise ShapeError(f"multinomial: needs 1-D or 2-D probabilities, got shape {fmt(probs)}")
    if num_samples is not None and num_samples < 1:
        raise ShapeError(f"multinomial: num_samples must be at least 1, got {num_samples}")
    categories = probs[-1]
    if categories == 0:
        raise ShapeError("multinomial: needs at least one category")
    if num_samples is None or categories is None:
        return (*probs[:-1], num_samples)
    if not replacement and num_samples > categories:
        raise ShapeError(
            f"multinomial: cannot draw {num_samples} samples from {categories} categories without "
            "replacement; pass replacement=True"
        )
    return (*probs[:-1], num_samples)


def linspace(steps: Dim) -> Shape:
    if steps is not None and steps < 0:
        raise ShapeError(f"linspace: steps must be at least 0, got {steps}")
    return (steps,)


# ---------------------------------------------------------------- shape and movement, more


def repeat(shape: Shape, repeats: Sequence[int | None]) -> Shape:
    """torch's x.repeat(*sizes): tile; extra leading sizes add axes (np.tile, never fewer)."""
    if len(repeats) < len(shape):
        raise ShapeError(
            f"repeat: got {len(repeats)} sizes {tuple(repeats)} for a tensor of rank {len(shape)}; "
            "give at least one per axis"
        )
    if any(r is not None and r < 0 for r in repeats):
        raise ShapeError(f"repeat: sizes must be non-negative, got {tuple(repeats)}")
    lead = len(repeats) - len(shape)
    tiled = (None if d is None or r is None else d * r for d, r in zip(shape, repeats[lead:]))
    return (*repeats[:lead], *tiled)


def split_sizes(op: str, size: Dim, sections: int | Sequence[int]) -> list[int] | None:
    """The sizes torch.split (an int: pieces of that size, the last smaller) or torch.chunk
    (op "chunk": that many pieces at most) cuts an axis of `size` into; None when unknown."""
    if isinstance(sections, int):
        if op == "chunk":
            if sections <= 0:
                raise ShapeError(f"chunk: the number of chunks must be positive, got {sections}")
            if size is None:
                return None
            if size == 0:
                return [0] * sections
            sections = -(-size // sections)  # ceil: torch.chunk splits by this size
        if sections < 0 or (sections == 0 and size not in (0, None)):
            raise ShapeError(f"split: split_size must be positive, got {sections}")
        if size is None:
            return None
        if size == 0:
            return [0]
        count = -(-size // sections)
        return [sections] * (count - 1) + [size - sections * (count - 1)]
    pieces = list(sections)
    if any(p < 0 for p in pieces):
        raise ShapeError(f"split: sizes must be non-negative, got {tuple(pieces)}")
    if size is not None and sum(pieces) != size:
        raise ShapeError(
            f"split: sizes {tuple(pieces)} sum to {sum(pieces)}, but the axis has size {size}"
        )
    return pieces


def split(
    op: str, shape: Shape, sections: int | Sequence[int], axis: int = 0
) -> list[Shape] | None:
    """The shape of each piece of split/chunk along `axis`; None when their number is unknown."""
    pos = normalize_axis(op, axis, len(shape))
    sizes = split_sizes(op, shape[pos], sections)
    if sizes is None:
        return None
    return [(*shape[:pos], s, *shape[pos + 1 :]) for s in sizes]


def unbind(shape: Shape, axis: int = 0) -> list[Shape] | None:
    """One piece per index of `axis`, each without that axis; None when the count is unknown."""
    pos = normalize_axis("unbind", axis, len(shape))
    count = shape[pos]
    if count is None:
        return None
    return [(*shape[:pos], *shape[pos + 1 :])] * count


def triangle(op: str, shape: Shape) -> Shape:
    """tril/triu work on the last two axes."""
    if len(shape) < 2:
        raise ShapeError(f"{op}: needs at least 2 dims, got {fmt(shape)}")
    return shape


def flip(shape: Shape, axes: int | Sequence[int] | None) -> Shape:
    """Reverse the named axes (all of them for None); each named once."""
    normalize_axes("flip", axes, len(shape))
    return shape


def roll(shape: Shape, shifts: int | Sequence[int], axes: int | Sequence[int] | None) -> Shape:
    """torch.roll: one shift per axis; no axes rolls the flattened tensor by one shift."""
    count_shifts = 1 if isinstance(shifts, int) else len(shifts)
    if axes is None:
        if count_shifts != 1:
            raise ShapeError(f"roll: {count_shifts} shifts need as many axes, got none")
        return shape
    named = (axes,) if isinstance(axes, int) else tuple(axes)
    for a in named:
        normalize_axis("roll", a, len(shape))
    if count_shifts != len(named):
        raise ShapeError(
            f"roll: got {count_shifts} shifts for {len(named)} axes; give one shift per axis"
        )
    return shape


def expand(shape: Shape, target: Sequence[int | None]) -> Shape:
    """torch's expand: broadcast_to where -1 keeps a dim."""
    try:
        return broadcast_to(shape, target)
    except ShapeError as error:
        raise ShapeError(str(error).replace("broadcast_to:", "expand:", 1)) from None


def narrow(shape: Shape, axis: int, start: int, length: int) -> Shape:
    """torch.narrow: `length` elements of `axis` from `start` (which may count from the end)."""
    pos = normalize_axis("narrow", axis, len(shape))
    size = shape[pos]
    if length < 0:
        raise ShapeError(f"narrow: length must be non-negative, got {length}")
    if size is not None:
        if not -size <= start <= size:
            raise ShapeError(
                f"narrow: start {start} is out of range for axis {axis} of size {size}"
            )
        begin = start % size if start < 0 else start
        if begin + length > size:
            raise ShapeError(
                f"narrow: start {begin} + length {length} = {begin + length} exceeds the size "
                f"{size} of axis {axis}"
            )
    return (*shape[:pos], length, *shape[pos + 1 :])


def movedim(shape: Shape, source: int | Sequence[int], destination: int | Sequence[int]) -> Shape:
    """torch.movedim / np.moveaxis: the source axes go to the destination positions."""
    src = (source,) if isinstance(source, int) else tuple(source)
    dst = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(src) != len(dst):
        raise ShapeError(
            f"movedim: got {len(src)} source axes but {len(dst)} destinations; give as many"
        )
    ndim = len(shape)
    src_n = [normalize_axis("movedim", a, ndim) for a in src]
    dst_n = [normalize_axis("movedim", a, ndim) for a in dst]
    if len(set(src_n)) != len(src_n) or len(set(dst_n)) != len(dst_n):
        raise ShapeError(f"movedim: axes {src!r} -> {dst!r} repeat an axis")
    rest = [a for a in range(ndim) if a not in src_n]
    order: list[int] = [-1] * ndim
    for s, d in zip(src_n, dst_n):
        order[d] = s
    fill = iter(rest)
    order = [next(fill) if a == -1 else a for a in order]
    return tuple(shape[a] for a in order)


def repeat_interleave(shape: Shape, repeats: int, axis: int | None = None) -> Shape:
    """Each element `repeats` times along `axis` (the flattened tensor for None)."""
    if repeats < 0:
        raise ShapeError(f"repeat_interleave: repeats must be non-negative, got {repeats}")
    if axis is None:
        total = _product(shape)
        return (None if total is None else total * repeats,)
    pos = normalize_axis("repeat_interleave", axis, len(shape))
    size = shape[pos]
    return (*shape[:pos], None if size is None else size * repeats, *shape[pos + 1 :])


def repeat_interleave_counts(shape: Shape, counts: Shape, axis: int | None = None) -> Shape:
    """repeat_interleave with a tensor of counts: one per element of `axis` (or a single one);
    the repeated axis's size is their sum, known only at run time."""
    if len(counts) > 1:
        raise ShapeError(f"repeat_interleave: repeats must be 0-d or 1-d, got shape {fmt(counts)}")
    pos = 0 if axis is None else normalize_axis("repeat_interleave", axis, len(shape))
    size = _product(shape) if axis is None else shape[pos]
    if counts and counts[0] is not None and size is not None and counts[0] not in (1, size):
        where = "the flattened tensor" if axis is None else f"axis {axis}"
        raise ShapeError(
            f"repeat_interleave: {counts[0]} repeats for {where} of size {size}; give one per "
            "element, or one for all"
        )
    out = repeat_interleave(shape, 1, axis)
    return tuple(None if i == pos else d for i, d in enumerate(out))


def meshgrid(shapes: Sequence[Shape], indexing: str = "ij") -> list[Shape]:
    """torch.meshgrid of rank-0 or rank-1 tensors: each output is (n0, n1, ...), "xy" swaps
    the first two."""
    if indexing not in ("ij", "xy"):
        raise ShapeError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    if not shapes:
        raise ShapeError("meshgrid: needs at least one tensor")
    sizes: list[Dim] = []
    for i, s in enumerate(shapes):
        if len(s) > 1:
            raise ShapeError(
                f"meshgrid: tensor {i} has shape {fmt(s)}; every input must be 0-d or 1-d"
            )
        sizes.append(s[0] if s else 1)
    if indexing == "xy" and len(sizes) > 1:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    return [tuple(sizes)] * len(shapes)


def diag(shape: Shape, diagonal: int = 0) -> Shape:
    """torch.diag: a vector becomes a square matrix with it on diagonal `diagonal`; a matrix
    gives that diagonal as a vector."""
    if len(shape) == 1:
        n = shape[0]
        return (None, None) if n is None else (n + abs(diagonal),) * 2
    if len(shape) == 2:
        rows, cols = shape
        if rows is None or cols is None:
            return (None,)
        length = min(rows, cols - diagonal) if diagonal >= 0 else min(rows + diagonal, cols)
        return (max(length, 0),)
    raise ShapeError(f"diag: needs a 1-d or 2-d tensor, got {fmt(shape)}")


PAD_MODES = ("constant", "reflect", "replicate", "circular")


def pad_mode(shape: Shape, widths: Sequence[tuple[int, int]], mode: str = "constant") -> Shape:
    """pad with a mode: reflect needs widths below the axis size, circular at most the size,
    replicate a non-empty axis (as torch's F.pad)."""
    if mode not in PAD_MODES:
        raise ShapeError(f"pad: mode must be one of {', '.join(PAD_MODES)}, got {mode!r}")
    out = pad(shape, widths)
    pairs = list(widths) * (len(shape) if len(widths) == 1 and len(shape) != 1 else 1)
    for axis, (d, (before, after)) in enumerate(zip(shape, pairs)):
        if d is None or mode == "constant" or not (before or after):
            continue
        widest = max(before, after)
        if mode == "reflect" and widest >= d:
            raise ShapeError(
                f"pad: reflect padding {widest} must be less than the size {d} of axis {axis}"
            )
        if mode == "circular" and widest > d:
            raise ShapeError(
                f"pad: circular padding {widest} must be at most the size {d} of axis {axis}"
            )
        if mode == "replicate" and d == 0:
            raise ShapeError(f"pad: replicate padding needs a non-empty axis {axis}, got size 0")
    return out


def torch_pad_widths(ndim: int, flat: Sequence[int]) -> list[tuple[int, int]]:
    """F.pad's flat (left, right, top, bottom, ...) from the last axis back, as numpy pairs."""
    if len(flat) % 2 or len(flat) // 2 > ndim:
        raise ShapeError(
            f"pad: the padding {tuple(flat)} must have an even length of at most 2*{ndim} "
            f"(a (before, after) pair per axis from the last one back)"
        )
    pairs = [(0, 0)] * ndim
    for i in range(len(flat) // 2):
        pairs[ndim - 1 - i] = (flat[2 * i], flat[2 * i + 1])
    return pairs


def functional_pad(
    shape: Shape, flat: Sequence[int], mode: str = "constant"
) -> tuple[list[tuple[int, int]], list[tuple[int, int]], Shape]:
    """F.pad's rule: negative widths crop that side, as torch: after the positive widths pad
    (constant, reflect, replicate), or before them (circular wraps the cropped tensor).
    Returns (pads, crops, result shape), each as numpy pairs."""
    pairs = torch_pad_widths(len(shape), flat)
    pads = [(max(b, 0), max(a, 0)) for b, a in pairs]
    crops = [(max(-b, 0), max(-a, 0)) for b, a in pairs]
    first = shape if mode == "circular" else pad_mode(shape, pads, mode)
    cropped: list[Dim] = []
    for axis, (d, (b, a)) in enumerate(zip(first, crops)):
        if d is not None and b + a > d:
            raise ShapeError(
                f"pad: the negative padding {pairs[axis]} removes {b + a} elements from axis "
                f"{axis} of {fmt(shape)}, which has only {d}"
            )
        cropped.append(None if d is None else d - b - a)
    return (
        pads,
        crops,
        pad_mode(tuple(cropped), pads, mode) if mode == "circular" else tuple(cropped),
    )


def numel(shape: Shape) -> Dim:
    """The number of elements."""
    return _product(shape)


def size(shape: Shape, axis: int) -> Dim:
    """The size of one axis (torch's x.size(dim))."""
    return shape[normalize_axis("size", axis, len(shape))]


# ---------------------------------------------------------------- reductions and sorting, more


def reduction_axes(op: str, axis: int | Sequence[int] | None, ndim: int) -> tuple[int, ...]:
    """normalize_axes, with torch's leniency for rank 0: axis 0 or -1 of a scalar reduces nothing."""
    if ndim or axis is None:
        return normalize_axes(op, axis, ndim)
    axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    for a in axes:
        if _is_axis(a) and operator.index(a) not in (0, -1):
            raise AxisError(
                f"{op}: axis {a} is out of range for a tensor of rank 0; valid axes are -1..0"
            )
    normalize_axes(op, axis, 1)  # the type, and no repeats, as for rank 1
    return ()


def dim_axis(op: str, shape: Shape, axis: int) -> int | None:
    """The one axis of a scan, sort or pick, non-negative; None for rank 0 (axis 0 or -1)."""
    if not _is_axis(axis):
        raise TypeError(f"{op}: axis must be an int, got {axis!r} ({type(axis).__name__})")
    if not shape:
        reduction_axes(op, axis, 0)
        return None
    return normalize_axis(op, axis, len(shape))


def scan(op: str, shape: Shape, axis: int) -> Shape:
    """cumsum, cumprod, sort, argsort: the shape stays; the axis must exist (0 or -1 at rank 0)."""
    dim_axis(op, shape, axis)
    return shape


def reduce_dim(op: str, shape: Shape, axis: int, keepdims: bool) -> Shape:
    """x.max(dim): one axis removed (kept as 1 with keepdim); it must not be empty."""
    pos = dim_axis(op, shape, axis)
    if pos is None:
        return ()
    if shape[pos] == 0:
        raise ShapeError(f"{op}: cannot reduce over axis {pos} of size 0 in shape {fmt(shape)}")
    return reduce(op, shape, pos, keepdims)


def _k_of_axis(op: str, shape: Shape, k: int, axis: int, least: int) -> int | None:
    """The axis of a k-selection (None for a rank-0 tensor, as one entry), after checking
    that k is an int in least..size."""
    pos = dim_axis(op, shape, axis)
    size = 1 if pos is None else shape[pos]
    if not isinstance(k, int) or isinstance(k, bool):
        raise TypeError(f"{op}: k must be an int, got {k!r}")
    if k < least or (size is not None and k > size):
        raise ShapeError(
            f"{op}: k={k} is out of range for axis {axis} of size {size} in shape "
            f"{fmt(shape)}; k must be in {least}..{size}"
        )
    return pos


def kthvalue(shape: Shape, k: int, axis: int, keepdims: bool) -> Shape:
    """kthvalue: the k-th smallest (k from 1) of the axis, 1 <= k <= its size."""
    pos = _k_of_axis("kthvalue", shape, k, axis, 1)
    return () if pos is None else reduce("kthvalue", shape, pos, keepdims)


def topk(shape: Shape, k: int, axis: int) -> Shape:
    """topk: k of the axis' entries, 0 <= k <= its size (1 for a rank-0 tensor)."""
    pos = _k_of_axis("topk", shape, k, axis, 0)
    return shape if pos is None else (*shape[:pos], k, *shape[pos + 1 :])


# ---------------------------------------------------------------- elementwise math and activations, more


def glu(shape: Shape, axis: int = -1) -> Shape:
    """glu halves `axis` (its first half gated by the sigmoid of the second): the size is even."""
    ax = normalize_axis("glu", axis, len(shape))
    size = shape[ax]
    if size is not None and size % 2:
        raise ShapeError(
            f"glu: axis {axis} has size {size}, which is odd; glu splits it into two halves "
            "of equal size"
        )
    return (*shape[:ax], None if size is None else size // 2, *shape[ax + 1 :])


def prelu(x: Shape, weight: Shape) -> Shape:
    """prelu's weight holds one slope, or one per channel (axis 1 of x; 1 below rank 2)."""
    channels: Dim = x[1] if len(x) >= 2 else 1
    if len(weight) != 1:
        raise ShapeError(
            f"prelu: weight must have rank 1 (one slope, or one per channel), got shape {fmt(weight)}"
        )
    size = weight[0]
    if size is not None and size != 1 and channels is not None and size != channels:
        raise ShapeError(
            f"prelu: weight has {size} slopes but x of shape {fmt(x)} has {channels} channels "
            "(axis 1); give 1 slope or one per channel"
        )
    return x


# ---------------------------------------------------------------- linear algebra, more


EINSUM_LETTERS = (
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"  # torch's order: upper first
)


@lru_cache(maxsize=1024)
def einsum_equation(subscripts: str, ranks: tuple[int, ...]) -> tuple[tuple[str, ...], str]:
    """The equation made explicit, as torch reads it: each `...` becomes letters of its own
    (aligned from the right across operands), and an implicit output is the letters seen once,
    sorted (upper case first), after the ellipsis dims. Returns (input terms, output term)."""
    op = "einsum"
    if not isinstance(subscripts, str):
        raise TypeError(f"{op}: the equation must be a str, got {type(subscripts).__name__}")
    equation = subscripts.replace(" ", "")
    lhs, arrow, rhs = equation.partition("->")
    if "->" in rhs:
        raise ShapeError(f"{op}: the equation {subscripts!r} has more than one '->'")
    parts = lhs.split(",")
    if len(parts) != len(ranks):
        few = "fewer" if len(ranks) < len(parts) else "more"
        raise ShapeError(
            f"{op}: {few} operands were given ({len(ranks)}) than the equation {subscripts!r} "
            f"names ({len(parts)})"
        )
    terms: list[tuple[list[str], int | None]] = []  # letters, and where `...` sits
    for i, part in enumerate(parts):
        terms.append(_einsum_term(op, part, f"operand {i}"))
    ellipsis_dims = 0
    for i, ((letters, at), rank) in enumerate(zip(terms, ranks)):
        if at is None and len(letters) != rank:
            raise ShapeError(
                f"{op}: operand {i} has {rank} dims but its subscripts {parts[i]!r} name "
                f"{len(letters)} and there is no ellipsis"
            )
        if at is not None and len(letters) > rank:
            raise ShapeError(
                f"{op}: operand {i} has {rank} dims but its subscripts {parts[i]!r} name "
                f"{len(letters)} besides the ellipsis"
            )
        if at is not None:
            ellipsis_dims = max(ellipsis_dims, rank - len(letters))
    used = {c for letters, _ in terms for c in letters}
    out_letters, out_at = _einsum_term(op, rhs, "the output") if arrow else ([], None)
    if arrow:
        for c in out_letters:
            if out_letters.count(c) > 1:
                raise ShapeError(f"{op}: output subscript {c} appears more than once")
            if c not in used:
                raise ShapeError(f"{op}: output subscript {c} appears in no input's subscripts")
    spare = [c for c in EINSUM_LETTERS if c not in used and c not in out_letters]
    if len(spare) < ellipsis_dims:
        raise ShapeError(f"{op}: too many dims for 52 subscript letters")
    fresh = spare[len(spare) - ellipsis_dims :] if ellipsis_dims else []
    explicit = []
    for (letters, at), rank in zip(terms, ranks):
        if at is None:
            explicit.append("".join(letters))
        else:
            own = fresh[len(fresh) - (rank - len(letters)) :] if rank > len(letters) else []
            explicit.append("".join(letters[:at] + own + letters[at:]))
    if arrow:
        output = (
            out_letters if out_at is None else out_letters[:out_at] + fresh + out_letters[out_at:]
        )
    else:
        seen = [c for letters, _ in terms for c in letters]
        once = sorted({c for c in seen if seen.count(c) == 1}, key=EINSUM_LETTERS.index)
        output = fresh + once
    return tuple(explicit), "".join(output)


def _einsum_term(op: str, part: str, what: str) -> tuple[list[str], int | None]:
    """One term's letters and the position of its `...` (None: none)."""
    at: int | None = None
    if part.count("...") > 1:
        raise ShapeError(f"{op}: more than one ellipsis in the subscripts of {what}")
    if "..." in part:
        at = part.index("...")
        part = part.replace("...", "")
    for c in part:
        if c == ".":
            raise ShapeError(f"{op}: found '.' in the subscripts of {what} outside an ellipsis")
        if c not in EINSUM_LETTERS:
            raise ShapeError(
                f"{op}: invalid subscript {c!r} in {what}: subscripts must be in [a-zA-Z]"
            )
    return list(part), at


def einsum(subscripts: str, *operands: Shape) -> Shape:
    """torch.einsum's result shape: a letter's sizes must agree (or be 1, which broadcasts),
    within an operand too (a diagonal); `...` broadcasts as numpy; the output as torch."""
    terms, output = einsum_equation(subscripts, tuple(len(s) for s in operands))
    return tuple(einsum_sizes(subscripts, terms, operands)[c] for c in output)


def einsum_sizes(
    subscripts: str, terms: Sequence[str], operands: Sequence[Shape]
) -> dict[str, Dim]:
    """Each letter's size after broadcasting; a ShapeError where two sizes disagree."""
    sizes: dict[str, Dim] = {}
    for i, (term, shape) in enumerate(zip(terms, operands)):
        own: dict[str, Dim] = {}
        for c, d in zip(term, shape):
            if c in own and own[c] is not None and d is not None and own[c] != d:
                raise ShapeError(
                    f"einsum: {subscripts!r}: subscript {c} is repeated for operand {i} "
                    f"{fmt(shape)} but its sizes differ ({own[c]} != {d})"
                )
            own.setdefault(c, d)
        for c, d in own.items():
            seen = sizes.get(c, 1)
            if d == 1 or seen == d:
                sizes.setdefault(c, d)
            elif seen == 1:
                sizes[c] = d
            elif d is None or seen is None:
                sizes[c] = seen if d is None else d
            else:
                name = c if c in subscripts else "an ellipsis dim"
                raise ShapeError(
                    f"einsum: {subscripts!r}: subscript {name} has size {d} for operand {i} "
                    f"{fmt(shape)}, which does not broadcast with the size {seen} seen before"
                )
    return sizes


def outer(a: Shape, b: Shape) -> Shape:
    """torch.outer: two vectors (N,) and (M,) give (N, M)."""
    if len(a) != 1 or len(b) != 1:
        raise ShapeError(f"outer: needs two 1-D tensors, got {fmt(a)} and {fmt(b)}")
    return (a[0], b[0])


def bmm(a: Shape, b: Shape, op: str = "bmm") -> Shape:
    """torch.bmm: (B, N, M) @ (B, M, P) gives (B, N, P); no broadcasting, as torch."""
    if len(a) != 3 or len(b) != 3:
        raise ShapeError(
            f"{op}: needs two 3-D tensors (B, N, M) and (B, M, P), got {fmt(a)} and {fmt(b)}"
        )
    if not _match(a[0], b[0]):
        raise ShapeError(f"{op}: {fmt(a)} and {fmt(b)}: batch sizes {a[0]} != {b[0]}")
    if not _match(a[2], b[1]):
        raise ShapeError(f"{op}: {fmt(a)} @ {fmt(b)}: inner dims {a[2]} != {b[1]}")
    return (a[0] if a[0] is not None else b[0], a[1], b[2])


def mm(a: Shape, b: Shape, op: str = "mm") -> Shape:
    """torch.mm: (N, M) @ (M, P) gives (N, P)."""
    if len(a) != 2 or len(b) != 2:
        raise ShapeError(
            f"{op}: needs two 2-D tensors (N, M) and (M, P), got {fmt(a)} and {fmt(b)}"
        )
    if not _match(a[1], b[0]):
        raise ShapeError(f"{op}: {fmt(a)} @ {fmt(b)}: inner dims {a[1]} != {b[0]}")
    return (a[0], b[1])


def _added(op: str, x: Shape, product: Shape) -> Shape:
    """addmm/baddbmm: the added tensor must broadcast to the product's shape (torch's expand)."""
    if len(x) > len(product) or not all(
        d in (1, None) or p is None or d == p for d, p in zip(x[::-1], product[::-1])
    ):
        raise ShapeError(
            f"{op}: input {fmt(x)} does not broadcast to the product's shape {fmt(product)}"
        )
    return product


def addmm(x: Shape, mat1: Shape, mat2: Shape) -> Shape:
    """torch.addmm: beta * input + alpha * (mat1 @ mat2); input broadcasts to (N, P)."""
    return _added("addmm", x, mm(mat1, mat2, "addmm"))


def baddbmm(x: Shape, batch1: Shape, batch2: Shape) -> Shape:
    """torch.baddbmm: beta * input + alpha * bmm(batch1, batch2); input broadcasts to (B, N, P)."""
    return _added("baddbmm", x, bmm(batch1, batch2, "baddbmm"))


def cosine_similarity(x1: Shape, x2: Shape, axis: int = 1) -> Shape:
    """F.cosine_similarity: x1 and x2 broadcast; `axis` of the broadcast shape is reduced."""
    shape = broadcast("cosine_similarity", x1, x2)
    pos = normalize_axis("cosine_similarity", axis, len(shape))
    return (*shape[:pos], *shape[pos + 1 :])


# ---------------------------------------------------------------- convolution and pooling options


def adaptive_pool1d(op: str, x: Shape, output_size: Dim | tuple[Dim]) -> Shape:
    """(N, C, L) or (C, L) -> (..., C, oL): output_size an int or a 1-tuple, >= 1 (None:
    unknown); L must not be zero (as torch)."""
    batch, chans, length = _length(op, x)
    size = (
        output_size[0] if isinstance(output_size, tuple) and len(output_size) == 1 else output_size
    )
    if size is not None and (isinstance(size, bool) or not isinstance(size, int)):
        raise ShapeError(
            f"{op}: output_size must be an int or a 1-tuple of one, got {output_size!r}"
        )
    if size is not None and size < 1:
        raise ShapeError(f"{op}: output_size must be >= 1, got {size}")
    if length == 0:
        raise ShapeError(f"{op}: L must not be zero, got input {fmt(x)}")
    return (*batch, chans, size)


def _triple(value: object, what: str, op: str) -> tuple[int, int, int]:
    """An int or a 3-tuple of ints (torch's 3-d arguments)."""
    triple = (value,) * 3 if not isinstance(value, tuple) else value
    if len(triple) != 3 or not all(isinstance(v, int) and not isinstance(v, bool) for v in triple):
        raise ShapeError(f"{op}: {what} must be an int or a 3-tuple of ints, got {value!r}")
    return (triple[0], triple[1], triple[2])


def conv3d(
    x: Shape,
    weight: Shape,
    stride: int | tuple[int, int, int] = 1,
    padding: int | tuple[int, int, int] | str = 0,
    dilation: int | tuple[int, int, int] = 1,
    groups: int = 1,
    bias: Shape | None = None,
) -> Shape:
    """x (N, C, D, H, W) or (C, D, H, W), weight (F, C/groups, kD, kH, kW): each spatial
    D_out = (D + 2p - d(k-1) - 1)//s + 1; padding "valid" is 0, "same" (stride 1) keeps D, H, W."""
    op = "conv3d"
    if len(x) not in (4, 5):
        raise ShapeError(f"{op}: input must be (N, C, D, H, W) or (C, D, H, W), got {fmt(x)}")
    if len(weight) != 5:
        raise ShapeError(
            f"{op}: weight must be (C_out, C_in/groups, kD, kH, kW), got {fmt(weight)}"
        )
    batch, chans, spatial = x[:-4], x[-4], x[-3:]
    filters, per_group, kernel = weight[0], weight[1], weight[2:]
    same = padding == "same"
    if padding == "valid":
        padding = 0
    if isinstance(padding, str) and not same:
        raise ShapeError(
            f"{op}: padding must be an int, a 3-tuple, 'same' or 'valid', got {padding!r}"
        )
    s, d = _triple(stride, "stride", op), _triple(dilation, "dilation", op)
    p = (0, 0, 0) if same else _triple(padding, "padding", op)
    for name, values, least in (("stride", s, 1), ("padding", p, 0), ("dilation", d, 1)):
        if min(values) < least:
            raise ShapeError(f"{op}: {name} must be >= {least}, got {values}")
    if same and s != (1, 1, 1):
        raise ShapeError(f"{op}: padding='same' is not supported for strided convolutions")
    _conv_channels(op, x, weight, bias, filters, chans, per_group, groups)
    if same:
        return (*batch, filters, *spatial)
    out: list[Dim] = []
    for name, size, k, si, pi, di in zip("DHW", spatial, kernel, s, p, d):
        n = None if k is None else _conv_out(size, k, si, pi, di)
        if n is not None and n < 1:
            raise ShapeError(
                f"{op}: {name}_out = ({size} + 2*{pi} - {di}*({k}-1) - 1)//{si} + 1 = {n}: "
                "the input is smaller than the dilated kernel; pad it or use a smaller kernel"
            )
        out.append(n)
    return (*batch, filters, *out)


def _blocks(
    op: str,
    spatial: Sequence[Dim],
    kernel_size: IntPair,
    dilation: IntPair,
    padding: IntPair,
    stride: IntPair,
) -> tuple[tuple[int, int], Dim]:
    """The kernel and the number of sliding blocks L = prod((n + 2p - d(k-1) - 1)//s + 1)."""
    k, d = _pair(kernel_size, "kernel_size", op), _pair(dilation, "dilation", op)
    p, s = _pair(padding, "padding", op), _pair(stride, "stride", op)
    _check_positive(op, kernel_size=k, dilation=d, padding=p, stride=s)
    count: Dim = 1
    for name, n, ki, di, pi, si in zip("HW", spatial, k, d, p, s):
        out = _conv_out(n, ki, si, pi, di)
        if out is not None and out < 1:
            raise ShapeError(
                f"{op}: {name}_out = ({n} + 2*{pi} - {di}*({ki}-1) - 1)//{si} + 1 = {out}: "
                "the input is smaller than the dilated kernel"
            )
        count = None if count is None or out is None else count * out
    return k, count


def unfold(
    x: Shape,
    kernel_size: IntPair,
    dilation: IntPair = 1,
    padding: IntPair = 0,
    stride: IntPair = 1,
) -> Shape:
    """(N, C, H, W) or (C, H, W) -> (N, C*kH*kW, L): each sliding block as a column (im2col)."""
    op = "unfold"
    if len(x) not in (3, 4):
        raise ShapeError(f"{op}: input must be (N, C, H, W) or (C, H, W), got {fmt(x)}")
    k, count = _blocks(op, x[-2:], kernel_size, dilation, padding, stride)
    chans = x[-3]
    return (*x[:-3], None if chans is None else chans * k[0] * k[1], count)


def fold(
    x: Shape,
    output_size: IntPair,
    kernel_size: IntPair,
    dilation: IntPair = 1,
    padding: IntPair = 0,
    stride: IntPair = 1,
) -> Shape:
    """(N, C*kH*kW, L) or (C*kH*kW, L) -> (N, C, H, W): the columns summed back (col2im); L must
    be the number of blocks in output_size."""
    op = "fold"
    if len(x) not in (2, 3):
        raise ShapeError(f"{op}: input must be (N, C*kH*kW, L) or (C*kH*kW, L), got {fmt(x)}")
    out = _pair(output_size, "output_size", op)
    k, count = _blocks(op, out, kernel_size, dilation, padding, stride)
    rows, length = x[-2], x[-1]
    if rows is not None and rows % (k[0] * k[1]):
        raise ShapeError(
            f"{op}: input dim {rows} is not divisible by the kernel's {k[0]}*{k[1]} = {k[0] * k[1]}"
        )
    if length is not None and count is not None and length != count:
        raise ShapeError(
            f"{op}: input has {length} blocks, but output_size {out} with this kernel, padding "
            f"and stride gives {count}"
        )
    return (*x[:-2], None if rows is None else rows // (k[0] * k[1]), out[0], out[1])


def dilated_window_check(
    op: str, name: str, size: Dim, out: Dim, k: int, s: int, p: int, d: int
) -> None:
    """A dilated pooling window that holds only padding has no input cell for its gradient
    (torch sends it to an arbitrary cell): refused, naming the window."""
    if size is None or out is None or d == 1:
        return
    for o in range(out):
        cells = [o * s - p + i * d for i in range(k)]
        if not any(0 <= c < size for c in cells):
            raise ShapeError(
                f"{op}: along {name}, window {o} (cells {cells[0]}..{cells[-1]} by {d}) holds only "
                "padding; use less padding or dilation"
            )


def pool_out(size: int, kernel: int, stride: int, pad: int, ceil_mode: bool) -> int:
    """A pooling's output length: (size + 2p - k)//s + 1, or with ceil_mode rounded up, less a
    last window that would start in the right padding (torch's pooling_output_shape)."""
    span = size + 2 * pad - kernel
    if not ceil_mode:
        return span // stride + 1
    out = -(-span // stride) + 1
    if (out - 1) * stride >= size + pad:
        out -= 1
    return out


INTERPOLATE_MODES = {
    "nearest": (1, 2, 3),
    "nearest-exact": (1, 2, 3),
    "area": (1, 2, 3),
    "linear": (1,),
    "bilinear": (2,),
    "bicubic": (2,),
    "trilinear": (3,),
}


def interpolate(
    x: Shape,
    size: Dim | Sequence[Dim] = None,
    scale_factor: float | Sequence[float] | None = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
) -> Shape:
    """(N, C, L), (N, C, H, W) or (N, C, D, H, W) resized to `size`, or to
    floor(in * scale_factor) per spatial axis: modes nearest, nearest-exact and area (1-d, 2-d
    or 3-d), linear (1-d), bilinear and bicubic (2-d), trilinear (3-d), as torch's interpolate."""
    op = "interpolate"
    if mode not in INTERPOLATE_MODES:
        modes = ", ".join(INTERPOLATE_MODES)
        raise ShapeError(f"{op}: mode must be one of {modes}, got {mode!r}")
    if len(x) not in (3, 4, 5):
        raise ShapeError(
            f"{op}: input must be (N, C, L) or (N, C, H, W), got {fmt(x)}; or (N, C, D, H, W) "
            "for nearest, area or trilinear"
        )
    spatial = len(x) - 2
    if spatial not in INTERPOLATE_MODES[mode]:
        raise ShapeError(
            f"{op}: got {len(x)}D input, but {mode} mode needs {INTERPOLATE_MODES[mode][0] + 2}D "
            "input"
        )
    if align_corners is not None and mode in ("nearest", "nearest-exact", "area"):
        raise ShapeError(
            f"{op}: align_corners option can only be set with the interpolating modes "
            "(linear, bilinear, bicubic) and trilinear"
        )
    if (size is None) == (scale_factor is None):
        raise ShapeError(f"{op}: exactly one of size or scale_factor must be given")
    if size is not None:
        sizes: tuple[Dim, ...] = (
            (size,) * spatial if not isinstance(size, Sequence) else tuple(size)
        )
        if len(sizes) != spatial:
            raise ShapeError(
                f"{op}: size {tuple(sizes)} must have {spatial} dims for input {fmt(x)}"
            )
    else:
        assert scale_factor is not None
        scales = (
            tuple(scale_factor) if isinstance(scale_factor, Sequence) else (scale_factor,) * spatial
        )
        if len(scales) != spatial:
            raise ShapeError(
                f"{op}: scale_factor {scales} must have {spatial} values for input {fmt(x)}"
            )
        sizes = tuple(None if n is None else math.floor(n * f) for n, f in zip(x[2:], scales))
    for n, out in zip(x[2:], sizes):
        if (n is not None and n < 1) or (out is not None and out < 1):
            raise ShapeError(
                f"{op}: input and output sizes must be > 0, got input {fmt(x[2:])} and output "
                f"{fmt(sizes)}"
            )
    return (*x[:2], *sizes)


def _single(value: object, what: str, op: str) -> int:
    """An int or a 1-tuple of one (torch's 1-d arguments)."""
    if isinstance(value, tuple) and len(value) == 1:
        value = value[0]
    if isinstance(value, bool) or not isinstance(value, int):
        raise ShapeError(f"{op}: {what} must be an int or a 1-tuple of one, got {value!r}")
    return value


def _length(op: str, x: Shape, channels_name: str = "C") -> tuple[Shape, Dim, Dim]:
    if len(x) not in (2, 3):
        raise ShapeError(
            f"{op}: input must be (N, {channels_name}, L) or ({channels_name}, L), got {fmt(x)}"
        )
    return x[:-2], x[-2], x[-1]


def conv1d(
    x: Shape,
    weight: Shape,
    stride: int | tuple[int] = 1,
    padding: int | tuple[int] | str = 0,
    dilation: int | tuple[int] = 1,
    groups: int = 1,
    bias: Shape | None = None,
) -> Shape:
    """x (N, C, L) or (C, L), weight (F, C/groups, k): L_out = (L + 2p - d(k-1) - 1)//s + 1;
    padding "valid" is 0, "same" (stride 1) keeps L."""
    op = "conv1d"
    batch, chans, length = _length(op, x)
    if len(weight) != 3:
        raise ShapeError(f"{op}: weight must be (C_out, C_in/groups, k), got {fmt(weight)}")
    filters, per_group, k = weight
    s, d = _single(stride, "stride", op), _single(dilation, "dilation", op)
    same = padding == "same"
    if padding == "valid":
        padding = 0
    p = 0 if same else _single(padding, "padding", op)
    if s < 1 or d < 1 or p < 0:
        low = {"stride": (s, 1), "dilation": (d, 1), "padding": (p, 0)}
        name = next(n for n, (v, least) in low.items() if v < least)
        raise ShapeError(f"{op}: {name} must be >= {low[name][1]}, got {low[name][0]}")
    if same and s != 1:
        raise ShapeError(f"{op}: padding='same' is not supported for strided convolutions")
    _conv_channels(op, x, weight, bias, filters, chans, per_group, groups)
    if same:
        return (*batch, filters, length)
    out = None if k is None else _conv_out(length, k, s, p, d)
    if out is not None and out < 1:
        raise ShapeError(
            f"{op}: L_out = ({length} + 2*{p} - {d}*({k}-1) - 1)//{s} + 1 = {out}: "
            "the input is smaller than the dilated kernel; pad it or use a smaller kernel"
        )
    return (*batch, filters, out)


def pool1d(
    op: str,
    x: Shape,
    kernel_size: int | tuple[int],
    stride: int | tuple[int] | None = None,
    padding: int | tuple[int] = 0,
    ceil_mode: bool = False,
    dilation: int | tuple[int] = 1,
) -> Shape:
    """(N, C, L) or (C, L): L_out = (L + 2p - d(k-1) - 1)//s + 1 (ceil_mode: as pool2d's);
    stride defaults to the kernel; padding at most half the kernel."""
    batch, chans, length = _length(op, x)
    k = _single(kernel_size, "kernel_size", op)
    s = k if stride is None else _single(stride, "stride", op)
    p = _single(padding, "padding", op)
    d = _single(dilation, "dilation", op)
    checks = (("kernel_size", k, 1), ("stride", s, 1), ("padding", p, 0), ("dilation", d, 1))
    for name, value, least in checks:
        if value < least:
            raise ShapeError(f"{op}: {name} must be >= {least}, got {value}")
    if p > k // 2:
        raise ShapeError(f"{op}: padding {p} must be at most half the kernel size {k}")
    out = None if length is None else pool_out(length, d * (k - 1) + 1, s, p, ceil_mode)
    if out is not None and out < 1:
        kernel = f"{k}" if d == 1 else f"{d}*({k}-1) - 1"
        raise ShapeError(
            f"{op}: L_out = ({length} + 2*{p} - {kernel})//{s} + 1 = {out}: "
            "the input is smaller than the kernel"
        )
    dilated_window_check(op, "L", length, out, k, s, p, d)
    return (*batch, chans, out)


def same_padding(
    op: str, kernel: Sequence[int], stride: IntPair, dilation: IntPair
) -> tuple[tuple[int, int], ...]:
    """padding="same": per spatial axis (before, after) = (t//2, t - t//2), t = d*(k-1), as torch
    (the odd one goes after). Strided convolutions refuse it, as torch does."""
    count = len(kernel)
    strides = (stride,) * count if isinstance(stride, int) else tuple(stride)
    dilations = (dilation,) * count if isinstance(dilation, int) else tuple(dilation)
    if any(s != 1 for s in strides):
        raise ShapeError(f"{op}: padding='same' is not supported for strided convolutions")
    if len(dilations) != count:
        raise ShapeError(f"{op}: dilation must be an int or {count} ints, got {dilation!r}")
    totals = [d * (k - 1) for k, d in zip(kernel, dilations)]
    return tuple((t // 2, t - t // 2) for t in totals)


def conv_same(
    op: str,
    x: Shape,
    weight: Shape,
    stride: IntPair,
    dilation: IntPair,
    groups: int,
    bias: Shape | None,
) -> Shape:
    """conv2d with padding="same" (stride 1): the output keeps the input's H and W."""
    if len(weight) != 4:
        raise ShapeError(f"{op}: weight must be (C_out, C_in/groups, kH, kW), got {fmt(weight)}")
    kh, kw = weight[-2], weight[-1]
    if kh is None or kw is None or len(x) not in (3, 4):
        return conv2d(x, weight, stride, 0, dilation, groups, bias)
    (_, bottom), (_, right) = same_padding(op, (kh, kw), stride, dilation)
    # the checks on the input as given, padded by the larger side; the output keeps H and W
    out = conv2d(x, weight, 1, (bottom, right), dilation, groups, bias)
    return (*out[:-2], x[-2], x[-1])


def adaptive_pool2d(op: str, x: Shape, output_size: Dim | tuple[Dim, Dim]) -> Shape:
    """(N, C, H, W) or (C, H, W) -> (..., C, oH, oW): output_size an int or a pair, each >= 1
    (None: unknown); H and W must not be zero (as torch)."""
    batch, chans, height, width = _spatial(op, x)
    if output_size is None or isinstance(output_size, int):
        out: tuple[Dim, Dim] = (output_size, output_size)
    elif len(output_size) == 2:
        out = (output_size[0], output_size[1])
    else:
        raise ShapeError(f"{op}: output_size must be an int or a pair of ints, got {output_size!r}")
    if any(o is not None and o < 1 for o in out):
        raise ShapeError(f"{op}: output_size must be >= 1, got {out}")
    for name, size in (("H", height), ("W", width)):
        if size == 0:
            raise ShapeError(f"{op}: {name} must not be zero, got input {fmt(x)}")
    return (*batch, chans, out[0], out[1])


def pixel_shuffle(x: Shape, upscale_factor: Dim) -> Shape:
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r); r None: unknown."""
    op = "pixel_shuffle"
    r = upscale_factor
    if r is not None and (isinstance(r, bool) or not isinstance(r, int) or r < 1):
        raise ShapeError(f"{op}: upscale_factor must be an int >= 1, got {r!r}")
    if len(x) < 3:
        raise ShapeError(f"{op}: input must be (*, C*r*r, H, W) (rank >= 3), got {fmt(x)}")
    *batch, chans, height, width = x
    if r is None:
        return (*batch, None, None, None)
    if chans is not None and chans % (r * r):
        raise ShapeError(
            f"{op}: channels {chans} are not divisible by upscale_factor**2 = {r}*{r} = {r * r}"
        )
    return (
        *batch,
        None if chans is None else chans // (r * r),
        None if height is None else height * r,
        None if width is None else width * r,
    )


def _sizes_n(value: object, what: str, op: str, count: int) -> tuple[int, ...]:
    """An int for every spatial axis, or one int per axis (a 1-tuple for 1-d), as torch takes
    the sizes of its 1-d, 2-d and 3-d ops."""
    values = value if isinstance(value, tuple) else (value,) * count
    if len(values) != count or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in values
    ):
        shape = "a 1-tuple of one" if count == 1 else f"a {count}-tuple of ints"
        raise ShapeError(f"{op}: {what} must be an int or {shape}, got {value!r}")
    return tuple(values)


def _at_least(op: str, **values: tuple[tuple[int, ...], int]) -> None:
    for name, (sizes, least) in values.items():
        if min(sizes) < least:
            shown = sizes[0] if len(sizes) == 1 else sizes
            raise ShapeError(f"{op}: {name} must be >= {least}, got {shown}")


def pool3d(
    op: str,
    x: Shape,
    kernel_size: int | tuple[int, int, int],
    stride: int | tuple[int, int, int] | None = None,
    padding: int | tuple[int, int, int] = 0,
    ceil_mode: bool = False,
    dilation: int | tuple[int, int, int] = 1,
) -> Shape:
    """(N, C, D, H, W) or (C, D, H, W): each D_out = (D + 2p - d(k-1) - 1)//s + 1 (ceil_mode:
    as pool2d's); stride defaults to the kernel; padding at most half the kernel."""
    if len(x) not in (4, 5):
        raise ShapeError(f"{op}: input must be (N, C, D, H, W) or (C, D, H, W), got {fmt(x)}")
    k = _sizes_n(kernel_size, "kernel_size", op, 3)
    s = k if stride is None else _sizes_n(stride, "stride", op, 3)
    p = _sizes_n(padding, "padding", op, 3)
    d = _sizes_n(dilation, "dilation", op, 3)
    _at_least(op, kernel_size=(k, 1), stride=(s, 1), padding=(p, 0), dilation=(d, 1))
    if any(pi > ki // 2 for pi, ki in zip(p, k)):
        raise ShapeError(f"{op}: padding {p} must be at most half the kernel size {k}")
    outs: list[Dim] = []
    for name, size, ki, si, pi, di in zip("DHW", x[-3:], k, s, p, d):
        out = None if size is None else pool_out(size, di * (ki - 1) + 1, si, pi, ceil_mode)
        if out is not None and out < 1:
            kernel = f"{ki}" if di == 1 else f"{di}*({ki}-1) - 1"
            raise ShapeError(
                f"{op}: {name}_out = ({size} + 2*{pi} - {kernel})//{si} + 1 = {out}: "
                "the input is smaller than the kernel"
            )
        dilated_window_check(op, name, size, out, ki, si, pi, di)
        outs.append(out)
    return (*x[:-3], *outs)


def conv_transpose_nd(
    op: str,
    x: Shape,
    weight: Shape,
    stride: int | tuple[int, ...] = 1,
    padding: int | tuple[int, ...] = 0,
    output_padding: int | tuple[int, ...] = 0,
    groups: int = 1,
    dilation: int | tuple[int, ...] = 1,
    bias: Shape | None = None,
) -> Shape:
    """conv_transpose1d (x (N, C_in, L)) or conv_transpose3d (x (N, C_in, D, H, W)), weight
    (C_in, C_out/groups, *k): each L_out = (L-1)*s - 2p + d(k-1) + output_padding + 1."""
    count = 1 if op == "conv_transpose1d" else 3
    axes = "L" if count == 1 else "DHW"
    dims = ", ".join(axes)
    if len(x) not in (count + 1, count + 2):
        raise ShapeError(f"{op}: input must be (N, C_in, {dims}) or (C_in, {dims}), got {fmt(x)}")
    kernel_dims = "k" if count == 1 else "kD, kH, kW"
    if len(weight) != count + 2:
        raise ShapeError(
            f"{op}: weight must be (C_in, C_out/groups, {kernel_dims}), got {fmt(weight)}"
        )
    s, p = _sizes_n(stride, "stride", op, count), _sizes_n(padding, "padding", op, count)
    d = _sizes_n(dilation, "dilation", op, count)
    extra = _sizes_n(output_padding, "output_padding", op, count)
    _at_least(op, stride=(s, 1), padding=(p, 0), dilation=(d, 1))
    chans, (in_ch, per_group) = x[-count - 1], weight[:2]
    if groups < 1 or (in_ch is not None and in_ch % groups):
        raise ShapeError(f"{op}: input channels {in_ch} are not divisible by groups={groups}")
    if not _match(chans, in_ch):
        raise ShapeError(
            f"{op}: weight {fmt(weight)} expects {in_ch} input channels, got {chans} (input {fmt(x)})"
        )
    for o, si, di in zip(extra, s, d):
        if not (0 <= o < max(si, di)):
            raise ShapeError(f"{op}: output_padding {o} must be smaller than stride or dilation")
    out_ch = None if per_group is None else per_group * groups
    if bias is not None and (len(bias) != 1 or not _match(bias[0], out_ch)):
        raise ShapeError(f"{op}: bias must be {fmt((out_ch,))}, got {fmt(bias)}")
    outs: list[Dim] = []
    for name, size, k, si, pi, di, oi in zip(axes, x[-count:], weight[2:], s, p, d, extra):
        out = (
            None if size is None or k is None else (size - 1) * si - 2 * pi + di * (k - 1) + oi + 1
        )
        if out is not None and out < 1:
            raise ShapeError(
                f"{op}: {name}_out = ({size}-1)*{si} - 2*{pi} + {di}*({k}-1) + {oi} + 1 = {out} < 1"
            )
        outs.append(out)
    return (*x[: -count - 1], out_ch, *outs)


def max_unpool(
    op: str,
    x: Shape,
    indices: Shape,
    kernel_size: int | tuple[int, ...],
    stride: int | tuple[int, ...] | None = None,
    padding: int | tuple[int, ...] = 0,
    output_size: Sequence[int] | None = None,
) -> Shape:
    """max_unpool1d/2d/3d: indices shaped like x (max_pool's return_indices); each spatial
    L_out = (L-1)*s - 2p + k, or output_size (its last dims), which must lie strictly
    between that less the stride and that plus the stride (as torch)."""
    count = {"max_unpool1d": 1, "max_unpool2d": 2, "max_unpool3d": 3}[op]
    axes = ("L",) if count == 1 else ("H", "W") if count == 2 else ("D", "H", "W")
    dims = ", ".join(axes)
    if len(x) not in (count + 1, count + 2):
        raise ShapeError(f"{op}: input must be (N, C, {dims}) or (C, {dims}), got {fmt(x)}")
    if len(indices) != len(x) or not all(_match(a, b) for a, b in zip(x, indices)):
        raise ShapeError(
            f"{op}: indices {fmt(indices)} must have the input's shape {fmt(x)} (the indices "
            "max_pool returned with return_indices=True)"
        )
    k = _sizes_n(kernel_size, "kernel_size", op, count)
    s = k if stride is None else _sizes_n(stride, "stride", op, count)
    p = _sizes_n(padding, "padding", op, count)
    _at_least(op, kernel_size=(k, 1), stride=(s, 1), padding=(p, 0))
    default = [
        None if n is None else (n - 1) * si - 2 * pi + ki
        for n, ki, si, pi in zip(x[-count:], k, s, p)
    ]
    if output_size is None:
        outs: list[Dim] = default
    else:
        given = tuple(output_size)
        if len(given) == count + 2:
            given = given[2:]
        if len(given) != count:
            raise ShapeError(
                f"{op}: output_size {tuple(output_size)} must have {count} or {count + 2} elements"
            )
        outs = []
        for axis, (want, base, si) in enumerate(zip(given, default, s)):
            if base is not None and not base - si < want < base + si:
                raise ShapeError(
                    f'{op}: invalid output_size "{tuple(output_size)}" (dim {axis} must be '
                    f"between {base - si} and {base + si})"
                )
            outs.append(want)
    for name, out in zip(axes, outs):
        if out is not None and out < 1:
            raise ShapeError(f"{op}: {name}_out = {out} < 1: use a larger input or less padding")
    return (*x[:-count], *outs)


# ---------------------------------------------------------------- ops, third round (tinygrad's test_ops)


def diagonal(shape: Shape, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Shape:
    """torch.diagonal / np.diagonal: axis1 and axis2 removed, the diagonal's length appended."""
    op = "diagonal"
    first, second = normalize_axis(op, axis1, len(shape)), normalize_axis(op, axis2, len(shape))
    if first == second:
        raise ShapeError(f"{op}: axis1 and axis2 must differ, both are {axis1}")
    rows, cols = shape[first], shape[second]
    rest = tuple(d for i, d in enumerate(shape) if i not in (first, second))
    if rows is None or cols is None:
        return (*rest, None)
    length = min(rows, cols - offset) if offset >= 0 else min(rows + offset, cols)
    return (*rest, max(length, 0))


def unfold_windows(shape: Shape, axis: int, size: int, step: int) -> Shape:
    """torch's x.unfold(dimension, size, step): axis holds the (n - size) // step + 1 windows,
    a last axis of `size` their elements."""
    op = "unfold"
    if size < 0 or step < 1:
        raise ShapeError(f"{op}: size must be >= 0 and step >= 1, got size={size}, step={step}")
    if not shape:  # a scalar: one window of size 1, as torch
        if size > 1:
            raise ShapeError(f"{op}: size {size} is larger than a scalar's one element")
        reduction_axes(op, axis, 0)
        return (size,)
    at = normalize_axis(op, axis, len(shape))
    n = shape[at]
    if n is not None and size > n:
        raise ShapeError(
            f"{op}: size {size} is larger than axis {axis} of {fmt(shape)} ({n}); use a smaller "
            "window or pad the tensor"
        )
    windows = None if n is None else (n - size) // step + 1
    return (*shape[:at], windows, *shape[at + 1 :], size)
