# The cupyx surface shaped uses: the scatter-add fallback for cupy without ufunc.at.
from typing import Any

def scatter_add(a: Any, slices: Any, value: Any) -> None: ...
