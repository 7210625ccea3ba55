"""The transformer stacks, as torch.nn: TransformerEncoder, TransformerDecoderLayer,
TransformerDecoder, and the causal mask helper generate_square_subsequent_mask.

Parameters carry torch's names (`layers.0.self_attn.in_proj_weight`, ...), so a torch
state_dict loads. The layout is batch_first (N, L, E) unless the layer was built with
`batch_first=False` (torch's default, (L, N, E)). Masks follow torch at torch's argument
names: Bool with True = masked (may *not* attend), or float, added to the attention scores
(`-inf` masks); attention masks are (L, S) or (N*nhead, L, S), key padding masks (N, S).
shaped's own convention (Bool, True = may attend) is the `mask=` keyword of
MultiHeadAttention and TransformerEncoderLayer only.
"""

# Each layer defines __call__ (so both checkers read its overloads) where Module's is typed by
# forward through a self type: the override is deliberate.
# pyright: reportIncompatibleMethodOverride=false
# mypy: disable-error-code="override"

from __future__ import annotations

import copy
import math
from typing import TYPE_CHECKING, Any, Generic, Self, cast, overload
from typing import Literal as L

from typing_extensions import TypeVar

from shaped import shapes, shapes_nn
from shaped.devices import CPU, Cpu, Device
from shaped.dtypes import DType, Float32, NoTape, OwnedTape
from shaped.errors import DtypeError
from shaped.nn.layers import (
    Activation,
    Dropout,
    LayerNorm,
    Linear,
    MultiHeadAttention,
    TransformerEncoderLayer,
    _device,
    _like,
    _size,
    _uniform,
)
from shaped.nn.module import Module
from shaped.nn.sizes import Size
from shaped.tensor import Tensor

__all__ = [
    "Transformer",
    "TransformerDecoder",
    "TransformerDecoderLayer",
    "TransformerEncoder",
    "generate_square_subsequent_mask",
]

Dim = TypeVar("Dim")
Heads = TypeVar("Heads")
Ff = TypeVar("Ff")
PD = TypeVar("PD", default=Float32)  # the parameters' dtype
MD = TypeVar("MD", bound=DType)
SI = TypeVar("SI", bound=Size)
SO = TypeVar("SO", bound=Size)
SK = TypeVar("SK", bound=Size)
DevT = TypeVar("DevT", bound=Device)
S = TypeVar("S", bound=tuple[Any, ...])
D = TypeVar("D")
Dev = TypeVar("Dev")
T = TypeVar("T")

AnyTensor = Tensor[Any, Any, Any, Any]
Masks = tuple[AnyTensor | None, AnyTensor | None, AnyTensor | None, bool]


@overload
def generate_square_subsequent_mask(
    sz: SI, device: None = None, dtype: type[Float32] = ...
) -> Tensor[tuple[SI, SI], Float32, Cpu]: ...
@overload
def generate_square_subsequent_mask(
    sz: SI, device: DevT, dtype: type[Float32] = ...
) -> Tensor[tuple[SI, SI], Float32, DevT]: ...
@overload
def generate_square_subsequent_mask(  # type: ignore[overload-overlap]  # the first match wins
    sz: SI, device: Device | None = None, *, dtype: type[D]
) -> Tensor[tuple[SI, SI], D, Any]: ...
@overload
def generate_square_subsequent_mask(
    sz: int, device: None = None, dtype: type[Float32] = ...
) -> Tensor[tuple[int, int], Float32, Cpu]: ...
@overload
def generate_square_subsequent_mask(
    sz: int, device: DevT, dtype: type[Float32] = ...
) -> Tensor[tuple[int, int], Float32, DevT]: ...
@overload
def generate_square_subsequent_mask(
    sz: int, device: Device | None = None, *, dtype: type[D]
) -> Tensor[tuple[int, int], D, Any]: ...
def generate_square_subsequent_mask(
    sz: int, device: Device | None = None, dtype: Any = Float32
) -> Any:
    """The causal mask of torch.nn.Transformer.generate_square_subsequent_mask: float (sz, sz),
    0 on and below the diagonal and -inf above it (position i may attend to j <= i).

    Pass it as a torch-convention mask (`src_mask`, `tgt_mask`, `mask` of the stacks)."""
    size = _size("generate_square_subsequent_mask", "sz", sz)
    dev = CPU if device is None else device
    if not (isinstance(dtype, type) and issubclass(dtype, DType) and dtype.is_float):
        raise DtypeError(
            f"generate_square_subsequent_mask: dtype must be a float dtype such as sh.Float32, "
            f"got {dtype!r}"
        )
    xp = dev.xp
    blocked = xp.triu(xp.ones((size, size), dtype=bool), 1)
    data = xp.where(blocked, -xp.inf, 0.0).astype(dtype.name)
    return Tensor._wrap(data, dev._place())


def _clones(layer: Module, count: int) -> list[Any]:
    """`count` deep copies of `layer` (torch's _get_clones): the same values, own parameters.

    Devices (and their RNGs) are shared, not copied; each copied tensor gets its own
    gradient identity."""
    memo: dict[int, Any] = {}
    for module in layer.modules():
        for value in vars(module).values():
            if isinstance(value, Device):
                memo[id(value)] = value
    for _, tensor in layer.named_parameters():
        memo[id(tensor._device)] = tensor._device
    for _, tensor in layer.named_buffers():
        memo[id(tensor._device)] = tensor._device
    copies = []
    for _ in range(count):
        clone = copy.deepcopy(layer, dict(memo))
        for _, tensor in [*clone.named_parameters(), *clone.named_buffers()]:
            tensor._key = None  # a copy is a parameter of its own for Gradients
        copies.append(clone)
    return copies


def _norm(layer: str, norm: Module | None) -> Module | None:
    if norm is not None and not isinstance(norm, Module):
        raise TypeError(
            f"{layer}: norm must be a module such as nn.LayerNorm(d_model), got {norm!r}"
        )
    return norm


class TransformerEncoder(Module, Generic[Dim, Heads, Ff, PD]):
    """A stack of `num_layers` deep copies of `encoder_layer`, then `norm` if given.

    As torch.nn.TransformerEncoder: the copies start equal (torch's deep copy) and are
    `layers.0`, `layers.1`, ...; the type carries the layer's sizes
    (`TransformerEncoder[L[64], L[4], L[256]]` from a `TransformerEncoderLayer(64, 4, 256)`),
    so the plugin checks the input's last dim. `src` has the layer's layout and the output
    src's shape. `mask` and `src_key_padding_mask` use torch's convention (Bool, True =
    masked, or float added), as torch's TransformerEncoder's `mask` does; mind that the
    layer's keyword `mask=` is shaped's (True = may attend) and its torch-convention mask
    is `src_mask`. `is_causal=True` without a mask masks the future (torch needs the mask). `enable_nested_tensor` and `mask_check` are accepted and change nothing: the
    result is torch's regular path (torch's eval-time nested-tensor path zeroes padded
    positions' outputs).
    """

    layers: list[TransformerEncoderLayer[Dim, Heads, Ff, PD]]

    def __init__(
        self,
        encoder_layer: TransformerEncoderLayer[Dim, Heads, Ff, PD],
        num_layers: int,
        norm: Module | None = None,
        enable_nested_tensor: bool = True,
        mask_check: bool = True,
    ) -> None:
        super().__init__()
        name = "TransformerEncoder"
        if not isinstance(encoder_layer, Module):
            raise TypeError(
                f"{name}: encoder_layer must be a module such as "
                f"nn.TransformerEncoderLayer(d_model, nhead), got {encoder_layer!r}"
            )
        self.num_layers = _size(name, "num_layers", num_layers)
        self.layers = _clones(encoder_layer, self.num_layers)
        self.norm = _norm(name, norm)
        self.enable_nested_tensor = enable_nested_tensor
        self.mask_check = mask_check

    def __call__(
        self,
        src: Tensor[S, PD, Dev, T],
        mask: AnyTensor | None = None,
        src_key_padding_mask: AnyTensor | None = None,
        is_causal: bool | None = None,
    ) -> Tensor[S, PD, Dev, T]:
        out: AnyTensor = src
        for layer in self.layers:
            out = layer(out, mask, src_key_padding_mask, bool(is_causal))
        if self.norm is not None:
            out = self.norm(out)
        return _like(src, out)

    forward = __call__

    if TYPE_CHECKING:  # converting the parameters to a dtype changes it in the type

        @overload
        def to(self, target: Device) -> Self: ...
        @overload
        def to(self, target: type[MD]) -> TransformerEncoder[Dim, Heads, Ff, MD]: ...
        def to(self, target: Any) -> Any: ...


class TransformerDecoderLayer(Module, Generic[Dim, Heads, Ff, PD]):
    """Self-attention, attention over `memory`, then a feed-forward block, as
    torch.nn.TransformerDecoderLayer; each with a residual, dropout and LayerNorm.

    torch's options and defaults (post-norm, ReLU, dropout 0.1, layer_norm_eps 1e-5, bias),
    except `batch_first`, True here (torch: False): tgt is (N, T, E), (T, N, E) with
    batch_first=False, or (T, E); memory (N, S, E) likewise, with tgt's batch size and
    d_model; the output has tgt's shape. Masks in torch's convention (Bool, True = masked,
    or float added): `tgt_mask` (T, T) or (N*nhead, T, T), `memory_mask` (T, S) or
    (N*nhead, T, S), key padding masks (N, T) and (N, S). `tgt_is_causal=True` without a
    `tgt_mask` masks the future (torch needs the mask and takes the flag as a hint).
    """

    _type_args = ("d_model", "nhead", "dim_feedforward")

    @overload
    def __init__(
        self: TransformerDecoderLayer[SI, SO, SK],
        d_model: SI,
        nhead: SO,
        dim_feedforward: SK,
        dropout: float = 0.1,
        activation: Activation = "relu",
        layer_norm_eps: float = 1e-5,
        batch_first: bool = True,
        norm_first: bool = False,
        bias: bool = True,
        *,
        device: Device | None = None,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: TransformerDecoderLayer[SI, SO, SK, MD],
        d_model: SI,
        nhead: SO,
        dim_feedforward: SK,
        dropout: float = 0.1,
        activation: Activation = "relu",
        layer_norm_eps: float = 1e-5,
        batch_first: bool = True,
        norm_first: bool = False,
        bias: bool = True,
        *,
        device: Device | None = None,
        dtype: type[MD],
    ) -> None: ...
    @overload
    def __init__(
        self: TransformerDecoderLayer[SI, SO, int],
        d_model: SI,
        nhead: SO,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: Activation = "relu",
        layer_norm_eps: float = 1e-5,
        batch_first: bool = True,
        norm_first: bool = False,
        bias: bool = True,
        *,
        device: Device | None = None,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self,
        d_model: Dim,
        nhead: Heads,
        dim_feedforward: Ff,
        dropout: float = 0.1,
        activation: Activation = "relu",
        layer_norm_eps: float = 1e-5,
        batch_first: bool = True,
        norm_first: bool = False,
        bias: bool = True,
        *,
        device: Device | None = None,
        dtype: type[PD] = ...,
    ) -> None: ...
    def __init__(
        self,
        d_model: Any,
        nhead: Any,
        dim_feedforward: Any = 2048,
        dropout: float = 0.1,
        activation: Activation = "relu",
        layer_norm_eps: float = 1e-5,
        batch_first: bool = True,
        norm_first: bool = False,
        bias: bool = True,
        *,
        device: Device | None = None,
        dtype: Any = Float32,  # type[PD]
    ) -> None:
        super().__init__()
        name = "TransformerDecoderLayer"
        if activation not in ("relu", "gelu") and not callable(activation):
            raise ValueError(
                f"{name}: activation must be 'relu', 'gelu' or a callable such as nn.GELU(), "
                f"got {activation!r}"
            )
        dev = _device(name, device, dtype)
        sizes = {"d_model": d_model, "nhead": nhead, "dim_feedforward": dim_feedforward}
        shapes.layer_sizes(name, {key: _size(name, key, v) for key, v in sizes.items()})
        kw: dict[str, Any] = {"device": dev, "dtype": dtype}
        attention = {"dropout": dropout, "bias": bias, "batch_first": batch_first, **kw}
        self.self_attn: MultiHeadAttention[Dim, Heads, PD] = MultiHeadAttention(
            d_model, nhead, **attention
        )
        self.multihead_attn: MultiHeadAttention[Dim, Heads, PD] = MultiHeadAttention(
            d_model, nhead, **attention
        )
        self.linear1: Linear[Dim, Ff, PD] = Linear(d_model, dim_feedforward, bias=bias, **kw)
        self.dropout = Dropout(dropout, device=dev)
        self.linear2: Linear[Ff, Dim, PD] = Linear(dim_feedforward, d_model, bias=bias, **kw)
        self.norm_first = norm_first
        self.batch_first = bool(batch_first)
        norm = TransformerEncoderLayer._norm
        self.norm1: LayerNorm[Dim, PD] = norm(d_model, layer_norm_eps, bias, kw)
        self.norm2: LayerNorm[Dim, PD] = norm(d_model, layer_norm_eps, bias, kw)
        self.norm3: LayerNorm[Dim, PD] = norm(d_model, layer_norm_eps, bias, kw)
        self.dropout1 = Dropout(dropout, device=dev)
        self.dropout2 = Dropout(dropout, device=dev)
        self.dropout3 = Dropout(dropout, device=dev)
        self.activation: Activation = activation

    @overload
    def __call__(
        self,
        tgt: Tensor[S, PD, Dev, T],
        memory: Tensor[Any, PD, Dev, NoTape],
        tgt_mask: AnyTensor | None = None,
        memory_mask: AnyTensor | None = None,
        tgt_key_padding_mask: AnyTensor | None = None,
        memory_key_padding_mask: AnyTensor | None = None,
        tgt_is_causal: bool = False,
        memory_is_causal: bool = False,
    ) -> Tensor[S, PD, Dev, T]: ...
    @overload
    def __call__(
        self,
        tgt: Tensor[S, PD, Dev, T],
        memory: Tensor[Any, PD, Dev, T],
        tgt_mask: AnyTensor | None = None,
        memory_mask: AnyTensor | None = None,
        tgt_key_padding_mask: AnyTensor | None = None,
        memory_key_padding_mask: AnyTensor | None = None,
        tgt_is_causal: bool = False,
        memory_is_causal: bool = False,
    ) -> Tensor[S, PD, Dev, T]: ...
    @overload
    def __call__(
        self,
        tgt: Tensor[S, PD, Dev, Any],
        memory: Tensor[Any, PD, Dev, Any],
        tgt_mask: AnyTensor | None = None,
        memory_mask: AnyTensor | None = None,
        tgt_key_padding_mask: AnyTensor | None = None,
        memory_key_padding_mask: AnyTensor | None = None,
        tgt_is_causal: bool = False,
        memory_is_causal: bool = False,
    ) -> Tensor[S, PD, Dev, OwnedTape]: ...
    def __call__(
        self,
        tgt: AnyTensor,
        memory: AnyTensor,
        tgt_mask: AnyTensor | None = None,
        memory_mask: AnyTensor | None = None,
        tgt_key_padding_mask: AnyTensor | None = None,
        memory_key_padding_mask: AnyTensor | None = None,
        tgt_is_causal: bool = False,
        memory_is_causal: bool = False,
    ) -> Any:
        name = "TransformerDecoderLayer"
        dim = self.self_attn.embed_dim
        shapes_nn.transformer_decoder(name, tgt.shape, memory.shape, dim, self.batch_first)
        own: Masks = (None, tgt_mask, tgt_key_padding_mask, tgt_is_causal)
        cross: Masks = (None, memory_mask, memory_key_padding_mask, memory_is_causal)
        own_names = ("tgt_mask", "tgt_key_padding_mask")
        cross_names = ("memory_mask", "memory_key_padding_mask")

        def self_block(x: AnyTensor) -> AnyTensor:
            out = self.self_attn._attend(x, None, None, name, own, own_names)
            return cast("AnyTensor", self.dropout1(out))

        def cross_block(x: AnyTensor) -> AnyTensor:
            out = self.multihead_attn._attend(x, memory, None, name, cross, cross_names)
            return cast("AnyTensor", self.dropout2(out))

        x = tgt
        if self.norm_first:
            x = x + self_block(self.norm1(x))
            x = x + cross_block(self.norm2(x))
            return x + self._feed_forward_block(self.norm3(x))
        x = self.norm1(x + self_block(x))
        x = self.norm2(x + cross_block(x))
        return self.norm3(x + self._feed_forward_block(x))

    forward = __call__

    if TYPE_CHECKING:  # converting the parameters to a dtype changes it in the type

        @overload
        def to(self, target: Device) -> Self: ...
        @overload
        def to(self, target: type[MD]) -> TransformerDecoderLayer[Dim, Heads, Ff, MD]: ...
        def to(self, target: Any) -> Any: ...

    def _feed_forward_block(self, x: AnyTensor) -> AnyTensor:
        hidden: AnyTensor = self.linear1(x)
        activation = self.activation
        if isinstance(activation, str):
            hidden = hidden.relu() if activation == "relu" else hidden.gelu()
        else:
            hidden = activation(hidden)
        return cast("AnyTensor", self.dropout3(self.linear2(self.dropout(hidden))))


class TransformerDecoder(Module, Generic[Dim, Heads, Ff, PD]):
    """A stack of `num_layers` deep copies of `decoder_layer`, then `norm` if given.

    As torch.nn.TransformerDecoder: `layers.0`, `layers.1`, ... start equal; each attends to
    the same `memory`. The output has tgt's shape; masks as TransformerDecoderLayer's
    (torch's convention), passed to every layer.
    """

    layers: list[TransformerDecoderLayer[Dim, Heads, Ff, PD]]

    def __init__(
        self,
        decoder_layer: TransformerDecoderLayer[Dim, Heads, Ff, PD],
        num_layers: int,
        norm: Module | None = None,
    ) -> None:
        super().__init__()
        name = "TransformerDecoder"
        if not isinstance(decoder_layer, Module):
            raise TypeError(
                f"{name}: decoder_layer must be a module such as "
                f"nn.TransformerDecoderLayer(d_model, nhead), got {decoder_layer!r}"
            )
        self.num_layers = _size(name, "num_layers", num_layers)
        self.layers = _clones(decoder_layer, self.num_layers)
        self.norm = _norm(name, norm)

    @overload
    def __call__(
        self,
        tgt: Tensor[S, PD, Dev, T],
        memory: Tensor[Any, PD, Dev, NoTape],
        tgt_mask: AnyTensor | None = None,
        memory_mask: AnyTensor | None = None,
        tgt_key_padding_mask: AnyTensor | None = None,
        memory_key_padding_mask: AnyTensor | None = None,
        tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Tensor[S, PD, Dev, T]: ...
    @overload
    def __call__(
        self,
        tgt: Tensor[S, PD, Dev, T],
        memory: Tensor[Any, PD, Dev, T],
        tgt_mask: AnyTensor | None = None,
        memory_mask: AnyTensor | None = None,
        tgt_key_padding_mask: AnyTensor | None = None,
        memory_key_padding_mask: AnyTensor | None = None,
        tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Tensor[S, PD, Dev, T]: ...
    @overload
    def __call__(
        self,
        tgt: Tensor[S, PD, Dev, Any],
        memory: Tensor[Any, PD, Dev, Any],
        tgt_mask: AnyTensor | None = None,
        memory_mask: AnyTensor | None = None,
        tgt_key_padding_mask: AnyTensor | None = None,
        memory_key_padding_mask: AnyTensor | None = None,
        tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Tensor[S, PD, Dev, OwnedTape]: ...
    def __call__(
        self,
        tgt: AnyTensor,
        memory: AnyTensor,
        tgt_mask: AnyTensor | None = None,
        memory_mask: AnyTensor | None = None,
        tgt_key_padding_mask: AnyTensor | None = None,
        memory_key_padding_mask: AnyTensor | None = None,
        tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Any:
        out = tgt
        for layer in self.layers:
            out = layer(
                out,
                memory,
                tgt_mask,
                memory_mask,
                tgt_key_padding_mask,
                memory_key_padding_mask,
                bool(tgt_is_causal),
                memory_is_causal,
            )
        if self.norm is not None:
            out = self.norm(out)
        return out

    forward = __call__

    if TYPE_CHECKING:  # converting the parameters to a dtype changes it in the type

        @overload
        def to(self, target: Device) -> Self: ...
        @overload
        def to(self, target: type[MD]) -> TransformerDecoder[Dim, Heads, Ff, MD]: ...
        def to(self, target: Any) -> Any: ...


class Transformer(Module, Generic[Dim, Heads, Ff, PD]):
    """An encoder-decoder transformer, as torch.nn.Transformer: `encoder` (a
    TransformerEncoder with a final LayerNorm) reads src, `decoder` (a TransformerDecoder
    with a final LayerNorm) reads tgt and the encoder's output.

    torch's options and defaults (d_model 512, nhead 8, 6 + 6 layers, dim_feedforward 2048,
    dropout 0.1, ReLU, post-norm), except `batch_first`, True here (torch: False). As torch,
    every parameter with more than one dim is re-drawn xavier-uniform after the layers are
    built. src is (N, S, E), tgt (N, T, E) (or (S, N, E), (T, N, E), or unbatched); the output
    has tgt's shape. Masks in torch's convention, as TransformerDecoderLayer's;
    `Transformer.generate_square_subsequent_mask(T)` makes the causal `tgt_mask`.
    `custom_encoder` / `custom_decoder` replace the stacks, as in torch.
    """

    _type_args = ("d_model", "nhead", "dim_feedforward")

    encoder: TransformerEncoder[Dim, Heads, Ff, PD]
    decoder: TransformerDecoder[Dim, Heads, Ff, PD]

    generate_square_subsequent_mask = staticmethod(generate_square_subsequent_mask)

    @overload
    def __init__(
        self: Transformer[L[512], L[8], L[2048]],
        *,
        num_encoder_layers: int = 6,
        num_decoder_layers: int = 6,
        dropout: float = 0.1,
        activation: Activation = "relu",
        custom_encoder: Module | None = None,
        custom_decoder: Module | None = None,
        layer_norm_eps: float = 1e-5,
        batch_first: bool = True,
        norm_first: bool = False,
        bias: bool = True,
        device: Device | None = None,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: Transformer[SI, SO, SK],
        d_model: SI,
        nhead: SO,
        num_encoder_layers: int = 6,
        num_decoder_layers: int = 6,
        *,
        dim_feedforward: SK,
        dropout: float = 0.1,
        activation: Activation = "relu",
        custom_encoder: Module | None = None,
        custom_decoder: Module | None = None,
        layer_norm_eps: float = 1e-5,
        batch_first: bool = True,
        norm_first: bool = False,
        bias: bool = True,
        device: Device | None = None,
        dtype: type[Float32] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: Transformer[SI, SO, SK, MD],
        d_model: SI,
        nhead: SO,
        num_encoder_layers: int = 6,
        num_decoder_layers: int = 6,
        *,
        dim_feedforward: SK,
        dropout: float = 0.1,
        activation: Activation = "relu",
        custom_encoder: Module | None = None,
        custom_decoder: Module | None = None,
        layer_norm_eps: float = 1e-5,
        batch_first: bool = True,
        norm_first: bool = False,
        bias: bool = True,
        device: Device | None = None,
        dtype: type[MD],
    ) -> None: ...
    @overload
    def __init__(
        self,
        d_model: Dim = ...,
        nhead: Heads = ...,
        num_encoder_layers: int = 6,
        num_decoder_layers: int = 6,
        dim_feedforward: Ff = ...,
        dropout: float = 0.1,
        activation: Activation = "relu",
        custom_encoder: Module | None = None,
        custom_decoder: Module | None = None,
        layer_norm_eps: float = 1e-5,
        batch_first: bool = True,
        norm_first: bool = False,
        bias: bool = True,
        *,
        device: Device | None = None,
        dtype: type[PD] = ...,
    ) -> None: ...
    def __init__(
        self,
        d_model: Any = 512,
        nhead: Any = 8,
        num_encoder_layers: int = 6,
        num_decoder_layers: int = 6,
        dim_feedforward: Any = 2048,
        dropout: float = 0.1,
        activation: Activation = "relu",
        custom_encoder: Module | None = None,
        custom_decoder: Module | None = None,
        layer_norm_eps: float = 1e-5,
        batch_first: bool = True,
        norm_first: bool = False,
        bias: bool = True,
        *,
        device: Device | None = None,
        dtype: Any = Float32,  # type[PD]
    ) -> None:
        super().__init__()
        dev = _device("Transformer", device, dtype)
        sizes = {"d_model": d_model, "nhead": nhead, "dim_feedforward": dim_feedforward}
        shapes.layer_sizes("Transformer", {k: _size("Transformer", k, v) for k, v in sizes.items()})
        options: dict[str, Any] = {
            "dropout": dropout,
            "activation": activation,
            "layer_norm_eps": layer_norm_eps,
            "batch_first": batch_first,
            "norm_first": norm_first,
            "bias": bias,
            "device": dev,
            "dtype": dtype,
        }
        kw: dict[str, Any] = {"device": dev, "dtype": dtype}
        norm = TransformerEncoderLayer._norm
        if custom_encoder is not None:
            self.encoder = cast("Any", custom_encoder)
        else:
            layer: Any = TransformerEncoderLayer(d_model, nhead, dim_feedforward, **options)
            final = norm(d_model, layer_norm_eps, bias, kw)
            self.encoder = TransformerEncoder(layer, num_encoder_layers, final)
        if custom_decoder is not None:
            self.decoder = cast("Any", custom_decoder)
        else:
            block: Any = TransformerDecoderLayer(d_model, nhead, dim_feedforward, **options)
            final = norm(d_model, layer_norm_eps, bias, kw)
            self.decoder = TransformerDecoder(block, num_decoder_layers, final)
        self.d_model = _size("Transformer", "d_model", d_model)
        self.nhead = _size("Transformer", "nhead", nhead)
        self.batch_first = bool(batch_first)
        for _, param in self.named_parameters():  # torch's _reset_parameters
            if param.ndim > 1:
                fan_out, fan_in = param.shape[0], math.prod(param.shape[1:])
                bound = math.sqrt(6.0 / (fan_in + fan_out)) if fan_in + fan_out else 0.0
                param._data[...] = _uniform(dev, tuple(param.shape), bound, dtype)._data

    @overload
    def __call__(
        self,
        src: Tensor[Any, PD, Dev, NoTape],
        tgt: Tensor[S, PD, Dev, T],
        src_mask: AnyTensor | None = None,
        tgt_mask: AnyTensor | None = None,
        memory_mask: AnyTensor | None = None,
        src_key_padding_mask: AnyTensor | None = None,
        tgt_key_padding_mask: AnyTensor | None = None,
        memory_key_padding_mask: AnyTensor | None = None,
        src_is_causal: bool | None = None,
        tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Tensor[S, PD, Dev, T]: ...
    @overload
    def __call__(
        self,
        src: Tensor[Any, PD, Dev, T],
        tgt: Tensor[S, PD, Dev, T],
        src_mask: AnyTensor | None = None,
        tgt_mask: AnyTensor | None = None,
        memory_mask: AnyTensor | None = None,
        src_key_padding_mask: AnyTensor | None = None,
        tgt_key_padding_mask: AnyTensor | None = None,
        memory_key_padding_mask: AnyTensor | None = None,
        src_is_causal: bool | None = None,
        tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Tensor[S, PD, Dev, T]: ...
    @overload
    def __call__(
        self,
        src: Tensor[Any, PD, Dev, Any],
        tgt: Tensor[S, PD, Dev, Any],
        src_mask: AnyTensor | None = None,
        tgt_mask: AnyTensor | None = None,
        memory_mask: AnyTensor | None = None,
        src_key_padding_mask: AnyTensor | None = None,
        tgt_key_padding_mask: AnyTensor | None = None,
        memory_key_padding_mask: AnyTensor | None = None,
        src_is_causal: bool | None = None,
        tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Tensor[S, PD, Dev, OwnedTape]: ...
    def __call__(
        self,
        src: AnyTensor,
        tgt: AnyTensor,
        src_mask: AnyTensor | None = None,
        tgt_mask: AnyTensor | None = None,
        memory_mask: AnyTensor | None = None,
        src_key_padding_mask: AnyTensor | None = None,
        tgt_key_padding_mask: AnyTensor | None = None,
        memory_key_padding_mask: AnyTensor | None = None,
        src_is_causal: bool | None = None,
        tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Any:
        shapes_nn.transformer_decoder(
            "Transformer", tgt.shape, src.shape, self.d_model, self.batch_first, "src"
        )
        memory = self.encoder(src, src_mask, src_key_padding_mask, src_is_causal)
        return self.decoder(
            tgt,
            memory,
            tgt_mask,
            memory_mask,
            tgt_key_padding_mask,
            memory_key_padding_mask,
            tgt_is_causal,
            memory_is_causal,
        )

    forward = __call__

    if TYPE_CHECKING:  # converting the parameters to a dtype changes it in the type

        @overload
        def to(self, target: Device) -> Self: ...
        @overload
        def to(self, target: type[MD]) -> Transformer[Dim, Heads, Ff, MD]: ...
        def to(self, target: Any) -> Any: ...
