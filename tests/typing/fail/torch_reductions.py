"""torch's `dim=` goes through the same shape rule as numpy's `axis=`."""

import shaped as sh

dev = sh.Cpu()
x = dev.randn((4, 5, 6))

x.sum(dim=3)  # type: ignore[shape]  # E: sum: axis 3 is out of range for a tensor of rank 3
x.mean(dim=(0, 0))  # type: ignore[shape]  # E: repeats
x.argmax(dim=-4)  # type: ignore[shape]  # E: argmax: axis -4 is out of range
dev.tensor([1, 2]).mean(dtype=sh.Int32)  # type: ignore[dtype]  # E: mean: needs a floating-point tensor, got Int32
