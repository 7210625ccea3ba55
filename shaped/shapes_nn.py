"""Shape rules of the layers added by issue 12, written once for the run time and the plugin.

The ground floor, as shapes.py (standard library only, the plugin imports it without numpy):
each rule takes shapes (dims are ints, None where known only at run time) and returns the
result shape or raises ShapeError with a message that says the fix.
"""

from __future__ import annotations

from shaped.errors import ShapeError
from shaped.shapes import Dim, Shape, fmt

__all__ = ["Dim", "Shape", "ShapeError", "fmt"]


# ---------------------------------------------------------------- containers


# ---------------------------------------------------------------- recurrent


def _times_dim(a: Dim, b: Dim) -> Dim:
    return None if a is None or b is None else a * b


def recurrent(
    layer: str,
    x: Shape,
    input_size: Dim,
    hidden_size: Dim,
    num_layers: Dim = 1,
    batch_first: bool | None = False,
    bidirectional: bool | None = False,
) -> tuple[Shape, Shape]:
    """The (output, h_n) shapes of nn.RNN / LSTM / GRU on input x, as torch.

    x is (L, N, H_in), (N, L, H_in) with batch_first, or (L, H_in) unbatched; output is
    (L, N, D*H) (batch_first: (N, L, D*H), unbatched (L, D*H)) and h_n (and c_n) is
    (D*num_layers, N, H) ((D*num_layers, H) unbatched), D = 2 if bidirectional else 1.
    batch_first or bidirectional None (not known statically) gives unknown dims.
    """
    if len(x) not in (2, 3):
        order = "(N, L, H_in)" if batch_first else "(L, N, H_in)"
        raise ShapeError(
            f"{layer}: Expected input to be 2D or 3D, got {len(x)}D instead: pass {order}, "
            f"or (L, H_in) for one unbatched sequence"
        )
    if input_size is not None and x[-1] is not None and x[-1] != input_size:
        raise ShapeError(
            f"{layer}: input.size(-1) must be equal to input_size. Expected {input_size}, got "
            f"{x[-1]} (input {fmt(x)}): the last dim is the features; build the layer with "
            f"input_size={x[-1]} or fix the input"
        )
    directions: Dim = None if bidirectional is None else 2 if bidirectional else 1
    features = _times_dim(directions, hidden_size)
    states = _times_dim(directions, num_layers)
    if len(x) == 2:
        steps: Dim = x[0]
        batch: Shape = ()
        output: Shape = (steps, features)
    elif batch_first is None:
        steps, batch, output = None, (None,), (None, None, features)
    elif batch_first:
        steps, batch, output = x[1], (x[0],), (x[0], x[1], features)
    else:
        steps, batch, output = x[0], (x[1],), (x[0], x[1], features)
    if steps == 0:
        raise ShapeError(
            f"{layer}: Expected sequence length to be larger than 0 in RNN (input {fmt(x)})"
        )
    return output, (states, *batch, hidden_size)


def recurrent_state(layer: str, name: str, expected: Shape, got: Shape) -> None:
    """An initial state (h0 or c0, or a cell's hx) against the shape the input implies."""
    fits = len(expected) == len(got) and all(
        a is None or b is None or a == b for a, b in zip(expected, got)
    )
    if not fits:
        layout = "(N, H)" if layer.endswith("Cell") else "(D*num_layers, N, H)"
        unbatched = "(H,)" if layer.endswith("Cell") else "(D*num_layers, H)"
        raise ShapeError(
            f"{layer}: Expected {name} of shape {fmt(expected)}, got {fmt(got)}: it is "
            f"{layout} for batched input, {unbatched} unbatched"
        )


def recurrent_cell(layer: str, x: Shape, input_size: Dim, hidden_size: Dim) -> Shape:
    """The output shape of nn.RNNCell / LSTMCell / GRUCell: x (N, H_in) or (H_in,) gives
    (N, H) or (H,), as torch."""
    if len(x) not in (1, 2):
        raise ShapeError(
            f"{layer}: Expected input to be 1D or 2D, got {len(x)}D instead: pass (N, H_in), "
            f"or (H_in,) for one unbatched input"
        )
    if input_size is not None and x[-1] is not None and x[-1] != input_size:
        raise ShapeError(
            f"{layer}: input has inconsistent input_size: got {x[-1]} expected {input_size} "
            f"(input {fmt(x)}): build the cell with input_size={x[-1]} or fix the input"
        )
    return (*x[:-1], hidden_size)


# ---------------------------------------------------------------- transformer


def _same_dim(a: Dim, b: Dim) -> bool:
    return a is None or b is None or a == b


def attention_mask(
    layer: str,
    name: str,
    mask: Shape,
    batch: Dim,
    heads: int,
    target: Dim,
    source: Dim,
    torch_style: bool,
) -> Shape:
    """The (N | 1, H | 1, L, S) shape a mask on the attention scores (N, H, L, S) broadcasts as.

    torch's masks (attn_mask, src_mask, tgt_mask, memory_mask) are (L, S) or (N*H, L, S);
    shaped's `mask=` is (L, S), (N, L, S) or (N, H, L, S), where N and H may be 1.
    """
    scores = f"(L, S) = {fmt((target, source))}"
    if torch_style:
        flat = None if batch is None else batch * heads
        want = f"{scores} or (N*num_heads, L, S) = {fmt((flat, target, source))}"
    else:
        full = fmt((batch, heads, target, source))
        want = f"{scores}, (N, L, S) or (N, num_heads, L, S) = {full}"
    if len(mask) < 2 or not (_same_dim(mask[-2], target) and _same_dim(mask[-1], source)):
        raise ShapeError(f"{layer}: {name} must be {want}, got {fmt(mask)}")
    lead = mask[:-2]
    if not lead:
        return (1, 1, *mask)
    if torch_style:
        if len(lead) == 1 and (lead[0] is None or batch is None or lead[0] == batch * heads):
            return (batch, heads, *mask[-2:])
    elif len(lead) <= 2:
        sizes = (batch, heads)[: len(lead)]
        if all(have == 1 or _same_dim(have, size) for have, size in zip(lead, sizes)):
            return (lead[0], 1, *mask[-2:]) if len(lead) == 1 else mask
    raise ShapeError(f"{layer}: {name} must be {want}, got {fmt(mask)}")


def key_padding_mask(
    layer: str, name: str, mask: Shape, batch: Dim, source: Dim, unbatched: bool = False
) -> Shape:
    """A key padding mask (N, S), or (S,) for an unbatched input, as the (N, 1, 1, S) it
    broadcasts as over the attention scores (N, H, L, S)."""
    if len(mask) == 2 and _same_dim(mask[0], batch) and _same_dim(mask[1], source):
        return (mask[0], 1, 1, mask[1])
    if len(mask) == 1 and unbatched and _same_dim(mask[0], source):
        return (1, 1, 1, mask[0])
    want = f"(S,) = {fmt((source,))}" if unbatched else f"(N, S) = {fmt((batch, source))}"
    raise ShapeError(f"{layer}: {name} must be {want}, got {fmt(mask)}")


def transformer_decoder(
    layer: str,
    tgt: Shape,
    memory: Shape,
    d_model: Dim,
    batch_first: bool = True,
    memory_name: str = "memory",
) -> Shape:
    """A decoder layer or stack: tgt (..., E) and memory (..., E) of the same rank, with the
    same batch size; the output has tgt's shape."""
    for name, shape in (("tgt", tgt), (memory_name, memory)):
        if not shape or not _same_dim(shape[-1], d_model):
            raise ShapeError(
                f"{layer}[{d_model}, ...] expects {name} (..., {d_model}), got {fmt(shape)}"
                + (f": the last dim {shape[-1]} != d_model {d_model}" if shape else "")
            )
    if len(tgt) != len(memory) or len(tgt) not in (2, 3):
        raise ShapeError(
            f"{layer}: tgt {fmt(tgt)} and {memory_name} {fmt(memory)} must both be batched "
            "(N, L, E) / (L, N, E), or both unbatched (L, E)"
        )
    axis = 0 if batch_first else 1
    if len(tgt) == 3 and not _same_dim(tgt[axis], memory[axis]):
        raise ShapeError(
            f"{layer}: tgt {fmt(tgt)} and {memory_name} {fmt(memory)} must have the same batch "
            f"size (axis {axis}, batch_first={batch_first})"
        )
    return tgt


# ---------------------------------------------------------------- norms


def _norms_same(a: Dim, b: Dim) -> bool:
    return a is None or b is None or a == b


def group_norm(x: Shape, num_groups: Dim, channels: Dim = None) -> Shape:
    """x (N, C, *): C (axis 1) is `channels` when given and divisible by num_groups."""
    if len(x) < 2:
        raise ShapeError(f"group_norm: input must be (N, C, ...), got {fmt(x)}")
    have = x[1]
    if not _norms_same(have, channels):
        raise ShapeError(
            f"group_norm: GroupNorm[{num_groups}, {channels}] expects {channels} channels on "
            f"axis 1, got {fmt(x)}"
        )
    if have is not None and num_groups is not None and num_groups > 0 and have % num_groups:
        raise ShapeError(
            f"group_norm: the {have} channels of {fmt(x)} are not divisible by "
            f"num_groups={num_groups}"
        )
    return x


def norm_rank(layer: str, x: Shape, ranks: tuple[int, ...]) -> Shape:
    """A BatchNorm*d or InstanceNorm*d input has one of `ranks`."""
    if len(x) not in ranks:
        wanted = " or ".join(f"{rank}-D" for rank in ranks)
        raise ShapeError(f"{layer}: expected {wanted} input (N, C, ...), got shape {fmt(x)}")
    return x


def channel_norm(layer: str, x: Shape, spatial: int, channels: Dim = None) -> Shape:
    """InstanceNorm{spatial}d: (N, C, *spatial) or (C, *spatial), the channels (on the axis
    before the spatial ones) checked against `channels` when given."""
    norm_rank(layer, x, (spatial + 1, spatial + 2))
    have = x[len(x) - spatial - 1]
    if not _norms_same(have, channels):
        raise ShapeError(
            f"{layer}: {layer}[{channels}] expects {channels} channels on axis "
            f"{len(x) - spatial - 1}, got {fmt(x)}"
        )
    return x


def channel_dropout(op: str, x: Shape, spatial: int) -> Shape:
    """dropout1d (spatial 1) and dropout3d (spatial 3): (N, C, *spatial) or (C, *spatial)."""
    if len(x) not in (spatial + 1, spatial + 2):
        raise ShapeError(
            f"{op}: expected a {spatial + 1}-D or {spatial + 2}-D input (C, ...) or (N, C, ...), "
            f"got {fmt(x)}"
        )
    return x


def feature_dropout(op: str, x: Shape) -> Shape:
    """dropout2d and feature_alpha_dropout draw per (N, C): at least 2 dims."""
    if len(x) < 2:
        raise ShapeError(f"{op}: feature dropout needs at least 2 dims (N, C, ...), got {fmt(x)}")
    return x


def softmax2d(x: Shape) -> Shape:
    """Softmax2d: softmax over the channels of (N, C, H, W) or (C, H, W)."""
    if len(x) not in (3, 4):
        raise ShapeError(f"Softmax2d: expected a 3-D or 4-D input (C, H, W), got {fmt(x)}")
    return x


def bilinear(x1: Shape, x2: Shape, weight: Shape) -> Shape:
    """x1 (*B, I1) and x2 (*B, I2) with weight (O, I1, I2) give (*B, O); the batch dims are
    the same (they do not broadcast, as torch)."""
    op = "bilinear"
    if len(weight) != 3:
        raise ShapeError(f"{op}: weight must be (out, in1, in2), got {fmt(weight)}")
    if not x1 or not x2:
        raise ShapeError(
            f"{op}: inputs must be (..., in1) and (..., in2), got {fmt(x1)}, {fmt(x2)}"
        )
    if len(x1) != len(x2) or not all(_norms_same(a, b) for a, b in zip(x1[:-1], x2[:-1])):
        raise ShapeError(
            f"{op}: the batch dims of {fmt(x1)} and {fmt(x2)} must be the same (they do not "
            "broadcast)"
        )
    for name, have, want in (("in1", x1[-1], weight[1]), ("in2", x2[-1], weight[2])):
        if not _norms_same(have, want):
            raise ShapeError(
                f"{op}: Bilinear[{weight[1]}, {weight[2]}, {weight[0]}] expects {name} features "
                f"{want}, got {have} (inputs {fmt(x1)} and {fmt(x2)})"
            )
    batch = tuple(a if a is not None else b for a, b in zip(x1[:-1], x2[:-1]))
    return (*batch, weight[0])


def unflatten(x: Shape, axis: int, sizes: tuple[int, ...]) -> Shape:
    """Axis `axis` of x split into `sizes` (one may be -1), as torch.nn.Unflatten."""
    op = "unflatten"
    if not x:
        raise ShapeError(f"{op}: cannot unflatten a rank-0 tensor")
    if not -len(x) <= axis < len(x):
        raise ShapeError(f"{op}: axis {axis} is out of range for {fmt(x)}")
    ax = axis % len(x)
    if not sizes:
        raise ShapeError(f"{op}: unflattened_size must not be empty")
    if sum(1 for s in sizes if s == -1) > 1 or any(s < -1 for s in sizes):
        raise ShapeError(f"{op}: unflattened_size {sizes} may hold one -1 and sizes >= 0")
    known = 1
    for s in sizes:
        known *= s if s != -1 else 1
    have = x[ax]
    out: list[Dim] = list(sizes)
    if -1 in sizes:
        if have is None:
            out[sizes.index(-1)] = None
        elif known == 0 or have % known:
            raise ShapeError(f"{op}: cannot split axis {axis} of size {have} into {sizes}")
        else:
            out[sizes.index(-1)] = have // known
    elif have is not None and have != known:
        raise ShapeError(
            f"{op}: unflattened_size {sizes} has {known} values, but axis {axis} of {fmt(x)} "
            f"has {have}"
        )
    return (*x[:ax], *out, *x[ax + 1 :])


# ---------------------------------------------------------------- spatial

_PAD_AXES = {1: "L", 2: "H, W", 3: "D, H, W"}


def padding_layer(layer: str, x: Shape, sides: tuple[Dim, ...], mode: str) -> Shape:
    """ZeroPad/ConstantPad/ReflectionPad/ReplicationPad/CircularPad{1,2,3}d: `sides` is torch's
    (left, right, top, bottom, front, back), the last axis first. The constant modes pad any
    input of at least that many axes (as torch's F.pad); the others take (N, C, *axes) or
    (C, *axes). reflect needs each side below its axis's size, circular at most the size."""
    from shaped.shapes import pad_mode

    count = len(sides) // 2
    if mode == "constant":
        if len(x) < count:
            raise ShapeError(f"{layer}: input must have at least {count} axes to pad, got {fmt(x)}")
    elif len(x) not in (count + 1, count + 2):
        axes = _PAD_AXES[count]
        raise ShapeError(f"{layer}: input must be (N, C, {axes}) or (C, {axes}), got {fmt(x)}")
    if any(side is not None and side < 0 for side in sides):
        raise ShapeError(f"{layer}: padding must be >= 0, got {sides}")
    widths: list[tuple[int, int]] = [(0, 0)] * len(x)
    if any(side is None for side in sides):  # unknown sides: the rank is checked, not the sizes
        return (*x[:-count], *(None for _ in range(count)))
    for i in range(count):
        widths[len(x) - 1 - i] = (int(sides[2 * i] or 0), int(sides[2 * i + 1] or 0))
    try:
        return pad_mode(x, widths, mode)
    except ShapeError as error:
        raise ShapeError(f"{layer}: {str(error).removeprefix('pad: ')}") from None


def upsample(layer: str, x: Shape, size: Dim, scale_factor: Dim, mode: str | None) -> Shape:
    """Upsample with an int size (every spatial axis) or an int scale_factor (None: not known
    statically); the rank as `mode` needs it (None: any of 3, 4, 5)."""
    from shaped.shapes import INTERPOLATE_MODES

    ranks = (3, 4, 5) if mode is None else tuple(n + 2 for n in INTERPOLATE_MODES[mode])
    if len(x) not in ranks:
        shown = " or ".join(f"{n}-D" for n in ranks)
        raise ShapeError(
            f"{layer}: input must be {shown} (N, C, *spatial) for mode {mode or 'any'!r}, "
            f"got {fmt(x)}"
        )
    if size is not None and scale_factor is not None:
        raise ShapeError(f"{layer}: give size or scale_factor, not both")
    spatial = x[2:]
    if size is not None:
        out: tuple[Dim, ...] = (size,) * len(spatial)
    elif scale_factor is not None:
        out = tuple(None if n is None else n * scale_factor for n in spatial)
    else:
        out = (None,) * len(spatial)
    for n, o in zip(spatial, out):
        if (n is not None and n < 1) or (o is not None and o < 1):
            raise ShapeError(
                f"{layer}: input and output sizes must be > 0, got input {fmt(spatial)} and "
                f"output {fmt(out)}"
            )
    return (*x[:2], *out)


# ---------------------------------------------------------------- loss
# Per-item shapes of the losses with more than an input and a target (sh.losses): each returns
# the shape that reduction="none" gives.


def _loss_ranked(op: str, names: tuple[str, ...], parts: tuple[Shape, ...]) -> None:
    if len({len(s) for s in parts}) > 1:
        shown = ", ".join(f"{name} {fmt(s)}" for name, s in zip(names, parts))
        raise ShapeError(f"{op}: the inputs must have the same number of dims, got {shown}")


def cosine_embedding(op: str, input1: Shape, input2: Shape, target: Shape) -> Shape:
    """Inputs (N, D) or (D,), equal; the target (N,) or () of 1 and -1; one loss per row."""
    from shaped.shapes import same_shape

    if len(input1) not in (1, 2) or len(input2) != len(input1):
        raise ShapeError(
            f"{op}: inputs must be (N, D) or (D,) of the same rank, got {fmt(input1)} and "
            f"{fmt(input2)}"
        )
    rows = same_shape(op, input1, input2)[:-1]
    if len(target) != len(rows) or any(
        a is not None and b is not None and a != b for a, b in zip(target, rows)
    ):
        raise ShapeError(
            f"{op}: inputs {fmt(input1)} need a target of shape {fmt(rows)} (one 1 or -1 per "
            f"row), got {fmt(target)}"
        )
    return rows


def margin_ranking(op: str, input1: Shape, input2: Shape, target: Shape) -> Shape:
    """input1, input2 and target (1 or -1) of one rank that broadcast together, as torch."""
    from shaped.shapes import broadcast

    _loss_ranked(op, ("input1", "input2", "target"), (input1, input2, target))
    return broadcast(op, input1, input2, target)


def triplet_margin(op: str, anchor: Shape, positive: Shape, negative: Shape) -> Shape:
    """anchor, positive and negative (N, D) or (D,) of one rank that broadcast; one loss per
    row (distances over the last axis)."""
    from shaped.shapes import broadcast

    _loss_ranked(op, ("anchor", "positive", "negative"), (anchor, positive, negative))
    if not anchor:
        raise ShapeError(f"{op}: inputs need at least one dim (the features), got ()")
    return broadcast(op, anchor, positive, negative)[:-1]


def gaussian_nll(op: str, input: Shape, target: Shape, var: Shape) -> Shape:
    """var shaped like input, or like it without the last axis, or broadcasting to it with one
    axis of size 1 (homoscedastic), as torch; the target broadcasts with the input."""
    from shaped.shapes import broadcast

    if var != input and all(d is not None for d in (*var, *input)):
        one_short = var == input[:-1]
        one_axis = len(var) == len(input) and sum(v or 0 for i, v in zip(input, var) if i != v) == 1
        if not (one_short or one_axis):
            raise ShapeError(
                f"{op}: var of shape {fmt(var)} does not fit the input {fmt(input)}: give it the "
                "input's shape, the input's shape without the last axis, or size 1 on one axis"
            )
        if one_short:
            var = (*var, 1)
    elif len(var) == len(input) - 1:
        var = (*var, 1)
    return broadcast(op, input, target, var)


def ctc(
    op: str, log_probs: Shape, targets: Shape, input_lengths: Shape, target_lengths: Shape
) -> Shape:
    """log_probs (T, N, C) or unbatched (T, C); targets padded (N, S) or concatenated
    (sum of target_lengths,); input_lengths and target_lengths (N,) (() unbatched)."""
    if len(log_probs) not in (2, 3):
        raise ShapeError(
            f"{op}: log_probs must be (T, N, C) or unbatched (T, C), got {fmt(log_probs)}"
        )
    batch: Shape = (log_probs[1],) if len(log_probs) == 3 else ()
    for name, lengths in (("input_lengths", input_lengths), ("target_lengths", target_lengths)):
        if len(lengths) != len(batch) or not all(
            a is None or b is None or a == b for a, b in zip(lengths, batch)
        ):
            raise ShapeError(
                f"{op}: {name} must have one length per batch item, shape {fmt(batch)} for "
                f"log_probs {fmt(log_probs)}, got {fmt(lengths)}"
            )
    if len(targets) not in (1, 1 + len(batch)) or (
        len(targets) == 2 and targets[0] is not None and batch[0] not in (None, targets[0])
    ):
        raise ShapeError(
            f"{op}: targets must be padded (N, S) or concatenated (sum of target_lengths,), "
            f"N = {batch[0] if batch else 1}, got {fmt(targets)}"
        )
    return batch


def class_weight(op: str, classes: int | None, weight: Shape) -> Shape:
    """A per-class weight of cross_entropy & co.: shape (C,) for C classes."""
    if len(weight) != 1 or not (classes is None or weight[0] is None or weight[0] == classes):
        raise ShapeError(
            f"{op}: weight must be a 1-D tensor of one value per class, shape "
            f"({'C' if classes is None else classes},), got {fmt(weight)}"
        )
    return weight
