"""Optimizers with torch.optim's update rules: `opt.update(model, grads)` after backward().

```python
opt = sh.optim.Adam(model, lr=1e-3)
grads = loss.backward()
opt.update(model, grads)
model.zero_grads(grads)
```
"""

from __future__ import annotations

from shaped.optim.adam import Adam, AdamW
from shaped.optim.optimizer import HasParameters, Optimizer
from shaped.optim.rmsprop import RMSprop
from shaped.optim.sgd import Sgd

__all__ = ["Adam", "AdamW", "HasParameters", "Optimizer", "RMSprop", "Sgd"]
