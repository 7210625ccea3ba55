"""Shape and dtype mistakes in the third round of ops, with the run time's messages."""

import shaped as sh
from shaped.nn import functional as F

dev = sh.Cpu()
x = dev.randn((3, 4))
ints = dev.tensor([1, 2, 3])

x.copysign(dev.randn((3,)))  # type: ignore[shape]  # E: copysign: shapes (3, 4) and (3,) do not broadcast
ints.copysign(ints)  # type: ignore[dtype]  # E: copysign: needs a floating-point tensor, got Int64
x.fmod(dev.zeros((3, 4), dtype=sh.Float64))  # type: ignore[dtype]  # E: fmod: dtypes differ
x.isclose(dev.randn((5,)))  # type: ignore[shape]  # E: isclose: shapes (3, 4) and (5,) do not broadcast
x.diagonal(0, 1, 1)  # type: ignore[shape]  # E: diagonal: axis1 and axis2 must differ
x.diagonal(0, 0, 2)  # type: ignore[shape]  # E: diagonal: axis 2 is out of range
x.unfold(1, 5, 1)  # type: ignore[shape]  # E: unfold: size 5 is larger than axis 1 of (3, 4) (4)
x.unflatten(1, (3, 2))  # type: ignore[shape]  # E: unflatten
sh.nn.functional.pad(x, (-3, -3))  # type: ignore[shape]  # E: pad: the negative padding (-3, -3) removes 6 elements from axis 1 of (3, 4), which has only 4
x.scatter_reduce(0, dev.tensor([[0, 1, 2]]), dev.randn((1, 2)), "sum")  # type: ignore[shape]  # E: scatter_reduce: index (1, 3) is larger than src on axis 1
three, four = dev.randn((2, 3, 6, 8)), dev.randn((2, 4, 5, 8))
F.scaled_dot_product_attention(four, three, three, enable_gqa=True)  # type: ignore[shape]  # E: enable_gqa needs q's 4 heads to be a multiple of k's 3
