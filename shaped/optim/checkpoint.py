"""State dicts (an optimizer's, a scheduler's) as named tensors for `sh.save`, and back.

```python
sh.save({**model.state_dict(), **optim.state_tensors(opt.state_dict(), "optim."),
         **optim.state_tensors(scheduler.state_dict(), "sched.")}, "ckpt.npz")
tensors = sh.load("ckpt.npz")
opt.load_state_dict(optim.state_from_tensors(tensors, "optim."))
```

Each array becomes a tensor named `<prefix>state.<index>.<key>` (list items add `.<i>`);
everything else (hyper-parameters, step counts, the layout) is JSON, stored as one Int64
tensor of UTF-8 bytes named `<prefix>json`. Python numbers round-trip exactly.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shaped.tensor import Tensor

_ARRAY = "__array__"
_TUPLE = "__tuple__"


def state_tensors(state_dict: Mapping[str, Any], prefix: str = "") -> dict[str, Tensor[Any, Any]]:
    """`state_dict` as named CPU tensors (its arrays, and one `<prefix>json` for the rest)."""
    import numpy as np

    from shaped.devices import Cpu

    device = Cpu()
    tensors: dict[str, Tensor[Any, Any]] = {}

    def encode(value: Any, path: str) -> Any:
        if isinstance(value, np.generic):  # a numpy scalar: a Python number in the JSON
            value = value.item()
        if hasattr(value, "shape") and hasattr(value, "dtype"):
            host = value.get() if hasattr(value, "get") else value
            name = prefix + path
            tensors[name] = device.tensor(np.array(host, copy=True))
            return {_ARRAY: name}
        if isinstance(value, Mapping):
            keys = [str(k) for k in value]
            if any(k.startswith("__") for k in keys):
                raise ValueError(f"state_tensors: key {path!r} starts with '__' (reserved)")
            return {
                "__keys__": [[k, type(k).__name__] for k in value],
                "values": [encode(v, f"{path}.{k}".lstrip(".")) for k, v in value.items()],
            }
        if isinstance(value, tuple):
            return {_TUPLE: [encode(v, f"{path}.{i}") for i, v in enumerate(value)]}
        if isinstance(value, list):
            return [encode(v, f"{path}.{i}") for i, v in enumerate(value)]
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        raise TypeError(
            f"state_tensors: {path!r} is a {type(value).__name__}, which a checkpoint cannot "
            "hold (arrays, numbers, strings, None, and lists, tuples and dicts of them)"
        )

    text = json.dumps(encode(state_dict, ""), allow_nan=True)
    tensors[prefix + "json"] = device.tensor(
        np.frombuffer(text.encode(), np.uint8).astype(np.int64)
    )
    return tensors


def state_from_tensors(
    tensors: Mapping[str, Tensor[Any, Any, Any, Any]], prefix: str = ""
) -> dict[str, Any]:
    """The state dict that `state_tensors(state_dict, prefix)` wrote (arrays as numpy)."""
    key = prefix + "json"
    if key not in tensors:
        raise KeyError(
            f"state_from_tensors: no {key!r} among the tensors: save them with "
            f"state_tensors(state_dict, {prefix!r})"
        )
    import numpy as np

    text = bytes(np.asarray(tensors[key].numpy(), dtype=np.uint8)).decode()

    def decode(value: Any) -> Any:
        if isinstance(value, list):
            return [decode(v) for v in value]
        if isinstance(value, dict):
            if _ARRAY in value:
                return np.array(tensors[value[_ARRAY]].numpy(), copy=True)
            if _TUPLE in value:
                return tuple(decode(v) for v in value[_TUPLE])
            return {
                (int(k) if kind == "int" else k): decode(v)
                for (k, kind), v in zip(value["__keys__"], value["values"])
            }
        return value

    out: dict[str, Any] = decode(json.loads(text))
    return out
