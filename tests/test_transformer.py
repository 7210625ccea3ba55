"""The transformer stacks against torch.nn: TransformerEncoder, TransformerDecoderLayer,
TransformerDecoder and the masks (torch's conventions), loaded from torch's state_dicts;
values and gradients of every parameter and input, training steps, and bad input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import shaped as sh
from shaped import nn, optim
from tests.oracle import tolerance

dev = sh.Cpu()
DTYPES = {np.float64: sh.Float64, np.float32: sh.Float32}
TORCH = {np.float64: torch.float64, np.float32: torch.float32}
both_dtypes = pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])


def load_from(theirs: torch.nn.Module, ours: nn.Module) -> None:
    """torch's state_dict loaded into ours, as a user would do it."""
    result = ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    assert not result.missing_keys and not result.unexpected_keys


def data(*shape: int, dtype: Any = np.float64, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def compare(
    ours: nn.Module,
    theirs: torch.nn.Module,
    inputs: list[np.ndarray],
    call: Callable[..., Any],
    torch_call: Callable[..., Any],
    scale: float = 1.0,
) -> None:
    """Forward values, then the gradients of every parameter and float input, against torch."""
    load_from(theirs, ours)
    grads = ours.alloc_grads()
    mine = [dev.tensor(a).traced(grads) for a in inputs]
    ref_in = [torch.tensor(a, requires_grad=True) for a in inputs]
    out = call(*mine)
    ref = torch_call(*ref_in)
    expected = ref.detach().numpy()
    rtol, atol = tolerance(expected.dtype)
    rtol, atol = rtol * scale, atol * scale
    assert out.shape == expected.shape and out.numpy().dtype == expected.dtype
    np.testing.assert_allclose(out.numpy(), expected, rtol=rtol, atol=atol, err_msg="forward")
    upstream = np.random.default_rng(0).standard_normal(expected.shape).astype(expected.dtype)
    (ref * torch.from_numpy(upstream)).sum().backward()
    got = (out * dev.tensor(upstream)).sum().backward()
    their_params = dict(theirs.named_parameters())
    assert [name for name, _ in ours.named_parameters()] == list(their_params)
    for name, param in ours.named_parameters():
        reference = their_params[name].grad
        want = np.zeros(param.shape) if reference is None else reference.numpy()
        have = got[param].numpy() if param in got else np.zeros(param.shape)
        np.testing.assert_allclose(have, want, rtol=rtol, atol=atol, err_msg=name)
    for i, (tensor, reference) in enumerate(zip(mine, ref_in)):
        assert reference.grad is not None
        np.testing.assert_allclose(
            got[tensor].numpy(), reference.grad.numpy(), rtol=rtol, atol=atol, err_msg=f"x{i}"
        )


def encoders(dtype: Any, **options: Any) -> tuple[nn.TransformerEncoder[Any, Any, Any, Any], Any]:
    """Our 2-layer encoder and torch's, eval mode (dropout off), with torch's options."""
    norm = options.pop("final_norm", False)
    batch_first = options.pop("batch_first", True)
    theirs = torch.nn.TransformerEncoder(
        torch.nn.TransformerEncoderLayer(
            8, 2, 16, batch_first=batch_first, dtype=TORCH[dtype], **options
        ),
        2,
        norm=torch.nn.LayerNorm(8, dtype=TORCH[dtype]) if norm else None,
        enable_nested_tensor=False,
    )
    layer = nn.TransformerEncoderLayer(
        8, 2, 16, batch_first=batch_first, dtype=DTYPES[dtype], **options
    )
    ours = nn.TransformerEncoder(
        layer, 2, norm=nn.LayerNorm(8, dtype=DTYPES[dtype]) if norm else None
    )
    return ours.eval(), theirs.eval()


# ---------------------------------------------------------------- encoder


ENCODER_VARIANTS: dict[str, dict[str, Any]] = {
    "default": {},
    "norm-first-gelu": {"norm_first": True, "activation": "gelu"},
    "seq-first": {"batch_first": False},
    "no-bias-final-norm": {"bias": False, "final_norm": True},
    "eps": {"layer_norm_eps": 1e-3},
}


@both_dtypes
@pytest.mark.parametrize("variant", list(ENCODER_VARIANTS))
def test_encoder_matches_torch(variant: str, dtype: Any) -> None:
    ours, theirs = encoders(dtype, **ENCODER_VARIANTS[variant])
    x = data(2, 5, 8, dtype=dtype)
    compare(ours, theirs, [x], ours, theirs)


@both_dtypes
@pytest.mark.parametrize(
    "kind", ["bool", "float-causal", "float-additive", "per-head", "is-causal", "shaped-mask"]
)
def test_encoder_masks_match_torch(kind: str, dtype: Any) -> None:
    ours, theirs = encoders(dtype)
    x = data(2, 5, 8, dtype=dtype)
    rng = np.random.default_rng(5)
    causal = np.triu(np.ones((5, 5), dtype=bool), 1)  # torch's: True = masked
    if kind == "bool":
        blocked = rng.random((5, 5)) < 0.4
        blocked[:, 0] = False  # every query may attend somewhere
        mask, ours_mask = torch.from_numpy(blocked), dev.tensor(blocked)
    elif kind == "float-causal":
        mask = torch.nn.Transformer.generate_square_subsequent_mask(5, dtype=TORCH[dtype])
        ours_mask = nn.generate_square_subsequent_mask(5, dtype=DTYPES[dtype])
        np.testing.assert_array_equal(ours_mask.numpy(), mask.numpy())
    elif kind == "float-additive":
        bias = rng.standard_normal((5, 5)).astype(dtype)
        mask, ours_mask = torch.from_numpy(bias), dev.tensor(bias)
    elif kind == "per-head":
        blocked = rng.random((2 * 2, 5, 5)) < 0.4
        blocked[..., 0] = False
        mask, ours_mask = torch.from_numpy(blocked), dev.tensor(blocked)
    if kind == "is-causal":
        torch_mask = torch.from_numpy(causal)
        compare(
            ours,
            theirs,
            [x],
            lambda t: ours(t, is_causal=True),
            lambda t: theirs(t, mask=torch_mask, is_causal=True),
        )
    elif kind == "shaped-mask":  # shaped's convention at the layer: True = may attend
        layer = ours.layers[0]
        compare(
            layer,
            theirs.layers[0],
            [x],
            lambda t: layer(t, mask=dev.tensor(~causal)),
            lambda t: theirs.layers[0](t, src_mask=torch.from_numpy(causal)),
        )
    else:
        compare(ours, theirs, [x], lambda t: ours(t, ours_mask), lambda t: theirs(t, mask))


@pytest.mark.filterwarnings("ignore:Support for mismatched")
@both_dtypes
@pytest.mark.parametrize("kind", ["bool", "float", "with-causal", "all-padded"])
def test_encoder_key_padding_matches_torch(kind: str, dtype: Any) -> None:
    ours, theirs = encoders(dtype)
    x = data(3, 5, 8, dtype=dtype)
    padded = np.zeros((3, 5), dtype=bool)
    padded[1, 3:] = True
    padded[2, 1:] = True
    if kind == "all-padded":  # a query that may attend to nothing: zeros, as torch
        padded[0] = True
    if kind == "float":
        additive = np.where(padded, -np.inf, 0.0).astype(dtype)
        additive[0, 2] = -1.5  # a float mask is added, not only -inf
        pad_t, pad_o = torch.from_numpy(additive), dev.tensor(additive)
    else:
        pad_t, pad_o = torch.from_numpy(padded), dev.tensor(padded)
    causal = nn.generate_square_subsequent_mask(5, dtype=DTYPES[dtype])
    causal_t = torch.nn.Transformer.generate_square_subsequent_mask(5, dtype=TORCH[dtype])
    if kind == "with-causal":
        compare(
            ours,
            theirs,
            [x],
            lambda t: ours(t, causal, src_key_padding_mask=pad_o),
            lambda t: theirs(t, causal_t, src_key_padding_mask=pad_t),
        )
    else:
        compare(
            ours,
            theirs,
            [x],
            lambda t: ours(t, src_key_padding_mask=pad_o),
            lambda t: theirs(t, src_key_padding_mask=pad_t),
        )


def test_a_traced_float_mask_gets_its_gradient() -> None:
    """A float mask is added to the scores as an op: a learned bias gets torch's gradient."""
    ours, theirs = encoders(np.float64)
    x = data(2, 4, 8)
    bias = data(4, 4, seed=9)
    load_from(theirs, ours)
    grads = ours.alloc_grads()
    mine = dev.tensor(bias).traced(grads)
    ours(dev.tensor(x), mine).sum().backward()
    reference = torch.tensor(bias, requires_grad=True)
    theirs(torch.from_numpy(x), reference).sum().backward()
    assert reference.grad is not None
    np.testing.assert_allclose(grads[mine].numpy(), reference.grad.numpy(), rtol=1e-6, atol=1e-9)


def test_unbatched_encoder_matches_torch() -> None:
    ours, theirs = encoders(np.float64)
    x = data(5, 8)
    pad = np.array([False, False, False, True, True])
    compare(
        ours,
        theirs,
        [x],
        lambda t: ours(t, src_key_padding_mask=dev.tensor(pad)),
        lambda t: theirs(t, src_key_padding_mask=torch.from_numpy(pad)),
    )


@settings(max_examples=20, deadline=None)
@given(
    n=st.integers(0, 3),
    length=st.integers(1, 4),
    seq_first=st.booleans(),
    dtype=st.sampled_from([np.float64, np.float32]),
)
def test_encoder_shapes_match_torch(n: int, length: int, seq_first: bool, dtype: Any) -> None:
    ours, theirs = encoders(dtype, batch_first=not seq_first)
    x = data(length, n, 8, dtype=dtype) if seq_first else data(n, length, 8, dtype=dtype)
    causal = nn.generate_square_subsequent_mask(length, dtype=DTYPES[dtype])
    causal_t = torch.nn.Transformer.generate_square_subsequent_mask(length, dtype=TORCH[dtype])
    compare(ours, theirs, [x], lambda t: ours(t, causal), lambda t: theirs(t, causal_t))


def test_encoder_copies_the_layer_as_torch_does() -> None:
    layer = nn.TransformerEncoderLayer(16, 4, 32)
    stack = nn.TransformerEncoder(layer, 3)
    theirs = torch.nn.TransformerEncoder(
        torch.nn.TransformerEncoderLayer(16, 4, 32, batch_first=True), 3
    )
    names = [name for name, _ in stack.named_parameters()]
    assert names == [name for name, _ in theirs.named_parameters()]
    assert names[0] == "layers.0.self_attn.in_proj_weight"
    assert stack.num_params() == sum(p.numel() for p in theirs.parameters())
    first, second = stack.layers[0], stack.layers[1]
    assert first is not layer and first is not second
    assert first.linear1.weight is not second.linear1.weight
    np.testing.assert_array_equal(first.linear1.weight.numpy(), layer.linear1.weight.numpy())
    first.linear1.weight._data[...] = 0.0  # each copy owns its data
    assert second.linear1.weight.numpy().any() and layer.linear1.weight.numpy().any()
    grads = stack.alloc_grads()
    grads = (stack(dev.randn((2, 3, 16)).traced(grads)) ** 2).sum().backward()
    for one, two in zip(stack.layers[1].parameters(), stack.layers[2].parameters()):
        assert one in grads and two in grads  # each copy's own gradient, not a shared one
        assert not np.allclose(grads[one].numpy(), grads[two].numpy())
    assert all(m.training is False for m in stack.eval().modules())


# ---------------------------------------------------------------- decoder


def decoders(dtype: Any, num_layers: int = 0, **options: Any) -> tuple[nn.Module, torch.nn.Module]:
    """Our decoder layer (num_layers 0) or stack and torch's, eval mode."""
    batch_first = options.pop("batch_first", True)
    norm = options.pop("final_norm", False)
    theirs_layer = torch.nn.TransformerDecoderLayer(
        8, 2, 16, batch_first=batch_first, dtype=TORCH[dtype], **options
    )
    layer = nn.TransformerDecoderLayer(
        8, 2, 16, batch_first=batch_first, dtype=DTYPES[dtype], **options
    )
    if not num_layers:
        return layer.eval(), theirs_layer.eval()
    theirs = torch.nn.TransformerDecoder(
        theirs_layer, num_layers, norm=torch.nn.LayerNorm(8, dtype=TORCH[dtype]) if norm else None
    )
    ours = nn.TransformerDecoder(
        layer, num_layers, norm=nn.LayerNorm(8, dtype=DTYPES[dtype]) if norm else None
    )
    return ours.eval(), theirs.eval()


DECODER_VARIANTS: dict[str, dict[str, Any]] = {
    "layer": {},
    "layer-norm-first-gelu": {"norm_first": True, "activation": "gelu"},
    "layer-seq-first-no-bias": {"batch_first": False, "bias": False},
    "stack": {"num_layers": 2},
    "stack-final-norm-norm-first": {"num_layers": 2, "final_norm": True, "norm_first": True},
    "stack-seq-first": {"num_layers": 2, "batch_first": False},
}


@both_dtypes
@pytest.mark.parametrize("variant", list(DECODER_VARIANTS))
def test_decoder_matches_torch(variant: str, dtype: Any) -> None:
    options = dict(DECODER_VARIANTS[variant])
    seq_first = options.get("batch_first") is False
    ours, theirs = decoders(dtype, **options)
    tgt = data(4, 2, 8, dtype=dtype) if seq_first else data(2, 4, 8, dtype=dtype)
    memory = data(6, 2, 8, dtype=dtype, seed=2) if seq_first else data(2, 6, 8, dtype=dtype, seed=2)
    compare(ours, theirs, [tgt, memory], ours, theirs)


@pytest.mark.filterwarnings("ignore:Support for mismatched")
@both_dtypes
@pytest.mark.parametrize("stack", [False, True], ids=["layer", "stack"])
def test_decoder_masks_match_torch(stack: bool, dtype: Any) -> None:
    ours, theirs = decoders(dtype, num_layers=2 if stack else 0)
    tgt, memory = data(3, 4, 8, dtype=dtype), data(3, 6, 8, dtype=dtype, seed=2)
    rng = np.random.default_rng(3)
    tgt_pad = np.zeros((3, 4), dtype=bool)
    tgt_pad[1, 3:] = True
    memory_pad = np.zeros((3, 6), dtype=bool)
    memory_pad[0, 4:] = True
    memory_pad[2, 1:] = True
    memory_mask = (rng.random((3 * 2, 4, 6)) < 0.3) & ~np.eye(4, 6, dtype=bool)
    causal = nn.generate_square_subsequent_mask(4, dtype=DTYPES[dtype])
    causal_t = torch.nn.Transformer.generate_square_subsequent_mask(4, dtype=TORCH[dtype])
    compare(
        ours,
        theirs,
        [tgt, memory],
        lambda t, m: ours(
            t,
            m,
            tgt_mask=causal,
            memory_mask=dev.tensor(memory_mask),
            tgt_key_padding_mask=dev.tensor(tgt_pad),
            memory_key_padding_mask=dev.tensor(memory_pad),
        ),
        lambda t, m: theirs(
            t,
            m,
            tgt_mask=causal_t,
            memory_mask=torch.from_numpy(memory_mask),
            tgt_key_padding_mask=torch.from_numpy(tgt_pad),
            memory_key_padding_mask=torch.from_numpy(memory_pad),
        ),
    )


def test_decoder_is_causal_masks_the_future() -> None:
    """tgt_is_causal=True alone builds the causal mask (torch needs it passed as well)."""
    ours, theirs = decoders(np.float64, num_layers=2)
    tgt, memory = data(2, 4, 8), data(2, 3, 8, seed=2)
    causal_t = torch.nn.Transformer.generate_square_subsequent_mask(4, dtype=torch.float64)
    compare(
        ours,
        theirs,
        [tgt, memory],
        lambda t, m: ours(t, m, tgt_is_causal=True),
        lambda t, m: theirs(t, m, tgt_mask=causal_t, tgt_is_causal=True),
    )


def test_unbatched_decoder_matches_torch() -> None:
    ours, theirs = decoders(np.float64, num_layers=2)
    compare(ours, theirs, [data(4, 8), data(3, 8, seed=2)], ours, theirs)


def test_decoder_names_and_defaults_are_torchs() -> None:
    layer = nn.TransformerDecoderLayer(16, 4)
    theirs = torch.nn.TransformerDecoderLayer(16, 4, batch_first=True)
    assert [n for n, _ in layer.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert layer.num_params() == sum(p.numel() for p in theirs.parameters())
    assert layer.linear1.out_features == 2048 and layer.dropout3.p == 0.1
    stack = nn.TransformerDecoder(layer, 2, norm=nn.LayerNorm(16))
    torch_stack = torch.nn.TransformerDecoder(theirs, 2, norm=torch.nn.LayerNorm(16))
    assert [n for n, _ in stack.named_parameters()] == [
        n for n, _ in torch_stack.named_parameters()
    ]


def test_initial_weights_follow_torchs_distributions() -> None:
    layer = nn.TransformerDecoderLayer(64, 4, 256, device=sh.Cpu(seed=0))
    bound = np.sqrt(6.0 / (4 * 64))  # xavier-uniform of (3E, E)
    weight = layer.multihead_attn.in_proj_weight.numpy()
    assert np.abs(weight).max() <= bound and np.abs(weight).max() > 0.9 * bound
    assert not layer.multihead_attn.in_proj_bias.numpy().any()  # type: ignore[union-attr]
    assert np.abs(layer.linear2.weight.numpy()).max() <= 1 / 16


# ---------------------------------------------------------------- training


@pytest.mark.parametrize("model", ["encoder", "decoder"])
def test_training_steps_match_torch(model: str) -> None:
    """Train mode with dropout 0: Adam steps on our model and torch's stay together."""
    if model == "encoder":
        theirs: torch.nn.Module = torch.nn.TransformerEncoder(
            torch.nn.TransformerEncoderLayer(
                8, 2, 16, dropout=0.0, batch_first=True, dtype=torch.float64
            ),
            2,
            enable_nested_tensor=False,
        )
        ours: nn.Module = nn.TransformerEncoder(
            nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, dtype=sh.Float64), 2
        )
    else:
        theirs = torch.nn.TransformerDecoder(
            torch.nn.TransformerDecoderLayer(
                8, 2, 16, dropout=0.0, batch_first=True, dtype=torch.float64
            ),
            2,
        )
        ours = nn.TransformerDecoder(
            nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, dtype=sh.Float64), 2
        )
    load_from(theirs, ours)
    adam = optim.Adam(ours, lr=1e-2)
    torch_adam = torch.optim.Adam(theirs.parameters(), lr=1e-2)
    x, memory, target = data(2, 5, 8), data(2, 3, 8, seed=2), data(2, 5, 8, seed=3)
    causal = nn.generate_square_subsequent_mask(5, dtype=sh.Float64)
    causal_t = torch.nn.Transformer.generate_square_subsequent_mask(5, dtype=torch.float64)
    for _ in range(3):
        grads = ours.alloc_grads()
        source = dev.tensor(x).traced(grads)
        if model == "encoder":
            out = ours(source, causal)
            ref = theirs(torch.from_numpy(x), causal_t)
        else:
            out = ours(source, dev.tensor(memory), tgt_mask=causal)
            ref = theirs(torch.from_numpy(x), torch.from_numpy(memory), tgt_mask=causal_t)
        loss = sh.losses.mse_loss(out, dev.tensor(target))
        adam.update(ours, loss.backward())
        torch_adam.zero_grad()
        torch.nn.functional.mse_loss(ref, torch.from_numpy(target)).backward()
        torch_adam.step()
        np.testing.assert_allclose(
            loss.item(),
            torch.nn.functional.mse_loss(ref, torch.from_numpy(target)).item(),
            rtol=1e-9,
        )
    state = theirs.state_dict()
    for name, param in ours.named_parameters():
        np.testing.assert_allclose(param.numpy(), state[name].numpy(), rtol=1e-7, atol=1e-9)


def test_dropout_is_active_in_training_only() -> None:
    stack = nn.TransformerDecoder(nn.TransformerDecoderLayer(8, 2, 16, dropout=0.5), 2)
    tgt, memory = dev.randn((2, 4, 8)), dev.randn((2, 3, 8))
    assert not np.allclose(stack(tgt, memory).numpy(), stack(tgt, memory).numpy())
    stack.eval()
    np.testing.assert_array_equal(stack(tgt, memory).numpy(), stack(tgt, memory).numpy())


# ---------------------------------------------------------------- bad input


def test_bad_masks_are_clear_errors() -> None:
    encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), 1)
    layer = encoder.layers[0]
    x = dev.randn((2, 5, 8))
    with pytest.raises(sh.ShapeError, match=r"src_mask must be \(L, S\) = \(5, 5\) or "):
        encoder(x, dev.zeros((4, 5), dtype=sh.Bool))
    with pytest.raises(
        sh.ShapeError, match=r"\(N\*num_heads, L, S\) = \(4, 5, 5\), got \(2, 5, 5\)"
    ):
        encoder(x, dev.zeros((2, 5, 5), dtype=sh.Bool))
    with pytest.raises(sh.ShapeError, match=r"src_key_padding_mask must be \(N, S\) = \(2, 5\)"):
        encoder(x, src_key_padding_mask=dev.zeros((5, 2), dtype=sh.Bool))
    with pytest.raises(sh.DtypeError, match=r"src_mask must be Bool .* or a float mask"):
        encoder(x, dev.zeros((5, 5), dtype=sh.Int64))
    with pytest.raises(sh.DtypeError, match=r"float src_mask must have the input's dtype Float32"):
        encoder(x, dev.zeros((5, 5), dtype=sh.Float64))
    with pytest.raises(ValueError, match="not both"):
        layer(x, dev.zeros((5, 5), dtype=sh.Bool), mask=dev.ones((5, 5), dtype=sh.Bool))
    with pytest.raises(sh.DtypeError, match="mask must be Bool, True where a query may attend"):
        layer(x, mask=dev.zeros((5, 5)))
    with pytest.raises(sh.ShapeError, match=r"TransformerEncoderLayer\[8, \.\.\.\] expects"):
        encoder(dev.randn((2, 5, 4)))


def test_bad_decoder_input_is_a_clear_error() -> None:
    decoder = nn.TransformerDecoder(nn.TransformerDecoderLayer(8, 2, 16), 2)
    tgt = dev.randn((2, 4, 8))
    with pytest.raises(sh.ShapeError, match=r"expects memory \(\.\.\., 8\), got \(2, 3, 6\)"):
        decoder(tgt, dev.randn((2, 3, 6)))
    with pytest.raises(sh.ShapeError, match="must have the same batch size"):
        decoder(tgt, dev.randn((3, 3, 8)))
    with pytest.raises(sh.ShapeError, match="both be batched"):
        decoder(tgt, dev.randn((3, 8)))
    with pytest.raises(sh.ShapeError, match=r"memory_mask must be \(L, S\) = \(4, 3\)"):
        decoder(tgt, dev.randn((2, 3, 8)), memory_mask=dev.zeros((4, 4), dtype=sh.Bool))
    with pytest.raises(sh.ShapeError, match="num_layers must be at least 1, got 0"):
        nn.TransformerDecoder(nn.TransformerDecoderLayer(8, 2, 16), 0)
    with pytest.raises(sh.ShapeError, match=r"d_model \(10\) must be divisible by nhead \(4\)"):
        nn.TransformerDecoderLayer(10, 4, 16)
    with pytest.raises(TypeError, match="decoder_layer must be a module"):
        nn.TransformerDecoder("layer", 2)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="activation must be 'relu', 'gelu' or a callable"):
        nn.TransformerDecoderLayer(8, 2, 16, activation="tanh")  # type: ignore[arg-type]


def test_generate_square_subsequent_mask_is_torchs() -> None:
    for size in (0, 1, 4):
        mask = nn.generate_square_subsequent_mask(size)
        expected = torch.nn.Transformer.generate_square_subsequent_mask(size)
        assert mask.dtype is sh.Float32
        np.testing.assert_array_equal(mask.numpy(), expected.numpy())
    assert nn.generate_square_subsequent_mask(3, dtype=sh.Float64).dtype is sh.Float64


# ---------------------------------------------------------------- the whole model


@pytest.mark.filterwarnings("ignore:Support for mismatched")
@both_dtypes
@pytest.mark.parametrize("variant", ["default", "norm-first-seq-first", "masks"])
def test_transformer_matches_torch(variant: str, dtype: Any) -> None:
    options: dict[str, Any] = {"dropout": 0.0}
    if variant == "norm-first-seq-first":
        options.update(norm_first=True, batch_first=False, activation="gelu")
    batch_first = options.get("batch_first", True)
    theirs = torch.nn.Transformer(
        8, 2, 2, 2, 16, dtype=TORCH[dtype], **{"batch_first": True, **options}
    )
    ours = nn.Transformer(8, 2, 2, 2, 16, dtype=DTYPES[dtype], **options)
    src = data(2, 6, 8, dtype=dtype) if batch_first else data(6, 2, 8, dtype=dtype)
    tgt = data(2, 4, 8, dtype=dtype, seed=2) if batch_first else data(4, 2, 8, dtype=dtype, seed=2)
    if variant != "masks":
        compare(ours.eval(), theirs.eval(), [src, tgt], ours, theirs)
        return
    padding = np.zeros((2, 6), dtype=bool)
    padding[1, 4:] = True
    causal = nn.Transformer.generate_square_subsequent_mask(4, dtype=DTYPES[dtype])
    causal_t = torch.nn.Transformer.generate_square_subsequent_mask(4, dtype=TORCH[dtype])
    compare(
        ours.eval(),
        theirs.eval(),
        [src, tgt],
        lambda s, t: ours(
            s,
            t,
            tgt_mask=causal,
            src_key_padding_mask=dev.tensor(padding),
            memory_key_padding_mask=dev.tensor(padding),
        ),
        lambda s, t: theirs(
            s,
            t,
            tgt_mask=causal_t,
            src_key_padding_mask=torch.from_numpy(padding),
            memory_key_padding_mask=torch.from_numpy(padding),
        ),
    )


def test_transformer_is_built_as_torchs() -> None:
    ours = nn.Transformer(16, 4, 2, 1, 32, device=sh.Cpu(seed=0))
    theirs = torch.nn.Transformer(16, 4, 2, 1, 32, batch_first=True)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert ours.num_params() == sum(p.numel() for p in theirs.parameters())
    weight = ours.decoder.layers[0].linear1.weight.numpy()  # re-drawn xavier-uniform, as torch
    bound = np.sqrt(6.0 / (16 + 32))
    assert np.abs(weight).max() <= bound and np.abs(weight).max() > 0.9 * bound
    first, second = ours.encoder.layers[0].linear1.weight, ours.encoder.layers[1].linear1.weight
    assert not np.array_equal(first.numpy(), second.numpy())  # drawn for each copy
    with pytest.raises(
        sh.ShapeError, match=r"Transformer\[16, \.\.\.\] expects src \(\.\.\., 16\)"
    ):
        ours(dev.randn((2, 3, 8)), dev.randn((2, 3, 16)))
    with pytest.raises(sh.ShapeError, match="d_model \\(10\\) must be divisible by nhead \\(4\\)"):
        nn.Transformer(10, 4)


# ---------------------------------------------------------------- attention's torch options


@pytest.mark.filterwarnings("ignore:Support for mismatched")
@both_dtypes
@pytest.mark.parametrize("form", ["seq-first", "attn-mask", "padding", "is-causal", "no-bias"])
def test_multi_head_attention_torch_options_match_torch(form: str, dtype: Any) -> None:
    seq_first = form == "seq-first"
    bias = form != "no-bias"
    ours = nn.MultiHeadAttention(8, 2, batch_first=not seq_first, bias=bias, dtype=DTYPES[dtype])
    theirs = torch.nn.MultiheadAttention(
        8, 2, batch_first=not seq_first, bias=bias, dtype=TORCH[dtype]
    )
    q = data(4, 2, 8, dtype=dtype) if seq_first else data(2, 4, 8, dtype=dtype)
    kv = data(3, 2, 8, dtype=dtype, seed=2) if seq_first else data(2, 3, 8, dtype=dtype, seed=2)
    blocked = np.array([[False, True, False], [False, False, True]] * 2)
    padding = np.array([[False, False, True], [False, False, False]])
    options: dict[str, Any] = {}
    torch_options: dict[str, Any] = {}
    if form == "attn-mask":
        additive = np.where(blocked, -np.inf, data(4, 3, dtype=dtype, seed=4)).astype(dtype)
        options = {"attn_mask": dev.tensor(additive)}
        torch_options = {"attn_mask": torch.from_numpy(additive)}
    elif form == "padding":
        options = {"key_padding_mask": dev.tensor(padding)}
        torch_options = {"key_padding_mask": torch.from_numpy(padding)}
    elif form == "is-causal":
        q, kv = data(2, 3, 8, dtype=dtype), data(2, 3, 8, dtype=dtype, seed=2)
        causal = torch.nn.Transformer.generate_square_subsequent_mask(3, dtype=TORCH[dtype])
        options = {"is_causal": True}
        torch_options = {"attn_mask": causal, "is_causal": True}
    compare(
        ours,
        theirs,
        [q, kv],
        lambda a, b: ours(a, b, **options),
        lambda a, b: theirs(a, b, b, need_weights=False, **torch_options)[0],
    )


def test_layers_build_from_their_types() -> None:
    from typing import Literal as L

    layer = dev.build_module(nn.TransformerDecoderLayer[L[16], L[4], L[32]])
    assert isinstance(layer, nn.TransformerDecoderLayer)
    assert layer.linear1.weight.shape == (32, 16) and layer.self_attn.num_heads == 4
    assert "TransformerDecoderLayer" in repr(layer) and "multihead_attn" in repr(layer)


@pytest.mark.parametrize("kind", ["module", "function"])
def test_a_callable_activation_matches_torch(kind: str) -> None:
    """activation may be a callable, as in torch (a module is a child, without parameters)."""
    ours_act: Any = nn.GELU(approximate="tanh") if kind == "module" else (lambda t: t.tanh())
    theirs_act: Any = torch.nn.GELU(approximate="tanh") if kind == "module" else torch.tanh
    ours = nn.TransformerDecoderLayer(8, 2, 16, activation=ours_act, dtype=sh.Float64).eval()
    theirs = torch.nn.TransformerDecoderLayer(
        8, 2, 16, activation=theirs_act, batch_first=True, dtype=torch.float64
    ).eval()
    compare(ours, theirs, [data(2, 4, 8), data(2, 3, 8, seed=2)], ours, theirs)
    with pytest.raises(ValueError, match="activation must be 'relu', 'gelu' or a callable"):
        nn.TransformerEncoderLayer(8, 2, 16, activation="tanh")  # type: ignore[arg-type]
