"""The sizes pyright keeps as literals when a layer is built by value (`Linear(64, 10)`).

pyright widens a TypeVar bound to `int` that it solves from a literal argument
(`Linear[int, int]`), but keeps the literal when the bound is a union of literals. pyright
pays for the union at every constructor call, more than linearly in its length (measured on
the model corpus and examples, basedpyright 1.40: 3.7 s without it, 6.7 s with these 138
sizes, 19 s with all of 0..1024), so it holds the sizes layers commonly have: 0..64 (channels,
kernels, heads, small vocabularies), multiples of 16 up to 1024, the classic odd widths
(84, 100, 120, 200, 300, 500, 1000) and large powers and products (1536 ... 9216). Any other
size is `int` under pyright, never a wrong literal; the mypy plugin keeps every size.
"""

from typing import Literal, TypeAlias

# fmt: off
Size: TypeAlias = Literal[
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
    16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
    32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47,
    48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63,
    64, 80, 84, 96, 100, 112, 120, 128, 144, 160, 176, 192, 200, 208, 224, 240,
    256, 272, 288, 300, 304, 320, 336, 352, 368, 384, 400, 416, 432, 448, 464, 480,
    496, 500, 512, 528, 544, 560, 576, 592, 608, 624, 640, 656, 672, 688, 704, 720,
    736, 752, 768, 784, 800, 816, 832, 848, 864, 880, 896, 912, 928, 944, 960, 976,
    992, 1000, 1008, 1024, 1536, 2048, 3072, 4096, 8192, 9216,
]
# fmt: on
