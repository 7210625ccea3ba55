# The cupy surface shaped uses, so mypy --strict passes on machines without cupy.
from typing import Any

from cupy import cuda as cuda
from cupy import random as random

ndarray = Any

def asarray(a: Any, dtype: Any = ...) -> Any: ...
def array(obj: Any, dtype: Any = ..., copy: bool = ...) -> Any: ...
def from_dlpack(x: Any) -> Any: ...
