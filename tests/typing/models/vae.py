"""pytorch/examples vae/main.py: the VAE (784 -> 400 -> 20 mu/logvar, 20 -> 400 -> 784).

Upstream: https://github.com/pytorch/examples/blob/main/vae/main.py
Differences, each shaped's spelling: `x.flatten(1)` for `x.view(-1, 784)` (it keeps the
batch dim in the type); `self.device.randn(std.shape)` for `torch.randn_like(std)`;
`x.sigmoid()` for `torch.sigmoid(x)`; `F.binary_cross_entropy(..., reduction='sum')`,
which shaped does not have, written out from its definition.
"""

from __future__ import annotations

from typing import Literal as L
from typing import TypeVar, assert_type

import shaped as sh
from shaped import nn, optim
from shaped.nn import functional as F

N = TypeVar("N")
Tp = TypeVar("Tp")

Images = sh.Tensor[tuple[N, L[1], L[28], L[28]], sh.Float32, sh.Cpu, Tp]
Pixels = sh.Tensor[tuple[N, L[784]], sh.Float32, sh.Cpu, Tp]
Latent = sh.Tensor[tuple[N, L[20]], sh.Float32, sh.Cpu, Tp]


class VAE(nn.Module):
    def __init__(self, device: sh.Cpu) -> None:
        super().__init__()
        self.device = device
        self.fc1 = nn.Linear(784, 400, device=device)
        self.fc21 = nn.Linear(400, 20, device=device)
        self.fc22 = nn.Linear(400, 20, device=device)
        self.fc3 = nn.Linear(20, 400, device=device)
        self.fc4 = nn.Linear(400, 784, device=device)

    def encode(self, x: Pixels[N, Tp]) -> tuple[Latent[N, Tp], Latent[N, Tp]]:
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu: Latent[N, Tp], logvar: Latent[N, Tp]) -> Latent[N, Tp]:
        std = (0.5 * logvar).exp()
        eps = self.device.randn(std.shape)
        return mu + eps * std

    def decode(self, z: Latent[N, Tp]) -> Pixels[N, Tp]:
        h3 = F.relu(self.fc3(z))
        return self.fc4(h3).sigmoid()

    def forward(self, x: Images[N, Tp]) -> tuple[Pixels[N, Tp], Latent[N, Tp], Latent[N, Tp]]:
        mu, logvar = self.encode(x.flatten(1))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


# Reconstruction + KL divergence losses summed over all elements and batch
def loss_function(
    recon_x: Pixels[N, Tp], x: Images[N, sh.NoTape], mu: Latent[N, Tp], logvar: Latent[N, Tp]
) -> sh.Tensor[tuple[()], sh.Float32, sh.Cpu, Tp]:
    target = x.flatten(1)
    BCE = -(target * recon_x.log() + (1 - target) * (1 - recon_x).log()).sum()

    # see Appendix B from VAE paper:
    # Kingma and Welling. Auto-Encoding Variational Bayes. ICLR, 2014
    # https://arxiv.org/abs/1312.6114
    # 0.5 * sum(1 + log(sigma^2) - mu^2 - sigma^2)
    KLD = -0.5 * (1 + logvar - mu**2 - logvar.exp()).sum()

    return BCE + KLD


dev = sh.Cpu(seed=1)
model = VAE(dev)
optimizer = optim.Adam(model, lr=1e-3)

# train: one step on a batch of 8 images with pixels in [0, 1)
model.train()
data = dev.rand((8, 1, 28, 28))
grads = model.alloc_grads()
recon_batch, mu, logvar = model(data.traced(grads))
assert_type(recon_batch, sh.Tensor[tuple[L[8], L[784]], sh.Float32, sh.Cpu, sh.OwnedTape])
assert_type(mu, sh.Tensor[tuple[L[8], L[20]], sh.Float32, sh.Cpu, sh.OwnedTape])
loss = loss_function(recon_batch, data, mu, logvar)
assert_type(loss, sh.Tensor[tuple[()], sh.Float32, sh.Cpu, sh.OwnedTape])
optimizer.update(model, loss.backward())
print(f"VAE: loss {loss.item() / len(data):.4f} per image")

# test: reconstruct without a tape, then sample 64 images from the prior
model.eval()
recon_batch, mu, logvar = model(data)
assert_type(recon_batch, sh.Tensor[tuple[L[8], L[784]], sh.Float32, sh.Cpu, sh.NoTape])
test_loss = loss_function(recon_batch, data, mu, logvar).item()
comparison = sh.concat([data.flatten(1), recon_batch])
assert_type(comparison, sh.Tensor[tuple[L[16], L[784]], sh.Float32, sh.Cpu, sh.NoTape])
sample = model.decode(dev.randn((64, 20)))
assert_type(sample, sh.Tensor[tuple[L[64], L[784]], sh.Float32, sh.Cpu, sh.NoTape])
images = sample.reshape(64, 1, 28, 28)
assert_type(images, sh.Tensor[tuple[L[64], L[1], L[28], L[28]]])
