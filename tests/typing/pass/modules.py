"""Valid programs with modules: clean under mypy --strict and pyright, and they run."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, assert_type
from typing import Literal as L

import shaped as sh
from shaped import losses, nn

dev = sh.Cpu(seed=0)
images: sh.Tensor[tuple[L[8], L[1], L[28], L[28]]] = dev.randn((8, 1, 28, 28))
flat: sh.Tensor[tuple[L[8], L[784]]] = dev.randn((8, 784))
labels = dev.tensor([1, 2, 3, 4, 5, 6, 7, 8])

# an MLP by value: indexing and unpacking keep each layer's type
mlp = nn.Sequential(nn.Linear(784, 128, device=dev), nn.ReLU(), nn.Linear(128, 10, device=dev))
first, activation, last = mlp
assert_type(activation, nn.ReLU)
hidden = mlp[0](flat)
logits = mlp(flat)
print(mlp[0].weight.shape, last.out_features, mlp.num_params())

# the same MLP as a type; a single layer as a type
Mlp = tuple[nn.Linear[L[784], L[128]], nn.ReLU, nn.Linear[L[128], L[10]]]
built = dev.build_module(Mlp)
linear = dev.build_module(nn.Linear[L[784], L[128]])
assert_type(linear, nn.Linear[L[784], L[128]])
assert_type(linear(flat), sh.Tensor[tuple[L[8], L[128]], sh.Float32, sh.Cpu, sh.NoTape])
# type parameters with defaults: MaxPool2d's stride is its kernel size (PEP 696; mypy reads
# MaxPool2d[L[2]] as MaxPool2d[L[2], L[2], L[0]], pyright 1.1.414 as MaxPool2d[L[2], int, L[0]])
halve: nn.MaxPool2d[L[2]] = dev.build_module(nn.MaxPool2d[L[2]])
assert_type(
    dev.build_module(nn.Conv2d[L[1], L[8], L[3]]),
    nn.Conv2d[L[1], L[8], L[3], L[1], L[0], L[1], L[1]],
)
from_sequential_type = nn.build_module(nn.Sequential[nn.Linear[L[4], L[2]], nn.Tanh], dev)
wide = dev.build_module(Mlp, dtype=sh.Float64)

# a CNN; forward keeps dtype, device and tape through every layer
cnn = nn.Sequential(
    nn.Conv2d(1, 8, 3, padding=1, device=dev),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Conv2d(8, 16, 3, stride=2, device=dev),
    nn.BatchNorm2d(16, device=dev),
    nn.Flatten(),
    nn.Dropout(0.25, device=dev),
    nn.Linear(576, 10, device=dev),
)
conv = nn.Conv2d(1, 8, 3, padding=1, device=dev)
pool = nn.MaxPool2d(2)
pooled: sh.Tensor[tuple[L[8], int, int, int], sh.Float32, sh.Cpu, sh.OwnedTape]
pooled = pool(conv(images.trace()))
features = cnn(images.trace())


# a user module: parameters and submodules are attributes; net(x) is typed by forward;
# an annotation keeps a layer's literal sizes for pyright
class Classifier(nn.Module):
    def __init__(self, device: sh.Cpu) -> None:
        super().__init__()
        self.embed = nn.Linear(784, 64, device=device)
        self.block = nn.Residual(nn.Linear(64, 64, device=device))
        self.norm = nn.LayerNorm(64, device=device)
        self.head: nn.Linear[L[64], L[10]] = nn.Linear(64, 10, device=device)
        self.scale = device.ones((10,))

    def forward(
        self, x: sh.Tensor[tuple[int, L[784]], sh.Float32, sh.Cpu, Any]
    ) -> sh.Tensor[tuple[int, L[10]], sh.Float32, sh.Cpu, Any]:
        features = self.norm(self.block(self.embed(x).relu()))
        return self.head(features) * self.scale


model = Classifier(dev)
names = [name for name, _ in model.named_parameters()]
model.eval()
model.train()

# one training step: alloc_grads, backward, an update, zero_grads
grads = model.alloc_grads()
loss = losses.cross_entropy(model(flat.traced(grads)), labels)
grads = loss.backward()
step = sh.optim.Sgd(model, lr=0.1)
step.update(model, grads)
gradient = grads[model.head.weight]
assert_type(gradient, sh.Tensor[tuple[L[10], L[64]], sh.Float32, Any, sh.NoTape])
model.zero_grads(grads)

# attention and a transformer block keep the input's type
tokens: sh.Tensor[tuple[L[2], L[5], L[16]]] = dev.randn((2, 5, 16))
attention = nn.MultiHeadAttention(16, 4, device=dev)
assert_type(attention(tokens), sh.Tensor[tuple[L[2], L[5], L[16]]])
encoder = nn.TransformerEncoderLayer(16, 4, 32, device=dev).eval()
assert_type(encoder(tokens), sh.Tensor[tuple[L[2], L[5], L[16]]])
embedding = nn.Embedding(100, 16, device=dev)
vectors = embedding(dev.tensor([[1, 2, 3]]))

# checkpoints
with tempfile.TemporaryDirectory() as directory:
    path = Path(directory) / "model.npz"
    model.save(path)
    restored = Classifier(sh.Cpu(seed=1)).load(path)
    state: dict[str, sh.Tensor[Any, Any, Any, Any]] = restored.state_dict()
    result = restored.load_state_dict(state, strict=False)
    print(names, result.missing_keys, repr(restored).splitlines()[-1])
