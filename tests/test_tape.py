"""The tape: moving, merging, reuse, deferred input gradients, consumption, errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import shaped as sh
from shaped.ops.linalg import linear
from tests.oracle import arrays

dev = sh.Cpu(seed=0)


def pair(shape: tuple[int, ...], seed: int = 0) -> tuple[sh.Tensor, torch.Tensor]:  # type: ignore[type-arg]
    data = arrays(shape, seed=seed)
    return dev.tensor(data), torch.tensor(data, requires_grad=True)


def close(ours: sh.Tensor, theirs: torch.Tensor | None) -> None:  # type: ignore[type-arg]
    assert theirs is not None
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-9, atol=1e-12)


def test_square_by_reuse() -> None:
    x, tx = pair((3,))
    grads = sh.Gradients()
    xt = x.traced(grads)
    (xt * xt).sum().backward()
    (tx * tx).sum().backward()
    close(grads[x], tx.grad)
    assert grads[x].shape == (3,)


def test_diamond_and_residual() -> None:
    x, tx = pair((2, 3))
    w, tw = pair((3, 3), seed=1)
    grads = sh.Gradients()
    xt = x.traced(grads)
    h = xt @ w
    out = (h.tanh() + h.sigmoid() + xt).square().mean()  # two branches and a residual
    out.backward()
    th = tx @ tw
    (th.tanh() + th.sigmoid() + tx).square().mean().backward()
    close(grads[x], tx.grad)
    close(grads[w], tw.grad)


def test_tape_on_the_right_operand() -> None:
    x, tx = pair((4,))
    c, tc = pair((4,), seed=1)
    grads = sh.Gradients()
    loss = (c * x.traced(grads)).sum()
    assert loss._tape is not None
    loss.backward()
    (tc.detach() * tx).sum().backward()
    close(grads[x], tx.grad)
    assert isinstance((2.0 - x.traced(sh.Gradients()))._tape, object)


def test_two_tapes_merge() -> None:
    a, ta = pair((3,))
    b, tb = pair((3,), seed=1)
    ga, gb = sh.Gradients(), sh.Gradients()
    at, bt = a.traced(ga), b.traced(gb)
    y1 = at.exp()
    y2 = bt * 3.0
    loss = (y1 * y2).sum()  # records made on two tapes before they met
    grads = loss.backward()
    (ta.exp() * (tb * 3.0)).sum().backward()
    close(grads[a], ta.grad)
    close(grads[b], tb.grad)
    close(gb[a], ta.grad)  # both Gradients objects see the merged result


def test_traced_keeps_identity_and_trace_makes_gradients() -> None:
    x, _ = pair((2, 2))
    xt = x.trace()
    grads = (xt * 2.0).sum().backward()
    assert x in grads and xt in grads
    close(grads[xt], torch.full((2, 2), 2.0))
    close(grads[x], torch.full((2, 2), 2.0))


def test_parameter_used_twice() -> None:
    x, tx = pair((5, 3))
    w, tw = pair((4, 3), seed=1)
    grads = sh.Gradients()
    h = linear(x.traced(grads), w)
    loss = (h.tanh() @ w).sum()  # w feeds two ops
    loss.backward()
    (torch.nn.functional.linear(tx, tw).tanh() @ tw).sum().backward()
    close(grads[w], tw.grad)
    close(grads[x], tx.grad)


def test_second_backward_is_an_error() -> None:
    x, _ = pair((3,))
    loss = x.trace().sum()
    loss.backward()
    with pytest.raises(sh.TapeError, match="consumed"):
        loss.backward()


def test_backward_without_tape_and_on_non_scalar() -> None:
    x, _ = pair((3,))
    with pytest.raises(sh.TapeError, match=r"call \.traced\(grads\)"):
        x.sum().backward()  # type: ignore[misc]
    with pytest.raises(
        sh.TapeError, match=r"got shape \(3,\): reduce with \.mean\(\) or \.sum\(\)"
    ):
        x.trace().exp().backward()  # type: ignore[misc]


def test_values_readable_after_backward() -> None:
    x, _ = pair((3,))
    y = x.trace().exp()
    loss = y.sum()
    loss.backward()
    np.testing.assert_allclose(y.numpy(), np.exp(x.numpy()))
    assert np.isfinite(loss.item())


def test_recording_onto_a_consumed_tape_is_an_error() -> None:
    x, _ = pair((3,))
    xt = x.trace()
    xt.sum().backward()
    with pytest.raises(sh.TapeError, match="consumed"):
        xt * 2.0


def test_detach_drops_the_tape() -> None:
    x, _ = pair((3,))
    y = x.trace().detach()
    assert y._tape is None
    with pytest.raises(sh.TapeError):
        y.sum().backward()  # type: ignore[misc]


def test_gradients_accumulate_across_backward_calls() -> None:
    x, tx = pair((3,))
    grads = sh.Gradients()
    for _ in range(2):
        (x.traced(grads).square()).sum().backward()
        (tx.square()).sum().backward()
    close(grads[x], tx.grad)


def test_unused_branches_cost_nothing_and_unreached_inputs_have_no_gradient() -> None:
    x, _ = pair((3,))
    z, _ = pair((3,), seed=1)
    grads = sh.Gradients()
    xt = x.traced(grads)
    _ = (xt * 5.0).exp()  # recorded but not part of the loss
    zt = z.traced(grads)
    (zt * 1.0).sum().backward()
    assert x not in grads
    with pytest.raises(KeyError, match="no gradient"):
        grads[x]
    assert grads.get(x) is None


def test_intermediate_gradients_are_freed_in_reverse_order() -> None:
    """Each intermediate gradient is dropped once its producer's VJP ran: peak holds few."""
    import gc
    import weakref

    live: list[weakref.ref[np.ndarray]] = []
    x, _ = pair((1000,))
    y = x.trace()
    for _ in range(20):
        y = y * 1.0001
    tape = y._tape
    assert tape is not None
    root = tape.root()
    original = list(root.records)

    def watch(vjp):  # type: ignore[no-untyped-def]
        def wrapped(g, needs):  # type: ignore[no-untyped-def]
            out = vjp(g, needs)
            live.extend(weakref.ref(r) for r in out if isinstance(r, np.ndarray))
            gc.collect()
            alive = sum(1 for ref in live if ref() is not None)
            assert alive <= 3, f"{alive} intermediate gradients alive"
            return out

        return wrapped

    root.records = [(k, ins, needs, watch(v)) for k, ins, needs, v in original]
    y.sum().backward()


def test_int_operands_get_no_gradient() -> None:
    x, _ = pair((3,))
    idx = dev.tensor([0, 2])
    grads = sh.Gradients()
    out = x.traced(grads).take(idx, 0).sum()
    out.backward()
    assert idx not in grads
    np.testing.assert_allclose(grads[x].numpy(), [1.0, 0.0, 1.0])


def test_a_gradient_is_reused_in_place_only_when_nothing_else_holds_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """relu's VJP masks g in place when backward holds the only reference (after a linear);
    when g is shared (an add passes one g to both operands) it allocates, and every
    gradient still equals torch's."""
    import shaped.ops.elementwise as elementwise
    from shaped import tape

    answers: list[bool] = []

    def spy(g: object) -> bool:
        answer = tape.sole_owner(g)
        answers.append(answer)
        return answer

    monkeypatch.setattr(elementwise, "sole_owner", spy)
    monkeypatch.setattr(tape, "_SOLE", tape._SOLE + 1)  # the spy's frame holds g once more
    x, tx = pair((4, 3))
    w, tw = pair((5, 3), seed=1)
    w.requires_grad_()  # w.T is taken before the tape: w must be a parameter
    v, tv = pair((2, 5), seed=2)
    grads = sh.Gradients()
    xt = x.traced(grads)
    a, b = linear(xt, w).relu(), (xt @ w.T).relu()
    loss = linear(a, v).relu().sum() + (a + b).relu().sum() + (b * b).sum()
    loss.backward()
    ta = torch.nn.functional.linear(tx, tw).relu()
    tb = (tx @ tw.T).relu()
    tloss = torch.nn.functional.linear(ta, tv).relu().sum() + (ta + tb).relu().sum()
    (tloss + (tb * tb).sum()).backward()
    for ours, theirs in ((x, tx), (w, tw), (v, tv)):
        close(grads[ours], theirs.grad)
    assert True in answers and False in answers, answers


def test_untraced_ops_on_a_parameter_reach_it_when_their_result_meets_a_tape() -> None:
    """`x @ w.T`, `x * log_std.exp()`: the parameter gets its gradient, as in PyTorch."""
    x, tx = pair((4, 3))
    w, tw = pair((5, 3), seed=1)
    s, ts = pair((5,), seed=2)
    w.requires_grad_(), s.requires_grad_()
    grads = sh.Gradients()
    wt = (w * 0.5).T  # made once, used twice on the tape
    xt = x.traced(grads)
    loss = ((xt @ wt) * s.exp()).square().mean() + (xt @ wt).sum() + s.unsqueeze(0).sum()
    loss.backward()
    twt = (tw * 0.5).T
    tloss = ((tx @ twt) * ts.exp()).square().mean() + (tx @ twt).sum() + ts.unsqueeze(0).sum()
    tloss.backward()
    for ours, theirs in ((x, tx), (w, tw), (s, ts)):
        close(grads[ours], theirs.grad)
    assert len(grads) == 3  # w and s, not the tensors made from them


def test_plain_data_keeps_no_history() -> None:
    """`t = t * 0.5` in a loop on data (not a parameter) keeps no earlier tensor alive."""
    t = dev.ones((3,))
    for _ in range(100):
        t = t * 0.5
    assert t._origin is None
    w = dev.ones((3,)).requires_grad_()
    assert (w * 0.5)._origin is not None  # a parameter's ops are kept
    assert (-dev.tensor([1, 2]))._origin is None  # ints get no gradient: nothing kept
