"""Recurrent layers as torch.nn's: RNN, LSTM, GRU and the cells RNNCell, LSTMCell, GRUCell.

Each layer is generic in its sizes and in what decides its output shapes:
`LSTM[I, H, NumLayers=L[1], BatchFirst=L[False], Bidirectional=L[False], PD=Float32]`, so
`nn.LSTM(10, 20, 2, batch_first=True)` is `LSTM[L[10], L[20], L[2], L[True], L[False]]`
under the mypy plugin, which checks the input and the initial states against them.
Parameters are torch's, by name and layout (`weight_ih_l0` (G*H, I), `weight_hh_l0`
(G*H, H), `bias_ih_l0`, `bias_hh_l0`, `..._reverse` for the backward direction; gates
i, f, g, o for the LSTM, r, z, n for the GRU), each drawn from U(-1/sqrt(H), 1/sqrt(H)),
so a torch state_dict loads. Each direction of each layer is one op with its hand-written
VJP through time (shaped/ops/recurrent.py).

Differs from torch: the sizes and num_layers are positional, the other options keywords
(torch takes them by position too); LSTM has no proj_size. Under pyright (no plugin) the
flags keep their literals, so the output layout is known, but D*H of a bidirectional layer
and num_layers are `int`/`Any`.
"""

# Each layer defines __call__ (so both checkers read its overloads) where Module's is typed by
# forward through a self type: the override is deliberate.
# pyright: reportIncompatibleMethodOverride=false
# mypy: disable-error-code="override"

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any, Generic, Literal, Self, overload

from typing_extensions import TypeVar

import shaped.nn.functional as F
from shaped import shapes, shapes_nn
from shaped.devices import Device
from shaped.dtypes import DType, Float32
from shaped.functions import concat, stack
from shaped.nn.layers import _device, _same_device_rng, _size, _uniform
from shaped.nn.module import Module
from shaped.nn.sizes import Size
from shaped.ops.recurrent import recurrent_layer
from shaped.tensor import Tensor

__all__ = ["GRU", "LSTM", "RNN", "GRUCell", "LSTMCell", "RNNCell"]

I = TypeVar("I")  # noqa: E741  (input_size)
H = TypeVar("H")  # hidden_size
NumLayers = TypeVar("NumLayers", default=Literal[1])
BatchFirst = TypeVar("BatchFirst", bound=bool, default=Literal[False])
Bidirectional = TypeVar("Bidirectional", bound=bool, default=Literal[False])
PD = TypeVar("PD", default=Float32)  # the parameters' dtype
MD = TypeVar("MD", bound=DType)
SI = TypeVar("SI", bound=Size)  # sizes given by value keep their literal under pyright
SH = TypeVar("SH", bound=Size)

# per-call type parameters
Seq = TypeVar("Seq")
N = TypeVar("N")
Dev = TypeVar("Dev")
T = TypeVar("T")

AnyTensor = Tensor[Any, Any, Any, Any]
No = Literal[False]
Yes = Literal[True]


# ---------------------------------------------------------------- the shared run time


class _Recurrent(Module):
    """What RNN, LSTM and GRU share: parameters, checks, the loop over layers and directions."""

    _type_args = ("input_size", "hidden_size", "num_layers", "batch_first", "bidirectional")
    _gates = 1
    _op = "rnn"
    nonlinearity = "tanh"  # RNN's: "tanh" or "relu"

    def _setup(
        self,
        input_size: Any,
        hidden_size: Any,
        num_layers: Any,
        bias: bool,
        batch_first: Any,
        dropout: float,
        bidirectional: Any,
        device: Device | None,
        dtype: Any,
    ) -> None:
        name = type(self).__name__
        dev = _device(name, device, dtype)
        self.input_size = _size(name, "input_size", input_size)
        self.hidden_size = hidden = _size(name, "hidden_size", hidden_size)
        self.num_layers = _size(name, "num_layers", num_layers)
        for flag, value in (("batch_first", batch_first), ("bidirectional", bidirectional)):
            if not isinstance(value, bool):
                raise TypeError(f"{name}: {flag} must be True or False, got {value!r}")
        if isinstance(dropout, bool) or not isinstance(dropout, int | float):
            raise TypeError(f"{name}: dropout must be a float in [0, 1], got {dropout!r}")
        if not 0.0 <= dropout <= 1.0:
            raise ValueError(
                f"{name}: dropout should be a number in range [0, 1] representing the "
                f"probability of an element being zeroed, got {dropout}"
            )
        if dropout > 0 and self.num_layers == 1:
            warnings.warn(  # torch's warning: dropout acts between layers only
                f"{name}: dropout option adds dropout after all but last recurrent layer, so "
                f"non-zero dropout expects num_layers greater than 1, but got "
                f"dropout={dropout} and num_layers={self.num_layers}",
                UserWarning,
                stacklevel=3,
            )
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self._device = dev
        bound = 1.0 / math.sqrt(hidden)
        rows = self._gates * hidden
        directions = 2 if bidirectional else 1
        for layer in range(self.num_layers):
            features = self.input_size if layer == 0 else directions * hidden
            for suffix in ("", "_reverse")[:directions]:
                tail = f"l{layer}{suffix}"
                setattr(self, f"weight_ih_{tail}", _uniform(dev, (rows, features), bound, dtype))
                setattr(self, f"weight_hh_{tail}", _uniform(dev, (rows, hidden), bound, dtype))
                if bias:
                    setattr(self, f"bias_ih_{tail}", _uniform(dev, (rows,), bound, dtype))
                    setattr(self, f"bias_hh_{tail}", _uniform(dev, (rows,), bound, dtype))

    def _moved_to(self, device: Device) -> None:
        self._device = device

    def _states(self, hx: Any, count: int) -> list[AnyTensor | None]:
        """The initial states given (h0, or (h0, c0) for the LSTM), checked as tensors."""
        name = type(self).__name__
        if hx is None:
            return [None] * count
        if count == 1:
            if not isinstance(hx, Tensor):
                raise TypeError(f"{name}: hx must be a tensor h0 or None, got {type(hx).__name__}")
            return [hx]
        if not isinstance(hx, tuple) or len(hx) != 2 or not all(isinstance(h, Tensor) for h in hx):
            raise TypeError(f"{name}: hx must be a pair of tensors (h0, c0) or None, got {hx!r}")
        return list(hx)

    def _run(self, x: AnyTensor, hx: Any, cell_state: bool) -> tuple[Any, list[Any]]:
        """output and the final states (h_n, and c_n for the LSTM), shaped as torch's."""
        name = type(self).__name__
        if not isinstance(x, Tensor):
            raise TypeError(f"{name}: input must be a tensor, got {type(x).__name__}")
        hidden, directions = self.hidden_size, 2 if self.bidirectional else 1
        _, state_shape = shapes_nn.recurrent(
            name,
            x.shape,
            self.input_size,
            hidden,
            self.num_layers,
            self.batch_first,
            self.bidirectional,
        )
        given = self._states(hx, 2 if cell_state else 1)
        for label, state in zip(("h0", "c0"), given):
            if state is not None:
                shapes_nn.recurrent_state(name, label, state_shape, state.shape)
        unbatched = x.ndim == 2
        seq = x.unsqueeze(1) if unbatched else x.transpose(0, 1) if self.batch_first else x
        batch = seq.shape[1]
        full = (directions * self.num_layers, batch, hidden)
        states = [
            state.unsqueeze(1) if state is not None and unbatched else state for state in given
        ]
        h0, c0 = (
            Tensor._wrap(x._device.xp.zeros(full, dtype=x._data.dtype), x._device)
            if state is None
            else state
            for state in (*states, None)[:2]
        )
        mode = f"rnn_{self.nonlinearity}" if self._op == "rnn" else self._op
        finals: list[list[AnyTensor]] = [[], []]
        layer_input = seq
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                index = layer * directions + direction
                tail = f"l{layer}{'_reverse' if direction else ''}"
                result = recurrent_layer(
                    self._op,
                    mode,
                    layer_input,
                    h0[index],
                    c0[index] if cell_state else None,
                    getattr(self, f"weight_ih_{tail}"),
                    getattr(self, f"weight_hh_{tail}"),
                    getattr(self, f"bias_ih_{tail}", None),
                    getattr(self, f"bias_hh_{tail}", None),
                    reverse=direction == 1,
                )
                last = 0 if direction else -1  # the reverse direction ends at step 0
                if cell_state:
                    outputs.append(result[..., :hidden])
                    finals[0].append(result[last, :, :hidden])
                    finals[1].append(result[last, :, hidden:])
                else:
                    outputs.append(result)
                    finals[0].append(result[last])
            layer_input = outputs[0] if directions == 1 else concat(outputs, axis=-1)
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                rng = _same_device_rng(self._device, layer_input)
                layer_input = F.dropout(layer_input, self.dropout, True, rng=rng)
        output = layer_input
        if unbatched:
            output = output.squeeze(1)
        elif self.batch_first:
            output = output.transpose(0, 1)
        ends = [stack(final, axis=0) for final in finals if final]
        if unbatched:
            ends = [end.squeeze(1) for end in ends]
        return output, ends

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if not self.bias:
            text += ", bias=False"
        if self.batch_first:
            text += ", batch_first=True"
        if self.dropout:
            text += f", dropout={self.dropout}"
        if self.bidirectional:
            text += ", bidirectional=True"
        return text


# ---------------------------------------------------------------- RNN and GRU: one state


class _OneState(_Recurrent, Generic[I, H, NumLayers, BatchFirst, Bidirectional, PD]):
    """RNN and GRU: `layer(x, h0=None)` returns `(output, h_n)`."""

    @overload
    def __call__(
        self: _OneState[I, H, NumLayers, No, No, PD],
        input: Tensor[tuple[Seq, N, I], PD, Dev, T],
        hx: Tensor[Any, PD, Dev, T] | None = None,
    ) -> tuple[
        Tensor[tuple[Seq, N, H], PD, Dev, T], Tensor[tuple[NumLayers, N, H], PD, Dev, T]
    ]: ...
    @overload
    def __call__(
        self: _OneState[I, H, NumLayers, Yes, No, PD],
        input: Tensor[tuple[N, Seq, I], PD, Dev, T],
        hx: Tensor[Any, PD, Dev, T] | None = None,
    ) -> tuple[
        Tensor[tuple[N, Seq, H], PD, Dev, T], Tensor[tuple[NumLayers, N, H], PD, Dev, T]
    ]: ...
    @overload
    def __call__(
        self: _OneState[I, H, NumLayers, No, Yes, PD],
        input: Tensor[tuple[Seq, N, I], PD, Dev, T],
        hx: Tensor[Any, PD, Dev, T] | None = None,
    ) -> tuple[Tensor[tuple[Seq, N, int], PD, Dev, T], Tensor[tuple[int, N, H], PD, Dev, T]]: ...
    @overload
    def __call__(
        self: _OneState[I, H, NumLayers, Yes, Yes, PD],
        input: Tensor[tuple[N, Seq, I], PD, Dev, T],
        hx: Tensor[Any, PD, Dev, T] | None = None,
    ) -> tuple[Tensor[tuple[N, Seq, int], PD, Dev, T], Tensor[tuple[int, N, H], PD, Dev, T]]: ...
    @overload
    def __call__(
        self: _OneState[I, H, NumLayers, BatchFirst, No, PD],
        input: Tensor[tuple[Seq, I], PD, Dev, T],
        hx: Tensor[Any, PD, Dev, T] | None = None,
    ) -> tuple[Tensor[tuple[Seq, H], PD, Dev, T], Tensor[tuple[NumLayers, H], PD, Dev, T]]: ...
    @overload
    def __call__(
        self: _OneState[I, H, NumLayers, BatchFirst, Yes, PD],
        input: Tensor[tuple[Seq, I], PD, Dev, T],
        hx: Tensor[Any, PD, Dev, T] | None = None,
    ) -> tuple[Tensor[tuple[Seq, int], PD, Dev, T], Tensor[tuple[int, H], PD, Dev, T]]: ...
    @overload
    def __call__(
        self, input: Tensor[Any, PD, Dev, Any], hx: AnyTensor | None = None
    ) -> tuple[Tensor[Any, PD, Dev, Any], Tensor[Any, PD, Dev, Any]]: ...
    def __call__(self, input: AnyTensor, hx: AnyTensor | None = None) -> Any:
        output, (h_n,) = self._run(input, hx, cell_state=False)
        return output, h_n

    forward = __call__


class RNN(_OneState[I, H, NumLayers, BatchFirst, Bidirectional, PD]):
    """Elman RNN, as torch.nn.RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh).

    `nonlinearity="relu"` uses relu instead. `rnn(x, h0=None)` returns `(output, h_n)`:
    x (L, N, I), or (N, L, I) with batch_first, or (L, I) unbatched; output (L, N, D*H)
    (batch_first (N, L, D*H)); h0 and h_n (D*num_layers, N, H), D = 2 if bidirectional.
    Sizes and num_layers are positional, the rest keywords (torch also takes them by
    position). dropout applies to each layer's output but the last, in train() only.
    """

    @overload
    def __init__(
        self: RNN[SI, SH, Any, No, No],
        input_size: SI,
        hidden_size: SH,
        num_layers: int = ...,
        *,
        nonlinearity: Literal["tanh", "relu"] = ...,
        bias: bool = ...,
        batch_first: No = ...,
        dropout: float = ...,
        bidirectional: No = ...,
        device: Device | None = ...,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: RNN[SI, SH, Any, Yes, No],
        input_size: SI,
        hidden_size: SH,
        num_layers: int = ...,
        *,
        nonlinearity: Literal["tanh", "relu"] = ...,
        bias: bool = ...,
        batch_first: Yes,
        dropout: float = ...,
        bidirectional: No = ...,
        device: Device | None = ...,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: RNN[SI, SH, Any, No, Yes],
        input_size: SI,
        hidden_size: SH,
        num_layers: int = ...,
        *,
        nonlinearity: Literal["tanh", "relu"] = ...,
        bias: bool = ...,
        batch_first: No = ...,
        dropout: float = ...,
        bidirectional: Yes,
        device: Device | None = ...,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: RNN[SI, SH, Any, Yes, Yes],
        input_size: SI,
        hidden_size: SH,
        num_layers: int = ...,
        *,
        nonlinearity: Literal["tanh", "relu"] = ...,
        bias: bool = ...,
        batch_first: Yes,
        dropout: float = ...,
        bidirectional: Yes,
        device: Device | None = ...,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self,
        input_size: I,
        hidden_size: H,
        num_layers: NumLayers = ...,
        *,
        nonlinearity: Literal["tanh", "relu"] = ...,
        bias: bool = ...,
        batch_first: BatchFirst = ...,
        dropout: float = ...,
        bidirectional: Bidirectional = ...,
        device: Device | None = ...,
        dtype: type[PD] = ...,
    ) -> None: ...
    def __init__(
        self,
        input_size: Any,
        hidden_size: Any,
        num_layers: Any = 1,
        *,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: Any = False,
        dropout: float = 0.0,
        bidirectional: Any = False,
        device: Device | None = None,
        dtype: Any = Float32,  # type[PD]
    ) -> None:
        super().__init__()
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: Unknown nonlinearity '{nonlinearity}': use 'tanh' or 'relu'")
        self.nonlinearity = nonlinearity
        self._setup(
            input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
            device, dtype,
        )  # fmt: skip

    if TYPE_CHECKING:  # converting the parameters to a dtype changes it in the type

        @overload
        def to(self, target: Device) -> Self: ...
        @overload
        def to(self, target: type[MD]) -> RNN[I, H, NumLayers, BatchFirst, Bidirectional, MD]: ...
        def to(self, target: Any) -> Any: ...


class GRU(_OneState[I, H, NumLayers, BatchFirst, Bidirectional, PD]):
    """Gated recurrent unit, as torch.nn.GRU: gates r, z, n (in that order in the weights),
    n = tanh(W_in x + b_in + r * (W_hn h + b_hn)), h' = (1 - z) * n + z * h.

    `gru(x, h0=None)` returns `(output, h_n)`, shaped as RNN's (see RNN).
    """

    _gates = 3
    _op = "gru"

    @overload
    def __init__(
        self: GRU[SI, SH, Any, No, No],
        input_size: SI,
        hidden_size: SH,
        num_layers: int = ...,
        *,
        bias: bool = ...,
        batch_first: No = ...,
        dropout: float = ...,
        bidirectional: No = ...,
        device: Device | None = ...,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: GRU[SI, SH, Any, Yes, No],
        input_size: SI,
        hidden_size: SH,
        num_layers: int = ...,
        *,
        bias: bool = ...,
        batch_first: Yes,
        dropout: float = ...,
        bidirectional: No = ...,
        device: Device | None = ...,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: GRU[SI, SH, Any, No, Yes],
        input_size: SI,
        hidden_size: SH,
        num_layers: int = ...,
        *,
        bias: bool = ...,
        batch_first: No = ...,
        dropout: float = ...,
        bidirectional: Yes,
        device: Device | None = ...,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: GRU[SI, SH, Any, Yes, Yes],
        input_size: SI,
        hidden_size: SH,
        num_layers: int = ...,
        *,
        bias: bool = ...,
        batch_first: Yes,
        dropout: float = ...,
        bidirectional: Yes,
        device: Device | None = ...,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self,
        input_size: I,
        hidden_size: H,
        num_layers: NumLayers = ...,
        *,
        bias: bool = ...,
        batch_first: BatchFirst = ...,
        dropout: float = ...,
        bidirectional: Bidirectional = ...,
        device: Device | None = ...,
        dtype: type[PD] = ...,
    ) -> None: ...
    def __init__(
        self,
        input_size: Any,
        hidden_size: Any,
        num_layers: Any = 1,
        *,
        bias: bool = True,
        batch_first: Any = False,
        dropout: float = 0.0,
        bidirectional: Any = False,
        device: Device | None = None,
        dtype: Any = Float32,  # type[PD]
    ) -> None:
        super().__init__()
        self._setup(
            input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
            device, dtype,
        )  # fmt: skip

    if TYPE_CHECKING:

        @overload
        def to(self, target: Device) -> Self: ...
        @overload
        def to(self, target: type[MD]) -> GRU[I, H, NumLayers, BatchFirst, Bidirectional, MD]: ...
        def to(self, target: Any) -> Any: ...


# ---------------------------------------------------------------- LSTM: two states


class LSTM(_Recurrent, Generic[I, H, NumLayers, BatchFirst, Bidirectional, PD]):
    """Long short-term memory, as torch.nn.LSTM: gates i, f, g, o (in that order in the
    weights), c' = f * c + i * g, h' = o * tanh(c').

    `lstm(x, (h0, c0)=None)` returns `(output, (h_n, c_n))`, shaped as RNN's (see RNN);
    c0 and c_n are shaped as h0. proj_size is not supported.
    """

    _gates = 4
    _op = "lstm"

    @overload
    def __init__(
        self: LSTM[SI, SH, Any, No, No],
        input_size: SI,
        hidden_size: SH,
        num_layers: int = ...,
        *,
        bias: bool = ...,
        batch_first: No = ...,
        dropout: float = ...,
        bidirectional: No = ...,
        device: Device | None = ...,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: LSTM[SI, SH, Any, Yes, No],
        input_size: SI,
        hidden_size: SH,
        num_layers: int = ...,
        *,
        bias: bool = ...,
        batch_first: Yes,
        dropout: float = ...,
        bidirectional: No = ...,
        device: Device | None = ...,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: LSTM[SI, SH, Any, No, Yes],
        input_size: SI,
        hidden_size: SH,
        num_layers: int = ...,
        *,
        bias: bool = ...,
        batch_first: No = ...,
        dropout: float = ...,
        bidirectional: Yes,
        device: Device | None = ...,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: LSTM[SI, SH, Any, Yes, Yes],
        input_size: SI,
        hidden_size: SH,
        num_layers: int = ...,
        *,
        bias: bool = ...,
        batch_first: Yes,
        dropout: float = ...,
        bidirectional: Yes,
        device: Device | None = ...,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self,
        input_size: I,
        hidden_size: H,
        num_layers: NumLayers = ...,
        *,
        bias: bool = ...,
        batch_first: BatchFirst = ...,
        dropout: float = ...,
        bidirectional: Bidirectional = ...,
        device: Device | None = ...,
        dtype: type[PD] = ...,
    ) -> None: ...
    def __init__(
        self,
        input_size: Any,
        hidden_size: Any,
        num_layers: Any = 1,
        *,
        bias: bool = True,
        batch_first: Any = False,
        dropout: float = 0.0,
        bidirectional: Any = False,
        device: Device | None = None,
        dtype: Any = Float32,  # type[PD]
    ) -> None:
        super().__init__()
        self._setup(
            input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
            device, dtype,
        )  # fmt: skip

    @overload
    def __call__(
        self: LSTM[I, H, NumLayers, No, No, PD],
        input: Tensor[tuple[Seq, N, I], PD, Dev, T],
        hx: tuple[Tensor[Any, PD, Dev, T], Tensor[Any, PD, Dev, T]] | None = None,
    ) -> tuple[
        Tensor[tuple[Seq, N, H], PD, Dev, T],
        tuple[
            Tensor[tuple[NumLayers, N, H], PD, Dev, T], Tensor[tuple[NumLayers, N, H], PD, Dev, T]
        ],
    ]: ...
    @overload
    def __call__(
        self: LSTM[I, H, NumLayers, Yes, No, PD],
        input: Tensor[tuple[N, Seq, I], PD, Dev, T],
        hx: tuple[Tensor[Any, PD, Dev, T], Tensor[Any, PD, Dev, T]] | None = None,
    ) -> tuple[
        Tensor[tuple[N, Seq, H], PD, Dev, T],
        tuple[
            Tensor[tuple[NumLayers, N, H], PD, Dev, T], Tensor[tuple[NumLayers, N, H], PD, Dev, T]
        ],
    ]: ...
    @overload
    def __call__(
        self: LSTM[I, H, NumLayers, No, Yes, PD],
        input: Tensor[tuple[Seq, N, I], PD, Dev, T],
        hx: tuple[Tensor[Any, PD, Dev, T], Tensor[Any, PD, Dev, T]] | None = None,
    ) -> tuple[
        Tensor[tuple[Seq, N, int], PD, Dev, T],
        tuple[Tensor[tuple[int, N, H], PD, Dev, T], Tensor[tuple[int, N, H], PD, Dev, T]],
    ]: ...
    @overload
    def __call__(
        self: LSTM[I, H, NumLayers, Yes, Yes, PD],
        input: Tensor[tuple[N, Seq, I], PD, Dev, T],
        hx: tuple[Tensor[Any, PD, Dev, T], Tensor[Any, PD, Dev, T]] | None = None,
    ) -> tuple[
        Tensor[tuple[N, Seq, int], PD, Dev, T],
        tuple[Tensor[tuple[int, N, H], PD, Dev, T], Tensor[tuple[int, N, H], PD, Dev, T]],
    ]: ...
    @overload
    def __call__(
        self: LSTM[I, H, NumLayers, BatchFirst, No, PD],
        input: Tensor[tuple[Seq, I], PD, Dev, T],
        hx: tuple[Tensor[Any, PD, Dev, T], Tensor[Any, PD, Dev, T]] | None = None,
    ) -> tuple[
        Tensor[tuple[Seq, H], PD, Dev, T],
        tuple[Tensor[tuple[NumLayers, H], PD, Dev, T], Tensor[tuple[NumLayers, H], PD, Dev, T]],
    ]: ...
    @overload
    def __call__(
        self: LSTM[I, H, NumLayers, BatchFirst, Yes, PD],
        input: Tensor[tuple[Seq, I], PD, Dev, T],
        hx: tuple[Tensor[Any, PD, Dev, T], Tensor[Any, PD, Dev, T]] | None = None,
    ) -> tuple[
        Tensor[tuple[Seq, int], PD, Dev, T],
        tuple[Tensor[tuple[int, H], PD, Dev, T], Tensor[tuple[int, H], PD, Dev, T]],
    ]: ...
    @overload
    def __call__(
        self,
        input: Tensor[Any, PD, Dev, Any],
        hx: tuple[AnyTensor, AnyTensor] | None = None,
    ) -> tuple[
        Tensor[Any, PD, Dev, Any], tuple[Tensor[Any, PD, Dev, Any], Tensor[Any, PD, Dev, Any]]
    ]: ...
    def __call__(self, input: AnyTensor, hx: Any = None) -> Any:
        output, (h_n, c_n) = self._run(input, hx, cell_state=True)
        return output, (h_n, c_n)

    forward = __call__

    if TYPE_CHECKING:

        @overload
        def to(self, target: Device) -> Self: ...
        @overload
        def to(self, target: type[MD]) -> LSTM[I, H, NumLayers, BatchFirst, Bidirectional, MD]: ...
        def to(self, target: Any) -> Any: ...


# ---------------------------------------------------------------- cells: one time step


class _Cell(Module, Generic[I, H, PD]):
    """What the cells share: weight_ih (G*H, I), weight_hh (G*H, H), bias_ih, bias_hh."""

    _type_args = ("input_size", "hidden_size")
    _gates = 1
    _op = "rnn_cell"
    nonlinearity = "tanh"  # RNNCell's: "tanh" or "relu"

    weight_ih: Tensor[tuple[Any, I], PD, Any]
    weight_hh: Tensor[tuple[Any, H], PD, Any]
    bias_ih: Tensor[tuple[Any], PD, Any] | None
    bias_hh: Tensor[tuple[Any], PD, Any] | None

    def _setup(
        self, input_size: Any, hidden_size: Any, bias: bool, device: Device | None, dtype: Any
    ) -> None:
        name = type(self).__name__
        dev = _device(name, device, dtype)
        self.input_size = features = _size(name, "input_size", input_size)
        self.hidden_size = hidden = _size(name, "hidden_size", hidden_size)
        shapes.layer_sizes(name, {"input_size": features, "hidden_size": hidden})
        bound = 1.0 / math.sqrt(hidden) if hidden > 0 else 0.0
        rows = self._gates * hidden
        self.weight_ih = _uniform(dev, (rows, features), bound, dtype)
        self.weight_hh = _uniform(dev, (rows, hidden), bound, dtype)
        self.bias_ih = _uniform(dev, (rows,), bound, dtype) if bias else None
        self.bias_hh = _uniform(dev, (rows,), bound, dtype) if bias else None

    def _step(self, x: AnyTensor, hx: Any, cell_state: bool) -> list[AnyTensor]:
        """The next states (h', and c' for the LSTM cell) for input x (N, I) or (I,)."""
        name = type(self).__name__
        if not isinstance(x, Tensor):
            raise TypeError(f"{name}: input must be a tensor, got {type(x).__name__}")
        out = shapes_nn.recurrent_cell(name, x.shape, self.input_size, self.hidden_size)
        given: list[AnyTensor | None] = [None, None] if cell_state else [None]
        if hx is not None:
            pair = isinstance(hx, tuple) and len(hx) == 2
            if cell_state and not (pair and all(isinstance(h, Tensor) for h in hx)):
                raise TypeError(f"{name}: hx must be a pair of tensors (h, c) or None, got {hx!r}")
            if not cell_state and not isinstance(hx, Tensor):
                raise TypeError(f"{name}: hx must be a tensor or None, got {type(hx).__name__}")
            given = list(hx) if cell_state else [hx]
        for label, state in zip(("hx", "cx"), given):
            if state is not None:
                shapes_nn.recurrent_state(name, label, out, state.shape)
        unbatched = x.ndim == 1
        batched = x.unsqueeze(0) if unbatched else x
        full = (batched.shape[0], self.hidden_size)
        states = [
            Tensor._wrap(x._device.xp.zeros(full, dtype=x._data.dtype), x._device)
            if state is None
            else state.unsqueeze(0)
            if unbatched
            else state
            for state in given
        ]
        result = recurrent_layer(
            self._op,
            f"rnn_{self.nonlinearity}" if self._op == "rnn_cell" else self._op[:-5],
            batched.unsqueeze(0),
            states[0],
            states[1] if cell_state else None,
            self.weight_ih,
            self.weight_hh,
            self.bias_ih,
            self.bias_hh,
        )
        hidden = self.hidden_size
        ends = [result[0, :, :hidden], result[0, :, hidden:]] if cell_state else [result[0]]
        return [end.squeeze(0) for end in ends] if unbatched else ends

    def extra_repr(self) -> str:
        bias = "" if self.bias_ih is not None else ", bias=False"
        return f"{self.input_size}, {self.hidden_size}{bias}"


class _OneStateCell(_Cell[I, H, PD]):
    """RNNCell and GRUCell: `cell(x, hx=None)` returns h'."""

    @overload
    def __call__(
        self, input: Tensor[tuple[N, I], PD, Dev, T], hx: Tensor[Any, PD, Dev, T] | None = None
    ) -> Tensor[tuple[N, H], PD, Dev, T]: ...
    @overload
    def __call__(
        self, input: Tensor[tuple[I], PD, Dev, T], hx: Tensor[Any, PD, Dev, T] | None = None
    ) -> Tensor[tuple[H], PD, Dev, T]: ...
    @overload
    def __call__(
        self, input: Tensor[Any, PD, Dev, Any], hx: AnyTensor | None = None
    ) -> Tensor[Any, PD, Dev, Any]: ...
    def __call__(self, input: AnyTensor, hx: AnyTensor | None = None) -> Any:
        return self._step(input, hx, cell_state=False)[0]

    forward = __call__


class RNNCell(_OneStateCell[I, H, PD]):
    """One Elman RNN step, as torch.nn.RNNCell: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)
    (or relu); x (N, I) or (I,), hx (N, H) or (H,) (zeros when None), returns h' shaped as hx.
    """

    @overload
    def __init__(
        self: RNNCell[SI, SH],
        input_size: SI,
        hidden_size: SH,
        bias: bool = ...,
        nonlinearity: Literal["tanh", "relu"] = ...,
        *,
        device: Device | None = ...,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: RNNCell[SI, SH, MD],
        input_size: SI,
        hidden_size: SH,
        bias: bool = ...,
        nonlinearity: Literal["tanh", "relu"] = ...,
        *,
        device: Device | None = ...,
        dtype: type[MD],
    ) -> None: ...
    @overload
    def __init__(
        self,
        input_size: I,
        hidden_size: H,
        bias: bool = ...,
        nonlinearity: Literal["tanh", "relu"] = ...,
        *,
        device: Device | None = ...,
        dtype: type[PD] = ...,
    ) -> None: ...
    def __init__(
        self,
        input_size: Any,
        hidden_size: Any,
        bias: bool = True,
        nonlinearity: str = "tanh",
        *,
        device: Device | None = None,
        dtype: Any = Float32,  # type[PD]
    ) -> None:
        super().__init__()
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNCell: Unknown nonlinearity: {nonlinearity}: use 'tanh' or 'relu'")
        self.nonlinearity = nonlinearity
        self._setup(input_size, hidden_size, bias, device, dtype)

    if TYPE_CHECKING:

        @overload
        def to(self, target: Device) -> Self: ...
        @overload
        def to(self, target: type[MD]) -> RNNCell[I, H, MD]: ...
        def to(self, target: Any) -> Any: ...

    def extra_repr(self) -> str:
        text = super().extra_repr()
        return text if self.nonlinearity == "tanh" else f"{text}, nonlinearity=relu"


class GRUCell(_OneStateCell[I, H, PD]):
    """One GRU step, as torch.nn.GRUCell (gates r, z, n); shapes as RNNCell's."""

    _gates = 3
    _op = "gru_cell"

    @overload
    def __init__(
        self: GRUCell[SI, SH],
        input_size: SI,
        hidden_size: SH,
        bias: bool = ...,
        *,
        device: Device | None = ...,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: GRUCell[SI, SH, MD],
        input_size: SI,
        hidden_size: SH,
        bias: bool = ...,
        *,
        device: Device | None = ...,
        dtype: type[MD],
    ) -> None: ...
    @overload
    def __init__(
        self,
        input_size: I,
        hidden_size: H,
        bias: bool = ...,
        *,
        device: Device | None = ...,
        dtype: type[PD] = ...,
    ) -> None: ...
    def __init__(
        self,
        input_size: Any,
        hidden_size: Any,
        bias: bool = True,
        *,
        device: Device | None = None,
        dtype: Any = Float32,  # type[PD]
    ) -> None:
        super().__init__()
        self._setup(input_size, hidden_size, bias, device, dtype)

    if TYPE_CHECKING:

        @overload
        def to(self, target: Device) -> Self: ...
        @overload
        def to(self, target: type[MD]) -> GRUCell[I, H, MD]: ...
        def to(self, target: Any) -> Any: ...


class LSTMCell(_Cell[I, H, PD]):
    """One LSTM step, as torch.nn.LSTMCell (gates i, f, g, o): `cell(x, (h, c)=None)` returns
    `(h', c')`; x (N, I) or (I,), h and c (N, H) or (H,) (zeros when None)."""

    _gates = 4
    _op = "lstm_cell"

    @overload
    def __init__(
        self: LSTMCell[SI, SH],
        input_size: SI,
        hidden_size: SH,
        bias: bool = ...,
        *,
        device: Device | None = ...,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: LSTMCell[SI, SH, MD],
        input_size: SI,
        hidden_size: SH,
        bias: bool = ...,
        *,
        device: Device | None = ...,
        dtype: type[MD],
    ) -> None: ...
    @overload
    def __init__(
        self,
        input_size: I,
        hidden_size: H,
        bias: bool = ...,
        *,
        device: Device | None = ...,
        dtype: type[PD] = ...,
    ) -> None: ...
    def __init__(
        self,
        input_size: Any,
        hidden_size: Any,
        bias: bool = True,
        *,
        device: Device | None = None,
        dtype: Any = Float32,  # type[PD]
    ) -> None:
        super().__init__()
        self._setup(input_size, hidden_size, bias, device, dtype)

    @overload
    def __call__(
        self,
        input: Tensor[tuple[N, I], PD, Dev, T],
        hx: tuple[Tensor[Any, PD, Dev, T], Tensor[Any, PD, Dev, T]] | None = None,
    ) -> tuple[Tensor[tuple[N, H], PD, Dev, T], Tensor[tuple[N, H], PD, Dev, T]]: ...
    @overload
    def __call__(
        self,
        input: Tensor[tuple[I], PD, Dev, T],
        hx: tuple[Tensor[Any, PD, Dev, T], Tensor[Any, PD, Dev, T]] | None = None,
    ) -> tuple[Tensor[tuple[H], PD, Dev, T], Tensor[tuple[H], PD, Dev, T]]: ...
    @overload
    def __call__(
        self, input: Tensor[Any, PD, Dev, Any], hx: tuple[AnyTensor, AnyTensor] | None = None
    ) -> tuple[Tensor[Any, PD, Dev, Any], Tensor[Any, PD, Dev, Any]]: ...
    def __call__(self, input: AnyTensor, hx: Any = None) -> Any:
        h, c = self._step(input, hx, cell_state=True)
        return h, c

    forward = __call__

    if TYPE_CHECKING:

        @overload
        def to(self, target: Device) -> Self: ...
        @overload
        def to(self, target: type[MD]) -> LSTMCell[I, H, MD]: ...
        def to(self, target: Any) -> Any: ...
