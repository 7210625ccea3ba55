"""Ops that pick or place elements by index: advanced indexing, gather, scatter, masks.

The gradient of a pick is a scatter-add of g into zeros (`xp.add.at`, so repeated indices
add up); the gradient of a scatter-add is a pick of g.
"""

from __future__ import annotations

from typing import Any

from typing_extensions import TypeVar, TypeVarTuple

from shaped import shapes
from shaped.devices import rank0
from shaped.dtypes import BY_NAME, Int64
from shaped.errors import AxisError, DeviceError, DtypeError, ShapeError
from shaped.ops import movement
from shaped.ops.core import Array, check_same, scalar, unary
from shaped.ops.core import attach as _attach
from shaped.shapes import IndexArray
from shaped.tensor import Tensor

Tn = Tensor[Any, Any, Any, Any]
B = TypeVarTuple("B")
Dev = TypeVar("Dev")


def _index_tensor(op: str, x: Tn, index: object, what: str = "index") -> Array:
    """An integer tensor's array on x's device (a list of ints is accepted too)."""
    if isinstance(index, list):
        index = x._device.tensor(index) if index else x._device.zeros((0,), dtype=Int64)
    if not isinstance(index, Tensor):
        raise TypeError(
            f"{op}: {what} must be an Int64 tensor, got {type(index).__name__}; make one with "
            "dev.tensor([...])"
        )
    if index._device is not x._device:
        raise DeviceError(
            f"{op}: {what} on {index._device!r} but the tensor on {x._device!r}; move it with "
            f".to({x._device!r})"
        )
    data = index._data
    if data.dtype.kind not in "iu":
        raise DtypeError(
            f"{op}: {what} must be an integer tensor (sh.Int64), got {index.dtype.__name__}"
        )
    return data


def _in_range(op: str, idx: Array, size: int, axis: int, *, wrap: bool) -> Array:
    """idx checked against an axis of `size` (negative ones wrap when `wrap`, as numpy)."""
    if not idx.size:
        return idx
    low, high = int(idx.min()), int(idx.max())
    least = -size if wrap else 0
    if low < least or high >= size:
        flat = idx.ravel()
        bad = int(flat[(flat < least) | (flat >= size)][0])
        valid = f"{least}..{size - 1}" if size else "none (the axis is empty)"
        raise AxisError(
            f"{op}: index {bad} is out of range for axis {axis} of size {size}; valid indices "
            f"are {valid}"
        )
    return idx + size * (idx < 0) if low < 0 else idx


def _grid(xp: Any, idx: Array, pos: int) -> tuple[Array, ...]:
    """The full index tuple that picks x[i0, .., idx[i], .., in] for every position i of idx."""
    ndim = idx.ndim
    parts: list[Array] = []
    for d in range(ndim):
        if d == pos:
            parts.append(idx)
        else:
            shape = [1] * ndim
            shape[d] = idx.shape[d]
            parts.append(xp.arange(idx.shape[d]).reshape(shape))
    return tuple(parts)


def _pick(x: Tn, key: tuple[Any, ...], out: Array) -> Any:
    """The result of reading x[key] (an advanced key); the VJP scatter-adds g back."""
    old, xp = x._data.shape, x._device.xp

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array]:
        grad = xp.zeros(old, dtype=g.dtype)
        xp.add.at(grad, key, g)
        return (grad,)

    return unary(x, rank0(out), vjp)


# ---------------------------------------------------------------- x[idx], x[mask]


_BASIC = frozenset({int, slice, type(None), type(Ellipsis)})  # keys that need no look further


def is_advanced(key: object) -> bool:
    """Whether an index key holds an integer tensor, a list or a mask (basic keys stay fast)."""
    parts = key if isinstance(key, tuple) else (key,)
    return any(isinstance(k, (Tensor, list)) or hasattr(k, "ndim") for k in parts)


def getitem(x: Tn, key: Any) -> Any:
    """x[key]: basic keys as before (a view); integer tensors, lists and Bool masks as torch."""
    kind = type(key)
    if kind in _BASIC:
        return movement.getitem(x, key)
    if kind is tuple:
        for k in key:
            if type(k) not in _BASIC:
                break
        else:
            return movement.getitem(x, key)
        if any(type(k) is tuple for k in key):  # a tuple inside the key is a list, as torch
            key = tuple(list(k) if type(k) is tuple else k for k in key)
    if not is_advanced(key):
        return movement.getitem(x, key)
    parts = key if isinstance(key, tuple) else (key,)
    data = x._data
    arrays: list[Any] = []
    rule_key: list[Any] = []
    for k in parts:
        if isinstance(k, (Tensor, list)) or (hasattr(k, "ndim") and not isinstance(k, Tensor)):
            array = _as_index(x, k)
            if array.ndim == 0 and array.dtype.kind != "b":
                k = int(array)  # a 0-d integer index is an int, as torch
            else:
                arrays.append(array)
                mask = array.dtype.kind == "b"
                count = int(array.sum()) if mask else None
                rule_key.append(IndexArray(tuple(array.shape), mask, count))
                continue
        k = movement._index_part(k)
        arrays.append(k)
        rule_key.append(k)
    shapes.advanced_index(data.shape, tuple(rule_key))
    # first the basic parts (ints select, as torch), index tensors keep their axes whole
    if Ellipsis in rule_key:
        consumed = sum(
            len(k.shape) if isinstance(k, IndexArray) and k.mask else 1
            for k in rule_key
            if k is not None and k is not Ellipsis
        )
        at = rule_key.index(Ellipsis)
        fill = [slice(None)] * (data.ndim - consumed)
        rule_key[at : at + 1] = fill
        arrays[at : at + 1] = fill
    first: list[Any] = []
    second: list[Any] = []  # one part per axis of the selected view
    picked: list[int] = []  # the parts of `second` that are the user's integer indices
    for k, array in zip(rule_key, arrays, strict=True):
        if isinstance(k, IndexArray) and k.mask:
            first.extend([slice(None)] * array.ndim)
            second.extend(array.nonzero())
        elif isinstance(k, IndexArray):
            first.append(slice(None))
            picked.append(len(second))
            second.append(array)
        else:
            first.append(k)
            if not (isinstance(k, int) and not isinstance(k, bool)):
                second.append(slice(None))
    selected = movement.getitem(x, tuple(first))
    sizes = selected._data.shape
    for p in picked:
        second[p] = _in_range("index", second[p], int(sizes[p]), p, wrap=True)
    key2 = tuple(second)
    return _pick(selected, key2, selected._data[key2])


def _as_index(x: Tn, k: object) -> Array:
    if isinstance(k, Tensor):
        if k._device is not x._device:
            raise DeviceError(
                f"index: index tensor on {k._device!r} but the tensor on {x._device!r}; move it "
                f"with .to({x._device!r})"
            )
        array = k._data
    else:
        array = x._device.xp.asarray(k)
        if isinstance(k, list) and not k:
            array = array.astype("int64")
    message = shapes.index_dtype(BY_NAME[array.dtype.name].__name__)
    if message is not None:
        raise DtypeError(message)
    if array.ndim == 0 and array.dtype.kind == "b":
        raise TypeError("index: a 0-d Bool mask is not supported; index with a Bool tensor")
    return array


# ---------------------------------------------------------------- gather and friends


def axis_or_dim(op: str, axis: object, dim: object) -> Any:
    """The axis, given as numpy's `axis` or torch's `dim` (not both)."""
    if axis is not None and dim is not None:
        raise TypeError(f"{op}: give axis or dim, not both")
    if axis is None and dim is None:
        raise TypeError(f"{op}: missing the axis (axis=, or torch's dim=)")
    return axis if dim is None else dim


def gather(x: Tn, axis: int, index: object) -> Any:
    """torch.gather: out[i][j] = x[index[i][j]][j] for axis 0; the VJP scatter-adds g."""
    idx = _index_tensor("gather", x, index)
    data = x._data
    shapes.gather(data.shape, idx.shape, axis)
    pos = shapes.normalize_axis("gather", axis, max(data.ndim, 1))
    if not data.ndim:  # a rank-0 tensor gathers with 0-d (or 1-element) indices of 0
        _in_range("gather", idx, 1, axis, wrap=False)
        return unary(x, data.reshape(idx.shape).copy(), lambda g, needs: (g.sum().reshape(()),))
    idx = _in_range("gather", idx, int(data.shape[pos]), axis, wrap=False)
    key = _grid(x._device.xp, idx, pos)
    return _pick(x, key, data[key])


def take_along_axis(x: Tn, indices: object, axis: int) -> Any:
    """np.take_along_axis (torch.take_along_dim): the other axes broadcast; negatives wrap."""
    idx = _index_tensor("take_along_axis", x, indices, "indices")
    data = x._data
    out_shape = shapes.take_along_axis(data.shape, idx.shape, axis)
    pos = shapes.normalize_axis("take_along_axis", axis, data.ndim)
    idx = _in_range("take_along_axis", idx, int(data.shape[pos]), axis, wrap=True)
    xp = x._device.xp
    # both sides broadcast on the other axes: x through broadcast_to, whose VJP sums back
    target = (*out_shape[:pos], data.shape[pos], *out_shape[pos + 1 :])
    if target != data.shape:
        x = movement.broadcast_to(x, target)
    idx = xp.broadcast_to(idx, out_shape)
    key = _grid(xp, idx, pos)
    return _pick(x, key, x._data[key])


def index_select(x: Tn, axis: int, index: object) -> Any:
    """torch.index_select: the rows of `axis` named by a 1-D index, in its order."""
    idx = _index_tensor("index_select", x, index)
    data = x._data
    shapes.index_select(data.shape, idx.shape, axis)
    pos = shapes.normalize_axis("index_select", axis, max(data.ndim, 1))
    size = int(data.shape[pos]) if data.ndim else 1
    idx = _in_range("index_select", idx.reshape(-1), size, axis, wrap=False)
    if not data.ndim:
        return unary(x, data.copy(), lambda g, needs: (g,))
    key = (*(slice(None),) * pos, idx)
    return _pick(x, key, data[key])


def scatter_add(x: Tn, axis: int, index: object, src: object) -> Any:
    """torch.scatter_add: a copy of x with src[i][j] added at x[index[i][j]][j] (axis 0)."""
    return _scatter("scatter_add", x, axis, index, src)


def scatter(x: Tn, axis: int, index: object, src: object) -> Any:
    """torch.scatter: a copy of x with src written at the indexed places (the last write wins
    where indices repeat); `src` may be a Python number."""
    return _scatter("scatter", x, axis, index, src)


def _scatter(op: str, x: Tn, axis: int, index: object, src: object) -> Any:
    idx = _index_tensor(op, x, index)
    data, xp = x._data, x._device.xp
    if not isinstance(src, Tensor) and op == "scatter_add":
        raise TypeError(f"scatter_add: src must be a tensor, got {type(src).__name__}")
    value = src if isinstance(src, Tensor) else scalar(op, src, x)
    if isinstance(src, Tensor):
        check_same(op, (x, src))
    shapes.scatter(op, data.shape, idx.shape, value._data.shape if src is value else None, axis)
    pos = shapes.normalize_axis(op, axis, max(data.ndim, 1))
    if not data.ndim:
        raise ShapeError(f"{op}: needs a tensor of rank 1 or more, got a rank-0 tensor")
    idx = _in_range(op, idx, int(data.shape[pos]), axis, wrap=False)
    key = _grid(xp, idx, pos)
    part = tuple(slice(0, n) for n in idx.shape)
    values = value._data[part] if src is value else xp.broadcast_to(value._data, idx.shape)
    out = data.copy()
    if op == "scatter_add":
        xp.add.at(out, key, values)
    else:
        out[key] = values
    src_shape = value._data.shape
    inputs = (x, value) if src is value else (x,)

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, ...]:
        grad_x = g
        if op == "scatter":  # overwritten places take no gradient back to x
            grad_x = g.copy()
            grad_x[key] = 0
        if len(needs) == 1:
            return (grad_x,)
        grad_src = xp.zeros(src_shape, dtype=g.dtype)
        grad_src[part] = g[key]
        return grad_x, grad_src

    return _attach(Tensor._wrap(out, x._device), inputs, vjp)


# ---------------------------------------------------------------- masks


def masked_fill(x: Tn, mask: object, value: float) -> Any:
    """`value` where the Bool mask (broadcast to x's shape) is True; the gradient passes elsewhere."""
    if not isinstance(mask, Tensor) or mask._data.dtype.kind != "b":
        kind = mask.dtype.__name__ if isinstance(mask, Tensor) else type(mask).__name__
        raise DtypeError(
            f"masked_fill: mask must be a Bool tensor, got {kind}; compare to make one"
        )
    if mask._device is not x._device:
        raise DeviceError(
            f"masked_fill: mask on {mask._device!r} but the tensor on {x._device!r}; move it "
            f"with .to({x._device!r})"
        )
    data, m, xp = x._data, mask._data, x._device.xp
    shapes.masked_fill(data.shape, m.shape)
    fill = scalar("masked_fill", value, x)._data
    zero = xp.zeros((), dtype=data.dtype)
    return unary(x, xp.where(m, fill, data), lambda g, needs: (xp.where(m, zero, g),))


def nonzero(x: Tn) -> Any:
    """The coordinates of the nonzero elements, one row each: Int64 of shape (count, rank)."""
    xp = x._device.xp
    coords = xp.stack(xp.nonzero(x._data), axis=-1) if x._data.ndim else None
    if coords is None:  # rank 0: one empty row when the value is nonzero, as torch
        coords = xp.zeros((int(bool(x._data)), 0), dtype="int64")
    return Tensor._wrap(coords.astype("int64", copy=False), x._device)


def unique(
    x: Tn,
    sorted: bool = True,
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: int | None = None,
) -> Any:
    """The distinct values, sorted, as a 1-D tensor (no gradient: torch has none either); with
    return_inverse each element's index into them (x's shape), with return_counts how often
    each occurs. Always sorted: torch's sorted=False leaves the order unspecified."""
    if dim is not None:
        raise ValueError("unique: only dim=None (the flattened tensor) is supported")
    xp = x._device.xp
    values, inverse, counts = xp.unique(x._data, return_inverse=True, return_counts=True)
    out = [Tensor._wrap(values, x._device)]
    if return_inverse:
        inverse = inverse.reshape(x._data.shape).astype("int64", copy=False)
        out.append(Tensor._wrap(inverse, x._device))
    if return_counts:
        out.append(Tensor._wrap(counts.astype("int64", copy=False), x._device))
    return out[0] if len(out) == 1 else tuple(out)


def bincount(x: Tn, weights: object = None, minlength: int = 0) -> Any:
    """How often each value 0..max occurs in a 1-D Int tensor (or the sum of its `weights`)."""
    data = _index_tensor("bincount", x, x, "the tensor")
    shapes.bincount(data.shape, None if weights is None else _shape_of(weights), minlength)
    if data.size and int(data.min()) < 0:
        raise ValueError(f"bincount: values must not be negative, got {int(data.min())}")
    xp = x._device.xp
    if weights is None:
        return Tensor._wrap(xp.bincount(data, minlength=minlength).astype("int64"), x._device)
    if not isinstance(weights, Tensor):
        raise TypeError(f"bincount: weights must be a tensor, got {type(weights).__name__}")
    if weights._device is not x._device:
        raise DeviceError(f"bincount: weights on {weights._device!r}, values on {x._device!r}")
    w = weights._data
    kind = w.dtype.name
    if kind not in ("float32", "float64"):
        raise DtypeError(
            f"bincount: weights must be Float32 or Float64, got {weights.dtype.__name__}"
        )
    counts = xp.bincount(data, weights=w.astype("float64"), minlength=minlength)
    return Tensor._wrap(counts.astype(kind), x._device)


def _shape_of(t: object) -> tuple[int, ...]:
    return tuple(t._data.shape) if isinstance(t, Tensor) else ()


def one_hot(
    indices: Tensor[tuple[*B], Int64, Dev, Any], num_classes: int = -1
) -> Tensor[tuple[*B, int], Int64, Dev]:
    """F.one_hot: Int64 indices to Int64 one-hot rows on a new last axis of `num_classes`
    (-1: the largest index + 1)."""
    if not isinstance(indices, Tensor) or indices._data.dtype.name != "int64":
        kind = indices.dtype.__name__ if isinstance(indices, Tensor) else type(indices).__name__
        raise DtypeError(f"one_hot: indices must be an Int64 tensor, got {kind}")
    data, xp = indices._data, indices._device.xp
    shapes.one_hot(data.shape, num_classes)
    if num_classes == -1:
        if not data.size:
            raise ShapeError("one_hot: cannot infer the number of classes of an empty tensor")
        num_classes = int(data.max()) + 1
    _in_range("one_hot", data, num_classes, -1, wrap=False)
    out = (data[..., None] == xp.arange(num_classes)).astype("int64")
    return Tensor._wrap(out, indices._device)


# ---------------------------------------------------------------- third round (tinygrad's test_ops)


def masked_select(x: Tn, mask: object) -> Any:
    """The elements of x where the Bool mask (x and mask broadcast together) is True, in order:
    a 1-d tensor whose length is known at run time (torch.masked_select)."""
    if not isinstance(mask, Tensor) or mask._data.dtype.kind != "b":
        kind = mask.dtype.__name__ if isinstance(mask, Tensor) else type(mask).__name__
        raise DtypeError(
            f"masked_select: mask must be a Bool tensor, got {kind}; compare to make one"
        )
    if mask._device is not x._device:
        raise DeviceError(
            f"masked_select: mask on {mask._device!r} but the tensor on {x._device!r}; move it "
            f"with .to({x._device!r})"
        )
    shape = shapes.broadcast("masked_select", x._data.shape, mask._data.shape)
    full = x if x._data.shape == shape else movement.broadcast_to(x, shape)
    picks = (
        mask._data if mask._data.shape == shape else x._device.xp.broadcast_to(mask._data, shape)
    )
    return getitem(full, Tensor._wrap(picks, x._device)).reshape(-1)


REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


def scatter_reduce(
    x: Tn, axis: int, index: object, src: object, reduce: str, include_self: bool
) -> Any:
    """torch.scatter_reduce: src[i][j] combined into x[index[i][j]][j] (axis 0) by `reduce`
    ("sum", "prod", "mean", "amax", "amin"), with x's own value too when include_self.
    Gradients as torch: amax/amin share theirs evenly among the equal values, prod is exact
    at zeros, mean divides by the count (an integer mean rounds down, as torch)."""
    op = "scatter_reduce"
    if reduce not in REDUCTIONS:
        raise ValueError(f"{op}: reduce must be one of {', '.join(REDUCTIONS)}, got {reduce!r}")
    if not isinstance(src, Tensor):
        raise TypeError(f"{op}: src must be a tensor, got {type(src).__name__}")
    idx = _index_tensor(op, x, index)
    check_same(op, (x, src))
    data, xp = x._data, x._device.xp
    shapes.scatter(op, data.shape, idx.shape, src._data.shape, axis)
    if not data.ndim:
        raise ShapeError(f"{op}: needs a tensor of rank 1 or more, got a rank-0 tensor")
    pos = shapes.normalize_axis(op, axis, data.ndim)
    idx = _in_range(op, idx, int(data.shape[pos]), axis, wrap=False)
    key = _grid(xp, idx, pos)
    values = src._data[tuple(slice(0, n) for n in idx.shape)]
    hit = xp.zeros(data.shape, dtype=bool)
    hit[key] = True
    counts = xp.zeros(data.shape, dtype="int64")
    xp.add.at(counts, key, 1)
    out = data.copy()
    if reduce in ("sum", "mean"):
        if not include_self:
            out[hit] = 0
        xp.add.at(out, key, values)
        if reduce == "mean":
            total = counts + (1 if include_self else 0)
            divided = out / xp.maximum(total, 1)
            if data.dtype.kind in "iu":
                divided = xp.floor_divide(out, xp.maximum(total, 1))
            out = xp.where(hit, divided, out).astype(data.dtype, copy=False)
    elif reduce == "prod":
        if not include_self:
            out[hit] = 1
        xp.multiply.at(out, key, values)
    else:
        pick = xp.maximum if reduce == "amax" else xp.minimum
        if not include_self:
            out[hit] = _extreme(xp, data.dtype, low=reduce == "amax")
        pick.at(out, key, values)
    src_shape = src._data.shape
    part = tuple(slice(0, n) for n in idx.shape)

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, Array | None]:
        keep = include_self | ~hit  # where x's own value took part in its result
        if reduce == "sum":
            grad_x, grad_vals = g * keep, g[key]
        elif reduce == "mean":
            share = g / xp.maximum(counts + (1 if include_self else 0), 1)
            grad_x, grad_vals = xp.where(hit, share * keep, g), share[key]
        elif reduce == "prod":
            grad_x, grad_vals = _prod_grads(xp, g, data, values, key, hit, include_self)
        else:
            ties = xp.where(keep & (data == out), 1, 0)
            winners = values == out[key]
            xp.add.at(ties, key, winners.astype(ties.dtype))
            share = g / xp.maximum(ties, 1)
            grad_x = xp.where(keep & (data == out), share, 0)
            grad_vals = xp.where(winners, share[key], 0)
        grad_src = None
        if needs[1]:
            grad_src = xp.zeros(src_shape, dtype=g.dtype)
            grad_src[part] = grad_vals
        return grad_x.astype(g.dtype, copy=False) if needs[0] else None, grad_src

    return _attach(Tensor._wrap(out, x._device), (x, src), vjp)


def _extreme(xp: Any, dtype: Any, *, low: bool) -> Any:
    """The start of a max (the lowest value) or of a min (the highest) for a dtype."""
    if dtype.kind == "f":
        return -xp.inf if low else xp.inf
    if dtype.kind == "b":
        return not low
    info = xp.iinfo(dtype)
    return info.min if low else info.max


def _prod_grads(
    xp: Any, g: Array, data: Array, values: Array, key: Any, hit: Array, include_self: bool
) -> tuple[Array, Array]:
    """d prod / d factor = the product of the other factors, exact where factors are 0."""
    zeros = xp.zeros(data.shape, dtype="int64")  # zero factors per output place
    nonzero = xp.ones(data.shape, dtype=data.dtype)  # the product of the nonzero factors
    if include_self:
        zeros = zeros + (data == 0)
        nonzero = xp.where(data == 0, 1, data).astype(data.dtype)
    xp.add.at(zeros, key, (values == 0).astype("int64"))
    xp.multiply.at(nonzero, key, xp.where(values == 0, 1, values).astype(values.dtype))

    def others(factor: Array, place_zeros: Array, place_product: Array) -> Array:
        # product without this factor: the nonzero product / factor when no zero remains
        alone = xp.where(factor == 0, place_zeros == 1, place_zeros == 0)
        safe = xp.where(factor == 0, 1, factor)
        return xp.where(alone, place_product / safe, 0)

    grad_x = g * xp.where(hit, others(data, zeros, nonzero), 1) if include_self else g * ~hit
    grad_vals = g[key] * others(values, zeros[key], nonzero[key])
    return grad_x, grad_vals
