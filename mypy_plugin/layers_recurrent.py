"""Plugin tables for the recurrent layers (RNN, LSTM, GRU and their cells) (issue 12).

Merged into modules.py: LAYER_RULES (a layer's output shape from its size type arguments,
without the parameters' dtype PD, and its input shape), SHAPE_KEEPING (layers whose output
has the input's shape), WEIGHT_OPS (the op that meets the parameters first, as the run
time's DtypeError names it). Keys are the classes' full names. This file may not import
modules.py (it imports this one).

The recurrent layers return tuples (`output, h_n`, `output, (h_n, c_n)`, a cell's `(h, c)`),
so they are not in LAYER_RULES (whose rules give one tensor): CALL_HOOKS types their calls.
Each reads the layer's type arguments (`LSTM[I, H, NumLayers, BatchFirst, Bidirectional,
PD]`), runs shapes_nn's rules on the input and the initial states (a mistake is `[shape]`
with the run time's message, a dtype other than the parameters' is `[dtype]`), and builds
the tuple of tensors.
"""

from __future__ import annotations

from collections.abc import Callable

from mypy.plugin import MethodContext
from mypy.types import (
    AnyType,
    Instance,
    LiteralType,
    ProperType,
    TupleType,
    Type,
    TypeOfAny,
    get_proper_type,
)

from shaped import shapes_nn
from shaped.dtypes import mismatch
from shaped.shapes import Shape

from .tensor_hooks import _named_arg, run_rule
from .types import DTYPE, TensorInfo, dim_of, dtype_marker, make_tensor, merge_tapes, tensor_info

LayerRule = Callable[[list[int | None], Shape], Shape | None]

LAYER_RULES: dict[str, LayerRule] = {}
SHAPE_KEEPING: set[str] = set()
MODULE = "shaped.nn.recurrent"
WEIGHT_OPS: dict[str, str] = {
    f"{MODULE}.{name}": op
    for name, op in (
        ("RNN", "rnn"),
        ("LSTM", "lstm"),
        ("GRU", "gru"),
        ("RNNCell", "rnn_cell"),
        ("LSTMCell", "lstm_cell"),
        ("GRUCell", "gru_cell"),
    )
}
LAYERS = ("RNN", "LSTM", "GRU")
CELLS = ("RNNCell", "LSTMCell", "GRUCell")


def _arguments(module: Instance) -> dict[str, ProperType]:
    """The layer's type arguments by their parameters' names (I, H, NumLayers, ..., PD)."""
    return {
        tv.name: get_proper_type(arg) for tv, arg in zip(module.type.defn.type_vars, module.args)
    }


def _flag(arg: ProperType | None) -> bool | None:
    """`L[True]` is True, `L[False]` False; anything else (bool, Any) unknown."""
    if isinstance(arg, LiteralType) and isinstance(arg.value, bool):
        return arg.value
    return None


def _states(ctx: MethodContext, pair: bool) -> list[TensorInfo] | None:
    """The initial states passed (h0, or h0 and c0), [] when none; None when not readable."""
    given = _named_arg(ctx, "hx", 1)
    if given is None:
        return []
    proper = get_proper_type(given[1])
    if proper.__class__.__name__ == "NoneType":
        return []
    items = proper.items if pair and isinstance(proper, TupleType) else [proper]
    if pair and not isinstance(proper, TupleType):
        return None
    infos = [tensor_info(item) for item in items]
    return None if any(info is None for info in infos) else [i for i in infos if i is not None]


def _dtype(ctx: MethodContext, op: str, x: TensorInfo, params: ProperType | None) -> Type | None:
    """The parameters' dtype (the result's); [dtype] where known data meets other weights."""
    have = dtype_marker(x.dtype)
    want = dtype_marker(params) if params is not None else None
    if have is not None and want is not None and have is not want:
        ctx.api.fail(
            mismatch(op, have.__name__, want.__name__, weights=True), ctx.context, code=DTYPE
        )
    return params


def _tuple(ctx: MethodContext, items: list[Type]) -> TupleType:
    fallback = ctx.api.named_generic_type("builtins.tuple", [AnyType(TypeOfAny.special_form)])
    return TupleType(items, fallback=fallback)


def call(ctx: MethodContext) -> Type:
    """`lstm(x, (h0, c0))` is `(output, (h_n, c_n))`, `gru(x, h0)` `(output, h_n)` and a cell's
    call its next state(s), shaped by shapes_nn's rules on the layer's type arguments."""
    module = get_proper_type(ctx.type)
    given = _named_arg(ctx, "input", 0)
    if not isinstance(module, Instance) or given is None:
        return ctx.default_return_type
    x = tensor_info(given[1])
    if x is None:
        return AnyType(TypeOfAny.special_form)
    name = module.type.name
    args = _arguments(module)
    dtype = _dtype(ctx, WEIGHT_OPS[module.type.fullname], x, args.get("PD"))
    pair = name in ("LSTM", "LSTMCell")
    states = _states(ctx, pair)
    tape: Type = x.tape
    for state in states or []:
        tape = merge_tapes(ctx.api, get_proper_type(tape), state.tape)
    sizes = [dim_of(args[key]) if key in args else None for key in ("I", "H", "NumLayers")]
    output: Shape | None = None
    final: Shape | None = None
    if x.shape is not None:
        if name in CELLS:
            output = run_rule(ctx, shapes_nn.recurrent_cell, name, x.shape, sizes[0], sizes[1])
            final = output
        else:
            flags = _flag(args.get("BatchFirst")), _flag(args.get("Bidirectional"))
            shapes = run_rule(ctx, shapes_nn.recurrent, name, x.shape, *sizes, *flags)
            output, final = shapes if shapes is not None else (None, None)
    if final is not None:
        for label, state in zip(("hx", "cx") if name in CELLS else ("h0", "c0"), states or []):
            if state.shape is not None:
                run_rule(ctx, shapes_nn.recurrent_state, name, label, final, state.shape)

    def tensor(shape: Shape | None) -> Instance:
        return make_tensor(ctx.api, x.instance, shape, dtype, tape=tape)

    if name in CELLS:
        return _tuple(ctx, [tensor(final), tensor(final)]) if pair else tensor(final)
    ends: Type = _tuple(ctx, [tensor(final), tensor(final)]) if pair else tensor(final)
    return _tuple(ctx, [tensor(output), ends])


CALL_HOOKS: dict[str, Callable[[MethodContext], Type]] = {
    f"{MODULE}.{name}": call for name in (*LAYERS, *CELLS)
}
