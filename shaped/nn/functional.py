"""`sh.nn.functional` (as `F`): torch.nn.functional's names, numpy's `axis`.

The ops live in `shaped.ops` with their VJPs; this module is the public namespace.
"""

from __future__ import annotations

from typing import Any, Literal, overload

from typing_extensions import TypeVar

from shaped.dtypes import OwnedTape
from shaped.ops.conv import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    avg_pool1d,
    avg_pool2d,
    conv1d,
    conv2d,
    conv3d,
    conv_transpose2d,
    fold,
    interpolate,
    max_pool1d,
    max_pool2d,
    pixel_shuffle,
    unfold,
)
from shaped.ops.indexing import one_hot
from shaped.ops.linalg import cosine_similarity as _cosine_similarity
from shaped.ops.linalg import linear
from shaped.ops.nn import (
    batch_norm,
    dropout,
    layer_norm,
    log_softmax,
    scaled_dot_product_attention,
    softmax,
)
from shaped.ops.norms import embedding  # torch's padding_idx and max_norm too
from shaped.ops.shaping import functional_pad as pad
from shaped.tensor import Tensor

__all__ = [
    "normalize",
    "one_hot",
    "pad",
    "celu",
    "elu",
    "glu",
    "hardsigmoid",
    "hardswish",
    "hardtanh",
    "logsigmoid",
    "mish",
    "prelu",
    "relu6",
    "selu",
    "silu",
    "softmin",
    "softplus",
    "softsign",
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_max_pool1d",
    "adaptive_max_pool2d",
    "avg_pool1d",
    "avg_pool2d",
    "batch_norm",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose2d",
    "cosine_similarity",
    "dropout",
    "fold",
    "embedding",
    "gelu",
    "interpolate",
    "layer_norm",
    "leaky_relu",
    "linear",
    "log_softmax",
    "max_pool1d",
    "max_pool2d",
    "pixel_shuffle",
    "relu",
    "scaled_dot_product_attention",
    "sigmoid",
    "softmax",
    "tanh",
    "unfold",
]

S = TypeVar("S", bound=tuple[Any, ...])
D = TypeVar("D")
Dev = TypeVar("Dev")
T = TypeVar("T")


def relu(x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
    """max(x, 0)."""
    return x.relu()


def gelu(
    x: Tensor[S, D, Dev, T], approximate: Literal["none", "tanh"] = "none"
) -> Tensor[S, D, Dev, T]:
    """x * Phi(x), the exact erf form, or torch's tanh approximation."""
    return x.gelu(approximate)


def leaky_relu(x: Tensor[S, D, Dev, T], negative_slope: float = 0.01) -> Tensor[S, D, Dev, T]:
    """x where x >= 0, negative_slope * x elsewhere."""
    return x.leaky_relu(negative_slope)


def tanh(x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
    """The hyperbolic tangent, elementwise (torch's F.tanh)."""
    return x.tanh()


def sigmoid(x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
    """1 / (1 + exp(-x)), elementwise (torch's F.sigmoid)."""
    return x.sigmoid()


@overload
def cosine_similarity(  # pyright: ignore[reportOverlappingOverload]  (Any tapes match both)
    x1: Tensor[Any, D, Dev, T],
    x2: Tensor[Any, D, Dev, T],
    axis: int = 1,
    eps: float = 1e-8,
    *,
    dim: int | None = None,
) -> Tensor[tuple[Any, ...], D, Dev, T]: ...
@overload
def cosine_similarity(
    x1: Tensor[Any, D, Dev, Any],
    x2: Tensor[Any, D, Dev, Any],
    axis: int = 1,
    eps: float = 1e-8,
    *,
    dim: int | None = None,
) -> Tensor[tuple[Any, ...], D, Dev, OwnedTape]: ...
def cosine_similarity(
    x1: Any, x2: Any, axis: int = 1, eps: float = 1e-8, *, dim: int | None = None
) -> Any:
    """Cosine similarity of x1 and x2 (which broadcast) along `axis` (torch's `dim=`, default
    1), as torch: each input over its norm clamped to at least eps, products summed."""
    return _cosine_similarity(x1, x2, axis, eps, dim=dim)


def normalize(
    x: Tensor[S, D, Dev, T], p: float = 2.0, dim: int = 1, eps: float = 1e-12
) -> Tensor[S, D, Dev, T]:
    """x divided by its p-norm along `dim`, clamped to at least eps, as torch's F.normalize."""
    from shaped import shapes

    shapes.scan("normalize", x.shape, dim)
    return x / x.norm(p, dim, keepdims=True).clamp(min=eps)  # type: ignore[return-value]


# ---------------------------------------------------------------- activations, more

from shaped.ops.activations import (  # noqa: E402  (their own block: issue 11 item 5)
    celu,
    elu,
    glu,
    hardsigmoid,
    hardswish,
    hardtanh,
    logsigmoid,
    mish,
    prelu,
    relu6,
    selu,
    silu,
    softmin,
    softplus,
    softsign,
)

# ---------------------------------------------------------------- convolution and pooling options


# ---------------------------------------------------------------- issue 12: norms

__all__ += [
    "alpha_dropout",
    "bilinear",
    "dropout1d",
    "dropout2d",
    "dropout3d",
    "feature_alpha_dropout",
    "group_norm",
    "hardshrink",
    "instance_norm",
    "rms_norm",
    "rrelu",
    "softshrink",
    "tanhshrink",
    "threshold",
]

from shaped.ops.norms import (  # noqa: E402
    alpha_dropout,
    bilinear,
    dropout1d,
    dropout2d,
    dropout3d,
    feature_alpha_dropout,
    group_norm,
    hardshrink,
    instance_norm,
    rms_norm,
    rrelu,
    softshrink,
    tanhshrink,
    threshold,
)

# ---------------------------------------------------------------- issue 12: spatial

__all__ += [
    "avg_pool3d",
    "conv_transpose1d",
    "conv_transpose3d",
    "max_pool3d",
    "max_unpool1d",
    "max_unpool2d",
    "max_unpool3d",
]

# max_pool1d and max_pool2d (imported above through ops.conv) are ops.spatial's too
from shaped.ops.spatial import (  # noqa: E402
    avg_pool3d,
    conv_transpose1d,
    conv_transpose3d,
    max_pool3d,
    max_unpool1d,
    max_unpool2d,
    max_unpool3d,
)

# ---------------------------------------------------------------- issue 12: loss

# torch users write F.cross_entropy: the same functions as sh.losses, one implementation
__all__ += [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cosine_embedding_loss",
    "cross_entropy",
    "ctc_loss",
    "gaussian_nll_loss",
    "hinge_embedding_loss",
    "huber_loss",
    "kl_div",
    "l1_loss",
    "margin_ranking_loss",
    "mse_loss",
    "multi_margin_loss",
    "multilabel_soft_margin_loss",
    "nll_loss",
    "poisson_nll_loss",
    "smooth_l1_loss",
    "soft_margin_loss",
    "triplet_margin_loss",
]

from shaped.losses import (  # noqa: E402
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cosine_embedding_loss,
    cross_entropy,
    ctc_loss,
    gaussian_nll_loss,
    hinge_embedding_loss,
    huber_loss,
    kl_div,
    l1_loss,
    margin_ranking_loss,
    mse_loss,
    multi_margin_loss,
    multilabel_soft_margin_loss,
    nll_loss,
    poisson_nll_loss,
    smooth_l1_loss,
    soft_margin_loss,
    triplet_margin_loss,
)
