"""Containers as PyTorch users write them: a ModuleList stack, ModuleDict heads, Identity, a
Sequential from an OrderedDict, freezing and forward hooks. Clean under mypy --strict with the
plugin and under pyright, and they run."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Final, TypeVar
from typing import Literal as L

import shaped as sh
from shaped import losses, nn, optim

B = TypeVar("B", bound=int)
WIDTH: Final = 16
dev = sh.Cpu(seed=0)


class Tower(nn.Module):
    """A stack of equal blocks and two heads: the layers typed by the element type."""

    def __init__(self, depth: int) -> None:
        super().__init__()
        self.embed: nn.Linear[L[8], L[16]] = nn.Linear(8, WIDTH, device=dev)
        self.blocks: nn.ModuleList[nn.Linear[L[16], L[16]]] = nn.ModuleList(
            [nn.Linear(WIDTH, WIDTH, device=dev) for _ in range(depth)]
        )
        self.heads: nn.ModuleDict[nn.Linear[L[16], L[4]]] = nn.ModuleDict(
            {"mean": nn.Linear(WIDTH, 4, device=dev), "scale": nn.Linear(WIDTH, 4, device=dev)}
        )
        self.skip = nn.Identity(WIDTH, unused=True)

    def forward(
        self, x: sh.Tensor[tuple[B, L[8]], sh.Float32, sh.Cpu, Any]
    ) -> sh.Tensor[tuple[B, L[4]], sh.Float32, sh.Cpu, Any]:
        h = self.embed(x)
        for block in self.blocks:
            h = block(h).relu()
        h = self.blocks[0](self.skip(h))
        return self.heads["mean"](h) + self.heads.scale(h).sigmoid()


model = Tower(3)
model.blocks.append(nn.Linear(WIDTH, WIDTH, device=dev))
model.blocks.extend([nn.Linear(WIDTH, WIDTH, device=dev)])
model.blocks.insert(0, nn.Linear(WIDTH, WIDTH, device=dev))
last = model.blocks.pop()
first_two = model.blocks[:2]
print(len(model.blocks), len(first_two), last.out_features, list(model.heads.keys()))
for name, head in model.heads.items():
    print(name, head.in_features)
if "mean" in model.heads:
    model.heads["mean"] = nn.Linear(WIDTH, 4, device=dev)
model.heads.update({"extra": nn.Linear(WIDTH, 4, device=dev)})
model.heads.pop("extra")
print([type(m).__name__ for m in model.children()], model.get_submodule("blocks.0"))

# different layers in one list: their common base (mypy) or union (pyright)
mixed = nn.ModuleList([nn.Linear(4, 8, device=dev), nn.ReLU(), nn.Linear(8, 2, device=dev)])
x4 = dev.randn((3, 4))
out: Any = x4
for layer in mixed:
    out = layer(out)

# torch's OrderedDict Sequential: named layers, indexing by position, output of unknown shape
named = nn.Sequential(
    OrderedDict([("conv1", nn.Conv2d(1, 4, 3, device=dev)), ("relu1", nn.ReLU())])
)
features = named(dev.randn((2, 1, 8, 8)))
print(named[0], features.shape, list(named.state_dict()))

# freezing the embedding, training the rest; a hook records the heads' input
model.embed.requires_grad_(False)
for p in model.blocks[0].parameters():
    p.requires_grad = False
print(model.embed.weight.requires_grad)
seen: list[tuple[int, ...]] = []


def record(module: nn.Module, args: tuple[Any, ...], output: Any) -> None:
    seen.append(tuple(output.shape))


handle = model.blocks[-1].register_forward_hook(record)
adam = optim.Adam(model, lr=1e-3)
grads = model.alloc_grads()
x = dev.randn((5, 8))
target = dev.randn((5, 4))
loss = losses.mse_loss(model(x.traced(grads)), target)
adam.update(model, loss.backward())
model.zero_grads(grads)
handle.remove()
print(seen, model.embed.weight in grads)
model.apply(lambda m: None).eval()
print(named.conv1, named.relu1)
