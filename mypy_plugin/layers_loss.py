"""Plugin tables for the loss modules (CrossEntropyLoss, MSELoss, ...) (issue 12).

Merged into modules.py: LAYER_RULES (a layer's output shape from its size type arguments,
without the parameters' dtype PD, and its input shape), SHAPE_KEEPING (layers whose output
has the input's shape), WEIGHT_OPS (the op that meets the parameters first, as the run
time's DtypeError names it). Keys are the classes' full names. This file may not import
modules.py (it imports this one).
"""

from __future__ import annotations

from collections.abc import Callable

from shaped.shapes import Shape

LayerRule = Callable[[list[int | None], Shape], Shape | None]

LAYER_RULES: dict[str, LayerRule] = {}
SHAPE_KEEPING: set[str] = set()
WEIGHT_OPS: dict[str, str] = {}

# A loss module's call, criterion(logits, labels), is checked by its function's hook in
# functions.py (LOSS_HOOKS), with the reduction read from the module's type parameter R:
# class -> (the hook's kind, the function's name, as the run time's messages give it).
LOSS_MODULES: dict[str, tuple[str, str]] = {
    f"shaped.nn.loss.{name}": (kind, op)
    for name, kind, op in [
        ("MSELoss", "pair", "mse_loss"),
        ("L1Loss", "pair", "l1_loss"),
        ("HuberLoss", "pair", "huber_loss"),
        ("SmoothL1Loss", "pair", "smooth_l1_loss"),
        ("BCELoss", "pair", "binary_cross_entropy"),
        ("BCEWithLogitsLoss", "pair", "binary_cross_entropy_with_logits"),
        ("KLDivLoss", "pair", "kl_div"),
        ("SoftMarginLoss", "pair", "soft_margin_loss"),
        ("PoissonNLLLoss", "pair", "poisson_nll_loss"),
        ("HingeEmbeddingLoss", "hinge", "hinge_embedding_loss"),
        ("CrossEntropyLoss", "class", "cross_entropy"),
        ("NLLLoss", "class", "nll_loss"),
        ("MultiMarginLoss", "class", "multi_margin_loss"),
        ("MultiLabelSoftMarginLoss", "multilabel", "multilabel_soft_margin_loss"),
        ("CosineEmbeddingLoss", "cosine", "cosine_embedding_loss"),
        ("MarginRankingLoss", "ranking", "margin_ranking_loss"),
        ("TripletMarginLoss", "triplet", "triplet_margin_loss"),
        ("GaussianNLLLoss", "gaussian", "gaussian_nll_loss"),
        ("CTCLoss", "ctc", "ctc_loss"),
    ]
}
