"""The bugs of the DCGAN Generator and Discriminator, each caught before it runs.

Expected errors are `# type: ignore[code]` on their line (mypy runs with --warn-unused-ignores,
so an error that stops firing fails the test); `# E:` gives a part of the expected message.
"""

from __future__ import annotations

from typing import Final, TypeVar
from typing import Literal as L

import shaped as sh
from shaped import losses, nn

NZ: Final = 16
NGF: Final = 8
NDF: Final = 8
NC: Final = 3

N = TypeVar("N")
Tp = TypeVar("Tp")
Noise = sh.Tensor[tuple[N, L[16], L[1], L[1]], sh.Float32, sh.Cpu, Tp]
Images = sh.Tensor[tuple[N, L[3], L[64], L[64]], sh.Float32, sh.Cpu, Tp]


class Generator(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(NZ, NGF * 8, 4, stride=1, padding=0, bias=False),
            nn.BatchNorm2d(NGF * 8),
            nn.ReLU(),
            nn.ConvTranspose2d(NGF * 8, NGF * 4, 4, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(NGF * 4),
            nn.ReLU(),
            nn.ConvTranspose2d(NGF * 4, NGF * 2, 4, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(NGF * 2),
            nn.ReLU(),
            nn.ConvTranspose2d(NGF * 2, NGF, 4, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(NGF),
            nn.ReLU(),
            nn.ConvTranspose2d(NGF, NC, 4, stride=2, padding=1, bias=False),
            nn.Tanh(),
        )

    def forward(self, input: Noise[N, Tp]) -> Images[N, Tp]:
        return self.main(input)


class Discriminator(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(NC, NDF, 4, stride=2, padding=1, bias=False),
            nn.LeakyReLU(0.2),
            nn.Conv2d(NDF, NDF * 2, 4, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(NDF * 2),
            nn.LeakyReLU(0.2),
            nn.Conv2d(NDF * 2, NDF * 4, 4, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(NDF * 4),
            nn.LeakyReLU(0.2),
            nn.Conv2d(NDF * 4, NDF * 8, 4, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(NDF * 8),
            nn.LeakyReLU(0.2),
            nn.Conv2d(NDF * 8, 1, 4, stride=1, padding=0, bias=False),
        )

    def forward(self, input: Images[N, Tp]) -> sh.Tensor[tuple[N], sh.Float32, sh.Cpu, Tp]:
        return self.main(input).flatten(1).squeeze(1)


class DiscriminatorWrongNorm(nn.Module):
    """The second BatchNorm2d left at ndf while its conv doubled the channels."""

    def __init__(self) -> None:
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(NC, NDF, 4, stride=2, padding=1, bias=False),
            nn.LeakyReLU(0.2),
            nn.Conv2d(NDF, NDF * 2, 4, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(NDF),
            nn.LeakyReLU(0.2),
        )

    def forward(
        self, input: Images[N, Tp]
    ) -> sh.Tensor[tuple[N, L[16], L[16], L[16]], sh.Float32, sh.Cpu, Tp]:
        return self.main(input)  # type: ignore[shape]  # E: Sequential layer 3 (BatchNorm2d[8])


class GeneratorForgotFirstStride(nn.Module):
    """The 4x4 seed up-sampled with stride 1: 7x7 after the second layer, not 8x8."""

    def __init__(self) -> None:
        super().__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(NZ, NGF * 8, 4, stride=1, padding=0, bias=False),
            nn.ConvTranspose2d(NGF * 8, NGF * 4, 4, stride=1, padding=0, bias=False),
        )

    def forward(
        self, input: Noise[N, Tp]
    ) -> sh.Tensor[tuple[N, L[32], L[8], L[8]], sh.Float32, sh.Cpu, Tp]:
        return self.main(input)  # type: ignore[return-value]  # E: Literal[7]


dev = sh.Cpu(seed=999)
netG = Generator()
netD = Discriminator()
# noise without its 1x1 spatial dims
netG(dev.randn((4, NZ)))  # type: ignore[shape]  # E: got (4, 16)
# 32x32 images into the 64x64 discriminator
netD(dev.randn((4, NC, 32, 32)))  # type: ignore[shape]  # E: got (4, 3, 32, 32)
# labels shaped (batch, 1) for the discriminator's (batch,) output
output = netD(dev.randn((4, NC, 64, 64)).trace())
losses.binary_cross_entropy_with_logits(output, dev.full((4, 1), 1.0))  # type: ignore[shape]  # E: input shape (4,) and target shape (4, 1) differ
# the G step through a fake image generated without a tape
errG = losses.binary_cross_entropy_with_logits(netD(netG(dev.randn((4, NZ, 1, 1)))), dev.ones((4,)))
errG.backward()  # type: ignore[no-tape]  # E: loss has no tape
