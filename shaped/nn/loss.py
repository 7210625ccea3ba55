"""Loss modules in torch.nn's style: thin modules over the functions of sh.losses.

`criterion = nn.CrossEntropyLoss(weight=w, label_smoothing=0.1)`, then `criterion(logits,
labels)`. Each module keeps torch's constructor arguments (without the deprecated
size_average/reduce), holds `weight`/`pos_weight` as buffers (in state_dict, moved by `.to`),
and calls the function once. The reduction is the type parameter R (a Literal, "mean" by
default), so both checkers know whether the result is a scalar: under the mypy plugin the
call is checked exactly as the function is (same shape and dtype messages, the input's tape).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, overload
from typing import Literal as L

from typing_extensions import TypeVar

from shaped import losses
from shaped.dtypes import NoTape, OwnedTape
from shaped.nn.module import Module
from shaped.tensor import Tensor

__all__ = [
    "BCELoss",
    "BCEWithLogitsLoss",
    "CTCLoss",
    "CosineEmbeddingLoss",
    "CrossEntropyLoss",
    "GaussianNLLLoss",
    "HingeEmbeddingLoss",
    "HuberLoss",
    "KLDivLoss",
    "L1Loss",
    "MSELoss",
    "MarginRankingLoss",
    "MultiLabelSoftMarginLoss",
    "MultiMarginLoss",
    "NLLLoss",
    "PoissonNLLLoss",
    "SmoothL1Loss",
    "SoftMarginLoss",
    "TripletMarginLoss",
]

R = TypeVar("R", bound=L["mean", "sum", "none"], default=L["mean"])
S = TypeVar("S", bound=tuple[Any, ...])
D = TypeVar("D")
Dev = TypeVar("Dev")
T = TypeVar("T")

Tn = Tensor[Any, Any, Any, Any]
Scalar = tuple[()]
Items = tuple[Any, ...]


class _Loss(Module, Generic[R]):
    """The base of the loss modules: the reduction, checked when the module is made."""

    def __init__(self, reduction: R = "mean") -> None:  # type: ignore[assignment]
        super().__init__()
        if reduction not in ("mean", "sum", "none"):
            raise ValueError(
                f"{type(self).__name__}: reduction must be 'mean', 'sum' or 'none', got "
                f"{reduction!r}"
            )
        self.reduction: R = reduction

    def _weights(self, **tensors: Tn | None) -> None:
        """Optional weight tensors as buffers (None stays a plain attribute, as torch's)."""
        for name, tensor in tensors.items():
            if tensor is not None:
                self.register_buffer(name, tensor)

    def extra_repr(self) -> str:
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


class _PairModule(_Loss[R]):
    """Loss modules called as criterion(input, target), the target of the input's shape."""

    if TYPE_CHECKING:

        @overload
        def __call__(
            self: _PairModule[L["none"]],
            input: Tensor[S, D, Dev, T],
            target: Tensor[Any, D, Dev, NoTape],
        ) -> Tensor[S, D, Dev, T]: ...
        @overload
        def __call__(
            self: _PairModule[L["none"]],
            input: Tensor[S, D, Dev, T],
            target: Tensor[Any, D, Dev, T],
        ) -> Tensor[S, D, Dev, T]: ...
        @overload
        def __call__(
            self: _PairModule[L["none"]],
            input: Tensor[S, D, Dev, Any],
            target: Tensor[Any, D, Dev, OwnedTape],
        ) -> Tensor[S, D, Dev, OwnedTape]: ...
        @overload
        def __call__(
            self, input: Tensor[S, D, Dev, T], target: Tensor[Any, D, Dev, NoTape]
        ) -> Tensor[Scalar, D, Dev, T]: ...
        @overload
        def __call__(
            self, input: Tensor[S, D, Dev, T], target: Tensor[Any, D, Dev, T]
        ) -> Tensor[Scalar, D, Dev, T]: ...
        @overload
        def __call__(
            self, input: Tensor[S, D, Dev, Any], target: Tensor[Any, D, Dev, OwnedTape]
        ) -> Tensor[Scalar, D, Dev, OwnedTape]: ...
        def __call__(self, input: Any, target: Any) -> Any: ...  # pyright: ignore[reportIncompatibleMethodOverride]


class _ClassModule(_Loss[R]):
    """Loss modules over a class axis: reduction "none" gives one loss per item (N, d1, ...)."""

    if TYPE_CHECKING:

        @overload
        def __call__(
            self: _ClassModule[L["none"]],
            input: Tensor[S, D, Dev, T],
            target: Tensor[Any, Any, Dev, NoTape],
        ) -> Tensor[Items, D, Dev, T]: ...
        @overload
        def __call__(
            self: _ClassModule[L["none"]],
            input: Tensor[S, D, Dev, T],
            target: Tensor[Any, Any, Dev, T],
        ) -> Tensor[Items, D, Dev, T]: ...
        @overload
        def __call__(
            self: _ClassModule[L["none"]],
            input: Tensor[S, D, Dev, Any],
            target: Tensor[Any, Any, Dev, OwnedTape],
        ) -> Tensor[Items, D, Dev, OwnedTape]: ...
        @overload
        def __call__(
            self, input: Tensor[S, D, Dev, T], target: Tensor[Any, Any, Dev, NoTape]
        ) -> Tensor[Scalar, D, Dev, T]: ...
        @overload
        def __call__(
            self, input: Tensor[S, D, Dev, T], target: Tensor[Any, Any, Dev, T]
        ) -> Tensor[Scalar, D, Dev, T]: ...
        @overload
        def __call__(
            self, input: Tensor[S, D, Dev, Any], target: Tensor[Any, Any, Dev, OwnedTape]
        ) -> Tensor[Scalar, D, Dev, OwnedTape]: ...
        def __call__(self, input: Any, target: Any) -> Any: ...  # pyright: ignore[reportIncompatibleMethodOverride]


# ---------------------------------------------------------------- input and target


class MSELoss(_PairModule[R]):
    """torch.nn.MSELoss: mean((input - target) ** 2)."""

    def forward(self, input: Tn, target: Tn) -> Any:
        return losses.mse_loss(input, target, self.reduction)


class L1Loss(_PairModule[R]):
    """torch.nn.L1Loss: mean(|input - target|)."""

    def forward(self, input: Tn, target: Tn) -> Any:
        return losses.l1_loss(input, target, self.reduction)


class HuberLoss(_PairModule[R]):
    """torch.nn.HuberLoss(reduction="mean", delta=1.0)."""

    def __init__(self, reduction: R = "mean", delta: float = 1.0) -> None:  # type: ignore[assignment]
        super().__init__(reduction)
        self.delta = delta

    def forward(self, input: Tn, target: Tn) -> Any:
        return losses.huber_loss(input, target, self.reduction, delta=self.delta)


class SmoothL1Loss(_PairModule[R]):
    """torch.nn.SmoothL1Loss(reduction="mean", beta=1.0)."""

    def __init__(self, reduction: R = "mean", beta: float = 1.0) -> None:  # type: ignore[assignment]
        super().__init__(reduction)
        self.beta = beta

    def forward(self, input: Tn, target: Tn) -> Any:
        return losses.smooth_l1_loss(input, target, self.reduction, beta=self.beta)


class BCELoss(_PairModule[R]):
    """torch.nn.BCELoss(weight=None, reduction="mean"): probabilities in [0, 1] in; `weight`
    (a buffer) broadcasts to them."""

    def __init__(self, weight: Tn | None = None, *, reduction: R = "mean") -> None:  # type: ignore[assignment]
        super().__init__(reduction)
        self.weight: Tn | None = None
        self._weights(weight=weight)

    def forward(self, input: Tn, target: Tn) -> Any:
        return losses.binary_cross_entropy(input, target, self.reduction, weight=self.weight)


class BCEWithLogitsLoss(_PairModule[R]):
    """torch.nn.BCEWithLogitsLoss(weight=None, reduction="mean", pos_weight=None): logits in;
    `weight` and `pos_weight` (per class, e.g. (C,)) are buffers."""

    def __init__(
        self,
        weight: Tn | None = None,
        *,
        reduction: R = "mean",  # type: ignore[assignment]
        pos_weight: Tn | None = None,
    ) -> None:
        super().__init__(reduction)
        self.weight: Tn | None = None
        self.pos_weight: Tn | None = None
        self._weights(weight=weight, pos_weight=pos_weight)

    def forward(self, input: Tn, target: Tn) -> Any:
        return losses.binary_cross_entropy_with_logits(
            input, target, self.reduction, weight=self.weight, pos_weight=self.pos_weight
        )


class KLDivLoss(_PairModule[R]):
    """torch.nn.KLDivLoss(reduction="mean", log_target=False): `input` holds log-probabilities,
    the target probabilities (log-probabilities with log_target=True). "mean" averages over
    every element, as torch's default; torch's "batchmean" is `reduction="sum"` divided by the
    batch size."""

    def __init__(self, reduction: R = "mean", log_target: bool = False) -> None:  # type: ignore[assignment]
        super().__init__(reduction)
        self.log_target = log_target

    def forward(self, input: Tn, target: Tn) -> Any:
        return losses.kl_div(input, target, self.reduction, log_target=self.log_target)


class SoftMarginLoss(_PairModule[R]):
    """torch.nn.SoftMarginLoss: log(1 + exp(-target * input)), targets of 1 and -1."""

    def forward(self, input: Tn, target: Tn) -> Any:
        return losses.soft_margin_loss(input, target, self.reduction)


class HingeEmbeddingLoss(_PairModule[R]):
    """torch.nn.HingeEmbeddingLoss(margin=1.0): input where target is 1, max(0, margin -
    input) where it is -1."""

    def __init__(self, margin: float = 1.0, *, reduction: R = "mean") -> None:  # type: ignore[assignment]
        super().__init__(reduction)
        self.margin = margin

    def forward(self, input: Tn, target: Tn) -> Any:
        return losses.hinge_embedding_loss(input, target, self.margin, self.reduction)


class PoissonNLLLoss(_PairModule[R]):
    """torch.nn.PoissonNLLLoss(log_input=True, full=False, eps=1e-8, reduction="mean")."""

    def __init__(
        self,
        log_input: bool = True,
        full: bool = False,
        *,
        eps: float = 1e-8,
        reduction: R = "mean",  # type: ignore[assignment]
    ) -> None:
        super().__init__(reduction)
        self.log_input, self.full, self.eps = log_input, full, eps

    def forward(self, input: Tn, target: Tn) -> Any:
        return losses.poisson_nll_loss(
            input, target, self.log_input, self.full, self.eps, self.reduction
        )


# ---------------------------------------------------------------- class axis


class CrossEntropyLoss(_ClassModule[R]):
    """torch.nn.CrossEntropyLoss(weight=None, ignore_index=-100, reduction="mean",
    label_smoothing=0.0): logits (N, C, d1, ...) or (C,) with class indices (N, d1, ...) or
    probabilities; `weight` (C,) is a buffer. See sh.losses.cross_entropy."""

    def __init__(
        self,
        weight: Tn | None = None,
        *,
        ignore_index: int = -100,
        reduction: R = "mean",  # type: ignore[assignment]
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(reduction)
        self.weight: Tn | None = None
        self._weights(weight=weight)
        self.ignore_index, self.label_smoothing = ignore_index, label_smoothing

    def forward(self, input: Tn, target: Tn) -> Any:
        return losses.cross_entropy(
            input,
            target,
            self.reduction,
            weight=self.weight,
            ignore_index=self.ignore_index,
            label_smoothing=self.label_smoothing,
        )


class NLLLoss(_ClassModule[R]):
    """torch.nn.NLLLoss(weight=None, ignore_index=-100, reduction="mean"): log-probabilities
    (N, C, d1, ...) with class indices (N, d1, ...); `weight` (C,) is a buffer."""

    def __init__(
        self,
        weight: Tn | None = None,
        *,
        ignore_index: int = -100,
        reduction: R = "mean",  # type: ignore[assignment]
    ) -> None:
        super().__init__(reduction)
        self.weight: Tn | None = None
        self._weights(weight=weight)
        self.ignore_index = ignore_index

    def forward(self, input: Tn, target: Tn) -> Any:
        return losses.nll_loss(
            input, target, self.reduction, weight=self.weight, ignore_index=self.ignore_index
        )


class MultiMarginLoss(_ClassModule[R]):
    """torch.nn.MultiMarginLoss(p=1, margin=1.0, weight=None): input (N, C), class indices (N,)."""

    def __init__(
        self,
        p: int = 1,
        margin: float = 1.0,
        weight: Tn | None = None,
        *,
        reduction: R = "mean",  # type: ignore[assignment]
    ) -> None:
        super().__init__(reduction)
        if p not in (1, 2):
            raise ValueError(f"MultiMarginLoss: only p == 1 and p == 2 are supported, got {p}")
        self.p, self.margin = p, margin
        self.weight: Tn | None = None
        self._weights(weight=weight)

    def forward(self, input: Tn, target: Tn) -> Any:
        return losses.multi_margin_loss(
            input, target, self.p, self.margin, self.weight, self.reduction
        )


class MultiLabelSoftMarginLoss(_ClassModule[R]):
    """torch.nn.MultiLabelSoftMarginLoss(weight=None): input and 0/1 targets (N, C), one loss
    per row; `weight` (C,) is a buffer."""

    def __init__(self, weight: Tn | None = None, *, reduction: R = "mean") -> None:  # type: ignore[assignment]
        super().__init__(reduction)
        self.weight: Tn | None = None
        self._weights(weight=weight)

    def forward(self, input: Tn, target: Tn) -> Any:
        return losses.multilabel_soft_margin_loss(input, target, self.weight, self.reduction)


# ---------------------------------------------------------------- more operands
# Pure typing leaves the tape of these open (Any); the mypy plugin computes it.


class CosineEmbeddingLoss(_Loss[R]):
    """torch.nn.CosineEmbeddingLoss(margin=0.0): criterion(input1, input2, target)."""

    def __init__(self, margin: float = 0.0, *, reduction: R = "mean") -> None:  # type: ignore[assignment]
        super().__init__(reduction)
        self.margin = margin

    if TYPE_CHECKING:

        @overload
        def __call__(
            self: CosineEmbeddingLoss[L["none"]],
            input1: Tensor[Any, D, Dev, Any],
            input2: Tensor[Any, D, Dev, Any],
            target: Tensor[Any, Any, Dev, Any],
        ) -> Tensor[Items, D, Dev, Any]: ...
        @overload
        def __call__(
            self,
            input1: Tensor[Any, D, Dev, Any],
            input2: Tensor[Any, D, Dev, Any],
            target: Tensor[Any, Any, Dev, Any],
        ) -> Tensor[Scalar, D, Dev, Any]: ...
        def __call__(self, input1: Any, input2: Any, target: Any) -> Any: ...  # pyright: ignore[reportIncompatibleMethodOverride]

    def forward(self, input1: Tn, input2: Tn, target: Tn) -> Any:
        return losses.cosine_embedding_loss(input1, input2, target, self.margin, self.reduction)


class MarginRankingLoss(_Loss[R]):
    """torch.nn.MarginRankingLoss(margin=0.0): criterion(input1, input2, target)."""

    def __init__(self, margin: float = 0.0, *, reduction: R = "mean") -> None:  # type: ignore[assignment]
        super().__init__(reduction)
        self.margin = margin

    if TYPE_CHECKING:

        @overload
        def __call__(
            self: MarginRankingLoss[L["none"]],
            input1: Tensor[Any, D, Dev, Any],
            input2: Tensor[Any, D, Dev, Any],
            target: Tensor[Any, D, Dev, Any],
        ) -> Tensor[Items, D, Dev, Any]: ...
        @overload
        def __call__(
            self,
            input1: Tensor[Any, D, Dev, Any],
            input2: Tensor[Any, D, Dev, Any],
            target: Tensor[Any, D, Dev, Any],
        ) -> Tensor[Scalar, D, Dev, Any]: ...
        def __call__(self, input1: Any, input2: Any, target: Any) -> Any: ...  # pyright: ignore[reportIncompatibleMethodOverride]

    def forward(self, input1: Tn, input2: Tn, target: Tn) -> Any:
        return losses.margin_ranking_loss(input1, input2, target, self.margin, self.reduction)


class TripletMarginLoss(_Loss[R]):
    """torch.nn.TripletMarginLoss(margin=1.0, p=2.0, eps=1e-6, swap=False):
    criterion(anchor, positive, negative)."""

    def __init__(
        self,
        margin: float = 1.0,
        p: float = 2.0,
        eps: float = 1e-6,
        swap: bool = False,
        *,
        reduction: R = "mean",  # type: ignore[assignment]
    ) -> None:
        super().__init__(reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginLoss: margin must be greater than 0, got {margin}")
        self.margin, self.p, self.eps, self.swap = margin, p, eps, swap

    if TYPE_CHECKING:

        @overload
        def __call__(
            self: TripletMarginLoss[L["none"]],
            anchor: Tensor[Any, D, Dev, Any],
            positive: Tensor[Any, D, Dev, Any],
            negative: Tensor[Any, D, Dev, Any],
        ) -> Tensor[Items, D, Dev, Any]: ...
        @overload
        def __call__(
            self,
            anchor: Tensor[Any, D, Dev, Any],
            positive: Tensor[Any, D, Dev, Any],
            negative: Tensor[Any, D, Dev, Any],
        ) -> Tensor[Scalar, D, Dev, Any]: ...
        def __call__(self, anchor: Any, positive: Any, negative: Any) -> Any: ...  # pyright: ignore[reportIncompatibleMethodOverride]

    def forward(self, anchor: Tn, positive: Tn, negative: Tn) -> Any:
        return losses.triplet_margin_loss(
            anchor, positive, negative, self.margin, self.p, self.eps, self.swap, self.reduction
        )


class GaussianNLLLoss(_Loss[R]):
    """torch.nn.GaussianNLLLoss(full=False, eps=1e-6, reduction="mean"):
    criterion(input, target, var)."""

    def __init__(
        self,
        *,
        full: bool = False,
        eps: float = 1e-6,
        reduction: R = "mean",  # type: ignore[assignment]
    ) -> None:
        super().__init__(reduction)
        self.full, self.eps = full, eps

    if TYPE_CHECKING:

        @overload
        def __call__(
            self: GaussianNLLLoss[L["none"]],
            input: Tensor[Any, D, Dev, Any],
            target: Tensor[Any, D, Dev, Any],
            var: Tensor[Any, D, Dev, Any] | float,
        ) -> Tensor[Items, D, Dev, Any]: ...
        @overload
        def __call__(
            self,
            input: Tensor[Any, D, Dev, Any],
            target: Tensor[Any, D, Dev, Any],
            var: Tensor[Any, D, Dev, Any] | float,
        ) -> Tensor[Scalar, D, Dev, Any]: ...
        def __call__(self, input: Any, target: Any, var: Any) -> Any: ...  # pyright: ignore[reportIncompatibleMethodOverride]

    def forward(self, input: Tn, target: Tn, var: Any) -> Any:
        return losses.gaussian_nll_loss(input, target, var, self.full, self.eps, self.reduction)


class CTCLoss(_Loss[R]):
    """torch.nn.CTCLoss(blank=0, reduction="mean", zero_infinity=False):
    criterion(log_probs, targets, input_lengths, target_lengths), log_probs (T, N, C)."""

    def __init__(
        self,
        blank: int = 0,
        reduction: R = "mean",  # type: ignore[assignment]
        zero_infinity: bool = False,
    ) -> None:
        super().__init__(reduction)
        self.blank, self.zero_infinity = blank, zero_infinity

    if TYPE_CHECKING:

        @overload
        def __call__(
            self: CTCLoss[L["none"]],
            log_probs: Tensor[Any, D, Dev, T],
            targets: Tensor[Any, Any, Dev, Any],
            input_lengths: Any,
            target_lengths: Any,
        ) -> Tensor[Items, D, Dev, T]: ...
        @overload
        def __call__(
            self,
            log_probs: Tensor[Any, D, Dev, T],
            targets: Tensor[Any, Any, Dev, Any],
            input_lengths: Any,
            target_lengths: Any,
        ) -> Tensor[Scalar, D, Dev, T]: ...
        def __call__(  # pyright: ignore[reportIncompatibleMethodOverride]
            self, log_probs: Any, targets: Any, input_lengths: Any, target_lengths: Any
        ) -> Any: ...

    def forward(self, log_probs: Tn, targets: Tn, input_lengths: Any, target_lengths: Any) -> Any:
        return losses.ctc_loss(
            log_probs,
            targets,
            input_lengths,
            target_lengths,
            self.blank,
            self.reduction,
            self.zero_infinity,
        )
