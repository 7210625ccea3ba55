"""Training utilities, as torch.nn.utils: gradient clipping over a `Gradients`, parameters
to and from one vector, `pad_sequence` (also as `sh.nn.utils.rnn.pad_sequence`) and
gradient checkpointing (`checkpoint`, torch.utils.checkpoint's)."""

from __future__ import annotations

from shaped.nn.utils import rnn
from shaped.nn.utils.checkpoint import checkpoint
from shaped.nn.utils.clip_grad import (
    clip_grad_norm_,
    clip_grad_value_,
    clip_grads_with_norm_,
    get_total_norm,
)
from shaped.nn.utils.convert_parameters import parameters_to_vector, vector_to_parameters
from shaped.nn.utils.rnn import pad_sequence

__all__ = [
    "checkpoint",
    "clip_grad_norm_",
    "clip_grad_value_",
    "clip_grads_with_norm_",
    "get_total_norm",
    "pad_sequence",
    "parameters_to_vector",
    "rnn",
    "vector_to_parameters",
]
