"""pytorch/examples dcgan/main.py: the Generator and Discriminator, at small sizes.

Upstream: https://github.com/pytorch/examples/blob/main/dcgan/main.py
The stacks are upstream's; nz, ngf and ndf are small `Final` constants (100, 64, 64 there).
Differences, each shaped's spelling: keyword `stride=`/`padding=` for upstream's positional
`4, 2, 1`; `nn.LeakyReLU(0.2)` and `nn.ReLU()` for their `inplace=True` forms; the
Discriminator ends without `nn.Sigmoid()` and the loss is
`losses.binary_cross_entropy_with_logits` for `nn.BCELoss()` on probabilities (shaped has
no BCELoss; this is the same loss, computed stably); `output.flatten(1).squeeze(1)` for
`output.view(-1, 1).squeeze(1)`; no `ngpu` / `nn.parallel.data_parallel`.
"""

from __future__ import annotations

from typing import Final, TypeVar, assert_type
from typing import Literal as L

import shaped as sh
from shaped import losses, nn, optim

NZ: Final = 16  # size of the latent z vector
NGF: Final = 8
NDF: Final = 8
NC: Final = 3  # number of image channels

N = TypeVar("N")
Tp = TypeVar("Tp")


class Generator(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.main = nn.Sequential(
            # input is Z, going into a convolution
            nn.ConvTranspose2d(NZ, NGF * 8, 4, stride=1, padding=0, bias=False),
            nn.BatchNorm2d(NGF * 8),
            nn.ReLU(),
            # state size. (ngf*8) x 4 x 4
            nn.ConvTranspose2d(NGF * 8, NGF * 4, 4, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(NGF * 4),
            nn.ReLU(),
            # state size. (ngf*4) x 8 x 8
            nn.ConvTranspose2d(NGF * 4, NGF * 2, 4, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(NGF * 2),
            nn.ReLU(),
            # state size. (ngf*2) x 16 x 16
            nn.ConvTranspose2d(NGF * 2, NGF, 4, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(NGF),
            nn.ReLU(),
            # state size. (ngf) x 32 x 32
            nn.ConvTranspose2d(NGF, NC, 4, stride=2, padding=1, bias=False),
            nn.Tanh(),
            # state size. (nc) x 64 x 64
        )

    def forward(
        self, input: sh.Tensor[tuple[N, L[16], L[1], L[1]], sh.Float32, sh.Cpu, Tp]
    ) -> sh.Tensor[tuple[N, L[3], L[64], L[64]], sh.Float32, sh.Cpu, Tp]:
        output = self.main(input)
        return output


class Discriminator(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.main = nn.Sequential(
            # input is (nc) x 64 x 64
            nn.Conv2d(NC, NDF, 4, stride=2, padding=1, bias=False),
            nn.LeakyReLU(0.2),
            # state size. (ndf) x 32 x 32
            nn.Conv2d(NDF, NDF * 2, 4, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(NDF * 2),
            nn.LeakyReLU(0.2),
            # state size. (ndf*2) x 16 x 16
            nn.Conv2d(NDF * 2, NDF * 4, 4, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(NDF * 4),
            nn.LeakyReLU(0.2),
            # state size. (ndf*4) x 8 x 8
            nn.Conv2d(NDF * 4, NDF * 8, 4, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(NDF * 8),
            nn.LeakyReLU(0.2),
            # state size. (ndf*8) x 4 x 4
            nn.Conv2d(NDF * 8, 1, 4, stride=1, padding=0, bias=False),
        )

    def forward(
        self, input: sh.Tensor[tuple[N, L[3], L[64], L[64]], sh.Float32, sh.Cpu, Tp]
    ) -> sh.Tensor[tuple[N], sh.Float32, sh.Cpu, Tp]:
        output = self.main(input)
        return output.flatten(1).squeeze(1)


dev = sh.Cpu(seed=999)
netG = Generator()
netD = Discriminator()
optimizerD = optim.Adam(netD, lr=0.0002, betas=(0.5, 0.999))
optimizerG = optim.Adam(netG, lr=0.0002, betas=(0.5, 0.999))
batch_size: Final = 4
real_label, fake_label = 1.0, 0.0

fixed_noise = dev.randn((batch_size, NZ, 1, 1))
assert_type(
    netG(fixed_noise), sh.Tensor[tuple[L[4], L[3], L[64], L[64]], sh.Float32, sh.Cpu, sh.NoTape]
)

############################
# (1) Update D network: maximize log(D(x)) + log(1 - D(G(z)))
###########################
# train with real
real_cpu = dev.rand((batch_size, NC, 64, 64)) * 2.0 - 1.0
label = dev.full((batch_size,), real_label)
gradsD = netD.alloc_grads()
output = netD(real_cpu.traced(gradsD))
assert_type(output, sh.Tensor[tuple[L[4]], sh.Float32, sh.Cpu, sh.OwnedTape])
errD_real = losses.binary_cross_entropy_with_logits(output, label)

# train with fake
noise = dev.randn((batch_size, NZ, 1, 1))
fake = netG(noise)
label = dev.full((batch_size,), fake_label)
output = netD(fake.detach().traced(gradsD))
errD_fake = losses.binary_cross_entropy_with_logits(output, label)
errD = errD_real + errD_fake
optimizerD.update(netD, errD.backward())

############################
# (2) Update G network: maximize log(D(G(z)))
###########################
label = dev.full((batch_size,), real_label)  # fake labels are real for generator cost
gradsG = netG.alloc_grads()
fake = netG(noise.traced(gradsG))
output = netD(fake)
errG = losses.binary_cross_entropy_with_logits(output, label)
assert_type(errG, sh.Tensor[tuple[()], sh.Float32, sh.Cpu, sh.OwnedTape])
optimizerG.update(netG, errG.backward())
print(f"DCGAN: Loss_D {errD.item():.4f} Loss_G {errG.item():.4f}")
