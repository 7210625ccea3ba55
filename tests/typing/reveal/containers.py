"""The element types of ModuleList and ModuleDict, the layers they give, Identity's shape, and
a Sequential built from an OrderedDict (its layers' common type, its output's shape unknown)."""

from collections import OrderedDict
from typing import Any, assert_type
from typing import Literal as L

import shaped as sh
from shaped import nn

dev = sh.Cpu()
x = dev.zeros((8, 4))

stack = nn.ModuleList([nn.Linear(4, 4) for _ in range(3)])
assert_type(stack, nn.ModuleList[nn.Linear[L[4], L[4]]])
assert_type(stack[0], nn.Linear[L[4], L[4]])
assert_type(stack[1:], nn.ModuleList[nn.Linear[L[4], L[4]]])
assert_type(stack[0](x), sh.Tensor[tuple[L[8], L[4]]])
for layer in stack:
    assert_type(layer(x), sh.Tensor[tuple[L[8], L[4]]])
assert_type(stack.pop(), nn.Linear[L[4], L[4]])

sizes = nn.ModuleList([nn.Linear(4, 8), nn.Linear(8, 8)])
assert_type(sizes, nn.ModuleList[nn.Linear[int, L[8]]])
assert_type(sizes[0](x), sh.Tensor[tuple[L[8], L[8]]])
mixed = nn.ModuleList([nn.Linear(4, 8), nn.ReLU()])
assert_type(mixed, nn.ModuleList[nn.Module])
declared: nn.ModuleList[nn.Linear[int, int]] = nn.ModuleList([nn.Linear(4, 8)])
assert_type(declared, nn.ModuleList[nn.Linear[int, int]])
empty: nn.ModuleList = nn.ModuleList()
assert_type(empty, nn.ModuleList[nn.Module])

heads = nn.ModuleDict({"query": nn.Linear(4, 2), "key": nn.Linear(4, 2)})
assert_type(heads, nn.ModuleDict[nn.Linear[L[4], L[2]]])
assert_type(heads["query"](x), sh.Tensor[tuple[L[8], L[2]]])
assert_type(heads.key(x), sh.Tensor[tuple[L[8], L[2]]])
assert_type(heads.pop("key"), nn.Linear[L[4], L[2]])
pairs = nn.ModuleDict([("fc", nn.Linear(4, 3)), ("act", nn.ReLU())])
assert_type(pairs, nn.ModuleDict[nn.Module])

assert_type(nn.Identity(54, unused=0.1)(x), sh.Tensor[tuple[L[8], L[4]]])
assert_type(nn.Sequential(nn.Identity(), nn.Linear(4, 2))(x), sh.Tensor[tuple[L[8], L[2]]])

named = nn.Sequential(OrderedDict([("fc1", nn.Linear(4, 8)), ("act", nn.ReLU())]))
assert_type(named, nn.Sequential[*tuple[nn.Module, ...]])
assert_type(named[0], nn.Module)
assert_type(named(x), sh.Tensor[tuple[Any, ...]])
assert_type(named.fc1, nn.Module)

blocks = nn.ModuleList([nn.Sequential(nn.Linear(4, 4), nn.ReLU()) for _ in range(2)])
assert_type(blocks[0](x), sh.Tensor[tuple[L[8], L[4]]])
for block in blocks:
    assert_type(block(x), sh.Tensor[tuple[L[8], L[4]]])
