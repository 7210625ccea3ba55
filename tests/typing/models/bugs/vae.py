"""The bugs of the pytorch/examples VAE, each caught before it runs.

Expected errors are `# type: ignore[code]` on their line (mypy runs with --warn-unused-ignores,
so an error that stops firing fails the test); `# E:` gives a part of the expected message.
"""

from __future__ import annotations

from typing import Literal as L
from typing import TypeVar

import numpy as np

import shaped as sh
from shaped import nn
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
        return self.fc4(F.relu(self.fc3(z))).sigmoid()

    def forward(self, x: Images[N, Tp]) -> tuple[Pixels[N, Tp], Latent[N, Tp], Latent[N, Tp]]:
        mu, logvar = self.encode(x.flatten(1))
        return self.decode(self.reparameterize(mu, logvar)), mu, logvar


class VAEWideLatent(nn.Module):
    """The decoder built for a 40-dim latent (mu and logvar side by side)."""

    def __init__(self) -> None:
        super().__init__()
        self.fc3 = nn.Linear(40, 400)
        self.fc4 = nn.Linear(400, 784)

    def decode(self, z: Latent[N, Tp]) -> Pixels[N, Tp]:
        h3 = F.relu(self.fc3(z))  # type: ignore[shape]  # E: the last dim 20 != in_features 40
        return self.fc4(h3).sigmoid()


class VAEWrongNoise(nn.Module):
    """eps drawn with a fixed (batch, 10) shape instead of std's."""

    def __init__(self, device: sh.Cpu) -> None:
        super().__init__()
        self.device = device

    def reparameterize(self, mu: Latent[N, Tp], logvar: Latent[N, Tp]) -> Latent[N, Tp]:
        std = (0.5 * logvar).exp()
        eps = self.device.randn((128, 20))
        eps * std  # type: ignore[shape]  # E: mul: shapes (128, 20)
        return mu + self.device.randn(std.shape) * std


def kld(mu: Latent[N, Tp], logvar: Latent[N, Tp]) -> sh.Tensor[tuple[()], sh.Float32, sh.Cpu, Tp]:
    return -0.5 * (1 + logvar - mu**2 - logvar.exp()).sum()


dev = sh.Cpu(seed=1)
model = VAE(dev)
data = dev.rand((8, 1, 28, 28))
# 748 for 784, flattened by hand
model.encode(dev.zeros((64, 748)))  # type: ignore[shape]  # E: got (64, 748)
# float64 numpy pixels into the Float32 model
model(dev.tensor(np.random.default_rng(0).random((8, 1, 28, 28))))  # type: ignore[dtype]  # E: Float64
# no .traced(grads) on the batch: the loss has no tape
recon, mu, logvar = model(data)
kld(mu, logvar).backward()  # type: ignore[no-tape]  # E: loss has no tape
# the per-pixel BCE without its .sum()
grads = model.alloc_grads()
recon_batch, mu_batch, logvar_batch = model(data.traced(grads))
bce = -(data.flatten(1) * recon_batch.log() + (1 - data.flatten(1)) * (1 - recon_batch).log())
bce.backward()  # type: ignore[shape]  # E: backward() needs a scalar loss, got shape (8, 784)
# decoding samples of the wrong latent size
model.decode(dev.randn((64, 10)))  # type: ignore[shape]  # E: got (64, 10)
# a decoder head made in float64 (torch's dtype=torch.float64) fed the Float32 latents
head64 = nn.Linear(20, 400, dtype=sh.Float64)
head64(dev.randn((64, 20)))  # type: ignore[dtype]  # E: linear: dtypes differ (Float32 and Float64); the weights are Float64
# the whole model converted with .to(sh.Float64), its layers fed Float32 data
model.fc1.to(sh.Float64)(data.flatten(1))  # type: ignore[dtype]  # E: linear: dtypes differ (Float32 and Float64)
