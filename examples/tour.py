"""The README's 30-second tour, bug included: `mypy examples/tour.py` reports it."""

import shaped as sh
from shaped import losses, nn, optim

dev = sh.Cpu(seed=0)
model = nn.Sequential(
    nn.Conv2d(1, 20, 5), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(20, 20, 5), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(500, 10),             # 20*4*4 = 320, not 500
)  # fmt: skip
images = dev.randn((64, 1, 28, 28))
labels = dev.tensor([3] * 64)
adam = optim.Adam(model, lr=1e-3)

grads = model.alloc_grads()
loss = losses.cross_entropy(model(images.traced(grads)), labels)
adam.update(model, loss.backward())
